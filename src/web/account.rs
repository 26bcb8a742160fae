//! `/account`: the member's own details and password.

use super::Chrome;
use crate::accounts::members::{self, MemberError};
use crate::clock::{human, rfc3339};
use crate::http::page_error::PageError;
use crate::http::visitor::{Member, MemberForm};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(show)).route("/account/password", web::post().to(change_password));
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountView {
    c: Chrome,
    username: String,
    display_name: String,
    email: String,
    admin: bool,
    created_at: String,
    created_at_human: String,
    signed_in_at: String,
    signed_in_at_human: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    /// The member's calendar feed URL, if they made one.
    calendar_url: Option<String>,
}

impl AccountView {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn view(v: &Member, notice: Option<String>, errors: Vec<(String, String)>) -> AccountView {
    let a = &v.active;
    AccountView {
        c: v.chrome("Your account", false),
        username: a.user.username.clone(),
        display_name: a.user.display_name.clone(),
        email: a.user.email.clone(),
        admin: a.user.admin,
        created_at: rfc3339(a.user.created_at),
        created_at_human: human(a.user.created_at),
        signed_in_at: rfc3339(a.session.auth_time),
        signed_in_at_human: human(a.session.auth_time),
        notice,
        errors,
        calendar_url: super::calendar::url_of(&v.app, a.user.id),
    }
}

#[derive(Deserialize)]
struct AccountQuery {
    #[serde(default)]
    changed: Option<String>,
}

async fn show(v: Member, q: web::Query<AccountQuery>, req: actix_web::HttpRequest) -> HttpResponse {
    let notice = q.changed.is_some().then(|| "Your password was changed. Your other sessions were signed out, and the applications you authorized lost their access: approve them again when they ask.".to_string());
    let notice = notice.or_else(|| crate::web::notice::Notice::from_query(req.query_string()).text(&v.app));
    v.render(StatusCode::OK, &view(&v, notice, vec![]))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

crate::has_csrf!(PasswordForm);

async fn change_password(MemberForm(v, form): MemberForm<PasswordForm>) -> Result<HttpResponse, PageError> {
    let active = v.active.clone();
    let again = |field: &str, message: &str| {
        v.render(StatusCode::BAD_REQUEST, &view(&v, None, vec![(field.to_string(), message.to_string())]))
    };
    match members::authenticate(&v.app, &active.user.username, &form.current, v.conn.ip).await {
        Ok(_) => {}
        Err(members::LoginError::Wrong) => {
            return Ok(again("current", "This is not your current password."));
        }
        Err(members::LoginError::Limited(s)) => {
            return Ok(again("current", &format!("Too many attempts. Try again in {} minute(s).", s.div_ceil(60))));
        }
        Err(members::LoginError::Store(e)) => return Err(e.into()),
    }
    if form.new != form.confirm {
        return Ok(again("confirm", "The two new passwords differ."));
    }
    match members::set_password(&v.app, &active.user.username, form.new.clone(), v.who(), Some(active.digest)).await {
        Ok(_) => Ok(v.redirect("/account?changed=1")),
        Err(MemberError::Invalid { message, .. }) => Ok(again("new", &super::setup::capitalise(&message))),
        Err(e) => Err(PageError::internal(e)),
    }
}
