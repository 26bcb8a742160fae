//! OAuth 2.0 / OpenID Connect against the real server: each grant's success
//! and its refusals, consent, revocation, introspection, discovery.

use crate::harness::*;
use base64::Engine;
use reqwest::blocking::Client as Http;
use serde_json::Value;

fn token(s: &Server, http: &Http, id: &str, secret: Option<&str>, form: &[(&str, &str)]) -> (u16, Value) {
    let mut req = http.post(s.url("/oauth2/token")).form(form);
    if let Some(sec) = secret {
        req = req.basic_auth(id, Some(sec));
    }
    let r = req.send().unwrap();
    let status = r.status().as_u16();
    if status == 200 {
        assert_eq!(r.headers()["cache-control"], "no-store");
    }
    (status, r.json().unwrap())
}

fn me(s: &Server, http: &Http, access: &str) -> reqwest::blocking::Response {
    http.get(s.url("/api/v1/me")).bearer_auth(access).send().unwrap()
}

#[test]
fn client_credentials_introspection_and_errors() {
    let s = Server::start();
    let http = s.client();
    let (id, secret) = register(&s, &["--name", "Robot", "--grant", "client_credentials", "--scope", "read"]);
    let secret = secret.unwrap();

    let (st, t) = token(&s, &http, &id, Some(&secret), &[("grant_type", "client_credentials")]);
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["token_type"], "Bearer");
    assert!(t.get("refresh_token").is_none());
    assert!(t["scope"].as_str().unwrap().contains("posts:read"));
    let access = t["access_token"].as_str().unwrap();

    // Introspection sees it; an application's token is not a member's.
    let r: Value = http
        .post(s.url("/oauth2/introspect"))
        .basic_auth(&id, Some(&secret))
        .form(&[("token", access)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["active"], true);
    assert_eq!(r["client_id"], id.as_str());
    let r = me(&s, &http, access);
    assert_eq!(r.status(), 403);

    // Refusals, each in RFC 6749 §5.2 JSON.
    let (st, e) = token(&s, &http, &id, Some("wrong"), &[("grant_type", "client_credentials")]);
    assert_eq!((st, e["error"].as_str()), (401, Some("invalid_client")));
    let (st, e) = token(&s, &http, &id, Some(&secret), &[("grant_type", "magic")]);
    assert_eq!((st, e["error"].as_str()), (400, Some("unsupported_grant_type")));
    let (st, e) =
        token(&s, &http, &id, Some(&secret), &[("grant_type", "password"), ("username", "a"), ("password", "b")]);
    assert_eq!((st, e["error"].as_str()), (400, Some("unauthorized_client")));
    let (st, e) =
        token(&s, &http, &id, Some(&secret), &[("grant_type", "client_credentials"), ("scope", "groups:write")]);
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_scope")));
    let r = http
        .post(s.url("/oauth2/token"))
        .basic_auth(&id, Some(&secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&grant_type=client_credentials")
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().unwrap()["error"], "invalid_request");
    let r = http
        .post(s.url("/oauth2/token"))
        .basic_auth(&id, Some(&secret))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .unwrap();
    assert_eq!(r.json::<Value>().unwrap()["error"], "invalid_request");

    // A disabled application gets unauthorized_client and its tokens die.
    assert!(s.cli(&["client", "disable", &id], None).status.success());
    let (st, e) = token(&s, &http, &id, Some(&secret), &[("grant_type", "client_credentials")]);
    assert_eq!((st, e["error"].as_str()), (400, Some("unauthorized_client")));
    let r = me(&s, &http, access);
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));

    // A rotated secret replaces the old one at once.
    assert!(s.cli(&["client", "enable", &id], None).status.success());
    let out = s.cli(&["client", "rotate-secret", &id, "--json"], None);
    let fresh: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fresh = fresh["client_secret"].as_str().unwrap();
    assert_eq!(token(&s, &http, &id, Some(&secret), &[("grant_type", "client_credentials")]).0, 401);
    assert_eq!(token(&s, &http, &id, Some(fresh), &[("grant_type", "client_credentials")]).0, 200);
}

