//! `/api/v1/groups`: groups, their members and join requests, and their
//! activity river with the caller's unread count; `/api/v1/activity`, the
//! river of all the caller's groups.

use super::common::{self, Object, created, if_match, ok_tagged, page, read, sid, viewer, writer};
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
use utoipa::{IntoParams, ToSchema};

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    get,
    update,
    delete,
    members,
    put_member,
    remove_member,
    group_activity,
    mark_read,
    my_activity
))]
pub(super) struct Doc;

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
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Group)]
pub struct GroupJson {
    #[schema(example = "7")]
    pub id: String,
    /// 1 to 100 characters, one line.
    #[schema(example = "Gardeners")]
    pub name: String,
    /// At most 5,000 characters; may be empty.
    #[schema(example = "Soil and seeds")]
    pub description: String,
    /// `open` (join at once) or `closed` (ask; a group admin approves).
    #[schema(value_type = super::schema::GroupMembership)]
    pub membership: &'static str,
    /// Who sees the group listed: `public` or `members`.
    #[schema(value_type = super::schema::GroupAccess)]
    pub access: &'static str,
    #[schema(example = 12)]
    pub member_count: u64,
    /// New activity entries since the caller last read the group; `null`
    /// unless the caller is a member.
    #[schema(required = true, example = 3)]
    pub unread: Option<u64>,
    /// The caller's own state in the group: `member`, `requested` or `null`.
    #[schema(value_type = Option<super::schema::MemberState>, required = true)]
    pub my_state: Option<&'static str>,
    /// The caller's role when a member: `admin` or `member`.
    #[schema(value_type = Option<super::schema::GroupRole>, required = true)]
    pub my_role: Option<&'static str>,
    /// The id of the member who made it.
    #[schema(example = "42")]
    pub created_by: String,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
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
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = GroupMember)]
pub struct MemberJson {
    /// The member's id.
    #[schema(example = "42")]
    pub user: String,
    #[schema(value_type = super::schema::GroupRole)]
    pub role: &'static str,
    #[schema(value_type = super::schema::MemberState)]
    pub state: &'static str,
    /// When they joined (or asked to).
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
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
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Activity)]
pub struct ActivityJson {
    #[schema(example = "311")]
    pub id: String,
    /// The group's id.
    #[schema(example = "7")]
    pub group: String,
    /// `post_created`, `comment_added`, `member_joined`, `event_created`,
    /// `enrolled`, `unenrolled` or `file_uploaded`.
    #[schema(value_type = super::schema::ActivityKind)]
    pub kind: &'static str,
    /// The id of the member who did it.
    #[schema(example = "42")]
    pub actor: String,
    /// The post's id (`post_created`, `comment_added`), else `null`.
    #[schema(required = true, example = "1024")]
    pub post: Option<String>,
    /// The comment's id (`comment_added`), else `null`.
    #[schema(required = true, example = "2048")]
    pub comment: Option<String>,
    /// The file's id (`file_uploaded`), else `null`.
    #[schema(required = true, example = json!(null))]
    pub file: Option<String>,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
    /// The event's id (`event_created`, `enrolled`, `unenrolled`), else `null`.
    #[schema(required = true, example = "88")]
    pub event: Option<String>,
}

/// A page of a group's activity, and the caller's unread count.
#[derive(Serialize, ToSchema)]
#[schema(as = GroupActivity)]
struct GroupRiver {
    /// At most `limit` entries (default 20, at most 100).
    items: Vec<ActivityJson>,
    /// Pass as `?cursor=` for the next page; `null` on the last page.
    #[schema(required = true, example = "AAAAAAAAATc")]
    next_cursor: Option<String>,
    /// Entries the caller has not read (`POST .../activity/read`); `null`
    /// unless the caller is a member.
    #[schema(required = true, example = 3)]
    unread: Option<u64>,
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
            file: a.file.map(sid),
            created_at: rfc3339(a.at),
            event: a.event.map(sid),
        }
    }
}

/// A new group, or the fields of one to change (each optional; `null` is
/// the same as left out). An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = GroupInput)]
pub struct GroupBody {
    /// 1 to 100 characters (trimmed), one line; required to create.
    #[schema(example = "Gardeners")]
    pub name: Option<String>,
    /// At most 5,000 characters (trimmed); line breaks are kept.
    #[schema(example = "Soil and seeds")]
    pub description: Option<String>,
    /// Default `open`.
    #[schema(value_type = Option<super::schema::GroupMembership>)]
    pub membership: Option<String>,
    /// Default `public`.
    #[schema(value_type = Option<super::schema::GroupAccess>)]
    pub access: Option<String>,
}

