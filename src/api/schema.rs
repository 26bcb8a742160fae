//! The pieces of the OpenAPI document that annotations share: the error
//! responses every operation names (problem+json, RFC 9457), the request
//! headers of conditional requests, and the closed word lists (`open` or
//! `closed`, ...) that handlers write as `&'static str` and name here with
//! `#[schema(value_type = ...)]`. `doc.rs` assembles the document; this
//! file imports no handler, so handlers can name what is here without a
//! circle.
//!
//! The types below are never built: the document reads their shape only.
//! Bodies are not mirrored here: each handler serializes its own
//! `#[derive(Serialize, ToSchema)]` struct, so its answer and its
//! description cannot drift apart.
#![allow(dead_code)] // read by the document only, never constructed

use crate::http::problem::Problem;
use utoipa::{ToResponse, ToSchema};

/// The security scheme names that `security(...)` in `#[utoipa::path]`
/// refers to; `doc.rs` defines them with the configured public URL.
pub const OAUTH2: &str = "oauth2";
pub const OAUTH1: &str = "oauth1";

/// No credential, or one that is unknown, expired, revoked, or (OAuth
/// 1.0a) badly signed. `WWW-Authenticate` says which scheme to use and,
/// with an error code, what was wrong (RFC 6750 §3, RFC 5849 §3.2).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"latchkey\"` (with `error=\"invalid_token\"` when a token was sent), or `OAuth realm=..., oauth_problem=...` for an OAuth 1.0a request")),
    example = json!({
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "the access token is unknown, expired or revoked"
    })
)]
pub struct Unauthorized(Problem);

/// The credential is good but does not allow this: the token lacks the
/// operation's scope (`WWW-Authenticate: Bearer error="insufficient_scope",
/// scope="..."`), or it is an application's own token (client credentials,
/// two-legged OAuth 1.0a) on a route that acts for a member.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer error=\"insufficient_scope\", scope=\"...\"` naming the scope to ask for")),
    example = json!({
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "this needs the profile scope"
    })
)]
pub struct Forbidden(Problem);

/// Nothing here, or nothing the caller may see.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "You have not authorized this application."
    })
)]
pub struct NotFound(Problem);

/// A body, query or path part is not valid; `errors` names each field.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "limit: must be a whole number from 1 to 100",
        "errors": [{"field": "limit", "message": "must be a whole number from 1 to 100"}]
    })
)]
pub struct Unprocessable(Problem);

/// `If-Match` named an older revision (see the `ETag` of the last read);
/// nothing was changed. Read again, then retry.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank",
        "title": "Precondition Failed",
        "status": 412,
        "detail": "The resource changed since you read it (If-Match does not match its ETag). Read it again and retry."
    })
)]
pub struct Stale(Problem);

/// Any other refusal: a request that cannot be read (400), a method the
/// resource does not answer (405, with `Allow`), a body too large (413) or
/// of another media type (415), too many requests (429, with `Retry-After`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(
        ("Allow" = String, description = "On a 405: the methods the resource answers"),
        ("Retry-After" = String, description = "On a 429: seconds to wait")
    ),
    example = json!({
        "type": "about:blank",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": "This resource answers GET only."
    })
)]
pub struct ClientError(Problem);

/// The server could not complete the request (the store failed); nothing
/// was changed, and the request may be retried after `Retry-After`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = String, description = "Seconds to wait before retrying")),
    example = json!({
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The server could not complete the request; nothing was changed."
    })
)]
pub struct ServerError(Problem);

/// The request contradicts the state of things: the group's last admin
/// leaving or stepping down, a role for a request not yet approved, an
/// admin adding someone who has not asked to join.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "The group's last admin cannot leave or step down; make another member admin first, or delete the group."
    })
)]
pub struct Conflict(Problem);

/// The body is larger than the operation reads (`detail` says how large
/// it may be). The connection may be closed after this answer.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank",
        "title": "Payload Too Large",
        "status": 413,
        "detail": "The body may be at most 2097152 bytes."
    })
)]
pub struct TooLarge(Problem);

/// The body is of a media type the operation does not read (`detail`
/// names those it does).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": "Send the body as application/json."
    })
)]
pub struct UnsupportedMediaType(Problem);

/// Past the member's write budget (`api_writes_per_member_per_minute`,
/// shared by every application acting for them), or, for a password
/// change, past the sign-in limits. Nothing was changed; retry after
/// `Retry-After` seconds.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = String, description = "Seconds to wait before writing again")),
    example = json!({
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too many requests; wait before trying again."
    })
)]
pub struct TooMany(Problem);

/// The byte range asked for lies outside the file; `Content-Range`
/// says how long it is.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Content-Range" = String, description = "`bytes */size`")),
    example = json!({
        "type": "about:blank",
        "title": "Range Not Satisfiable",
        "status": 416,
        "detail": "The range lies outside the file's 2048 bytes."
    })
)]
pub struct RangeNotSatisfiable(Problem);

/// Whether a group joins at once (`open`) or by request that a group admin
/// approves (`closed`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GroupMembership {
    Open,
    Closed,
}

/// Who sees a group listed and reads it: anyone (`public`, applications
/// on their own too) or signed-in members only (`members`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GroupAccess {
    Public,
    Members,
}

/// A member's role in a group.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GroupRole {
    Admin,
    Member,
}

/// A membership (`member`) or a request to join a closed group that waits
/// for an admin (`requested`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum MemberState {
    Member,
    Requested,
}

/// What an activity entry records.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ActivityKind {
    PostCreated,
    CommentAdded,
    MemberJoined,
    EventCreated,
    Enrolled,
    Unenrolled,
    FileUploaded,
}

/// A short `status` (no title) or an `article` (with a title).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum PostKind {
    Status,
    Article,
}

/// Who may read a post: anyone (`public`, applications on their own too),
/// any signed-in member (`members`), the members of its group (`group`),
/// or its author alone (`private`); `friends`: its author and the author's
/// friends (on the author's own stream only).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum PostAccess {
    Public,
    Members,
    Group,
    Private,
    Friends,
}

/// A report is `open` until a moderator deals with it, then `resolved`.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ReportStatus {
    Open,
    Resolved,
}

/// A picture sent as the body itself (its `Content-Type` says which kind).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Picture(Vec<u8>);
