//! Setup, sign-in, sign-out, CSRF, rate limits, headers, restarts: the
//! browser-facing flows over real HTTPS.

use crate::harness::*;

#[test]
fn first_start_prints_a_working_setup_link_then_setup_refuses() {
    let s = Server::start();
    assert!(s.banner.contains(&format!("latchkey is serving https://localhost:{}/", s.port)), "{}", s.banner);
    let link = s.setup_link.clone().expect("a setup link on first start");
    assert!(link.starts_with(&s.base));
    let admin = setup_admin(&s, "root");
    let account = admin.get(s.url("/account")).send().unwrap().text().unwrap();
    assert!(account.contains("root") && account.contains("Admin"), "{account}");

    // The link is single-use, and with an admin the page does nothing.
    let again = s.client().get(&link).send().unwrap();
    assert_eq!(again.status(), 200);
    assert!(again.text().unwrap().contains("This site is set up"));
    let fresh = s.client();
    let html = fresh.get(s.url("/login")).send().unwrap().text().unwrap();
    let r = fresh
        .post(s.url("/setup"))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("token", link.split("token=").nth(1).unwrap()),
            ("username", "intruder"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .unwrap();
    assert!(r.text().unwrap().contains("This site is set up"));
    let out = s.cli(&["user", "list", "--json"], None);
    let users: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 1, "no second admin");

    // `latchkey setup` refuses too, once an admin exists.
    let out = s.cli(&["setup"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already has an admin"));
}

#[test]
fn setup_link_rejects_bad_tokens_and_keeps_the_form_on_errors() {
    let s = Server::start();
    let c = s.client();
    let r = c.get(s.url("/setup?token=nope")).send().unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("latchkey setup"));

    let link = s.setup_link.clone().unwrap();
    let html = c.get(&link).send().unwrap().text().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let r = c
        .post(s.url("/setup"))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("token", token),
            ("username", "ad min"),
            ("display_name", "Kept Name"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().unwrap();
    assert!(body.contains("May hold letters"), "{body}");
    assert!(body.contains("value=\"Kept Name\""), "the form keeps what was typed");
    let r = c
        .post(s.url("/setup"))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("token", token),
            ("username", "admin"),
            ("password", "short"),
            ("password_confirm", "short"),
        ])
        .send()
        .unwrap();
    assert!(r.text().unwrap().contains("at least 10 characters"));

    // A fresh link from the command line replaces the printed one.
    let out = s.cli(&["setup", "--json"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fresh = v["url"].as_str().unwrap();
    assert_eq!(c.get(&link).send().unwrap().status(), 400, "old link replaced");
    assert_eq!(c.get(fresh).send().unwrap().status(), 200);
}

#[test]
fn sign_in_wrong_password_sign_out_and_return_to() {
    let s = Server::start();
    setup_admin(&s, "admin");
    let out = s.cli(&["user", "add", "alice", "--password-stdin"], Some(&format!("{PASSWORD}\n")));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // /account without a session goes to sign-in and comes back.
    let c = s.client();
    let r = c.get(s.url("/account")).send().unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), s.url("/login?return_to=%2Faccount"));

    let r = sign_in(&s, &c, "alice", "not the password", "/account");
    assert_eq!(r.status(), 401);
    assert!(r.text().unwrap().contains("Wrong username or password"));
    let r = sign_in(&s, &c, "nobody", PASSWORD, "/account");
    assert_eq!(r.status(), 401);

    let r = sign_in(&s, &c, "ALICE", PASSWORD, "/account");
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), s.url("/account"));
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-latchkey="), "{cookie}");
    for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    let html = c.get(s.url("/account")).send().unwrap().text().unwrap();
    assert!(html.contains("id=\"account-username\">alice<"));

    // Sign out needs the session's CSRF token, then the session is gone.
    let r = c.post(s.url("/logout")).form(&[("csrf", csrf(&html).as_str())]).send().unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(c.get(s.url("/account")).send().unwrap().status(), 303);

    // return_to to another origin is never followed.
    for evil in ["https://evil.example/", "//evil.example/x", "/\\evil.example"] {
        let c = s.client();
        let r = sign_in(&s, &c, "alice", PASSWORD, evil);
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), s.url("/account"), "{evil}");
    }
    let page = s.client().get(s.url("/login?return_to=https%3A%2F%2Fevil.example%2F")).send().unwrap().text().unwrap();
    assert!(page.contains("asked to return to another site"));
    assert!(!page.contains("evil.example"));

    let log = s.log();
    assert!(!log.contains(PASSWORD), "no password in the log");
}

