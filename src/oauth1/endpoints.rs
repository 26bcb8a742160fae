//! `/oauth1/request` and `/oauth1/access` (RFC 5849 §2.1, §2.3): verify the
//! signed request, call one operation, answer form-encoded. Refusals are
//! Problem Reporting bodies with `WWW-Authenticate: OAuth realm="..."` on a
//! 401; nothing here answers 500.

use super::flow;
use super::problem::{Failure, Problem, Report};
use super::verify::{self, Expect, Incoming, Verified};
use crate::app::App;
use crate::http::body::{self, BodyError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/oauth1/request", web::post().to(request))
        .route("/oauth1/access", web::post().to(access))
        .configure(super::authorize::routes);
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn answer(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/x-www-form-urlencoded")
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

/// A refusal as the Problem Reporting extension writes it.
pub fn problem(app: &App, report: &Report) -> HttpResponse {
    let status = StatusCode::from_u16(report.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut r = HttpResponse::build(status);
    r.content_type("application/x-www-form-urlencoded").insert_header(("Cache-Control", "no-store"));
    if status == StatusCode::UNAUTHORIZED {
        r.insert_header(("WWW-Authenticate", report.challenge(&verify::realm(&app.config))));
    }
    r.body(report.form_body())
}

/// A body that could not be read, as a problem report (413 when too large).
fn body_problem(app: &App, e: BodyError) -> HttpResponse {
    let status = match e {
        BodyError::TooLarge(_) => 413,
        BodyError::Unreadable => 400,
    };
    problem(app, &Report::new(Problem::ParameterRejected, e.to_string()).with_status(status))
}

fn failure(app: &App, f: Failure) -> HttpResponse {
    match f {
        Failure::Problem(report) => problem(app, &report),
        Failure::Unavailable => HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .insert_header(("Cache-Control", "no-store"))
            .content_type("text/plain; charset=utf-8")
            .body("The server could not complete this request; nothing was issued. Try again in a moment."),
    }
}

async fn verified(req: &HttpRequest, body: &[u8], app: &App, expect: Expect) -> Result<Verified, Failure> {
    let form_body = verify::is_form(req).then_some(body);
    let https = crate::http::conn::of(req, &app.config.trusted_proxies).https;
    let inc = Incoming::new(req, https, form_body)?;
    verify::verify(app, &inc, expect).await
}

/// Temporary credentials.
async fn request(req: HttpRequest, payload: web::Payload, app: web::Data<App>) -> HttpResponse {
    let body = match body::read(&req, payload, body::MAX_FORM).await {
        Ok(b) => b,
        Err(e) => return body_problem(&app, e),
    };
    let result = match verified(&req, &body, &app, Expect::Consumer).await {
        Ok(v) => flow::request_token(&app, &v).await,
        Err(f) => Err(f),
    };
    match result {
        Ok(t) if t.callback_confirmed => answer(form(&[
            ("oauth_token", &t.token),
            ("oauth_token_secret", &t.secret),
            ("oauth_callback_confirmed", "true"),
        ])),
        Ok(t) => answer(form(&[("oauth_token", &t.token), ("oauth_token_secret", &t.secret)])),
        Err(f) => failure(&app, f),
    }
}

/// Token credentials.
async fn access(req: HttpRequest, payload: web::Payload, app: web::Data<App>) -> HttpResponse {
    let body = match body::read(&req, payload, body::MAX_FORM).await {
        Ok(b) => b,
        Err(e) => return body_problem(&app, e),
    };
    let result = match verified(&req, &body, &app, Expect::RequestToken).await {
        Ok(v) => flow::access_token(&app, &v).await,
        Err(f) => Err(f),
    };
    match result {
        Ok(t) => {
            app.metrics.token_issued("oauth1");
            answer(form(&[("oauth_token", &t.token), ("oauth_token_secret", &t.secret)]))
        }
        Err(f) => failure(&app, f),
    }
}
