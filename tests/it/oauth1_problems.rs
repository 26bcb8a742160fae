//! OAuth 1.0a refusals against the real server, each with its Problem
//! Reporting parameters and the status RFC 5849 §3.2 gives it, and a server
//! behind a TLS-terminating proxy under a sub-folder.

use crate::harness::*;
use crate::oauth1_client::*;
use latchkey::oauth1::signature::{SignatureMethod, sign as server_sign};

fn raw(s: &Server, http: &reqwest::blocking::Client, path: &str, header: &str, query: &str) -> Answer {
    let url = if query.is_empty() { s.url(path) } else { format!("{}?{query}", s.url(path)) };
    send_with(http, "POST", &Signed { url, header: Some(header.to_string()), body: None }, &[])
}

fn problem(a: &Answer) -> (u16, String) {
    let p = if a.content_type.starts_with("application/problem+json") {
        a.json()["oauth_problem"].as_str().unwrap_or_default().to_string()
    } else {
        a.form().get("oauth_problem").cloned().unwrap_or_default()
    };
    // 401s name the scheme and the realm; other refusals do not challenge.
    assert_eq!(
        a.status == 401,
        a.www_authenticate.as_deref().is_some_and(|w| w.starts_with("OAuth realm=\"")),
        "{a:?}"
    );
    (a.status, p)
}

/// The `oauth_signature` a header carries, decoded.
fn signature_of(header: &str) -> String {
    latchkey::oauth1::params::parse_authorization_header(header)
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == "oauth_signature")
        .unwrap()
        .1
}

fn printer_request<'a>(s: &Server, c: &'a Consumer) -> Req<'a> {
    let mut r = Req::new(s, "POST", "/oauth1/request", c);
    r.callback = Some("https://printer.example.com/ready");
    r
}

/// A request the client signs for the public URL and sends to the plain
/// listener, as a proxy at https://example.org/sub/ would forward it.
fn via_proxy<'a>(s: &Server, http_port: u16, method: &'a str, path: &str, c: &'a Consumer) -> Req<'a> {
    let mut r = Req::new(s, method, path, c);
    r.signed_url = format!("https://example.org/sub{path}");
    r.send_url = format!("http://127.0.0.1:{http_port}{path}");
    r
}

