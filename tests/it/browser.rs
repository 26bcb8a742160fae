//! Headless Chromium through setup, sign-in and the account page, with
//! screenshots under `target/screenshots/`. Set LATCHKEY_BROWSER_TESTS=require
//! (as CI does) to make a missing browser a failure instead of a loud skip.

use crate::harness::*;
use fantoccini::{ClientBuilder, Locator};
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
pub async fn browser(
    chromium: &str,
    driver: &Driver,
    data_dir: &std::path::Path,
    profile: &std::path::Path,
    width: u32,
    height: u32,
) -> fantoccini::Client {
    // fantoccini's TLS stack needs a process-wide provider; latchkey uses ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
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
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": chromium, "args": args }),
    );
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("connect to chromedriver")
}

pub fn screenshot_dir() -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub async fn shot(c: &fantoccini::Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
}

async fn fill(c: &fantoccini::Client, id: &str, value: &str) {
    c.find(Locator::Id(id)).await.unwrap().send_keys(value).await.unwrap();
}

async fn submit(c: &fantoccini::Client) {
    c.find(Locator::Css("button[type=submit].primary")).await.unwrap().click().await.unwrap();
}

#[test]
fn browser_setup_sign_in_and_account() {
    let Some((chromium, driver_path)) = tools() else {
        return;
    };
    let s = Server::start();
    let driver = start_driver(&driver_path);
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = browser(&chromium, &driver, &s.dir, profile.path(), 1280, 900).await;
        c.goto(s.setup_link.as_ref().unwrap()).await.unwrap();
        assert_eq!(c.title().await.unwrap(), "Create the first admin · latchkey");
        shot(&c, "01-setup-desktop").await;
        fill(&c, "username", "admin").await;
        fill(&c, "display_name", "Ada Admin").await;
        fill(&c, "email", "ada@example.org").await;
        fill(&c, "password", PASSWORD).await;
        fill(&c, "password_confirm", PASSWORD).await;
        submit(&c).await;
        c.wait().for_element(Locator::Id("account-username")).await.unwrap();
        assert_eq!(c.current_url().await.unwrap().path(), "/account");
        shot(&c, "02-account-desktop").await;

        // Sign out, then sign in again with a wrong and a right password.
        c.find(Locator::Css("button.link")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Id("username")).await.unwrap();
        fill(&c, "username", "admin").await;
        fill(&c, "password", "not the password").await;
        submit(&c).await;
        let err = c.wait().for_element(Locator::Id("login-error")).await.unwrap();
        assert!(err.text().await.unwrap().contains("Wrong username or password"));
        shot(&c, "03-login-error-desktop").await;
        fill(&c, "password", PASSWORD).await;
        submit(&c).await;
        let name = c.wait().for_element(Locator::Id("account-username")).await.unwrap();
        assert_eq!(name.text().await.unwrap(), "admin");

        // The same pages at phone width.
        c.set_window_size(360, 780).await.unwrap();
        shot(&c, "04-account-phone").await;
        let width: serde_json::Value = c
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap();
        assert!(width.as_u64().unwrap() <= 360, "no horizontal scrolling on a phone: {width}");
        c.close().await.unwrap();

        let c = browser(&chromium, &driver, &s.dir, tempfile::tempdir().unwrap().path(), 360, 780).await;
        c.goto(&s.url("/login")).await.unwrap();
        shot(&c, "05-login-phone").await;
        c.close().await.unwrap();
    });
}
