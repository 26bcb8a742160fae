//! HTTP load against the real server: starts `latchkey` (release build) on
//! a free port with a temporary data directory, registers applications,
//! then drives each scenario with 64 keep-alive connections for a few
//! seconds and prints requests/s and latency percentiles. A bare actix
//! handler behind the same TLS set-up is measured alongside, as the
//! ceiling for this machine.
//!
//! `cargo bench --bench http` (LATCHKEY_BENCH_SECS sets the seconds per
//! scenario, default 8; LATCHKEY_BENCH_CONNS the connections, default 64;
//! LATCHKEY_BENCH_ONLY a comma-separated list of words, runs only the
//! scenarios whose names contain one of them).

#![allow(clippy::unwrap_used)] // tests and benchmarks fail loudly on purpose

#[path = "http_parts/files.rs"]
mod files;
#[path = "http_parts/social.rs"]
mod social;

#[path = "http_parts/feed.rs"]
mod feed;

#[path = "http_parts/push.rs"]
mod push;

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
        .env_remove("LATCHKEY_BENCH_SECS")
        .env_remove("LATCHKEY_BENCH_CONNS")
        .env_remove("LATCHKEY_BENCH_GENERATOR")
        .env_remove("LATCHKEY_BENCH_ONLY")
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

/// One scenario for wrk: a Lua script body and the URL.
struct Wrk {
    name: &'static str,
    url: String,
    lua: String,
    /// One connection per thread (needed when a connection carries state,
    /// like a refresh-token chain).
    thread_per_conn: bool,
}

fn wrk_available() -> bool {
    Command::new("wrk").arg("--version").output().is_ok()
}

fn parse_duration_ms(v: &str) -> f64 {
    let v = v.trim();
    let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
    let n: f64 = num.parse().unwrap_or(0.0);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => n,
    }
}

