//! `/api/doc`: the browsable documentation, Swagger UI served from the
//! binary. Its files come from the zip archive that the
//! `utoipa-swagger-ui-vendored` crate carries as a constant (that crate has
//! no build script, so nothing is fetched at build time, and nothing is at
//! run time). `build.rs` takes out the five files the page uses and packs
//! them gzip-compressed (0.5 MiB instead of the 4.2 MiB archive); they are
//! unpacked on the first request and kept.
//!
//! The page is ours (`static/api-doc.js` starts Swagger UI), so it runs
//! under the server's Content-Security-Policy with one addition on these
//! routes only: `connect-src` for the document and for "Try it out",
//! which the site-wide `default-src 'none'` refuses. Swagger UI's
//! `oauth2-redirect.html` (the redirect URI of the Authorize button) has an
//! inline script, allowed on that page alone by its hash.

use super::resource;
use crate::app::App;
use crate::http::headers::CSP;
use crate::http::problem::ApiError;
use actix_web::{HttpResponse, middleware, web};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::sync::LazyLock;

/// The files the page uses, as `build.rs` took them out of the archive,
/// gzip-compressed (see `swagger_zip.rs`).
macro_rules! packed {
    ($($name:literal),*) => {
        [$(($name, include_bytes!(concat!(env!("OUT_DIR"), "/swagger-ui/", $name, ".gz")).as_slice())),*]
    };
}
const PACKED: [(&str, &[u8]); 5] =
    packed!("swagger-ui-bundle.js", "swagger-ui.css", "index.css", "favicon-32x32.png", "oauth2-redirect.html");

const STARTER: &str = include_str!("../../static/api-doc.js");
const STARTER_NAME: &str = "latchkey-doc.js";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/doc", "GET").route(web::get().to(page)))
        .service(resource("/doc/oauth2-redirect.html", "GET").route(web::get().to(redirect_page)))
        .service(
            resource("/doc/{key}/{file}", "GET")
                // The bundle is 1.4 MB; compressed once per browser, then cached.
                .wrap(middleware::Compress::default())
                .route(web::get().to(asset)),
        );
}

/// Swagger UI's files, read out of the archive once.
struct Ui {
    files: Vec<(&'static str, Vec<u8>)>,
    /// Names the build's files in their URLs, so they may be cached for good.
    key: String,
    /// `'sha256-...'` of `oauth2-redirect.html`'s inline script.
    redirect_script: String,
}

static UI: LazyLock<Result<Ui, String>> = LazyLock::new(|| {
    let files = PACKED.iter().map(|(name, gz)| Ok((*name, unpack(name, gz)?))).collect::<Result<Vec<_>, String>>()?;
    let mut key = Sha256::new();
    for (name, bytes) in &files {
        key.update(name.as_bytes());
        key.update(bytes);
    }
    key.update(STARTER.as_bytes());
    let key = key.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    let html = files.iter().find(|(n, _)| *n == "oauth2-redirect.html").map(|(_, b)| String::from_utf8_lossy(b));
    let script = html
        .as_deref()
        .and_then(|h| Some(h.split_once("<script>")?.1.split_once("</script>")?.0.to_string()))
        .ok_or("oauth2-redirect.html has no inline script")?;
    let redirect_script = format!(
        "'sha256-{}'",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, Sha256::digest(script.as_bytes()))
    );
    Ok(Ui { files, key, redirect_script })
});

/// One packed file, checked against its gzip trailer's CRC-32 and length.
fn unpack(name: &str, gz: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = vec![];
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .map_err(|e| format!("the packed Swagger UI file {name} is damaged: {e}"))?;
    Ok(out)
}

fn ui() -> Result<&'static Ui, ApiError> {
    UI.as_ref().map_err(|e| {
        tracing::error!(error = %e, "Swagger UI could not be read from its archive");
        ApiError::new(actix_web::http::StatusCode::SERVICE_UNAVAILABLE, "The documentation is not available.")
    })
}

