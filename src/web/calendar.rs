//! The member's calendar feed on their pages: its URL and a button for a
//! new link on `/account` (the old link stops working), and its entry with
//! a Revoke button on `/account/applications`.

use crate::app::App;
use crate::clock::Timestamp;
use crate::http::page_error::PageError;
use crate::http::visitor::MemberForm;
use crate::ids::UserId;
use crate::social::calendar;
use crate::web::notice::{Done, Notice};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/calendar", web::post().to(replace)).route("/account/calendar/revoke", web::post().to(revoke));
}

/// The member's feed token and when it was made, if they have one; a
/// store that cannot say shows none.
pub fn feed_of(app: &App, user: UserId) -> Option<(String, Timestamp)> {
    app.store.read(|tx| calendar::token_of(tx, &app.sealer, user)).ok().flatten()
}

/// The feed's URL, to show to the member only.
pub fn url_of(app: &App, user: UserId) -> Option<String> {
    feed_of(app, user).map(|(token, _)| app.config.url(&format!("api/v1/me/calendar.ics?token={token}")))
}

#[derive(Deserialize)]
struct CalendarForm {
    #[serde(default)]
    csrf: String,
}

crate::has_csrf!(CalendarForm);

async fn replace(MemberForm(v, _): MemberForm<CalendarForm>) -> Result<HttpResponse, PageError> {
    calendar::replace(&v.app.store, &v.app.sealer, v.active.user.id, v.who(), v.app.now()).await?;
    Ok(v.redirect(&Notice::of(Done::CalendarReplaced).after("/account")))
}

async fn revoke(MemberForm(v, _): MemberForm<CalendarForm>) -> Result<HttpResponse, PageError> {
    calendar::revoke(&v.app.store, v.active.user.id, v.who(), v.app.now()).await?;
    Ok(v.redirect(&Notice::of(Done::CalendarRevoked).after("/account/applications")))
}