#[test]
fn forms_without_a_valid_csrf_token_are_refused() {
    let s = Server::start();
    let admin = setup_admin(&s, "admin");
    let c = s.client();
    // No token, a made-up token, and a token from another browser.
    let other = s.client();
    let other_html = other.get(s.url("/login")).send().unwrap().text().unwrap();
    for token in ["", "x", &"A".repeat(43), &csrf(&other_html)] {
        let r = c
            .post(s.url("/login"))
            .form(&[("csrf", token), ("username", "admin"), ("password", PASSWORD)])
            .send()
            .unwrap();
        assert_eq!(r.status(), 403, "token {token:?}");
        assert!(r.text().unwrap().contains("This form has expired"));
    }
    let r = admin
        .post(s.url("/account/password"))
        .form(&[
            ("csrf", "wrong"),
            ("current", PASSWORD),
            ("new", "another long pass"),
            ("confirm", "another long pass"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = admin.post(s.url("/logout")).form(&[("csrf", "")]).send().unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(admin.get(s.url("/account")).send().unwrap().status(), 200, "still signed in");
}

#[test]
fn sign_in_rate_limits_answer_429_with_retry_after() {
    let mut s =
        Server::start_with(&[("LATCHKEY_LOGIN_MAX_FAILURES", "3"), ("LATCHKEY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "8")]);
    setup_admin(&s, "admin");
    let c = s.client();
    for _ in 0..3 {
        assert_eq!(sign_in(&s, &c, "admin", "wrong password!", "/").status(), 401);
    }
    // Locked out: even the right password waits.
    let r = sign_in(&s, &c, "admin", PASSWORD, "/");
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    assert!(r.text().unwrap().contains("Too many sign-in attempts"));
    // Per IP: other usernames run out of the minute's budget too.
    let mut last = 0;
    for i in 0..6 {
        last = sign_in(&s, &c, &format!("someone{i}"), "wrong password!", "/").status().as_u16();
    }
    assert_eq!(last, 429);

    let log = audit_actions(&mut s);
    assert!(log.contains("login.lockout"), "{log}");
    assert!(log.contains("login.failure"));
}

/// Stops the server and reads its audit log through the library.
fn audit_actions(s: &mut Server) -> String {
    assert!(s.stop().success());
    let store = latchkey::store::Store::open(&s.dir.join("latchkey.redb")).unwrap();
    let events = store.read(|tx| latchkey::store::audit::recent(tx, None, 1000)).unwrap();
    events.iter().map(|(_, e)| format!("{} {} {}\n", e.action, e.target, e.detail)).collect()
}

#[test]
fn security_headers_and_static_assets() {
    let s = Server::start();
    let c = s.client();
    let r = c.get(s.url("/login")).send().unwrap();
    let h = r.headers().clone();
    let html = r.text().unwrap();
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert!(!h["content-security-policy"].to_str().unwrap().contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(h["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    assert!(h.contains_key("x-request-id"));
    for tag in html.split("<script").skip(1) {
        assert!(tag.trim_start().starts_with("src=\""), "no inline script: {tag}");
    }
    let css = html.split("rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap();
    let r = c.get(s.url(css)).send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let r = c.get(s.url("/healthz")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().unwrap()["status"], "ok");
    let r = c.get(s.url("/no/such/page")).send().unwrap();
    assert_eq!(r.status(), 404);
    let r =
        c.post(s.url("/login")).header("content-type", "application/x-www-form-urlencoded").body("%%%").send().unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
}

#[test]
fn restart_keeps_members_sessions_and_the_certificate() {
    let s = Server::start();
    let c = setup_admin(&s, "admin");
    let cert = std::fs::read(s.dir.join("tls/cert.pem")).unwrap();
    let s = s.restart();
    assert!(s.setup_link.is_none(), "no setup link once an admin exists:\n{}", s.banner);
    assert_eq!(cert, std::fs::read(s.dir.join("tls/cert.pem")).unwrap(), "certificate reused");
    // The old client's cookie still works on the new port (same host).
    let html = c.get(s.url("/account")).send().unwrap();
    assert_eq!(html.status(), 200);
    assert_eq!(sign_in(&s, &s.client(), "admin", PASSWORD, "/account").status(), 303);
}

#[test]
fn account_password_change_checks_the_current_one_and_ends_other_sessions() {
    let mut s = Server::start();
    let a = setup_admin(&s, "admin");
    let b = s.client();
    assert_eq!(sign_in(&s, &b, "admin", PASSWORD, "/account").status(), 303);
    let html = a.get(s.url("/account")).send().unwrap().text().unwrap();
    let token = csrf(&html);
    let r = a
        .post(s.url("/account/password"))
        .form(&[
            ("csrf", token.as_str()),
            ("current", "not it at all"),
            ("new", "a brand new secret"),
            ("confirm", "a brand new secret"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("not your current password"));
    let r = a
        .post(s.url("/account/password"))
        .form(&[
            ("csrf", token.as_str()),
            ("current", PASSWORD),
            ("new", "a brand new secret"),
            ("confirm", "a brand new secret"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(a.get(s.url("/account")).send().unwrap().status(), 200, "this session stays");
    assert_eq!(b.get(s.url("/account")).send().unwrap().status(), 303, "the other one ended");
    assert_eq!(sign_in(&s, &s.client(), "admin", PASSWORD, "/").status(), 401);
    assert_eq!(sign_in(&s, &s.client(), "admin", "a brand new secret", "/").status(), 303);
    assert!(audit_actions(&mut s).contains("user.password admin"));
}

/// The `Set-Cookie` values of a response as one `Cookie` header.
fn cookies_of(r: &reqwest::blocking::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn plain_http_listener_believes_only_trusted_proxies() {
    let http_port = free_port();
    let s = Server::start_with(&[
        ("LATCHKEY_HTTP", &format!("127.0.0.1:{http_port}")),
        ("LATCHKEY_TRUSTED_PROXIES", "[\"127.0.0.1\"]"),
        ("LATCHKEY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "2"),
    ]);
    assert!(s.banner.contains(&format!("plain HTTP on 127.0.0.1:{http_port}")), "{}", s.banner);
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = |p: &str| format!("http://127.0.0.1:{http_port}{p}");
    let page = http.get(url("/login")).header("x-forwarded-proto", "https").send().unwrap();
    assert!(page.headers().contains_key("strict-transport-security"), "proxy said https");
    let cookie = cookies_of(&page);
    let token = csrf(&page.text().unwrap());
    let attempt = |client_ip: &str| {
        http.post(url("/login"))
            .header("cookie", &cookie)
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-for", format!("{client_ip}, 127.0.0.1"))
            .form(&[("csrf", token.as_str()), ("username", "x"), ("password", "wrong password")])
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    // The budget is per client address as the trusted proxy reports it.
    assert_eq!(attempt("198.51.100.1"), 401);
    assert_eq!(attempt("198.51.100.1"), 401);
    assert_eq!(attempt("198.51.100.1"), 429);
    assert_eq!(attempt("198.51.100.2"), 401);
    let plain = http.get(url("/healthz")).send().unwrap();
    assert!(!plain.headers().contains_key("strict-transport-security"), "plain HTTP without the proxy's word");
}

#[test]
fn configured_pem_certificate_is_used() {
    // A certificate made elsewhere (here: by another latchkey's CA) is served as given.
    let donor = Server::start();
    let tls = donor.dir.join("tls");
    let cert = tls.join("cert.pem");
    let key = tls.join("key.pem");
    let s = Server::start_with(&[
        ("LATCHKEY_TLS_CERT", cert.to_str().unwrap()),
        ("LATCHKEY_TLS_KEY", key.to_str().unwrap()),
    ]);
    assert!(!s.dir.join("tls").exists(), "no self-signed material made");
    assert!(!s.banner.contains("self-signed"));
    let r = client_for(&donor.dir).get(s.url("/healthz")).send().unwrap();
    assert_eq!(r.status(), 200, "served with the donor's certificate");
}

/// Hardening: failures from one address lock that address out for the
/// username, not the member everywhere; a correct password from an address
/// with no recent failures still signs in (after a short delay).
#[test]
fn failures_from_one_address_do_not_lock_the_admin_out_elsewhere() {
    let http_port = free_port();
    let mut s = Server::start_with(&[
        ("LATCHKEY_HTTP", &format!("127.0.0.1:{http_port}")),
        ("LATCHKEY_TRUSTED_PROXIES", "[\"127.0.0.1\"]"),
        ("LATCHKEY_LOGIN_MAX_FAILURES", "3"),
    ]);
    setup_admin(&s, "admin");
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = |p: &str| format!("http://127.0.0.1:{http_port}{p}");
    let page = http.get(url("/login")).header("x-forwarded-proto", "https").send().unwrap();
    let cookie = cookies_of(&page);
    let token = csrf(&page.text().unwrap());
    let attempt = |client_ip: &str, password: &str| {
        http.post(url("/login"))
            .header("cookie", &cookie)
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-for", format!("{client_ip}, 127.0.0.1"))
            .form(&[("csrf", token.as_str()), ("username", "admin"), ("password", password), ("return_to", "/")])
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    for _ in 0..3 {
        assert_eq!(attempt("198.51.100.1", "wrong password!"), 401);
    }
    assert_eq!(attempt("198.51.100.1", PASSWORD), 429, "the failing address is locked out, even with the password");
    assert_eq!(attempt("203.0.113.7", PASSWORD), 303, "the admin signs in from elsewhere");
    let log = audit_actions(&mut s);
    assert!(log.contains("login.lockout") && log.contains("login.success"), "{log}");
}

/// Hardening: the plain-HTTP listener serves nothing that carries a
/// credential unless a trusted proxy says the client used HTTPS; each
/// refusal is in its endpoint's own format. A peer that is not a trusted
/// proxy cannot claim HTTPS.
#[test]
fn plain_http_serves_credentials_only_behind_a_trusted_https_proxy() {
    let http_port = free_port();
    let s = Server::start_with(&[
        ("LATCHKEY_HTTP", &format!("127.0.0.1:{http_port}")),
        ("LATCHKEY_TRUSTED_PROXIES", "[\"127.0.0.1\"]"),
    ]);
    let out = s
        .cli(&["client", "add", "--json", "--name", "Robot", "--grant", "client_credentials", "--scope", "read"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (id, secret) = (v["client_id"].as_str().unwrap(), v["client_secret"].as_str().unwrap());
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = |p: &str| format!("http://127.0.0.1:{http_port}{p}");
    let token = |proto: Option<&str>| {
        let mut r =
            http.post(url("/oauth2/token")).basic_auth(id, Some(secret)).form(&[("grant_type", "client_credentials")]);
        if let Some(p) = proto {
            r = r.header("x-forwarded-proto", p);
        }
        r.send().unwrap()
    };
    let r = token(None);
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().unwrap();
    assert_eq!(e["error"], "invalid_request");
    assert!(e["error_description"].as_str().unwrap().contains("HTTPS"), "{e}");
    assert_eq!(token(Some("http")).status(), 400, "the proxy says plain http");
    assert_eq!(token(Some("https")).status(), 200, "the trusted proxy says https");

    let r = http.post(url("/oauth1/request")).form(&[("oauth_callback", "oob")]).send().unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("oauth_problem=parameter_rejected"));
    let r = http.get(url("/api/v1/me")).bearer_auth("lkat_x").send().unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (403, "application/problem+json"));
    let r = http.get(url("/login")).send().unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("HTTPS"));
    for open in ["/healthz", "/.well-known/openid-configuration", "/oauth2/jwks"] {
        assert_eq!(http.get(url(open)).send().unwrap().status(), 200, "{open}");
    }

    // The same header from a peer that is not a trusted proxy counts for nothing.
    let untrusted_port = free_port();
    let s2 = Server::start_with(&[
        ("LATCHKEY_HTTP", &format!("127.0.0.1:{untrusted_port}")),
        ("LATCHKEY_TRUSTED_PROXIES", "[\"192.0.2.1\"]"),
    ]);
    let r = http
        .get(format!("http://127.0.0.1:{untrusted_port}/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    drop(s2);
}

/// Hardening: once signed in, a form counts only with the session's token;
/// the visitor cookie's token from before sign-in (which an attacker who
/// planted the cookie would know) is refused. Sign-out, in every page's
/// header, still takes either.
#[test]
fn signed_in_forms_refuse_the_token_from_before_sign_in() {
    let s = Server::start();
    add_member(&s, "vic");
    let c = s.client();
    let visitor_token = csrf(&c.get(s.url("/login")).send().unwrap().text().unwrap());
    assert_eq!(sign_in(&s, &c, "vic", PASSWORD, "/account").status(), 303);
    let change = |token: &str| {
        c.post(s.url("/account/password"))
            .form(&[
                ("csrf", token),
                ("current", PASSWORD),
                ("new", "another long passphrase"),
                ("confirm", "another long passphrase"),
            ])
            .send()
            .unwrap()
    };
    let r = change(&visitor_token);
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("This form has expired"));
    let session_token = csrf(&c.get(s.url("/account")).send().unwrap().text().unwrap());
    assert_ne!(session_token, visitor_token);
    let r = change(&session_token);
    assert_eq!(r.status(), 303, "the session's token is accepted");
    // The sign-in page shown to switch user carries the visitor token, and
    // its header's sign-out button works with it.
    let switch = c.get(s.url("/login?switch=1")).send().unwrap().text().unwrap();
    let r = c.post(s.url("/logout")).form(&[("csrf", csrf(&switch).as_str())]).send().unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("signed_out=1"), "{}", location(&r));
}
