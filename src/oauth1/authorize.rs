//! `/oauth1/authorize` (RFC 5849 §2.2): the member signs in if needed, sees
//! the same consent page as for OAuth 2.0, and is sent back to the
//! consumer's callback with `oauth_token` and `oauth_verifier`, or, for an
//! out-of-band consumer, shown the verifier to copy. Consent is remembered:
//! a member whose grant already covers the consumer's scopes (or a
//! first-party application) goes straight back.

use super::flow::{self, Answer, PendingError};
use crate::http::page_error::PageError;
use crate::http::visitor::Visitor;
use crate::i18n::Text;
use crate::store::grants;
use crate::uri::callback;
use crate::web::consent::{ConsentView, allow_redirect_to};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/oauth1/authorize", web::get().to(get)).route("/oauth1/authorize", web::post().to(post));
}

#[derive(Template)]
#[template(path = "oauth1_verifier.html")]
struct VerifierView {
    c: crate::web::Chrome,
    name: String,
    verifier: Option<String>,
    denied: bool,
}

fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw).into_owned().collect()
}

fn field(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

fn pending_page(message: &'static str) -> PageError {
    PageError::new(StatusCode::BAD_REQUEST, Text::key("err-oauth1-cannot-go-on"), Text::key(message))
}

fn refused(e: PendingError) -> PageError {
    match e {
        PendingError::Store(e) => PageError::internal(e),
        PendingError::Missing => pending_page("err-oauth1-missing"),
        PendingError::Unknown => pending_page("err-oauth1-unknown"),
        PendingError::Expired => pending_page("err-oauth1-expired"),
        PendingError::Decided => pending_page("err-oauth1-decided"),
        PendingError::Disabled => pending_page("err-oauth1-disabled"),
        PendingError::Callback(why) => PageError::new(
            StatusCode::BAD_REQUEST,
            Text::key("err-oauth1-cannot-go-on"),
            Text::key("err-oauth1-callback").with("why", why),
        ),
    }
}

/// What the page carries from step to step: the request token and, for a
/// legacy 1.0 consumer, its callback.
fn carried(token: &str, callback: Option<&str>) -> Vec<(String, String)> {
    let mut out = vec![("oauth_token".to_string(), token.to_string())];
    if let Some(cb) = callback {
        out.push(("oauth_callback".to_string(), cb.to_string()));
    }
    out
}

async fn get(v: Visitor, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let q = pairs(req.query_string().as_bytes());
    let token = field(&q, "oauth_token").unwrap_or_default();
    let callback = field(&q, "oauth_callback");
    let p = flow::pending(&v.app, &token).map_err(refused)?;
    if let (true, Some(cb)) = (p.consumer.legacy_1_0, callback.as_deref()) {
        callback::check(&p.consumer.callback, cb).map_err(|e| refused(PendingError::Callback(e.to_string())))?;
    }
    let hidden = carried(&token, callback.as_deref());
    let here = format!("/oauth1/authorize?{}", serde_urlencoded::to_string(&hidden).unwrap_or_default());
    let Some(active) = v.active.clone() else {
        return Ok(v.to_login(&here));
    };
    let scopes = flow::consumer_scopes(&p.consumer);
    let existing = v.app.store.read(|tx| grants::find(tx, Some(active.user.id), p.client.id))?;
    let covered = existing.is_some_and(|g| scopes.is_subset(&g.scopes));
    // Remembered consent answers at once only where a verifier binds the
    // answer to this browser's member: a legacy OAuth 1.0 consumer has none,
    // so whoever holds its request token must never get access from one
    // click on a link (the session fixation 1.0a was made against).
    if (covered || p.client.first_party) && !p.consumer.legacy_1_0 {
        return answer(&v, &token, callback.as_deref(), true).await;
    }
    let switch = serde_urlencoded::to_string([("return_to", here.as_str()), ("switch", "1")]).unwrap_or_default();
    let view = ConsentView {
        c: v.chrome("title-consent", false),
        action: "/oauth1/authorize",
        name: p.client.name.clone(),
        description: p.client.description.clone(),
        homepage: p.client.homepage.clone(),
        scopes: scopes.descriptions().iter().map(|s| (s.name.to_string(), v.tr().scope(s.name))).collect(),
        hidden,
        switch_url: format!("{}/login?{switch}", v.app.config.base_path()),
    };
    let mut r = v.render(StatusCode::OK, &view);
    allow_redirect_to(&mut r, callback.as_deref().unwrap_or(&p.token.callback));
    Ok(r)
}

async fn post(v: Visitor, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, PageError> {
    let body = crate::http::body::read(&req, payload, crate::http::body::MAX_FORM).await.map_err(PageError::body)?;
    let form = pairs(&body);
    v.check_csrf(&field(&form, "csrf").unwrap_or_default())?;
    if v.active.is_none() {
        return Err(PageError::forbidden(Text::key("err-session-ended")));
    }
    let token = field(&form, "oauth_token").unwrap_or_default();
    let approve = field(&form, "decision").as_deref() == Some("approve");
    answer(&v, &token, field(&form, "oauth_callback").as_deref(), approve).await
}

/// Records the decision and sends the member on.
async fn answer(v: &Visitor, token: &str, callback: Option<&str>, approve: bool) -> Result<HttpResponse, PageError> {
    let Some(active) = &v.active else {
        return Err(PageError::internal("a decision without a session"));
    };
    let (user, auth_time) = (active.user.id, active.session.auth_time);
    let decided = flow::decide(&v.app, token, callback, user, auth_time, approve, v.who()).await.map_err(refused)?;
    let name = decided.application;
    let (verifier, denied) = match decided.answer {
        Answer::Redirect(to) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header(("Location", to))
                .insert_header(("Cache-Control", "no-store"))
                .finish());
        }
        Answer::ShowVerifier(verifier) => (verifier, false),
        Answer::DeniedHere => (None, true),
    };
    let title = if denied { "title-access-denied" } else { "title-access-allowed" };
    Ok(v.render(StatusCode::OK, &VerifierView { c: v.chrome(title, false), name, verifier, denied }))
}
