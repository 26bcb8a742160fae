//! `/register`: a visitor creates their own account, when `registration`
//! is `open` or they follow an admin's invite link (`?invite=…`), and is
//! signed in. The same look, CSRF check, password rules and per-address
//! attempt limit as the sign-in page.

use super::{Chrome, Visitor};
use crate::accounts::members::{MemberError, NewMember};
use crate::accounts::sessions;
use crate::accounts::signup::{self, SignUpError};
use crate::config::Registration;
use crate::http::page_error::PageError;
use crate::http::visitor::VisitorForm;
use crate::i18n::Text;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::get().to(show)).route("/register", web::post().to(submit));
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterView {
    c: Chrome,
    invite: String,
    username: String,
    display_name: String,
    email: String,
    errors: Vec<(String, String)>,
}

impl RegisterView {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(Deserialize)]
struct RegisterQuery {
    #[serde(default)]
    invite: String,
}

fn bad_invite() -> PageError {
    PageError::new(StatusCode::BAD_REQUEST, Text::key("err-invite-link"), Text::key("err-invite-link-text"))
}

/// Why there is no form for a visitor without an invite.
fn closed(v: &Visitor) -> PageError {
    let message = match v.app.config.registration {
        Registration::Invite => "err-registration-invite",
        _ => "err-registration-closed-text",
    };
    PageError::new(StatusCode::FORBIDDEN, Text::key("err-registration-closed"), Text::key(message))
}

fn blank(v: &Visitor, invite: &str) -> RegisterView {
    RegisterView {
        c: v.chrome("title-register", true),
        invite: invite.to_string(),
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
        errors: vec![],
    }
}

async fn show(v: Visitor, q: web::Query<RegisterQuery>) -> Result<HttpResponse, PageError> {
    let invite = q.invite.trim();
    if !invite.is_empty() {
        if !signup::invite_is_valid(&v.app, invite)? {
            return Err(bad_invite());
        }
    } else if v.app.config.registration != Registration::Open {
        return Err(closed(&v));
    }
    Ok(v.render(StatusCode::OK, &blank(&v, invite)))
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    invite: String,
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

crate::has_csrf!(RegisterForm);

async fn submit(VisitorForm(v, form): VisitorForm<RegisterForm>) -> Result<HttpResponse, PageError> {
    let again = |status: StatusCode, field: &str, message: String| {
        let view = RegisterView {
            username: form.username.clone(),
            display_name: form.display_name.clone(),
            email: form.email.clone(),
            errors: vec![(field.to_string(), message)],
            ..blank(&v, form.invite.trim())
        };
        v.render(status, &view)
    };
    if form.password != form.password_confirm {
        return Ok(again(StatusCode::BAD_REQUEST, "password_confirm", v.tr().t("form-passwords-differ")));
    }
    let new = NewMember {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        admin: false,
    };
    let invite = Some(form.invite.trim()).filter(|i| !i.is_empty());
    match signup::sign_up(&v.app, new, invite, v.conn.ip).await {
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
        Err(SignUpError::Closed) => Err(closed(&v)),
        Err(SignUpError::BadInvite) => Err(bad_invite()),
        Err(SignUpError::Limited(secs)) => {
            let mut r = again(
                StatusCode::TOO_MANY_REQUESTS,
                "form",
                v.tr().t1("form-too-many-attempts", "minutes", secs.div_ceil(60)),
            );
            if let Ok(v) = secs.to_string().parse() {
                r.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
            }
            Ok(r)
        }
        Err(SignUpError::Member(MemberError::Invalid { field, message })) => {
            Ok(again(StatusCode::BAD_REQUEST, field, super::setup::member_invalid(&v.tr(), field, &message)))
        }
        Err(SignUpError::Member(MemberError::Taken(_))) => {
            Ok(again(StatusCode::BAD_REQUEST, "username", v.tr().t("form-username-taken")))
        }
        Err(SignUpError::Member(e)) => Err(PageError::internal(e)),
    }
}
