//! `GET /api/v1/me/calendar.ics?token=`: a member's private calendar
//! feed of the events they are enrolled in, for calendar apps that poll a
//! URL. The token in the URL is the credential (no OAuth): the member
//! gets it on `/account` or as `calendar_url` on `GET /me`, and revokes
//! it on `/account/applications`. A token that is unknown, replaced,
//! revoked or a disabled member's is the same 404.

use super::common::read;
use super::resource;
use crate::app::App;
use crate::http::problem::ApiError;
use crate::social;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(feed))]
pub(super) struct Doc;

/// The security scheme of the feed: its `token` query parameter.
pub const CALENDAR_TOKEN: &str = "calendar_token";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/me/calendar.ics", "GET").route(web::get().to(feed)));
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The feed's token, as in the member's `calendar_url`.
    #[param(example = "mF3q9Zb2u8Xo1Lq0dC4y7wHk2NpTn6RsV0aE5jGiYtU")]
    pub token: Option<String>,
}

fn gone() -> ApiError {
    ApiError::not_found("There is no calendar feed at this address (its link may have been replaced or revoked).")
}

/// The caller's calendar feed: every event they are enrolled in and can
/// still see, from 180 days ago on, as iCalendar (RFC 5545).
#[utoipa::path(
    get,
    path = "/api/v1/me/calendar.ics",
    tag = "events",
    operation_id = "get_calendar_feed",
    params(FeedQuery),
    security(("calendar_token" = [])),
    responses(
        (status = 200, description = "The member's enrolled events (`UID` `event-<id>@<host>`, times in UTC)", content_type = "text/calendar", body = String, headers(("Cache-Control" = String, description = "`private, max-age=300`"))),
        (status = 404, response = super::schema::NotFound),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn feed(app: web::Data<App>, q: web::Query<FeedQuery>) -> Result<HttpResponse, ApiError> {
    let token = q.token.as_deref().unwrap_or_default();
    let now = app.now();
    let events = read(&app, |tx| {
        let Some(user) = social::calendar::member_for(tx, token)? else { return Ok(None) };
        social::events::feed(tx, user, now).map(Some)
    })?
    .ok_or_else(gone)?;
    let host = app.config.public_url.host_str().unwrap_or("localhost").to_string();
    Ok(super::events::calendar_answer(&app, Some(&format!("Events on {host}")), &events))
}
