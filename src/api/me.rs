//! `/api/v1/me`: the caller's own profile (read, and change with
//! `If-Match`), password, avatar and one-time sign-in link, and the
//! applications they have authorized. The rules for each change live in
//! `accounts::{profile, avatars, signin_links}`; this file speaks HTTP.

use super::common::Object;
use super::resource;
use super::users::etag;
use crate::accounts::avatars::{self, AvatarError};
use crate::accounts::profile::{self, Changes, Expected, ProfileError};
use crate::accounts::signin_links::{self, LinkError};
use crate::app::App;
use crate::auth::principal::Principal;
use crate::clock::rfc3339;
use crate::http::caller::{BearerError, Caller};
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::{ApiError, FieldError};
use crate::store::audit::Who;
use crate::store::grants;
use crate::store::users::User;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    me,
    update,
    change_password,
    put_avatar,
    delete_avatar,
    login_link,
    my_applications,
    revoke_application
))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/me", "GET, PATCH").route(web::get().to(me)).route(web::patch().to(update)))
        .service(resource("/v1/me/password", "POST").route(web::post().to(change_password)))
        .service(
            resource("/v1/me/avatar", "PUT, DELETE")
                .route(web::put().to(put_avatar))
                .route(web::delete().to(delete_avatar)),
        )
        .service(resource("/v1/me/login-link", "POST").route(web::post().to(login_link)))
        .service(resource("/v1/me/applications", "GET").route(web::get().to(my_applications)))
        .service(resource("/v1/me/applications/{client_id}", "DELETE").route(web::delete().to(revoke_application)));
}

/// The revisions a list of entity tags names; `None` for `*`. Weak tags
/// never match (RFC 9110 §13.1.1: `If-Match` compares strongly).
fn revisions_in(headers: &HeaderMap, name: header::HeaderName, weak_match: bool) -> Option<Vec<u64>> {
    let mut revs = vec![];
    for value in headers.get_all(name) {
        let Ok(value) = value.to_str() else { continue };
        for tag in value.split(',').map(str::trim) {
            if tag == "*" {
                return None;
            }
            let tag = match tag.strip_prefix("W/") {
                Some(_) if !weak_match => continue,
                Some(t) => t,
                None => tag,
            };
            if let Some(n) = tag.strip_prefix("\"r").and_then(|t| t.strip_suffix('"')).and_then(|n| n.parse().ok()) {
                revs.push(n);
            }
        }
    }
    Some(revs)
}

/// What `If-Match` allows: anything without one, else the revisions it names.
fn if_match(req: &HttpRequest) -> Expected {
    if !req.headers().contains_key(header::IF_MATCH) {
        return None;
    }
    revisions_in(req.headers(), header::IF_MATCH, false)
}

/// Where the request comes from, for the audit log.
fn who(req: &HttpRequest, app: &App, u: &User) -> (Who, std::net::IpAddr) {
    let ip = crate::http::conn::of(req, &app.config.trusted_proxies).ip;
    (Who::user(u.id, &u.username, ip.to_string()), ip)
}

/// The member as the caller sees themselves: the public profile (`User`),
/// plus the e-mail address with the `email` scope. (Fields in name order:
/// the JSON is what it was when it was built inline.)
#[derive(Serialize, ToSchema)]
#[schema(as = Me)]
pub(super) struct MeJson {
    /// The picture (PNG, 256 px square), or `null` when there is none.
    #[schema(format = "uri", required = true, example = "https://localhost:8443/avatars/3b1f0c.png")]
    avatar_url: Option<String>,
    /// What the member says about themselves; may be empty.
    #[schema(example = "Mathematician. Writes the first programs.")]
    bio: String,
    /// Only with the `events:read` scope: the member's private calendar
    /// feed (`GET /me/calendar.ics?token=`, the events they are enrolled
    /// in), or `null` until they make one on `/account`. Whoever has the
    /// URL reads the feed; a new link on `/account` replaces it, and
    /// `/account/applications` revokes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = "uri", required = false, example = "https://localhost:8443/api/v1/me/calendar.ics?token=mF3q9Zb2u8Xo1Lq0dC4y7wHk2NpTn6RsV0aE5jGiYtU")]
    calendar_url: Option<Option<String>>,
    /// When the account was made (RFC 3339, UTC).
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    created_at: String,
    #[schema(example = "Ada Lovelace")]
    display_name: String,
    /// Only with the `email` scope: the address, or `null` when none is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false, example = "ada@example.org")]
    email: Option<Option<String>>,
    /// The member's id; `me` stands for it in paths.
    #[schema(example = "42")]
    id: String,
    #[schema(example = "ada")]
    username: String,
}

