//! The pieces of the OpenAPI document that annotations share: the error
//! responses every operation names (problem+json, RFC 9457), and the shapes
//! of the routes that build their JSON inline rather than from a typed
//! struct. `doc.rs` assembles the document; this file imports no handler,
//! so handlers can name what is here without a circle.
//!
//! The types below are never built: the document reads their shape only.
//! A new handler serializes its own `#[derive(Serialize, ToSchema)]` struct
//! instead of a `json!` value, so its answer and its description cannot
//! drift apart; `tests/it/openapi.rs` catches the mirrors here if they do.
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

/// The caller's own profile, as `me.rs` writes it.
#[derive(ToSchema)]
#[schema(as = Me)]
pub struct Me {
    /// The member's id; `me` stands for it in paths.
    #[schema(example = "42")]
    pub id: String,
    #[schema(example = "ada")]
    pub username: String,
    #[schema(example = "Ada Lovelace")]
    pub display_name: String,
    /// When the account was made (RFC 3339, UTC).
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
}

/// One application the caller has authorized, as `me.rs` writes it.
#[derive(ToSchema)]
#[schema(as = AuthorizedApplication)]
pub struct AuthorizedApplication {
    /// The application's public identifier: its OAuth 2.0 `client_id`, or
    /// its OAuth 1.0a consumer key. Revoke with `DELETE
    /// /api/v1/me/applications/{client_id}`.
    #[schema(example = "lk_3hY7f2Qm")]
    pub client_id: String,
    #[schema(example = "Photo Printer")]
    pub name: String,
    /// The application's web site; empty when it gave none.
    #[schema(example = "https://printer.example.com")]
    pub homepage: String,
    /// The scopes of the grant, shorthands (`read`, `write`) as granted.
    #[schema(example = json!(["profile", "posts:read"]))]
    pub scopes: Vec<String>,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub authorized_at: String,
    /// When a token of the grant was last used (the time of the grant
    /// until then).
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
    pub last_used: String,
}
