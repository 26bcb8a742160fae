//! `/login/link?token=…`: the one-time sign-in link an application asked
//! for (`POST /api/v1/me/login-link`). Opening it shows who it signs in;
//! the button uses it up and starts the session. Not at once on `GET`, so
//! that a link preview or a mail scanner fetching the address cannot use
//! it, and nobody is signed in to someone else's account without seeing so.

use super::{Chrome, Visitor};
use crate::accounts::sessions;
use crate::accounts::signin_links::{self, LinkError};
use crate::http::page_error::PageError;
use crate::http::visitor::VisitorForm;
use crate::i18n::Text;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login/link", web::get().to(show)).route("/login/link", web::post().to(submit));
}

#[derive(Template)]
#[template(path = "signin_link.html")]
struct LinkView {
    c: Chrome,
    token: String,
    username: String,
    display_name: String,
}

#[derive(Deserialize)]
struct LinkQuery {
    #[serde(default)]
    token: String,
}

fn bad_link() -> PageError {
    PageError::new(StatusCode::BAD_REQUEST, Text::key("err-signin-link"), Text::key("err-signin-link-text"))
}

async fn show(v: Visitor, q: web::Query<LinkQuery>) -> Result<HttpResponse, PageError> {
    let user = signin_links::peek(&v.app, &q.token)?.ok_or_else(bad_link)?;
    Ok(v.render(
        StatusCode::OK,
        &LinkView {
            c: v.chrome("title-sign-in", true),
            token: q.token.clone(),
            username: user.username,
            display_name: user.display_name,
        },
    ))
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

crate::has_csrf!(LinkForm);

async fn submit(VisitorForm(v, form): VisitorForm<LinkForm>) -> Result<HttpResponse, PageError> {
    match signin_links::redeem(&v.app, &form.token, v.conn.ip.to_string()).await {
        Ok((_, cookie)) => {
            // A new session id at every sign-in: no session fixation.
            if let Some(old) = &v.active {
                sessions::end(&v.app, old, v.who()).await?;
            }
            let c = v.session_cookie(cookie);
            Ok(v.redirect_with("/account", |b| {
                b.cookie(c);
            }))
        }
        Err(LinkError::Bad | LinkError::Gone) => Err(bad_link()),
        Err(LinkError::Store(e)) => Err(e.into()),
    }
}
