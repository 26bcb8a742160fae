//! `/api/v1/posts`: posts with their filters, likes and reports;
//! `/api/v1/posts/{id}/comments` and `/api/v1/comments/{id}`.

use super::comment_json::CommentJson;
use super::common::{self, Object, created, if_match, ok_tagged, page, read, sid, viewer, writer};
use super::resource;
use crate::app::App;
use crate::clock::rfc3339;
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::ApiError;
use crate::ids::{CommentId, GroupId, PostId, UserId};
use crate::social::posts::{Filter, PostInput, PostView};
use crate::social::{self, LIMITS};
use crate::store::social::reports::{Report, Target};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    get,
    update,
    delete,
    like,
    unlike,
    report_post,
    comments,
    comment,
    get_comment,
    update_comment,
    delete_comment,
    report_comment
))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/posts", "GET, POST").route(web::get().to(list)).route(web::post().to(create)))
        .service(
            resource("/v1/posts/{id}", "GET, PATCH, DELETE")
                .route(web::get().to(get))
                .route(web::patch().to(update))
                .route(web::delete().to(delete)),
        )
        .service(
            resource("/v1/posts/{id}/like", "PUT, DELETE").route(web::put().to(like)).route(web::delete().to(unlike)),
        )
        .service(
            resource("/v1/posts/{id}/comments", "GET, POST")
                .route(web::get().to(comments))
                .route(web::post().to(comment)),
        )
        .service(resource("/v1/posts/{id}/report", "POST").route(web::post().to(report_post)))
        .service(
            resource("/v1/comments/{id}", "GET, PATCH, DELETE")
                .route(web::get().to(get_comment))
                .route(web::patch().to(update_comment))
                .route(web::delete().to(delete_comment)),
        )
        .service(resource("/v1/comments/{id}/report", "POST").route(web::post().to(report_comment)));
}

/// A post as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Post)]
pub struct PostJson {
    #[schema(example = "1024")]
    pub id: String,
    /// The group it is in; `null` on its author's own stream.
    #[schema(required = true, example = "7")]
    pub group: Option<String>,
    /// The author's member id.
    #[schema(example = "42")]
    pub author: String,
    /// `status` (no title) or `article`.
    #[schema(value_type = super::schema::PostKind)]
    pub kind: &'static str,
    /// An article's title; empty for a status.
    #[schema(example = "")]
    pub title: String,
    #[schema(example = "Seed swap Saturday")]
    pub body: String,
    /// Lower case, sorted, without `#`.
    #[schema(example = json!(["seeds", "swap"]))]
    pub tags: Vec<String>,
    /// `public`, `members`, `group`, `private` or `friends`.
    #[schema(value_type = super::schema::PostAccess)]
    pub access: &'static str,
    #[schema(example = 5)]
    pub like_count: u64,
    /// Whether the caller likes it (always `false` for an application's
    /// own token).
    #[schema(example = false)]
    pub liked_by_me: bool,
    #[schema(example = 2)]
    pub comment_count: u64,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
    pub updated_at: String,
    /// A share's original post (its id), or `null`.
    #[schema(required = true, example = json!(null))]
    pub shared: Option<String>,
    /// The ids of the attached files that the caller can see
    /// (`GET /files/{id}`), in the author's order.
    #[schema(example = json!(["88"]))]
    pub attachments: Vec<String>,
}

impl From<&PostView> for PostJson {
    fn from(v: &PostView) -> Self {
        PostJson::from(v.clone())
    }
}

/// Moves the post's text into the answer (a page of posts copies nothing).
impl From<PostView> for PostJson {
    fn from(v: PostView) -> Self {
        let p = v.post;
        PostJson {
            id: sid(p.id),
            group: p.group.map(sid),
            author: sid(p.author),
            kind: p.kind.as_str(),
            title: p.title,
            body: p.body,
            tags: p.tags,
            access: p.access.as_str(),
            like_count: v.counts.likes,
            liked_by_me: v.liked_by_me,
            comment_count: v.counts.comments,
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
            shared: p.shared.map(sid),
            attachments: v.attachments.iter().map(|f| sid(*f)).collect(),
        }
    }
}