#[test]
fn password_grant_and_refresh_rotation_with_reuse_detection() {
    let s = Server::start_with(&[("LATCHKEY_REFRESH_REUSE_GRACE", "1s")]);
    add_member(&s, "mia");
    let http = s.client();
    let (id, secret) = register(
        &s,
        &[
            "--name",
            "Phone app",
            "--grant",
            "password",
            "--grant",
            "refresh_token",
            "--scope",
            "profile",
            "--scope",
            "read",
        ],
    );
    let secret = secret.unwrap();
    let (st, e) = token(
        &s,
        &http,
        &id,
        Some(&secret),
        &[("grant_type", "password"), ("username", "mia"), ("password", "nope nope nope")],
    );
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_grant")));
    let (st, t) = token(
        &s,
        &http,
        &id,
        Some(&secret),
        &[("grant_type", "password"), ("username", "mia"), ("password", PASSWORD)],
    );
    assert_eq!(st, 200, "{t}");
    let access = t["access_token"].as_str().unwrap().to_string();
    let r1 = t["refresh_token"].as_str().unwrap().to_string();
    let r = me(&s, &http, &access);
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap()["username"], "mia");

    // Narrower scope on refresh is fine, wider is refused.
    let (st, e) = token(
        &s,
        &http,
        &id,
        Some(&secret),
        &[("grant_type", "refresh_token"), ("refresh_token", &r1), ("scope", "groups:write")],
    );
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_scope")));
    let (st, t2) = token(
        &s,
        &http,
        &id,
        Some(&secret),
        &[("grant_type", "refresh_token"), ("refresh_token", &r1), ("scope", "profile")],
    );
    assert_eq!(st, 200, "{t2}");
    assert_eq!(t2["scope"], "profile");
    let r2 = t2["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2, "rotated");
    let (st, t3) = token(&s, &http, &id, Some(&secret), &[("grant_type", "refresh_token"), ("refresh_token", &r2)]);
    assert_eq!(st, 200, "{t3}");
    let access3 = t3["access_token"].as_str().unwrap().to_string();
    assert_eq!(me(&s, &http, &access3).status(), 200);

    // The first refresh token again, after the grace window: the grant dies.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (st, e) = token(&s, &http, &id, Some(&secret), &[("grant_type", "refresh_token"), ("refresh_token", &r1)]);
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_grant")));
    assert!(e["error_description"].as_str().unwrap().contains("revoked"));
    assert_eq!(me(&s, &http, &access3).status(), 401, "every token of the grant is gone");
    assert_eq!(me(&s, &http, &access).status(), 401);
    let r3 = t3["refresh_token"].as_str().unwrap();
    assert_eq!(token(&s, &http, &id, Some(&secret), &[("grant_type", "refresh_token"), ("refresh_token", r3)]).0, 400);
}

