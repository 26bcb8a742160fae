//! `/api/v1/groups`: groups, their members and join requests, and their
//! activity river with the caller's unread count; `/api/v1/activity`, the
//! river of all the caller's groups.

use super::common::{self, created, if_match, ok_tagged, page, read, sid, viewer, writer};
use super::resource;
use crate::app::App;
use crate::clock::rfc3339;
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::ApiError;
use crate::ids::GroupId;
use crate::social::groups::{GroupInput, GroupView, Joined};
use crate::social::{self, LIMITS};
use crate::store::social::activity::Activity;
use crate::store::social::groups::Membership;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/groups", "GET, POST").route(web::get().to(list)).route(web::post().to(create)))
        .service(
            resource("/v1/groups/{id}", "GET, PATCH, DELETE")
                .route(web::get().to(get))
                .route(web::patch().to(update))
                .route(web::delete().to(delete)),
        )
        .service(resource("/v1/groups/{id}/members", "GET").route(web::get().to(members)))
        .service(
            resource("/v1/groups/{id}/members/{user}", "PUT, DELETE")
                .route(web::put().to(put_member))
                .route(web::delete().to(remove_member)),
        )
        .service(resource("/v1/groups/{id}/activity", "GET").route(web::get().to(group_activity)))
        .service(resource("/v1/groups/{id}/activity/read", "POST").route(web::post().to(mark_read)))
        .service(resource("/v1/activity", "GET").route(web::get().to(my_activity)));
}

/// A group as the API shows it.
#[derive(Debug, Serialize)]
pub struct GroupJson {
    pub id: String,
    pub name: String,
    pub description: String,
    /// `open` (join at once) or `closed` (ask; a group admin approves).
    pub membership: &'static str,
    /// Who sees the group listed: `public` or `members`.
    pub access: &'static str,
    pub member_count: u64,
    /// New activity entries since the caller last read the group; `null`
    /// unless the caller is a member.
    pub unread: Option<u64>,
    /// The caller's own state in the group: `member`, `requested` or `null`.
    pub my_state: Option<&'static str>,
    /// The caller's role when a member: `admin` or `member`.
    pub my_role: Option<&'static str>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&GroupView> for GroupJson {
    fn from(v: &GroupView) -> Self {
        let g = &v.group;
        GroupJson {
            id: sid(g.id),
            name: g.name.clone(),
            description: g.description.clone(),
            membership: g.membership.as_str(),
            access: g.access.as_str(),
            member_count: v.counts.members,
            unread: v.unread(),
            my_state: v.mine.map(|m| m.state.as_str()),
            my_role: v.mine.filter(|m| m.is_member()).map(|m| m.role.as_str()),
            created_by: sid(g.created_by),
            created_at: rfc3339(g.created_at),
            updated_at: rfc3339(g.updated_at),
        }
    }
}

/// A membership or join request.
#[derive(Debug, Serialize)]
pub struct MemberJson {
    pub user: String,
    pub role: &'static str,
    pub state: &'static str,
    pub joined_at: String,
}

impl From<&Membership> for MemberJson {
    fn from(m: &Membership) -> Self {
        MemberJson {
            user: sid(m.user),
            role: m.role.as_str(),
            state: m.state.as_str(),
            joined_at: rfc3339(m.joined_at),
        }
    }
}

/// An entry of an activity river.
#[derive(Debug, Serialize)]
pub struct ActivityJson {
    pub id: String,
    pub group: String,
    /// `post_created`, `comment_added` or `member_joined`.
    pub kind: &'static str,
    pub actor: String,
    pub post: Option<String>,
    pub comment: Option<String>,
    pub created_at: String,
}

