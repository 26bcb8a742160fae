//! The site's own assets: the accent stylesheet and the logo, each under a
//! path that names its content (the colour; the logo's hash), so browsers
//! keep them for a year. The accent is a stylesheet, not an inline style,
//! because the pages' CSP allows only the server's own stylesheets.

use crate::app::App;
use crate::http::page_error::PageError;
use crate::site::Accent;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

const FOREVER: &str = "public, max-age=31536000, immutable";

/// `/site/accent.<rrggbb>.css`.
pub fn accent_path(a: Accent) -> String {
    format!("/site/accent.{}.css", a.hex().trim_start_matches('#'))
}

/// The stylesheet of any colour: the path holds everything it says.
async fn accent(hex: web::Path<String>) -> Result<HttpResponse, PageError> {
    let a = Accent::parse(&format!("#{hex}")).map_err(|_| PageError::not_found())?;
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, FOREVER))
        .body(a.stylesheet()))
}

/// The logo in force. A path with an old hash gets the current picture,
/// not cached for long (as the stylesheet does).
async fn logo(app: web::Data<App>, name: web::Path<String>) -> Result<HttpResponse, PageError> {
    let config = &app.config;
    let site = app.store.read(|tx| crate::store::site::effective(tx, config))?;
    let logo = site.logo.ok_or_else(PageError::not_found)?;
    let bytes = crate::site::read_logo(&config.data_dir, &logo.file).map_err(|e| {
        tracing::warn!(error = %e, "the site's logo cannot be read");
        PageError::not_found()
    })?;
    let Some((content_type, ext)) = crate::site::sniff(&bytes) else {
        tracing::warn!(file = %logo.file, "the site's logo is no longer a PNG, JPEG or WebP picture");
        return Err(PageError::not_found());
    };
    let current = *name == format!("{}.{ext}", crate::site::short_hash(&bytes));
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, if current { FOREVER } else { "no-cache" }))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/site/accent.{hex:[0-9a-fA-F]+}.css", web::get().to(accent))
        .route("/site/logo.{name:[0-9a-f]+\\.(?:png|jpg|webp)}", web::get().to(logo));
}