impl MeJson {
    fn new(app: &App, caller: &Principal, u: &User) -> MeJson {
        let public = super::users::UserJson::new(app, u);
        MeJson {
            avatar_url: public.avatar_url,
            bio: public.bio,
            calendar_url: caller.has("events:read").then(|| calendar_url(app, u.id)),
            created_at: public.created_at,
            display_name: public.display_name,
            email: caller.has("email").then(|| Some(u.email.clone()).filter(|e| !e.is_empty())),
            id: public.id,
            username: public.username,
        }
    }
}

/// The URL of the member's calendar feed, if they made one. A store that
/// cannot say leaves it out rather than failing the profile.
fn calendar_url(app: &App, user: crate::ids::UserId) -> Option<String> {
    match app.store.read(|tx| crate::social::calendar::token_of(tx, &app.sealer, user)) {
        Ok(t) => t.map(|(token, _)| app.config.url(&format!("api/v1/me/calendar.ics?token={token}"))),
        Err(e) => {
            tracing::warn!(error = %e, "reading the calendar feed for /me");
            None
        }
    }
}

/// The member and their `ETag`, not to be cached by anyone else.
fn answer(status: actix_web::http::StatusCode, app: &App, caller: &Principal, u: &User) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(u.revision)))
        .insert_header(("Cache-Control", "no-store"))
        .json(MeJson::new(app, caller, u))
}

fn field_errors(problems: Vec<profile::Problem>) -> ApiError {
    ApiError::invalid(problems.into_iter().map(|p| FieldError::new(p.field, p.message)).collect())
}

fn profile_error(e: ProfileError) -> ApiError {
    match e {
        ProfileError::Invalid(p) => field_errors(p),
        ProfileError::Stale => ApiError::stale(),
        ProfileError::Gone => ApiError::not_found("Your account is disabled or gone."),
        ProfileError::Limited(s) => ApiError::too_many(s),
        ProfileError::Store(e) => e.into(),
        ProfileError::Internal(m) => {
            tracing::error!(error = %m, "profile change failed");
            ApiError::unavailable()
        }
    }
}