impl From<&Activity> for ActivityJson {
    fn from(a: &Activity) -> Self {
        ActivityJson {
            id: sid(a.id),
            group: sid(a.group),
            kind: a.what.as_str(),
            actor: sid(a.actor),
            post: a.post.map(sid),
            comment: a.comment.map(sid),
            created_at: rfc3339(a.at),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    pub name: Option<String>,
    pub description: Option<String>,
    pub membership: Option<String>,
    pub access: Option<String>,
}

impl From<GroupBody> for GroupInput {
    fn from(b: GroupBody) -> Self {
        GroupInput { name: b.name, description: b.description, membership: b.membership, access: b.access }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub mine: Option<String>,
    pub q: Option<String>,
    #[serde(flatten)]
    pub page: PageQuery,
}

fn no_store() -> (&'static str, &'static str) {
    ("Cache-Control", "no-store")
}

async fn list(caller: Caller, app: web::Data<App>, q: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("groups:read")?;
    let mine = common::flag("mine", q.mine.as_deref())?;
    let text = common::query_text("q", q.q.as_deref(), LIMITS.query)?;
    let (after, limit) = page(&q.page)?;
    let v = viewer(&caller);
    let p = read(&app, |tx| social::groups::list(tx, v, mine, text.as_deref(), after, limit))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(p.map(|g| GroupJson::from(&g)))))
}

async fn create(caller: Caller, app: web::Data<App>, body: web::Json<GroupBody>) -> Result<HttpResponse, ApiError> {
    caller.require("groups:write")?;
    let actor = writer(&caller, &app)?;
    let input = GroupInput::from(body.into_inner());
    let now = app.now();
    let v = social::write(&app.store, move |tx| social::groups::create(tx, actor, &input, now)).await?;
    Ok(created(app.config.url(&format!("api/v1/groups/{}", v.group.id)), v.group.revision).json(GroupJson::from(&v)))
}

async fn get(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("groups:read")?;
    let id = GroupId(common::id(&path, "group")?);
    let v = viewer(&caller);
    let g = read(&app, |tx| social::groups::get(tx, id, v))?;
    Ok(ok_tagged(g.group.revision).json(GroupJson::from(&g)))
}

async fn update(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Json<GroupBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require("groups:write")?;
    let id = GroupId(common::id(&path, "group")?);
    let expected = if_match(&req)?;
    let actor = writer(&caller, &app)?;
    let input = GroupInput::from(body.into_inner());
    let now = app.now();
    let g = social::write(&app.store, move |tx| social::groups::update(tx, actor, id, &input, &expected, now)).await?;
    Ok(ok_tagged(g.group.revision).json(GroupJson::from(&g)))
}

async fn delete(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require("groups:write")?;
    let id = GroupId(common::id(&path, "group")?);
    let expected = if_match(&req)?;
    let actor = writer(&caller, &app)?;
    social::write(&app.store, move |tx| social::groups::delete(tx, actor, id, &expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn members(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require("groups:read")?;
    let id = GroupId(common::id(&path, "group")?);
    let (after, limit) = page(&q)?;
    let v = viewer(&caller);
    let p = read(&app, |tx| social::groups::members(tx, v, id, after, limit))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(p.map(|m| MemberJson::from(&m)))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    pub role: Option<String>,
}

/// Joins, asks to join, approves, or changes a role. The body is optional.
async fn put_member(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require("groups:write")?;
    let (g, u) = path.into_inner();
    let id = GroupId(common::id(&g, "group")?);
    let target = common::user(&u, &caller)?;
    let actor = writer(&caller, &app)?;
    let role = common::optional_json::<MemberBody>(&body)?.and_then(|b| b.role);
    let now = app.now();
    let (m, how) = social::write(&app.store, move |tx| {
        if target != actor {
            social::groups::live_user(tx, target)?;
        }
        social::groups::put_member(tx, actor, id, target, role.as_deref(), now)
    })
    .await?;
    let json = MemberJson::from(&m);
    Ok(match how {
        Joined::Created => HttpResponse::Created()
            .insert_header(("Location", app.config.url(&format!("api/v1/groups/{id}/members/{}", m.user))))
            .json(json),
        Joined::Updated => HttpResponse::Ok().insert_header(no_store()).json(json),
    })
}

async fn remove_member(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.require("groups:write")?;
    let (g, u) = path.into_inner();
    let id = GroupId(common::id(&g, "group")?);
    let target = common::user(&u, &caller)?;
    let actor = writer(&caller, &app)?;
    social::write(&app.store, move |tx| social::groups::remove_member(tx, actor, id, target)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn group_activity(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require("activity:read")?;
    let id = GroupId(common::id(&path, "group")?);
    let (after, limit) = page(&q)?;
    let v = viewer(&caller);
    let (p, unread) = read(&app, |tx| {
        let p = social::activity::group_river(tx, v, id, after, limit)?;
        Ok((p, social::groups::get(tx, id, v)?.unread()))
    })?;
    #[derive(Serialize)]
    struct River {
        items: Vec<ActivityJson>,
        next_cursor: Option<String>,
        unread: Option<u64>,
    }
    let l = Listing::from(p.map(|a| ActivityJson::from(&a)));
    Ok(HttpResponse::Ok().insert_header(no_store()).json(River { items: l.items, next_cursor: l.next_cursor, unread }))
}

async fn mark_read(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("activity:read")?;
    let id = GroupId(common::id(&path, "group")?);
    let actor = caller.member()?.id;
    social::write(&app.store, move |tx| social::groups::mark_read(tx, actor, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn my_activity(caller: Caller, app: web::Data<App>, q: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("activity:read")?;
    let user = caller.member()?.id;
    let (after, limit) = page(&q)?;
    let p = read(&app, |tx| social::activity::my_river(tx, user, after, limit))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(p.map(|a| ActivityJson::from(&a)))))
}
