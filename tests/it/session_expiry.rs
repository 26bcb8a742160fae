//! Session timeouts, against an in-process server whose clock the test moves.

use crate::harness::{FAST_HASH, PASSWORD, client_for, csrf, free_port};
use latchkey::clock::TestClock;
use latchkey::config::{Config, Settings};
use std::sync::mpsc;
use std::time::Duration;

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
        let out = crate::harness::cli(dir.path(), &["user", "add", "member", "--password-stdin"], Some(PASSWORD));
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

#[test]
fn idle_and_absolute_session_timeouts() {
    let s = InProc::start("session_idle_timeout = \"30m\"\nsession_absolute_timeout = \"2h\"");
    let c = s.signed_in();
    assert_eq!(c.get(s.url("/account")).send().unwrap().status(), 200);

    // Activity every 20 minutes keeps the session alive...
    for _ in 0..4 {
        s.clock.advance(Duration::from_secs(20 * 60));
        assert_eq!(c.get(s.url("/account")).send().unwrap().status(), 200);
    }
    // ...until the absolute limit (2 h after sign-in).
    s.clock.advance(Duration::from_secs(41 * 60));
    let r = c.get(s.url("/account")).send().unwrap();
    assert_eq!(r.status(), 303, "absolute timeout");

    // Idle: 31 minutes without a request ends a fresh session.
    let c = s.signed_in();
    s.clock.advance(Duration::from_secs(31 * 60));
    assert_eq!(c.get(s.url("/account")).send().unwrap().status(), 303, "idle timeout");
}

#[test]
fn setup_link_expires_after_an_hour() {
    let s = InProc::start("");
    let c = client_for(s.dir.path());
    let out = crate::harness::cli(s.dir.path(), &["setup", "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let link = v["url"].as_str().unwrap().to_string();
    assert_eq!(c.get(&link).send().unwrap().status(), 200);
    s.clock.advance(Duration::from_secs(3601));
    assert_eq!(c.get(&link).send().unwrap().status(), 400);
}
