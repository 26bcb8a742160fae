//! `/reset?token=…`: a member sets a new password with the one-time link an
//! admin gave them.

use super::{Chrome, Visitor};
use crate::accounts::members::{self, MemberError};
use crate::http::page_error::PageError;
use crate::http::visitor::VisitorForm;
use crate::i18n::Text;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/reset", web::get().to(show)).route("/reset", web::post().to(submit));
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetView {
    c: Chrome,
    token: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ResetQuery {
    #[serde(default)]
    token: String,
}

fn bad_link() -> PageError {
    PageError::new(StatusCode::BAD_REQUEST, Text::key("err-reset-link"), Text::key("err-reset-link-text"))
}

async fn show(v: Visitor, q: web::Query<ResetQuery>) -> Result<HttpResponse, PageError> {
    let user = members::reset_link_user(&v.app, &q.token).map_err(PageError::internal)?.ok_or_else(bad_link)?;
    Ok(v.render(
        StatusCode::OK,
        &ResetView {
            c: v.chrome("title-new-password", true),
            token: q.token.clone(),
            username: user.username,
            error: None,
        },
    ))
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

crate::has_csrf!(ResetForm);

async fn submit(VisitorForm(v, form): VisitorForm<ResetForm>) -> Result<HttpResponse, PageError> {
    let user = members::reset_link_user(&v.app, &form.token).map_err(PageError::internal)?.ok_or_else(bad_link)?;
    let again = |error: String| {
        v.render(
            StatusCode::BAD_REQUEST,
            &ResetView {
                c: v.chrome("title-new-password", true),
                token: form.token.clone(),
                username: user.username.clone(),
                error: Some(error),
            },
        )
    };
    if form.password != form.confirm {
        return Ok(again(v.tr().t("form-passwords-differ")));
    }
    match members::reset_password(&v.app, &form.token, form.password.clone(), v.conn.ip.to_string()).await {
        Ok(_) => Ok(v.redirect("/login?reset=1")),
        Err(MemberError::Invalid { field: "token", .. }) => Err(bad_link()),
        Err(MemberError::Invalid { message, .. }) => {
            Ok(again(super::setup::member_invalid(&v.tr(), "password", &message)))
        }
        Err(e) => Err(PageError::internal(e)),
    }
}
