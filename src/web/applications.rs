//! `/account/applications`: every application the member has authorized,
//! with a Revoke button that ends all of its tokens at once.

use super::Chrome;
use crate::clock::{human, rfc3339};
use crate::http::page_error::PageError;
use crate::http::visitor::{Member, MemberForm};
use crate::registry::grants::{self, AuthorizedApp};
use crate::web::notice::{Done, Notice};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/applications", web::get().to(show))
        .route("/account/applications/revoke", web::post().to(revoke));
}

struct Row {
    app: AuthorizedApp,
    authorized: (String, String),
    /// `None`: never used since it was authorized.
    last_used: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ApplicationsView {
    c: Chrome,
    rows: Vec<Row>,
    notice: Option<String>,
    /// When the member's calendar feed link was made, if they have one.
    calendar: Option<(String, String)>,
    /// The outbound half: the member's accounts at other sites.
    connections: Vec<super::connections::ConnRowView>,
}

async fn show(v: Member, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let rows = grants::for_member(&v.app, v.active.user.id)?
        .into_iter()
        .map(|app| Row {
            authorized: (rfc3339(app.authorized_at), human(app.authorized_at)),
            last_used: (app.last_used > app.authorized_at).then(|| (rfc3339(app.last_used), human(app.last_used))),
            app,
        })
        .collect();
    let notice = Notice::from_query(req.query_string()).text(&v.app);
    let calendar = super::calendar::feed_of(&v.app, v.active.user.id).map(|(_, at)| (rfc3339(at), human(at)));
    let connections = super::connections::rows_of(&v)?;
    let view = ApplicationsView { c: v.chrome("Applications", false), rows, notice, calendar, connections };
    Ok(v.render(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    client_id: String,
}

crate::has_csrf!(RevokeForm);

async fn revoke(MemberForm(v, form): MemberForm<RevokeForm>) -> Result<HttpResponse, PageError> {
    match grants::revoke_for_member(&v.app, v.active.user.id, &form.client_id, v.who()).await? {
        Some((client, _)) => {
            Ok(v.redirect(&Notice::of(Done::AccessRevoked).id(client.0).after("/account/applications")))
        }
        None => Err(PageError::new(
            StatusCode::NOT_FOUND,
            "Nothing to revoke",
            "You have not authorized this application, or its access was already revoked.",
        )),
    }
}