/// The site's policy, plus connections to this origin and the public URL's
/// (the document, and "Try it out").
fn page_csp(config: &crate::config::Config) -> String {
    let origin = config.public_url.origin().ascii_serialization();
    CSP.replacen("default-src 'none';", &format!("default-src 'none'; connect-src 'self' {origin};"), 1)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The documentation page.
async fn page(app: web::Data<App>) -> Result<HttpResponse, ApiError> {
    let ui = ui()?;
    let base = escape(app.config.base_path());
    let assets = format!("{base}/api/doc/{}", ui.key);
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>latchkey API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="stylesheet" href="{assets}/index.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-spec="{base}/api/openapi.json" data-redirect="{redirect}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/{STARTER_NAME}"></script>
</body>
</html>
"#,
        redirect = escape(&app.config.url("api/doc/oauth2-redirect.html")),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("Content-Security-Policy", page_csp(&app.config)))
        .body(html))
}

/// Where the Authorize button's popup lands: it hands the code or token
/// back to the page that opened it.
async fn redirect_page() -> Result<HttpResponse, ApiError> {
    let ui = ui()?;
    let html = file(ui, "oauth2-redirect.html").unwrap_or_default();
    let csp = format!("default-src 'none'; script-src {}; frame-ancestors 'none'; base-uri 'none'", ui.redirect_script);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("Content-Security-Policy", csp))
        .body(html.to_vec()))
}

fn file(ui: &'static Ui, name: &str) -> Option<&'static [u8]> {
    ui.files.iter().find(|(n, _)| *n == name).map(|(_, b)| b.as_slice())
}

/// A file of the page. Under the current key it never changes; under an
/// older one (a page from before an upgrade) it is today's, not cached.
async fn asset(path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let ui = ui()?;
    let (key, name) = path.into_inner();
    let body = if name == STARTER_NAME { Some(STARTER.as_bytes()) } else { file(ui, &name) };
    let Some(body) = body.filter(|_| name != "oauth2-redirect.html") else {
        return Err(ApiError::not_found("There is no such file of the documentation."));
    };
    let content_type = match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    let cache = if key == ui.key { "public, max-age=31536000, immutable" } else { "no-cache" };
    Ok(HttpResponse::Ok().content_type(content_type).insert_header(("Cache-Control", cache)).body(body.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_archive_holds_what_the_page_uses() {
        let ui = UI.as_ref().expect("archive reads");
        let bundle = file(ui, "swagger-ui-bundle.js").expect("bundle");
        assert!(bundle.len() > 500_000 && String::from_utf8_lossy(&bundle[..4096]).contains("SwaggerUIBundle"));
        assert!(String::from_utf8_lossy(file(ui, "swagger-ui.css").expect("css")).contains(".swagger-ui"));
        assert!(ui.redirect_script.starts_with("'sha256-") && ui.redirect_script.ends_with("='"));
        assert_eq!(ui.key.len(), 12);
    }

    #[test]
    fn a_damaged_packed_file_is_refused_not_a_panic() {
        let (name, gz) = PACKED[1];
        assert!(unpack(name, gz).is_ok());
        let err = unpack(name, &gz[..gz.len() - 4]).unwrap_err();
        assert!(err.contains("swagger-ui.css is damaged"), "{err}");
        let mut flipped = gz.to_vec();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x55;
        assert!(unpack(name, &flipped).is_err());
    }

    #[test]
    fn the_page_may_connect_to_its_own_origin_only() {
        let dir = std::env::temp_dir();
        let s = crate::config::Settings::from_toml("public_url = \"https://example.org/x/\"").expect("settings");
        let config = crate::config::Config::resolve(dir, s).expect("config");
        let csp = page_csp(&config);
        assert!(csp.starts_with("default-src 'none'; connect-src 'self' https://example.org; script-src 'self';"));
        assert!(csp.ends_with("base-uri 'none'"));
    }
}
