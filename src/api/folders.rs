//! `/api/v1/folders`: make a folder, open one (the folder with its
//! contents: folders first, then files), rename or move it, delete it
//! (with `?recursive=true` when it is not empty).

use super::common::{self, Object, created, if_match, ok_tagged, page, read, viewer, writer};
use super::files::{EntryJson, entry_json};
use super::files_serve::FolderJson;
use super::resource;
use crate::app::App;
use crate::http::caller::Caller;
use crate::http::page::PageQuery;
use crate::http::problem::ApiError;
use crate::ids::{FolderId, GroupId};
use crate::social::folders::{FolderChange, FolderInput};
use crate::social::{self, uploads};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, get, update, delete))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/folders", "POST").route(web::post().to(create))).service(
        resource("/v1/folders/{id}", "GET, PATCH, DELETE")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    );
}

const ID_PARAM: &str = "The folder's id; what is not the id of a folder the caller can open is a 404";

fn parse_folder(field: &'static str, raw: Option<&str>) -> Result<Option<Option<FolderId>>, ApiError> {
    match raw {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(p) => Ok(Some(Some(FolderId(
            common::parse_id(p).ok_or_else(|| ApiError::field(field, "must be a folder id, or empty"))?,
        )))),
    }
}

/// A new folder. An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FolderInput)]
pub struct NewFolderBody {
    /// Required: 1 to 255 characters without slashes, quotes or control
    /// characters, and not `.` or `..`.
    #[schema(example = "Minutes")]
    pub name: Option<String>,
    /// A group the caller is a member of; without it, their own space.
    #[schema(pattern = "^[0-9]*$", example = "7")]
    pub group: Option<String>,
    /// The folder to make it in (same place); without it, the top.
    #[schema(pattern = "^[0-9]*$", example = "12")]
    pub parent: Option<String>,
}