impl From<GroupBody> for GroupInput {
    fn from(b: GroupBody) -> Self {
        GroupInput { name: b.name, description: b.description, membership: b.membership, access: b.access }
    }
}

/// `GET /groups`: the filters (the page is `PageQuery`'s).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `true` (or `1`): only the groups the caller belongs to or asked to join.
    #[param(value_type = Option<bool>, example = true)]
    pub mine: Option<String>,
    /// Words of the name or description (any case); at most 100 characters.
    #[param(example = "garden")]
    pub q: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub page: PageQuery,
}

fn no_store() -> (&'static str, &'static str) {
    ("Cache-Control", "no-store")
}

/// The groups the caller can see (with `mine`, only those they belong to
/// or asked to join), oldest first, those whose name or description holds
/// `q` (any case).
#[utoipa::path(
    get,
    path = "/api/v1/groups",
    tag = "groups",
    operation_id = "list_groups",
    params(ListQuery, PageQuery),
    security(("oauth2" = ["groups:read"]), ("oauth1" = ["groups:read"])),
    responses(
        (status = 200, description = "A page of groups, oldest first", body = Listing<GroupJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn list(caller: Caller, app: web::Data<App>, q: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("groups:read")?;
    let mine = common::flag("mine", q.mine.as_deref())?;
    let text = common::query_text("q", q.q.as_deref(), LIMITS.query)?;
    let (after, limit) = page(&q.page)?;
    let v = viewer(&caller);
    let p = read(&app, |tx| social::groups::list(tx, v, mine, text.as_deref(), after, limit))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(p.map(|g| GroupJson::from(&g)))))
}

