//! Friends, the feed and sharing: `PUT/DELETE /api/v1/users/{id}/friend`,
//! `GET /api/v1/me/friends`, `GET /api/v1/me/friend-requests`,
//! `GET /api/v1/me/feed` and `POST /api/v1/posts/{id}/share`. Friend lists
//! need `users:read`, the feed `posts:read` (its activity items also
//! `activity:read`); changing a friendship and sharing are writes,
//! `posts:write`.

use super::common::{self, created, page, read, sid, writer};
use super::groups::ActivityJson;
use super::posts::PostJson;
use super::resource;
use crate::app::App;
use crate::clock::rfc3339;
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::ApiError;
use crate::ids::PostId;
use crate::social;
use crate::social::feed::{Cursor, Item, Only};
use crate::social::friends::Friendship;
use crate::store::social::friends::List;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(befriend, unfriend, friends, requests, feed, share))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/v1/users/{id}/friend", "PUT, DELETE")
            .route(web::put().to(befriend))
            .route(web::delete().to(unfriend)),
    )
    .service(resource("/v1/me/friends", "GET").route(web::get().to(friends)))
    .service(resource("/v1/me/friend-requests", "GET").route(web::get().to(requests)))
    .service(resource("/v1/me/feed", "GET").route(web::get().to(feed)))
    .service(resource("/v1/posts/{id}/share", "POST").route(web::post().to(share)));
}

/// Where the caller stands with a member: `none`, `requested` (the caller
/// asked), `pending` (the member asked the caller) or `friends`.
#[allow(dead_code)] // read by the document only, never constructed
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum FriendState {
    None,
    Requested,
    Pending,
    Friends,
}

/// Which requests: those sent to the caller, or those the caller sent.
#[allow(dead_code)] // read by the document only, never constructed
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum RequestDirection {
    Incoming,
    Outgoing,
}

/// The caller's friendship with a member, as it now is.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Friendship)]
pub struct FriendshipJson {
    /// The other member's id.
    #[schema(example = "42")]
    pub user: String,
    #[schema(value_type = FriendState)]
    pub state: &'static str,
    /// Since when they are friends, or when the request was made; `null`
    /// for `none`.
    #[schema(required = true, format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub since: Option<String>,
}

impl From<&Friendship> for FriendshipJson {
    fn from(f: &Friendship) -> Self {
        FriendshipJson { user: sid(f.user), state: f.state.as_str(), since: f.since.map(rfc3339) }
    }
}

/// One of the caller's friends.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Friend)]
pub struct FriendJson {
    /// The friend's member id.
    #[schema(example = "42")]
    pub user: String,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub since: String,
}

/// A friend request to or from the caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FriendRequest)]
pub struct FriendRequestJson {
    /// The other member's id: who asked (incoming) or who was asked
    /// (outgoing).
    #[schema(example = "42")]
    pub user: String,
    #[schema(value_type = RequestDirection)]
    pub direction: &'static str,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
}

fn no_store() -> (&'static str, &'static str) {
    ("Cache-Control", "no-store")
}

/// Asks a member to be friends, or accepts their pending request. Asking
/// again, or asking a friend, changes nothing.
#[utoipa::path(
    put,
    path = "/api/v1/users/{id}/friend",
    tag = "friends",
    operation_id = "befriend_user",
    params(("id" = String, Path, pattern = "^([0-9]+|me)$", description = "The member's id; what is not an enabled member's id is a 404; the caller's own (or `me`) is a 422", example = "42")),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 200, description = "The friendship as it now is: `requested`, or `friends`", body = FriendshipJson, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn befriend(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let target = common::user(&path, &caller)?;
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let f = social::write(&app.store, move |tx| social::friends::befriend(tx, actor, target, now)).await?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(FriendshipJson::from(&f)))
}

