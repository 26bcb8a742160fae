//! The stylesheet, embedded in the binary and served under a path that holds
//! its hash, so browsers may cache it for a year.

use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const CSS: &str = include_str!("../../static/style.css");

/// `/static/style.<hash>.css`: a constant of the build, derived once.
pub static CSS_PATH: LazyLock<String> = LazyLock::new(|| {
    let h = Sha256::digest(CSS.as_bytes());
    let hex: String = h.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("/static/style.{hex}.css")
});

async fn css(path: web::Path<String>) -> HttpResponse {
    if format!("/static/{}", path.into_inner()) != *CSS_PATH {
        // An old hash: send the current file, but do not let it be cached long.
        return HttpResponse::Ok()
            .content_type("text/css; charset=utf-8")
            .insert_header(("Cache-Control", "no-cache"))
            .body(CSS);
    }
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
        .body(CSS)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{name:style\\.[0-9a-f]+\\.css}", web::get().to(css));
}