/// The caller's own profile (scope `profile`), with its `ETag`; a matching
/// `If-None-Match` is a 304, except for a token with `events:read`, whose
/// answer carries `calendar_url` (which changes apart from the revision).
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "me",
    operation_id = "get_me",
    params(("If-None-Match" = Option<String>, Header, description = "`ETag`s of the profile read before (or `*`): 304 when one is current; weak tags (`W/...`) match too. Ignored for a token with `events:read` (its answer carries `calendar_url`, which changes apart from the revision)", example = "\"r3\"")),
    security(("oauth2" = ["profile"]), ("oauth1" = ["profile"])),
    responses(
        (status = 200, description = "The caller's profile", body = MeJson, headers(
            ("ETag" = String, description = "The profile's revision, `\"rN\"`: send it back in `If-Match` to change the profile, or `If-None-Match` to revalidate"),
            ("Cache-Control" = String, description = "`no-store`")
        )),
        (status = 304, description = "Not modified: an `If-None-Match` tag names the current revision", headers(
            ("ETag" = String, description = "The profile's revision, `\"rN\"`: send it back in `If-Match` to change the profile, or `If-None-Match` to revalidate")
        )),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn me(caller: Caller, app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, BearerError> {
    caller.require("profile")?;
    let u = caller.member()?;
    // With `events:read` the answer carries `calendar_url`, which changes
    // without the profile's revision (a new or revoked feed link): such a
    // caller always gets the whole answer, never a stale 304.
    if req.headers().contains_key(header::IF_NONE_MATCH) && !caller.has("events:read") {
        let fresh = match revisions_in(req.headers(), header::IF_NONE_MATCH, true) {
            None => true,
            Some(revs) => revs.contains(&u.revision),
        };
        if fresh {
            return Ok(HttpResponse::NotModified()
                .insert_header((header::ETAG, etag(u.revision)))
                .insert_header(("Cache-Control", "no-store"))
                .finish());
        }
    }
    Ok(answer(actix_web::http::StatusCode::OK, &app, &caller, u))
}

/// `PATCH /me`: the fields to change, each optional (`null` or left out
/// keeps the value); an unknown field is a 422 rather than silently dropped.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProfileChanges)]
struct ProfilePatch {
    /// 1 to 100 characters (trimmed), one line.
    #[schema(example = "Ada Lovelace")]
    display_name: Option<String>,
    /// An e-mail address, or empty to have none.
    #[schema(example = "ada@example.org")]
    email: Option<String>,
    /// At most 500 characters (trimmed); line breaks are kept.
    #[schema(example = "Mathematician. Writes the first programs.")]
    bio: Option<String>,
}

/// Changes the caller's profile (scope `profile:write`), if `If-Match`
/// (when sent) still names the stored revision. Answers the profile as
/// stored, with its new `ETag`.
#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "me",
    operation_id = "update_me",
    params(("If-Match" = Option<String>, Header, description = "The `ETag` of the profile as last read (or `*`): 412 if it changed since; a weak or unknown tag matches nothing", example = "\"r3\"")),
    request_body(content = ProfilePatch, description = "The fields to change; an unknown field is a 422"),
    security(("oauth2" = ["profile:write"]), ("oauth1" = ["profile:write"])),
    responses(
        (status = 200, description = "The profile as stored", body = MeJson, headers(
            ("ETag" = String, description = "The profile's revision, `\"rN\"`: send it back in `If-Match` to change the profile, or `If-None-Match` to revalidate"),
            ("Cache-Control" = String, description = "`no-store`")
        )),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 412, response = super::schema::Stale),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn update(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
    body: Object<ProfilePatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require("profile:write")?;
    let u = caller.member()?;
    let (who, _) = who(&req, &app, u);
    let p = body.into_inner();
    let changes = Changes { display_name: p.display_name, email: p.email, bio: p.bio };
    let user = profile::update(&app, u.id, changes, if_match(&req), who).await.map_err(profile_error)?;
    Ok(answer(actix_web::http::StatusCode::OK, &app, &caller, &user))
}

/// `POST /me/password`; an unknown field is a 422.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    /// Required: the password the member signs in with now.
    #[schema(example = "correct horse battery staple")]
    current_password: Option<String>,
    /// Required: the new password, under the site's password policy.
    #[schema(example = "a longer passphrase of my own")]
    new_password: Option<String>,
}

/// A new password (scope `profile:write`) when the current one is right.
/// Ends the member's browser sessions and every other application's access;
/// the calling application keeps its grant. A wrong current password counts
/// against the sign-in limits like a failed sign-in (429 past them).
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "me",
    operation_id = "change_my_password",
    request_body(content = PasswordChange, description = "The current and the new password; an unknown field is a 422"),
    security(("oauth2" = ["profile:write"]), ("oauth1" = ["profile:write"])),
    responses(
        (status = 204, description = "Changed: other sessions and applications are signed out"),
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
async fn change_password(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
    body: Object<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    caller.require("profile:write")?;
    let u = caller.member()?;
    let PasswordChange { current_password, new_password } = body.into_inner();
    let mut missing = vec![];
    if current_password.as_deref().unwrap_or("").is_empty() {
        missing.push(FieldError::new("current_password", "is required"));
    }
    if new_password.as_deref().unwrap_or("").is_empty() {
        missing.push(FieldError::new("new_password", "is required"));
    }
    if !missing.is_empty() {
        return Err(ApiError::invalid(missing));
    }
    let (who, ip) = who(&req, &app, u);
    let current = current_password.unwrap_or_default();
    let new = new_password.unwrap_or_default();
    profile::change_password(&app, u, &current, new, Some(caller.grant), ip, who).await.map_err(profile_error)?;
    Ok(HttpResponse::NoContent().insert_header(("Cache-Control", "no-store")).finish())
}

fn avatar_error(e: AvatarError) -> ApiError {
    match e {
        AvatarError::Unusable(m) => ApiError::field("avatar", m),
        AvatarError::Gone => ApiError::not_found("Your account is disabled or gone."),
        AvatarError::Store(e) => e.into(),
        AvatarError::Internal(m) => {
            tracing::error!(error = %m, "avatar change failed");
            ApiError::unavailable()
        }
    }
}

/// Room for a multipart body's boundaries and headers around the picture.
const MULTIPART_OVERHEAD: usize = 16 * 1024;

const AVATAR_TYPES: &str = "image/png, image/jpeg, image/webp, or multipart/form-data with a field \"avatar\"";

/// How much of a body that is too large is still read (and dropped) so the
/// client, busy sending it, gets to read the 413: many clients never read
/// an answer that arrives while they are still writing. Past this, the
/// connection is closed on them.
const DRAIN_MAX: usize = 4 * avatars::MAX_BYTES;

/// Reads the whole body, refusing it (413) past `limit` bytes; a body
/// past `DRAIN_MAX` (by its `Content-Length`, or as it arrives) is not
/// read any further.
async fn read_body(req: &HttpRequest, mut payload: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    use futures_util::StreamExt;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_MAX) {
        return Err(ApiError::too_large(avatars::MAX_BYTES));
    }
    let mut body = web::BytesMut::new();
    let mut seen = 0usize;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("The body could not be read: {e}")))?;
        seen += chunk.len();
        if seen > DRAIN_MAX {
            return Err(ApiError::too_large(avatars::MAX_BYTES));
        }
        if seen <= limit {
            body.extend_from_slice(&chunk);
        }
    }
    if seen > limit {
        return Err(ApiError::too_large(avatars::MAX_BYTES));
    }
    Ok(body.freeze())
}

