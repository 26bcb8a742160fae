//! `/api/v1/files`: upload (multipart, streamed to disk, never held whole
//! in memory), list a place or folder (folders first, then files), read,
//! rename, move, re-level and delete a file, and serve its bytes (with
//! ranges) and its preview. The byte ranges and the `Content-Disposition`
//! are `api/files_serve.rs`.

use super::common::{self, created, if_match, ok_tagged, page, read, viewer, writer};
use super::files_serve::{self, FileJson, FolderJson, content_type_of_preview};
use super::resource;
use crate::app::App;
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::ApiError;
use crate::ids::{FileId, FolderId, GroupId};
use crate::social::files::{Entry, FileChange, Target, clean_name};
use crate::social::uploads::{self, UploadError};
use crate::social::{self};
use crate::store::blobs::{Finished, Staged};
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, upload, get, update, delete, content, preview))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/files", "GET, POST").route(web::get().to(list)).route(web::post().to(upload)))
        .service(
            resource("/v1/files/{id}", "GET, PATCH, DELETE")
                .route(web::get().to(get))
                .route(web::patch().to(update))
                .route(web::delete().to(delete)),
        )
        .service(resource("/v1/files/{id}/content", "GET").route(web::get().to(content)))
        .service(resource("/v1/files/{id}/preview", "GET").route(web::get().to(preview)));
}

/// One row of a folder's listing: a folder or a file (`kind` says which).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = FolderEntry)]
pub enum EntryJson {
    Folder(FolderJson),
    File(FileJson),
}

pub fn entry_json(app: &App, e: &Entry) -> EntryJson {
    match e {
        Entry::Folder(f) => EntryJson::Folder(FolderJson::from(f)),
        Entry::File(f) => EntryJson::File(FileJson::of(app, f)),
    }
}

/// `GET /files`: where to list (the page is `PageQuery`'s).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A group's files (its id); without it, the caller's own space.
    #[param(pattern = "^[0-9]*$", example = "7")]
    pub group: Option<String>,
    /// A folder in that place (its id); without it, the place's top.
    #[param(pattern = "^[0-9]*$", example = "12")]
    pub folder: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub page: PageQuery,
}

/// The folders, then the files, of a group or the caller's own space (or
/// of a folder in it) that the caller can see, each oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/files",
    tag = "files",
    operation_id = "list_files",
    params(ListQuery, PageQuery),
    security(("oauth2" = ["files:read"]), ("oauth1" = ["files:read"])),
    responses(
        (status = 200, description = "A page of folders then files", body = Listing<EntryJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn list(caller: Caller, app: web::Data<App>, q: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("files:read")?;
    let group = common::query_id("group", q.group.as_deref())?.map(GroupId);
    let folder = common::query_id("folder", q.folder.as_deref())?.map(FolderId);
    let (after, limit) = page(&q.page)?;
    let v = viewer(&caller);
    let p = read(&app, |tx| {
        let (place, folder) = social::files::locate(tx, v, group, folder)?;
        social::files::list(tx, v, place, folder, after, limit)
    })?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Listing::from(p.map(|e| entry_json(&app, &e)))))
}

/// `POST /files` as the document shows it: the parts the handler reads.
#[derive(ToSchema)]
#[allow(dead_code)] // read by the document only: the handler streams the parts itself
struct UploadForm {
    /// The file (exactly one), at most `max_upload` bytes (default 25 MiB).
    /// Its type is sniffed from its bytes and must be on the allow-list
    /// (`upload_types`); images are stored without their metadata.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// A group the caller is a member of; without it, their own space.
    #[schema(pattern = "^[0-9]*$", example = "7")]
    group: Option<String>,
    /// A folder in that place.
    #[schema(pattern = "^[0-9]*$", example = "12")]
    folder: Option<String>,
    /// Default `group` in a group, `private` in one's own space.
    #[schema(value_type = Option<super::schema::PostAccess>)]
    access: Option<String>,
}

/// Room for a multipart body's boundaries and small fields around the file.
const MULTIPART_OVERHEAD: u64 = 64 * 1024;
/// How far past the limit a body is still read (and dropped) so that the
/// client sees the 413; beyond, the connection is closed on it.
const DRAIN_EXTRA: u64 = 8 * 1024 * 1024;
/// Bytes gathered before one write to disk.
const WRITE_CHUNK: usize = 1024 * 1024;
/// The longest small field (`group`, `folder`, `access`).
const SMALL_FIELD: usize = 64;

/// An error answered with `Connection: close`: the body may be partly
/// unread, so the connection cannot carry another request.
fn closing(e: ApiError) -> HttpResponse {
    let mut r = actix_web::ResponseError::error_response(&e);
    r.head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    r
}

