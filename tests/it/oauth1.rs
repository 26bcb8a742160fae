//! OAuth 1.0a against the real server, signed by a real client library
//! (see `oauth1_client.rs`): the three-legged flow with parameters in the
//! header, the query and a form body; `oob`; legacy 1.0; every signature
//! method; two-legged requests; revocation; a first-party consumer; and
//! Python's `requests-oauthlib` (tests/python/oauth1_interop.py). Refusals
//! and the proxy set-up are in `oauth1_problems.rs`.

use crate::harness::*;
use crate::oauth1_client::*;
use serde_json::Value;
use std::collections::HashMap;

#[test]
fn three_legged_flow_with_parameters_in_each_place() {
    let s = Server::start();
    add_member(&s, "ada");
    let c = register_consumer(
        &s,
        &[
            "--oauth2",
            "--redirect-uri",
            "https://printer.example.com/oauth2",
            "--name",
            "Photo Printer",
            "--callback",
            "https://printer.example.com/ready",
            "--scope",
            "read",
            "--scope",
            "applications",
        ],
    );
    assert!(c.client_id.is_some(), "one application, both protocols");
    let http = s.client();
    let m = Method::HmacSha1;
    let index: Value = http.get(s.url("/api")).send().unwrap().json().unwrap();
    assert_eq!(index["authentication"]["oauth1"]["request_token_url"], s.url("/oauth1/request"));
    assert_eq!(index["authentication"]["oauth1"]["access_token_url"], s.url("/oauth1/access"));

    // Temporary credentials with the parameters in the form body, the
    // callback carrying the client's own query.
    let mut r = Req::new(&s, "POST", "/oauth1/request", &c).place(Place::Form);
    r.callback = Some("https://printer.example.com/ready?job=42");
    let a = call(&http, &m, &r);
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.form()["oauth_callback_confirmed"], "true");
    let (t, ts) = (a.form()["oauth_token"].clone(), a.form()["oauth_token_secret"].clone());
    assert!(t.starts_with("lkrq_"));

    // Sign-in first, then the consent page, then back to the callback.
    let browser = s.client();
    let Outcome::Callback(back) = authorize(&s, &browser, "ada", &t, "approve") else { panic!() };
    assert_eq!(back.host_str(), Some("printer.example.com"));
    assert_eq!(back.path(), "/ready");
    assert_eq!(back.query_pairs().find(|(k, _)| k == "job").map(|(_, v)| v.to_string()).as_deref(), Some("42"));
    let v = verifier_from(&back, &t);

    // Token credentials, with the parameters in the query of the POST.
    let mut r = Req::new(&s, "POST", "/oauth1/access", &c).token(&t, &ts).place(Place::Query);
    r.verifier = Some(&v);
    let a = call(&http, &m, &r);
    assert_eq!(a.status, 200, "{a:?}");
    let tok = (a.form()["oauth_token"].clone(), a.form()["oauth_token_secret"].clone());
    assert!(tok.0.starts_with("lkoa_"));
    // The request token was single-use.
    let again = call(&http, &m, &r);
    assert_eq!((again.status, again.form()["oauth_problem"].as_str()), (401, "token_rejected"), "{again:?}");

    // The API, signed in each of the three places, with extra parameters.
    for place in [Place::Header, Place::Query] {
        let mut r = Req::new(&s, "GET", "/api/v1/me", &c).token(&tok.0, &tok.1).place(place);
        r.params = vec![("fields".into(), "a b+c/é".into()), ("x".into(), "".into()), ("x".into(), "2".into())];
        let a = call(&http, &m, &r);
        assert_eq!(a.status, 200, "{place:?}: {a:?}");
        assert_eq!(a.json()["username"], "ada");
    }
    // The applications list (scope `applications`), then a revocation with
    // the parameters in the form body of a DELETE: every token dies at once.
    let list = call(&http, &m, &Req::new(&s, "GET", "/api/v1/me/applications", &c).token(&tok.0, &tok.1));
    assert_eq!(list.status, 200, "{list:?}");
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["name"], "Photo Printer");
    let id = items[0]["client_id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/me/applications/{}", urlencode(&id));
    let gone = call(&http, &m, &Req::new(&s, "DELETE", &path, &c).token(&tok.0, &tok.1).place(Place::Form));
    assert!(gone.status == 204 || gone.status == 200, "{gone:?}");
    let after = me(&s, &http, &m, &c, &tok, Place::Header);
    assert_eq!(after.status, 401, "{after:?}");
    assert_eq!(after.json()["oauth_problem"], "token_revoked");
    let challenge = after.www_authenticate.unwrap_or_default();
    assert!(challenge.starts_with("OAuth realm=\"") && challenge.contains("token_revoked"), "{challenge}");
}

