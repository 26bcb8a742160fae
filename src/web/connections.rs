//! `/account/connections`: the member's accounts at other sites (connect,
//! disconnect with remote revocation) and the identities they sign in
//! with (link, unlink); the OAuth 2.0 callback for every purpose; and
//! "sign in with" a provider from `/login` (`/login/provider/{id}`), with
//! the password step that links a new identity to a member.

use super::Chrome;
use crate::accounts::members::{self as accounts, LoginError};
use crate::accounts::sessions;
use crate::clock::rfc3339;
use crate::connect::oauth2::{self, CallbackParams, Finished};
use crate::connect::{self, FlowError};
use crate::connections::members::{self, NewConnection};
use crate::connections::{ConnectionError, links, providers};
use crate::http::page_error::PageError;
use crate::http::visitor::{Member, MemberForm, Visitor, VisitorForm};
use crate::i18n::{Text, Tr};
use crate::ids::{ConnectionId, ProviderId};
use crate::store::audit::Who;
use crate::store::connections::{Provider, Purpose};
use crate::uri::safe_return_to;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/connections", web::get().to(show))
        .route("/account/connections/connect", web::post().to(connect_start))
        .route("/account/connections/link", web::post().to(link_start))
        .route("/account/connections/callback", web::get().to(callback))
        .route("/account/connections/disconnect", web::post().to(disconnect))
        .route("/account/connections/unlink", web::post().to(unlink))
        .route("/login/provider/link", web::post().to(link_with_password))
        .route("/login/provider/register", web::post().to(register_new))
        .route("/login/provider/{id}", web::get().to(sign_in_start));
}

const PAGE: &str = "/account/connections";

/// The flow cookie: binds a callback to the browser that started the flow.
fn flow_cookie_name(v: &Visitor) -> &'static str {
    if v.app.config.secure_cookies() { "__Host-latchkey-flow" } else { "latchkey-flow" }
}

fn flow_cookie(v: &Visitor, value: String) -> Cookie<'static> {
    Cookie::build(flow_cookie_name(v), value)
        .path("/")
        .secure(v.app.config.secure_cookies())
        .http_only(true)
        // Lax: the provider sends the browser back with a top-level GET.
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::seconds(members::FLOW_TTL))
        .finish()
}

pub(crate) fn flow_cookie_of(v: &Visitor, req: &HttpRequest) -> Option<String> {
    req.cookie(flow_cookie_name(v)).map(|c| c.value().to_string())
}

/// A flow's failure as a page, in plain words; never a 500 for the
/// provider's doing.
pub(crate) fn flow_page(e: FlowError) -> PageError {
    match e {
        FlowError::Refused(m) => PageError::new(StatusCode::BAD_REQUEST, Text::key("conn-err-did-not-work"), m),
        FlowError::Remote(m) => PageError::new(
            StatusCode::BAD_GATEWAY,
            Text::key("conn-err-remote"),
            Text::key("conn-err-remote-text").with("reason", m),
        ),
        FlowError::NotAvailable(m) => {
            PageError::new(StatusCode::NOT_IMPLEMENTED, Text::key("conn-err-not-available"), m)
        }
        FlowError::Connection(e) => connection_page(e),
    }
}

fn connection_page(e: ConnectionError) -> PageError {
    match e {
        ConnectionError::NotFound(_) => PageError::not_found(),
        ConnectionError::Refused(m) => PageError::new(StatusCode::BAD_REQUEST, Text::key("conn-err-did-not-work"), m),
        ConnectionError::Invalid { .. } => {
            PageError::new(StatusCode::BAD_REQUEST, Text::key("conn-err-did-not-work"), e.to_string())
        }
        ConnectionError::Internal(m) => PageError::internal(m),
        ConnectionError::Store(e) => e.into(),
    }
}

struct LinkRow {
    provider_id: ProviderId,
    provider: String,
    subject: String,
    remote_user: String,
    /// (RFC 3339, seconds since 1970).
    linked: (String, i64),
}

#[derive(Template)]
#[template(path = "connections.html")]
struct ConnectionsView {
    c: Chrome,
    notice: Option<String>,
    connections: Vec<ConnRowView>,
    /// Providers members may connect to: (id, name).
    connectable: Vec<(ProviderId, String)>,
    links: Vec<LinkRow>,
    /// Sign-in providers not linked yet: (id, name).
    linkable: Vec<(ProviderId, String)>,
}

