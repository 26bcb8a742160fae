//! `/api/v1/events`: events with their filters, enrollments, and one
//! event as iCalendar (`/api/v1/events/{id}.ics`).

use super::common::{self, Object, created, if_match, ok_tagged, read, sid, viewer, writer};
use super::resource;
use crate::app::App;
use crate::clock::rfc3339;
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::ApiError;
use crate::ids::{EventId, GroupId};
use crate::social;
use crate::social::events::{EventInput, EventView, Filter};
use crate::store::social::events::{Enrollment, Event};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, get, update, delete, enrollments, enroll, unenroll, one_ics))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/events", "GET, POST").route(web::get().to(list)).route(web::post().to(create)))
        // Before `/v1/events/{id}`, which would take `7.ics` for an id.
        .service(resource("/v1/events/{id}.ics", "GET").route(web::get().to(one_ics)))
        .service(
            resource("/v1/events/{id}", "GET, PATCH, DELETE")
                .route(web::get().to(get))
                .route(web::patch().to(update))
                .route(web::delete().to(delete)),
        )
        .service(resource("/v1/events/{id}/enrollments", "GET").route(web::get().to(enrollments)))
        .service(
            resource("/v1/events/{id}/enrollments/me", "PUT, DELETE")
                .route(web::put().to(enroll))
                .route(web::delete().to(unenroll)),
        );
}

/// An event as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Event)]
pub struct EventJson {
    #[schema(example = "88")]
    pub id: String,
    /// The group it is in; `null` for a site-wide event.
    #[schema(required = true, example = "7")]
    pub group: Option<String>,
    /// The organiser's member id.
    #[schema(example = "42")]
    pub organiser: String,
    #[schema(example = "Seed swap")]
    pub title: String,
    #[schema(example = "Bring seeds in labelled envelopes.")]
    pub description: String,
    #[schema(example = "Community hall, Mill Street 4")]
    pub location: String,
    /// When it begins (RFC 3339, UTC).
    #[schema(format = DateTime, example = "2026-12-05T17:00:00Z")]
    pub start: String,
    /// When it ends (RFC 3339, UTC), after `start`.
    #[schema(format = DateTime, example = "2026-12-05T19:00:00Z")]
    pub end: String,
    /// How many members may enroll; `null` for no limit.
    #[schema(required = true, example = 30)]
    pub capacity: Option<u32>,
    /// `public`, `members`, `group` or `private`.
    #[schema(value_type = super::schema::PostAccess)]
    pub access: &'static str,
    #[schema(example = 12)]
    pub enrolled_count: u64,
    /// Whether the caller is enrolled (always `false` for an application's
    /// own token).
    #[schema(example = false)]
    pub enrolled_by_me: bool,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
    pub updated_at: String,
}

impl From<&EventView> for EventJson {
    fn from(v: &EventView) -> Self {
        let e = &v.event;
        EventJson {
            id: sid(e.id),
            group: e.group.map(sid),
            organiser: sid(e.organiser),
            title: e.title.clone(),
            description: e.description.clone(),
            location: e.location.clone(),
            start: rfc3339(e.start),
            end: rfc3339(e.end),
            capacity: e.capacity,
            access: e.access.as_str(),
            enrolled_count: v.counts.enrolled,
            enrolled_by_me: v.enrolled_by_me,
            created_at: rfc3339(e.created_at),
            updated_at: rfc3339(e.updated_at),
        }
    }
}

/// One member's enrollment in an event.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Enrollment)]
pub struct EnrollmentJson {
    /// The event's id.
    #[schema(example = "88")]
    pub event: String,
    /// The member's id.
    #[schema(example = "42")]
    pub user: String,
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
    pub enrolled_at: String,
}

impl From<&Enrollment> for EnrollmentJson {
    fn from(e: &Enrollment) -> Self {
        EnrollmentJson { event: sid(e.event), user: sid(e.user), enrolled_at: rfc3339(e.enrolled_at) }
    }
}

/// A new event, or the fields of one to change (each optional; `null` is
/// the same as left out). An unknown field is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EventInput)]
pub struct EventBody {
    /// The id of a group the caller is a member of (empty: site-wide); an
    /// event stays in its group.
    #[schema(pattern = "^[0-9]*$", example = "7")]
    pub group: Option<String>,
    /// 1 to 200 characters (trimmed), one line; required to create.
    #[schema(example = "Seed swap")]
    pub title: Option<String>,
    /// At most 5,000 characters (trimmed); line breaks are kept.
    #[schema(example = "Bring seeds in labelled envelopes.")]
    pub description: Option<String>,
    /// At most 200 characters (trimmed), one line.
    #[schema(example = "Community hall, Mill Street 4")]
    pub location: Option<String>,
    /// RFC 3339 with its offset (`Z` or `+01:00`), 1970 to 9999; required
    /// to create.
    #[schema(example = "2026-12-05T18:00:00+01:00")]
    pub start: Option<String>,
    /// RFC 3339 with its offset, after `start` and at most 366 days after
    /// it; required to create.
    #[schema(example = "2026-12-05T20:00:00+01:00")]
    pub end: Option<String>,
    /// How many members may enroll, up to 1,000,000; `0` for no limit. Not
    /// less than those enrolled already.
    #[schema(minimum = 0, maximum = 1_000_000, example = 30)]
    pub capacity: Option<u32>,
    /// Default `group` in a group, `members` site-wide.
    #[schema(value_type = Option<super::schema::PostAccess>)]
    pub access: Option<String>,
}