/// The picture of a `PUT /me/avatar`: the body itself, or the multipart
/// field `avatar` (other fields are ignored).
async fn avatar_bytes(req: &HttpRequest, payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let mime = req.mime_type().map_err(|_| ApiError::unsupported_media_type(AVATAR_TYPES))?;
    let essence = mime.as_ref().map(|m| m.essence_str().to_ascii_lowercase()).unwrap_or_default();
    let picture = match essence.as_str() {
        "image/png" | "image/jpeg" | "image/webp" => read_body(req, payload, avatars::MAX_BYTES).await?.to_vec(),
        "multipart/form-data" => {
            let body = read_body(req, payload, avatars::MAX_BYTES + MULTIPART_OVERHEAD).await?;
            let stream = futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(body) });
            let mut parts = actix_multipart::Multipart::new(req.headers(), stream);
            let unreadable = |e: actix_multipart::MultipartError| {
                ApiError::bad_request(format!("The multipart body could not be read: {e}"))
            };
            let mut found = None;
            while let Some(field) = parts.next().await {
                let mut field = field.map_err(unreadable)?;
                let wanted = field.name() == Some("avatar") && found.is_none();
                let mut bytes = vec![];
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(unreadable)?;
                    if wanted {
                        if bytes.len() + chunk.len() > avatars::MAX_BYTES {
                            return Err(ApiError::too_large(avatars::MAX_BYTES));
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                }
                if wanted {
                    found = Some(bytes);
                }
            }
            found.ok_or_else(|| ApiError::field("avatar", "is missing: send the picture in the field \"avatar\""))?
        }
        _ => return Err(ApiError::unsupported_media_type(AVATAR_TYPES)),
    };
    if picture.is_empty() {
        return Err(ApiError::field("avatar", "is empty"));
    }
    Ok(picture)
}

/// `PUT /me/avatar` as a form: the picture in the field `avatar` (other
/// fields are ignored).
#[derive(ToSchema)]
#[allow(dead_code)] // read by the document only: the handler reads the parts itself
struct AvatarForm {
    /// The picture: PNG, JPEG or WebP, at most 2 MiB.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    avatar: Vec<u8>,
}

