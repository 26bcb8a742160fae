//! Connections with real counterparts: a second latchkey server is the
//! remote OpenID Connect provider of the first (connect by discovery,
//! refresh by the background task, disconnect with RFC 7009 revocation,
//! sign in with it and link), and the refusals: a forged `state`, a wrong
//! `iss`, an id_token signed by another key (a tiny fake provider in this
//! file, for that refusal only), a disabled provider.

use crate::harness::*;
use reqwest::blocking::Client;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The remote provider, the server that connects to it, and the ids.
struct Pair {
    remote: Server,
    local: Server,
    provider: String,
}

const CALLBACK: &str = "/account/connections/callback";

/// A local server that trusts `ca` for outbound calls and renews tokens
/// every second.
fn local_trusting(ca: &std::path::Path) -> Server {
    local_with(ca, &[])
}

fn local_with(ca: &std::path::Path, extra: &[(&str, &str)]) -> Server {
    let mut env = vec![
        ("LATCHKEY_OUTBOUND_ALLOW_PRIVATE", "true"),
        ("LATCHKEY_OUTBOUND_CA_FILE", ca.to_str().unwrap()),
        ("LATCHKEY_CONNECTION_REFRESH_INTERVAL", "1s"),
    ];
    env.extend_from_slice(extra);
    Server::start_with(&env)
}

fn provider_add(local: &Server, args: &[&str], secret: &str) -> std::process::Output {
    let mut all = vec!["provider", "add", "--json"];
    all.extend_from_slice(args);
    local.cli(&all, Some(&format!("{secret}\n")))
}

/// Two servers; the remote one knows the local one as the application
/// "Connector" (access tokens live `access_ttl` seconds); the local one
/// has the remote as the provider "Remote", found by discovery.
fn pair(access_ttl: &str) -> Pair {
    let remote = Server::start();
    let local = local_trusting(&remote.dir.join("tls/ca.pem"));
    let (id, secret) = register(
        &remote,
        &[
            "--name",
            "Connector",
            "--redirect-uri",
            &local.url(CALLBACK),
            "--access-ttl",
            access_ttl,
            "--scope",
            "openid",
            "--scope",
            "profile",
            "--scope",
            "offline_access",
            "--scope",
            "read",
        ],
    );
    let v = json(&provider_add(
        &local,
        &[
            "--name",
            "Remote",
            "--oidc-discovery",
            &remote.base,
            "--client-id",
            &id,
            "--client-secret-stdin",
            "--scope",
            "profile",
            "--scope",
            "offline_access",
            "--api-base",
            &remote.url("/api/v1/"),
            "--sign-in",
        ],
        &secret.unwrap(),
    ));
    assert_eq!(v["issuer"].as_str().unwrap().trim_end_matches('/'), remote.base, "{v}");
    assert_eq!(v["revocation_url"], Value::String(remote.url("/oauth2/revoke")), "{v}");
    assert_eq!(v["callback_url"], Value::String(local.url(CALLBACK)), "{v}");
    add_member(&remote, "rita");
    add_member(&local, "lou");
    Pair { remote, local, provider: v["id"].as_str().unwrap().to_string() }
}

/// The remote browser's part: open the authorization URL, approve on the
/// consent page (or go straight back when consent is remembered); the
/// callback URL it ends in.
fn approve(remote: &Server, browser: &Client, auth_url: &str) -> url::Url {
    assert!(auth_url.starts_with(&remote.url("/oauth2/authorize?")), "{auth_url}");
    let auth = url::Url::parse(auth_url).unwrap();
    let r = browser.get(auth_url).send().unwrap();
    let back = match r.status().as_u16() {
        200 => {
            let html = r.text().unwrap();
            let mut form: Vec<(String, String)> =
                vec![("csrf".into(), csrf(&html)), ("decision".into(), "approve".into())];
            form.extend(auth.query_pairs().into_owned());
            let r = browser.post(remote.url("/oauth2/authorize")).form(&form).send().unwrap();
            assert_eq!(r.status(), 302, "{}", r.text().unwrap_or_default());
            location(&r)
        }
        302 => location(&r),
        other => panic!("authorize answered {other}: {}", r.text().unwrap_or_default()),
    };
    url::Url::parse(&back).unwrap()
}