#[test]
fn oob_consumers_see_the_verifier_and_a_denial_is_final() {
    let s = Server::start();
    add_member(&s, "bo");
    let c = register_consumer(&s, &["--name", "Desk App"]);
    let http = s.client();
    let m = Method::HmacSha1;

    // A callback URL is refused for an oob registration, with the reason.
    let mut r = Req::new(&s, "POST", "/oauth1/request", &c);
    r.callback = Some("https://elsewhere.example/cb");
    let a = call(&http, &m, &r);
    assert_eq!(a.status, 400, "{a:?}");
    assert_eq!(a.form()["oauth_problem"], "parameter_rejected");
    assert_eq!(a.form()["oauth_parameters_rejected"], "oauth_callback");
    assert!(a.form()["oauth_problem_advice"].contains("oob"), "{a:?}");

    let (t, ts) = temporary(&s, &http, &m, &c, "oob");
    let browser = s.client();
    let Outcome::Page(200, html) = authorize(&s, &browser, "bo", &t, "approve") else { panic!() };
    let start = html.find("<code id=\"verifier\">").expect("the verifier is shown") + "<code id=\"verifier\">".len();
    let v = html[start..].split('<').next().unwrap().to_string();
    assert!(v.len() >= 32, "{v}");
    // A wrong verifier is refused and leaves the request usable.
    let bad = exchange(&s, &http, &m, &c, (&t, &ts), "not-the-verifier");
    assert_eq!((bad.status, bad.form()["oauth_problem"].as_str()), (401, "verifier_invalid"), "{bad:?}");
    assert!(bad.www_authenticate.is_some_and(|w| w.starts_with("OAuth realm=")));
    let a = exchange(&s, &http, &m, &c, (&t, &ts), &v);
    assert_eq!(a.status, 200, "{a:?}");
    let tok = (a.form()["oauth_token"].clone(), a.form()["oauth_token_secret"].clone());
    assert_eq!(me(&s, &http, &m, &c, &tok, Place::Header).status, 200);

    // Not yet decided, then denied: each says so, and a denial is final.
    add_member(&s, "cy");
    let (t2, ts2) = temporary(&s, &http, &m, &c, "oob");
    let early = exchange(&s, &http, &m, &c, (&t2, &ts2), "x");
    assert_eq!(early.form()["oauth_problem"], "permission_unknown", "{early:?}");
    let Outcome::Page(200, html) = authorize(&s, &s.client(), "cy", &t2, "deny") else { panic!() };
    assert!(html.contains("You did not allow"), "{html}");
    let denied = exchange(&s, &http, &m, &c, (&t2, &ts2), "x");
    assert_eq!((denied.status, denied.form()["oauth_problem"].as_str()), (401, "permission_denied"));
    let after = exchange(&s, &http, &m, &c, (&t2, &ts2), "x");
    assert_eq!(after.form()["oauth_problem"], "token_rejected");
    // The same member again: consent is remembered, straight to the verifier.
    let (t3, _) = temporary(&s, &http, &m, &c, "oob");
    let Outcome::Page(200, html) = authorize(&s, &browser, "bo", &t3, "approve") else { panic!() };
    assert!(html.contains("id=\"verifier\""));
}

