//! `/oauth2/authorize` (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2):
//! check the application and redirect URI first (an error before that is a
//! page for the member, never a redirect), then everything else (errors go
//! back to the application with `state` and RFC 9207 `iss`), sign-in when
//! needed, the consent page, and the code.

use super::error::{ErrorResponse, OAuthError};
use super::grants::allowed_scopes;
use super::pkce::{self, CodeChallengeMethod};
use super::request::Params;
use super::tokens::{Issuer, issuer};
use crate::app::App;
use crate::auth::secrets;
use crate::http::page_error::PageError;
use crate::http::visitor::Visitor;
use crate::i18n::Text;
use crate::registry::grants::{self as registry, How};
use crate::scopes::ScopeSet;
use crate::store::StoreError;
use crate::store::clients::{self, Client};
use crate::store::grants::{self, Token, TokenKind};
use crate::uri::redirect;
use crate::web::consent::{ConsentView, allow_redirect_to};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/oauth2/authorize", web::get().to(get)).route("/oauth2/authorize", web::post().to(post));
}

/// A request that passed every check.
struct Checked {
    client: Client,
    /// Where to send the answer.
    redirect_uri: String,
    /// The `redirect_uri` parameter as sent (the token request must repeat it).
    redirect_param: Option<String>,
    state: Option<String>,
    scopes: ScopeSet,
    pkce: Option<(String, String)>,
    nonce: Option<String>,
    prompt: Prompt,
    /// OpenID Connect `max_age`: a sign-in older than this many seconds
    /// must be made again.
    max_age: Option<i64>,
    /// `response_type=token` (implicit): the answer goes in the fragment.
    implicit: bool,
}

/// The `prompt` values asked for (OpenID Connect Core §3.1.2.1), a
/// space-separated set; `none` stands alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Prompt {
    none: bool,
    login: bool,
    consent: bool,
    select_account: bool,
}

impl Prompt {
    fn parse(text: &str) -> Result<Prompt, &'static str> {
        let mut p = Prompt::default();
        for v in text.split(' ').filter(|v| !v.is_empty()) {
            match v {
                "none" => p.none = true,
                "login" => p.login = true,
                "consent" => p.consent = true,
                "select_account" => p.select_account = true,
                _ => return Err("prompt values are none, login, consent and select_account"),
            }
        }
        if p.none && (p.login || p.consent || p.select_account) {
            return Err("prompt=none cannot be combined with other values");
        }
        Ok(p)
    }
}

/// Either a page for the member (the application or redirect URI is not
/// valid) or a redirect back to the application with an error.
enum Refusal {
    Page(PageError),
    Redirect(HttpResponse),
}

/// A page refusal: catalogue keys of its title and message.
fn page(title: &'static str, message: &'static str) -> Refusal {
    Refusal::Page(PageError::new(StatusCode::BAD_REQUEST, Text::key(title), Text::key(message)))
}

fn back(app: &App, redirect_uri: &str, state: Option<&str>, fragment: bool, e: ErrorResponse) -> HttpResponse {
    let mut params = e.redirect_params();
    if let Some(s) = state {
        params.push(("state", s.to_string()));
    }
    params.push(("iss", issuer(app)));
    found(&redirect::append_params(redirect_uri, params, fragment))
}

/// An error for a checked request, in the query or the fragment.
fn refuse(app: &App, c: &Checked, error: OAuthError, description: &str) -> HttpResponse {
    back(app, &c.redirect_uri, c.state.as_deref(), c.implicit, ErrorResponse::new(error, description))
}

fn found(location: &str) -> HttpResponse {
    HttpResponse::Found().insert_header(("Location", location)).insert_header(("Cache-Control", "no-store")).finish()
}