/// Makes a folder in the caller's own space or a group they are a member of.
#[utoipa::path(
    post,
    path = "/api/v1/folders",
    tag = "folders",
    operation_id = "create_folder",
    request_body(content = NewFolderBody, description = "The new folder: `name` is required; an unknown field is a 422"),
    security(("oauth2" = ["files:write"]), ("oauth1" = ["files:write"])),
    responses(
        (status = 201, description = "The folder", body = FolderJson, headers(("Location" = String, description = "The new folder's address"), ("ETag" = String, description = "The folder's revision, `\"rN\"`, for `If-Match`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn create(caller: Caller, app: web::Data<App>, body: Object<NewFolderBody>) -> Result<HttpResponse, ApiError> {
    caller.require("files:write")?;
    let b = body.into_inner();
    let group = match b.group.as_deref() {
        None | Some("") => None,
        Some(g) => Some(GroupId(common::parse_id(g).ok_or_else(|| ApiError::field("group", "must be a group id"))?)),
    };
    let parent = parse_folder("parent", b.parent.as_deref())?.flatten();
    let input = FolderInput { name: b.name, group, parent };
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let f = social::write(&app.store, move |tx| social::folders::create(tx, actor, &input, now)).await?;
    Ok(created(app.config.url(&format!("api/v1/folders/{}", f.id)), f.revision).json(FolderJson::from(&f)))
}

/// A folder with one page of what is in it.
#[derive(Serialize, ToSchema)]
#[schema(as = FolderWithContents)]
struct FolderPage {
    /// Always `folder`.
    #[schema(value_type = String, pattern = "^folder$", example = "folder")]
    kind: &'static str,
    #[schema(example = "12")]
    id: String,
    /// The group it is in; `null` in its maker's own space.
    #[schema(required = true, example = "7")]
    group: Option<String>,
    /// The folder it is in; `null` at the top.
    #[schema(required = true, example = json!(null))]
    parent: Option<String>,
    #[schema(example = "Minutes")]
    name: String,
    /// Who made it (a member id).
    #[schema(example = "42")]
    owner: String,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    created_at: String,
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
    updated_at: String,
    /// Folders first, then files, each oldest first; at most `limit`.
    items: Vec<EntryJson>,
    /// Pass as `?cursor=` for the next page; `null` on the last page.
    #[schema(required = true, example = "gAAAAAAAAFg")]
    next_cursor: Option<String>,
}

/// A folder, with the folders and files in it that the caller can see
/// (folders first, then files).
#[utoipa::path(
    get,
    path = "/api/v1/folders/{id}",
    tag = "folders",
    operation_id = "get_folder",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = ID_PARAM, example = "12"), PageQuery),
    security(("oauth2" = ["files:read"]), ("oauth1" = ["files:read"])),
    responses(
        (status = 200, description = "The folder and a page of its contents", body = FolderPage, headers(("ETag" = String, description = "The folder's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn get(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require("files:read")?;
    let id = FolderId(common::id(&path, "folder")?);
    let (after, limit) = page(&q)?;
    let v = viewer(&caller);
    let (folder, contents) = read(&app, |tx| {
        let f = social::folders::get(tx, id, v)?;
        let p = social::files::list(tx, v, f.place, Some(f.id), after, limit)?;
        Ok((f, p))
    })?;
    let listing = crate::http::page::Listing::from(contents.map(|e| entry_json(&app, &e)));
    let f = FolderJson::from(&folder);
    let body = FolderPage {
        kind: f.kind,
        id: f.id,
        group: f.group,
        parent: f.parent,
        name: f.name,
        owner: f.owner,
        created_at: f.created_at,
        updated_at: f.updated_at,
        items: listing.items,
        next_cursor: listing.next_cursor,
    };
    Ok(ok_tagged(folder.revision).json(body))
}

/// The fields of a folder to change. An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FolderChange)]
pub struct FolderBody {
    #[schema(example = "Minutes 2026")]
    pub name: Option<String>,
    /// Move into this folder of the same place (not into itself or one of
    /// its own folders); `""` moves it to the top.
    #[schema(pattern = "^[0-9]*$", example = "")]
    pub parent: Option<String>,
}

/// Renames or moves a folder (its maker, or an admin of its group), if
/// `If-Match` (when sent) still names the stored revision.
#[utoipa::path(
    patch,
    path = "/api/v1/folders/{id}",
    tag = "folders",
    operation_id = "update_folder",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = ID_PARAM, example = "12"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the folder as last read (or `*`): 412 if it changed since", example = "\"r3\"")),
    request_body(content = FolderBody, description = "The fields to change; an unknown field is a 422"),
    security(("oauth2" = ["files:write"]), ("oauth1" = ["files:write"])),
    responses(
        (status = 200, description = "The folder as stored", body = FolderJson, headers(("ETag" = String, description = "The folder's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
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
    body: Object<FolderBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require("files:write")?;
    let id = FolderId(common::id(&path, "folder")?);
    let expected = if_match(&req)?;
    let b = body.into_inner();
    let change = FolderChange { name: b.name, parent: parse_folder("parent", b.parent.as_deref())? };
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let f =
        social::write(&app.store, move |tx| social::folders::update(tx, actor, id, &change, &expected, now)).await?;
    Ok(ok_tagged(f.revision).json(FolderJson::from(&f)))
}

/// `DELETE /folders/{id}`: whether to delete what is in it too.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// `true` to delete a folder that is not empty, with everything in it
    /// (only when the caller may delete all of it); else such a folder is
    /// a 409.
    #[param(value_type = Option<bool>, example = true)]
    pub recursive: Option<String>,
}

/// Deletes a folder (its maker, or an admin of its group).
#[utoipa::path(
    delete,
    path = "/api/v1/folders/{id}",
    tag = "folders",
    operation_id = "delete_folder",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = ID_PARAM, example = "12"), DeleteQuery, ("If-Match" = Option<String>, Header, description = "The `ETag` of the folder as last read (or `*`): 412 if it changed since", example = "\"r3\"")),
    security(("oauth2" = ["files:write"]), ("oauth1" = ["files:write"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 409, response = super::schema::Conflict),
        (status = 412, response = super::schema::Stale),
        (status = 422, response = super::schema::Unprocessable),
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
    q: web::Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require("files:write")?;
    let id = FolderId(common::id(&path, "folder")?);
    let recursive = common::flag("recursive", q.recursive.as_deref())?;
    let expected = if_match(&req)?;
    let actor = writer(&caller, &app)?;
    let gone =
        social::write(&app.store, move |tx| social::folders::delete(tx, actor, id, recursive, &expected)).await?;
    uploads::collect(&app, gone).await;
    Ok(HttpResponse::NoContent().finish())
}