/// A report, as its reporter sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Report)]
pub struct ReportJson {
    #[schema(example = "55")]
    pub id: String,
    /// The reported post's id, or `null` for a comment's report.
    #[schema(required = true, example = "1024")]
    pub post: Option<String>,
    /// The reported comment's id, or `null` for a post's report.
    #[schema(required = true, example = json!(null))]
    pub comment: Option<String>,
    #[schema(example = "Spam: the same advert in every group.")]
    pub reason: String,
    /// `open` until a moderator deals with it, then `resolved`.
    #[schema(value_type = super::schema::ReportStatus)]
    pub status: &'static str,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
}

impl From<&Report> for ReportJson {
    fn from(r: &Report) -> Self {
        let (post, comment) = match r.target {
            Target::Post(p) => (Some(sid(p)), None),
            Target::Comment(c) => (None, Some(sid(c))),
        };
        ReportJson {
            id: sid(r.id),
            post,
            comment,
            reason: r.reason.clone(),
            status: if r.resolved_at.is_some() { "resolved" } else { "open" },
            created_at: rfc3339(r.created_at),
        }
    }
}

/// A new post, or the fields of one to change (each optional; `null` is
/// the same as left out). An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PostInput)]
pub struct PostBody {
    /// Default `status`; a post keeps its kind.
    #[schema(value_type = Option<super::schema::PostKind>)]
    pub kind: Option<String>,
    /// The id of a group the caller is a member of (empty: their own
    /// stream); a post stays in its group.
    #[schema(pattern = "^[0-9]*$", example = "7")]
    pub group: Option<String>,
    /// An article's title, at most 200 characters (trimmed), one line; a
    /// status has none.
    #[schema(example = "")]
    pub title: Option<String>,
    /// 1 to 20,000 characters (trimmed); required to create.
    #[schema(example = "Seed swap Saturday")]
    pub body: Option<String>,
    /// At most 10, each 1 to 50 letters, digits, `-` or `_` (a leading `#`
    /// is dropped; stored in lower case).
    #[schema(example = json!(["seeds", "swap"]))]
    pub tags: Option<Vec<String>>,
    /// Default `members` on the author's stream, `group` in a group.
    #[schema(value_type = Option<super::schema::PostAccess>)]
    pub access: Option<String>,
    /// Ids of files to attach (replacing those attached; `[]` removes
    /// them): at most 10, each one the author can see.
    #[schema(example = json!(["88"]))]
    pub attachments: Option<Vec<String>>,
}

impl PostBody {
    fn input(self) -> Result<PostInput, ApiError> {
        let group = match self.group.as_deref() {
            None | Some("") => None,
            Some(g) => {
                Some(GroupId(common::parse_id(g).ok_or_else(|| ApiError::field("group", "must be a group id"))?))
            }
        };
        Ok(PostInput {
            attachments: super::files::attachments(self.attachments.as_deref())?,
            kind: self.kind,
            group,
            title: self.title,
            body: self.body,
            tags: self.tags,
            access: self.access,
        })
    }
}

/// `GET /posts`: the filters, each optional (the page is `PageQuery`'s).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only posts in this group (its id); a group the caller cannot see is
    /// a 404.
    #[param(pattern = "^[0-9]*$", example = "7")]
    pub group: Option<String>,
    /// Only posts by this member: an id, or `me` (not for an application's
    /// own token: 403).
    #[param(pattern = "^([0-9]*|me)$", example = "me")]
    pub author: Option<String>,
    /// Only posts with this tag (a leading `#` is dropped, any case).
    #[param(example = "seeds")]
    pub tag: Option<String>,
    /// Only posts written at or after this time (RFC 3339).
    #[param(format = DateTime, example = "2026-11-01T00:00:00Z")]
    pub since: Option<String>,
    /// Only posts written at or before this time (RFC 3339).
    #[param(format = DateTime, example = "2026-11-30T23:59:59Z")]
    pub until: Option<String>,
    /// Words of the title or body (any case); at most 100 characters.
    #[param(example = "swap")]
    pub q: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub page: PageQuery,
}

fn no_store() -> (&'static str, &'static str) {
    ("Cache-Control", "no-store")
}

