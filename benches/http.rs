//! HTTP load against the real server: starts `latchkey` (release build) on
//! a free port with a temporary data directory, registers applications,
//! then drives each scenario with 64 keep-alive connections for a few
//! seconds and prints requests/s and latency percentiles. A bare actix
//! handler behind the same TLS set-up is measured alongside, as the
//! ceiling for this machine.
//!
//! `cargo bench --bench http` (LATCHKEY_BENCH_SECS sets the seconds per
//! scenario, default 8; LATCHKEY_BENCH_CONNS the connections, default 64).

use std::future::Future;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "benchmark password";

struct Row {
    name: &'static str,
    ok: u64,
    failed: u64,
    secs: f64,
    p50_us: u64,
    p99_us: u64,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn cli(dir: &Path, args: &[&str], stdin: Option<&str>) -> serde_json::Value {
    use std::io::Write;
    let mut c = Command::new(env!("CARGO_BIN_EXE_latchkey"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("LATCHKEY_ARGON2_MEMORY_KIB", "8192")
        .env("LATCHKEY_ARGON2_ITERATIONS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = c.wait_with_output().unwrap();
    assert!(out.status.success(), "latchkey {args:?} failed");
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// Runs `conns` tasks until the deadline; each returns (latencies in µs, failures).
async fn load<F, Fut>(name: &'static str, conns: usize, secs: u64, task: F) -> Row
where
    F: Fn(usize, Instant) -> Fut,
    Fut: Future<Output = (Vec<u32>, u64)> + Send + 'static,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let handles: Vec<_> = (0..conns).map(|i| tokio::spawn(task(i, deadline))).collect();
    let mut all = vec![];
    let mut failed = 0;
    for h in handles {
        let (lat, f) = h.await.unwrap();
        all.extend(lat);
        failed += f;
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or(0) as u64
    };
    Row { name, ok: all.len() as u64, failed, secs, p50_us: pct(0.50), p99_us: pct(0.99) }
}

/// A loop of one request shape: `make` builds the request, `check` reads the answer.
async fn repeat(
    deadline: Instant,
    mut make: impl FnMut() -> reqwest::RequestBuilder,
    mut check: impl FnMut(reqwest::StatusCode, &[u8]) -> bool,
) -> (Vec<u32>, u64) {
    let mut lat = vec![];
    let mut failed = 0;
    while Instant::now() < deadline {
        let t = Instant::now();
        let ok = match make().send().await {
            Ok(r) => {
                let status = r.status();
                match r.bytes().await {
                    Ok(b) => check(status, &b),
                    Err(_) => false,
                }
            }
            Err(_) => false,
        };
        if ok {
            lat.push(t.elapsed().as_micros() as u32);
        } else {
            failed += 1;
        }
    }
    (lat, failed)
}

fn http_client(ca: &[u8]) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca).unwrap())
        .pool_max_idle_per_host(512)
        .build()
        .unwrap()
}

/// The ceiling: a bare actix handler with the same rustls set-up and workers.
fn start_bare(data_dir: &Path, port: u16) {
    let settings = latchkey::config::Settings { https: Some(format!("127.0.0.1:{port}")), ..Default::default() };
    let config = latchkey::config::Config::resolve(data_dir.to_path_buf(), settings).unwrap();
    let certs = latchkey::tls::Certificates::open(&config, time::OffsetDateTime::now_utc()).unwrap();
    let tls = certs.server_config().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(|| {
                actix_web::App::new().route(
                    "/",
                    actix_web::web::get()
                        .to(|| async { actix_web::HttpResponse::Ok().json(serde_json::json!({"ok": true})) }),
                )
            })
            .bind_rustls_0_23(("127.0.0.1", port), tls)
            .unwrap()
            .run()
            .await
            .unwrap()
        })
    });
}