/// The member's connections, for this page and `/account/applications`:
/// (id, provider name, remote user, connected at, needs reconnect).
pub(crate) fn rows_of(v: &Member) -> Result<Vec<ConnRowView>, PageError> {
    let all = providers::list(&v.app).map_err(connection_page)?;
    let name = |id: ProviderId| {
        all.iter().find(|p| p.id == id).map_or_else(|| v.tr().t1("conn-provider-n", "id", id.0), |p| p.name.clone())
    };
    Ok(members::of_user(&v.app, v.active.user.id)
        .map_err(connection_page)?
        .into_iter()
        .map(|c| ConnRowView {
            id: c.id.to_string(),
            provider: name(c.provider),
            remote_user: c.remote_user.clone(),
            connected: (rfc3339(c.created_at), c.created_at),
            refreshed: c.refreshed_at.map(|t| (rfc3339(t), t)),
            needs_reconnect: c.needs_reconnect.clone(),
        })
        .collect())
}

/// A connection as `/account/applications` lists it.
pub(crate) struct ConnRowView {
    pub id: String,
    pub provider: String,
    pub remote_user: String,
    /// (RFC 3339, seconds since 1970), shown as `c.t.when(..)`.
    pub connected: (String, i64),
    /// When its tokens were last renewed.
    pub refreshed: Option<(String, i64)>,
    pub needs_reconnect: Option<String>,
}

#[derive(Deserialize)]
struct ShowQuery {
    #[serde(default)]
    done: String,
}

fn notice_text(t: &Tr, done: &str) -> Option<String> {
    let key = match done {
        "connected" => "conn-notice-connected",
        "disconnected" => "conn-notice-disconnected",
        "disconnected-local" => "conn-notice-disconnected-local",
        "linked" => "conn-notice-linked",
        "unlinked" => "conn-notice-unlinked",
        _ => return None,
    };
    Some(t.t(key))
}

