//! `/avatars/{sha256}.png`: members' avatars, public (an application shows
//! them to whoever it likes). The name is the content's hash, so a picture
//! at an address never changes: cached for a year, `immutable`. Only a
//! blob that is an enabled member's avatar is served from here.

use crate::accounts::avatars;
use crate::app::App;
use crate::http::page_error::PageError;
use crate::store::blobs;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/avatars/{name}", web::get().to(avatar));
}

async fn avatar(app: web::Data<App>, name: web::Path<String>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let sha = name.strip_suffix(".png").and_then(blobs::parse_hex).ok_or_else(PageError::not_found)?;
    let tag = format!("\"{}\"", blobs::hex(&sha));
    let bytes = avatars::served(&app, sha).await.map_err(PageError::internal)?.ok_or_else(PageError::not_found)?;
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == tag));
    let mut r = if cached { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    r.insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::ETAG, tag))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if cached {
        return Ok(r.finish());
    }
    Ok(r.content_type("image/png").body(bytes))
}
