//! `/account/applications`: every application the member has authorized,
//! with a Revoke button that ends all of its tokens at once.

use super::Chrome;
use crate::clock::{human, rfc3339};
use crate::http::page_error::PageError;
use crate::http::visitor::{Member, MemberForm};
use crate::registry::grants::{self, AuthorizedApp};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/applications", web::get().to(show))
        .route("/account/applications/revoke", web::post().to(revoke));
}

struct Row {
    app: AuthorizedApp,
    authorized: (String, String),
    last_used: (String, String),
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ApplicationsView {
    c: Chrome,
    rows: Vec<Row>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct Query {
    #[serde(default)]
    revoked: Option<String>,
}

async fn show(v: Member, q: web::Query<Query>) -> Result<HttpResponse, PageError> {
    let rows = grants::for_member(&v.app, v.active.user.id)?
        .into_iter()
        .map(|app| Row {
            authorized: (rfc3339(app.authorized_at), human(app.authorized_at)),
            last_used: (rfc3339(app.last_used), human(app.last_used)),
            app,
        })
        .collect();
    let notice = q.revoked.as_ref().map(|name| format!("{name} no longer has access to your account."));
    Ok(v.render(StatusCode::OK, &ApplicationsView { c: v.chrome("Applications", false), rows, notice }))
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    name: String,
}

crate::has_csrf!(RevokeForm);

async fn revoke(MemberForm(v, form): MemberForm<RevokeForm>) -> Result<HttpResponse, PageError> {
    match grants::revoke_for_member(&v.app, v.active.user.id, &form.client_id, v.who()).await? {
        Some(_) => {
            let q = serde_urlencoded::to_string([("revoked", form.name.as_str())]).unwrap_or_default();
            Ok(v.redirect(&format!("/account/applications?{q}")))
        }
        None => Err(PageError::new(
            StatusCode::NOT_FOUND,
            "Nothing to revoke",
            "You have not authorized this application, or its access was already revoked.",
        )),
    }
}
