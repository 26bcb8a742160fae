//! The social API under load, on a server of its own: durable
//! `POST /api/v1/posts` (each with its activity entry and push outbox row),
//! then the store is filled to 100,000 posts and one group's newest page
//! of 20 is read with access checks on. Reports the writer's group-commit
//! batch sizes under the write load (from the log line the writer leaves
//! when it stops) and the server's memory, idle and after the list load.

use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The server's resident memory in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

const POSTS: u64 = 100_000;
pub const LIST_NAME: &str = "GET /api/v1/posts?group= (20 items)";
pub const LIST_FRESH_NAME: &str = "  the same, no-cache (fresh)";

pub fn run(conns: usize, secs: u64, root: &Path, use_wrk: bool) -> (Vec<Row>, Vec<String>) {
    let dir = root.join("social");
    std::fs::create_dir_all(&dir).unwrap();
    cli(&dir, &["user", "add", "bench", "--password-stdin"], Some(PASSWORD));
    let c = cli(
        &dir,
        &["client", "add", "--json", "--name", "social", "--grant", "password", "--scope", "read", "--scope", "write"],
        None,
    );
    let (id, secret) = (c["client_id"].as_str().unwrap().to_string(), c["client_secret"].as_str().unwrap().to_string());
    let port = free_port();
    let log_path = root.join("social.log");
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
        .env("LATCHKEY_API_WRITES_PER_MEMBER_PER_MINUTE", "1000000")
        .env("LATCHKEY_LOG", "warn,latchkey::store::writer=info")
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(&log_path).unwrap()))
        .spawn()
        .unwrap();
    let pid = server.id();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "the social server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let ca = std::fs::read(dir.join("tls/ca.pem")).unwrap();
    let base = format!("https://localhost:{port}");
    let url = move |p: &str| format!("{base}{p}");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut notes = vec![];
    let rows = rt.block_on(async {
        let http = http_client(&ca);
        let v: serde_json::Value = http
            .post(url("/oauth2/token"))
            .basic_auth(&id, Some(&secret))
            .form(&[("grant_type", "password"), ("username", "bench"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = v["access_token"].as_str().unwrap().to_string();
        let g: serde_json::Value = http
            .post(url("/api/v1/groups"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": "Benchmark", "membership": "closed"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let group = g["id"].as_str().unwrap().to_string();
        tokio::time::sleep(Duration::from_secs(2)).await;
        notes.push(format!("social server RSS idle: {:.1} MiB", rss_mib(pid)));
        let body = format!("{{\"group\": \"{group}\", \"body\": \"A benchmark post\", \"tags\": [\"bench\"], \"access\": \"group\"}}");
        let list_url = url(&format!("/api/v1/posts?group={group}"));
        let mut rows = vec![];
        let post_name = "POST /api/v1/posts (durable)";
        if use_wrk {
            let lua = format!(
                "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"
            );
            rows.push(run_wrk(&Wrk { name: post_name, url: url("/api/v1/posts"), lua, thread_per_conn: false }, conns, secs, root));
        } else {
            rows.push(
                load(post_name, conns, secs, |_, d| {
                    let (c, u, t, b) = (http.clone(), url("/api/v1/posts"), token.clone(), body.clone());
                    async move {
                        repeat(
                            d,
                            || c.post(&u).bearer_auth(&t).header("content-type", "application/json").body(b.clone()),
                            |s, _| s == 201,
                        )
                        .await
                    }
                })
                .await,
            );
        }
        // Fill the store to 100,000 posts (ids count them).
        let one: serde_json::Value = http
            .post(url("/api/v1/posts"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let have: u64 = one["id"].as_str().unwrap().parse().unwrap();
        let left = Arc::new(AtomicU64::new(POSTS.saturating_sub(have)));
        let fill: Vec<_> = (0..conns)
            .map(|_| {
                let (c, u, t, b, left) = (http.clone(), url("/api/v1/posts"), token.clone(), body.clone(), left.clone());
                tokio::spawn(async move {
                    while left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
                        let r = c.post(&u).bearer_auth(&t).header("content-type", "application/json").body(b.clone()).send().await;
                        assert_eq!(r.unwrap().status(), 201);
                    }
                })
            })
            .collect();
        for f in fill {
            f.await.unwrap();
        }
        notes.push(format!("posts in the store for the list load: {}", POSTS.max(have)));
        // Each post left an activity entry in the push outbox; the worker
        // fans them out in the background, in write transactions of its
        // own. Let it finish, so that the list is measured alone and not
        // beside the tail of the write load (up to 12 % of the CPU).
        let waited = Instant::now();
        loop {
            let m = http.get(url("/metrics")).send().await.unwrap().text().await.unwrap();
            let depth = m.lines().find_map(|l| l.strip_prefix("latchkey_outbox_depth ")).map(str::trim).map(str::to_string);
            if depth.as_deref() == Some("0") || waited.elapsed() > Duration::from_secs(300) {
                notes.push(format!("push outbox drained before the list load in {:.1} s (depth {depth:?})", waited.elapsed().as_secs_f64()));
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        // The same page twice over: as every client asks for it (answered
        // from the memo after the first read, as nothing is written during
        // the run), then with `Cache-Control: no-cache`, which makes the
        // server compute every page afresh: store reads, access checks and
        // JSON, as on a site where a commit comes between any two reads.
        for (name, fresh) in [(LIST_NAME, false), (LIST_FRESH_NAME, true)] {
            if use_wrk {
                let mut lua = format!("wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n");
                if fresh {
                    lua.push_str("wrk.headers[\"Cache-Control\"] = \"no-cache\"\n");
                }
                rows.push(run_wrk(&Wrk { name, url: list_url.clone(), lua, thread_per_conn: false }, conns, secs, root));
            } else {
                rows.push(
                    load(name, conns, secs, |_, d| {
                        let (c, u, t) = (http.clone(), list_url.clone(), token.clone());
                        async move {
                            let get = || {
                                let r = c.get(&u).bearer_auth(&t);
                                if fresh { r.header("cache-control", "no-cache") } else { r }
                            };
                            repeat(d, get, |s, b| s == 200 && b.len() > 1000).await
                        }
                    })
                    .await,
                );
            }
        }
        let m = http.get(url("/metrics")).send().await.unwrap().text().await.unwrap();
        let sample = |n: &str| m.lines().find_map(|l| l.strip_prefix(n)).map(str::trim).unwrap_or("?").to_string();
        notes.push(format!(
            "API memo over the run: {} hits, {} misses",
            sample("latchkey_api_cache_hits_total "),
            sample("latchkey_api_cache_misses_total ")
        ));
        notes.push(format!("social server RSS after the list load: {:.1} MiB", rss_mib(pid)));
        rows
    });
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let _ = server.wait();
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    match log.lines().find(|l| l.contains("store writer stopped")) {
        Some(l) => {
            notes.push(format!("group commit over the social run: {}", l.split("stopped").nth(1).unwrap_or(l).trim()))
        }
        None => notes.push("the writer's summary line is missing from the log".into()),
    }
    (rows, notes)
}