#[test]
fn refusals_explain_themselves() {
    let s = Server::start();
    add_member(&s, "fay");
    let c = register_consumer(&s, &["--name", "Checker", "--callback", "https://printer.example.com/ready"]);
    let http = s.client();
    let m = Method::HmacSha1;
    let request = |c| printer_request(&s, c);

    // A replayed request: same nonce, timestamp and signature.
    let ts = now();
    let mut fixed = request(&c);
    fixed.nonce = Some("fixed-nonce-1");
    fixed.timestamp = Some(ts);
    let first = sign(&m, &fixed);
    assert_eq!(send_with(&http, "POST", &first, &[]).status, 200);
    let replay = send_with(&http, "POST", &first, &[]);
    assert_eq!(problem(&replay), (401, "nonce_used".into()));
    assert!(replay.content_type.starts_with("application/x-www-form-urlencoded"));

    // A stale timestamp, with the window the server would take.
    let mut stale = request(&c);
    stale.timestamp = Some(ts - 3600);
    let a = call(&http, &m, &stale);
    assert_eq!(problem(&a), (401, "timestamp_refused".into()));
    let window = a.form()["oauth_acceptable_timestamps"].clone();
    let (lo, hi) = window.split_once('-').unwrap();
    let (lo, hi): (u64, u64) = (lo.parse().unwrap(), hi.parse().unwrap());
    assert!(lo <= ts && ts <= hi && hi - lo == 600, "{window}");

    // A wrong secret: the advice is the base string the server computed,
    // exactly what the right secret signs.
    let wrong = Consumer { secret: "not-the-secret".into(), ..c.clone() };
    let mut r = request(&wrong);
    r.nonce = Some("fixed-nonce-2");
    r.timestamp = Some(ts);
    let a = call(&http, &m, &r);
    assert_eq!(problem(&a), (401, "signature_invalid".into()));
    let base = a.form()["oauth_problem_advice"].clone();
    let port = s.port;
    assert!(
        base.starts_with(&format!("POST&https%3A%2F%2Flocalhost%3A{port}%2Foauth1%2Frequest&oauth_callback%3D")),
        "{base}"
    );
    let mut right = request(&c);
    right.nonce = Some("fixed-nonce-2");
    right.timestamp = Some(ts);
    let header = sign(&m, &right).header.unwrap();
    assert_eq!(server_sign(SignatureMethod::HmacSha1, &base, &c.secret, "").unwrap(), signature_of(&header));

    // Unknown and disabled consumers.
    let stranger = Consumer { key: "lkc_nobodyknowsme".into(), ..c.clone() };
    assert_eq!(problem(&call(&http, &m, &request(&stranger))), (401, "consumer_key_unknown".into()));

    // Absent, unsupported and duplicated parameters are 400s that name them.
    let a = raw(&s, &http, "/oauth1/request", &format!("OAuth oauth_consumer_key=\"{}\"", c.key), "");
    assert_eq!(problem(&a), (400, "parameter_absent".into()));
    assert_eq!(
        a.form()["oauth_parameters_absent"],
        "oauth_signature_method&oauth_signature&oauth_timestamp&oauth_nonce"
    );
    let full = |extra: &str| {
        format!(
            "OAuth oauth_consumer_key=\"{}\", oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"x\", \
             oauth_timestamp=\"{}\", oauth_nonce=\"n{}\", oauth_callback=\"oob\"{extra}",
            c.key,
            now(),
            rand::random::<u32>()
        )
    };
    let a = raw(&s, &http, "/oauth1/request", &full(", oauth_version=\"2.0\""), "");
    assert_eq!(problem(&a), (400, "version_rejected".into()));
    assert_eq!(a.form()["oauth_acceptable_versions"], "1.0-1.0");
    let a = raw(&s, &http, "/oauth1/request", &full("").replace("HMAC-SHA1", "MD5"), "");
    assert_eq!(problem(&a), (400, "signature_method_rejected".into()));
    let a = raw(&s, &http, "/oauth1/request", &full(""), "oauth_nonce=again");
    assert_eq!(problem(&a), (400, "parameter_rejected".into()));
    assert_eq!(a.form()["oauth_parameters_rejected"], "oauth_nonce");
    // Malformed input is a 400 that says why, never a 500.
    for bad in ["OAuth oauth_consumer_key=unquoted", "OAuth a=\"%zz\"", "OAuth a=\"%FF\""] {
        let a = raw(&s, &http, "/oauth1/request", bad, "");
        assert_eq!(problem(&a), (400, "parameter_rejected".into()), "{bad}");
        assert!(!a.form()["oauth_problem_advice"].is_empty());
    }
    let a = send_with(
        &http,
        "POST",
        &Signed { url: s.url("/oauth1/request"), header: None, body: Some("oauth_consumer_key=%FF%FE".into()) },
        &[],
    );
    assert_eq!(a.status, 400, "{a:?}");

    // Callback rules: a mismatch says which part; none at all is absent.
    let mut r = request(&c);
    r.callback = Some("https://printer.example.com:8443/ready");
    let a = call(&http, &m, &r);
    assert_eq!(problem(&a), (400, "parameter_rejected".into()));
    assert!(a.form()["oauth_problem_advice"].contains("port"), "{a:?}");
    let mut r = request(&c);
    r.callback = None;
    let a = call(&http, &m, &r);
    assert_eq!(
        (problem(&a), a.form()["oauth_parameters_absent"].as_str()),
        ((400, "parameter_absent".into()), "oauth_callback")
    );
    // The first step carries no token.
    let a = call(&http, &m, &request(&c).token("lkrq_x", "y"));
    assert_eq!(problem(&a), (400, "parameter_rejected".into()));

    // Tokens: a request token is no access token; a wrong token secret fails
    // the signature; an API replay is caught too.
    let (rt, rts) = temporary(&s, &http, &m, &c, "https://printer.example.com/ready");
    let a = me(&s, &http, &m, &c, &(rt.clone(), rts.clone()), Place::Header);
    assert_eq!(problem(&a), (401, "token_rejected".into()));
    let tok = three_legged(&s, &http, &m, &c, "fay", "https://printer.example.com/ready");
    let a = me(&s, &http, &m, &c, &(tok.0.clone(), "wrong".into()), Place::Header);
    assert_eq!(problem(&a), (401, "signature_invalid".into()));
    assert!(a.json()["oauth_problem_advice"].as_str().unwrap().starts_with("GET&https%3A%2F%2Flocalhost"));
    let mut api = Req::new(&s, "GET", "/api/v1/me", &c).token(&tok.0, &tok.1);
    api.nonce = Some("api-nonce");
    let once = sign(&m, &api);
    assert_eq!(send_with(&http, "GET", &once, &[]).status, 200);
    assert_eq!(problem(&send_with(&http, "GET", &once, &[])), (401, "nonce_used".into()));
    // The consumer's own errand with another consumer's token is refused.
    let other = register_consumer(&s, &["--name", "Other"]);
    let a = me(&s, &http, &m, &other, &tok, Place::Header);
    assert_eq!(problem(&a), (401, "token_rejected".into()));

    // Disabling the consumer stops its tokens at once; enabling restores them.
    assert!(s.cli(&["client", "disable", &c.key], None).status.success());
    assert_eq!(problem(&me(&s, &http, &m, &c, &tok, Place::Header)), (401, "consumer_key_rejected".into()));
    assert_eq!(problem(&call(&http, &m, &request(&c))), (401, "consumer_key_rejected".into()));
    assert!(s.cli(&["client", "enable", &c.key], None).status.success());
    assert_eq!(me(&s, &http, &m, &c, &tok, Place::Header).status, 200);

    // A rotated consumer secret replaces the old one at once.
    let out = s.cli(&["client", "rotate-secret", &c.key, "--json"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fresh = Consumer { secret: v["consumer_secret"].as_str().unwrap().into(), ..c.clone() };
    assert_eq!(problem(&me(&s, &http, &m, &c, &tok, Place::Header)), (401, "signature_invalid".into()));
    assert_eq!(me(&s, &http, &m, &fresh, &tok, Place::Header).status, 200);

    // Revoking the member's grant on the Applications page ends the token at once.
    let browser = signed_in(&s, "fay");
    let page = browser.get(s.url("/account/applications")).send().unwrap().text().unwrap();
    let marker = "name=\"client_id\" value=\"";
    let id_at = page.find(marker).expect("the application is listed") + marker.len();
    let id = page[id_at..].split('"').next().unwrap().to_string();
    let r = browser
        .post(s.url("/account/applications/revoke"))
        .form(&[("csrf", csrf(&page).as_str()), ("client_id", id.as_str()), ("name", "Checker")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let a = me(&s, &http, &m, &fresh, &tok, Place::Header);
    assert_eq!(problem(&a), (401, "token_revoked".into()));
}

#[test]
fn request_and_access_tokens_expire() {
    let s = Server::start_with(&[("LATCHKEY_OAUTH1_REQUEST_TOKEN_LIFETIME", "4s")]);
    add_member(&s, "gus");
    let c =
        register_consumer(&s, &["--name", "Short", "--callback", "https://a.example/cb", "--oauth1-token-ttl", "4"]);
    let http = s.client();
    let m = Method::HmacSha1;
    let tok = three_legged(&s, &http, &m, &c, "gus", "https://a.example/cb");
    assert_eq!(me(&s, &http, &m, &c, &tok, Place::Header).status, 200);
    let (rt, rts) = temporary(&s, &http, &m, &c, "https://a.example/cb");
    // Whole seconds: 4s may be just over 3s; 5.1s is past it either way.
    std::thread::sleep(std::time::Duration::from_millis(5100));
    assert_eq!(problem(&me(&s, &http, &m, &c, &tok, Place::Header)), (401, "token_expired".into()));
    assert_eq!(problem(&exchange(&s, &http, &m, &c, (&rt, &rts), "v")), (401, "token_expired".into()));
    let r = signed_in(&s, "gus").get(s.url(&format!("/oauth1/authorize?oauth_token={rt}"))).send().unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("expired"));
}

#[test]
fn behind_a_proxy_under_a_sub_folder() {
    let http_port = free_port();
    let s = Server::start_with(&[
        ("LATCHKEY_HTTP", &format!("127.0.0.1:{http_port}")),
        ("LATCHKEY_TRUSTED_PROXIES", "[\"127.0.0.1\"]"),
        ("LATCHKEY_PUBLIC_URL", "https://example.org/sub/"),
    ]);
    add_member(&s, "hal");
    let c = register_consumer(
        &s,
        &[
            "--name",
            "Proxied",
            "--callback",
            "oob",
            "--signature-method",
            "HMAC-SHA1",
            "--signature-method",
            "PLAINTEXT",
        ],
    );
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let m = Method::HmacSha1;
    // The proxy takes https://example.org/sub/... and forwards /... here.
    let via_proxy = |method, path, c| via_proxy(&s, http_port, method, path, c);
    let forwarded = [("x-forwarded-proto", "https"), ("x-forwarded-for", "203.0.113.5")];

    let mut r = via_proxy("POST", "/oauth1/request", &c);
    r.callback = Some("oob");
    let a = send_with(&http, "POST", &sign(&m, &r), &forwarded);
    assert_eq!(a.status, 200, "{a:?}");
    let (t, ts) = (a.form()["oauth_token"].clone(), a.form()["oauth_token_secret"].clone());

    // Signed for the address the server sees instead: refused, and the
    // advice shows the public URL in the base string.
    let mut naive = via_proxy("POST", "/oauth1/request", &c);
    naive.signed_url = naive.send_url.clone();
    naive.callback = Some("oob");
    let a = send_with(&http, "POST", &sign(&m, &naive), &forwarded);
    assert_eq!(a.status, 401);
    assert!(
        a.form()["oauth_problem_advice"].starts_with("POST&https%3A%2F%2Fexample.org%2Fsub%2Foauth1%2Frequest&"),
        "{a:?}"
    );
    assert!(a.www_authenticate.unwrap().contains("realm=\"https://example.org/sub/\""));

    // The member approves (the browser reaches the HTTPS listener directly).
    let browser = signed_in(&s, "hal");
    let page = browser.get(s.url(&format!("/oauth1/authorize?oauth_token={t}"))).send().unwrap().text().unwrap();
    assert!(page.contains("action=\"/sub/oauth1/authorize\""), "the form posts under the public path: {page}");
    let done = browser
        .post(s.url("/oauth1/authorize"))
        .form(&[("csrf", csrf(&page).as_str()), ("oauth_token", t.as_str()), ("decision", "approve")])
        .send()
        .unwrap()
        .text()
        .unwrap();
    let at = done.find("<code id=\"verifier\">").unwrap() + "<code id=\"verifier\">".len();
    let v = done[at..].split('<').next().unwrap().to_string();

    let mut r = via_proxy("POST", "/oauth1/access", &c).token(&t, &ts);
    r.verifier = Some(&v);
    let a = send_with(&http, "POST", &sign(&m, &r), &forwarded);
    assert_eq!(a.status, 200, "{a:?}");
    let tok = (a.form()["oauth_token"].clone(), a.form()["oauth_token_secret"].clone());
    for place in [Place::Header, Place::Query] {
        let r = via_proxy("GET", "/api/v1/me", &c).token(&tok.0, &tok.1).place(place);
        let a = send_with(&http, "GET", &sign(&m, &r), &forwarded);
        assert_eq!(a.status, 200, "{place:?}: {a:?}");
        assert_eq!(a.json()["username"], "hal");
    }
    // PLAINTEXT: fine when the proxy says HTTPS; over plain HTTP the
    // listener refuses any credential before the signature is looked at.
    let r = via_proxy("GET", "/api/v1/me", &c).token(&tok.0, &tok.1);
    assert_eq!(send_with(&http, "GET", &sign(&Method::Plaintext, &r), &forwarded).status, 200);
    let a = send_with(&http, "GET", &sign(&Method::Plaintext, &r), &[]);
    assert_eq!(a.status, 403, "{a:?}");
    assert!(a.json()["detail"].as_str().unwrap().contains("HTTPS"), "{a:?}");
}

/// Everything in `haystack` that equals `needle`, as raw bytes.
fn contains_bytes(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn secrets_are_sealed_at_rest_and_survive_a_restart() {
    use std::os::unix::fs::PermissionsExt;
    let s = Server::start();
    add_member(&s, "ivy");
    let c = register_consumer(&s, &["--name", "Sealed", "--callback", "https://a.example/cb"]);
    let key_file = s.dir.join("secret.key");
    let mode = std::fs::metadata(&key_file).expect("made on first use").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let http = s.client();
    let m = Method::HmacSha1;
    let tok = three_legged(&s, &http, &m, &c, "ivy", "https://a.example/cb");
    let list = String::from_utf8_lossy(&s.cli(&["client", "list"], None).stdout).to_string();
    assert!(list.contains(&c.key) && list.contains("oauth1"), "{list}");

    let s = s.restart();
    let http = s.client();
    assert_eq!(me(&s, &http, &m, &c, &tok, Place::Header).status, 200, "the sealed secrets open after a restart");
    let mut s = s;
    assert!(s.stop().success());
    let db = std::fs::read(s.dir.join("latchkey.redb")).unwrap();
    assert!(!contains_bytes(&db, &c.secret), "the consumer secret is not in the database in the clear");
    assert!(!contains_bytes(&db, &tok.1), "nor the token secret");
    assert!(!contains_bytes(&db, &tok.0), "nor the token itself (only its digest)");
    assert!(contains_bytes(&db, &c.key), "the consumer key is public and indexed");
}

/// Hardening: a callback holding control characters or raw delimiters is
/// refused at the first step (a URL parser would drop or encode them, so the
/// checked and the redirected callback could differ), and the member is
/// sent to the serialised URL, never to the raw text.
#[test]
fn callbacks_with_control_characters_are_refused_and_the_serialised_url_is_used() {
    let s = Server::start();
    add_member(&s, "gus");
    let c = register_consumer(&s, &["--name", "Strict", "--callback", "https://printer.example.com/ready"]);
    let http = s.client();
    let m = Method::HmacSha1;
    for bad in [
        "https://printer.example.com/ready?a=1\r\nSet-Cookie:%20x=y",
        "https://printer.exa\tmple.com/ready",
        "https://printer.example.com/ready?q=<script>",
        "https://printer.example.com/ready?q=\"x\"",
    ] {
        let mut r = printer_request(&s, &c);
        r.callback = Some(bad);
        let a = call(&http, &m, &r);
        assert_eq!(problem(&a), (400, "parameter_rejected".into()), "{bad:?}");
        assert!(a.form()["oauth_problem_advice"].contains("control characters"), "{a:?}");
    }
    let (token, _) = temporary(&s, &http, &m, &c, "https://PRINTER.example.com:443/ready?job=7");
    let browser = signed_in(&s, "gus");
    let page = browser.get(s.url(&format!("/oauth1/authorize?oauth_token={token}"))).send().unwrap();
    let html = page.text().unwrap();
    let r = browser
        .post(s.url("/oauth1/authorize"))
        .form(&[("csrf", csrf(&html).as_str()), ("oauth_token", token.as_str()), ("decision", "allow")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(to.starts_with("https://printer.example.com/ready?job=7&oauth_token="), "{to}");
}
