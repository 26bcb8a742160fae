//! The member's connected accounts (scope `connections`, never part of the
//! `read`/`write` shorthands): `GET /api/v1/me/connections` lists them and
//! `POST /api/v1/me/connections/{id}/request` calls the provider's API for
//! the member, signed by latchkey; the remote tokens never appear here.

use super::common::{problem_type, sid, writer};
use super::resource;
use crate::app::App;
use crate::clock::rfc3339;
use crate::connect::call::{self, CallError};
use crate::connect::relay::{RelayAnswer, RelayError, RelayRequest};
use crate::connections::{ConnectionError, members, providers};
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery, cursor};
use crate::http::problem::ApiError;
use crate::ids::ConnectionId;
use crate::store::audit::Who;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, request))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/me/connections", "GET").route(web::get().to(list)))
        .service(resource("/v1/me/connections/{id}/request", "POST").route(web::post().to(request)));
}

/// An account at another site that the member connected.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Connection)]
pub struct ConnectionJson {
    #[schema(example = "3")]
    pub id: String,
    /// The provider's name, as the site's admin registered it.
    #[schema(example = "Photos")]
    pub provider: String,
    /// The remote account's name (or what the provider said identifies it).
    #[schema(example = "alice")]
    pub remote_user: String,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
}

fn no_store() -> (&'static str, &'static str) {
    ("Cache-Control", "no-store")
}

fn connection_error(e: ConnectionError) -> ApiError {
    match e {
        ConnectionError::NotFound(_) => ApiError::not_found("There is no such connection of yours."),
        ConnectionError::Store(e) => e.into(),
        other => {
            tracing::error!(error = %other, "a connection could not be read");
            ApiError::unavailable()
        }
    }
}

/// The caller's connected accounts, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/connections",
    tag = "connections",
    operation_id = "list_connections",
    params(PageQuery),
    security(("oauth2" = ["connections"]), ("oauth1" = ["connections"])),
    responses(
        (status = 200, description = "A page of connections, oldest first", body = Listing<ConnectionJson>, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Unprocessable),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn list(caller: Caller, app: web::Data<App>, q: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    caller.require("connections")?;
    let me = caller.member()?.id;
    let page = q.check()?.fits(|a| a.len() == 8).map_err(|e| ApiError::invalid(vec![e]))?;
    let after = page.after().and_then(|a| <[u8; 8]>::try_from(a).ok()).map(u64::from_be_bytes).unwrap_or(0);
    let all = members::of_user(&app, me).map_err(connection_error)?;
    let providers = providers::list(&app).map_err(connection_error)?;
    let mut rest = all.into_iter().filter(|c| c.id.0 > after);
    let items: Vec<ConnectionJson> = rest
        .by_ref()
        .take(page.limit)
        .map(|c| ConnectionJson {
            id: sid(c.id),
            provider: providers.iter().find(|p| p.id == c.provider).map_or_else(String::new, |p| p.name.clone()),
            remote_user: c.remote_user,
            created_at: rfc3339(c.created_at),
        })
        .collect();
    let next_cursor = match (rest.next(), items.last()) {
        (Some(_), Some(last)) => last.id.parse::<u64>().ok().map(|id| cursor(&id.to_be_bytes())),
        _ => None,
    };
    Ok(HttpResponse::Ok().insert_header(no_store()).json(Listing { items, next_cursor }))
}

/// Calls the connected provider's API for the caller: `path` is relative
/// to the provider's API base URL and must stay under it; latchkey signs
/// the request (a bearer token for OAuth 2.0, an OAuth 1.0a signature
/// with the provider's method, query and form body included) and relays
/// the answer's status, content type and body (text, or `body_base64`).
/// The answer may be at most 1 MiB (else a 502 of type
/// `tag:latchkey,2026:remote-too-large`) and take at most 10 seconds (else
/// a 504, `remote-timeout`). A provider whose address is loopback, private
/// or link-local is refused (403, `remote-address-refused`) unless the
/// site allows such targets. Each call is in the audit log (method, path,
/// status).
#[utoipa::path(
    post,
    path = "/api/v1/me/connections/{id}/request",
    tag = "connections",
    operation_id = "relay_connection_request",
    params(("id" = String, Path, description = "The connection's id")),
    request_body(content = RelayRequest, description = "What to call; an unknown field is a 422"),
    security(("oauth2" = ["connections"]), ("oauth1" = ["connections"])),
    responses(
        (status = 200, description = "The remote answer (whatever its status)", body = RelayAnswer, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 409, response = super::schema::Conflict),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn request(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
    path: web::Path<String>,
    body: super::common::Object<RelayRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require("connections")?;
    let me = writer(&caller, &app)?;
    let id = path
        .parse::<u64>()
        .ok()
        .map(ConnectionId)
        .ok_or_else(|| ApiError::not_found("There is no such connection of yours."))?;
    let u = caller.member()?;
    let ip = crate::http::conn::of(&req, &app.config.trusted_proxies).ip;
    let who = Who::user(u.id, &u.username, ip.to_string());
    let answer = call::relay(&app, me, id, &body.into_inner(), &caller.client_key, who).await.map_err(call_error)?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(answer))
}

fn call_error(e: CallError) -> ApiError {
    match e {
        CallError::NotFound => ApiError::not_found("There is no such connection of yours."),
        CallError::Unusable(why) => ApiError::conflict(why).of_type(problem_type("connection-unusable")),
        CallError::Relay(RelayError::Invalid { field, message }) => ApiError::field(field, message),
        CallError::Relay(RelayError::AddressRefused(why)) => {
            ApiError::forbidden(format!("This call is not allowed: {why}."))
                .of_type(problem_type("remote-address-refused"))
        }
        CallError::Relay(e @ RelayError::TooLarge) => {
            ApiError::new(StatusCode::BAD_GATEWAY, capital(&e.to_string())).of_type(problem_type("remote-too-large"))
        }
        CallError::Relay(e @ RelayError::Timeout) => {
            ApiError::new(StatusCode::GATEWAY_TIMEOUT, capital(&e.to_string())).of_type(problem_type("remote-timeout"))
        }
        CallError::Relay(e @ RelayError::Unreachable(_)) => {
            ApiError::new(StatusCode::BAD_GATEWAY, capital(&e.to_string())).of_type(problem_type("remote-unreachable"))
        }
        CallError::Store(e) => e.into(),
        CallError::Internal(why) => {
            tracing::error!(error = %why, "a relayed call failed");
            ApiError::unavailable()
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}