#[test]
fn legacy_1_0_consumers_need_no_verifier() {
    let s = Server::start();
    add_member(&s, "lee");
    let old =
        register_consumer(&s, &["--name", "Old Client", "--callback", "https://old.example/back", "--legacy-1-0"]);
    let http = s.client();
    let m = Method::HmacSha1;
    // OAuth 1.0 sends no callback with the first step and hears no confirmation.
    let a = call(&http, &m, &Req::new(&s, "POST", "/oauth1/request", &old));
    assert_eq!(a.status, 200, "{a:?}");
    assert!(!a.form().contains_key("oauth_callback_confirmed"), "{a:?}");
    let (t, ts) = (a.form()["oauth_token"].clone(), a.form()["oauth_token_secret"].clone());
    // It sends the callback to the authorization page, where it must fit too.
    let browser = signed_in(&s, "lee");
    let bad = format!("/oauth1/authorize?oauth_token={t}&oauth_callback={}", urlencode("https://evil.example/back"));
    let refused = browser.get(s.url(&bad)).send().unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().unwrap().contains("host differs"), "the page says why");
    let cb = "https://old.example/back?x=1";
    let good = format!("/oauth1/authorize?oauth_token={t}&oauth_callback={}", urlencode(cb));
    let page = browser.get(s.url(&good)).send().unwrap().text().unwrap();
    assert!(page.contains("name=\"oauth_callback\""), "the callback is carried to the decision");
    let r = browser
        .post(s.url("/oauth1/authorize"))
        .form(&[
            ("csrf", csrf(&page).as_str()),
            ("oauth_token", &t),
            ("oauth_callback", "https://evil.example/back"),
            ("decision", "approve"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400, "a callback that does not fit the registration");
    let r = browser
        .post(s.url("/oauth1/authorize"))
        .form(&[("csrf", csrf(&page).as_str()), ("oauth_token", &t), ("oauth_callback", cb), ("decision", "approve")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let back = url::Url::parse(&location(&r)).unwrap();
    assert!(back.as_str().starts_with("https://old.example/back?x=1&oauth_token="), "{back}");
    assert!(!back.query_pairs().any(|(k, _)| k == "oauth_verifier"), "no verifier in OAuth 1.0");
    let a = call(&http, &m, &Req::new(&s, "POST", "/oauth1/access", &old).token(&t, &ts));
    assert_eq!(a.status, 200, "{a:?}");
    let tok = (a.form()["oauth_token"].clone(), a.form()["oauth_token_secret"].clone());
    assert_eq!(me(&s, &http, &m, &old, &tok, Place::Header).status, 200);

    // A 1.0a consumer must send both the callback and the verifier.
    let new = register_consumer(&s, &["--name", "New Client", "--callback", "https://new.example/back"]);
    let a = call(&http, &m, &Req::new(&s, "POST", "/oauth1/request", &new));
    assert_eq!((a.status, a.form()["oauth_parameters_absent"].as_str()), (400, "oauth_callback"));
    let (t, ts) = temporary(&s, &http, &m, &new, "https://new.example/back");
    let Outcome::Callback(_) = authorize(&s, &browser, "lee", &t, "approve") else { panic!() };
    let a = call(&http, &m, &Req::new(&s, "POST", "/oauth1/access", &new).token(&t, &ts));
    assert_eq!((a.status, a.form()["oauth_parameters_absent"].as_str()), (400, "oauth_verifier"), "{a:?}");
}

fn rsa_pair() -> (rsa::RsaPrivateKey, String) {
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let pem = key.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
    (key, pem)
}

#[test]
fn every_signature_method_and_two_legged_requests() {
    let s = Server::start();
    add_member(&s, "di");
    let (key, pem) = rsa_pair();
    let pem_file = s.dir.join("consumer.pub.pem");
    std::fs::write(&pem_file, &pem).unwrap();
    let c = register_consumer(
        &s,
        &[
            "--name",
            "Every Method",
            "--callback",
            "http://127.0.0.1/cb",
            "--signature-method",
            "HMAC-SHA1",
            "--signature-method",
            "HMAC-SHA256",
            "--signature-method",
            "RSA-SHA1",
            "--signature-method",
            "PLAINTEXT",
            "--rsa-public-key",
            pem_file.to_str().unwrap(),
            "--two-legged",
        ],
    );
    let shown = s.cli(&["client", "show", &c.key], None);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("HMAC-SHA1 HMAC-SHA256 RSA-SHA1 PLAINTEXT") && text.contains("two-legged:    allowed"),
        "{text}"
    );
    let http = s.client();
    let methods = [Method::HmacSha1, Method::HmacSha256, Method::Rsa(Box::new(key)), Method::Plaintext];
    for (i, m) in methods.iter().enumerate() {
        // Loopback callbacks may use any port.
        let cb = format!("http://127.0.0.1:{}/cb?m={i}", 40000 + i);
        let tok = three_legged(&s, &http, m, &c, "di", &cb);
        for place in [Place::Header, Place::Query] {
            let a = me(&s, &http, m, &c, &tok, place);
            assert_eq!(a.status, 200, "method {i} {place:?}: {a:?}");
        }
        // Two-legged: the consumer alone, acting as itself (no member).
        let a = call(&http, m, &Req::new(&s, "GET", "/api/v1/me", &c));
        assert_eq!(a.status, 403, "authenticated as the application, which is not a member: {a:?}");
        assert_eq!(a.json()["oauth_problem"], "permission_denied");
    }
    // Another consumer without two-legged access must send a token.
    let plain = register_consumer(&s, &["--name", "No Two Legs"]);
    let a = call(&http, &Method::HmacSha1, &Req::new(&s, "GET", "/api/v1/me", &plain));
    assert_eq!((a.status, a.json()["oauth_problem"].as_str()), (400, Some("parameter_absent")), "{a:?}");
    assert_eq!(a.json()["oauth_parameters_absent"], "oauth_token");
    // A method the consumer did not register is refused by name.
    let a = call(&http, &Method::Plaintext, &Req::new(&s, "POST", "/oauth1/request", &plain));
    assert_eq!((a.status, a.form()["oauth_problem"].as_str()), (400, "signature_method_rejected"), "{a:?}");
}

#[test]
fn requests_oauthlib_python_client() {
    let Some(python) = python_with(
        &["requests_oauthlib", "oauthlib"],
        "requests_oauthlib.__version__, oauthlib.__version__",
        "OAuth 1.0a Python interop test",
    ) else {
        return;
    };
    let s = Server::start();
    add_member(&s, "eve");
    let sha1 = register_consumer(&s, &["--name", "Py HMAC-SHA1", "--callback", "http://127.0.0.1/py"]);
    let sha256 = register_consumer(
        &s,
        &[
            "--name",
            "Py HMAC-SHA256",
            "--callback",
            "oob",
            "--signature-method",
            "HMAC-SHA256",
            "--signature-method",
            "PLAINTEXT",
        ],
    );
    let config = serde_json::json!({
        "base": s.base,
        "ca": s.dir.join("tls/ca.pem"),
        "username": "eve",
        "password": PASSWORD,
        "sha1": {"key": sha1.key, "secret": sha1.secret, "callback": "http://127.0.0.1:8765/py"},
        "sha256": {"key": sha256.key, "secret": sha256.secret},
    });
    let stdout = run_python(&python, "oauth1_interop.py", &config, &s);
    assert!(stdout.contains("oauth1 interop: all checks passed"), "{stdout}");
}

#[test]
fn first_party_consumer_and_the_benchmark_signer() {
    // What the benchmark's set-up can do: a first-party, out-of-band
    // consumer (no consent page), a signed-in member, and every request
    // signed by `oauth1_header` alone.
    let s = Server::start();
    add_member(&s, "bench");
    let c = register_consumer(&s, &["--name", "Bench", "--first-party"]);
    let http = s.client();
    let form = |r: reqwest::blocking::Response| -> HashMap<String, String> {
        assert_eq!(r.status(), 200);
        url::form_urlencoded::parse(r.text().unwrap().as_bytes()).into_owned().collect()
    };
    let consumer = (c.key.as_str(), c.secret.as_str());
    let h = oauth1_header("POST", &s.url("/oauth1/request"), consumer, None, &[("oauth_callback", "oob")], "setup-1");
    let temp = form(http.post(s.url("/oauth1/request")).header("authorization", h).send().unwrap());
    let (t, ts) = (temp["oauth_token"].as_str(), temp["oauth_token_secret"].as_str());
    let page = signed_in(&s, "bench").get(s.url(&format!("/oauth1/authorize?oauth_token={t}"))).send().unwrap();
    let html = page.text().unwrap();
    let marker = "<code id=\"verifier\">";
    let at = html.find(marker).expect("first party: the verifier at once") + marker.len();
    let verifier = html[at..].split('<').next().unwrap();
    let h = oauth1_header(
        "POST",
        &s.url("/oauth1/access"),
        consumer,
        Some((t, ts)),
        &[("oauth_verifier", verifier)],
        "setup-2",
    );
    let creds = form(http.post(s.url("/oauth1/access")).header("authorization", h).send().unwrap());
    let token = (creds["oauth_token"].as_str(), creds["oauth_token_secret"].as_str());

    let headers: Vec<String> =
        (0..3).map(|i| oauth1_me_header(&s.base, consumer, token, &format!("bench-{i}"))).collect();
    for h in &headers {
        let r = http.get(s.url("/api/v1/me")).header("authorization", h).send().unwrap();
        assert_eq!(r.status(), 200);
    }
    // The same header again is a replay.
    assert_eq!(http.get(s.url("/api/v1/me")).header("authorization", &headers[0]).send().unwrap().status(), 401);
}

/// Hardening: a legacy OAuth 1.0 consumer has no verifier to bind the
/// member's answer, so remembered consent never approves at once: each
/// request token needs the member's explicit POST on the consent page.
#[test]
fn legacy_1_0_consumers_always_get_the_consent_page() {
    let s = Server::start();
    add_member(&s, "lee");
    let old =
        register_consumer(&s, &["--name", "Old Client", "--callback", "https://old.example/back", "--legacy-1-0"]);
    let http = s.client();
    let m = Method::HmacSha1;
    let browser = signed_in(&s, "lee");
    for round in 0..2 {
        let a = call(&http, &m, &Req::new(&s, "POST", "/oauth1/request", &old));
        assert_eq!(a.status, 200, "{a:?}");
        let t = a.form()["oauth_token"].clone();
        let page = browser.get(s.url(&format!("/oauth1/authorize?oauth_token={t}"))).send().unwrap();
        assert_eq!(page.status(), 200, "round {round}: the consent page, never a redirect");
        let html = page.text().unwrap();
        assert!(html.contains("id=\"consent-h\""), "round {round}: {html}");
        let r = browser
            .post(s.url("/oauth1/authorize"))
            .form(&[("csrf", csrf(&html).as_str()), ("oauth_token", &t), ("decision", "approve")])
            .send()
            .unwrap();
        assert_eq!(r.status(), 303, "round {round}");
    }
}