/// Creates a group; the caller is its first admin. Defaults: `open`,
/// `public`.
#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "groups",
    operation_id = "create_group",
    request_body(content = GroupBody, description = "The new group: `name` is required; an unknown field is a 422"),
    security(("oauth2" = ["groups:write"]), ("oauth1" = ["groups:write"])),
    responses(
        (status = 201, description = "The group; the caller is its first admin", body = GroupJson, headers(("Location" = String, description = "The new group's address"), ("ETag" = String, description = "The group's revision, `\"rN\"`, for `If-Match`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn create(caller: Caller, app: web::Data<App>, body: Object<GroupBody>) -> Result<HttpResponse, ApiError> {
    caller.require("groups:write")?;
    let actor = writer(&caller, &app)?;
    let input = GroupInput::from(body.into_inner());
    let now = app.now();
    let v = social::write(&app.store, move |tx| social::groups::create(tx, actor, &input, now)).await?;
    Ok(created(app.config.url(&format!("api/v1/groups/{}", v.group.id)), v.group.revision).json(GroupJson::from(&v)))
}

/// One group, with the caller's state in it.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    operation_id = "get_group",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The group's id; what is not the id of a group the caller can see is a 404", example = "7")),
    security(("oauth2" = ["groups:read"]), ("oauth1" = ["groups:read"])),
    responses(
        (status = 200, description = "The group", body = GroupJson, headers(("ETag" = String, description = "The group's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn get(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("groups:read")?;
    let id = GroupId(common::id(&path, "group")?);
    let v = viewer(&caller);
    let g = read(&app, |tx| social::groups::get(tx, id, v))?;
    Ok(ok_tagged(g.group.revision).json(GroupJson::from(&g)))
}

/// Changes a group (its admins), if `If-Match` (when sent) still names
/// the stored revision.
#[utoipa::path(
    patch,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    operation_id = "update_group",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The group's id; what is not the id of a group the caller can see is a 404", example = "7"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the group as last read (or `*`): 412 if it changed since; a weak or unknown tag matches nothing", example = "\"r3\"")),
    request_body(content = GroupBody, description = "The fields to change (left out or `null`: kept); an unknown field is a 422"),
    security(("oauth2" = ["groups:write"]), ("oauth1" = ["groups:write"])),
    responses(
        (status = 200, description = "The group as stored", body = GroupJson, headers(("ETag" = String, description = "The group's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
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
    body: Object<GroupBody>,
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

/// Deletes a group with everything in it (its admins).
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    operation_id = "delete_group",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The group's id; what is not the id of a group the caller can see is a 404", example = "7"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the group as last read (or `*`): 412 if it changed since; a weak or unknown tag matches nothing", example = "\"r3\"")),
    security(("oauth2" = ["groups:write"]), ("oauth1" = ["groups:write"])),
    responses(
        (status = 204, description = "Deleted, with its posts, their comments and likes, its activity and its memberships"),
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
    caller.require("groups:write")?;
    let id = GroupId(common::id(&path, "group")?);
    let expected = if_match(&req)?;
    let actor = writer(&caller, &app)?;
    social::write(&app.store, move |tx| social::groups::delete(tx, actor, id, &expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members of a group, by member id.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}/members",
    tag = "groups",
    operation_id = "list_group_members",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The group's id; what is not the id of a group the caller can see is a 404", example = "7"), PageQuery),
    security(("oauth2" = ["groups:read"]), ("oauth1" = ["groups:read"])),
    responses(
        (status = 200, description = "A page of the group's members by id; its admins also see requests, a requester their own; a closed group lists its members to members only", body = Listing<MemberJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
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

/// `PUT /groups/{id}/members/{user}`, optional. An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MemberInput)]
pub struct MemberBody {
    /// The role to give (group admins only; the member must have joined).
    #[schema(value_type = Option<super::schema::GroupRole>)]
    pub role: Option<String>,
}

/// The caller joins an open group or asks to join a closed one (`me`); a
/// group admin approves a request (the requester's id) or changes a
/// member's role (`role`). The body is optional.
#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}/members/{user}",
    tag = "groups",
    operation_id = "put_group_member",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The group's id; what is not the id of a group the caller can see is a 404", example = "7"), ("user" = String, Path, pattern = "^([0-9]+|me)$", description = "The member's id, or `me` for the caller; what is not a member's id is a 404", example = "me")),
    request_body(content = Option<MemberBody>, content_type = "application/json", description = "Optional: a `role` to give (group admins only); an unknown field is a 422"),
    security(("oauth2" = ["groups:write"]), ("oauth1" = ["groups:write"])),
    responses(
        (status = 201, description = "Joined (an open group) or asked to join (a closed one)", body = MemberJson, headers(("Location" = String, description = "The membership's address"))),
        (status = 200, description = "The membership as it now is: approved, its role changed, or as it was", body = MemberJson, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 409, response = super::schema::Conflict),
        (status = 413, response = super::schema::TooLarge),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn put_member(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<(String, String)>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = common::small_body(body).await?;
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

/// Leaves a group (or withdraws a request), or, as a group admin, removes
/// a member or refuses a request. The group's last admin cannot leave (409).
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}/members/{user}",
    tag = "groups",
    operation_id = "remove_group_member",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The group's id; what is not the id of a group the caller can see is a 404", example = "7"), ("user" = String, Path, pattern = "^([0-9]+|me)$", description = "The member's id, or `me` for the caller; what is not a member's id is a 404", example = "me")),
    security(("oauth2" = ["groups:write"]), ("oauth1" = ["groups:write"])),
    responses(
        (status = 204, description = "Left, withdrawn, removed or refused"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 409, response = super::schema::Conflict),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
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

/// A group's activity river: the entries whose post or comment the caller
/// may see, newest first, and their unread count.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}/activity",
    tag = "activity",
    operation_id = "list_group_activity",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The group's id; what is not the id of a group the caller can see is a 404", example = "7"), PageQuery),
    security(("oauth2" = ["activity:read"]), ("oauth1" = ["activity:read"])),
    responses(
        (status = 200, description = "A page of the group's activity, newest first, with the caller's unread count", body = GroupRiver, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
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
    let l = Listing::from(p.map(|a| ActivityJson::from(&a)));
    Ok(HttpResponse::Ok().insert_header(no_store()).json(GroupRiver {
        items: l.items,
        next_cursor: l.next_cursor,
        unread,
    }))
}

/// Marks the group's activity read for the caller (a member of it).
#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/activity/read",
    tag = "activity",
    operation_id = "mark_group_activity_read",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The group's id; what is not the id of a group the caller can see is a 404", example = "7")),
    security(("oauth2" = ["activity:read"]), ("oauth1" = ["activity:read"])),
    responses(
        (status = 204, description = "Read: the caller's `unread` for the group is 0"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn mark_read(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("activity:read")?;
    let id = GroupId(common::id(&path, "group")?);
    let actor = caller.member()?.id;
    social::write(&app.store, move |tx| social::groups::mark_read(tx, actor, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's river: the activity of all their groups, newest first
/// (a member's token only: an application's own gets 403).
#[utoipa::path(
    get,
    path = "/api/v1/activity",
    tag = "activity",
    operation_id = "list_my_activity",
    params(PageQuery),
    security(("oauth2" = ["activity:read"]), ("oauth1" = ["activity:read"])),
    responses(
        (status = 200, description = "A page of the activity of every group the caller is a member of, newest first", body = Listing<ActivityJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn my_activity(caller: Caller, app: web::Data<App>, q: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("activity:read")?;
    let user = caller.member()?.id;
    let (after, limit) = page(&q)?;
    let p = read(&app, |tx| social::activity::my_river(tx, user, after, limit))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(p.map(|a| ActivityJson::from(&a)))))
}