/// Cancels the caller's request to a member, refuses theirs, or ends the
/// friendship. Without any of them, changes nothing.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/friend",
    tag = "friends",
    operation_id = "unfriend_user",
    params(("id" = String, Path, pattern = "^([0-9]+|me)$", description = "The member's id; what is not an enabled member's id is a 404; the caller's own (or `me`) is a 422", example = "42")),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 204, description = "No friendship and no request between them any more"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn unfriend(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let target = common::user(&path, &caller)?;
    let actor = writer(&caller, &app)?;
    social::write(&app.store, move |tx| social::friends::unfriend(tx, actor, target)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's friends, by member id.
#[utoipa::path(
    get,
    path = "/api/v1/me/friends",
    tag = "friends",
    operation_id = "list_friends",
    params(PageQuery),
    security(("oauth2" = ["users:read"]), ("oauth1" = ["users:read"])),
    responses(
        (status = 200, description = "A page of friends", body = Listing<FriendJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn friends(caller: Caller, app: web::Data<App>, q: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("users:read")?;
    let me = caller.member()?.id;
    let (after, limit) = page(&q)?;
    let p = read(&app, |tx| social::friends::list(tx, me, List::Friends, after, limit))?;
    let listing = Listing::from(p.map(|(u, t)| FriendJson { user: sid(u), since: rfc3339(t) }));
    Ok(HttpResponse::Ok().insert_header(no_store()).json(listing))
}

/// `GET /me/friend-requests`: which way (the page is `PageQuery`'s).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// `incoming` (the default: requests to the caller) or `outgoing`.
    #[param(value_type = Option<RequestDirection>)]
    pub direction: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub page: PageQuery,
}

/// Friend requests sent to the caller (or, with `direction=outgoing`, by
/// the caller), by member id.
#[utoipa::path(
    get,
    path = "/api/v1/me/friend-requests",
    tag = "friends",
    operation_id = "list_friend_requests",
    params(RequestsQuery, PageQuery),
    security(("oauth2" = ["users:read"]), ("oauth1" = ["users:read"])),
    responses(
        (status = 200, description = "A page of requests", body = Listing<FriendRequestJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn requests(caller: Caller, app: web::Data<App>, q: web::Query<RequestsQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("users:read")?;
    let (which, direction) = match q.direction.as_deref() {
        None | Some("incoming") => (List::Incoming, "incoming"),
        Some("outgoing") => (List::Outgoing, "outgoing"),
        Some(_) => return Err(ApiError::field("direction", "must be incoming or outgoing")),
    };
    let me = caller.member()?.id;
    let (after, limit) = page(&q.page)?;
    let p = read(&app, |tx| social::friends::list(tx, me, which, after, limit))?;
    let listing = Listing::from(p.map(|(u, t)| FriendRequestJson { user: sid(u), direction, created_at: rfc3339(t) }));
    Ok(HttpResponse::Ok().insert_header(no_store()).json(listing))
}

/// `GET /me/feed`: which items (optional; default both).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// `post` for the posts only, `activity` for the activity only (needs
    /// `activity:read`); left out, both (the activity only when the token
    /// holds `activity:read`).
    #[param(value_type = Option<FeedItemType>)]
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub page: PageQuery,
}

/// The kind of a feed item.
#[allow(dead_code)] // read by the document only, never constructed
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum FeedItemType {
    Post,
    Activity,
}

/// An item of the feed: a post, or an entry of a group's activity river,
/// tagged by `type`, with the time it is ordered by.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[schema(as = FeedItem)]
pub enum FeedItemJson {
    /// A post or share (`at`: its `created_at`).
    Post {
        #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
        at: String,
        post: PostJson,
    },
    /// An activity entry (`at`: its `created_at`); never `post_created`,
    /// whose post is in the feed as itself.
    Activity {
        #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
        at: String,
        activity: ActivityJson,
    },
}

impl From<&Item> for FeedItemJson {
    fn from(i: &Item) -> Self {
        let at = rfc3339(i.at());
        match i {
            Item::Post(p) => FeedItemJson::Post { at, post: PostJson::from(p) },
            Item::Activity(a) => FeedItemJson::Activity { at, activity: ActivityJson::from(a) },
        }
    }
}

/// The caller's news feed: the posts and shares of their friends and their
/// own, the posts in the groups they are a member of, and (with
/// `activity:read`) those groups' activity, newest first, only what they
/// may see. A page looks at a bounded number of rows, so it may hold fewer
/// than `limit` with a `next_cursor` to go on.
#[utoipa::path(
    get,
    path = "/api/v1/me/feed",
    tag = "friends",
    operation_id = "get_feed",
    params(FeedQuery, PageQuery),
    security(("oauth2" = ["posts:read"]), ("oauth1" = ["posts:read"])),
    responses(
        (status = 200, description = "A page of posts and activity, newest first", body = Listing<FeedItemJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn feed(caller: Caller, app: web::Data<App>, q: web::Query<FeedQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:read")?;
    let only = match q.kind.as_deref() {
        None | Some("") => {
            if caller.require("activity:read").is_ok() {
                Only::All
            } else {
                Only::Posts
            }
        }
        Some("post") => Only::Posts,
        Some("activity") => {
            caller.require("activity:read")?;
            Only::Activity
        }
        Some(_) => return Err(ApiError::field("type", "must be post or activity")),
    };
    let me = caller.member()?.id;
    let p = q.page.check()?.fits(|c| Cursor::decode(c).is_some()).map_err(|e| ApiError::invalid(vec![e]))?;
    let at = p.after().and_then(Cursor::decode).unwrap_or(Cursor::START);
    let page = read(&app, |tx| social::feed::feed(tx, me, at, only, p.limit))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(page.map(|i| FeedItemJson::from(&i)))))
}

/// A share's comment and level, each optional. An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ShareInput)]
pub struct ShareBody {
    /// The sharer's comment, at most 20,000 characters (trimmed); may be
    /// left out.
    #[schema(example = "Worth a read.")]
    pub body: Option<String>,
    /// Default: the original's. Never wider than the original's (public >
    /// members > friends > private); a `group` post cannot be shared.
    #[schema(value_type = Option<super::schema::PostAccess>)]
    pub access: Option<String>,
}

/// Shares a post the caller can see on their own stream, with an optional
/// comment. A share of a share shares its original. Others see a share
/// only while they can see its original.
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/share",
    tag = "friends",
    operation_id = "share_post",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The post's id; what is not the id of a post the caller can see is a 404", example = "1024")),
    request_body(content = Option<ShareBody>, content_type = "application/json", description = "Optional: the comment (`body`) and `access`; an unknown field is a 422"),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 201, description = "The share, a post with `shared` set", body = PostJson, headers(("Location" = String, description = "The share's address"), ("ETag" = String, description = "The share's revision, `\"rN\"`, for `If-Match`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 413, response = super::schema::TooLarge),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn share(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = common::small_body(body).await?;
    caller.require("posts:write")?;
    let id = PostId(common::id(&path, "post")?);
    let b = common::optional_json::<ShareBody>(&body)?.unwrap_or_default();
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let v = social::write(&app.store, move |tx| {
        social::shares::share(tx, actor, id, b.body.as_deref(), b.access.as_deref(), now)
    })
    .await?;
    Ok(created(app.config.url(&format!("api/v1/posts/{}", v.post.id)), v.post.revision).json(PostJson::from(&v)))
}