/// Sets the caller's avatar (scope `profile:write`) from a PNG, JPEG or
/// WebP picture of at most 2 MiB, sent as the body itself or as the field
/// `avatar` of a form; it is stored re-encoded as a 256 px square PNG.
/// Answers the updated profile.
#[utoipa::path(
    put,
    path = "/api/v1/me/avatar",
    tag = "me",
    operation_id = "set_my_avatar",
    request_body(
        description = "The picture, at most 2 MiB: the body itself, or a form's field `avatar`",
        content(
            (super::schema::Picture = "image/png"),
            (super::schema::Picture = "image/jpeg"),
            (super::schema::Picture = "image/webp"),
            (AvatarForm = "multipart/form-data"),
        )
    ),
    security(("oauth2" = ["profile:write"]), ("oauth1" = ["profile:write"])),
    responses(
        (status = 200, description = "The profile with its new `avatar_url`", body = MeJson, headers(
            ("ETag" = String, description = "The profile's revision, `\"rN\"`: send it back in `If-Match` to change the profile, or `If-None-Match` to revalidate"),
            ("Cache-Control" = String, description = "`no-store`")
        )),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 413, response = super::schema::TooLarge),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn put_avatar(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require("profile:write")?;
    let u = caller.member()?;
    let picture = match avatar_bytes(&req, payload).await {
        Ok(p) => p,
        // The body may be partly unread: the connection cannot carry another
        // request, and the client must be told so rather than find out.
        Err(e) => {
            let mut r = actix_web::ResponseError::error_response(&e);
            r.head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
            return Ok(r);
        }
    };
    let (who, _) = who(&req, &app, u);
    let user = avatars::set(&app, u.id, picture, who).await.map_err(avatar_error)?;
    Ok(answer(actix_web::http::StatusCode::OK, &app, &caller, &user))
}

