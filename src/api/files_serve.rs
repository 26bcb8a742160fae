//! How files and folders look in JSON, and how a file's bytes are served:
//! one byte range at most (RFC 9110 §14; a list of ranges is answered
//! with the whole file, which the RFC allows, so `bytes=0-0,0-0,...`
//! costs nothing), `If-Range`, `If-None-Match`, an `ETag` of the SHA-256,
//! `X-Content-Type-Options: nosniff`, a sandboxing CSP, and an RFC 6266
//! `Content-Disposition` that is `inline` only for images and PDF.

use super::common::sid;
use crate::app::App;
use crate::clock::rfc3339;
use crate::http::problem::ApiError;
use crate::social::sniff;
use crate::store::blobs::{self, Blobs};
use crate::store::social::files::{Folder, StoredFile};
use actix_web::body::SizedStream;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use std::io::{Read, Seek, SeekFrom};
use utoipa::ToSchema;

/// A file as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = File)]
pub struct FileJson {
    /// Always `file` (a folder's listing holds folders and files).
    #[schema(value_type = String, pattern = "^file$", example = "file")]
    pub kind: &'static str,
    #[schema(example = "88")]
    pub id: String,
    /// The group it is in; `null` in its owner's own space.
    #[schema(required = true, example = "7")]
    pub group: Option<String>,
    /// The folder it is in; `null` at the top of its place.
    #[schema(required = true, example = "12")]
    pub folder: Option<String>,
    /// Who uploaded it (a member id).
    #[schema(example = "42")]
    pub owner: String,
    #[schema(example = "minutes.pdf")]
    pub name: String,
    /// Bytes (of the stored form: an image without its metadata).
    #[schema(example = 48213)]
    pub size: u64,
    /// Read from the bytes, not from what the client said.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    /// The SHA-256 of the bytes, in hex (also the content's `ETag`).
    #[schema(example = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    pub sha256: String,
    #[schema(value_type = super::schema::PostAccess)]
    pub access: &'static str,
    #[schema(format = "uri", example = "https://localhost:8443/api/v1/files/88/content")]
    pub content_url: String,
    /// An image's preview; `null` for other files.
    #[schema(required = true, format = "uri", example = "https://localhost:8443/api/v1/files/88/preview")]
    pub preview_url: Option<String>,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
    pub updated_at: String,
}

impl FileJson {
    pub fn of(app: &App, f: &StoredFile) -> FileJson {
        FileJson {
            kind: "file",
            id: sid(f.id),
            group: f.place.group().map(sid),
            folder: f.folder.map(sid),
            owner: sid(f.owner),
            name: f.name.clone(),
            size: f.size,
            content_type: f.content_type.clone(),
            sha256: blobs::hex(&f.sha256),
            access: f.access.as_str(),
            content_url: app.config.url(&format!("api/v1/files/{}/content", f.id)),
            preview_url: f.preview.map(|_| app.config.url(&format!("api/v1/files/{}/preview", f.id))),
            created_at: rfc3339(f.created_at),
            updated_at: rfc3339(f.updated_at),
        }
    }
}

/// A folder as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Folder)]
pub struct FolderJson {
    /// Always `folder`.
    #[schema(value_type = String, pattern = "^folder$", example = "folder")]
    pub kind: &'static str,
    #[schema(example = "12")]
    pub id: String,
    /// The group it is in; `null` in its maker's own space.
    #[schema(required = true, example = "7")]
    pub group: Option<String>,
    /// The folder it is in; `null` at the top.
    #[schema(required = true, example = json!(null))]
    pub parent: Option<String>,
    #[schema(example = "Minutes")]
    pub name: String,
    /// Who made it (a member id).
    #[schema(example = "42")]
    pub owner: String,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
    pub updated_at: String,
}

impl From<&Folder> for FolderJson {
    fn from(f: &Folder) -> Self {
        FolderJson {
            kind: "folder",
            id: sid(f.id),
            group: f.place.group().map(sid),
            parent: f.parent.map(sid),
            name: f.name.clone(),
            owner: sid(f.owner),
            created_at: rfc3339(f.created_at),
            updated_at: rfc3339(f.updated_at),
        }
    }
}

/// What a `Range` header asks of a file of `total` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Ranged {
    /// The whole file (no range, several ranges, or one that is not read).
    Whole,
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// Nothing of the file: 416.
    Unsatisfiable,
}

/// Reads one `bytes=` range (RFC 9110 §14.1.2).
pub fn range(header: Option<&str>, total: u64) -> Ranged {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ranged::Whole };
    if spec.contains(',') {
        return Ranged::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else { return Ranged::Whole };
    let num =
        |s: &str| (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse::<u64>().ok()).flatten();
    match (a.trim(), b.trim()) {
        ("", n) => match num(n) {
            Some(0) => Ranged::Unsatisfiable,
            Some(_) if total == 0 => Ranged::Unsatisfiable,
            Some(n) => Ranged::Part(total - n.min(total), total - 1),
            None => Ranged::Whole,
        },
        (a, "") => match num(a) {
            Some(a) if a >= total => Ranged::Unsatisfiable,
            Some(a) => Ranged::Part(a, total - 1),
            None => Ranged::Whole,
        },
        (a, b) => match (num(a), num(b)) {
            (Some(a), Some(b)) if a > b => Ranged::Whole,
            (Some(a), Some(_)) if a >= total => Ranged::Unsatisfiable,
            (Some(a), Some(b)) => Ranged::Part(a, b.min(total - 1)),
            _ => Ranged::Whole,
        },
    }
}

