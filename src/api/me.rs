//! `/api/v1/me`: the caller's own profile and the applications they have
//! authorized.

use super::resource;
use crate::app::App;
use crate::clock::rfc3339;
use crate::http::caller::{BearerError, Caller};
use crate::http::page::{Listing, PageQuery};
use crate::http::problem::ApiError;
use crate::store::grants;
use actix_web::{HttpResponse, web};

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(me, my_applications, revoke_application))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/me", "GET").route(web::get().to(me)))
        .service(resource("/v1/me/applications", "GET").route(web::get().to(my_applications)))
        .service(resource("/v1/me/applications/{client_id}", "DELETE").route(web::delete().to(revoke_application)));
}

/// The caller's own profile (scope `profile`).
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "me",
    operation_id = "get_me",
    security(("oauth2" = ["profile"]), ("oauth1" = ["profile"])),
    responses(
        (status = 200, description = "The caller's profile", body = super::schema::Me,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn me(caller: Caller) -> Result<HttpResponse, BearerError> {
    caller.require("profile")?;
    let u = caller.member()?;
    #[derive(serde::Serialize)]
    struct Me<'a> {
        id: String,
        username: &'a str,
        display_name: &'a str,
        created_at: String,
    }
    let body = Me {
        id: u.id.to_string(),
        username: &u.username,
        display_name: &u.display_name,
        created_at: rfc3339(u.created_at),
    };
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(body))
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
            body = crate::http::page::Listing<super::schema::AuthorizedApplication>,
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
            serde_json::json!({
                "client_id": a.client_id,
                "name": a.name,
                "homepage": a.homepage,
                "scopes": a.scopes.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
                "authorized_at": rfc3339(a.authorized_at),
                "last_used": rfc3339(a.last_used),
            })
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