fn upload_error(e: UploadError) -> ApiError {
    match e {
        UploadError::Social(e) => e.into(),
        UploadError::Unsupported(t) => ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Files of type {t} are not accepted here (the type is read from the file's bytes)."),
        ),
        UploadError::Image(m) => ApiError::field("file", m),
        UploadError::Internal(m) => {
            tracing::error!(error = %m, "upload failed");
            ApiError::new(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR, "The file could not be stored.")
        }
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    upload_error(UploadError::Internal(e.to_string()))
}

/// Appends `buf` to the staged blob off the async threads.
async fn flush(staged: Staged, buf: Vec<u8>) -> Result<(Staged, Vec<u8>), ApiError> {
    let done = web::block(move || {
        let mut staged = staged;
        let mut buf = buf;
        let r = staged.write(&buf);
        buf.clear();
        r.map(|()| (staged, buf))
    })
    .await
    .map_err(internal)?;
    done.map_err(internal)
}

/// The parts of an upload: the file streamed to a staged blob, and the
/// small fields.
async fn read_parts(
    req: &HttpRequest,
    payload: web::Payload,
    app: &App,
) -> Result<(Target, String, Finished), ApiError> {
    let max = app.config.max_upload;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if let Some(n) = declared.filter(|n| *n > max.saturating_add(MULTIPART_OVERHEAD)) {
        // Read (and drop) a body a little too large, so that a client busy
        // sending it gets to read the 413; a larger one is not read at all.
        if n <= max.saturating_add(DRAIN_EXTRA) {
            let mut payload = payload;
            while let Some(Ok(_)) = payload.next().await {}
        }
        return Err(ApiError::too_large(max as usize));
    }
    let mime = req.mime_type().map_err(|_| ApiError::unsupported_media_type("multipart/form-data"))?;
    if mime.as_ref().map(|m| m.essence_str().to_ascii_lowercase()).as_deref() != Some("multipart/form-data") {
        return Err(ApiError::unsupported_media_type("multipart/form-data"));
    }
    let unreadable = |e: actix_multipart::MultipartError| {
        ApiError::bad_request(format!("The multipart body could not be read: {e}"))
    };
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    let mut target = Target::default();
    let mut file: Option<(String, Finished)> = None;
    let mut seen_fields: Vec<String> = vec![];
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        if seen_fields.contains(&name) {
            return Err(ApiError::field(leak_field(&name), "is sent twice; send one file per upload"));
        }
        seen_fields.push(name.clone());
        if name == "file" {
            let filename = field
                .content_disposition()
                .and_then(|cd| {
                    // RFC 7578 §4.2: `filename*` (UTF-8) where a client sends it.
                    let ext = cd.get_filename_ext().and_then(|e| String::from_utf8(e.value.clone()).ok());
                    ext.or_else(|| cd.get_filename().map(str::to_string))
                })
                .and_then(|n| clean_name(&n))
                .unwrap_or_else(|| "file".to_string());
            let blobs = uploads::blobs_of(app);
            let mut staged = web::block(move || blobs.stage()).await.map_err(internal)?.map_err(internal)?;
            let mut buf = Vec::with_capacity(WRITE_CHUNK);
            let mut size = 0u64;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(unreadable)?;
                size += chunk.len() as u64;
                if size > max {
                    // As above: a little more is read and dropped.
                    while size <= max.saturating_add(DRAIN_EXTRA) {
                        match field.next().await {
                            Some(Ok(c)) => size += c.len() as u64,
                            _ => break,
                        }
                    }
                    return Err(ApiError::too_large(max as usize));
                }
                buf.extend_from_slice(&chunk);
                if buf.len() >= WRITE_CHUNK {
                    (staged, buf) = flush(staged, buf).await?;
                }
            }
            if size == 0 {
                return Err(ApiError::field("file", "is empty"));
            }
            let (staged, _) = flush(staged, buf).await?;
            let finished = web::block(move || staged.finish()).await.map_err(internal)?.map_err(internal)?;
            file = Some((filename, finished));
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if value.len() + chunk.len() > SMALL_FIELD {
                return Err(ApiError::field(leak_field(&name), "is too long"));
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value).map_err(|_| ApiError::field(leak_field(&name), "is not text"))?;
        let value = value.trim();
        match name.as_str() {
            "group" => {
                target.group = common::query_id("group", Some(value))?.map(GroupId);
            }
            "folder" => {
                target.folder = common::query_id("folder", Some(value))?.map(FolderId);
            }
            "access" => target.access = (!value.is_empty()).then(|| value.to_string()),
            _ => {
                return Err(ApiError::field(
                    "body",
                    "the form's parts are file, group, folder and access; there is no other",
                ));
            }
        }
    }
    let (name, finished) =
        file.ok_or_else(|| ApiError::field("file", "is missing: send the file in the part \"file\""))?;
    Ok((target, name, finished))
}