/// The posts the caller can see that pass every filter given, newest first.
///
/// A page asked for again, with nothing written on the site in between,
/// is sent from memory (`api_cache_size`); `Cache-Control: no-cache`
/// computes it afresh.
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    tag = "posts",
    operation_id = "list_posts",
    params(ListQuery, PageQuery),
    security(("oauth2" = ["posts:read"]), ("oauth1" = ["posts:read"])),
    responses(
        (status = 200, description = "A page of posts, newest first", body = Listing<PostJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn list(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require("posts:read")?;
    // Read before the snapshot is opened: see `store::memo`.
    let generation = app.store.generation();
    let v = viewer(&caller);
    let key = common::memo_key(&app, &req, "posts", v);
    if let Some(body) = key.as_deref().and_then(|k| app.memo.get(generation, k)) {
        return Ok(common::json_body(HttpResponse::Ok().insert_header(no_store()), body));
    }
    let author = match q.author.as_deref() {
        Some("me") => Some(caller.member()?.id),
        a => common::query_id("author", a)?.map(UserId),
    };
    let filter = Filter {
        group: common::query_id("group", q.group.as_deref())?.map(GroupId),
        author,
        tag: common::query_text("tag", q.tag.as_deref(), LIMITS.tag)?,
        since: common::time("since", q.since.as_deref())?,
        until: common::time("until", q.until.as_deref())?,
        q: common::query_text("q", q.q.as_deref(), LIMITS.query)?,
    };
    let (after, limit) = page(&q.page)?;
    let p = read(&app, |tx| social::posts::list(tx, v, &filter, after, limit))?;
    let body = common::list_bytes(&Listing::from(p.map(PostJson::from)))?;
    if let Some(k) = key {
        app.memo.put(generation, k, body.clone());
    }
    Ok(common::json_body(HttpResponse::Ok().insert_header(no_store()), body))
}

/// Writes a post on the caller's own stream, or in a group they are a
/// member of. Defaults: `status`; access `members` on the stream, `group`
/// in a group.
#[utoipa::path(
    post,
    path = "/api/v1/posts",
    tag = "posts",
    operation_id = "create_post",
    request_body(content = PostBody, description = "The new post: `body` is required, and `title` for an article; an unknown field is a 422"),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 201, description = "The post", body = PostJson, headers(("Location" = String, description = "The new post's address"), ("ETag" = String, description = "The post's revision, `\"rN\"`, for `If-Match`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn create(caller: Caller, app: web::Data<App>, body: Object<PostBody>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let input = body.into_inner().input()?;
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let v = social::write(&app.store, move |tx| social::posts::create(tx, actor, &input, now)).await?;
    Ok(created(app.config.url(&format!("api/v1/posts/{}", v.post.id)), v.post.revision).json(PostJson::from(&v)))
}

/// One post.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}",
    tag = "posts",
    operation_id = "get_post",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The post's id; what is not the id of a post the caller can see is a 404", example = "1024")),
    security(("oauth2" = ["posts:read"]), ("oauth1" = ["posts:read"])),
    responses(
        (status = 200, description = "The post", body = PostJson, headers(("ETag" = String, description = "The post's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn get(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:read")?;
    let id = PostId(common::id(&path, "post")?);
    let v = viewer(&caller);
    let p = read(&app, |tx| social::posts::get(tx, id, v))?;
    Ok(ok_tagged(p.post.revision).json(PostJson::from(&p)))
}

/// Changes a post (its author, or an admin of its group), if `If-Match`
/// (when sent) still names the stored revision. Its kind and group stay.
#[utoipa::path(
    patch,
    path = "/api/v1/posts/{id}",
    tag = "posts",
    operation_id = "update_post",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The post's id; what is not the id of a post the caller can see is a 404", example = "1024"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the post as last read (or `*`): 412 if it changed since; a weak or unknown tag matches nothing", example = "\"r3\"")),
    request_body(content = PostBody, description = "The fields to change (left out or `null`: kept); an unknown field is a 422"),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 200, description = "The post as stored", body = PostJson, headers(("ETag" = String, description = "The post's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
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
    body: Object<PostBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let id = PostId(common::id(&path, "post")?);
    let expected = if_match(&req)?;
    let input = body.into_inner().input()?;
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let p = social::write(&app.store, move |tx| social::posts::update(tx, actor, id, &input, &expected, now)).await?;
    Ok(ok_tagged(p.post.revision).json(PostJson::from(&p)))
}

/// Deletes a post with its comments and likes (its author, or an admin of
/// its group).
#[utoipa::path(
    delete,
    path = "/api/v1/posts/{id}",
    tag = "posts",
    operation_id = "delete_post",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The post's id; what is not the id of a post the caller can see is a 404", example = "1024"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the post as last read (or `*`): 412 if it changed since; a weak or unknown tag matches nothing", example = "\"r3\"")),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
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
    caller.require("posts:write")?;
    let id = PostId(common::id(&path, "post")?);
    let expected = if_match(&req)?;
    let actor = writer(&caller, &app)?;
    social::write(&app.store, move |tx| social::posts::delete(tx, actor, id, &expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn set_like(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    on: bool,
) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let id = PostId(common::id(&path, "post")?);
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let p = social::write(&app.store, move |tx| social::posts::like(tx, actor, id, on, now)).await?;
    Ok(ok_tagged(p.post.revision).json(PostJson::from(&p)))
}

/// Likes a post the caller can see; liking it again changes nothing.
#[utoipa::path(
    put,
    path = "/api/v1/posts/{id}/like",
    tag = "posts",
    operation_id = "like_post",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The post's id; what is not the id of a post the caller can see is a 404", example = "1024")),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 200, description = "The post, `liked_by_me` true", body = PostJson, headers(("ETag" = String, description = "The post's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn like(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    set_like(caller, app, path, true).await
}

/// Takes the caller's like back; without one, changes nothing.
#[utoipa::path(
    delete,
    path = "/api/v1/posts/{id}/like",
    tag = "posts",
    operation_id = "unlike_post",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The post's id; what is not the id of a post the caller can see is a 404", example = "1024")),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 200, description = "The post, `liked_by_me` false", body = PostJson, headers(("ETag" = String, description = "The post's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn unlike(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    set_like(caller, app, path, false).await
}

/// The comments of a post, oldest first, replies among them in the order
/// they were written.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}/comments",
    tag = "comments",
    operation_id = "list_comments",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The post's id; what is not the id of a post the caller can see is a 404", example = "1024"), PageQuery),
    security(("oauth2" = ["posts:read"]), ("oauth1" = ["posts:read"])),
    responses(
        (status = 200, description = "A page of comments, oldest first", body = Listing<CommentJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn comments(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require("posts:read")?;
    let id = PostId(common::id(&path, "post")?);
    let (after, limit) = page(&q)?;
    let v = viewer(&caller);
    let p = read(&app, |tx| social::comments::list(tx, v, id, after, limit))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(p.map(|c| CommentJson::from(&c)))))
}

/// A new comment, or a comment's new body. An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CommentInput)]
pub struct CommentBody {
    /// 1 to 5,000 characters (trimmed); line breaks are kept.
    #[schema(example = "I'll bring tomato seeds.")]
    pub body: Option<String>,
    /// New comments only: the id of the top-level comment this one answers
    /// (replies go one level deep); empty or `null` for none.
    #[schema(pattern = "^[0-9]*$", example = "2047")]
    pub parent: Option<String>,
}

/// Comments on a post the caller can see (in a group, only its members
/// comment), or answers a top-level comment (`parent`).
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/comments",
    tag = "comments",
    operation_id = "create_comment",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The post's id; what is not the id of a post the caller can see is a 404", example = "1024")),
    request_body(content = CommentBody, description = "The comment: `body` is required; an unknown field is a 422"),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 201, description = "The comment", body = CommentJson, headers(("Location" = String, description = "The new comment's address"), ("ETag" = String, description = "The comment's revision, `\"rN\"`, for `If-Match`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn comment(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    body: Object<CommentBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let post = PostId(common::id(&path, "post")?);
    let b = body.into_inner();
    let parent = match b.parent.as_deref() {
        None | Some("") => None,
        Some(p) => {
            Some(CommentId(common::parse_id(p).ok_or_else(|| ApiError::field("parent", "must be a comment id"))?))
        }
    };
    let text = b.body.unwrap_or_default();
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let c = social::write(&app.store, move |tx| social::comments::create(tx, actor, post, &text, parent, now)).await?;
    Ok(created(app.config.url(&format!("api/v1/comments/{}", c.id)), c.revision).json(CommentJson::from(&c)))
}

/// One comment.
#[utoipa::path(
    get,
    path = "/api/v1/comments/{id}",
    tag = "comments",
    operation_id = "get_comment",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The comment's id; what is not the id of a comment the caller can see is a 404", example = "2048")),
    security(("oauth2" = ["posts:read"]), ("oauth1" = ["posts:read"])),
    responses(
        (status = 200, description = "The comment", body = CommentJson, headers(("ETag" = String, description = "The comment's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn get_comment(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:read")?;
    let id = CommentId(common::id(&path, "comment")?);
    let v = viewer(&caller);
    let c = read(&app, |tx| social::comments::get(tx, id, v))?;
    Ok(ok_tagged(c.revision).json(CommentJson::from(&c)))
}

/// Changes a comment (its author), if `If-Match` (when sent) still names
/// the stored revision. A comment stays where it was written (`parent`
/// is a 422).
#[utoipa::path(
    patch,
    path = "/api/v1/comments/{id}",
    tag = "comments",
    operation_id = "update_comment",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The comment's id; what is not the id of a comment the caller can see is a 404", example = "2048"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the comment as last read (or `*`): 412 if it changed since; a weak or unknown tag matches nothing", example = "\"r3\"")),
    request_body(content = CommentBody, description = "The new `body`; an unknown field (or `parent`) is a 422"),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 200, description = "The comment as stored", body = CommentJson, headers(("ETag" = String, description = "The comment's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
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
async fn update_comment(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
    body: Object<CommentBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let id = CommentId(common::id(&path, "comment")?);
    let expected = if_match(&req)?;
    let b = body.into_inner();
    if b.parent.is_some() {
        return Err(ApiError::field("parent", "a comment stays where it was written"));
    }
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let c =
        social::write(&app.store, move |tx| social::comments::update(tx, actor, id, b.body.as_deref(), &expected, now))
            .await?;
    Ok(ok_tagged(c.revision).json(CommentJson::from(&c)))
}

/// Deletes a comment with its replies (its author, the post's author, or
/// an admin of the group).
#[utoipa::path(
    delete,
    path = "/api/v1/comments/{id}",
    tag = "comments",
    operation_id = "delete_comment",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The comment's id; what is not the id of a comment the caller can see is a 404", example = "2048"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the comment as last read (or `*`): 412 if it changed since; a weak or unknown tag matches nothing", example = "\"r3\"")),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
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
async fn delete_comment(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let id = CommentId(common::id(&path, "comment")?);
    let expected = if_match(&req)?;
    let actor = writer(&caller, &app)?;
    social::write(&app.store, move |tx| social::comments::delete(tx, actor, id, &expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Why a post or comment is reported. An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReportInput)]
pub struct ReportBody {
    /// Required: 1 to 1,000 characters (trimmed), for the moderators.
    #[schema(example = "Spam: the same advert in every group.")]
    pub reason: Option<String>,
}

async fn report(caller: Caller, app: &App, target: Target, body: ReportBody) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let actor = writer(&caller, app)?;
    let reason = body.reason.unwrap_or_default();
    let now = app.now();
    let r = social::write(&app.store, move |tx| social::moderation::report(tx, actor, target, &reason, now)).await?;
    Ok(HttpResponse::Created().insert_header(no_store()).json(ReportJson::from(&r)))
}

/// Reports a post the caller can see to the site's moderators.
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/report",
    tag = "posts",
    operation_id = "report_post",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The post's id; what is not the id of a post the caller can see is a 404", example = "1024")),
    request_body(content = ReportBody, description = "Why: `reason` is required; an unknown field is a 422"),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 201, description = "The report (the caller's open report of the same thing, if there is one)", body = ReportJson, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn report_post(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    body: Object<ReportBody>,
) -> Result<HttpResponse, ApiError> {
    let id = PostId(common::id(&path, "post")?);
    report(caller, &app, Target::Post(id), body.into_inner()).await
}

/// Reports a comment the caller can see to the site's moderators.
#[utoipa::path(
    post,
    path = "/api/v1/comments/{id}/report",
    tag = "comments",
    operation_id = "report_comment",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The comment's id; what is not the id of a comment the caller can see is a 404", example = "2048")),
    request_body(content = ReportBody, description = "Why: `reason` is required; an unknown field is a 422"),
    security(("oauth2" = ["posts:write"]), ("oauth1" = ["posts:write"])),
    responses(
        (status = 201, description = "The report (the caller's open report of the same thing, if there is one)", body = ReportJson, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn report_comment(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    body: Object<ReportBody>,
) -> Result<HttpResponse, ApiError> {
    let id = CommentId(common::id(&path, "comment")?);
    report(caller, &app, Target::Comment(id), body.into_inner()).await
}
