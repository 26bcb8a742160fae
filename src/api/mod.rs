//! The JSON API under `/api`: the index and, for now, `/api/v1/me`. Every
//! route takes a `Caller`.

use crate::app::App;
use crate::auth::caller::{BearerError, Caller};
use crate::clock::rfc3339;
use actix_web::{HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api", web::get().to(index)).route("/api/v1/me", web::get().to(me));
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
            }
        }
    }))
}

/// The caller's own profile (scope `profile`).
async fn me(caller: Caller) -> Result<HttpResponse, BearerError> {
    caller.require("profile")?;
    let u = caller.member()?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(serde_json::json!({
        "id": u.id.to_string(),
        "username": u.username,
        "display_name": u.display_name,
        "created_at": rfc3339(u.created_at),
    })))
}