fn main() {
    let secs: u64 = std::env::var("LATCHKEY_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(8);
    let conns: usize = std::env::var("LATCHKEY_BENCH_CONNS").ok().and_then(|s| s.parse().ok()).unwrap_or(64);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();

    cli(&dir, &["user", "add", "bench", "--password-stdin"], Some(PASSWORD));
    let cc = cli(
        &dir,
        &[
            "client",
            "add",
            "--json",
            "--name",
            "cc",
            "--grant",
            "client_credentials",
            "--scope",
            "read",
            "--introspect-any",
        ],
        None,
    );
    let cc_jwt = cli(
        &dir,
        &[
            "client",
            "add",
            "--json",
            "--name",
            "cc-jwt",
            "--grant",
            "client_credentials",
            "--scope",
            "read",
            "--token-format",
            "jwt",
        ],
        None,
    );
    let pw = cli(
        &dir,
        &[
            "client",
            "add",
            "--json",
            "--name",
            "pw",
            "--grant",
            "password",
            "--grant",
            "refresh_token",
            "--scope",
            "profile",
        ],
        None,
    );
    let pw_jwt = cli(
        &dir,
        &[
            "client",
            "add",
            "--json",
            "--name",
            "pw-jwt",
            "--grant",
            "password",
            "--scope",
            "profile",
            "--token-format",
            "jwt",
        ],
        None,
    );
    let creds = |v: &serde_json::Value| {
        (v["client_id"].as_str().unwrap().to_string(), v["client_secret"].as_str().unwrap().to_string())
    };

    let port = free_port();
    let log = std::fs::File::create(tmp.path().join("server.log")).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_latchkey"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["serve", "--https", &format!("127.0.0.1:{port}")])
        .env("LATCHKEY_ARGON2_MEMORY_KIB", "8192")
        .env("LATCHKEY_ARGON2_ITERATIONS", "1")
        .env("LATCHKEY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "100000")
        .env("LATCHKEY_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let bare_port = free_port();
    start_bare(&tmp.path().join("bare"), bare_port);
    std::thread::sleep(Duration::from_millis(500));
    let ca = std::fs::read(dir.join("tls/ca.pem")).unwrap();
    let bare_ca = std::fs::read(tmp.path().join("bare/tls/ca.pem")).unwrap();
    let base = format!("https://localhost:{port}");
    let url = move |p: &str| format!("{base}{p}");

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let rows = rt.block_on(async {
        let http = http_client(&ca);
        // Wait until the server answers.
        for _ in 0..100 {
            if http.get(url("/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let token_for = |id: String, secret: String, form: Vec<(&'static str, String)>| {
            let http = http.clone();
            let u = url("/oauth2/token");
            async move {
                let v: serde_json::Value =
                    http.post(u).basic_auth(id, Some(secret)).form(&form).send().await.unwrap().json().await.unwrap();
                v
            }
        };
        let mut rows = vec![];

        let bare = http_client(&bare_ca);
        rows.push(
            load("bare actix handler (ceiling)", conns, secs, |_, d| {
                let c = bare.clone();
                let u = format!("https://localhost:{bare_port}/");
                async move { repeat(d, || c.get(&u), |s, _| s == 200).await }
            })
            .await,
        );

        for (name, v) in [("client_credentials (opaque)", &cc), ("client_credentials (JWT)", &cc_jwt)] {
            let (id, secret) = creds(v);
            rows.push(
                load(name, conns, secs, |_, d| {
                    let (c, u, id, secret) = (http.clone(), url("/oauth2/token"), id.clone(), secret.clone());
                    async move {
                        repeat(
                            d,
                            || c.post(&u).basic_auth(&id, Some(&secret)).form(&[("grant_type", "client_credentials")]),
                            |s, _| s == 200,
                        )
                        .await
                    }
                })
                .await,
            );
        }

        // refresh_token: each connection follows its own rotation chain.
        let (pid, psecret) = creds(&pw);
        let mut chains = vec![];
        for _ in 0..conns {
            let v = token_for(
                pid.clone(),
                psecret.clone(),
                vec![("grant_type", "password".into()), ("username", "bench".into()), ("password", PASSWORD.into())],
            )
            .await;
            chains.push(v["refresh_token"].as_str().unwrap().to_string());
        }
        let access = token_for(
            pid.clone(),
            psecret.clone(),
            vec![("grant_type", "password".into()), ("username", "bench".into()), ("password", PASSWORD.into())],
        )
        .await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        rows.push(
            load("refresh_token (rotating)", conns, secs, |i, d| {
                let (c, u, id, secret) = (http.clone(), url("/oauth2/token"), pid.clone(), psecret.clone());
                let start = chains[i].clone();
                async move {
                    let current = std::sync::Arc::new(std::sync::Mutex::new(start));
                    let next = current.clone();
                    repeat(
                        d,
                        || {
                            let rt = current.lock().unwrap().clone();
                            c.post(&u)
                                .basic_auth(&id, Some(&secret))
                                .form(&[("grant_type", "refresh_token"), ("refresh_token", rt.as_str())])
                        },
                        |s, body| {
                            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                            if let Some(rt) = v["refresh_token"].as_str() {
                                *next.lock().unwrap() = rt.to_string();
                            }
                            s == 200
                        },
                    )
                    .await
                }
            })
            .await,
        );

        let (cid, csecret) = creds(&cc);
        rows.push(
            load("introspection (opaque token)", conns, secs, |_, d| {
                let (c, u, id, secret, tok) =
                    (http.clone(), url("/oauth2/introspect"), cid.clone(), csecret.clone(), access.clone());
                async move {
                    repeat(
                        d,
                        || c.post(&u).basic_auth(&id, Some(&secret)).form(&[("token", tok.as_str())]),
                        |s, b| s == 200 && b.starts_with(b"{\"active\":true"),
                    )
                    .await
                }
            })
            .await,
        );

        let (jid, jsecret) = creds(&pw_jwt);
        let jwt = token_for(
            jid,
            jsecret,
            vec![("grant_type", "password".into()), ("username", "bench".into()), ("password", PASSWORD.into())],
        )
        .await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        for (name, tok) in [("GET /api/v1/me, bearer (opaque)", access.clone()), ("GET /api/v1/me, bearer (JWT)", jwt)]
        {
            rows.push(
                load(name, conns, secs, |_, d| {
                    let (c, u, tok) = (http.clone(), url("/api/v1/me"), tok.clone());
                    async move { repeat(d, || c.get(&u).bearer_auth(&tok), |s, _| s == 200).await }
                })
                .await,
            );
        }
        rows
    });
    let _ = server.kill();
    let _ = server.wait();

    println!(
        "\nlatchkey HTTP benchmark: {conns} connections, {secs} s per scenario, load generator on the same machine"
    );
    println!("{:<36} {:>10} {:>9} {:>9} {:>8}", "scenario", "req/s", "p50 ms", "p99 ms", "errors");
    for r in &rows {
        println!(
            "{:<36} {:>10.0} {:>9.2} {:>9.2} {:>8}",
            r.name,
            r.ok as f64 / r.secs,
            r.p50_us as f64 / 1000.0,
            r.p99_us as f64 / 1000.0,
            r.failed
        );
    }
    if let (Some(bare), Some(me)) = (rows.first(), rows.iter().find(|r| r.name.contains("bearer (opaque)"))) {
        println!(
            "bearer GET / bare handler: {:.2} (target: at least 0.5)",
            (me.ok as f64 / me.secs) / (bare.ok as f64 / bare.secs)
        );
    }
}
