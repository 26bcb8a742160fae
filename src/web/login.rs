//! `/login` and `/logout`.

use super::{Chrome, Visitor};
use crate::accounts::members::{self, LoginError};
use crate::accounts::sessions;
use crate::http::page_error::PageError;
use crate::http::visitor::VisitorForm;
use crate::uri::safe_return_to;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(show))
        .route("/login", web::post().to(submit))
        .route("/logout", web::post().to(logout));
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginView {
    c: Chrome,
    return_to: String,
    username: String,
    error: Option<String>,
    notice: Option<String>,
    /// Anyone may sign up (`registration = "open"`): link to `/register`.
    can_register: bool,
    /// "Sign in with" buttons: the live sign-in providers (id, name).
    providers: Vec<(crate::ids::ProviderId, String)>,
}

/// The providers with a sign-in button (connections).
fn sign_in_providers(app: &crate::app::App) -> Vec<(crate::ids::ProviderId, String)> {
    let all = crate::connections::providers::list(app).unwrap_or_default();
    all.into_iter().filter(|p| p.sign_in && !p.disabled).map(|p| (p.id, p.name)).collect()
}

#[derive(Deserialize)]
struct LoginQuery {
    #[serde(default)]
    return_to: String,
    /// Show the form even to a signed-in member ("not you? switch user").
    #[serde(default)]
    switch: Option<String>,
    #[serde(default)]
    signed_out: Option<String>,
    #[serde(default)]
    reset: Option<String>,
}

fn target(raw: &str) -> String {
    safe_return_to(raw).unwrap_or_else(|| "/account".to_string())
}

async fn show(v: Visitor, q: web::Query<LoginQuery>) -> HttpResponse {
    let return_to = target(&q.return_to);
    if v.active.is_some() && q.switch.is_none() {
        return v.redirect(&return_to);
    }
    let refused = !q.return_to.is_empty() && safe_return_to(&q.return_to).is_none();
    v.render(
        StatusCode::OK,
        &LoginView {
            c: v.chrome("Sign in", true),
            return_to,
            username: String::new(),
            error: refused.then(|| {
                "The page that sent you here asked to return to another site; you will go to your account instead."
                    .into()
            }),
            notice: if q.reset.is_some() {
                Some("Your new password is set. Every session and every application's access to your account were ended. Sign in with it.".into())
            } else {
                q.signed_out.is_some().then(|| "You are signed out.".into())
            },
            can_register: v.app.config.registration == crate::config::Registration::Open,
            providers: sign_in_providers(&v.app),
        },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    return_to: String,
}

crate::has_csrf!(LoginForm);

async fn submit(VisitorForm(v, form): VisitorForm<LoginForm>) -> Result<HttpResponse, PageError> {
    let return_to = target(&form.return_to);
    let again = |status: StatusCode, error: String| {
        v.render(
            status,
            &LoginView {
                c: v.chrome("Sign in", true),
                return_to: return_to.clone(),
                username: form.username.clone(),
                error: Some(error),
                notice: None,
                can_register: v.app.config.registration == crate::config::Registration::Open,
                providers: sign_in_providers(&v.app),
            },
        )
    };
    match members::authenticate(&v.app, &form.username, &form.password, v.conn.ip).await {
        Ok(user) => {
            // A new session id at every sign-in: no session fixation.
            if let Some(old) = &v.active {
                sessions::end(&v.app, old, v.who()).await?;
            }
            let who = crate::store::audit::Who::user(user.id, &user.username, v.conn.ip.to_string());
            let cookie = sessions::start(&v.app, &user, who).await?;
            let c = v.session_cookie(cookie);
            Ok(v.redirect_with(&return_to, |b| {
                b.cookie(c);
            }))
        }
        Err(LoginError::Wrong) => Ok(again(StatusCode::UNAUTHORIZED, "Wrong username or password.".into())),
        Err(LoginError::Limited(secs)) => {
            let mut r = again(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many sign-in attempts. Try again in {} minute(s).", secs.div_ceil(60)),
            );
            if let Ok(v) = secs.to_string().parse() {
                r.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
            }
            Ok(r)
        }
        Err(LoginError::Store(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// Sign-out is in every page's header, visitors' pages too (the sign-in
/// page shown to switch user carries the visitor token), so either token
/// counts. Without a session there is nothing to end: off to `/login`,
/// whatever the token.
async fn logout(v: Visitor, form: web::Form<LogoutForm>) -> Result<HttpResponse, PageError> {
    let Some(active) = v.active.clone() else {
        return Ok(v.redirect("/login"));
    };
    v.check_visitor_csrf(&form.csrf)?;
    sessions::end(&v.app, &active, v.who()).await?;
    let gone = v.clear_session_cookie();
    Ok(v.redirect_with("/login?signed_out=1", |b| {
        b.cookie(gone);
    }))
}
