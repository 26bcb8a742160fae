//! The operations endpoints: `/healthz` (liveness: the process answers and
//! can read its store), `/readyz` (readiness: a tiny write commits, probed
//! at most once a second) and `/metrics` (Prometheus text format).
//!
//! `/metrics` answers a client whose address is in `metrics_allow`
//! (loopback by default), or one that sends `Authorization: Bearer
//! <metrics_token>` when that key is set; others get 403 (401 with a
//! challenge when a token could open it). All three are served on the
//! plain-HTTP listener too (`http::headers`), since scrapers on the same
//! host or network often speak plain HTTP; the token, being a credential,
//! counts only over HTTPS (or behind a trusted proxy that says the client
//! used HTTPS), so it never opens the door in clear text.

use crate::app::App;
use crate::http::conn;
use actix_web::{HttpRequest, HttpResponse, web};
use subtle::ConstantTimeEq;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

fn status(ok: bool, detail: Option<String>) -> HttpResponse {
    let mut r = if ok { HttpResponse::Ok() } else { HttpResponse::ServiceUnavailable() };
    let mut body = serde_json::json!({ "status": if ok { "ok" } else { "unavailable" } });
    if let Some(d) = detail {
        body["detail"] = d.into();
    }
    r.insert_header(("Cache-Control", "no-store")).json(body)
}

async fn healthz(app: web::Data<App>) -> HttpResponse {
    let ok = app.store.read(|tx| crate::store::count(tx, &crate::store::schema::META)).is_ok();
    status(ok, None)
}

async fn readyz(app: web::Data<App>) -> HttpResponse {
    match app.readiness.check(&app.store, app.now()).await {
        Ok(()) => status(true, None),
        Err(e) => {
            tracing::warn!(error = %e, "readiness probe: the store cannot commit");
            status(false, Some(format!("the store cannot commit: {e}")))
        }
    }
}