async fn show(v: Member, q: web::Query<ShowQuery>) -> Result<HttpResponse, PageError> {
    let all = providers::list(&v.app).map_err(connection_page)?;
    let name = |id: ProviderId| {
        all.iter().find(|p| p.id == id).map_or_else(|| v.tr().t1("conn-provider-n", "id", id.0), |p| p.name.clone())
    };
    let connections = rows_of(&v)?;
    let links: Vec<LinkRow> = links::of_user(&v.app, v.active.user.id)
        .map_err(connection_page)?
        .into_iter()
        .map(|l| LinkRow {
            provider_id: l.provider,
            provider: name(l.provider),
            subject: l.subject.clone(),
            remote_user: l.remote_user.clone(),
            linked: (rfc3339(l.created_at), l.created_at),
        })
        .collect();
    let live = |p: &&Provider| !p.disabled;
    let connectable = all.iter().filter(live).filter(|p| p.member_connect).map(|p| (p.id, p.name.clone())).collect();
    let linkable = all
        .iter()
        .filter(live)
        .filter(|p| p.sign_in && !links.iter().any(|l| l.provider_id == p.id))
        .map(|p| (p.id, p.name.clone()))
        .collect();
    let view = ConnectionsView {
        c: v.chrome("title-connections", false),
        notice: notice_text(&v.tr(), &q.done),
        connections,
        connectable,
        links,
        linkable,
    };
    Ok(v.render(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct ProviderForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    provider: String,
}

crate::has_csrf!(ProviderForm);

/// A live provider the form names, or a 404 page.
fn provider_of(v: &Visitor, raw: &str) -> Result<Provider, PageError> {
    let id = raw.trim().parse::<u64>().map_err(|_| PageError::not_found())?;
    providers::get(&v.app, ProviderId(id)).map_err(connection_page)?.ok_or_else(PageError::not_found)
}

/// Redirects the browser to the provider, with the flow cookie.
async fn go(
    v: &Visitor,
    p: &Provider,
    purpose: Purpose,
    user: Option<crate::ids::UserId>,
    back: &str,
) -> Result<HttpResponse, PageError> {
    let r = connect::start(&v.app, p, user, purpose, back).await.map_err(flow_page)?;
    let cookie = flow_cookie(v, r.browser);
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", r.url))
        .insert_header(("Cache-Control", "no-store"))
        .cookie(cookie)
        .finish())
}

async fn connect_start(MemberForm(v, form): MemberForm<ProviderForm>) -> Result<HttpResponse, PageError> {
    let p = provider_of(&v, &form.provider)?;
    if !p.member_connect {
        return Err(PageError::not_found());
    }
    go(&v, &p, Purpose::Connect, Some(v.active.user.id), PAGE).await
}

async fn link_start(MemberForm(v, form): MemberForm<ProviderForm>) -> Result<HttpResponse, PageError> {
    let p = provider_of(&v, &form.provider)?;
    if !p.sign_in {
        return Err(PageError::not_found());
    }
    go(&v, &p, Purpose::Link, Some(v.active.user.id), PAGE).await
}

async fn sign_in_start(v: Visitor, path: web::Path<String>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let p = provider_of(&v, &path)?;
    if !p.sign_in {
        return Err(PageError::not_found());
    }
    #[derive(Deserialize)]
    struct Q {
        #[serde(default)]
        return_to: String,
    }
    let q = web::Query::<Q>::from_query(req.query_string()).map(|q| q.into_inner().return_to).unwrap_or_default();
    go(&v, &p, Purpose::SignIn, None, &back_to(&q, "/account")).await
}

async fn callback(v: Visitor, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let params =
        web::Query::<CallbackParams>::from_query(req.query_string()).map(|q| q.into_inner()).map_err(|_| {
            PageError::new(StatusCode::BAD_REQUEST, Text::key("err-bad-address"), Text::key("conn-err-callback"))
        })?;
    let browser = flow_cookie_of(&v, &req);
    let done = oauth2::finish(&v.app, &params, browser.as_deref()).await.map_err(flow_page)?;
    finished(&v, done, browser.as_deref()).await
}

/// What a finished flow (of either protocol) leads to, by its purpose:
/// a stored connection, a sign-in link, or a sign-in.
pub(crate) async fn finished(v: &Visitor, done: Finished, browser: Option<&str>) -> Result<HttpResponse, PageError> {
    let mut gone = flow_cookie(v, String::new());
    gone.make_removal();
    let mut r = match done.flow.purpose {
        Purpose::Connect => finish_connect(v, done).await?,
        Purpose::Link => finish_link(v, done).await?,
        Purpose::SignIn => finish_sign_in(v, done, browser.unwrap_or_default()).await?,
    };
    // The flow cookie is spent, unless the page holds an identity for it.
    if r.status() != StatusCode::OK {
        let _ = r.add_cookie(&gone);
    }
    Ok(r)
}

/// The member who started a flow must be the one it comes back to.
fn same_member(v: &Visitor, done: &Finished) -> Result<crate::ids::UserId, PageError> {
    match (&v.active, done.flow.user) {
        (Some(a), Some(u)) if a.user.id == u => Ok(u),
        _ => Err(PageError::new(
            StatusCode::BAD_REQUEST,
            Text::key("conn-err-did-not-work"),
            Text::key("conn-err-other-session"),
        )),
    }
}

fn who_for(v: &Visitor, user: &crate::store::users::User) -> Who {
    Who::user(user.id, &user.username, v.conn.ip.to_string())
}

async fn finish_connect(v: &Visitor, done: Finished) -> Result<HttpResponse, PageError> {
    let user = same_member(v, &done)?;
    let new = NewConnection {
        user,
        provider: done.provider.id,
        remote_user: done.name.clone(),
        remote_subject: done.subject.clone(),
        access_token: done.tokens.access_token.clone(),
        token_secret: done.tokens.token_secret.clone(),
        refresh_token: done.tokens.refresh_token.clone(),
        expires_at: done.expires_at,
        scopes: done.scopes.clone(),
    };
    members::save(&v.app, new, v.who()).await.map_err(connection_page)?;
    Ok(v.redirect(&format!("{}?done=connected", back_to(&done.flow.return_to, PAGE))))
}

fn back_to(raw: &str, default: &str) -> String {
    safe_return_to(raw).unwrap_or_else(|| default.to_string())
}

async fn finish_link(v: &Visitor, done: Finished) -> Result<HttpResponse, PageError> {
    let user = same_member(v, &done)?;
    links::link(&v.app, done.provider.id, &done.subject, &done.name, user, v.who()).await.map_err(connection_page)?;
    Ok(v.redirect(&format!("{PAGE}?done=linked")))
}

/// Signs `user` in (a new session, as a password sign-in makes).
async fn start_session(v: &Visitor, user: &crate::store::users::User, back: &str) -> Result<HttpResponse, PageError> {
    if let Some(old) = &v.active {
        sessions::end(&v.app, old, v.who()).await?;
    }
    let cookie = sessions::start(&v.app, user, who_for(v, user)).await?;
    let c = v.session_cookie(cookie);
    Ok(v.redirect_with(back, |b| {
        b.cookie(c);
    }))
}

async fn finish_sign_in(v: &Visitor, done: Finished, browser: &str) -> Result<HttpResponse, PageError> {
    let p = &done.provider;
    if !p.sign_in {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            Text::key("conn-err-did-not-work"),
            Text::key("conn-err-no-sign-in").with("provider", p.name.clone()),
        ));
    }
    let back = back_to(&done.flow.return_to, "/account");
    if let Some(l) = links::find(&v.app, p.id, &done.subject).map_err(connection_page)? {
        let user = v.app.store.read(|tx| crate::store::users::get(tx, l.user))?.ok_or_else(PageError::not_found)?;
        if user.disabled {
            return Err(PageError::forbidden(Text::key("conn-err-account-disabled")));
        }
        links::used(&v.app, p.id, &done.subject).await.map_err(connection_page)?;
        let detail = format!("with {} ({})", p.name, done.name);
        let (who, now) = (who_for(v, &user), v.app.now());
        v.app
            .store
            .write(move |tx| {
                crate::store::audit::record(tx, now, &who, "login.provider", &format!("user:{}", l.user), &detail)
            })
            .await?;
        return start_session(v, &user, &back).await;
    }
    // Unknown: never linked by e-mail, nor to whoever this browser is signed
    // in as (a sign-in is started by a plain link, which another site can
    // make a signed-in browser follow). The person proves which member they
    // are with their password; a signed-in member links on purpose with the
    // Link button of `/account/connections` (a form with its CSRF token).
    let handle =
        links::hold_identity(&v.app, p.id, &done.subject, &done.name, browser, &back).await.map_err(connection_page)?;
    let view = LinkView {
        c: v.chrome("title-link-account", true),
        provider: p.name.clone(),
        remote_user: done.name.clone(),
        handle,
        username: String::new(),
        error: None,
        can_register: v.app.config.registration == crate::config::Registration::Open,
        new_username: String::new(),
        new_email: String::new(),
    };
    // The flow cookie stays: it binds the held identity to this browser.
    Ok(v.render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "connections_link.html")]
