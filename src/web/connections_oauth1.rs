//! Connecting an OAuth 1.0a account, the browser's side: `POST
//! /account/connections/oauth1/start` (a member's form, CSRF-checked) asks
//! the service for temporary credentials and sends the browser to its
//! authorization page, with a short-lived cookie that binds the flow to
//! this browser; `/account/connections/callback/oauth1` is where the
//! service sends the member back with `oauth_token` and `oauth_verifier`.
//! The token must be the one this member's browser is waiting for (once);
//! then the verifier is exchanged and the connection stored. Whatever goes
//! wrong, here or at the service, is a page in plain words.

use crate::connect::oauth1::{self, Callback};
use crate::connections::ConnectionError;
use crate::connections::members::FLOW_TTL;
use crate::connections::providers::{self, CALLBACK_PATH_OAUTH1};
use crate::http::page_error::PageError;
use crate::http::visitor::{Member, MemberForm};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

/// The cookie that binds a pending OAuth 1.0a flow to the browser that
/// started it (its value's digest is in the flow).
pub const FLOW_COOKIE: &str = "latchkey_connect_oauth1";

/// Where the Connect button of an OAuth 1.0a provider posts.
pub const START_PATH: &str = "/account/connections/oauth1/start";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(START_PATH, web::post().to(start)).route(CALLBACK_PATH_OAUTH1, web::get().to(callback));
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    csrf: String,
    /// The provider's id or name.
    #[serde(default)]
    provider: String,
}

crate::has_csrf!(StartForm);

async fn start(MemberForm(v, form): MemberForm<StartForm>) -> Result<HttpResponse, PageError> {
    let not_connected = |words: String| PageError::new(StatusCode::BAD_REQUEST, "The account was not connected", words);
    let p = match providers::find(&v.app, form.provider.trim()) {
        Ok(p) => p,
        Err(ConnectionError::NotFound(_)) => return Err(PageError::not_found()),
        Err(e) => return Err(PageError::internal(e)),
    };
    let http = crate::outbound::client::build(&v.app.config).map_err(PageError::internal)?;
    match oauth1::start(&v.app, &http, &p, v.active.user.id, "/account/connections".into()).await {
        Ok(started) => {
            let cookie = Cookie::build(FLOW_COOKIE, started.browser)
                .path(CALLBACK_PATH_OAUTH1)
                .secure(v.app.config.secure_cookies())
                .http_only(true)
                // The service's redirect back is a top-level GET from
                // another site: Lax sends the cookie with it.
                .same_site(SameSite::Lax)
                .max_age(actix_web::cookie::time::Duration::seconds(FLOW_TTL))
                .finish();
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", started.redirect))
                .insert_header(("Cache-Control", "no-store"))
                .cookie(cookie)
                .finish())
        }
        Err(ConnectionError::Refused(words)) => Err(not_connected(capital(&words))),
        Err(ConnectionError::Invalid { message, .. }) => Err(not_connected(capital(&message))),
        Err(e) => Err(PageError::internal(e)),
    }
}

#[derive(Deserialize)]
struct Back {
    #[serde(default)]
    oauth_token: String,
    #[serde(default)]
    oauth_verifier: String,
}

async fn callback(v: Member, req: HttpRequest, q: web::Query<Back>) -> Result<HttpResponse, PageError> {
    let browser = req.cookie(FLOW_COOKIE).map(|c| c.value().to_string());
    let http = crate::outbound::client::build(&v.app.config).map_err(PageError::internal)?;
    let back = Callback { oauth_token: &q.oauth_token, oauth_verifier: &q.oauth_verifier, browser: browser.as_deref() };
    match oauth1::finish(&v.app, &http, back, v.active.user.id, v.who()).await {
        Ok((_, return_to)) => {
            let to = if return_to.starts_with('/') && !return_to.starts_with("//") {
                return_to
            } else {
                "/account/connections".to_string()
            };
            Ok(v.redirect(&to))
        }
        Err(ConnectionError::Refused(words)) => {
            Err(PageError::new(StatusCode::BAD_REQUEST, "The account was not connected", capital(&words)))
        }
        Err(ConnectionError::NotFound(what)) => {
            Err(PageError::new(StatusCode::NOT_FOUND, "The account was not connected", format!("There is no {what}.")))
        }
        Err(e) => Err(PageError::internal(e)),
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}
