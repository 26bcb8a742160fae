//! The JSON API under `/api`: the index and, for now, `/api/v1/me`. Every
//! route takes a `Caller`.

use crate::app::App;
use crate::clock::rfc3339;
use crate::http::caller::{BearerError, Caller};
use crate::http::problem::ApiError;
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
    let items: Vec<serde_json::Value> = crate::registry::grants::for_member(&app, u.id)?
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
    let ip = crate::http::conn::of(&req, &app.config.trusted_proxies).ip.to_string();
    let who = crate::store::audit::Who::user(u.id, &u.username, ip);
    match crate::registry::grants::revoke_for_member(&app, u.id, &path, who).await? {
        Some(_) => Ok(HttpResponse::NoContent().finish()),
        None => Err(ApiError::not_found("You have not authorized this application.")),
    }
}