fn check(app: &App, p: &Params) -> Result<Checked, Refusal> {
    let client_id = p.get("client_id").ok_or_else(|| page("err-app-not-identified", "err-app-not-identified-text"))?;
    let client = app
        .store
        .read(|tx| clients::by_key(tx, client_id))
        .map_err(|e| Refusal::Page(PageError::internal(e)))?
        .filter(|c| c.oauth2.is_some())
        .ok_or_else(|| page("err-unknown-app", "err-unknown-app-text"))?;
    let Some(o) = client.oauth2.clone() else {
        return Err(page("err-unknown-app", "err-unknown-app-text"));
    };
    let redirect_uri = match p.get("redirect_uri") {
        Some(r) if redirect::matches(&o.redirect_uris, r) => r.to_string(),
        Some(_) => {
            return Err(page("err-bad-request", "err-redirect-not-registered"));
        }
        None if o.redirect_uris.len() == 1 => o.redirect_uris[0].clone(),
        None => {
            return Err(page("err-bad-request", "err-no-redirect"));
        }
    };
    let state = p.get("state").map(str::to_string);
    let implicit = p.get("response_type") == Some("token");
    let err = |e: OAuthError, d: &str| {
        Refusal::Redirect(back(app, &redirect_uri, state.as_deref(), implicit, ErrorResponse::new(e, d)))
    };
    if !client.enabled {
        return Err(err(OAuthError::UnauthorizedClient, "this application is disabled"));
    }
    let grant = match p.get("response_type") {
        Some("code") => "authorization_code",
        Some("token") => "implicit",
        None => return Err(err(OAuthError::InvalidRequest, "response_type is missing")),
        Some(_) => {
            return Err(err(
                OAuthError::UnsupportedResponseType,
                "response_type must be code (or token, for applications registered for implicit)",
            ));
        }
    };
    if !o.grants.iter().any(|g| g == grant) {
        return Err(err(OAuthError::UnauthorizedClient, &format!("this application may not use the {grant} grant")));
    }
    let scopes = match p.get("scope") {
        Some(s) => ScopeSet::parse(s).map_err(|e| err(OAuthError::InvalidScope, &e.to_string()))?.expand(),
        None => allowed_scopes(&client),
    };
    if !scopes.is_subset(&allowed_scopes(&client)) {
        return Err(err(
            OAuthError::InvalidScope,
            "the request asks for scopes this application is not registered for",
        ));
    }
    let pkce = match p.get("code_challenge") {
        Some(challenge) => {
            let method_text = p.get("code_challenge_method").unwrap_or("plain");
            let method: CodeChallengeMethod = method_text
                .parse()
                .map_err(|_| err(OAuthError::InvalidRequest, "code_challenge_method must be S256 or plain"))?;
            if method == CodeChallengeMethod::Plain && !o.pkce_plain_allowed {
                return Err(err(OAuthError::InvalidRequest, "this application must use code_challenge_method=S256"));
            }
            pkce::validate_challenge(method, challenge).map_err(|e| err(OAuthError::InvalidRequest, &e.to_string()))?;
            Some((method.as_str().to_string(), challenge.to_string()))
        }
        // PKCE protects a code; the implicit grant has none.
        None if o.pkce_required && !implicit => {
            return Err(err(OAuthError::InvalidRequest, "code_challenge is required (PKCE)"));
        }
        None => None,
    };
    if p.get("request").is_some() {
        return Err(err(OAuthError::RequestNotSupported, "request objects are not supported; send plain parameters"));
    }
    if p.get("request_uri").is_some() {
        return Err(err(OAuthError::RequestUriNotSupported, "request_uri is not supported; send plain parameters"));
    }
    let prompt = Prompt::parse(p.get("prompt").unwrap_or("")).map_err(|d| err(OAuthError::InvalidRequest, d))?;
    let max_age = match p.get("max_age") {
        None => None,
        Some(m) => Some(
            m.parse::<u32>()
                .map_err(|_| err(OAuthError::InvalidRequest, "max_age must be a number of seconds"))?
                .into(),
        ),
    };
    Ok(Checked {
        client,
        redirect_param: p.get("redirect_uri").map(str::to_string),
        redirect_uri,
        state,
        scopes,
        pkce,
        nonce: p.get("nonce").map(str::to_string),
        prompt,
        max_age,
        implicit,
    })
}

