//! The stylesheet and the one small script (copy buttons, local dates), embedded in the
//! binary and served under paths that hold their hashes, so browsers may
//! cache them for a year.

use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const CSS: &str = include_str!("../../static/style.css");
const JS: &str = include_str!("../../static/app.js");

fn hashed(stem: &str, ext: &str, body: &str) -> String {
    let h = Sha256::digest(body.as_bytes());
    let hex: String = h.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("/static/{stem}.{hex}.{ext}")
}

/// `/static/style.<hash>.css`: a constant of the build, derived once.
pub static CSS_PATH: LazyLock<String> = LazyLock::new(|| hashed("style", "css", CSS));
/// `/static/app.<hash>.js`.
pub static JS_PATH: LazyLock<String> = LazyLock::new(|| hashed("app", "js", JS));

async fn asset(path: web::Path<String>) -> HttpResponse {
    let path = format!("/static/{}", path.into_inner());
    let (body, content_type, current) = if path.ends_with(".css") {
        (CSS, "text/css; charset=utf-8", path == *CSS_PATH)
    } else {
        (JS, "text/javascript; charset=utf-8", path == *JS_PATH)
    };
    // An old hash gets the current file, but not cached for long.
    let cache = if current { "public, max-age=31536000, immutable" } else { "no-cache" };
    HttpResponse::Ok().content_type(content_type).insert_header(("Cache-Control", cache)).body(body)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{name:(style\\.[0-9a-f]+\\.css|app\\.[0-9a-f]+\\.js)}", web::get().to(asset));
}
