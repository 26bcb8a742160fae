//! `GET /api`: the index of the API and of both protocols' endpoints.

use super::resource;
use crate::app::App;
use actix_web::{HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("", "GET").route(web::get().to(index)));
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