/// The name of a known part, for a field error (others are "body").
fn leak_field(name: &str) -> &'static str {
    match name {
        "file" => "file",
        "group" => "group",
        "folder" => "folder",
        "access" => "access",
        _ => "body",
    }
}

/// Uploads a file to the caller's own space or a group they are a member
/// of, optionally into a folder there. The body is streamed to disk; the
/// file's type is read from its bytes and must be on the allow-list. An
/// image is stored without its metadata (EXIF, GPS) and gets a preview.
#[utoipa::path(
    post,
    path = "/api/v1/files",
    tag = "files",
    operation_id = "upload_file",
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "The parts `file` (required, once), `group`, `folder`, `access`"),
    security(("oauth2" = ["files:write"]), ("oauth1" = ["files:write"])),
    responses(
        (status = 201, description = "The file", body = FileJson, headers(("Location" = String, description = "The new file's address"), ("ETag" = String, description = "The file's revision, `\"rN\"`, for `If-Match`"))),
        (status = 400, response = super::schema::ClientError),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 413, response = super::schema::TooLarge),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn upload(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require("files:write")?;
    let actor = writer(&caller, &app)?;
    let (target, name, finished) = match read_parts(&req, payload, &app).await {
        Ok(p) => p,
        Err(e) => return Ok(closing(e)),
    };
    let f = uploads::upload(&app, actor, target, name, finished).await.map_err(upload_error)?;
    Ok(created(app.config.url(&format!("api/v1/files/{}", f.id)), f.revision).json(FileJson::of(&app, &f)))
}

const ID_PARAM: &str = "The file's id; what is not the id of a file the caller can see is a 404";