/// Removes the caller's avatar (scope `profile:write`); 204 whether or not
/// there was one.
#[utoipa::path(
    delete,
    path = "/api/v1/me/avatar",
    tag = "me",
    operation_id = "delete_my_avatar",
    security(("oauth2" = ["profile:write"]), ("oauth1" = ["profile:write"])),
    responses(
        (status = 204, description = "No avatar now", headers(
            ("ETag" = String, description = "The profile's revision, `\"rN\"`: send it back in `If-Match` to change the profile, or `If-None-Match` to revalidate")
        )),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn delete_avatar(caller: Caller, app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    caller.require("profile:write")?;
    let u = caller.member()?;
    let (who, _) = who(&req, &app, u);
    let user = avatars::remove(&app, u.id, who).await.map_err(avatar_error)?;
    Ok(HttpResponse::NoContent().insert_header((header::ETAG, etag(user.revision))).finish())
}

/// A one-time link (five minutes) that signs the caller in to the pages.
/// Scope `profile:write`, not `profile`: a browser session can do what the
/// member can do on the pages (approve applications, change the password
/// with the current one), so an application that may only read the
/// profile must not be able to mint one.
#[utoipa::path(
    post,
    path = "/api/v1/me/login-link",
    tag = "me",
    operation_id = "create_my_login_link",
    security(("oauth2" = ["profile:write"]), ("oauth1" = ["profile:write"])),
    responses(
        (status = 201, description = "A link to open in the member's browser, once, before it expires", body = LoginLink,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn login_link(caller: Caller, app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    caller.require("profile:write")?;
    let u = caller.member()?;
    let (who, _) = who(&req, &app, u);
    let (url, expires_at) = signin_links::issue(&app, u.id, &caller.client_key, who).await.map_err(|e| match e {
        LinkError::Gone | LinkError::Bad => ApiError::not_found("Your account is disabled or gone."),
        LinkError::Store(e) => e.into(),
    })?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(LoginLink { expires_at: rfc3339(expires_at), url }))
}

/// A one-time sign-in link. (Fields in name order: the JSON is what it was
/// when it was built inline.)
#[derive(Serialize, ToSchema)]
struct LoginLink {
    /// When the link stops working, five minutes on (RFC 3339, UTC).
    #[schema(format = DateTime, example = "2026-11-23T16:00:00Z")]
    expires_at: String,
    /// Opening it signs the member in to the site's pages, once.
    #[schema(format = "uri", example = "https://localhost:8443/login/link?token=5Jd0c2lnbmluLWxpbms")]
    url: String,
}

/// One application the caller has authorized. (Fields in name order: the
/// JSON is what it was when it was built inline.)
#[derive(Serialize, ToSchema)]
#[schema(as = AuthorizedApplication)]
struct ApplicationJson {
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    authorized_at: String,
    /// The application's public identifier: its OAuth 2.0 `client_id`, or
    /// its OAuth 1.0a consumer key. Revoke with `DELETE
    /// /api/v1/me/applications/{client_id}`.
    #[schema(example = "lk_3hY7f2Qm")]
    client_id: String,
    /// The application's web site; empty when it gave none.
    #[schema(example = "https://printer.example.com")]
    homepage: String,
    /// When a token of the grant was last used (the time of the grant
    /// until then).
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
    last_used: String,
    #[schema(example = "Photo Printer")]
    name: String,
    /// The scopes of the grant, shorthands (`read`, `write`) as granted.
    #[schema(example = json!(["profile", "posts:read"]))]
    scopes: Vec<String>,
}

/// The applications the caller has authorized (scope `applications`), a
/// page at a time, newest application first.
#[utoipa::path(
    get,
    path = "/api/v1/me/applications",
    tag = "me",
    operation_id = "list_my_applications",
    params(crate::http::page::PageQuery),
    security(("oauth2" = ["applications"]), ("oauth1" = ["applications"])),
    responses(
        (status = 200, description = "A page of the caller's applications",
            body = crate::http::page::Listing<ApplicationJson>,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn my_applications(
    caller: Caller,
    app: web::Data<App>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require("applications")?;
    let u = caller.member()?;
    let page = q.check()?.fits(|a| grants::is_member_cursor(u.id, a)).map_err(|e| ApiError::invalid(vec![e]))?;
    let listing =
        Listing::from(crate::registry::grants::page_for_member(&app, u.id, page.after(), page.limit)?.map(|a| {
            ApplicationJson {
                authorized_at: rfc3339(a.authorized_at),
                client_id: a.client_id,
                homepage: a.homepage,
                last_used: rfc3339(a.last_used),
                name: a.name,
                scopes: a.scopes.iter().map(|s| s.name.clone()).collect(),
            }
        }));
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(listing))
}

/// Revokes the caller's grant to an application: every token of it dies.
#[utoipa::path(
    delete,
    path = "/api/v1/me/applications/{client_id}",
    tag = "me",
    operation_id = "revoke_my_application",
    params(("client_id" = String, Path, description = "The application's `client_id` (OAuth 2.0) or consumer key (OAuth 1.0a)")),
    security(("oauth2" = ["applications"]), ("oauth1" = ["applications"])),
    responses(
        (status = 204, description = "Revoked: the application's tokens for the caller no longer work"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn revoke_application(
    caller: Caller,
    app: web::Data<App>,
    path: web::Path<String>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require("applications")?;
    let u = caller.member()?;
    let ip = crate::http::conn::of(&req, &app.config.trusted_proxies).ip.to_string();
    let who = crate::store::audit::Who::user(u.id, &u.username, ip);
    match crate::registry::grants::revoke_for_member(&app, u.id, &path, who).await? {
        Some(_) => Ok(HttpResponse::NoContent().finish()),
        None => Err(ApiError::not_found("You have not authorized this application.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &'static str, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::HeaderName::from_static(name), header::HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn entity_tags_name_revisions() {
        assert_eq!(etag(3), "\"r3\"");
        let m = |v: &[&str]| revisions_in(&headers("if-match", v), header::IF_MATCH, false);
        assert_eq!(m(&["\"r3\""]), Some(vec![3]));
        assert_eq!(m(&["\"r3\", \"r4\"", "\"r9\""]), Some(vec![3, 4, 9]));
        assert_eq!(m(&["*"]), None);
        assert_eq!(m(&["W/\"r3\""]), Some(vec![]), "a weak tag never matches If-Match");
        assert_eq!(m(&["r3", "\"3\"", "\"rx\""]), Some(vec![]), "what is not our tag matches nothing");
        let n = revisions_in(&headers("if-none-match", &["W/\"r3\""]), header::IF_NONE_MATCH, true);
        assert_eq!(n, Some(vec![3]));
    }
}