/// RFC 6749 §6 and the reuse grace: a narrower refresh narrows the access
/// token only; a scope taken off the registration is not issued again; the
/// client's retry within the grace gets the identical response; a use after
/// the grace revokes the grant.
#[test]
fn refresh_keeps_its_scope_follows_the_registration_and_answers_a_retry_again() {
    let s = Server::start_with(&[("LATCHKEY_REFRESH_REUSE_GRACE", "2s")]);
    let admin = setup_admin(&s, "root");
    add_member(&s, "mia");
    let http = s.client();
    let args = ["--name", "Phone app", "--grant", "password", "--grant", "refresh_token"];
    let (id, secret) = register(&s, &[&args[..], &["--scope", "profile", "--scope", "posts:read"]].concat());
    let secret = secret.unwrap();
    let refresh = |r: &str, scope: Option<&str>| {
        let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", r)];
        form.extend(scope.map(|s| ("scope", s)));
        token(&s, &http, &id, Some(&secret), &form)
    };
    let (st, t1) = token(
        &s,
        &http,
        &id,
        Some(&secret),
        &[("grant_type", "password"), ("username", "mia"), ("password", PASSWORD)],
    );
    assert_eq!((st, t1["scope"].as_str()), (200, Some("posts:read profile")), "{t1}");
    let r1 = t1["refresh_token"].as_str().unwrap().to_string();

    let (st, t2) = refresh(&r1, Some("profile"));
    assert_eq!((st, t2["scope"].as_str()), (200, Some("profile")), "{t2}");
    // The response was lost; the client sends the same request again.
    let (st, again) = refresh(&r1, Some("profile"));
    assert_eq!(st, 200, "{again}");
    assert_eq!(again, t2, "the identical response, within the grace");
    let (st, t3) = refresh(t2["refresh_token"].as_str().unwrap(), None);
    assert_eq!((st, t3["scope"].as_str()), (200, Some("posts:read profile")), "the refresh token kept its scope");

    // The admin takes posts:read off the registration.
    let edit = admin.get(s.url(&format!("/admin/clients/{id}/edit"))).send().unwrap().text().unwrap();
    let r = admin
        .post(s.url(&format!("/admin/clients/{id}/edit")))
        .form(&[
            ("csrf", csrf(&edit).as_str()),
            ("name", "Phone app"),
            ("oauth2", "1"),
            ("client_type", "confidential"),
            ("grant", "password"),
            ("grant", "refresh_token"),
            ("scopes", "profile"),
            ("token_format", "opaque"),
            ("signing_alg", "EdDSA"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    let (st, t4) = refresh(t3["refresh_token"].as_str().unwrap(), None);
    assert_eq!((st, t4["scope"].as_str()), (200, Some("profile")), "{t4}");
    let (st, t5) = refresh(t4["refresh_token"].as_str().unwrap(), Some("posts:read"));
    assert_eq!((st, t5["error"].as_str()), (400, Some("invalid_scope")), "{t5}");
    let access = t4["access_token"].as_str().unwrap();
    assert_eq!(me(&s, &http, access).status(), 200);

    // The first refresh token after the grace: it leaked, the grant goes.
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let (st, e) = refresh(&r1, Some("profile"));
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_grant")), "{e}");
    assert!(e["error_description"].as_str().unwrap().contains("revoked"));
    assert_eq!(me(&s, &http, access).status(), 401);
}

/// `refresh_reuse_grace = 0s` starts, keeps nothing, and any second use of
/// a refresh token revokes the grant.
#[test]
fn a_zero_refresh_reuse_grace_is_strict() {
    let s = Server::start_with(&[("LATCHKEY_REFRESH_REUSE_GRACE", "0s")]);
    add_member(&s, "mia");
    let http = s.client();
    let (id, secret) =
        register(&s, &["--name", "Strict", "--grant", "password", "--grant", "refresh_token", "--scope", "profile"]);
    let secret = secret.unwrap();
    let (st, t1) = token(
        &s,
        &http,
        &id,
        Some(&secret),
        &[("grant_type", "password"), ("username", "mia"), ("password", PASSWORD)],
    );
    assert_eq!(st, 200, "{t1}");
    let r1 = t1["refresh_token"].as_str().unwrap();
    let (st, t2) = token(&s, &http, &id, Some(&secret), &[("grant_type", "refresh_token"), ("refresh_token", r1)]);
    assert_eq!(st, 200, "{t2}");
    let (st, e) = token(&s, &http, &id, Some(&secret), &[("grant_type", "refresh_token"), ("refresh_token", r1)]);
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_grant")), "{e}");
    assert!(e["error_description"].as_str().unwrap().contains("revoked"), "{e}");
    assert_eq!(me(&s, &http, t2["access_token"].as_str().unwrap()).status(), 401);
}

fn b64url(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

fn s256(verifier: &str) -> String {
    use sha2::Digest;
    b64url(&sha2::Sha256::digest(verifier.as_bytes()))
}

/// Runs the browser side of the code flow with a signed-in client; returns
/// the redirect's query parameters.
fn authorize(s: &Server, browser: &Http, query: &[(&str, &str)], decision: &str) -> Vec<(String, String)> {
    let q = serde_urlencoded::to_string(query).unwrap();
    let r = browser.get(s.url(&format!("/oauth2/authorize?{q}"))).send().unwrap();
    let loc = if r.status() == 200 {
        let html = r.text().unwrap();
        assert!(html.contains("Allow"), "{html}");
        let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf(&html)), ("decision".into(), decision.into())];
        form.extend(query.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let r = browser.post(s.url("/oauth2/authorize")).form(&form).send().unwrap();
        assert_eq!(r.status(), 302, "{}", r.text().unwrap_or_default());
        location(&r)
    } else {
        assert_eq!(r.status(), 302);
        location(&r)
    };
    let u = url::Url::parse(&loc).unwrap();
    u.query_pairs().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn param<'a>(ps: &'a [(String, String)], k: &str) -> Option<&'a str> {
    ps.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

#[test]
fn authorization_code_with_pkce_consent_and_openid() {
    let s = Server::start();
    add_member(&s, "noor");
    let http = s.client();
    let cb = "http://127.0.0.1/callback";
    let (id, _) = register(
        &s,
        &[
            "--name",
            "Desk app",
            "--public",
            "--redirect-uri",
            cb,
            "--scope",
            "openid",
            "--scope",
            "profile",
            "--scope",
            "email",
            "--scope",
            "offline_access",
            "--scope",
            "read",
        ],
    );
    let browser = s.client();

    // Not signed in: off to sign in, coming back to the request.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-more";
    let challenge = s256(verifier);
    let redirect = "http://127.0.0.1:53117/callback";
    let query = [
        ("response_type", "code"),
        ("client_id", id.as_str()),
        ("redirect_uri", redirect),
        ("scope", "openid profile email offline_access"),
        ("state", "xyz"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let q = serde_urlencoded::to_string(query).unwrap();
    let r = browser.get(s.url(&format!("/oauth2/authorize?{q}"))).send().unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("/login?return_to=%2Foauth2%2Fauthorize"));
    assert_eq!(sign_in(&s, &browser, "noor", PASSWORD, "/account").status(), 303);

    // Consent page names the app and the scopes in plain words.
    let page = browser.get(s.url(&format!("/oauth2/authorize?{q}"))).send().unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("form-action 'self' http://127.0.0.1:53117"), "{csp}");
    let html = page.text().unwrap();
    assert!(html.contains("Desk app") && html.contains("Not you? Switch user"), "{html}");

    // Deny goes back with access_denied, state and iss.
    let denied = authorize(&s, &browser, &query, "deny");
    assert_eq!(param(&denied, "error"), Some("access_denied"));
    assert_eq!(param(&denied, "state"), Some("xyz"));
    assert_eq!(param(&denied, "iss").unwrap(), s.base);

    let ok = authorize(&s, &browser, &query, "approve");
    assert_eq!(param(&ok, "state"), Some("xyz"));
    assert_eq!(param(&ok, "iss").unwrap(), s.base);
    let code = param(&ok, "code").unwrap().to_string();

    // Wrong verifier, then the right one.
    let (st, e) = token(
        &s,
        &http,
        &id,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &id),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", &format!("{verifier}x")),
        ],
    );
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_grant")));
    let ok2 = authorize(&s, &browser, &query, "approve");
    assert!(!ok2.is_empty());
    let code2 = param(&ok2, "code").unwrap().to_string();
    let (st, t) = token(
        &s,
        &http,
        &id,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &id),
            ("code", &code2),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    );
    assert_eq!(st, 200, "{t}");
    assert!(t["refresh_token"].is_string(), "offline_access gives a refresh token");
    let id_token = t["id_token"].as_str().unwrap();
    let access = t["access_token"].as_str().unwrap().to_string();

    // The id_token verifies against the published JWKS.
    let jwks: Value = http.get(s.url("/oauth2/jwks")).send().unwrap().json().unwrap();
    assert!(jwks["keys"].as_array().unwrap().len() >= 3);
    let published: Vec<String> =
        jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect();
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id_token.split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert!(published.contains(&header["kid"].as_str().unwrap().to_string()));
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id_token.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(claims["aud"], id.as_str());
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["iss"], s.base.as_str());
    assert!(claims["at_hash"].is_string());
    let ui: Value = http.get(s.url("/oauth2/userinfo")).bearer_auth(&access).send().unwrap().json().unwrap();
    assert_eq!(ui["preferred_username"], "noor");
    assert_eq!(ui["email"], "noor@example.org");

    // Consent is remembered: the next request goes straight back with a code.
    let again = authorize(&s, &browser, &query, "approve");
    assert!(param(&again, "code").is_some());

    // A code used twice revokes the grant: the access token dies with it.
    let (st, _) = token(
        &s,
        &http,
        &id,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &id),
            ("code", &code2),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    );
    assert_eq!(st, 400);
    assert_eq!(me(&s, &http, &access).status(), 401);

    // An unregistered redirect URI is a page, never a redirect.
    let bad = [
        ("response_type", "code"),
        ("client_id", id.as_str()),
        ("redirect_uri", "https://evil.example/cb"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let r =
        browser.get(s.url(&format!("/oauth2/authorize?{}", serde_urlencoded::to_string(bad).unwrap()))).send().unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("location").is_none());
    // Missing PKCE for a public client goes back as invalid_request.
    let nopkce = [("response_type", "code"), ("client_id", id.as_str()), ("redirect_uri", redirect), ("state", "s1")];
    let r = browser
        .get(s.url(&format!("/oauth2/authorize?{}", serde_urlencoded::to_string(nopkce).unwrap())))
        .send()
        .unwrap();
    assert_eq!(r.status(), 302);
    assert!(location(&r).contains("error=invalid_request"));
    assert!(location(&r).contains("state=s1"));
}

