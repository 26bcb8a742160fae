//! `/api/v1/users`: finding members and reading their public profiles
//! (scope `users:read`, for a member's token or an application's own). A
//! public profile never carries the e-mail address; a disabled member is
//! not found, the same as one who never existed.

use super::resource;
use crate::accounts::{avatars, profile};
use crate::app::App;
use crate::clock::rfc3339;
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::{ApiError, FieldError};
use crate::store::UserId;
use crate::store::page::is_id_cursor;
use crate::store::users::User;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(search, one))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/users", "GET").route(web::get().to(search)))
        .service(resource("/v1/users/{id}", "GET").route(web::get().to(one)));
}

pub(super) use super::common::etag;

/// A member as anyone with `users:read` sees them: never the e-mail
/// address. (Fields in name order: the JSON is what it was when it was
/// built inline.)
#[derive(Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserJson {
    /// The picture (PNG, 256 px square), or `null` when the member has none.
    #[schema(format = "uri", required = true, example = "https://localhost:8443/avatars/3b1f0c.png")]
    pub avatar_url: Option<String>,
    /// What the member says about themselves; may be empty.
    #[schema(example = "Mathematician. Writes the first programs.")]
    pub bio: String,
    /// When the account was made (RFC 3339, UTC).
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
    #[schema(example = "Ada Lovelace")]
    pub display_name: String,
    /// The member's id; `me` stands for the caller in paths.
    #[schema(example = "42")]
    pub id: String,
    #[schema(example = "ada")]
    pub username: String,
}

impl UserJson {
    pub(super) fn new(app: &App, u: &User) -> UserJson {
        UserJson {
            avatar_url: u.avatar.as_ref().map(|sha| avatars::url(app, sha)),
            bio: u.bio.clone(),
            created_at: rfc3339(u.created_at),
            display_name: u.display_name.clone(),
            id: u.id.to_string(),
            username: u.username.clone(),
        }
    }
}

/// `GET /users`: the search text and the page.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Words of a username or display name (any case); at most 64
    /// characters, no control characters. Leave out for every member.
    #[serde(default)]
    #[param(example = "ada")]
    q: String,
    #[param(ignore)]
    cursor: Option<String>,
    #[param(ignore)]
    limit: Option<String>,
}

/// Enabled members whose username or display name holds `q` (any case),
/// in the order they joined, a page at a time. Without `q`: every one.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    operation_id = "list_users",
    params(SearchQuery, PageQuery),
    security(("oauth2" = ["users:read"]), ("oauth1" = ["users:read"])),
    responses(
        (status = 200, description = "A page of members", body = Listing<UserJson>,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn search(caller: Caller, app: web::Data<App>, q: web::Query<SearchQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("users:read")?;
    let text = profile::check_query(&q.q).map_err(|p| ApiError::field(p.field, p.message))?;
    let asked = PageQuery { cursor: q.cursor.clone(), limit: q.limit.clone() };
    let page = asked.check()?.fits(is_id_cursor).map_err(|e: FieldError| ApiError::invalid(vec![e]))?;
    let found = profile::search(&app, &text, page.after(), page.limit)?;
    let listing = Listing::from(found.map(|u| UserJson::new(&app, &u)));
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(listing))
}

/// One member's public profile; `me` is the caller (not for an
/// application's own token: 403). A disabled member is not found, the same
/// as one who never existed.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    tag = "users",
    operation_id = "get_user",
    params(("id" = String, Path, pattern = "^([0-9]+|me)$", description = "The member's id, or `me`; what is not a member's id is a 404", example = "42")),
    security(("oauth2" = ["users:read"]), ("oauth1" = ["users:read"])),
    responses(
        (status = 200, description = "The member's public profile", body = UserJson, headers(
            ("ETag" = String, description = "The profile's revision, `\"rN\"`"),
            ("Cache-Control" = String, description = "`no-store`")
        )),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn one(caller: Caller, app: web::Data<App>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("users:read")?;
    let not_found = || ApiError::not_found("There is no member with this id.");
    let id = match id.as_str() {
        "me" => caller.member()?.id,
        other => super::common::parse_id(other).map(UserId).ok_or_else(not_found)?,
    };
    let u = profile::public(&app, id)?.ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, etag(u.revision)))
        .insert_header(("Cache-Control", "no-store"))
        .json(UserJson::new(&app, &u)))
}
