//! The integration tests' shared helpers. Starting real servers: the
//! `latchkey` binary as a child process (for what a user sees: banner,
//! signals, restarts) or the library in-process with a test clock (for
//! expiry, `InProc`). Running the command line (`cli`, `json`), registering
//! applications and adding members with it, and signing in.

use latchkey::clock::TestClock;
use latchkey::config::{Config, Settings};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "correct horse battery";

/// Settings that keep password hashing quick in tests.
pub const FAST_HASH: &[(&str, &str)] = &[("LATCHKEY_ARGON2_MEMORY_KIB", "8192"), ("LATCHKEY_ARGON2_ITERATIONS", "1")];

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_latchkey")
}

pub struct Server {
    pub dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    pub child: Option<Child>,
    pub port: u16,
    pub base: String,
    pub setup_link: Option<String>,
    pub banner: String,
    env: Vec<(String, String)>,
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Server {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let mut s = Self::launch(dir, env.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect());
        s._tmp = Some(tmp);
        s
    }

    /// A server on the data directory `dir` (made if needed; kept after
    /// the test, the caller owns it).
    pub fn start_in(dir: &Path, env: &[(&str, &str)]) -> Server {
        Self::launch(dir.to_path_buf(), env.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect())
    }

    fn launch(dir: PathBuf, env: Vec<(String, String)>) -> Server {
        let port = free_port();
        let base = format!("https://localhost:{port}");
        std::fs::create_dir_all(&dir).unwrap();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log")).unwrap();
        let mut cmd = Command::new(bin());
        cmd.arg("--data-dir")
            .arg(&dir)
            .arg("serve")
            .arg("--https")
            .arg(format!("127.0.0.1:{port}"))
            .env_remove("LATCHKEY_DATA_DIR")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .stdin(Stdio::null());
        for (k, v) in FAST_HASH {
            cmd.env(k, v);
        }
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start latchkey");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut banner = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    banner.push_str(&line);
                    banner.push('\n');
                    if line.contains("Stop with Ctrl-C") {
                        break;
                    }
                }
                Err(_) => {
                    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                    panic!("server did not start; stdout:\n{banner}\nlog:\n{log}");
                }
            }
        }
        let setup_link = banner
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("https://") && l.contains("/setup?token="))
            .map(str::to_string);
        Server { dir, _tmp: None, child: Some(child), port, base, setup_link, banner, env }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client that trusts exactly the CA this server made, keeps cookies
    /// and does not follow redirects.
    pub fn client(&self) -> reqwest::blocking::Client {
        client_for(&self.dir)
    }

    /// Runs `latchkey ARGS` against this data directory.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        cli(&self.dir, args, stdin)
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
        wait_with_deadline(&mut child, Duration::from_secs(30))
    }

    /// Stops and starts again on the same data directory (a new port).
    pub fn restart(mut self) -> Server {
        assert!(self.stop().success(), "clean stop");
        let mut next = Self::launch(self.dir.clone(), self.env.clone());
        next._tmp = self._tmp.take();
        next
    }

    /// SIGKILL (no shutdown work at all), then starts again on the same
    /// data directory (a new port).
    pub fn crash_restart(mut self) -> Server {
        let mut child = self.child.take().expect("running");
        child.kill().unwrap();
        child.wait().unwrap();
        let mut next = Self::launch(self.dir.clone(), self.env.clone());
        next._tmp = self._tmp.take();
        next
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn wait_with_deadline(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("process did not exit in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn client_for(data_dir: &Path) -> reqwest::blocking::Client {
    let ca = std::fs::read(data_dir.join("tls/ca.pem")).unwrap();
    reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

pub fn cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut cmd = Command::new(bin());
    cmd.arg("--data-dir").arg(data_dir).args(args).env_remove("LATCHKEY_DATA_DIR");
    for (k, v) in FAST_HASH {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

/// The value of the hidden `csrf` field in a page.
pub fn csrf(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).unwrap_or_else(|| panic!("no csrf field in:\n{html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// The path and query of a redirect's `Location`.
pub fn location(r: &reqwest::blocking::Response) -> String {
    r.headers().get("location").unwrap().to_str().unwrap().to_string()
}

/// Creates the first admin through the setup link; returns the client, signed in.
pub fn setup_admin(s: &Server, username: &str) -> reqwest::blocking::Client {
    let c = s.client();
    let link = s.setup_link.clone().expect("setup link");
    let page = c.get(&link).send().unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let r = c
        .post(s.url("/setup"))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("token", token),
            ("username", username),
            ("display_name", "The Admin"),
            ("email", "admin@example.org"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    assert_eq!(location(&r), s.url("/account"));
    c
}

/// Signs in with a fresh client; returns the response to the POST.
pub fn sign_in(
    s: &Server,
    c: &reqwest::blocking::Client,
    user: &str,
    pw: &str,
    return_to: &str,
) -> reqwest::blocking::Response {
    let html = c.get(s.url("/login")).send().unwrap().text().unwrap();
    c.post(s.url("/login"))
        .form(&[("csrf", csrf(&html).as_str()), ("username", user), ("password", pw), ("return_to", return_to)])
        .send()
        .unwrap()
}

/// Whether CI or the developer asked for every tool-dependent test to run.
pub fn tools_required() -> bool {
    std::env::var("LATCHKEY_BROWSER_TESTS").as_deref() == Ok("require")
        || std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// `python3` when it can import `modules` (printing what `versions`
/// evaluates to), or `None` after saying loudly that the `test` is skipped;
/// under [`tools_required`] a missing module fails instead.
pub fn python_with(modules: &[&str], versions: &str, test: &str) -> Option<String> {
    let script = format!("import {}; print({versions})", modules.join(", "));
    let probe = Command::new("python3").args(["-c", &script]).stdin(Stdio::null()).output();
    let wanted = modules.join(" and ");
    match probe {
        Ok(out) if out.status.success() => {
            eprintln!("{wanted} {} for the {test}", String::from_utf8_lossy(&out.stdout).trim());
            Some("python3".into())
        }
        other => {
            let why = match other {
                Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_string(),
                Err(e) => format!("python3: {e}"),
            };
            assert!(
                !tools_required(),
                "python3 with {wanted} is required here (LATCHKEY_BROWSER_TESTS=require or CI): {why}"
            );
            eprintln!("\n*** SKIPPED {test}: python3 with {wanted} is missing (see the README): {why} ***\n");
            None
        }
    }
}

/// Runs `tests/python/<script>` with `python`, `config` as JSON on its
/// standard input; fails (with the server's log) unless it exits 0, and
/// returns what it printed.
pub fn run_python(python: &str, script: &str, config: &serde_json::Value, s: &Server) -> String {
    use std::io::Write;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python").join(script);
    let mut child = Command::new(python)
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python3");
    child.stdin.take().unwrap().write_all(config.to_string().as_bytes()).expect("config to the script");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "tests/python/{script} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}\nserver log:\n{}",
        out.status,
        s.log()
    );
    stdout
}

/// What a successful command printed with `--json`; fails with its stderr otherwise.
pub fn json(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `latchkey client add --json ARGS` on the data directory `dir`: what it printed.
pub fn client_add(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["client", "add", "--json"];
    all.extend_from_slice(args);
    json(&cli(dir, &all, None))
}

/// Registers an OAuth 2.0 application in `dir`: its client id and secret
/// (none for a public client).
pub fn register_in(dir: &Path, args: &[&str]) -> (String, Option<String>) {
    let v = client_add(dir, args);
    (v["client_id"].as_str().unwrap().to_string(), v["client_secret"].as_str().map(str::to_string))
}

/// `latchkey client add --json ARGS` against this server: the client id and secret (if any).
pub fn register(s: &Server, args: &[&str]) -> (String, Option<String>) {
    register_in(&s.dir, args)
}

/// Adds the member `name` (display name `Member`, email `NAME@example.org`)
/// with the password [`PASSWORD`].
pub fn add_member(s: &Server, name: &str) {
    let email = format!("{name}@example.org");
    let out = s
        .cli(&["user", "add", name, "--display-name", "Member", "--email", &email, "--password-stdin"], Some(PASSWORD));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A browser (a cookie-keeping client) signed in as `user` with [`PASSWORD`].
pub fn signed_in(s: &Server, user: &str) -> reqwest::blocking::Client {
    let browser = s.client();
    let r = sign_in(s, &browser, user, PASSWORD, "/account");
    assert_eq!(r.status(), 303, "sign-in: {}", r.text().unwrap_or_default());
    browser
}

/// A password-grant token for `member` from the application `id`.
pub fn password_token(s: &Server, id: &str, secret: &str, member: &str) -> String {
    let v: Value = s
        .client()
        .post(s.url("/oauth2/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "password"), ("username", member), ("password", PASSWORD)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    v["access_token"].as_str().unwrap_or_else(|| panic!("{v}")).to_string()
}

/// The status of `GET /api/v1/me` with a bearer token.
pub fn me_status(s: &Server, access: &str) -> u16 {
    s.client().get(s.url("/api/v1/me")).bearer_auth(access).send().unwrap().status().as_u16()
}

/// The library's server in this process, on a free port, with a test clock
/// the test moves; a member `member` (password [`PASSWORD`]) exists.
pub struct InProc {
    pub base: String,
    pub dir: tempfile::TempDir,
    pub clock: std::sync::Arc<TestClock>,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl InProc {
    pub fn start(extra: &str) -> InProc {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut toml = format!("https = \"127.0.0.1:{port}\"\n{extra}\n");
        for (k, v) in FAST_HASH {
            toml.push_str(&format!("{} = {v}\n", k.trim_start_matches("LATCHKEY_").to_lowercase()));
        }
        let config = Config::resolve(dir.path().to_path_buf(), Settings::from_toml(&toml).unwrap()).unwrap();
        let clock = TestClock::new();
        let (tx, rx) = mpsc::channel();
        let c = clock.clone();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new()
                .block_on(latchkey::server::run(config, c, move |ready, handle| {
                    tx.send((ready, handle)).unwrap();
                }))
                .unwrap();
        });
        let (ready, handle) = rx.recv_timeout(Duration::from_secs(60)).expect("server ready");
        assert!(ready.setup_link.is_some());
        // Create the admin offline-style through the library's own operation.
        let out = cli(dir.path(), &["user", "add", "member", "--password-stdin"], Some(PASSWORD));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        InProc { base: format!("https://localhost:{port}"), dir, clock, handle, thread: Some(thread) }
    }

    pub fn url(&self, p: &str) -> String {
        format!("{}{p}", self.base)
    }

    pub fn signed_in(&self) -> reqwest::blocking::Client {
        let c = client_for(self.dir.path());
        let html = c.get(self.url("/login")).send().unwrap().text().unwrap();
        let r = c
            .post(self.url("/login"))
            .form(&[("csrf", csrf(&html).as_str()), ("username", "member"), ("password", PASSWORD)])
            .send()
            .unwrap();
        assert_eq!(r.status(), 303);
        c
    }
}

impl Drop for InProc {
    fn drop(&mut self) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(self.handle.stop(true));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
