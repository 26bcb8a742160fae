//! File throughput, on a server of its own: a 50 MiB file uploaded with
//! `POST /api/v1/files` (streamed to disk, hashed, synced and renamed
//! before the durable commit) and downloaded from `.../content`, each in
//! MiB/s, beside `cp` of the same file on the same disk (and `cp` followed
//! by an fsync of the copy) as the floor. One transfer at a time, the best
//! of a few, so the figure is the path's speed rather than the machine's
//! parallelism.

use super::*;

const SIZE: usize = 50 * 1024 * 1024;
const ROUNDS: usize = 3;
const BOUNDARY: &str = "latchkey-bench-boundary";

fn mib_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64()
}

/// The floor: `cp` of the file on the same disk, then the copy synced too.
fn cp_floor(root: &Path, source: &Path) -> (Duration, Duration) {
    let mut plain = Duration::MAX;
    let mut synced = Duration::MAX;
    for i in 0..ROUNDS {
        let target = root.join(format!("copy-{i}.bin"));
        let started = Instant::now();
        assert!(Command::new("cp").arg(source).arg(&target).status().unwrap().success());
        plain = plain.min(started.elapsed());
        std::fs::File::open(&target).unwrap().sync_all().unwrap();
        synced = synced.min(started.elapsed());
        std::fs::remove_file(&target).unwrap();
    }
    (plain, synced)
}

pub fn run(root: &Path) -> Vec<String> {
    let dir = root.join("files");
    std::fs::create_dir_all(&dir).unwrap();
    cli(&dir, &["user", "add", "bench", "--password-stdin"], Some(PASSWORD));
    let c = cli(
        &dir,
        &["client", "add", "--json", "--name", "files", "--grant", "password", "--scope", "read", "--scope", "write"],
        None,
    );
    let (id, secret) = (c["client_id"].as_str().unwrap().to_string(), c["client_secret"].as_str().unwrap().to_string());
    // Text, so that its sniffed type is on the default allow-list; a
    // different last line per round, so that every upload is new bytes.
    let line = b"the quick brown fox jumps over the lazy dog, 0123456789 times\n";
    let mut content: Vec<u8> = line.iter().copied().cycle().take(SIZE).collect();
    let source = root.join("fifty.txt");
    std::fs::write(&source, &content).unwrap();
    let (cp, cp_synced) = cp_floor(root, &source);

    let port = free_port();
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
        .env("LATCHKEY_MAX_UPLOAD", "64MiB")
        .env("LATCHKEY_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "the files server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let ca = std::fs::read(dir.join("tls/ca.pem")).unwrap();
    let base = format!("https://localhost:{port}");
    let url = move |p: &str| format!("{base}{p}");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (up, down) = rt.block_on(async {
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
        let mut up = Duration::MAX;
        let mut down = Duration::MAX;
        for round in 0..ROUNDS {
            let mark = format!("round {round}\n");
            let end = content.len() - mark.len();
            content[end..].copy_from_slice(mark.as_bytes());
            let mut body = format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fifty.txt\"\r\n\r\n"
            )
            .into_bytes();
            body.extend_from_slice(&content);
            body.extend(format!("\r\n--{BOUNDARY}--\r\n").bytes());
            let started = Instant::now();
            let r = http
                .post(url("/api/v1/files"))
                .bearer_auth(&token)
                .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 201, "upload refused");
            let f: serde_json::Value = r.json().await.unwrap();
            up = up.min(started.elapsed());
            let file = f["id"].as_str().unwrap().to_string();
            let started = Instant::now();
            let mut r =
                http.get(url(&format!("/api/v1/files/{file}/content"))).bearer_auth(&token).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200);
            let mut got = 0;
            while let Some(chunk) = r.chunk().await.unwrap() {
                got += chunk.len();
            }
            assert_eq!(got, SIZE);
            down = down.min(started.elapsed());
        }
        (up, down)
    });
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let _ = server.wait();
    vec![
        format!(
            "50 MiB file: upload {:.0} MiB/s, download {:.0} MiB/s (best of {ROUNDS}, one at a time)",
            mib_per_s(SIZE, up),
            mib_per_s(SIZE, down)
        ),
        format!(
            "floor on the same disk: cp {:.0} MiB/s, cp + fsync {:.0} MiB/s",
            mib_per_s(SIZE, cp),
            mib_per_s(SIZE, cp_synced)
        ),
    ]
}