/// The query or form without the parameters the page adds itself.
fn carried(raw: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw)
        .filter(|(k, _)| !matches!(k.as_ref(), "csrf" | "decision"))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Issues a code under the member's grant (created or widened: consent is
/// remembered) and redirects back.
/// Implicit: the access token itself goes back in the fragment. No
/// refresh token, no id_token (RFC 6749 §4.2.2).
async fn approve_implicit(v: &Visitor, c: Checked) -> Result<HttpResponse, PageError> {
    let Some(active) = &v.active else {
        return Err(PageError::internal("approve without a session"));
    };
    let iss = match Issuer::new(&v.app, &c.client) {
        Ok(i) => i,
        Err(e) => return Ok(refuse(&v.app, &c, e.error, &e.description)),
    };
    let (user, client, scopes) = (active.user.id, c.client.id, c.scopes.clone());
    let auth_time = active.session.auth_time;
    let who = v.who();
    let t = v
        .app
        .store
        .write(move |tx| {
            let grant = registry::approve(tx, Some(user), client, &scopes, iss.now, How::OAuth2Consent(&who))?;
            super::tokens::issue(tx, &iss, &grant, &scopes, None, None, auth_time)
        })
        .await?;
    v.app.metrics.token_issued("implicit");
    let mut params = vec![
        ("access_token", t.access_token),
        ("token_type", t.token_type),
        ("expires_in", t.expires_in.to_string()),
        ("scope", t.scope),
    ];
    if let Some(s) = &c.state {
        params.push(("state", s.clone()));
    }
    params.push(("iss", issuer(&v.app)));
    Ok(found(&redirect::append_params(&c.redirect_uri, params, true)))
}

async fn approve(v: &Visitor, c: Checked) -> Result<HttpResponse, PageError> {
    if c.implicit {
        return approve_implicit(v, c).await;
    }
    let Some(active) = &v.active else {
        return Err(PageError::internal("approve without a session"));
    };
    let code = format!("lkac_{}", secrets::token());
    let digest = secrets::digest(&code);
    let now = v.app.now();
    let token = Token {
        kind: TokenKind::Code,
        grant: crate::store::GrantId(0),
        client: c.client.id,
        user: Some(active.user.id),
        scopes: c.scopes.clone(),
        issued_at: now,
        expires_at: Some(now + v.app.config.code_lifetime.as_secs() as i64),
        redirect_uri: c.redirect_param.clone(),
        pkce: c.pkce.clone(),
        nonce: c.nonce.clone(),
        auth_time: active.session.auth_time,
        used_at: None,
        secret: None,
        replay: None,
    };
    let (user, client, scopes) = (active.user.id, c.client.id, c.scopes.clone());
    let who = v.who();
    v.app
        .store
        .write(move |tx| {
            let grant = registry::approve(tx, Some(user), client, &scopes, now, How::OAuth2Consent(&who))?;
            let mut t = token.clone();
            t.grant = grant.id;
            grants::put_token(tx, &digest, &t)?;
            Ok::<_, StoreError>(())
        })
        .await?;
    let mut params = vec![("code", code)];
    if let Some(s) = &c.state {
        params.push(("state", s.clone()));
    }
    params.push(("iss", issuer(&v.app)));
    Ok(found(&redirect::append_params(&c.redirect_uri, params, false)))
}

