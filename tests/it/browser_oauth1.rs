//! Headless Chromium through the OAuth 1.0a authorization step: sign-in, the
//! shared consent page (desktop and phone), the redirect to the consumer's
//! callback with `oauth_token` and `oauth_verifier`, and the out-of-band
//! verifier page; the consumer's own requests are signed by `oauth1-request`.
//! Screenshots go to `target/screenshots/`.

use crate::browser::{browser, shot, start_driver, tools};
use crate::harness::*;
use crate::oauth1_client::{Method, Place, exchange, me, register_consumer, temporary};
use std::time::Duration;

#[test]
fn browser_oauth1_sign_in_consent_and_verifier() {
    let Some((chromium, driver_path)) = tools() else {
        return;
    };
    let s = Server::start();
    add_member(&s, "ines");
    let c = register_consumer(
        &s,
        &[
            "--name",
            "Photo Printer (OAuth 1.0a)",
            "--homepage",
            "https://printer.example.com",
            "--callback",
            "http://127.0.0.1/ready",
            "--scope",
            "profile",
            "--scope",
            "posts:read",
        ],
    );
    let http = s.client();
    let m = Method::HmacSha1;
    let port = free_port();
    let (t, ts) = temporary(&s, &http, &m, &c, &format!("http://127.0.0.1:{port}/ready?job=9"));

    let driver = start_driver(&driver_path);
    let profile = tempfile::tempdir().unwrap();
    let b = browser(&chromium, &driver, &s.dir, profile.path(), 1280, 900);
    b.goto(&s.url(&format!("/oauth1/authorize?oauth_token={t}")));
    // Sign-in first, then straight on to the consent page.
    b.fill("#username", "ines");
    b.fill("#password", PASSWORD);
    b.click("button[type=submit].primary");
    assert_eq!(b.text("#app-name"), "Photo Printer (OAuth 1.0a)");
    let page = b.source();
    assert!(page.contains("printer.example.com") && page.contains("posts:read"), "{page}");
    shot(&b, "20-oauth1-consent-desktop");
    b.resize(360, 780);
    shot(&b, "21-oauth1-consent-phone");
    let width = b.execute("return document.documentElement.scrollWidth");
    assert!(width.as_u64().unwrap() <= 360, "consent fits a phone: {width}");
    b.click("#approve");
    // Nothing listens on the callback; the address bar holds the answer.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let url = loop {
        let u = b.url();
        if u.port() == Some(port) || std::time::Instant::now() > deadline {
            break u;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(url.port(), Some(port), "redirected to the consumer's callback");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q.get("job").map(String::as_str), Some("9"), "the consumer's own query is kept");
    assert_eq!(q.get("oauth_token"), Some(&t));
    let verifier = q.get("oauth_verifier").expect("a verifier").clone();
    let a = exchange(&s, &http, &m, &c, (&t, &ts), &verifier);
    assert_eq!(a.status, 200, "{a:?}");
    let tok = (a.form()["oauth_token"].clone(), a.form()["oauth_token_secret"].clone());
    let a = me(&s, &http, &m, &c, &tok, Place::Header);
    assert_eq!(a.json()["username"], "ines");

    // An out-of-band consumer: the member copies the verifier from a page.
    let oob = register_consumer(&s, &["--name", "Desk Calendar", "--scope", "read"]);
    let (t2, ts2) = temporary(&s, &http, &m, &oob, "oob");
    b.resize(1280, 900);
    b.goto(&s.url(&format!("/oauth1/authorize?oauth_token={t2}")));
    assert_eq!(b.text("#app-name"), "Desk Calendar");
    b.click("#approve");
    let shown = b.text("#verifier");
    assert!(shown.len() >= 32, "{shown}");
    shot(&b, "22-oauth1-verifier-desktop");
    b.resize(360, 780);
    shot(&b, "23-oauth1-verifier-phone");
    let width = b.execute("return document.documentElement.scrollWidth");
    assert!(width.as_u64().unwrap() <= 360, "the verifier fits a phone: {width}");
    let a = exchange(&s, &http, &m, &oob, (&t2, &ts2), &shown);
    assert_eq!(a.status, 200, "the verifier as the member sees it works: {a:?}");
}