fn run_wrk(w: &Wrk, conns: usize, secs: u64, dir: &Path) -> Row {
    let script = dir.join(format!("{}.lua", w.name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")));
    std::fs::write(&script, &w.lua).unwrap();
    let threads = if w.thread_per_conn { conns } else { 2 };
    let out = Command::new("wrk")
        .args(["-t", &threads.to_string(), "-c", &conns.to_string(), "-d", &format!("{secs}s"), "--latency", "-s"])
        .arg(&script)
        .arg(&w.url)
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let find = |prefix: &str| {
        text.lines().map(str::trim).find(|l| l.starts_with(prefix)).map(|l| l[prefix.len()..].trim().to_string())
    };
    let rps: f64 = find("Requests/sec:").and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let p50 = find("50%").map(|v| parse_duration_ms(&v)).unwrap_or(0.0);
    let p99 = find("99%").map(|v| parse_duration_ms(&v)).unwrap_or(0.0);
    let failed: u64 = find("Non-2xx or 3xx responses:").and_then(|v| v.parse().ok()).unwrap_or(0);
    Row {
        name: w.name,
        // wrk counts every answer in its rate; only the 2xx and 3xx ones are.
        ok: ((rps * secs as f64) as u64).saturating_sub(failed),
        failed,
        secs: secs as f64,
        p50_us: (p50 * 1000.0) as u64,
        p99_us: (p99 * 1000.0) as u64,
    }
}

fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

fn post_lua(auth: &str, body: &str) -> String {
    format!(
        "wrk.method = \"POST\"\nwrk.body = \"{body}\"\nwrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\nwrk.headers[\"Authorization\"] = \"{auth}\"\n"
    )
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

/// Whether LATCHKEY_BENCH_ONLY (absent: everything) selects the scenario `name`.
fn wanted(name: &str) -> bool {
    match std::env::var("LATCHKEY_BENCH_ONLY") {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|w| !w.trim().is_empty() && name.contains(w.trim())),
        _ => true,
    }
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
    let consumer = cli(
        &dir,
        &["client", "add", "--json", "--oauth1", "--first-party", "--name", "oauth1", "--scope", "profile"],
        None,
    );
    let consumer = (
        consumer["consumer_key"].as_str().unwrap().to_string(),
        consumer["consumer_secret"].as_str().unwrap().to_string(),
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
        .env_remove("LATCHKEY_BENCH_SECS")
        .env_remove("LATCHKEY_BENCH_CONNS")
        .env_remove("LATCHKEY_BENCH_GENERATOR")
        .env_remove("LATCHKEY_BENCH_ONLY")
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
    // The server makes its certificate on start; wait for it to listen.
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let ca = std::fs::read(dir.join("tls/ca.pem")).unwrap();
    let bare_ca = std::fs::read(tmp.path().join("bare/tls/ca.pem")).unwrap();
    let base = format!("https://localhost:{port}");
    let url = move |p: &str| format!("{base}{p}");

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let use_wrk = wrk_available() && std::env::var("LATCHKEY_BENCH_GENERATOR").as_deref() != Ok("reqwest");
    let mut rows = rt.block_on(async {
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
        let password_form = || vec![("grant_type", "password".into()), ("username", "bench".into()), ("password", PASSWORD.into())];
        let (cid, csecret) = creds(&cc);
        let (jcid, jcsecret) = creds(&cc_jwt);
        let (pid, psecret) = creds(&pw);
        let (jid, jsecret) = creds(&pw_jwt);
        // Warm the JWT client's own grant, as any running site has it.
        token_for(jcid.clone(), jcsecret.clone(), vec![("grant_type", "client_credentials".into())]).await;
        let mut chains = vec![];
        for _ in 0..conns {
            let v = token_for(pid.clone(), psecret.clone(), password_form()).await;
            chains.push(v["refresh_token"].as_str().unwrap().to_string());
        }
        let access = token_for(pid.clone(), psecret.clone(), password_form()).await["access_token"].as_str().unwrap().to_string();
        let jwt = token_for(jid, jsecret, password_form()).await["access_token"].as_str().unwrap().to_string();
        let browser = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .cookie_store(true)
            .build()
            .unwrap();

        if use_wrk {
            let bearer = |t: &str| format!("wrk.headers[\"Authorization\"] = \"Bearer {t}\"\n");
            let list = chains.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
            let refresh_lua = format!(
                "local chains = {{ {list} }}\nlocal n = 0\nfunction setup(thread)\n  n = n + 1\n  thread:set(\"rt\", chains[n])\nend\nfunction request()\n  return wrk.format(\"POST\", nil, {{[\"Content-Type\"] = \"application/x-www-form-urlencoded\", [\"Authorization\"] = \"{auth}\"}}, \"grant_type=refresh_token&refresh_token=\" .. rt)\nend\nfunction response(status, headers, body)\n  local t = body:match('\"refresh_token\":\"([^\"]+)\"')\n  if t then rt = t end\nend\n",
                auth = basic(&pid, &psecret)
            );
            let scenarios = [
                Wrk { name: "bare actix handler (ceiling)", url: format!("https://localhost:{bare_port}/"), lua: String::new(), thread_per_conn: false },
                Wrk { name: "client_credentials (opaque)", url: url("/oauth2/token"), lua: post_lua(&basic(&cid, &csecret), "grant_type=client_credentials"), thread_per_conn: false },
                Wrk { name: "client_credentials (JWT)", url: url("/oauth2/token"), lua: post_lua(&basic(&jcid, &jcsecret), "grant_type=client_credentials"), thread_per_conn: false },
                Wrk { name: "refresh_token (rotating)", url: url("/oauth2/token"), lua: refresh_lua, thread_per_conn: true },
                Wrk { name: "introspection (opaque token)", url: url("/oauth2/introspect"), lua: post_lua(&basic(&cid, &csecret), &format!("token={access}")), thread_per_conn: false },
                Wrk { name: "GET /api/v1/me, bearer (opaque)", url: url("/api/v1/me"), lua: bearer(&access), thread_per_conn: false },
                Wrk { name: "GET /api/v1/me, bearer (JWT)", url: url("/api/v1/me"), lua: bearer(&jwt), thread_per_conn: false },
            ];
            let mut rows = scenarios.iter().filter(|w| wanted(w.name)).map(|w| run_wrk(w, conns, secs, tmp.path())).collect::<Vec<_>>();
            if !wanted("GET /api/v1/me, OAuth 1.0a HMAC-SHA1") {
                return rows;
            }
            // OAuth 1.0a: every request needs its own nonce, so the requests
            // are signed beforehand, one file per wrk thread, and each thread
            // plays its own list. All share one timestamp, so a line holds
            // only the nonce and the signature, and Lua puts the header
            // together around them (reading whole headers took wrk's threads
            // long enough to count against the run).
            let (token, secret) = oauth1_access(&http, &browser, &url, &consumer).await;
            let me = url("/api/v1/me");
            let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
            let header = |nonce: &str| {
                latchkey::oauth1::client::hmac_sha1_header("GET", &me, (&consumer.0, &consumer.1), Some((&token, &secret)), &[], ts, nonce)
            };
            // The header is `… oauth_nonce="N", … oauth_signature="S"`: the text
            // around N and S is the same for every request.
            let sample = header("NONCE");
            let (before_nonce, rest) = sample.split_once("NONCE").unwrap();
            let (between, signature) = rest.split_once("oauth_signature=\"").unwrap();
            assert!(signature.ends_with('"') && !signature[..signature.len() - 1].contains('"'), "{sample}");
            let between = format!("{between}oauth_signature=\"").replace('"', "\\\"");
            // More than wrk can send in `secs` (an exhausted list would
            // send unsigned requests, counted as errors).
            let per_thread = 40_000 * secs as usize;
            for t in 0..2 {
                let mut lines = String::new();
                for i in 0..per_thread {
                    let nonce = format!("w{t}-{i}");
                    let h = header(&nonce);
                    let sig = h.rsplit_once("oauth_signature=\"").unwrap().1.trim_end_matches('"');
                    lines.push_str(&format!("{nonce} {sig}\n"));
                }
                std::fs::write(tmp.path().join(format!("signed-{t}.txt")), lines).unwrap();
            }
            let dir = tmp.path().display().to_string();
            let before_nonce = before_nonce.replace('"', "\\\"");
            let lua = format!(
                "local n = 0\nfunction setup(thread)\n  thread:set(\"file\", \"{dir}/signed-\" .. n .. \".txt\")\n  n = n + 1\nend\nfunction init(args)\n  nonces, sigs = {{}}, {{}}\n  for line in io.lines(file) do\n    local a, b = line:match(\"(%S+) (%S+)\")\n    nonces[#nonces + 1] = a\n    sigs[#sigs + 1] = b\n  end\n  i = 0\nend\nfunction request()\n  i = i + 1\n  return wrk.format(\"GET\", nil, {{[\"Authorization\"] = \"{before_nonce}\" .. nonces[i] .. \"{between}\" .. sigs[i] .. '\"'}})\nend\n"
            );
            let signed = Wrk { name: "GET /api/v1/me, OAuth 1.0a HMAC-SHA1", url: me.clone(), lua, thread_per_conn: false };
            rows.push(run_wrk(&signed, conns, secs, tmp.path()));
            if !wanted("(reqwest)") {
                return rows;
            }
            rows.extend(oauth1_versus_bearer(&http, &browser, &url, &consumer, &access, conns, secs).await);
            return rows;
        }

        let mut rows = oauth1_versus_bearer(&http, &browser, &url, &consumer, &access, conns, secs).await;
        let bare = http_client(&bare_ca);
        rows.push(
            load("bare actix handler (ceiling)", conns, secs, |_, d| {
                let c = bare.clone();
                let u = format!("https://localhost:{bare_port}/");
                async move { repeat(d, || c.get(&u), |s, _| s == 200).await }
            })
            .await,
        );
        for (name, (id, secret)) in [("client_credentials (opaque)", (cid.clone(), csecret.clone())), ("client_credentials (JWT)", (jcid, jcsecret))] {
            rows.push(
                load(name, conns, secs, |_, d| {
                    let (c, u, id, secret) = (http.clone(), url("/oauth2/token"), id.clone(), secret.clone());
                    async move {
                        repeat(d, || c.post(&u).basic_auth(&id, Some(&secret)).form(&[("grant_type", "client_credentials")]), |s, _| s == 200).await
                    }
                })
                .await,
            );
        }
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
                            c.post(&u).basic_auth(&id, Some(&secret)).form(&[("grant_type", "refresh_token"), ("refresh_token", rt.as_str())])
                        },
                        |s, body| {
                            let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
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
        rows.push(
            load("introspection (opaque token)", conns, secs, |_, d| {
                let (c, u, id, secret, tok) = (http.clone(), url("/oauth2/introspect"), cid.clone(), csecret.clone(), access.clone());
                async move {
                    repeat(d, || c.post(&u).basic_auth(&id, Some(&secret)).form(&[("token", tok.as_str())]), |s, b| {
                        s == 200 && b.starts_with(b"{\"active\":true")
                    })
                    .await
                }
            })
            .await,
        );
        for (name, tok) in [("GET /api/v1/me, bearer (opaque)", access.clone()), ("GET /api/v1/me, bearer (JWT)", jwt)] {
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
    let mut notes = vec![];
    if wanted("/api/v1/posts") {
        let (more, said) = social::run(conns, secs, tmp.path(), use_wrk);
        rows.extend(more);
        notes = said;
    }
    if wanted(feed::NAME) {
        rows.extend(feed::run(conns, secs, tmp.path(), use_wrk));
    }
    if wanted("/api/v1/files") {
        notes.extend(files::run(tmp.path()));
    }
    if wanted("(push)") {
        let (more, said) = push::run(tmp.path());
        rows.extend(more);
        notes.extend(said);
    }

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
    let rate = |name: &str| rows.iter().find(|r| r.name == name).map(|r| r.ok as f64 / r.secs);
    if let (Some(bare), Some(me)) = (rate("bare actix handler (ceiling)"), rate("GET /api/v1/me, bearer (opaque)")) {
        println!("bearer GET / bare handler: {:.2} (target: at least 0.5)", me / bare);
    }
    if let (Some(bare), Some(list)) = (rate("bare actix handler (ceiling)"), rate(social::LIST_NAME)) {
        println!("posts list / bare handler: {:.2} (target: at least 0.25)", list / bare);
    }
    if let (Some(bare), Some(list)) = (rate("bare actix handler (ceiling)"), rate(social::LIST_FRESH_NAME)) {
        println!("posts list computed afresh (no-cache) / bare handler: {:.2}", list / bare);
    }
    if let (Some(bare), Some(feed)) = (rate("bare actix handler (ceiling)"), rate(feed::NAME)) {
        println!("feed (200 friends, 20 groups) / bare handler: {:.2}", feed / bare);
    }
    if let Some(post) = rate("POST /api/v1/posts (durable)") {
        println!("durable posts: {post:.0}/s (target: at least 5,000/s)");
    }
    for n in &notes {
        println!("{n}");
    }
    if let (Some(b), Some(o)) = (rate("GET /api/v1/me, bearer (opaque)"), rate("GET /api/v1/me, OAuth 1.0a HMAC-SHA1"))
    {
        println!("OAuth 1.0a signed / bearer, both by wrk: {:.2} (target: at least 0.5)", o / b);
    }
    if let (Some(b), Some(o)) =
        (rate("GET /api/v1/me, bearer (reqwest)"), rate("GET /api/v1/me, OAuth 1.0a HMAC-SHA1 (reqwest)"))
    {
        println!("OAuth 1.0a signed / bearer, both by reqwest: {:.2} (target: at least 0.5)", o / b);
    }
}

/// An HMAC-SHA1 `Authorization` header (RFC 5849), signed for `url` now.
fn oauth1_header(
    method: &str,
    url: &str,
    consumer: (&str, &str),
    token: Option<(&str, &str)>,
    extra: &[(&str, &str)],
    nonce: &str,
) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    latchkey::oauth1::client::hmac_sha1_header(method, url, consumer, token, extra, now, nonce)
}

fn form_pairs(body: &str) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

/// The three-legged flow for the benchmark member: returns (token, secret).
async fn oauth1_access(
    http: &reqwest::Client,
    browser: &reqwest::Client,
    url: &impl Fn(&str) -> String,
    consumer: &(String, String),
) -> (String, String) {
    let c = (consumer.0.as_str(), consumer.1.as_str());
    let nonce = || format!("n{}", rand::random::<u64>());
    let body = http
        .post(url("/oauth1/request"))
        .header(
            "authorization",
            oauth1_header("POST", &url("/oauth1/request"), c, None, &[("oauth_callback", "oob")], &nonce()),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let req = form_pairs(&body);
    let (rt, rs) = (req["oauth_token"].clone(), req["oauth_token_secret"].clone());
    // Sign in as the member in a cookie-keeping client and approve (first-party: no consent step).
    let login = browser.get(url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = login.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    browser
        .post(url("/login"))
        .form(&[("csrf", csrf.as_str()), ("username", "bench"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let page =
        browser.get(url(&format!("/oauth1/authorize?oauth_token={rt}"))).send().await.unwrap().text().await.unwrap();
    let verifier = page.split("id=\"verifier\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    let body = http
        .post(url("/oauth1/access"))
        .header(
            "authorization",
            oauth1_header(
                "POST",
                &url("/oauth1/access"),
                c,
                Some((&rt, &rs)),
                &[("oauth_verifier", verifier.as_str())],
                &nonce(),
            ),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let acc = form_pairs(&body);
    (acc["oauth_token"].clone(), acc["oauth_token_secret"].clone())
}

/// HMAC-SHA1-signed `GET /api/v1/me` next to the same request with a
/// bearer token, both from the same (reqwest) load generator: every signed
/// request needs a fresh nonce, which a fixed wrk script cannot give.
async fn oauth1_versus_bearer(
    http: &reqwest::Client,
    browser: &reqwest::Client,
    url: &impl Fn(&str) -> String,
    consumer: &(String, String),
    access: &str,
    conns: usize,
    secs: u64,
) -> Vec<Row> {
    let me = url("/api/v1/me");
    let (token, secret) = oauth1_access(http, browser, url, consumer).await;
    let bearer = load("GET /api/v1/me, bearer (reqwest)", conns, secs, |_, d| {
        let (c, u, tok) = (http.clone(), me.clone(), access.to_string());
        async move { repeat(d, || c.get(&u).bearer_auth(&tok), |s, _| s == 200).await }
    })
    .await;
    let signed = load("GET /api/v1/me, OAuth 1.0a HMAC-SHA1 (reqwest)", conns, secs, |i, d| {
        let (c, u) = (http.clone(), me.clone());
        let (ck, cs, t, ts) = (consumer.0.clone(), consumer.1.clone(), token.clone(), secret.clone());
        async move {
            let mut n = 0u64;
            repeat(
                d,
                || {
                    n += 1;
                    let h = oauth1_header(
                        "GET",
                        &u,
                        (&ck, &cs),
                        Some((&t, &ts)),
                        &[],
                        &format!("b{i}-{n}-{}", rand::random::<u32>()),
                    );
                    c.get(&u).header("authorization", h)
                },
                |s, _| s == 200,
            )
            .await
        }
    })
    .await;
    vec![bearer, signed]
}