#[test]
fn jwt_access_tokens_revocation_and_discovery() {
    let s = Server::start();
    add_member(&s, "ola");
    let http = s.client();
    let (id, secret) = register(
        &s,
        &[
            "--name",
            "Jwt app",
            "--grant",
            "password",
            "--grant",
            "refresh_token",
            "--token-format",
            "jwt",
            "--signing-alg",
            "ES256",
            "--scope",
            "profile",
        ],
    );
    let secret = secret.unwrap();
    let (st, t) = token(
        &s,
        &http,
        &id,
        Some(&secret),
        &[("grant_type", "password"), ("username", "ola"), ("password", PASSWORD)],
    );
    assert_eq!(st, 200, "{t}");
    let access = t["access_token"].as_str().unwrap().to_string();
    assert_eq!(access.split('.').count(), 3);
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(access.split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(me(&s, &http, &access).status(), 200);

    // Revoking the refresh token ends the grant: the JWT is refused at once.
    let r = http
        .post(s.url("/oauth2/revoke"))
        .basic_auth(&id, Some(&secret))
        .form(&[("token", t["refresh_token"].as_str().unwrap())])
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(me(&s, &http, &access).status(), 401);
    let r: Value = http
        .post(s.url("/oauth2/introspect"))
        .basic_auth(&id, Some(&secret))
        .form(&[("token", access.as_str())])
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["active"], false);

    // No token, a bad scheme: RFC 6750 challenges.
    let r = http.get(s.url("/api/v1/me")).send().unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"latchkey\"");
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));

    // Discovery lists the endpoints; keys rotate and the old key stays published.
    let meta: Value = http.get(s.url("/.well-known/openid-configuration")).send().unwrap().json().unwrap();
    assert_eq!(meta["issuer"], s.base.as_str());
    assert_eq!(meta["token_endpoint"], s.url("/oauth2/token"));
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    let before: Value = http.get(s.url("/oauth2/jwks")).send().unwrap().json().unwrap();
    let out = s.cli(&["keys", "rotate", "--json"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let after: Value = http.get(s.url("/oauth2/jwks")).send().unwrap().json().unwrap();
    assert_eq!(after["keys"].as_array().unwrap().len(), before["keys"].as_array().unwrap().len() + 3);
    let (st, t2) = token(
        &s,
        &http,
        &id,
        Some(&secret),
        &[("grant_type", "password"), ("username", "ola"), ("password", PASSWORD)],
    );
    assert_eq!(st, 200);
    assert_eq!(me(&s, &http, t2["access_token"].as_str().unwrap()).status(), 200, "signed with the new key");

    // Deleting the application removes its grants and tokens.
    let out = s.cli(&["client", "delete", &id, "--json"], None);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["grants_removed"], 1);
    assert_eq!(me(&s, &http, t2["access_token"].as_str().unwrap()).status(), 401);
}

