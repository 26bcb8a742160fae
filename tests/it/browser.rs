//! Headless Chromium through setup, sign-in and the account page, with
//! screenshots under `target/screenshots/`. Set LATCHKEY_BROWSER_TESTS=require
//! (as CI does) to make a missing browser a failure instead of a loud skip.

use crate::harness::*;
use crate::webdriver::Browser;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn find(names: &[&str]) -> Option<String> {
    names.iter().find(|p| std::path::Path::new(p).exists()).map(|s| s.to_string())
}

/// Chromium and ChromeDriver, or `None` (after saying so loudly) when they
/// are missing and not required.
pub fn tools() -> Option<(String, String)> {
    let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]);
    let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            if std::env::var("LATCHKEY_BROWSER_TESTS").as_deref() == Ok("require") {
                panic!("LATCHKEY_BROWSER_TESTS=require but chromium or chromedriver is missing");
            }
            eprintln!(
                "\n*** SKIPPED browser test: chromium and chromedriver are not installed \
                 (apt-get install chromium chromium-driver) ***\n"
            );
            None
        }
    }
}

pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_driver(path: &str) -> Driver {
    let port = free_port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, port }
}

/// A browser session that trusts exactly this server's certificate (by its
/// public-key pin), sized `width` x `height`.
pub fn browser(
    chromium: &str,
    driver: &Driver,
    data_dir: &std::path::Path,
    profile: &std::path::Path,
    width: u32,
    height: u32,
) -> Browser {
    let pin = latchkey::tls::spki_pin(data_dir).unwrap();
    let args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        format!("--user-data-dir={}", profile.display()),
        format!("--window-size={width},{height}"),
        format!("--ignore-certificate-errors-spki-list={pin}"),
    ];
    Browser::new(
        driver.port,
        serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        }),
    )
}

pub fn screenshot_dir() -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn shot(b: &Browser, name: &str) {
    b.screenshot(&screenshot_dir().join(format!("{name}.png")));
}

#[test]
fn browser_setup_sign_in_and_account() {
    let Some((chromium, driver_path)) = tools() else {
        return;
    };
    let s = Server::start();
    let driver = start_driver(&driver_path);
    let profile = tempfile::tempdir().unwrap();
    let b = browser(&chromium, &driver, &s.dir, profile.path(), 1280, 900);
    b.goto(s.setup_link.as_ref().unwrap());
    assert_eq!(b.title(), "Create the first admin · latchkey");
    shot(&b, "01-setup-desktop");
    b.fill("#username", "admin");
    b.fill("#display_name", "Ada Admin");
    b.fill("#email", "ada@example.org");
    b.fill("#password", PASSWORD);
    b.fill("#password_confirm", PASSWORD);
    b.click("button[type=submit].primary");
    b.find("#account-username");
    assert_eq!(b.url().path(), "/account");
    shot(&b, "02-account-desktop");

    // Sign out, then sign in again with a wrong and a right password.
    b.click("button.link");
    b.find("#password");
    assert!(b.text(".notice").contains("You are signed out"));
    b.fill("#username", "admin");
    b.fill("#password", "not the password");
    b.click("button[type=submit].primary");
    assert!(b.text("#login-error").contains("Wrong username or password"));
    shot(&b, "03-login-error-desktop");
    b.fill("#password", PASSWORD);
    b.click("button[type=submit].primary");
    assert_eq!(b.text("#account-username"), "admin");

    // The account page at phone width: nothing wider than the screen.
    b.resize(360, 780);
    shot(&b, "04-account-phone");
    let width = b.execute("return document.documentElement.scrollWidth");
    assert!(width.as_u64().unwrap() <= 360, "no horizontal scrolling on a phone: {width}");
    drop(b);

    let other = tempfile::tempdir().unwrap();
    let b = browser(&chromium, &driver, &s.dir, other.path(), 360, 780);
    b.goto(&s.url("/login"));
    shot(&b, "05-login-phone");
}

#[test]
fn browser_oauth2_sign_in_and_consent() {
    let Some((chromium, driver_path)) = tools() else {
        return;
    };
    let s = Server::start();
    let out = s.cli(&["user", "add", "bea", "--display-name", "Bea", "--password-stdin"], Some(PASSWORD));
    assert!(out.status.success());
    let out = s.cli(
        &[
            "client",
            "add",
            "--json",
            "--name",
            "Photo Printer",
            "--homepage",
            "https://printer.example.com",
            "--public",
            "--redirect-uri",
            "http://127.0.0.1/cb",
            "--scope",
            "openid",
            "--scope",
            "profile",
            "--scope",
            "posts:read",
        ],
        None,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let client_id = v["client_id"].as_str().unwrap();
    let callback_port = free_port();
    let redirect = format!("http://127.0.0.1:{callback_port}/cb");
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect.as_str()),
        ("scope", "openid profile posts:read"),
        ("state", "browser-state"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();

    let driver = start_driver(&driver_path);
    let profile = tempfile::tempdir().unwrap();
    let b = browser(&chromium, &driver, &s.dir, profile.path(), 1280, 900);
    b.goto(&s.url(&format!("/oauth2/authorize?{query}")));
    // Sign-in first, then straight on to the consent page.
    b.fill("#username", "bea");
    b.fill("#password", PASSWORD);
    b.click("button[type=submit].primary");
    assert_eq!(b.text("#app-name"), "Photo Printer");
    let page = b.source();
    assert!(page.contains("printer.example.com") && page.contains("posts:read"));
    shot(&b, "10-consent-desktop");
    b.resize(360, 780);
    shot(&b, "11-consent-phone");
    let width = b.execute("return document.documentElement.scrollWidth");
    assert!(width.as_u64().unwrap() <= 360, "consent fits a phone: {width}");
    b.click("#approve");
    // Nothing listens on the callback; the address bar holds the answer.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let url = loop {
        let u = b.url();
        if u.port() == Some(callback_port) || std::time::Instant::now() > deadline {
            break u;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(url.port(), Some(callback_port), "redirected to the application");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q.get("state").map(String::as_str), Some("browser-state"));
    assert!(q.get("code").is_some_and(|c| c.starts_with("lkac_")));
    assert_eq!(q.get("iss"), Some(&s.base));
}
