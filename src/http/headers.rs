//! Every response: security headers, a request id, one log line with
//! method, path (never the query, which may hold a token), status and
//! latency, and the request counted in the metrics under its route pattern.
//!
//! And the one rule of the plain-HTTP listener: a request that did not come
//! over HTTPS (directly, or as a trusted proxy says in `X-Forwarded-Proto`)
//! reaches only what carries no credential (health, discovery, the public
//! keys, the stylesheet); everything else is refused in its protocol's own
//! format, before any password, secret or token is read.

use crate::http::page_error::PageError;
use crate::http::problem::ApiError;
use crate::oauth1::problem::{Problem, Report};
use crate::oauth2::error::{ErrorResponse, OAuthError};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError, web};
use std::time::Instant;

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn set(res: &mut ServiceResponse<impl MessageBody>, name: &'static str, value: HeaderValue) {
    let name = HeaderName::from_static(name);
    if !res.headers().contains_key(&name) {
        res.headers_mut().insert(name, value);
    }
}

/// What may be served over plain HTTP without a trusted proxy's word that
/// the client used HTTPS: nothing that carries a credential.
pub fn allowed_without_https(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics" | "/api" | "/api/openapi.json" | "/api/doc" | "/oauth2/jwks")
        || path.starts_with("/.well-known/")
        || path.starts_with("/static/")
        || path.starts_with("/api/doc/")
}

const HTTPS_REQUIRED: &str = "This endpoint is served over HTTPS only: credentials must never travel in clear text. \
Use the https:// address (behind a proxy, the proxy must send X-Forwarded-Proto: https).";

/// Whether a path is a page a person reads (not a protocol's or the API's
/// machine answer).
fn is_page(path: &str) -> bool {
    !(path.starts_with("/oauth2/") && path != "/oauth2/authorize"
        || path == "/oauth1/request"
        || path == "/oauth1/access"
        || path.starts_with("/api/"))
}

/// The refusal for a request that needs HTTPS, in the format its endpoint
/// speaks; a page in English with the default name (see
/// [`https_required_for`] for the visitor's language and the site's name).
pub fn https_required(path: &str) -> HttpResponse {
    if path.starts_with("/oauth2/") && path != "/oauth2/authorize" {
        return HttpResponse::BadRequest()
            .insert_header(("Cache-Control", "no-store"))
            .json(ErrorResponse::new(OAuthError::InvalidRequest, HTTPS_REQUIRED).to_json());
    }
    if path == "/oauth1/request" || path == "/oauth1/access" {
        let r = Report::new(Problem::ParameterRejected, HTTPS_REQUIRED).with_status(403);
        return HttpResponse::Forbidden()
            .content_type("application/x-www-form-urlencoded")
            .insert_header(("Cache-Control", "no-store"))
            .body(r.form_body());
    }
    if path.starts_with("/api/") {
        return ApiError::forbidden(HTTPS_REQUIRED).error_response();
    }
    https_required_page().error_response()
}

fn https_required_page() -> PageError {
    PageError::forbidden(crate::i18n::Text::key("err-https-required"))
}

/// The refusal as [`https_required`], a page being in the visitor's
/// language (`Accept-Language`, then `site_language`: nobody is signed in
/// over plain HTTP) with the site's name. This answer is made before the
/// localizing middleware (`http::lang::localize`) runs, so it is put into
/// words here; machine answers stay English.
pub fn https_required_for(app: &crate::app::App, req: &HttpRequest) -> HttpResponse {
    if !is_page(req.path()) {
        return https_required(req.path());
    }
    let lang = crate::http::lang::choose(app, req, None);
    let site = crate::http::lang::site(app);
    https_required_page().page(&crate::http::lang::tr(app, lang), app.config.base_path(), &site.name)
}

pub async fn headers_and_log<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let started = Instant::now();
    let id = crate::auth::secrets::request_id();
    // The log line's fields are copied only when it will be written.
    let logging = tracing::enabled!(tracing::Level::INFO);
    let path = if logging { req.path().to_string() } else { String::new() };
    let app = req.app_data::<web::Data<crate::app::App>>().cloned();
    let https =
        app.as_ref().map(|app| super::conn::of(req.request(), &app.config.trusted_proxies).https).unwrap_or(false);
    let method = req.method().clone();
    // The pattern that matches (`/api/v1/posts/{id}`), never the path; the
    // resource map answers before routing too, so an error has it as well.
    let route = if app.is_some() { req.request().match_pattern() } else { None };
    let result = if https || allowed_without_https(req.path()) {
        next.call(req).await.map(ServiceResponse::map_into_left_body)
    } else {
        let refusal = match &app {
            Some(app) => https_required_for(app, req.request()),
            None => https_required(req.path()),
        };
        Ok(req.into_response(refusal).map_into_right_body())
    };
    let mut res = match result {
        Ok(res) => res,
        Err(e) => {
            if let Some(app) = &app {
                let status = e.as_response_error().status_code().as_u16();
                app.metrics.request(route, method.as_str(), status, started.elapsed().as_secs_f64());
            }
            if logging {
                tracing::info!(request_id = %id, %method, %path, status = e.as_response_error().status_code().as_u16(),
                    latency_ms = started.elapsed().as_secs_f64() * 1000.0, "request");
            }
            return Err(e);
        }
    };
    set(&mut res, "content-security-policy", HeaderValue::from_static(CSP));
    set(&mut res, "x-content-type-options", HeaderValue::from_static("nosniff"));
    set(&mut res, "referrer-policy", HeaderValue::from_static("no-referrer"));
    set(&mut res, "x-frame-options", HeaderValue::from_static("DENY"));
    set(&mut res, "cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        set(&mut res, "x-request-id", v);
    }
    if https {
        set(&mut res, "strict-transport-security", HeaderValue::from_static("max-age=31536000"));
    }
    if let Some(app) = &app {
        app.metrics.request(route, method.as_str(), res.status().as_u16(), started.elapsed().as_secs_f64());
    }
    if logging {
        tracing::info!(request_id = %id, %method, %path, status = res.status().as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0, "request");
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_carries_no_credential_is_served_without_https() {
        for ok in [
            "/healthz",
            "/.well-known/openid-configuration",
            "/oauth2/jwks",
            "/static/style.abc.css",
            "/api",
            "/api/doc/0123abcd/swagger-ui-bundle.js",
        ] {
            assert!(allowed_without_https(ok), "{ok}");
        }
        for no in ["/oauth2/token", "/oauth2/authorize", "/oauth1/access", "/api/v1/me", "/login", "/admin", "/"] {
            assert!(!allowed_without_https(no), "{no}");
        }
        assert_eq!(https_required("/oauth2/token").status(), 400);
        assert_eq!(https_required("/oauth1/request").status(), 403);
        assert_eq!(https_required("/api/v1/me").headers().get("content-type").unwrap(), "application/problem+json");
        assert!(
            https_required("/login").headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/html")
        );
        // Only pages are put into the visitor's words.
        for path in [
            "/oauth2/token",
            "/oauth2/revoke",
            "/oauth1/request",
            "/oauth1/access",
            "/api/v1/me",
            "/login",
            "/",
            "/oauth2/authorize",
            "/oauth1/authorize",
            "/admin/clients",
        ] {
            let html =
                https_required(path).headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/html");
            assert_eq!(is_page(path), html, "{path}");
        }
    }
}