struct LinkView {
    c: Chrome,
    provider: String,
    remote_user: String,
    handle: String,
    username: String,
    error: Option<String>,
    can_register: bool,
    /// What was typed in the new-account form.
    new_username: String,
    new_email: String,
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

crate::has_csrf!(LinkForm);

/// The identity a sign-in with a provider left waiting in this browser,
/// and its provider, still enabled for sign-in.
fn held_identity(
    v: &Visitor,
    req: &HttpRequest,
    handle: &str,
) -> Result<(crate::store::connections::PendingIdentity, Provider), PageError> {
    let browser = flow_cookie_of(v, req);
    let held = links::held_identity(&v.app, handle, browser.as_deref()).map_err(connection_page)?;
    let provider = providers::get(&v.app, held.provider).map_err(connection_page)?;
    let provider = provider.filter(|p| !p.disabled && p.sign_in).ok_or_else(PageError::not_found)?;
    Ok((held, provider))
}

async fn link_with_password(
    VisitorForm(v, form): VisitorForm<LinkForm>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let (held, provider) = held_identity(&v, &req, &form.handle)?;
    let again = |status: StatusCode, error: String| {
        v.render(
            status,
            &LinkView {
                c: v.chrome("title-link-account", true),
                provider: provider.name.clone(),
                remote_user: held.remote_user.clone(),
                handle: form.handle.clone(),
                username: form.username.clone(),
                error: Some(error),
                can_register: v.app.config.registration == crate::config::Registration::Open,
                new_username: String::new(),
                new_email: String::new(),
            },
        )
    };
    match accounts::authenticate(&v.app, &form.username, &form.password, v.conn.ip).await {
        Ok(user) => {
            links::link_held(&v.app, &form.handle, &held, user.id, who_for(&v, &user))
                .await
                .map_err(connection_page)?;
            let mut r = start_session(&v, &user, &back_to(&held.return_to, "/account")).await?;
            let mut gone = flow_cookie(&v, String::new());
            gone.make_removal();
            let _ = r.add_cookie(&gone);
            Ok(r)
        }
        Err(LoginError::Wrong) => Ok(again(StatusCode::UNAUTHORIZED, v.tr().t("login-wrong"))),
        Err(LoginError::Limited(secs)) => {
            Ok(again(StatusCode::TOO_MANY_REQUESTS, v.tr().t1("login-too-many", "minutes", secs.div_ceil(60))))
        }
        Err(LoginError::Store(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct DisconnectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

crate::has_csrf!(DisconnectForm);

async fn disconnect(MemberForm(v, form): MemberForm<DisconnectForm>) -> Result<HttpResponse, PageError> {
    let id = form.id.trim().parse::<u64>().map(ConnectionId).map_err(|_| PageError::not_found())?;
    let c = members::disconnect(&v.app, v.active.user.id, id, v.who()).await.map_err(connection_page)?;
    let revoked = match providers::get(&v.app, c.provider).map_err(connection_page)? {
        Some(p) => match oauth2::revoke(&v.app, &p, &c).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(connection = %c.id, error = %e, "a disconnected token was not revoked remotely");
                false
            }
        },
        None => true,
    };
    let done = if revoked { "disconnected" } else { "disconnected-local" };
    Ok(v.redirect(&format!("{PAGE}?done={done}")))
}

#[derive(Deserialize)]
struct UnlinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    subject: String,
}

crate::has_csrf!(UnlinkForm);

async fn unlink(MemberForm(v, form): MemberForm<UnlinkForm>) -> Result<HttpResponse, PageError> {
    let provider = form.provider.trim().parse::<u64>().map(ProviderId).map_err(|_| PageError::not_found())?;
    links::unlink(&v.app, v.active.user.id, provider, &form.subject, v.who()).await.map_err(connection_page)?;
    Ok(v.redirect(&format!("{PAGE}?done=unlinked")))
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
}

crate::has_csrf!(RegisterForm);

/// With open registration: a new member, signed in with the held identity.
async fn register_new(
    VisitorForm(v, form): VisitorForm<RegisterForm>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let (held, provider) = held_identity(&v, &req, &form.handle)?;
    match links::register_held(&v.app, &form.handle, &held, &form.username, &form.email, v.conn.ip).await {
        Ok(user) => {
            let mut r = start_session(&v, &user, &back_to(&held.return_to, "/account")).await?;
            let mut gone = flow_cookie(&v, String::new());
            gone.make_removal();
            let _ = r.add_cookie(&gone);
            Ok(r)
        }
        Err(ConnectionError::Refused(m)) => {
            let view = LinkView {
                c: v.chrome("title-link-account", true),
                provider: provider.name.clone(),
                remote_user: held.remote_user.clone(),
                handle: form.handle.clone(),
                username: String::new(),
                error: Some(register_refusal(&v.tr(), &m)),
                can_register: v.app.config.registration == crate::config::Registration::Open,
                new_username: form.username.clone(),
                new_email: form.email.clone(),
            };
            Ok(v.render(StatusCode::BAD_REQUEST, &view))
        }
        Err(e) => Err(connection_page(e)),
    }
}

/// A refusal of the new-account form (`connections::links::register_held`)
/// in the page's language; words this version does not know are shown as
/// they are.
fn register_refusal(t: &Tr, m: &str) -> String {
    if m.starts_with("the username ") && m.ends_with(" is already taken") {
        return t.t("form-username-taken");
    }
    if m.starts_with("too many attempts") {
        let minutes = m.split_whitespace().find_map(|w| w.parse::<u64>().ok()).unwrap_or(1);
        return t.t1("login-too-many", "minutes", minutes);
    }
    match m {
        "this site does not take sign-ups" => return t.t("err-registration-closed-text"),
        "this remote account is linked already" => return t.t("conn-err-linked-already"),
        _ => {}
    }
    match m.split_once(": ") {
        Some((field @ ("username" | "email"), message)) => {
            let label = t.t(if field == "email" { "field-email" } else { "field-username" });
            t.t2("conn-err-field", "field", label, "message", crate::web::setup::member_invalid(t, field, message))
        }
        _ => crate::web::setup::capitalise(m),
    }
}
