//! Monitoring a real server: `/metrics` in the Prometheus text format and
//! who may read it (the addresses in `metrics_allow`, or the bearer
//! `metrics_token` over HTTPS only), a counter that moves when a token is
//! issued, `/readyz` and `/healthz`, and log lines in JSON.

use crate::harness::*;
use serde_json::Value;

const TOKEN: &str = "metrics-token-0123456789";

/// The value of one sample in a scrape, 0 when it is not there yet.
pub fn sample(text: &str, name: &str) -> f64 {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok()).unwrap_or(0.0)
}

pub fn scrape(s: &Server) -> String {
    let r = s.client().get(s.url("/metrics")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    r.text().unwrap()
}

#[test]
fn metrics_count_tokens_requests_and_commits_for_loopback() {
    let s = Server::start();
    let (id, secret) = register(&s, &["--name", "Robot", "--grant", "client_credentials", "--scope", "read"]);
    let before = scrape(&s);
    let issued = "latchkey_tokens_issued_total{grant_type=\"client_credentials\"}";
    for _ in 0..2 {
        let r = s
            .client()
            .post(s.url("/oauth2/token"))
            .basic_auth(&id, secret.as_deref())
            .form(&[("grant_type", "client_credentials")])
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let after = scrape(&s);
    assert_eq!(sample(&after, issued) - sample(&before, issued), 2.0, "{after}");
    // Requests are counted by route pattern, never by the raw path.
    let token_route = "latchkey_http_requests_total{route=\"/oauth2/token\",method=\"POST\",status=\"2xx\"}";
    assert!(sample(&after, token_route) >= 2.0, "{after}");
    s.client().get(s.url("/api/v1/users/12345")).send().unwrap();
    s.client().get(s.url("/no/such/page/987")).send().unwrap();
    let later = scrape(&s);
    assert!(later.contains("route=\"/api/v1/users/{id}\""), "{later}");
    assert!(!later.contains("12345") && !later.contains("987"), "no raw path in a label");
    assert!(later.contains("route=\"unmatched\""), "{later}");
    assert!(sample(&later, "latchkey_store_commit_duration_seconds_count") >= 2.0, "{later}");
    assert!(sample(&later, "latchkey_store_commit_batch_size_sum") >= 2.0);
    assert_eq!(sample(&later, "latchkey_active_grants"), 1.0, "the application's own grant");
    assert!(later.contains("latchkey_outbox_depth 0"), "{later}");
    assert!(later.contains("latchkey_signin_failures_total 0"));
}

#[test]
fn metrics_outside_the_allowed_addresses_need_the_token_over_https() {
    let http_port = free_port();
    let http = format!("127.0.0.1:{http_port}");
    let s = Server::start_with(&[
        ("LATCHKEY_METRICS_ALLOW", "[]"),
        ("LATCHKEY_METRICS_TOKEN", TOKEN),
        ("LATCHKEY_HTTP", http.as_str()),
    ]);
    let c = s.client();
    let none = c.get(s.url("/metrics")).send().unwrap();
    assert_eq!(none.status(), 401);
    assert!(none.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
    assert_eq!(c.get(s.url("/metrics")).bearer_auth("wrong-token-0123456789").send().unwrap().status(), 401);
    let ok = c.get(s.url("/metrics")).bearer_auth(TOKEN).send().unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.text().unwrap().contains("# TYPE latchkey_http_requests_total counter"));
    // Plain HTTP: the token would travel in clear text, so it opens nothing.
    let plain = reqwest::blocking::Client::new();
    let r = plain.get(format!("http://{http}/metrics")).bearer_auth(TOKEN).send().unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("HTTPS only"));
    // The health endpoints stay open there.
    assert_eq!(plain.get(format!("http://{http}/healthz")).send().unwrap().status(), 200);
    assert_eq!(plain.get(format!("http://{http}/readyz")).send().unwrap().status(), 200);
}

#[test]
fn metrics_without_a_token_are_refused_to_other_addresses_and_plain_http_scrapes_work() {
    let http_port = free_port();
    let http = format!("127.0.0.1:{http_port}");
    let s = Server::start_with(&[("LATCHKEY_METRICS_ALLOW", "[\"10.9.9.9\"]"), ("LATCHKEY_HTTP", http.as_str())]);
    let r = s.client().get(s.url("/metrics")).bearer_auth(TOKEN).send().unwrap();
    assert_eq!(r.status(), 403, "no token configured: nothing opens it");
    assert!(r.text().unwrap().contains("metrics_allow"));
    drop(s);
    // The default (loopback) lets a scraper on this machine in over plain HTTP.
    let http_port = free_port();
    let http = format!("127.0.0.1:{http_port}");
    let _s = Server::start_with(&[("LATCHKEY_HTTP", http.as_str())]);
    let plain = reqwest::blocking::Client::new();
    assert_eq!(plain.get(format!("http://{http}/metrics")).send().unwrap().status(), 200);
    // A request relayed by a proxy nobody listed in trusted_proxies is not
    // taken for a loopback client.
    let relayed = plain.get(format!("http://{http}/metrics")).header("X-Forwarded-For", "127.0.0.1").send().unwrap();
    assert_eq!(relayed.status(), 403);
}

#[test]
fn readyz_commits_and_healthz_stays_liveness() {
    let s = Server::start();
    for path in ["/readyz", "/healthz"] {
        let r = s.client().get(s.url(path)).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let v: Value = r.json().unwrap();
        assert_eq!(v["status"], "ok");
    }
    // Probes within a second share one write.
    let commits = |s: &Server| sample(&scrape(s), "latchkey_store_commit_duration_seconds_count");
    let before = commits(&s);
    let started = std::time::Instant::now();
    let c = s.client();
    for _ in 0..20 {
        assert_eq!(c.get(s.url("/readyz")).send().unwrap().status(), 200);
    }
    let seconds = started.elapsed().as_secs_f64().ceil();
    let probes = commits(&s) - before;
    assert!(probes <= seconds + 1.0, "at most one probe write a second: {probes} in {seconds} s");
}

#[test]
fn json_log_lines_parse_as_json() {
    let mut s = Server::start_with(&[("LATCHKEY_LOG_FORMAT", "json")]);
    s.client().get(s.url("/healthz")).send().unwrap();
    assert!(s.stop().success());
    let log = s.log();
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.iter().any(|v| v["message"] == "latchkey is listening"), "{log}");
    let request = lines.iter().find(|v| v["message"] == "request" && v["path"] == "/healthz").expect("request line");
    assert_eq!(request["status"], 200);
    assert_eq!(request["level"], "INFO");
}
