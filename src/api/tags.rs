//! `/api/v1/tags`: the tags of the posts a caller may see, with counts.

use super::common::{self, read, viewer};
use super::resource;
use crate::app::App;
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::ApiError;
use crate::social::{self, LIMITS};
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(tags))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/tags", "GET").route(web::get().to(tags)));
}

/// `GET /tags`: the prefix and the page. This list's cursor is its own
/// (the base64url of the last tag name given), not another list's.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagQuery {
    /// The start of the tag names (a leading `#` is dropped, any case); at
    /// most 50 characters. Leave out for every tag.
    #[param(example = "se")]
    pub q: Option<String>,
    /// The `next_cursor` of the previous page (the base64url of the last
    /// tag name it gave); leave it out for the first.
    #[param(max_length = 512, pattern = "^[A-Za-z0-9_-]*$", example = "c2VlZHM")]
    pub cursor: Option<String>,
    /// How many tags per page.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<String>,
}

/// A tag and how many posts carry it.
#[derive(Serialize, ToSchema)]
#[schema(as = Tag)]
struct TagJson {
    #[schema(example = "seeds")]
    name: String,
    /// The posts with this tag that a member (or, for an application's own
    /// token, anyone) can see.
    #[schema(example = 14)]
    count: u64,
}

/// The tags starting with `q`, in name order, each with how many posts
/// carry it that a member (or, for an application's own token, anyone)
/// can see.
#[utoipa::path(
    get,
    path = "/api/v1/tags",
    tag = "tags",
    operation_id = "list_tags",
    params(TagQuery),
    security(("oauth2" = ["posts:read"]), ("oauth1" = ["posts:read"])),
    responses(
        (status = 200, description = "A page of tags in name order", body = Listing<TagJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn tags(caller: Caller, app: web::Data<App>, q: web::Query<TagQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:read")?;
    let prefix = common::query_text("q", q.q.as_deref(), LIMITS.tag)?.unwrap_or_default();
    // The cursor of the tag list is the last name given, base64url.
    let p = PageQuery { cursor: q.cursor.clone(), limit: q.limit.clone() }.check()?;
    let after = p
        .after()
        .map(|a| String::from_utf8(a.to_vec()).map_err(|_| ApiError::field("cursor", "is not a cursor of this list")))
        .transpose()?;
    let v = viewer(&caller);
    let (items, next) = read(&app, |tx| social::posts::tags(tx, v, &prefix, after.as_deref(), p.limit))?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(Listing {
        items: items.into_iter().map(|(name, count)| TagJson { name, count }).collect(),
        next_cursor: next.map(|n| crate::http::page::cursor(n.as_bytes())),
    }))
}
