//! `/api/v1/posts`: posts with their filters, likes and reports;
//! `/api/v1/posts/{id}/comments` and `/api/v1/comments/{id}`; `/api/v1/tags`.

use super::common::{self, created, if_match, ok_tagged, page, read, sid, viewer, writer};
use super::resource;
use crate::app::App;
use crate::clock::rfc3339;
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::ApiError;
use crate::ids::{CommentId, GroupId, PostId, UserId};
use crate::social::posts::{Filter, PostInput, PostView};
use crate::social::{self, LIMITS};
use crate::store::social::comments::Comment;
use crate::store::social::reports::{Report, Target};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

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
        .service(resource("/v1/comments/{id}/report", "POST").route(web::post().to(report_comment)))
        .service(resource("/v1/tags", "GET").route(web::get().to(tags)));
}

/// A post as the API shows it.
#[derive(Debug, Serialize)]
pub struct PostJson {
    pub id: String,
    /// The group it is in; `null` on its author's own stream.
    pub group: Option<String>,
    pub author: String,
    /// `status` (no title) or `article`.
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    /// `public`, `members`, `group` or `private`.
    pub access: &'static str,
    pub like_count: u64,
    pub liked_by_me: bool,
    pub comment_count: u64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&PostView> for PostJson {
    fn from(v: &PostView) -> Self {
        let p = &v.post;
        PostJson {
            id: sid(p.id),
            group: p.group.map(sid),
            author: sid(p.author),
            kind: p.kind.as_str(),
            title: p.title.clone(),
            body: p.body.clone(),
            tags: p.tags.clone(),
            access: p.access.as_str(),
            like_count: v.counts.likes,
            liked_by_me: v.liked_by_me,
            comment_count: v.counts.comments,
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

/// A comment as the API shows it.
#[derive(Debug, Serialize)]
pub struct CommentJson {
    pub id: String,
    pub post: String,
    /// The top-level comment this one answers, or `null`.
    pub parent: Option<String>,
    pub author: String,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Comment> for CommentJson {
    fn from(c: &Comment) -> Self {
        CommentJson {
            id: sid(c.id),
            post: sid(c.post),
            parent: c.parent.map(sid),
            author: sid(c.author),
            body: c.body.clone(),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// A report, as its reporter sees it.
#[derive(Debug, Serialize)]
pub struct ReportJson {
    pub id: String,
    pub post: Option<String>,
    pub comment: Option<String>,
    pub reason: String,
    /// `open` until a moderator deals with it, then `resolved`.
    pub status: &'static str,
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostBody {
    pub kind: Option<String>,
    pub group: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub tags: Option<Vec<String>>,
    pub access: Option<String>,
}

impl PostBody {
    fn input(self) -> Result<PostInput, ApiError> {
        let group = match self.group.as_deref() {
            None | Some("") => None,
            Some(g) => Some(GroupId(
                g.parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ApiError::field("group", "must be a group id"))?,
            )),
        };
        Ok(PostInput {
            kind: self.kind,
            group,
            title: self.title,
            body: self.body,
            tags: self.tags,
            access: self.access,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub group: Option<String>,
    pub author: Option<String>,
    pub tag: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub q: Option<String>,
    #[serde(flatten)]
    pub page: PageQuery,
}

fn no_store() -> (&'static str, &'static str) {
    ("Cache-Control", "no-store")
}

async fn list(caller: Caller, app: web::Data<App>, q: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:read")?;
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
    let v = viewer(&caller);
    let p = read(&app, |tx| social::posts::list(tx, v, &filter, after, limit))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(p.map(|p| PostJson::from(&p)))))
}

async fn create(caller: Caller, app: web::Data<App>, body: web::Json<PostBody>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let input = body.into_inner().input()?;
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let v = social::write(&app.store, move |tx| social::posts::create(tx, actor, &input, now)).await?;
    Ok(created(app.config.url(&format!("api/v1/posts/{}", v.post.id)), v.post.revision).json(PostJson::from(&v)))
}

async fn get(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:read")?;
    let id = PostId(common::id(&path, "post")?);
    let v = viewer(&caller);
    let p = read(&app, |tx| social::posts::get(tx, id, v))?;
    Ok(ok_tagged(p.post.revision).json(PostJson::from(&p)))
}

async fn update(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Json<PostBody>,
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

async fn like(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    set_like(caller, app, path, true).await
}

async fn unlike(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    set_like(caller, app, path, false).await
}

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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    pub body: Option<String>,
    pub parent: Option<String>,
}

async fn comment(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    body: web::Json<CommentBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require("posts:write")?;
    let post = PostId(common::id(&path, "post")?);
    let b = body.into_inner();
    let parent = match b.parent.as_deref() {
        None | Some("") => None,
        Some(p) => Some(CommentId(
            p.parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ApiError::field("parent", "must be a comment id"))?,
        )),
    };
    let text = b.body.unwrap_or_default();
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let c = social::write(&app.store, move |tx| social::comments::create(tx, actor, post, &text, parent, now)).await?;
    Ok(created(app.config.url(&format!("api/v1/comments/{}", c.id)), c.revision).json(CommentJson::from(&c)))
}

async fn get_comment(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("posts:read")?;
    let id = CommentId(common::id(&path, "comment")?);
    let v = viewer(&caller);
    let c = read(&app, |tx| social::comments::get(tx, id, v))?;
    Ok(ok_tagged(c.revision).json(CommentJson::from(&c)))
}

async fn update_comment(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Json<CommentBody>,
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
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

async fn report_post(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    body: web::Json<ReportBody>,
) -> Result<HttpResponse, ApiError> {
    let id = PostId(common::id(&path, "post")?);
    report(caller, &app, Target::Post(id), body.into_inner()).await
}

async fn report_comment(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    body: web::Json<ReportBody>,
) -> Result<HttpResponse, ApiError> {
    let id = CommentId(common::id(&path, "comment")?);
    report(caller, &app, Target::Comment(id), body.into_inner()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct TagQuery {
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

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
    #[derive(Serialize)]
    struct Tag {
        name: String,
        count: u64,
    }
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing {
        items: items.into_iter().map(|(name, count)| Tag { name, count }).collect(),
        next_cursor: next.map(|n| crate::http::page::cursor(n.as_bytes())),
    }))
}
