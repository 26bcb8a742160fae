//! `/api/doc`: the browsable documentation, Swagger UI served from the
//! binary. Its files come from the zip archive that the
//! `utoipa-swagger-ui-vendored` crate carries as a constant (that crate has
//! no build script, so nothing is fetched at build time, and nothing is at
//! run time); the few files the page uses are read out of it on the first
//! request and kept.
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

const ARCHIVE: &[u8] = utoipa_swagger_ui_vendored::SWAGGER_UI_VENDORED;

/// The files of the archive's `dist/` that the page uses.
const FROM_ARCHIVE: &[&str] =
    &["swagger-ui-bundle.js", "swagger-ui.css", "index.css", "favicon-32x32.png", "oauth2-redirect.html"];

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
    let files = read_dist(ARCHIVE, FROM_ARCHIVE)?;
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

/// Reads the files named `wanted` in the archive's `*/dist/` folder: a
/// zip's central directory, then each entry, stored or deflated, checked
/// against its CRC-32. The archive is a constant of the build, so this is
/// only as general as that archive needs.
fn read_dist(zip: &[u8], wanted: &[&'static str]) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
    let u16_at = |at: usize| zip.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let u32_at = |at: usize| zip.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let bad = |what: &str| format!("the Swagger UI archive is damaged: {what}");
    // The end-of-central-directory record: the last of its signature.
    let end = (0..zip.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(i) == Some(0x0605_4b50))
        .ok_or_else(|| bad("no end of central directory"))?;
    let count = u16_at(end + 10).ok_or_else(|| bad("entry count"))?;
    let mut at = u32_at(end + 16).ok_or_else(|| bad("directory offset"))?;
    let mut out = vec![];
    for _ in 0..count {
        if u32_at(at) != Some(0x0201_4b50) {
            return Err(bad("directory entry"));
        }
        let field = |off: usize| u16_at(at + off).ok_or_else(|| bad("directory entry"));
        let (method, name_len, extra_len, comment_len) = (field(10)?, field(28)?, field(30)?, field(32)?);
        let crc = u32_at(at + 16).ok_or_else(|| bad("crc"))? as u32;
        let size = u32_at(at + 20).ok_or_else(|| bad("size"))?;
        let full = u32_at(at + 24).ok_or_else(|| bad("size"))?;
        let local = u32_at(at + 42).ok_or_else(|| bad("offset"))?;
        let name = zip.get(at + 46..at + 46 + name_len).ok_or_else(|| bad("name"))?;
        at += 46 + name_len + extra_len + comment_len;
        let name = String::from_utf8_lossy(name);
        let Some(want) = name.split_once("/dist/").and_then(|(_, f)| wanted.iter().find(|w| **w == f)) else {
            continue;
        };
        if u32_at(local) != Some(0x0403_4b50) {
            return Err(bad("local header"));
        }
        let data_at = local + 30 + u16_at(local + 26).unwrap_or(0) + u16_at(local + 28).unwrap_or(0);
        let data = zip.get(data_at..data_at + size).ok_or_else(|| bad("data"))?;
        let bytes = match method {
            0 => data.to_vec(),
            8 => {
                let mut v = Vec::with_capacity(full);
                flate2::read::DeflateDecoder::new(data).read_to_end(&mut v).map_err(|e| bad(&e.to_string()))?;
                v
            }
            m => return Err(bad(&format!("compression method {m}"))),
        };
        let mut check = flate2::Crc::new();
        check.update(&bytes);
        if bytes.len() != full || check.sum() != crc {
            return Err(bad(&format!("{want} does not match its checksum")));
        }
        out.push((*want, bytes));
    }
    match wanted.iter().find(|w| !out.iter().any(|(n, _)| n == *w)) {
        Some(missing) => Err(bad(&format!("no {missing}"))),
        None => Ok(out),
    }
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

    /// A zip of one stored file `x/dist/a.txt`, with the CRC-32 given.
    fn one_file_zip(data: &[u8], crc: u32) -> Vec<u8> {
        let name = b"x/dist/a.txt";
        let n = name.len() as u16;
        let len = data.len() as u32;
        let mut z = vec![];
        z.extend(0x0403_4b50u32.to_le_bytes());
        z.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method 0, time, date
        z.extend(crc.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(n.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z.extend(name);
        z.extend(data);
        let directory = z.len() as u32;
        z.extend(0x0201_4b50u32.to_le_bytes());
        z.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // versions, flags, method 0, time, date
        z.extend(crc.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(n.to_le_bytes());
        z.extend([0; 12]); // extra, comment, disk, attributes
        z.extend(0u32.to_le_bytes()); // the local header's offset
        z.extend(name);
        let size = z.len() as u32 - directory;
        z.extend(0x0605_4b50u32.to_le_bytes());
        z.extend([0, 0, 0, 0, 1, 0, 1, 0]);
        z.extend(size.to_le_bytes());
        z.extend(directory.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z
    }

    #[test]
    fn a_damaged_archive_is_refused_not_a_panic() {
        let mut crc = flate2::Crc::new();
        crc.update(b"hello");
        let good = one_file_zip(b"hello", crc.sum());
        assert_eq!(read_dist(&good, &["a.txt"]), Ok(vec![("a.txt", b"hello".to_vec())]));
        let err = read_dist(&one_file_zip(b"hellO", crc.sum()), &["a.txt"]).unwrap_err();
        assert!(err.contains("checksum"), "{err}");
        assert!(read_dist(&good, &["b.txt"]).unwrap_err().contains("no b.txt"));
        for cut in 0..good.len() {
            assert!(read_dist(&good[..cut], &["a.txt"]).is_err(), "cut at {cut}");
        }
        assert!(read_dist(&ARCHIVE[..ARCHIVE.len() / 2], FROM_ARCHIVE).is_err());
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