async fn decide(v: Visitor, raw: Vec<u8>, decision: Option<String>) -> Result<HttpResponse, PageError> {
    let p = Params::parse(&raw)
        .map_err(|e| PageError::new(StatusCode::BAD_REQUEST, Text::key("err-bad-request"), e.description))?;
    let c = match check(&v.app, &p) {
        Ok(c) => c,
        Err(Refusal::Page(e)) => return Err(e),
        Err(Refusal::Redirect(r)) => return Ok(r),
    };
    let here = format!("/oauth2/authorize?{}", String::from_utf8_lossy(&raw));
    let Some(active) = v.active.clone() else {
        if c.prompt.none {
            return Ok(refuse(&v.app, &c, OAuthError::LoginRequired, "the member is not signed in"));
        }
        return Ok(v.to_login(&here));
    };
    // A sign-in older than max_age is made again (OIDC Core §3.1.2.1);
    // so is any with prompt=login or select_account (which picks the
    // account on the sign-in page).
    let stale = c.max_age.is_some_and(|m| v.app.now() - active.session.auth_time > m);
    if stale && c.prompt.none {
        return Ok(refuse(&v.app, &c, OAuthError::LoginRequired, "the sign-in is older than max_age"));
    }
    if (c.prompt.login || c.prompt.select_account || stale) && decision.is_none() {
        // Sign in again, then come back without what asked for it (the
        // fresh auth_time in the id_token answers max_age).
        let without: Vec<(String, String)> =
            carried(&raw).into_iter().filter(|(k, _)| k != "prompt" && k != "max_age").collect();
        let q = serde_urlencoded::to_string(&without).unwrap_or_default();
        let ret =
            serde_urlencoded::to_string([("return_to", format!("/oauth2/authorize?{q}")), ("switch", "1".into())])
                .unwrap_or_default();
        return Ok(v.redirect(&format!("/login?{ret}")));
    }
    match decision.as_deref() {
        Some("approve") => return approve(&v, c).await,
        Some(_) => {
            return Ok(refuse(&v.app, &c, OAuthError::AccessDenied, "the member declined"));
        }
        None => {}
    }
    let existing = v.app.store.read(|tx| grants::find(tx, Some(active.user.id), c.client.id))?;
    let covered = existing.is_some_and(|g| c.scopes.is_subset(&g.scopes));
    let ask = c.prompt.consent || !(covered || c.client.first_party);
    if !ask {
        return approve(&v, c).await;
    }
    if c.prompt.none {
        return Ok(refuse(&v.app, &c, OAuthError::ConsentRequired, "the member has not approved these scopes"));
    }
    let switch = serde_urlencoded::to_string([("return_to", here.as_str()), ("switch", "1")]).unwrap_or_default();
    let view = ConsentView {
        c: v.chrome("title-consent", false),
        action: "/oauth2/authorize",
        name: c.client.name.clone(),
        description: c.client.description.clone(),
        homepage: c.client.homepage.clone(),
        scopes: c.scopes.descriptions().iter().map(|s| (s.name.to_string(), v.tr().scope(s.name))).collect(),
        hidden: carried(&raw),
        switch_url: format!("{}/login?{switch}", v.app.config.base_path()),
    };
    let mut r = v.render(StatusCode::OK, &view);
    // The approval form's answer is a redirect to the application; the
    // policy must allow that one destination.
    allow_redirect_to(&mut r, &c.redirect_uri);
    Ok(r)
}

async fn get(v: Visitor, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let raw = req.query_string().as_bytes().to_vec();
    decide(v, raw, None).await
}

/// A POST is either the member's answer on the consent page (it carries
/// `decision` and the page's CSRF token) or an authorization request sent
/// by form post, which OpenID Connect Core §3.1.2.1 requires servers to
/// accept like a GET.
async fn post(v: Visitor, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, PageError> {
    let body = crate::http::body::read(&req, payload, crate::http::body::MAX_FORM).await.map_err(PageError::body)?;
    let form: Vec<(String, String)> =
        url::form_urlencoded::parse(&body).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let field = |n: &str| form.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    if field("decision").is_none() && field("csrf").is_none() {
        return decide(v, body.to_vec(), None).await;
    }
    v.check_csrf(&field("csrf").unwrap_or_default())?;
    if v.active.is_none() {
        return Err(PageError::forbidden(Text::key("err-session-ended")));
    }
    let decision = Some(field("decision").unwrap_or_else(|| "deny".into()));
    let raw = serde_urlencoded::to_string(carried(&body)).unwrap_or_default().into_bytes();
    decide(v, raw, decision).await
}
