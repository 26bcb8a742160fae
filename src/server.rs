//! `latchkey serve`: open the app, make TLS material, listen on HTTPS (and
//! optionally plain HTTP for a TLS-terminating proxy) and on the management
//! socket, run the background sweeps, and on SIGTERM / Ctrl-C stop
//! accepting, finish in-flight requests, drain the writer and close the file.

use crate::accounts::{sessions, setup};
use crate::app::App;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::manage;
use crate::store::audit::Who;
use crate::tasks::Tasks;
use crate::tls::Certificates;
use actix_web::{App as ActixApp, HttpServer, middleware, web};
use std::net::SocketAddr;
use std::time::Duration;

/// How often expired sessions and links are swept and certificates checked.
const SWEEP_EVERY: Duration = Duration::from_secs(600);
const USAGE_EVERY: Duration = Duration::from_secs(5);
/// How often the active grants are counted for the dashboard (the last count of a day stands for it).
const STATS_EVERY: Duration = Duration::from_secs(900);
const TLS_CHECK_EVERY: Duration = Duration::from_secs(12 * 3600);
/// The longest wait between looks at `backup_dir`.
const BACKUP_CHECK_EVERY: Duration = Duration::from_secs(300);

/// Told to whoever started the server once it listens.
#[derive(Debug, Clone)]
pub struct Ready {
    pub https: SocketAddr,
    pub http: Option<SocketAddr>,
    pub setup_link: Option<String>,
}

/// The route table, shared by `serve` and the tests.
pub fn configure(cfg: &mut web::ServiceConfig, app: App) {
    // Routes are tried in order: the API and the token endpoints, which
    // carry the load, come before the pages and their pattern routes.
    cfg.app_data(web::Data::new(app))
        .configure(crate::api::routes)
        .configure(crate::oauth2::endpoints::routes)
        .configure(crate::oauth1::endpoints::routes)
        .configure(crate::oauth2::authorize::routes)
        .configure(crate::web::routes);
}