impl EventBody {
    fn input(self) -> Result<EventInput, ApiError> {
        let group = match self.group.as_deref() {
            None | Some("") => None,
            Some(g) => {
                Some(GroupId(common::parse_id(g).ok_or_else(|| ApiError::field("group", "must be a group id"))?))
            }
        };
        Ok(EventInput {
            group,
            title: self.title,
            description: self.description,
            location: self.location,
            start: self.start,
            end: self.end,
            capacity: self.capacity.map(|c| (c > 0).then_some(c)),
            access: self.access,
        })
    }
}

/// `GET /events`: the filters, each optional (the page is `PageQuery`'s).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only events in this group (its id); a group the caller cannot see
    /// is a 404.
    #[param(pattern = "^[0-9]*$", example = "7")]
    pub group: Option<String>,
    /// Only events starting at or after this time (RFC 3339); default now,
    /// so the list is of upcoming events.
    #[param(format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub from: Option<String>,
    /// Only events starting at or before this time (RFC 3339).
    #[param(format = DateTime, example = "2026-12-31T23:59:59Z")]
    pub to: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub page: PageQuery,
}

fn no_store() -> (&'static str, &'static str) {
    ("Cache-Control", "no-store")
}

/// The events the caller can see that pass every filter given, by start
/// time (then id); upcoming ones unless `from` says otherwise.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    operation_id = "list_events",
    params(ListQuery, PageQuery),
    security(("oauth2" = ["events:read"]), ("oauth1" = ["events:read"])),
    responses(
        (status = 200, description = "A page of events by start time", body = Listing<EventJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn list(caller: Caller, app: web::Data<App>, q: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("events:read")?;
    let filter = Filter {
        group: common::query_id("group", q.group.as_deref())?.map(GroupId),
        from: common::time("from", q.from.as_deref())?,
        to: common::time("to", q.to.as_deref())?,
    };
    let p = q.page.check()?.fits(|c| c.len() == 16).map_err(|e| ApiError::invalid(vec![e]))?;
    let after = social::events::position(p.after());
    let (v, now) = (viewer(&caller), app.now());
    let page = read(&app, |tx| social::events::list(tx, v, &filter, after, p.limit, now))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(page.map(|e| EventJson::from(&e)))))
}

