//! Headless Chromium on `/api/doc`: Swagger UI, served from the binary under
//! the server's Content-Security-Policy, loads `/api/openapi.json` and lists
//! the operations, with nothing refused by the policy and nothing asked of
//! another host. Screenshots under `target/screenshots/`.

use crate::browser::{browser, shot, start_driver, tools};
use crate::harness::*;
use std::time::{Duration, Instant};

#[test]
fn browser_api_doc_lists_the_operations() {
    let Some((chromium, driver_path)) = tools() else {
        return;
    };
    let s = Server::start();
    let driver = start_driver(&driver_path);
    let profile = tempfile::tempdir().unwrap();
    let b = browser(&chromium, &driver, &s.dir, profile.path(), 1280, 900);
    b.goto(&s.url("/api/doc"));
    assert_eq!(b.title(), "latchkey API");
    b.find(".opblock-summary-path");
    let listed = "return Array.from(document.querySelectorAll('.opblock-summary-path')).map(e => e.dataset.path)";
    let deadline = Instant::now() + Duration::from_secs(15);
    let paths = loop {
        let paths: Vec<String> = serde_json::from_value(b.execute(listed)).unwrap();
        if paths.len() >= 4 || Instant::now() > deadline {
            break paths;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    for p in ["/api", "/api/v1/me", "/api/v1/me/applications", "/api/v1/me/applications/{client_id}"] {
        assert!(paths.iter().any(|x| x == p), "{p} is listed: {paths:?}");
    }
    let methods = b.text("#swagger-ui");
    assert!(methods.contains("GET") && methods.contains("DELETE"), "{methods}");
    // The stylesheet applied: the method badges are coloured.
    let badge = b.execute("return getComputedStyle(document.querySelector('.opblock-summary-method')).backgroundColor");
    assert_ne!(badge, "rgba(0, 0, 0, 0)", "swagger-ui.css is applied");
    shot(&b, "30-api-doc-desktop");

    // The Authorize dialog offers both schemes, with the scopes.
    b.click(".btn.authorize");
    let dialog = b.wait_text(".dialog-ux", "oauth2");
    assert!(dialog.contains("oauth1") && dialog.contains("posts:read"), "{dialog}");
    shot(&b, "31-api-doc-authorize");
    b.click(".dialog-ux .close-modal");

    // An operation opens, with its scope and its problem responses.
    b.click("#operations-me-get_me .opblock-summary-control");
    let op = b.wait_text("#operations-me-get_me", "Problem");
    assert!(op.contains("401") && op.contains("403"), "{op}");
    shot(&b, "32-api-doc-operation");

    let console = b.console();
    let refused: Vec<&String> =
        console.iter().filter(|m| m.contains("Content Security Policy") || m.contains("Refused")).collect();
    assert!(refused.is_empty(), "the policy refused: {refused:#?}");
    let hosts: Vec<String> = serde_json::from_value(
        b.execute("return performance.getEntriesByType('resource').map(e => new URL(e.name).host)"),
    )
    .unwrap();
    let here = format!("localhost:{}", s.port);
    assert!(hosts.iter().all(|h| *h == here), "only this server is asked: {hosts:?}");
    assert!(hosts.len() >= 4, "the page's files and the document: {hosts:?}");

    // The Authorize popup's landing page: its inline script runs, allowed by
    // its hash (opened directly, it finds no opener to hand the code to).
    b.goto(&s.url("/api/doc/oauth2-redirect.html?code=c&state=s"));
    std::thread::sleep(Duration::from_millis(300));
    let console = b.console();
    assert!(!console.iter().any(|m| m.contains("Content Security Policy")), "{console:#?}");
    assert!(console.iter().any(|m| m.contains("swaggerUIRedirectOauth2")), "the script ran: {console:#?}");
}
