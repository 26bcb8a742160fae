//! OAuth 1.0a nonces outlive the process: a request replayed after a clean
//! restart or after a crash is still `nonce_used`, whether its nonce was
//! written before the answer (a request that changes something) or in the
//! next batch (a safe request).

use crate::harness::*;
use crate::oauth1_client::*;

/// Fixed, so that signatures made before a restart (on another port) still
/// match the base string URI after it.
const PUBLIC: &str = "https://social.example.org";

fn at<'a>(s: &Server, method: &'a str, path: &str, c: &'a Consumer, nonce: &'a str) -> Req<'a> {
    let mut r = Req::new(s, method, path, c);
    r.signed_url = format!("{PUBLIC}{path}");
    r.nonce = Some(nonce);
    if method == "POST" {
        r.callback = Some("oob");
    }
    r
}

/// The same signed request, sent to where `s` listens now.
fn resend(s: &Server, signed: &Signed, method: &str, path: &str) -> (u16, String) {
    let again = Signed { url: s.url(path), header: signed.header.clone(), body: signed.body.clone() };
    let a = send_with(&s.client(), method, &again, &[]);
    let problem = if a.content_type.starts_with("application/problem+json") {
        a.json()["oauth_problem"].as_str().unwrap_or_default().to_string()
    } else {
        a.form().get("oauth_problem").cloned().unwrap_or_default()
    };
    (a.status, problem)
}

#[test]
fn nonces_outlive_restarts_and_crashes() {
    let s = Server::start_with(&[("LATCHKEY_PUBLIC_URL", PUBLIC)]);
    let c = register_consumer(&s, &["--name", "Replayer", "--two-legged", "--callback", "oob"]);
    let m = Method::HmacSha1;
    let get = |s: &Server, nonce: &'static str| sign(&m, &at(s, "GET", "/api/v1/me", &c, nonce));
    let post = |s: &Server, nonce: &'static str| sign(&m, &at(s, "POST", "/oauth1/request", &c, nonce));
    // Two-legged, the consumer acts as itself: /me is refused after the
    // request was verified (and its nonce taken), so 403 means "accepted".
    let me_ok = (403, "permission_denied".to_string());
    let used = (401, "nonce_used".to_string());

    // Sent right before a clean stop: the queued nonce is written on the way out.
    let (g1, p1) = (get(&s, "get-1"), post(&s, "post-1"));
    assert_eq!(resend(&s, &g1, "GET", "/api/v1/me"), me_ok);
    assert_eq!(resend(&s, &p1, "POST", "/oauth1/request").0, 200);
    assert_eq!(resend(&s, &g1, "GET", "/api/v1/me"), used, "caught in memory");
    let s = s.restart();
    assert_eq!(resend(&s, &g1, "GET", "/api/v1/me"), used, "caught in the store after a clean restart");
    assert_eq!(resend(&s, &p1, "POST", "/oauth1/request"), used);

    // A crash: the POST's nonce was durable before its answer; the GET's is
    // durable once its batch is written, well within a second.
    let (g2, p2) = (get(&s, "get-2"), post(&s, "post-2"));
    assert_eq!(resend(&s, &p2, "POST", "/oauth1/request").0, 200);
    assert_eq!(resend(&s, &g2, "GET", "/api/v1/me"), me_ok);
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let s = s.crash_restart();
    assert_eq!(resend(&s, &p2, "POST", "/oauth1/request"), used, "durable before the answer");
    assert_eq!(resend(&s, &g2, "GET", "/api/v1/me"), used, "durable with its batch");
    // Fresh nonces still pass after all that.
    assert_eq!(resend(&s, &get(&s, "get-3"), "GET", "/api/v1/me"), me_ok);
}
