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
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/users", "GET").route(web::get().to(search)))
        .service(resource("/v1/users/{id}", "GET").route(web::get().to(one)));
}

pub(super) use super::common::etag;

/// A member as anyone with `users:read` sees them.
pub(super) fn public_json(app: &App, u: &User) -> serde_json::Value {
    serde_json::json!({
        "id": u.id.to_string(),
        "username": u.username,
        "display_name": u.display_name,
        "avatar_url": u.avatar.as_ref().map(|sha| avatars::url(app, sha)),
        "bio": u.bio,
        "created_at": rfc3339(u.created_at),
    })
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    cursor: Option<String>,
    limit: Option<String>,
}

/// Enabled members whose username or display name holds `q` (any case),
/// in the order they joined, a page at a time. Without `q`: every one.
async fn search(caller: Caller, app: web::Data<App>, q: web::Query<SearchQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("users:read")?;
    let text = profile::check_query(&q.q).map_err(|p| ApiError::field(p.field, p.message))?;
    let asked = PageQuery { cursor: q.cursor.clone(), limit: q.limit.clone() };
    let page = asked.check()?.fits(is_id_cursor).map_err(|e: FieldError| ApiError::invalid(vec![e]))?;
    let found = profile::search(&app, &text, page.after(), page.limit)?;
    let listing = Listing::from(found.map(|u| public_json(&app, &u)));
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(listing))
}

/// One member's public profile; `me` is the caller.
async fn one(caller: Caller, app: web::Data<App>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("users:read")?;
    let not_found = || ApiError::not_found("There is no member with this id.");
    let id = match id.as_str() {
        "me" => caller.member()?.id,
        other => other.parse::<u64>().map(UserId).map_err(|_| not_found())?,
    };
    let u = profile::public(&app, id)?.ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, etag(u.revision)))
        .insert_header(("Cache-Control", "no-store"))
        .json(public_json(&app, &u)))
}
