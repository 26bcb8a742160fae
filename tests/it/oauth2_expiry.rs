//! Expiry of codes and tokens, moved along by the in-process server's test clock.

use crate::harness::{InProc, PASSWORD, client_for, csrf, register_in};
use serde_json::Value;
use std::time::Duration;

fn post_token(s: &InProc, id: &str, secret: &str, form: &[(&str, &str)]) -> Value {
    client_for(s.dir.path())
        .post(s.url("/oauth2/token"))
        .basic_auth(id, Some(secret))
        .form(form)
        .send()
        .unwrap()
        .json()
        .unwrap()
}

#[test]
fn codes_access_and_refresh_tokens_expire() {
    let s = InProc::start("");
    let http = client_for(s.dir.path());

    // An access token dies after its lifetime (default 1 h).
    let (cc, cc_secret) =
        register_in(s.dir.path(), &["--name", "cc", "--grant", "client_credentials", "--scope", "read"]);
    let cc_secret = cc_secret.unwrap();
    let t = post_token(&s, &cc, &cc_secret, &[("grant_type", "client_credentials")]);
    let access = t["access_token"].as_str().unwrap().to_string();
    let active = |tok: &str| -> bool {
        let v: Value = http
            .post(s.url("/oauth2/introspect"))
            .basic_auth(&cc, Some(&cc_secret))
            .form(&[("token", tok)])
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["active"].as_bool().unwrap()
    };
    assert!(active(&access));
    s.clock.advance(Duration::from_secs(3601));
    assert!(!active(&access), "expired after an hour");

    // A code works for 60 s only.
    let (id, secret) = register_in(
        s.dir.path(),
        &["--name", "web", "--redirect-uri", "https://app.example/cb", "--scope", "profile", "--no-pkce"],
    );
    let secret = secret.unwrap();
    let browser = s.signed_in();
    let q = serde_urlencoded::to_string([("response_type", "code"), ("client_id", id.as_str()), ("scope", "profile")])
        .unwrap();
    let html = browser.get(s.url(&format!("/oauth2/authorize?{q}"))).send().unwrap().text().unwrap();
    let r = browser
        .post(s.url("/oauth2/authorize"))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("decision", "approve"),
            ("response_type", "code"),
            ("client_id", id.as_str()),
            ("scope", "profile"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code = loc.query_pairs().find(|(k, _)| k == "code").unwrap().1.to_string();
    s.clock.advance(Duration::from_secs(61));
    let e = post_token(&s, &id, &secret, &[("grant_type", "authorization_code"), ("code", &code)]);
    assert_eq!(e["error"], "invalid_grant");
    assert!(e["error_description"].as_str().unwrap().contains("expired"), "{e}");

    // A refresh token lasts 30 days.
    let (pid, psecret) = register_in(
        s.dir.path(),
        &["--name", "pw", "--grant", "password", "--grant", "refresh_token", "--scope", "profile"],
    );
    let psecret = psecret.unwrap();
    let t =
        post_token(&s, &pid, &psecret, &[("grant_type", "password"), ("username", "member"), ("password", PASSWORD)]);
    let rt = t["refresh_token"].as_str().unwrap().to_string();
    s.clock.advance(Duration::from_secs(29 * 86_400));
    let t2 = post_token(&s, &pid, &psecret, &[("grant_type", "refresh_token"), ("refresh_token", &rt)]);
    let rt2 = t2["refresh_token"].as_str().unwrap().to_string();
    s.clock.advance(Duration::from_secs(31 * 86_400));
    let e = post_token(&s, &pid, &psecret, &[("grant_type", "refresh_token"), ("refresh_token", &rt2)]);
    assert_eq!(e["error"], "invalid_grant", "{e}");
}
