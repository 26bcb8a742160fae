//! `/account`: the member's own details, language and password.

use super::Chrome;
use crate::accounts::members::{self, MemberError};
use crate::clock::rfc3339;
use crate::http::page_error::PageError;
use crate::http::visitor::{Member, MemberForm};
use crate::i18n::Lang;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(show))
        .route("/account/password", web::post().to(change_password))
        .route("/account/language", web::post().to(change_language));
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
    created_ts: i64,
    signed_in_at: String,
    signed_in_ts: i64,
    /// The member's own language choice (`""`: follow the browser).
    language: String,
    /// `(tag, the language's own name)` for the select.
    languages: Vec<(&'static str, &'static str)>,
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
    let chosen = v.app.store.read(|tx| crate::store::languages::get(tx, a.user.id)).ok().flatten();
    AccountView {
        c: v.chrome("account-heading", false),
        username: a.user.username.clone(),
        display_name: a.user.display_name.clone(),
        email: a.user.email.clone(),
        admin: a.user.admin,
        created_at: rfc3339(a.user.created_at),
        created_ts: a.user.created_at,
        signed_in_at: rfc3339(a.session.auth_time),
        signed_in_ts: a.session.auth_time,
        language: chosen.map_or("", Lang::code).to_string(),
        languages: Lang::ALL.iter().map(|l| (l.code(), l.name())).collect(),
        notice,
        errors,
        calendar_url: super::calendar::url_of(&v.app, a.user.id),
    }
}

#[derive(Deserialize)]
struct AccountQuery {
    #[serde(default)]
    changed: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

async fn show(v: Member, q: web::Query<AccountQuery>, req: actix_web::HttpRequest) -> HttpResponse {
    let notice = if q.changed.is_some() {
        Some(v.tr().t("account-password-changed"))
    } else {
        q.language.is_some().then(|| v.tr().t("account-language-saved"))
    };
    let notice = notice.or_else(|| crate::web::notice::Notice::from_query(req.query_string()).text(&v.app, &v.tr()));
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
            return Ok(again("current", &v.tr().t("account-wrong-password")));
        }
        Err(members::LoginError::Limited(s)) => {
            return Ok(again("current", &v.tr().t1("form-too-many-attempts", "minutes", s.div_ceil(60))));
        }
        Err(members::LoginError::Store(e)) => return Err(e.into()),
    }
    if form.new != form.confirm {
        return Ok(again("confirm", &v.tr().t("form-passwords-differ")));
    }
    match members::set_password(&v.app, &active.user.username, form.new.clone(), v.who(), Some(active.digest)).await {
        Ok(_) => Ok(v.redirect("/account?changed=1")),
        Err(MemberError::Invalid { message, .. }) => {
            Ok(again("new", &super::setup::member_invalid(&v.tr(), "password", &message)))
        }
        Err(e) => Err(PageError::internal(e)),
    }
}

#[derive(Deserialize)]
struct LanguageForm {
    #[serde(default)]
    csrf: String,
    /// A language tag the pages have, or empty: follow the browser.
    #[serde(default)]
    language: String,
}

crate::has_csrf!(LanguageForm);

/// Stores the member's language (audited) and shows the account page in it.
async fn change_language(MemberForm(v, form): MemberForm<LanguageForm>) -> Result<HttpResponse, PageError> {
    let lang = match form.language.trim() {
        "" => None,
        tag => Some(Lang::parse(tag).filter(|l| l.code() == tag).ok_or_else(|| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                crate::i18n::Text::key("err-bad-language"),
                crate::i18n::Text::key("err-bad-language-text"),
            )
        })?),
    };
    let (user, who, now) = (v.active.user.id, v.who(), v.app.now());
    v.app.store.write(move |tx| crate::store::languages::set(tx, user, lang, &who, now)).await?;
    Ok(v.redirect("/account?language=1"))
}
