//! The JSON API under `/api`: the index and, for now, `/api/v1/me`. Every
//! route takes a `Caller`.

use crate::app::App;
use crate::auth::caller::{BearerError, Caller};
use crate::clock::rfc3339;
use actix_web::{HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api", web::get().to(index))
        .route("/api/v1/me", web::get().to(me))
        .route("/api/v1/me/applications", web::get().to(my_applications))
        .route("/api/v1/me/applications/{client_id}", web::delete().to(revoke_application));
}

async fn index(app: web::Data<App>) -> HttpResponse {
    let u = |p: &str| app.config.url(p);
    HttpResponse::Ok().json(serde_json::json!({
        "name": "latchkey",
        "version": env!("CARGO_PKG_VERSION"),
        "authentication": {
            "oauth2": {
                "issuer": crate::oauth2::tokens::issuer(&app),
                "authorization_endpoint": u("oauth2/authorize"),
                "token_endpoint": u("oauth2/token"),
                "metadata": u(".well-known/oauth-authorization-server"),
            },
            "oauth1": {
                "request_token_url": u("oauth1/request"),
                "authorize_url": u("oauth1/authorize"),
                "access_token_url": u("oauth1/access"),
                "signature_methods": ["HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "PLAINTEXT"],
                "realm": app.config.public_url.as_str(),
            }
        }
    }))
}

/// The caller's own profile (scope `profile`).
async fn me(caller: Caller) -> Result<HttpResponse, BearerError> {
    caller.require("profile")?;
    let u = caller.member()?;
    #[derive(serde::Serialize)]
    struct Me<'a> {
        id: String,
        username: &'a str,
        display_name: &'a str,
        created_at: String,
    }
    let body = Me {
        id: u.id.to_string(),
        username: &u.username,
        display_name: &u.display_name,
        created_at: rfc3339(u.created_at),
    };
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(body))
}

/// The applications the caller has authorized (scope `applications`).
async fn my_applications(caller: Caller, app: web::Data<App>) -> Result<HttpResponse, ApiError> {
    caller.require("applications")?;
    let u = caller.member()?;
    let items: Vec<serde_json::Value> = crate::auth::applications::for_member(&app, u.id)
        .map_err(ApiError::store)?
        .into_iter()
        .map(|a| {
            serde_json::json!({
                "client_id": a.client_id,
                "name": a.name,
                "homepage": a.homepage,
                "scopes": a.scopes.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
                "authorized_at": rfc3339(a.authorized_at),
                "last_used": rfc3339(a.last_used),
            })
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({ "items": items, "next_cursor": null })))
}

/// Revokes the caller's grant to an application: every token of it dies.
async fn revoke_application(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require("applications")?;
    let u = caller.member()?;
    let ip = crate::web::conn::of(&req, &app.config.trusted_proxies).ip.to_string();
    let who = crate::store::audit::Who::user(u.id, &u.username, ip);
    match crate::auth::applications::revoke(&app, u.id, &path, who).await.map_err(ApiError::store)? {
        Some(_) => Ok(HttpResponse::NoContent().finish()),
        None => Err(ApiError::problem(
            actix_web::http::StatusCode::NOT_FOUND,
            "Not found",
            "You have not authorized this application.",
        )),
    }
}

/// An API error: the bearer challenge, or RFC 9457 problem+json.
#[derive(Debug)]
pub enum ApiError {
    Bearer(BearerError),
    Problem { status: actix_web::http::StatusCode, title: String, detail: String },
}

impl ApiError {
    pub fn problem(status: actix_web::http::StatusCode, title: &str, detail: &str) -> ApiError {
        ApiError::Problem { status, title: title.into(), detail: detail.into() }
    }

    fn store(e: crate::store::StoreError) -> ApiError {
        tracing::error!(error = %e, "API request failed");
        ApiError::problem(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "Service unavailable",
            "The server could not complete the request; nothing was changed.",
        )
    }
}

impl From<BearerError> for ApiError {
    fn from(e: BearerError) -> Self {
        ApiError::Bearer(e)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Bearer(e) => write!(f, "{e}"),
            ApiError::Problem { title, detail, .. } => write!(f, "{title}: {detail}"),
        }
    }
}

impl actix_web::ResponseError for ApiError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        match self {
            ApiError::Bearer(e) => e.status_code(),
            ApiError::Problem { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Bearer(e) => e.error_response(),
            ApiError::Problem { status, title, detail } => HttpResponse::build(*status)
                .content_type("application/problem+json")
                .body(
                    serde_json::json!({ "type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail })
                        .to_string(),
                ),
        }
    }
}