/// Whether `If-None-Match` names `etag` (or `*`), compared weakly.
pub fn none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(actix_web::http::header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// RFC 6266 with RFC 8187: an ASCII `filename` (quotes, backslashes,
/// slashes, `%` and control characters out; other non-ASCII as `_`) and
/// the UTF-8 name in `filename*`.
pub fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/' | '%'))
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let ascii = if ascii.trim().is_empty() { "file".to_string() } else { ascii };
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A preview's type from its first bytes (previews are PNG or JPEG).
pub fn content_type_of_preview(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") { "image/png" } else { "image/jpeg" }
}

/// How much of a file one read takes while streaming it.
const READ_CHUNK: usize = 256 * 1024;

/// Serves a file's bytes (whole or one range), streamed from its blob.
pub async fn serve(req: &HttpRequest, blobs: &Blobs, f: &StoredFile) -> Result<HttpResponse, ApiError> {
    let etag = format!("\"{}\"", blobs::hex(&f.sha256));
    let total = f.size;
    let common = |r: &mut actix_web::HttpResponseBuilder| {
        r.insert_header(("ETag", etag.clone()))
            .insert_header(("Accept-Ranges", "bytes"))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
            .insert_header(("Cache-Control", "private, no-cache"));
    };
    if none_match(req, &etag) {
        let mut r = HttpResponse::NotModified();
        common(&mut r);
        return Ok(r.finish());
    }
    let header = req.headers().get(actix_web::http::header::RANGE).and_then(|v| v.to_str().ok());
    // If-Range: the range only if the file is still the one named.
    let if_range = req.headers().get(actix_web::http::header::IF_RANGE).and_then(|v| v.to_str().ok());
    let asked = match if_range {
        Some(t) if t.trim() != etag => Ranged::Whole,
        _ => range(header, total),
    };
    let (status, start, len) = match asked {
        Ranged::Whole => (StatusCode::OK, 0, total),
        Ranged::Part(a, b) => (StatusCode::PARTIAL_CONTENT, a, b - a + 1),
        Ranged::Unsatisfiable => {
            let e = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                format!("The range lies outside the file's {total} bytes."),
            );
            let mut r = actix_web::ResponseError::error_response(&e);
            let range = actix_web::http::header::HeaderValue::from_str(&format!("bytes */{total}"));
            if let Ok(v) = range {
                r.headers_mut().insert(actix_web::http::header::CONTENT_RANGE, v);
            }
            return Ok(r);
        }
    };
    let path = blobs.path(&f.sha256);
    let file = web::block(move || -> std::io::Result<std::fs::File> {
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::Start(start))?;
        Ok(file)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("The file could not be read: {e}")))?
    .map_err(|e| {
        tracing::error!(file = %f.id, error = %e, "a file's content is missing");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "The file's content could not be read.")
    })?;
    let chunks = futures_util::stream::try_unfold((file, len), |(file, left)| async move {
        if left == 0 {
            return Ok(None);
        }
        let want = left.min(READ_CHUNK as u64) as usize;
        let (file, buf) = web::block(move || -> std::io::Result<_> {
            let mut file = file;
            let mut buf = vec![0u8; want];
            file.read_exact(&mut buf)?;
            Ok((file, buf))
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok::<_, std::io::Error>(Some((web::Bytes::from(buf), (file, left - want as u64))))
    });
    let kind = if sniff::inline(&f.content_type) { "inline" } else { "attachment" };
    let content_type = if f.content_type.starts_with("text/") {
        format!("{}; charset=utf-8", f.content_type)
    } else {
        f.content_type.clone()
    };
    let mut r = HttpResponse::build(status);
    common(&mut r);
    r.insert_header(("Content-Type", content_type)).insert_header(("Content-Disposition", disposition(kind, &f.name)));
    if status == StatusCode::PARTIAL_CONTENT {
        r.insert_header(("Content-Range", format!("bytes {start}-{}/{total}", start + len - 1)));
    }
    Ok(r.body(SizedStream::new(len, chunks)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_range_is_read_and_lists_are_not() {
        let r = |h: &str| range(Some(h), 100);
        assert_eq!(range(None, 100), Ranged::Whole);
        assert_eq!(r("bytes=0-9"), Ranged::Part(0, 9));
        assert_eq!(r("bytes=90-200"), Ranged::Part(90, 99));
        assert_eq!(r("bytes=95-"), Ranged::Part(95, 99));
        assert_eq!(r("bytes=-10"), Ranged::Part(90, 99));
        assert_eq!(r("bytes=-500"), Ranged::Part(0, 99));
        assert_eq!(r("bytes=100-"), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=100-120"), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=-0"), Ranged::Unsatisfiable);
        assert_eq!(range(Some("bytes=-5"), 0), Ranged::Unsatisfiable);
        for whole in ["bytes=0-0,0-0,0-0", "bytes=5-2", "items=0-1", "bytes=a-b", "bytes=+1-2", "bytes=-"] {
            assert_eq!(r(whole), Ranged::Whole, "{whole}");
        }
    }

    #[test]
    fn dispositions_are_safe_in_both_forms() {
        assert_eq!(disposition("inline", "photo.jpg"), "inline; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg");
        let d = disposition("attachment", "Ré\"sumé\r\n/..\\x.pdf");
        assert!(!d.contains('\r') && !d.contains('\n'), "{d}");
        assert_eq!(
            d,
            "attachment; filename=\"R_sum_..x.pdf\"; filename*=UTF-8''R%C3%A9%22sum%C3%A9%0D%0A%2F..%5Cx.pdf"
        );
        assert!(disposition("attachment", "日本").starts_with("attachment; filename=\"__\""));
    }
}