#[test]
fn implicit_grant_cors_and_form_body_bearer() {
    let s = Server::start();
    add_member(&s, "ivo");
    let http = s.client();
    let cb = "https://spa.example.org/cb";
    let (id, _) = register(
        &s,
        &[
            "--name",
            "Old SPA",
            "--public",
            "--grant",
            "implicit",
            "--redirect-uri",
            cb,
            "--scope",
            "openid",
            "--scope",
            "profile",
            "--cors-origin",
            "https://spa.example.org",
        ],
    );
    let (code_only, _) = register(&s, &["--name", "Code app", "--public", "--redirect-uri", cb]);
    let browser = s.client();
    assert_eq!(sign_in(&s, &browser, "ivo", PASSWORD, "/account").status(), 303);

    // Implicit: the token comes back in the fragment, with no refresh token.
    let query = [
        ("response_type", "token"),
        ("client_id", id.as_str()),
        ("redirect_uri", cb),
        ("scope", "openid profile"),
        ("state", "st"),
    ];
    let q = serde_urlencoded::to_string(query).unwrap();
    let html = browser.get(s.url(&format!("/oauth2/authorize?{q}"))).send().unwrap().text().unwrap();
    let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf(&html)), ("decision".into(), "approve".into())];
    form.extend(query.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let r = browser.post(s.url("/oauth2/authorize")).form(&form).send().unwrap();
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(&location(&r)).unwrap();
    assert!(loc.query().is_none(), "nothing in the query: {loc}");
    let frag: Vec<(String, String)> =
        url::form_urlencoded::parse(loc.fragment().unwrap().as_bytes()).into_owned().collect();
    assert_eq!(param(&frag, "state"), Some("st"));
    assert_eq!(param(&frag, "token_type"), Some("Bearer"));
    assert!(param(&frag, "refresh_token").is_none());
    let access = param(&frag, "access_token").unwrap().to_string();

    // An application not registered for implicit gets the error in the fragment.
    let q = serde_urlencoded::to_string([
        ("response_type", "token"),
        ("client_id", code_only.as_str()),
        ("redirect_uri", cb),
        ("state", "x"),
    ])
    .unwrap();
    let r = browser.get(s.url(&format!("/oauth2/authorize?{q}"))).send().unwrap();
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(&location(&r)).unwrap();
    assert!(loc.fragment().unwrap().contains("error=unauthorized_client"), "{loc}");

    // RFC 6750 §2.2: the token in a form body on userinfo's POST.
    let ui: Value =
        http.post(s.url("/oauth2/userinfo")).form(&[("access_token", access.as_str())]).send().unwrap().json().unwrap();
    assert_eq!(ui["preferred_username"], "ivo");
    let r = http.post(s.url("/oauth2/userinfo")).bearer_auth(&access).form(&[("x", "y")]).send().unwrap();
    assert_eq!(r.status(), 200);

    // CORS: a registered origin may call the API, another may not; JWKS is public.
    let ok =
        http.get(s.url("/api/v1/me")).bearer_auth(&access).header("origin", "https://spa.example.org").send().unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], "https://spa.example.org");
    let other =
        http.get(s.url("/api/v1/me")).bearer_auth(&access).header("origin", "https://evil.example").send().unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let pre = http
        .request(reqwest::Method::OPTIONS, s.url("/oauth2/token"))
        .header("origin", "https://spa.example.org")
        .header("access-control-request-method", "POST")
        .send()
        .unwrap();
    assert_eq!(pre.status(), 204);
    assert!(pre.headers()["access-control-allow-headers"].to_str().unwrap().contains("Authorization"));
    let jwks = http.get(s.url("/oauth2/jwks")).header("origin", "https://anyone.example").send().unwrap();
    assert_eq!(jwks.headers()["access-control-allow-origin"], "*");
    let page = http.get(s.url("/login")).header("origin", "https://spa.example.org").send().unwrap();
    assert!(page.headers().get("access-control-allow-origin").is_none(), "pages never answer cross-origin");
}

