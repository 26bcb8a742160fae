//! `/setup`: the one-time page that creates the first admin.

use super::{Chrome, Visitor};
use crate::accounts::members::{MemberError, NewMember};
use crate::accounts::sessions;
use crate::accounts::setup::{self, SetupError};
use crate::http::page_error::PageError;
use crate::http::visitor::VisitorForm;
use crate::i18n::{Text, Tr};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/setup", web::get().to(show)).route("/setup", web::post().to(submit));
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupView {
    c: Chrome,
    token: String,
    username: String,
    display_name: String,
    email: String,
    errors: Vec<(String, String)>,
}

impl SetupView {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(Template)]
#[template(path = "setup_done.html")]
struct SetupDoneView {
    c: Chrome,
}

#[derive(Deserialize)]
struct SetupQuery {
    #[serde(default)]
    token: String,
}

fn bad_link() -> PageError {
    PageError::new(StatusCode::BAD_REQUEST, Text::key("err-setup-link"), Text::key("err-setup-link-text"))
}

fn done(v: &Visitor) -> HttpResponse {
    v.render(StatusCode::OK, &SetupDoneView { c: v.chrome("title-already-set-up", true) })
}

async fn show(v: Visitor, q: web::Query<SetupQuery>) -> Result<HttpResponse, PageError> {
    if setup::admin_exists(&v.app)? {
        return Ok(done(&v));
    }
    if !setup::link_is_valid(&v.app, &q.token)? {
        return Err(bad_link());
    }
    Ok(v.render(
        StatusCode::OK,
        &SetupView {
            c: v.chrome("title-setup", true),
            token: q.token.clone(),
            username: String::new(),
            display_name: String::new(),
            email: String::new(),
            errors: vec![],
        },
    ))
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

crate::has_csrf!(SetupForm);

async fn submit(VisitorForm(v, form): VisitorForm<SetupForm>) -> Result<HttpResponse, PageError> {
    let again = |errors: Vec<(String, String)>| {
        v.render(
            StatusCode::BAD_REQUEST,
            &SetupView {
                c: v.chrome("title-setup", true),
                token: form.token.clone(),
                username: form.username.clone(),
                display_name: form.display_name.clone(),
                email: form.email.clone(),
                errors,
            },
        )
    };
    if form.password != form.password_confirm {
        return Ok(again(vec![("password_confirm".into(), v.tr().t("form-passwords-differ"))]));
    }
    let new = NewMember {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        admin: true,
    };
    match setup::complete(&v.app, &form.token, new, v.who()).await {
        Ok(user) => {
            let who = crate::store::audit::Who::user(user.id, &user.username, v.conn.ip.to_string());
            let cookie = sessions::start(&v.app, &user, who).await?;
            let c = v.session_cookie(cookie);
            Ok(v.redirect_with("/account", |b| {
                b.cookie(c);
            }))
        }
        Err(SetupError::AdminExists) => Ok(done(&v)),
        Err(SetupError::BadLink) => Err(bad_link()),
        Err(SetupError::Member(MemberError::Invalid { field, message })) => {
            Ok(again(vec![(field.to_string(), member_invalid(&v.tr(), field, &message))]))
        }
        Err(SetupError::Member(MemberError::Taken(_))) => {
            Ok(again(vec![("username".into(), v.tr().t("form-username-taken"))]))
        }
        Err(SetupError::Member(e)) => Err(PageError::internal(e)),
    }
}

/// A member field's refusal (`accounts::members`, `auth::passwords`) in
/// the page's language; words this version does not know are shown as
/// they are.
pub fn member_invalid(t: &Tr, field: &str, message: &str) -> String {
    let key = match (field, message) {
        ("username", m) if m.starts_with("must be 2 to 32") => "invalid-username-length",
        ("username", m) if m.starts_with("may hold") => "invalid-username-chars",
        ("email", _) => "invalid-email",
        ("display_name", _) => "invalid-display-name",
        ("password", m) if m.contains("at least") => "invalid-password-short",
        ("password", m) if m.contains("at most") => "invalid-password-long",
        ("password", m) if m.contains("username") => "invalid-password-username",
        _ => return capitalise(message),
    };
    t.t(key)
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            let mut out: String = f.to_uppercase().collect();
            out.push_str(c.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}
