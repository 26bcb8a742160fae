//! The command line. Each command group has its file; each calls the same
//! operations the pages and the management socket call.

mod backup;
mod check;
mod client;
mod healthcheck;
mod provider;
mod serve;
mod token;
mod user;

use crate::app::App;
use crate::clock::SystemClock;
use crate::config::{Config, Settings};
use crate::manage::{self, Reply, Request};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "latchkey",
    version,
    about = "OAuth 1.0a and OAuth 2.0 / OpenID Connect provider for a small community site"
)]
pub struct Cli {
    /// Where the database, TLS material and keys live.
    #[arg(long, global = true, env = "LATCHKEY_DATA_DIR", default_value = "./latchkey-data")]
    pub data_dir: PathBuf,
    /// A TOML configuration file (default: DATA_DIR/latchkey.toml when it exists).
    #[arg(long, global = true, env = "LATCHKEY_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

// Parsed once per process; the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default command).
    Serve(serve::ServeArgs),
    /// Print a fresh one-time link to create the first admin.
    Setup {
        #[arg(long)]
        json: bool,
    },
    /// Manage members.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage applications (OAuth 2.0 clients and OAuth 1.0a consumers).
    #[command(subcommand)]
    Client(client::ClientCommand),
    /// Grants (a member's authorization of an application) and their tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// JWT signing keys.
    #[command(subcommand)]
    Keys(client::KeysCommand),
    /// Remote providers members connect to and sign in with (connections).
    #[command(subcommand)]
    Provider(provider::ProviderCommand),
    /// Validate the configuration, print the effective settings and what a
    /// start would do to the database (without changing it).
    Check,
    /// Write a consistent backup of the data directory to FILE (the server may keep running).
    Backup {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into an empty or absent data directory (the server stopped).
    Restore {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Load a small demo community and a demo application to try the API.
    Demo {
        #[arg(long)]
        json: bool,
    },
    /// Exit 0 when this machine's server answers GET /healthz on its HTTPS
    /// listener (for a container's health check), 1 when not.
    Healthcheck(healthcheck::HealthcheckArgs),
}

/// Exit codes: 0 done, 1 the operation failed, 2 bad usage or configuration.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => serve::run(&cli, &serve::ServeArgs::default()),
        Some(Command::Serve(ref args)) => serve::run(&cli, args),
        Some(Command::Check) => check::run(&cli),
        Some(Command::Backup { ref file, json }) => backup::backup(&cli, file, json),
        Some(Command::Restore { ref file, json }) => backup::restore(&cli, file, json),
        Some(Command::Healthcheck(ref args)) => healthcheck::run(&cli, args),
        Some(Command::Setup { json }) => {
            let reply = call(&cli, Request::SetupLink);
            print_reply(reply, json, |v| {
                format!(
                    "Open this one-time link within the hour to create the first admin of {}:\n  {}\n",
                    v["site"].as_str().unwrap_or("latchkey"),
                    v["url"].as_str().unwrap_or_default()
                )
            })
        }
        Some(Command::Demo { json }) => print_reply(call(&cli, Request::Demo), json, demo_text),
        Some(Command::User(ref cmd)) => user::run(&cli, cmd),
        Some(Command::Client(ref cmd)) => client::run(&cli, cmd),
        Some(Command::Token(ref cmd)) => token::run(&cli, cmd),
        Some(Command::Keys(ref cmd)) => client::run_keys(&cli, cmd),
        Some(Command::Provider(ref cmd)) => provider::run(&cli, cmd),
    }
}

fn demo_text(v: &serde_json::Value) -> String {
    let list = |k: &str| v[k].as_array().into_iter().flatten().filter_map(|x| x.as_str()).collect::<Vec<_>>();
    let mut out = format!(
        "Loaded the demo community: members {} (password {}), {} groups, {} posts with comments and likes.\n\
         Registered the application \"Demo app\": client_id {}\n\nTry the API:\n\n",
        list("members").join(", "),
        v["password"].as_str().unwrap_or_default(),
        list("groups").len(),
        v["posts"],
        v["client_id"].as_str().unwrap_or_default(),
    );
    for c in list("commands") {
        out.push_str(&format!("  {c}\n"));
    }
    out.push_str("\nSign in to the pages as any demo member with the same password.\n");
    out
}

/// Loads the configuration (file, environment, `flags`), or says why not.
pub fn load_config(cli: &Cli, flags: Settings) -> Result<Config, String> {
    Config::load(cli.data_dir.clone(), cli.config.as_deref(), std::env::vars(), flags)
        .map_err(|e| format!("configuration error: {e}"))
}

/// Carries out `req` in the running server, or here when none runs.
pub fn call(cli: &Cli, req: Request) -> Result<Reply, String> {
    if let Some(answer) = manage::socket::call(&cli.data_dir, &req) {
        return answer;
    }
    let config = load_config(cli, Settings::default())?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let app = App::open(config, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let reply = rt.block_on(manage::execute(&app, req));
    app.store.close();
    Ok(reply)
}

/// Prints a reply as JSON or as text; the exit code says how it went.
pub fn print_reply(
    reply: Result<Reply, String>,
    json: bool,
    text: impl FnOnce(&serde_json::Value) -> String,
) -> ExitCode {
    match reply {
        Ok(Reply::Ok(v)) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                print!("{}", text(&v));
            }
            ExitCode::SUCCESS
        }
        Ok(Reply::Err(e)) => {
            if json {
                println!("{}", serde_json::json!({ "error": e }));
            }
            eprintln!("latchkey: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("latchkey: {e}");
            ExitCode::from(2)
        }
    }
}
