//! Every response: security headers, a request id, and one log line with
//! method, path (never the query, which may hold a token), status and latency.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use std::time::Instant;

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn set(res: &mut ServiceResponse<impl MessageBody>, name: &'static str, value: HeaderValue) {
    let name = HeaderName::from_static(name);
    if !res.headers().contains_key(&name) {
        res.headers_mut().insert(name, value);
    }
}

pub async fn headers_and_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = crate::auth::secrets::request_id();
    // The log line's fields are copied only when it will be written.
    let logging = tracing::enabled!(tracing::Level::INFO);
    let (method, path) = if logging { (req.method().to_string(), req.path().to_string()) } else { Default::default() };
    let https = req
        .app_data::<web::Data<crate::app::App>>()
        .map(|app| super::conn::of(req.request(), &app.config.trusted_proxies).https)
        .unwrap_or(false);
    let result = next.call(req).await;
    let mut res = match result {
        Ok(res) => res,
        Err(e) => {
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
    if logging {
        tracing::info!(request_id = %id, %method, %path, status = res.status().as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0, "request");
    }
    Ok(res)
}
