//! panva's `oidc-provider` (npm) as a second, independent OpenID Connect
//! provider: latchkey registers it by discovery, connects a member's
//! account (PKCE, state, nonce, RFC 9207 iss, the id_token against its
//! key set, the name from its userinfo) and disconnects with RFC 7009
//! revocation. Needs `node` and `npm ci --prefix tests/node/oidc-provider`;
//! skipped with a message without them unless tools are required.

use crate::harness::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `server.mjs` on `port`; `None` (after saying so) when node or
/// the installed package is missing and tools are not required.
fn start_provider(port: u16, client_id: &str, secret: &str, redirect: &str) -> Option<Node> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/oidc-provider");
    let installed = dir.join("node_modules/oidc-provider/package.json").exists();
    let node = Command::new("node").arg("--version").output().ok().filter(|o| o.status.success());
    if node.is_none() || !installed {
        let why = if node.is_none() { "node is missing" } else { "run `npm ci --prefix tests/node/oidc-provider`" };
        assert!(!tools_required(), "oidc-provider is required here (LATCHKEY_BROWSER_TESTS=require or CI): {why}");
        eprintln!("\n*** SKIPPED the oidc-provider connection test: {why} ***\n");
        return None;
    }
    let mut child = Command::new("node")
        .arg(dir.join("server.mjs"))
        .env("PORT", port.to_string())
        .env("CLIENT_ID", client_id)
        .env("CLIENT_SECRET", secret)
        .env("REDIRECT_URI", redirect)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .stdin(Stdio::null())
        .spawn()
        .expect("start node");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("listening"), "oidc-provider did not start: {line}");
    eprintln!("{}", line.trim());
    // Keep reading what it prints, so that it never writes to a closed pipe.
    std::thread::spawn(move || {
        for l in out.lines().map_while(Result::ok) {
            eprintln!("oidc-provider: {l}");
        }
    });
    Some(Node(child))
}

/// Follows the provider's redirects (its interaction signs the fixed
/// account in and consents) until they lead back to `back_to`.
fn through_provider(browser: &reqwest::blocking::Client, start: &str, back_to: &str) -> String {
    let mut at = start.to_string();
    for _ in 0..12 {
        if at.starts_with(back_to) {
            return at;
        }
        let r = browser.get(&at).send().unwrap();
        assert!(r.status().is_redirection(), "{at} answered {}: {}", r.status(), r.text().unwrap_or_default());
        let next = location(&r);
        at = url::Url::parse(&at).unwrap().join(&next).unwrap().to_string();
    }
    panic!("the provider never sent the browser back (last: {at})");
}

#[test]
fn oidc_provider_from_npm_connects_and_disconnects() {
    let local = Server::start_with(&[("LATCHKEY_OUTBOUND_ALLOW_PRIVATE", "true")]);
    let callback = local.url("/account/connections/callback");
    let port = free_port();
    let Some(_node) = start_provider(port, "latchkey-test", "a-long-enough-test-secret", &callback) else { return };
    let issuer = format!("http://127.0.0.1:{port}");
    let out = local.cli(
        &[
            "provider",
            "add",
            "--json",
            "--name",
            "Olive",
            "--oidc-discovery",
            &issuer,
            "--client-id",
            "latchkey-test",
            "--client-secret-stdin",
            "--scope",
            "profile",
            "--api-base",
            &format!("{issuer}/"),
            "--sign-in",
        ],
        Some("a-long-enough-test-secret\n"),
    );
    let v = json(&out);
    assert_eq!(v["issuer"], serde_json::Value::String(issuer.clone()), "{v}");
    assert!(v["revocation_url"].is_string(), "{v}");
    add_member(&local, "lou");
    let b = signed_in(&local, "lou");
    let provider_browser = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    let html = b.get(local.url("/account/connections")).send().unwrap().text().unwrap();
    let id = v["id"].as_str().unwrap();
    let r = b
        .post(local.url("/account/connections/connect"))
        .form(&[("csrf", csrf(&html).as_str()), ("provider", id)])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let back = through_provider(&provider_browser, &location(&r), &callback);
    assert!(back.contains("iss="), "oidc-provider sends RFC 9207's iss: {back}");
    let r = b.get(&back).send().unwrap();
    assert_eq!(r.status(), 303, "{}\n{}", r.text().unwrap_or_default(), local.log());
    let page = b.get(local.url("/account/connections")).send().unwrap().text().unwrap();
    assert!(page.contains("Olive: Olive Provider"), "the name from userinfo: {page}");

    let conn = page.split("data-connection=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = b
        .post(local.url("/account/connections/disconnect"))
        .form(&[("csrf", csrf(&page).as_str()), ("id", conn.as_str())])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).ends_with("done=disconnected"), "revoked at oidc-provider: {}\n{}", location(&r), local.log());

    // Signing in with it: an unknown identity asks for the password once.
    let visitor = local.client();
    let r = visitor.get(local.url(&format!("/login/provider/{id}"))).send().unwrap();
    assert_eq!(r.status(), 303);
    let back = through_provider(&provider_browser, &location(&r), &callback);
    let r = visitor.get(&back).send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().unwrap().contains("Link your Olive account"));
}
