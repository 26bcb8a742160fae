//! `/account/connections/callback/oauth1`: where an OAuth 1.0a service
//! sends the member back with `oauth_token` and `oauth_verifier` after
//! Connect (`/account/connections/connect`, which `connect::start` sends
//! to the service with the flow cookie). The token must be the one this
//! member's browser is waiting for (once); then the verifier is exchanged
//! and the connection stored. Whatever goes wrong, here or at the service,
//! is a page in plain words.

use super::connections::{finished, flow_cookie_of};
use crate::connect::oauth1::{self, Callback};
use crate::connections::ConnectionError;
use crate::connections::providers::CALLBACK_PATH_OAUTH1;
use crate::http::page_error::PageError;
use crate::http::visitor::Member;
use crate::i18n::Text;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(CALLBACK_PATH_OAUTH1, web::get().to(callback));
}

#[derive(Deserialize)]
struct Back {
    #[serde(default)]
    oauth_token: String,
    #[serde(default)]
    oauth_verifier: String,
}

async fn callback(v: Member, req: HttpRequest, q: web::Query<Back>) -> Result<HttpResponse, PageError> {
    let browser = flow_cookie_of(&v, &req);
    let http = v.app.outbound.client(&v.app.config).map_err(PageError::internal)?;
    let back = Callback { oauth_token: &q.oauth_token, oauth_verifier: &q.oauth_verifier, browser: browser.as_deref() };
    let done = match oauth1::finish(&v.app, &http, back, v.active.user.id).await {
        Ok(done) => done,
        Err(ConnectionError::Refused(words)) => {
            return Err(PageError::new(StatusCode::BAD_REQUEST, Text::key("conn-err-not-connected"), capital(&words)));
        }
        Err(ConnectionError::NotFound(_)) => {
            return Err(PageError::new(
                StatusCode::NOT_FOUND,
                Text::key("conn-err-not-connected"),
                Text::key("conn-err-flow-unknown"),
            ));
        }
        Err(e) => return Err(PageError::internal(e)),
    };
    finished(&v, done, browser.as_deref()).await
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}