/// Organises an event, site-wide or in a group the caller is a member of.
/// Default access: `group` in a group, `members` site-wide.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "events",
    operation_id = "create_event",
    request_body(content = EventBody, description = "The new event: `title`, `start` and `end` are required; an unknown field is a 422"),
    security(("oauth2" = ["events:write"]), ("oauth1" = ["events:write"])),
    responses(
        (status = 201, description = "The event", body = EventJson, headers(("Location" = String, description = "The new event's address"), ("ETag" = String, description = "The event's revision, `\"rN\"`, for `If-Match`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn create(caller: Caller, app: web::Data<App>, body: Object<EventBody>) -> Result<HttpResponse, ApiError> {
    caller.require("events:write")?;
    let input = body.into_inner().input()?;
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let v = social::write(&app.store, move |tx| social::events::create(tx, actor, &input, now)).await?;
    Ok(created(app.config.url(&format!("api/v1/events/{}", v.event.id)), v.event.revision).json(EventJson::from(&v)))
}

/// One event.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}",
    tag = "events",
    operation_id = "get_event",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The event's id; what is not the id of an event the caller can see is a 404", example = "88")),
    security(("oauth2" = ["events:read"]), ("oauth1" = ["events:read"])),
    responses(
        (status = 200, description = "The event", body = EventJson, headers(("ETag" = String, description = "The event's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn get(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("events:read")?;
    let id = EventId(common::id(&path, "event")?);
    let v = viewer(&caller);
    let e = read(&app, |tx| social::events::get(tx, id, v))?;
    Ok(ok_tagged(e.event.revision).json(EventJson::from(&e)))
}

/// Changes an event (its organiser, or an admin of its group), if
/// `If-Match` (when sent) still names the stored revision. Its group stays.
#[utoipa::path(
    patch,
    path = "/api/v1/events/{id}",
    tag = "events",
    operation_id = "update_event",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The event's id; what is not the id of an event the caller can see is a 404", example = "88"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the event as last read (or `*`): 412 if it changed since; a weak or unknown tag matches nothing", example = "\"r3\"")),
    request_body(content = EventBody, description = "The fields to change (left out or `null`: kept); an unknown field is a 422"),
    security(("oauth2" = ["events:write"]), ("oauth1" = ["events:write"])),
    responses(
        (status = 200, description = "The event as stored", body = EventJson, headers(("ETag" = String, description = "The event's revision, `\"rN\"`, for `If-Match`"), ("Cache-Control" = String, description = "`no-store`"))),
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
    body: Object<EventBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require("events:write")?;
    let id = EventId(common::id(&path, "event")?);
    let expected = if_match(&req)?;
    let input = body.into_inner().input()?;
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let e = social::write(&app.store, move |tx| social::events::update(tx, actor, id, &input, &expected, now)).await?;
    Ok(ok_tagged(e.event.revision).json(EventJson::from(&e)))
}

/// Deletes an event with its enrollments (its organiser, or an admin of
/// its group).
#[utoipa::path(
    delete,
    path = "/api/v1/events/{id}",
    tag = "events",
    operation_id = "delete_event",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The event's id; what is not the id of an event the caller can see is a 404", example = "88"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the event as last read (or `*`): 412 if it changed since; a weak or unknown tag matches nothing", example = "\"r3\"")),
    security(("oauth2" = ["events:write"]), ("oauth1" = ["events:write"])),
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
    caller.require("events:write")?;
    let id = EventId(common::id(&path, "event")?);
    let expected = if_match(&req)?;
    let actor = writer(&caller, &app)?;
    social::write(&app.store, move |tx| social::events::delete(tx, actor, id, &expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who is enrolled in an event the caller can see, by member id.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}/enrollments",
    tag = "events",
    operation_id = "list_enrollments",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The event's id; what is not the id of an event the caller can see is a 404", example = "88"), PageQuery),
    security(("oauth2" = ["events:read"]), ("oauth1" = ["events:read"])),
    responses(
        (status = 200, description = "A page of enrollments by member id", body = Listing<EnrollmentJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn enrollments(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require("events:read")?;
    let id = EventId(common::id(&path, "event")?);
    let (after, limit) = common::page(&q)?;
    let v = viewer(&caller);
    let p = read(&app, |tx| social::events::enrollments(tx, v, id, after, limit))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing::from(p.map(|e| EnrollmentJson::from(&e)))))
}

/// Enrolls the caller in an event they can see: 201, or 200 when they
/// were enrolled already (nothing changes). A full event is a 409 of type
/// `tag:latchkey,2026:event-full`; one that has begun, a 409 of type
/// `tag:latchkey,2026:event-started`.
#[utoipa::path(
    put,
    path = "/api/v1/events/{id}/enrollments/me",
    tag = "events",
    operation_id = "enroll_event",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The event's id; what is not the id of an event the caller can see is a 404", example = "88")),
    security(("oauth2" = ["events:write"]), ("oauth1" = ["events:write"])),
    responses(
        (status = 200, description = "Enrolled already; unchanged", body = EnrollmentJson, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 201, description = "Enrolled", body = EnrollmentJson, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 409, response = super::schema::Conflict),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn enroll(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("events:write")?;
    let id = EventId(common::id(&path, "event")?);
    let actor = writer(&caller, &app)?;
    let now = app.now();
    let (e, new) = social::write(&app.store, move |tx| social::events::enroll(tx, actor, id, now)).await?;
    let mut r = if new { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(r.insert_header(no_store()).json(EnrollmentJson::from(&e)))
}

/// Takes the caller's enrollment back (204 whether or not they were
/// enrolled); once the event has begun, a 409 of type
/// `tag:latchkey,2026:event-started`.
#[utoipa::path(
    delete,
    path = "/api/v1/events/{id}/enrollments/me",
    tag = "events",
    operation_id = "unenroll_event",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The event's id; what is not the id of an event the caller can see is a 404", example = "88")),
    security(("oauth2" = ["events:write"]), ("oauth1" = ["events:write"])),
    responses(
        (status = 204, description = "Not enrolled (any more)"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 409, response = super::schema::Conflict),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn unenroll(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("events:write")?;
    let id = EventId(common::id(&path, "event")?);
    let actor = writer(&caller, &app)?;
    let now = app.now();
    social::write(&app.store, move |tx| social::events::unenroll(tx, actor, id, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The events as an iCalendar answer: `text/calendar`, kept private.
pub(super) fn calendar_answer(app: &App, name: Option<&str>, events: &[Event]) -> HttpResponse {
    let host = app.config.public_url.host_str().unwrap_or("localhost").to_string();
    let url = |e: &Event| app.config.url(&format!("api/v1/events/{}", e.id));
    let cal = social::calendar::Calendar { host: &host, name, url: &url };
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "private, max-age=300"))
        .body(social::calendar::ics(&cal, events))
}

/// One event as iCalendar (RFC 5545), to add to any calendar app.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}.ics",
    tag = "events",
    operation_id = "get_event_ics",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The event's id; what is not the id of an event the caller can see is a 404", example = "88")),
    security(("oauth2" = ["events:read"]), ("oauth1" = ["events:read"])),
    responses(
        (status = 200, description = "A calendar with the one event (`UID` `event-<id>@<host>`, times in UTC)", content_type = "text/calendar", body = String, headers(("Cache-Control" = String, description = "`private, max-age=300`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn one_ics(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("events:read")?;
    let id = EventId(common::id(&path, "event")?);
    let v = viewer(&caller);
    let e = read(&app, |tx| social::events::get(tx, id, v))?;
    Ok(calendar_answer(&app, None, &[e.event]))
}