/// Who may read the metrics, as a pure rule: by address, or by the token
/// (constant-time comparison, over HTTPS only).
#[derive(Debug, PartialEq, Eq)]
pub enum Access {
    Allowed,
    /// No token configured, or none that could be used: 403.
    Forbidden(&'static str),
    /// A token could open it: 401 with a `Bearer` challenge.
    Unauthorized(&'static str),
}

pub fn access(
    client: &conn::Conn,
    relayed_by_untrusted_proxy: bool,
    allow: &[ipnet::IpNet],
    token: Option<&str>,
    authorization: Option<&str>,
) -> Access {
    // A forwarding header from a peer that is not a trusted proxy means a
    // proxy nobody vouched for relays this request: its peer address (often
    // loopback) says nothing about the client.
    // An IPv4 client of a listener on `[::]` arrives as `::ffff:a.b.c.d`.
    let ip = client.ip.to_canonical();
    if !relayed_by_untrusted_proxy && allow.iter().any(|n| n.contains(&ip)) {
        return Access::Allowed;
    }
    let Some(expected) = token else {
        return Access::Forbidden("the metrics are served only to the addresses in metrics_allow");
    };
    let presented = authorization.and_then(|h| {
        let (scheme, value) = h.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| value.trim())
    });
    match presented {
        None => Access::Unauthorized("send Authorization: Bearer <metrics_token>"),
        Some(_) if !client.https => Access::Forbidden("metrics_token is accepted over HTTPS only"),
        Some(p) if bool::from(p.as_bytes().ct_eq(expected.as_bytes())) => Access::Allowed,
        Some(_) => Access::Unauthorized("the metrics token is wrong"),
    }
}

async fn metrics(req: HttpRequest, app: web::Data<App>) -> HttpResponse {
    let client = conn::of(&req, &app.config.trusted_proxies);
    let peer = req.peer_addr().map(|a| a.ip());
    let forwarded =
        ["x-forwarded-for", "x-forwarded-proto", "forwarded"].iter().any(|h| req.headers().contains_key(*h));
    let untrusted_relay = forwarded && !peer.is_some_and(|p| app.config.trusted_proxies.iter().any(|n| n.contains(&p)));
    let authorization = req.headers().get("authorization").and_then(|v| v.to_str().ok());
    let refused = |mut r: actix_web::HttpResponseBuilder, why: &str| {
        r.insert_header(("Cache-Control", "no-store"))
            .content_type("text/plain; charset=utf-8")
            .body(format!("{why}\n"))
    };
    match access(
        &client,
        untrusted_relay,
        &app.config.metrics_allow,
        app.config.metrics_token.as_deref(),
        authorization,
    ) {
        Access::Allowed => {}
        Access::Forbidden(why) => return refused(HttpResponse::Forbidden(), why),
        Access::Unauthorized(why) => {
            let mut r = HttpResponse::Unauthorized();
            r.insert_header(("WWW-Authenticate", "Bearer realm=\"latchkey metrics\""));
            return refused(r, why);
        }
    }
    match app.metrics.encode(&app.store) {
        Ok(text) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .content_type(crate::metrics::CONTENT_TYPE)
            .body(text),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read the store");
            status(false, Some(format!("the metrics cannot be read now: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn conn(ip: &str, https: bool) -> conn::Conn {
        conn::Conn { ip: ip.parse::<IpAddr>().unwrap(), https }
    }

    #[test]
    fn metrics_are_for_allowed_addresses_or_the_token_over_https() {
        let allow: Vec<ipnet::IpNet> = vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        let token = Some("0123456789abcdef");
        assert_eq!(access(&conn("127.0.0.1", false), false, &allow, None, None), Access::Allowed);
        assert_eq!(access(&conn("::1", true), false, &allow, None, None), Access::Allowed);
        assert_eq!(access(&conn("::ffff:127.0.0.1", false), false, &allow, None, None), Access::Allowed);
        assert!(matches!(access(&conn("203.0.113.5", true), false, &allow, None, None), Access::Forbidden(_)));
        assert!(
            matches!(access(&conn("127.0.0.1", false), true, &allow, None, None), Access::Forbidden(_)),
            "relayed by a proxy nobody trusts: the loopback peer says nothing"
        );
        let remote = conn("203.0.113.5", true);
        assert!(matches!(access(&remote, false, &allow, token, None), Access::Unauthorized(_)));
        assert_eq!(access(&remote, false, &allow, token, Some("Bearer 0123456789abcdef")), Access::Allowed);
        assert_eq!(access(&remote, false, &allow, token, Some("bearer  0123456789abcdef")), Access::Allowed);
        assert!(matches!(
            access(&remote, false, &allow, token, Some("Bearer 0123456789abcdeX")),
            Access::Unauthorized(_)
        ));
        assert!(matches!(
            access(&remote, false, &allow, token, Some("Basic 0123456789abcdef")),
            Access::Unauthorized(_)
        ));
        assert!(
            matches!(
                access(&conn("203.0.113.5", false), false, &allow, token, Some("Bearer 0123456789abcdef")),
                Access::Forbidden(_)
            ),
            "never over plain HTTP"
        );
    }

    #[actix_web::test]
    async fn readyz_fails_while_the_store_cannot_commit_and_healthz_does_not() {
        use actix_web::test::{TestRequest, call_service, init_service, read_body};
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), crate::clock::FrozenClock::at(1_700_000_000));
        let svc = init_service(actix_web::App::new().app_data(web::Data::new(app.clone())).configure(routes)).await;
        let get = |path: &str| TestRequest::get().uri(path).to_request();
        assert_eq!(call_service(&svc, get("/readyz")).await.status(), 200);
        app.store.close();
        tokio::time::sleep(crate::app::READY_EVERY + std::time::Duration::from_millis(100)).await;
        let r = call_service(&svc, get("/readyz")).await;
        assert_eq!(r.status(), 503);
        let body = String::from_utf8(read_body(r).await.to_vec()).unwrap();
        assert!(body.contains("the store cannot commit"), "{body}");
        assert_eq!(call_service(&svc, get("/healthz")).await.status(), 200, "the process is alive and reads");
    }
}