fn param(u: &url::Url, name: &str) -> Option<String> {
    u.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Posts a form of `page` (its CSRF token) on `s`; the response.
fn post(s: &Server, b: &Client, page: &str, action: &str, form: &[(&str, &str)]) -> reqwest::blocking::Response {
    let html = b.get(s.url(page)).send().unwrap().text().unwrap();
    let token = csrf(&html);
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(form);
    b.post(s.url(action)).form(&all).send().unwrap()
}

/// Starts connecting on the local server: the provider's authorization URL.
fn start_connect(p: &Pair, local_b: &Client) -> String {
    let r =
        post(&p.local, local_b, "/account/connections", "/account/connections/connect", &[("provider", &p.provider)]);
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    location(&r)
}

fn page(s: &Server, b: &Client, path: &str) -> String {
    let r = b.get(s.url(path)).send().unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().unwrap()
}

#[test]
fn connect_over_oidc_refresh_and_disconnect_with_remote_revocation() {
    let p = pair("60");
    let local_b = signed_in(&p.local, "lou");
    let remote_b = signed_in(&p.remote, "rita");

    let auth = start_connect(&p, &local_b);
    let a = url::Url::parse(&auth).unwrap();
    assert_eq!(param(&a, "code_challenge_method").as_deref(), Some("S256"));
    assert!(param(&a, "nonce").is_some() && param(&a, "state").is_some());
    assert_eq!(param(&a, "redirect_uri"), Some(p.local.url(CALLBACK)));
    let back = approve(&p.remote, &remote_b, &auth);
    assert_eq!(param(&back, "iss").map(|i| i.trim_end_matches('/').to_string()), Some(p.remote.base.clone()));
    let r = local_b.get(back.as_str()).send().unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    assert!(location(&r).ends_with("/account/connections?done=connected"), "{}", location(&r));
    let html = page(&p.local, &local_b, "/account/connections?done=connected");
    assert!(html.contains("Your account is connected."), "{html}");
    assert!(html.contains("Remote: Member"), "the remote display name is shown: {html}");
    // The same page in Dutch: the catalogue's words around the remote's own.
    let nl = local_b
        .get(p.local.url("/account/connections?done=connected"))
        .header("Accept-Language", "nl")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(nl.contains("lang=\"nl\"") && nl.contains("Je account is gekoppeld."), "{nl}");
    assert!(nl.contains("Gekoppelde accounts") && nl.contains("Remote: Member") && !nl.contains("Disconnect"), "{nl}");
    let apps = page(&p.local, &local_b, "/account/applications");
    assert!(apps.contains("Accounts you connected") && apps.contains("Remote: Member"), "{apps}");
    // The same state cannot be used twice.
    let again = local_b.get(back.as_str()).send().unwrap();
    assert_eq!(again.status(), 400);
    assert!(again.text().unwrap().contains("already used or expired"));

    // The remote access tokens live 60 s; the task renews them ahead.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let html = page(&p.local, &local_b, "/account/connections");
        if html.contains("class=\"renewed\"") {
            break;
        }
        assert!(Instant::now() < deadline, "no refresh within 30 s; log:\n{}", p.local.log());
        std::thread::sleep(Duration::from_millis(300));
    }

    // The remote lists the grant until the disconnect revokes it.
    assert!(page(&p.remote, &remote_b, "/account/applications").contains("Connector"));
    let html = page(&p.local, &local_b, "/account/connections");
    let id = html.split("data-connection=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = post(&p.local, &local_b, "/account/connections", "/account/connections/disconnect", &[("id", &id)]);
    assert_eq!(r.status(), 303);
    assert!(location(&r).ends_with("done=disconnected"), "revoked remotely: {}", location(&r));
    let html = page(&p.local, &local_b, "/account/connections");
    assert!(html.contains("You have not connected any account."), "{html}");
    assert!(!page(&p.remote, &remote_b, "/account/applications").contains("Connector"), "the remote grant is gone");
    // Someone else's (or a gone) connection is not found.
    let r = post(&p.local, &local_b, "/account/connections", "/account/connections/disconnect", &[("id", &id)]);
    assert_eq!(r.status(), 404);

    // A refused renewal: the member revokes the grant at the remote, the
    // next renewal hears invalid_grant, and the page asks to connect again.
    let back = approve(&p.remote, &remote_b, &start_connect(&p, &local_b));
    assert_eq!(local_b.get(back.as_str()).send().unwrap().status(), 303);
    let apps = page(&p.remote, &remote_b, "/account/applications");
    let client = apps.split("name=\"client_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r =
        post(&p.remote, &remote_b, "/account/applications", "/account/applications/revoke", &[("client_id", &client)]);
    assert_eq!(r.status(), 303);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let html = page(&p.local, &local_b, "/account/connections");
        if html.contains("needs-reconnect") {
            assert!(html.contains("invalid_grant"), "{html}");
            break;
        }
        assert!(Instant::now() < deadline, "no refused renewal within 30 s; log:\n{}", p.local.log());
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn sign_in_with_the_provider_links_after_a_password_and_then_signs_in() {
    let p = pair("3600");
    let remote_b = signed_in(&p.remote, "rita");
    let visitor = p.local.client();
    let login = page(&p.local, &visitor, "/login");
    assert!(login.contains(&format!("/login/provider/{}", p.provider)), "{login}");

    let go = |b: &Client| {
        let r = b.get(p.local.url(&format!("/login/provider/{}?return_to=/account", p.provider))).send().unwrap();
        assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
        let back = approve(&p.remote, &remote_b, &location(&r));
        b.get(back.as_str()).send().unwrap()
    };
    // Unknown identity: not linked by e-mail; a password proves the member.
    let r = go(&visitor);
    assert_eq!(r.status(), 200);
    let html = r.text().unwrap();
    assert!(html.contains("Link your Remote account"), "{html}");
    let handle = html.split("name=\"handle\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let token = csrf(&html);
    let wrong = visitor
        .post(p.local.url("/login/provider/link"))
        .form(&[("csrf", token.as_str()), ("handle", &handle), ("username", "lou"), ("password", "nope")])
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    // The handle is bound to this browser.
    let stranger = p.local.client();
    let html2 = page(&p.local, &stranger, "/login");
    let r = stranger
        .post(p.local.url("/login/provider/link"))
        .form(&[("csrf", csrf(&html2).as_str()), ("handle", &handle), ("username", "lou"), ("password", PASSWORD)])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = visitor
        .post(p.local.url("/login/provider/link"))
        .form(&[("csrf", token.as_str()), ("handle", &handle), ("username", "lou"), ("password", PASSWORD)])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    let html = page(&p.local, &visitor, "/account/connections");
    assert!(html.contains("Accounts you sign in with") && html.contains("Unlink"), "{html}");

    // A fresh browser now signs in as lou through the provider alone.
    let fresh = p.local.client();
    let r = go(&fresh);
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    assert!(location(&r).ends_with("/account"));
    let account = page(&p.local, &fresh, "/account");
    assert!(account.contains("lou"), "{account}");

    // A disabled member is refused.
    let out = p.local.cli(&["user", "disable", "lou"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = go(&p.local.client());
    assert_eq!(r.status(), 403);
    let out = p.local.cli(&["user", "enable", "lou"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // lou has a password, so the link may go (disabling ended the sessions).
    let visitor = signed_in(&p.local, "lou");
    let subject_form = html.split("name=\"subject\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = post(
        &p.local,
        &visitor,
        "/account/connections",
        "/account/connections/unlink",
        &[("provider", &p.provider), ("subject", &subject_form)],
    );
    assert_eq!(r.status(), 303);
    assert!(page(&p.local, &visitor, "/account/connections").contains("You sign in with your password only."));

    // A signed-in browser made to follow a sign-in link (another site can
    // start one) is asked for a password; nothing is linked behind its back.
    let r = go(&visitor);
    assert_eq!(r.status(), 200);
    assert!(r.text().unwrap().contains("Link your Remote account"));
    assert!(page(&p.local, &visitor, "/account/connections").contains("You sign in with your password only."));
}

#[test]
fn forged_state_wrong_iss_and_a_disabled_provider_are_refused() {
    let p = pair("3600");
    let local_b = signed_in(&p.local, "lou");
    let remote_b = signed_in(&p.remote, "rita");

    let r = local_b.get(p.local.url(&format!("{CALLBACK}?state=forged&code=abc"))).send().unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("already used or expired"));

    // The answer claims another issuer (RFC 9207): refused, nothing connected.
    let back = approve(&p.remote, &remote_b, &start_connect(&p, &local_b));
    let mut forged = back.clone();
    let pairs: Vec<(String, String)> = back
        .query_pairs()
        .into_owned()
        .map(|(k, v)| if k == "iss" { (k, "https://evil.example".to_string()) } else { (k, v) })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    let r = local_b.get(forged.as_str()).send().unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().unwrap();
    assert!(text.contains("RFC 9207") && text.contains("evil.example"), "{text}");
    // Without the iss the provider advertises: refused too.
    let back = approve(&p.remote, &remote_b, &start_connect(&p, &local_b));
    let mut bare = back.clone();
    let pairs: Vec<(String, String)> = back.query_pairs().into_owned().filter(|(k, _)| k != "iss").collect();
    bare.query_pairs_mut().clear().extend_pairs(pairs);
    assert_eq!(local_b.get(bare.as_str()).send().unwrap().status(), 400);
    // A callback from another browser than the one that started it.
    let back = approve(&p.remote, &remote_b, &start_connect(&p, &local_b));
    let other = signed_in(&p.local, "lou");
    let r = other.get(back.as_str()).send().unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("another browser"));
    assert!(page(&p.local, &local_b, "/account/connections").contains("You have not connected any account."));

    // A disabled provider starts nothing and shows no sign-in button.
    let out = p.local.cli(&["provider", "disable", "Remote", "--json"], None);
    assert_eq!(json(&out)["disabled"], Value::Bool(true));
    let r = local_b
        .post(p.local.url("/account/connections/connect"))
        .form(&[("csrf", csrf(&page(&p.local, &local_b, "/account/applications")).as_str()), ("provider", &p.provider)])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("disabled"));
    assert!(!page(&p.local, &p.local.client(), "/login").contains("/login/provider/"));

    // The command line shows and deletes it; the secret is never shown.
    let shown = p.local.cli(&["provider", "show", "Remote"], None);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("disabled") && text.contains(CALLBACK), "{text}");
    let listed = json(&p.local.cli(&["provider", "list", "--json"], None));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains("secret"), "{listed}");
    let gone = json(&p.local.cli(&["provider", "delete", "Remote", "--json"], None));
    assert_eq!(gone["connections_removed"], 0);
    assert_eq!(json(&p.local.cli(&["provider", "list", "--json"], None)), Value::Array(vec![]));
}

#[test]
fn bad_provider_registrations_are_refused_in_plain_words() {
    let remote = Server::start();
    let local = local_trusting(&remote.dir.join("tls/ca.pem"));
    let add = |extra: &[&str]| {
        let mut args =
            vec!["--name", "X", "--client-id", "id", "--client-secret-stdin", "--api-base", "https://api.example/"];
        args.extend_from_slice(extra);
        let out = provider_add(&local, &args, "s");
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    // Discovery that fails, and a document that names another issuer.
    let e = add(&["--oidc-discovery", &local.url("/nothing-here")]);
    assert!(e.contains("discovery document"), "{e}");
    let e = add(&["--oauth2", "--authorize-url", "ftp://x.example/a", "--token-url", "https://x.example/t"]);
    assert!(e.contains("authorize_url"), "{e}");
    // The admin page names the field too, and keeps what was typed.
    let admin = setup_admin(&local, "boss");
    let html = page(&local, &admin, "/admin/providers");
    let r = admin
        .post(local.url("/admin/providers"))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("name", "Page"),
            ("protocol", "oidc"),
            ("discovery_url", &remote.base),
            ("client_id", "abc"),
            ("client_secret", "s3cret"),
            ("api_base", "not a url"),
            ("member_connect", "on"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().unwrap();
    assert!(
        text.contains("API base (api_base): ") && text.contains("value=\"abc\"") && !text.contains("s3cret"),
        "{text}"
    );
    let r = admin
        .post(local.url("/admin/providers"))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("name", "Page"),
            ("protocol", "oidc"),
            ("discovery_url", &remote.base),
            ("client_id", "abc"),
            ("client_secret", "s3cret"),
            ("api_base", &remote.url("/api/v1/")),
            ("member_connect", "on"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    let shown = page(&local, &admin, &location(&r).replace(&local.base, ""));
    assert!(shown.contains(&local.url(CALLBACK)) && !shown.contains("s3cret"), "{shown}");
    let audit = page(&local, &admin, "/admin/audit?action=provider.create");
    assert!(audit.contains("provider.create"), "{audit}");
}

mod fake {
    //! A tiny OIDC provider over plain HTTP on loopback that signs its
    //! id_tokens with the key it publishes, or with another one.

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ring::signature::{Ed25519KeyPair, KeyPair};
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    pub struct Fake {
        pub base: String,
        /// The nonce to put in the next id_token, and whether to sign it
        /// with the key that is not published.
        pub next: Arc<Mutex<(String, bool)>>,
    }

    fn key() -> (Vec<u8>, Ed25519KeyPair) {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref().to_vec();
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).unwrap();
        (pkcs8, pair)
    }

    pub fn start(client_id: &'static str) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let (good, good_pair) = key();
        let (bad, _) = key();
        let jwks = serde_json::json!({"keys": [{
            "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": "good",
            "x": URL_SAFE_NO_PAD.encode(good_pair.public_key().as_ref()),
        }]});
        let next = Arc::new(Mutex::new((String::new(), false)));
        let (b, n) = (base.clone(), next.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                reader.read_line(&mut first).unwrap_or(0);
                let mut length = 0usize;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
                let answer = if path.starts_with("/.well-known/openid-configuration") {
                    serde_json::json!({
                        "issuer": b, "authorization_endpoint": format!("{b}/authorize"),
                        "token_endpoint": format!("{b}/token"), "jwks_uri": format!("{b}/jwks"),
                    })
                } else if path.starts_with("/jwks") {
                    jwks.clone()
                } else {
                    let (nonce, wrong) = n.lock().unwrap().clone();
                    let claims = serde_json::json!({
                        "iss": b, "sub": "fake-1", "aud": client_id, "nonce": nonce, "name": "Fake Person",
                        "iat": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(),
                        "exp": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 300,
                    });
                    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
                    header.kid = Some("good".into());
                    let der = if wrong { &bad } else { &good };
                    let token =
                        jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_ed_der(der)).unwrap();
                    serde_json::json!({"access_token": "fake-access", "token_type": "Bearer", "id_token": token})
                };
                let text = answer.to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        Fake { base, next }
    }
}

#[test]
fn an_id_token_signed_by_another_key_is_refused_and_open_registration_makes_members() {
    let remote = Server::start();
    let local = local_with(&remote.dir.join("tls/ca.pem"), &[("LATCHKEY_REGISTRATION", "open")]);
    let f = fake::start("fake-client");
    let v = json(&provider_add(
        &local,
        &[
            "--name",
            "Fake",
            "--oidc-discovery",
            &f.base,
            "--client-id",
            "fake-client",
            "--client-secret-stdin",
            "--api-base",
            &format!("{}/api/", f.base),
            "--sign-in",
        ],
        "fake-secret",
    ));
    let provider = v["id"].as_str().unwrap().to_string();
    add_member(&local, "lou");
    let b = signed_in(&local, "lou");
    let attempt = |wrong: bool| {
        let html = page(&local, &b, "/account/connections");
        let r = b
            .post(local.url("/account/connections/connect"))
            .form(&[("csrf", csrf(&html).as_str()), ("provider", &provider)])
            .send()
            .unwrap();
        assert_eq!(r.status(), 303);
        let auth = url::Url::parse(&location(&r)).unwrap();
        *f.next.lock().unwrap() = (param(&auth, "nonce").unwrap(), wrong);
        let state = param(&auth, "state").unwrap();
        b.get(local.url(&format!("{CALLBACK}?code=c&state={state}"))).send().unwrap()
    };
    // Signed with the published key: connected (the fake is sound).
    let ok = attempt(false);
    assert_eq!(ok.status(), 303, "{}", ok.text().unwrap_or_default());
    assert!(page(&local, &b, "/account/connections").contains("Fake: Fake Person"));
    // Signed with another key: refused in plain words.
    let bad = attempt(true);
    assert_eq!(bad.status(), 400);
    let text = bad.text().unwrap();
    assert!(text.contains("signature does not verify"), "{text}");

    // Someone new signs in with it: with open registration, a new member
    // (no password) linked to that identity.
    let sign_in = |b: &Client| {
        let r = b.get(local.url(&format!("/login/provider/{provider}"))).send().unwrap();
        assert_eq!(r.status(), 303);
        let auth = url::Url::parse(&location(&r)).unwrap();
        *f.next.lock().unwrap() = (param(&auth, "nonce").unwrap(), false);
        let state = param(&auth, "state").unwrap();
        b.get(local.url(&format!("{CALLBACK}?code=c&state={state}"))).send().unwrap()
    };
    let visitor = local.client();
    let r = sign_in(&visitor);
    assert_eq!(r.status(), 200);
    let html = r.text().unwrap();
    assert!(html.contains("register-with-provider"), "{html}");
    let handle = html.split("name=\"handle\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let token = csrf(&html);
    let create = |name: &str| {
        visitor
            .post(local.url("/login/provider/register"))
            .form(&[("csrf", token.as_str()), ("handle", &handle), ("username", name), ("email", "fay@example.org")])
            .send()
            .unwrap()
    };
    let taken = create("lou");
    assert_eq!(taken.status(), 400);
    assert!(taken.text().unwrap().contains("This username is taken"));
    let r = create("fay");
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    assert!(page(&local, &visitor, "/account").contains("fay"));
    // Next time the provider alone signs fay in.
    let fresh = local.client();
    assert_eq!(sign_in(&fresh).status(), 303);
    assert!(page(&local, &fresh, "/account").contains("fay"));
    // Her only way in stays.
    let r = post(
        &local,
        &fresh,
        "/account/connections",
        "/account/connections/unlink",
        &[("provider", &provider), ("subject", "fake-1")],
    );
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("only way to sign in"));
}