/// Serves until a signal (or `handle.stop`) ends it. `on_ready` hears the
/// bound addresses; `clock` is the system clock outside tests.
pub async fn run(
    config: Config,
    clock: SharedClock,
    on_ready: impl FnOnce(Ready, actix_web::dev::ServerHandle),
) -> anyhow::Result<()> {
    let app = App::open(config, clock.clone())?;
    let cfg = app.config.clone();
    app.load_keys().await?;
    // What a crash or a deleted group left in the blob directory.
    match crate::social::uploads::sweep(&app).await {
        Ok((0, 0)) => {}
        Ok((staged, unused)) => tracing::info!(staged, unused, "removed interrupted uploads and unused blobs"),
        Err(e) => tracing::warn!(error = %e, "cannot sweep the blob directory"),
    }
    let certs = Certificates::open(&cfg, clock.now())?;
    let tls = certs.server_config()?;
    let listener = manage::socket::bind(&cfg.data_dir)?;

    let setup_link = if setup::admin_exists(&app)? { None } else { Some(setup::new_link(&app, Who::system()).await?) };

    let state = app.clone();
    let mut server = HttpServer::new(move || {
        ActixApp::new()
            .wrap(middleware::from_fn(crate::http::cors::cors))
            .wrap(middleware::from_fn(crate::http::headers::headers_and_log))
            .configure(|c| configure(c, state.clone()))
            .default_service(web::to(crate::web::not_found))
    })
    .on_connect(no_delay)
    .shutdown_timeout(cfg.shutdown_timeout.as_secs())
    // Signals are handled below, registered before the server says it is
    // ready: a SIGTERM that arrives at once must stop it cleanly, not kill it.
    .disable_signals()
    .bind_rustls_0_23(cfg.https, tls)?;
    if let Some(http) = cfg.http {
        server = server.bind(http)?;
    }
    let addrs = server.addrs();
    let https = addrs.first().copied().unwrap_or(cfg.https);
    let http = cfg.http.and_then(|_| addrs.get(1).copied());
    let server = server.run();
    let handle = server.handle();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;

    let mut tasks = Tasks::new();
    tasks.spawn("management socket", manage::socket::serve(app.clone(), listener));
    let stopper = handle.clone();
    tasks.spawn("signals", async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: stopping"),
            _ = interrupt.recv() => tracing::info!("SIGINT: stopping"),
        }
        stopper.stop(true).await;
    });
    let a = app.clone();
    tasks.every("token sweep", SWEEP_EVERY, "swept expired codes and tokens", move || {
        let a = a.clone();
        async move { crate::oauth2::sweep(&a.store, a.now()).await.map_err(|e| e.to_string()) }
    });
    let a = app.clone();
    tasks.every("oauth1 sweep", SWEEP_EVERY, "swept OAuth 1.0a request tokens and nonces", move || {
        let a = a.clone();
        async move {
            crate::oauth1::sweep(&a.store, a.now(), a.config.oauth1_timestamp_window).await.map_err(|e| e.to_string())
        }
    });
    let a = app.clone();
    tasks.every("session sweep", SWEEP_EVERY, "swept expired sessions and links", move || {
        let a = a.clone();
        let (idle, absolute) = (a.config.session_idle_timeout, a.config.session_absolute_timeout);
        async move { sessions::sweep(&a.store, a.now(), idle, absolute).await.map_err(|e| e.to_string()) }
    });
    let a = app.clone();
    tasks.every("statistics", STATS_EVERY, "wrote the dashboard's daily figures", move || {
        let a = a.clone();
        async move {
            let now = a.now();
            a.store.write(move |tx| crate::store::stats::snapshot(tx, now)).await.map(|()| 0).map_err(|e| e.to_string())
        }
    });
    let a = app.clone();
    tasks.every("last used", USAGE_EVERY, "wrote last-used times", move || {
        let a = a.clone();
        async move { crate::auth::usage::flush(&a.usage, &a.store).await.map_err(|e| e.to_string()) }
    });
    let a = app.clone();
    tasks.every("nonces", crate::auth::nonces::FLUSH_EVERY, "wrote OAuth 1.0a nonces", move || {
        let a = a.clone();
        async move { crate::auth::nonces::flush(&a.nonces, &a.store).await.map_err(|e| e.to_string()) }
    });
    if let Some(plan) = &cfg.backup {
        // The folder is looked at often (every interval, at most every five
        // minutes): a backup is written when the newest there is an
        // interval old, so restarts do not reset the rhythm.
        let check = plan.interval.min(BACKUP_CHECK_EVERY);
        let a = app.clone();
        tasks.every("backup", check, "wrote a scheduled backup", move || {
            let a = a.clone();
            async move { crate::ops::backup::scheduled(&a).await }
        });
    }
    // Push: the outbox worker, never inside a request.
    tasks.spawn("push", crate::push::worker::run(app.clone()));
    // Connections: renew OAuth 2.0 tokens before they expire, sweep flows.
    let a = app.clone();
    let every = cfg.connection_refresh_interval;
    tasks.every("connections", every, "renewed connections' tokens and swept flows", move || {
        let a = a.clone();
        async move { crate::connect::refresh::run_once(&a).await }
    });
    let (c, clock, certs) = (cfg.clone(), clock.clone(), certs.clone());
    tasks.every("certificate", TLS_CHECK_EVERY, "checked the certificate", move || {
        let (c, clock, certs) = (c.clone(), clock.clone(), certs.clone());
        async move { certs.refresh(&c, clock.now()).map(|()| 0).map_err(|e| e.to_string()) }
    });

    tracing::info!(%https, http = ?http, public_url = %cfg.public_url, "latchkey is listening");
    on_ready(Ready { https, http, setup_link }, handle);
    let result = server.await;

    // Stopped: no new management requests, no more background work, then
    // every write already handed in is committed before the file closes.
    tasks.stop();
    if let Err(e) = app.flush_batches().await {
        tracing::error!(error = %e, "the last last-used times or OAuth 1.0a nonces could not be written");
    }
    let _ = std::fs::remove_file(manage::socket::path(&cfg.data_dir));
    app.store.close();
    tracing::info!("latchkey stopped; the database is closed");
    result?;
    Ok(())
}

/// Turns Nagle's algorithm off on every accepted connection, as HTTP
/// servers do: a response must not wait for the client to acknowledge what
/// was sent before it. With it on, a TLS 1.3 response written while the
/// session ticket that followed the handshake was still unacknowledged
/// waited out the client's delayed ACK: 40 ms on about one new connection
/// in five (scripts/footprint saw the first /healthz after a start take
/// 50 ms instead of 8).
fn no_delay(conn: &dyn std::any::Any, _: &mut actix_web::dev::Extensions) {
    use actix_tls::accept::rustls_0_23::TlsStream;
    use actix_web::rt::net::TcpStream;
    let tcp = match conn.downcast_ref::<TlsStream<TcpStream>>() {
        Some(tls) => Some(tls.get_ref().0),
        None => conn.downcast_ref::<TcpStream>(),
    };
    if let Some(tcp) = tcp {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY could not be set");
        }
    }
}

/// What `serve` prints for the person who started it.
pub fn banner(config: &Config, ready: &Ready) -> String {
    let mut out = format!("latchkey is serving {}\n", config.public_url);
    if config.site_name != crate::site::DEFAULT_NAME {
        out.push_str(&format!("  site: {}\n", config.site_name));
    }
    out.push_str(&format!("  HTTPS on {}", ready.https));
    if let Some(h) = ready.http {
        out.push_str(&format!(", plain HTTP on {h} (for a TLS-terminating proxy)"));
    }
    out.push('\n');
    if config.tls_cert.is_none() {
        out.push_str(&format!(
            "  self-signed certificate: trust {} once to silence browser warnings\n",
            crate::tls::dir(&config.data_dir).join("ca.pem").display()
        ));
    }
    if let Some(link) = &ready.setup_link {
        out.push_str(&format!(
            "\nNo admin yet. Open this one-time link within the hour to create the first admin:\n  {link}\n"
        ));
    }
    out.push_str("\nStop with Ctrl-C.\n");
    out
}