/// One file's metadata.
#[utoipa::path(
    get,
    path = "/api/v1/files/{id}",
    tag = "files",
    operation_id = "get_file",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = ID_PARAM, example = "88")),
    security(("oauth2" = ["files:read"]), ("oauth1" = ["files:read"])),
    responses(
        (status = 200, description = "The file", body = FileJson, headers(("ETag" = String, description = "The file's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn get(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("files:read")?;
    let id = FileId(common::id(&path, "file")?);
    let v = viewer(&caller);
    let f = read(&app, |tx| social::files::get(tx, id, v))?;
    Ok(ok_tagged(f.revision).json(FileJson::of(&app, &f)))
}

/// The fields of a file to change, each optional. An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FileChange)]
pub struct FileBody {
    /// A new name: 1 to 255 characters without slashes, quotes or control
    /// characters.
    #[schema(example = "minutes-2026-11.pdf")]
    pub name: Option<String>,
    /// Move into this folder of the file's place (its id); `""` moves it
    /// to the top. A file stays in its group or space.
    #[schema(pattern = "^[0-9]*$", example = "12")]
    pub folder: Option<String>,
    #[schema(value_type = Option<super::schema::PostAccess>)]
    pub access: Option<String>,
}

/// Renames, moves or re-levels a file (its owner, or an admin of its
/// group), if `If-Match` (when sent) still names the stored revision.
#[utoipa::path(
    patch,
    path = "/api/v1/files/{id}",
    tag = "files",
    operation_id = "update_file",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = ID_PARAM, example = "88"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the file as last read (or `*`): 412 if it changed since", example = "\"r3\"")),
    request_body(content = FileBody, description = "The fields to change; an unknown field is a 422"),
    security(("oauth2" = ["files:write"]), ("oauth1" = ["files:write"])),
    responses(
        (status = 200, description = "The file as stored", body = FileJson, headers(("ETag" = String, description = "The file's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 412, response = super::schema::Stale),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn update(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
    body: common::Object<FileBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require("files:write")?;
    let id = FileId(common::id(&path, "file")?);
    let expected = if_match(&req)?;
    let b = body.into_inner();
    let folder = match b.folder.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(f) => Some(Some(FolderId(
            common::parse_id(f).ok_or_else(|| ApiError::field("folder", "must be a folder id, or empty"))?,
        ))),
    };
    let change = FileChange { name: b.name, folder, access: b.access };
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let f = social::write(&app.store, move |tx| social::files::update(tx, actor, id, &change, &expected, now)).await?;
    Ok(ok_tagged(f.revision).json(FileJson::of(&app, &f)))
}

/// Deletes a file (its owner, or an admin of its group); its bytes go
/// when nothing else uses them.
#[utoipa::path(
    delete,
    path = "/api/v1/files/{id}",
    tag = "files",
    operation_id = "delete_file",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = ID_PARAM, example = "88"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the file as last read (or `*`): 412 if it changed since", example = "\"r3\"")),
    security(("oauth2" = ["files:write"]), ("oauth1" = ["files:write"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 412, response = super::schema::Stale),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn delete(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require("files:write")?;
    let id = FileId(common::id(&path, "file")?);
    let expected = if_match(&req)?;
    let actor = writer(&caller, &app)?;
    let gone = social::write(&app.store, move |tx| social::files::delete(tx, actor, id, &expected)).await?;
    uploads::collect(&app, gone).await;
    Ok(HttpResponse::NoContent().finish())
}

/// The file's bytes, with its type, `ETag` (its SHA-256) and a safe
/// `Content-Disposition` (`inline` for images and PDF only). One byte
/// range (`Range: bytes=a-b`, `a-` or `-n`) is answered with 206, an
/// unsatisfiable one with 416; `If-Range` is honoured; a request for
/// several ranges gets the whole file.
#[utoipa::path(
    get,
    path = "/api/v1/files/{id}/content",
    tag = "files",
    operation_id = "get_file_content",
    params(
        ("id" = String, Path, pattern = "^[0-9]+$", description = ID_PARAM, example = "88"),
        ("Range" = Option<String>, Header, description = "One byte range", example = "bytes=0-1023"),
        ("If-Range" = Option<String>, Header, description = "The `ETag`: the range only if the file is still this one", example = "\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\""),
    ),
    security(("oauth2" = ["files:read"]), ("oauth1" = ["files:read"])),
    responses(
        (status = 200, description = "The whole file, as its `content_type`", content_type = "*/*", body = super::schema::Picture, headers(("ETag" = String, description = "The SHA-256 of the bytes"), ("Content-Disposition" = String, description = "`inline` or `attachment`, with the file's name"), ("Accept-Ranges" = String, description = "`bytes`"))),
        (status = 206, description = "The range asked for", content_type = "*/*", body = super::schema::Picture, headers(("Content-Range" = String, description = "`bytes a-b/size`"))),
        (status = 304, description = "`If-None-Match` names the current `ETag`"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 416, response = super::schema::RangeNotSatisfiable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn content(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require("files:read")?;
    let id = FileId(common::id(&path, "file")?);
    let v = viewer(&caller);
    let f = read(&app, |tx| social::files::get(tx, id, v))?;
    files_serve::serve(&req, &uploads::blobs_of(&app), &f).await
}

/// A bounded-size picture of an image file (at most 512 px a side, PNG or
/// JPEG, without metadata); files that are not images have none (404).
#[utoipa::path(
    get,
    path = "/api/v1/files/{id}/preview",
    tag = "files",
    operation_id = "get_file_preview",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = ID_PARAM, example = "88")),
    security(("oauth2" = ["files:read"]), ("oauth1" = ["files:read"])),
    responses(
        (status = 200, description = "The preview: PNG when the image has transparency, else JPEG", content(
            (super::schema::Picture = "image/png"),
            (super::schema::Picture = "image/jpeg"),
        ), headers(("ETag" = String, description = "The SHA-256 of the preview"))),
        (status = 304, description = "`If-None-Match` names the current `ETag`"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn preview(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require("files:read")?;
    let id = FileId(common::id(&path, "file")?);
    let v = viewer(&caller);
    let f = read(&app, |tx| social::files::get(tx, id, v))?;
    let Some(sha) = f.preview else { return Err(ApiError::not_found("This file has no preview.")) };
    let etag = format!("\"{}\"", crate::store::blobs::hex(&sha));
    if files_serve::none_match(&req, &etag) {
        return Ok(HttpResponse::NotModified().insert_header(("ETag", etag)).finish());
    }
    let blobs = uploads::blobs_of(&app);
    let bytes = web::block(move || blobs.read(&sha)).await.map_err(internal)?.map_err(internal)?;
    let bytes = bytes.ok_or_else(|| ApiError::not_found("This file has no preview."))?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", content_type_of_preview(&bytes)))
        .insert_header(("ETag", etag))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "private, no-cache"))
        .insert_header(("Content-Disposition", "inline"))
        .body(bytes))
}

/// The `attachments` of a post body: file ids.
pub fn attachments(ids: Option<&[String]>) -> Result<Option<Vec<FileId>>, ApiError> {
    ids.map(|ids| {
        ids.iter()
            .map(|i| common::parse_id(i).map(FileId))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ApiError::field("attachments", "must be file ids"))
    })
    .transpose()
}