/// Hardening: an oversized token request is answered in RFC 6749's JSON
/// (413, `invalid_request`), and so is an oversized OAuth 1.0a request in
/// its form-encoded problem format; the Basic scheme name is
/// case-insensitive (RFC 7235).
#[test]
fn oversized_bodies_keep_each_protocols_error_format_and_schemes_ignore_case() {
    let s = Server::start();
    let (id, secret) = register(&s, &["--name", "Robot", "--grant", "client_credentials", "--scope", "read"]);
    let secret = secret.unwrap();
    let http = s.client();
    let huge = "x".repeat(300 * 1024);
    for path in ["/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"] {
        let r =
            http.post(s.url(path)).basic_auth(&id, Some(&secret)).form(&[("padding", huge.as_str())]).send().unwrap();
        assert_eq!(r.status(), 413, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{path}");
        let body: Value = r.json().unwrap();
        assert_eq!(body["error"], "invalid_request", "{path}");
    }
    let r = http
        .post(s.url("/oauth1/request"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("oauth_callback=oob&padding={huge}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/x-www-form-urlencoded"));
    assert!(r.text().unwrap().contains("oauth_problem=parameter_rejected"));

    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    for scheme in ["BASIC", "basic", "bAsIc"] {
        let r = http
            .post(s.url("/oauth2/token"))
            .header("authorization", format!("{scheme} {basic}"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "{scheme}");
    }
}

/// Hardening: once a member is disabled, none of their grants yields
/// anything: a pending code and a refresh token are `invalid_grant`, and
/// introspection calls their access and refresh tokens inactive.
#[test]
fn a_disabled_member_gets_no_tokens_from_codes_or_refresh() {
    let s = Server::start();
    add_member(&s, "carol");
    let http = s.client();
    let (id, secret) = register(
        &s,
        &[
            "--name",
            "Photo Printer",
            "--redirect-uri",
            "https://printer.example.com/cb",
            "--scope",
            "read",
            "--grant",
            "authorization_code",
            "--grant",
            "refresh_token",
        ],
    );
    let secret = secret.unwrap();
    let browser = s.client();
    assert_eq!(sign_in(&s, &browser, "carol", PASSWORD, "/account").status(), 303);
    let query = [
        ("response_type", "code"),
        ("client_id", id.as_str()),
        ("redirect_uri", "https://printer.example.com/cb"),
        ("scope", "read"),
        ("state", "s1"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ];
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let exchange = |code: &str| {
        token(
            &s,
            &http,
            &id,
            Some(&secret),
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", "https://printer.example.com/cb"),
                ("code_verifier", verifier),
            ],
        )
    };
    let first = authorize(&s, &browser, &query, "approve");
    let (st, t) = exchange(param(&first, "code").unwrap());
    assert_eq!(st, 200, "{t}");
    let access = t["access_token"].as_str().unwrap().to_string();
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    let pending = authorize(&s, &browser, &query, "approve");
    let pending = param(&pending, "code").unwrap().to_string();

    let out = s.cli(&["user", "disable", "carol"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let (st, e) = exchange(&pending);
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_grant")), "{e}");
    let (st, e) =
        token(&s, &http, &id, Some(&secret), &[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())]);
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_grant")), "{e}");
    for t in [&access, &refresh] {
        let r = http.post(s.url("/oauth2/introspect")).basic_auth(&id, Some(&secret)).form(&[("token", t)]).send();
        let v: Value = r.unwrap().json().unwrap();
        assert_eq!(v["active"], false, "{v}");
    }
    assert_eq!(me(&s, &http, &access).status(), 401);
}

/// Hardening (OpenID Connect Core §3.1.2.1): POST authorization requests,
/// several `prompt` values and `select_account`, `max_age` forcing a fresh
/// sign-in (or `login_required` with `prompt=none`) whose `auth_time` the
/// id_token then carries, and `request`/`request_uri` refused by name.
#[test]
fn openid_authorization_requests_by_post_with_prompts_and_max_age() {
    let s = Server::start();
    add_member(&s, "ida");
    let http = s.client();
    let cb = "https://rp.example.com/cb";
    let (id, secret) = register(
        &s,
        &["--name", "Strict RP", "--redirect-uri", cb, "--scope", "openid", "--scope", "profile", "--no-pkce"],
    );
    let secret = secret.unwrap();
    let browser = s.client();
    assert_eq!(sign_in(&s, &browser, "ida", PASSWORD, "/account").status(), 303);
    let base = vec![
        ("response_type", "code"),
        ("client_id", id.as_str()),
        ("redirect_uri", cb),
        ("scope", "openid profile"),
        ("state", "st"),
        ("nonce", "nn"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut q = base.clone();
        q.extend_from_slice(extra);
        q
    };
    let get = |q: &[(&str, &str)]| {
        let r = browser.get(s.url(&format!("/oauth2/authorize?{}", serde_urlencoded::to_string(q).unwrap())));
        r.send().unwrap()
    };
    let error_of = |r: &reqwest::blocking::Response| -> Option<String> {
        let u = url::Url::parse(&location(r)).ok()?;
        u.query_pairs().find(|(k, _)| k == "error").map(|(_, v)| v.to_string())
    };

    // A form-posted authorization request is answered like a GET: the consent page.
    let r = browser.post(s.url("/oauth2/authorize")).form(&base).send().unwrap();
    assert_eq!(r.status(), 200, "POST is an authorization request too");
    assert!(r.text().unwrap().contains("Strict RP"));

    // Request objects are refused by name.
    let r = get(&with(&[("request", "eyJhbGciOiJub25lIn0.e30.")]));
    assert_eq!(error_of(&r).as_deref(), Some("request_not_supported"));
    let r = get(&with(&[("request_uri", "https://rp.example.com/req.jwt")]));
    assert_eq!(error_of(&r).as_deref(), Some("request_uri_not_supported"));

    // Several prompt values; none must stand alone.
    let r = get(&with(&[("prompt", "login consent")]));
    assert_eq!(r.status(), 303, "a fresh sign-in first");
    assert!(location(&r).contains("/login?"), "{}", location(&r));
    let r = get(&with(&[("prompt", "select_account")]));
    assert!(r.status() == 303 && location(&r).contains("switch=1"), "the sign-in page, to pick the account");
    let r = get(&with(&[("prompt", "none login")]));
    assert_eq!(error_of(&r).as_deref(), Some("invalid_request"));

    // Consent once, so prompt=none can answer.
    let first = authorize(&s, &browser, &base, "approve");
    assert!(param(&first, "code").is_some());
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let r = get(&with(&[("prompt", "none"), ("max_age", "1")]));
    assert_eq!(error_of(&r).as_deref(), Some("login_required"), "a sign-in older than max_age");
    let r = get(&with(&[("max_age", "1")]));
    assert_eq!(r.status(), 303);
    let login = url::Url::parse(&location(&r)).unwrap();
    let return_to = login.query_pairs().find(|(k, _)| k == "return_to").unwrap().1.to_string();
    assert!(!return_to.contains("max_age"), "{return_to}");
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let form = browser.get(location(&r)).send().unwrap().text().unwrap();
    let signed = browser
        .post(s.url("/login"))
        .form(&[("csrf", csrf(&form).as_str()), ("username", "ida"), ("password", PASSWORD), ("return_to", &return_to)])
        .send()
        .unwrap();
    assert_eq!(signed.status(), 303);
    let r = browser.get(s.url(&return_to)).send().unwrap();
    assert_eq!(r.status(), 302, "consent remembered: straight back with a code");
    let code = url::Url::parse(&location(&r))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.to_string())
        .unwrap();
    let (st, t) = token(
        &s,
        &http,
        &id,
        Some(&secret),
        &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", cb)],
    );
    assert_eq!(st, 200, "{t}");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(t["id_token"].as_str().unwrap().split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(claims["auth_time"].as_i64().unwrap() >= before, "a fresh auth_time: {claims}");
}
