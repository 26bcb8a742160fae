//! `latchkey serve`.

use super::{Cli, load_config};
use crate::clock::SystemClock;
use crate::config::Settings;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// The HTTPS listener (config `https`), default 127.0.0.1:8443.
    #[arg(long, value_name = "ADDR")]
    pub https: Option<String>,
    /// An extra plain-HTTP listener for use behind a TLS-terminating proxy (config `http`).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<String>,
    /// The issuer and base of every link (config `public_url`), default https://localhost:8443.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

pub fn run(cli: &Cli, args: &ServeArgs) -> ExitCode {
    let flags = Settings {
        https: args.https.clone(),
        http: args.http.clone(),
        public_url: args.public_url.clone(),
        ..Default::default()
    };
    let config = match load_config(cli, flags) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("latchkey: {e}");
            return ExitCode::from(2);
        }
    };
    // `RUST_LOG` when it is a filter, else the configuration's `log`
    // (checked when the configuration was read).
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| crate::config::log_filter(&v).ok())
        .or_else(|| crate::config::log_filter(&config.log).ok())
        .unwrap_or_else(|| tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO));
    use std::io::IsTerminal;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let log = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = tracing_subscriber::registry().with(filter);
    match config.log_format {
        // One JSON object per line, for log collectors; the event's fields
        // at the top level beside level, target and timestamp.
        crate::config::LogFormat::Json => logs.with(log.json().flatten_event(true).with_current_span(false)).init(),
        crate::config::LogFormat::Text => logs.with(log.with_ansi(std::io::stderr().is_terminal())).init(),
    }
    let printed = config.clone();
    let result = actix_web::rt::System::new().block_on(crate::server::run(
        config,
        Arc::new(SystemClock),
        move |ready, _handle| {
            use std::io::Write;
            let mut out = std::io::stdout();
            let _ = write!(out, "{}", crate::server::banner(&printed, &ready));
            let _ = out.flush();
        },
    ));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("latchkey: {e:#}");
            ExitCode::from(1)
        }
    }
}
