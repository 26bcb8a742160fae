//! `/admin/tokens`: every grant, filterable by application, member,
//! protocol and state, with its scopes, dates and token count; a grant's
//! page lists its tokens (never the token itself) and revokes one token or
//! the whole grant.

use super::when;
use crate::http::page::PageQuery;
use crate::http::page_error::PageError;
use crate::http::visitor::{Admin, AdminForm};
use crate::registry::grants::{self as registry, Reason};
use crate::store::audit::{self, Who};
use crate::store::clients::{self, Client};
use crate::store::grants::{self, Grant, Token, TokenKind};
use crate::store::page::is_id_cursor;
use crate::store::users::{self, User};
use crate::store::{GrantId, StoreError};
use crate::web::notice::{Done, Notice, TOKEN_KINDS};
use crate::web::{Chrome, Visitor};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/tokens", web::get().to(list))
        .route("/admin/tokens/{grant}", web::get().to(detail))
        .route("/admin/tokens/{grant}/revoke", web::post().to(revoke_grant))
        .route("/admin/tokens/{grant}/revoke-token", web::post().to(revoke_token));
}

fn kind_number(k: TokenKind) -> usize {
    match k {
        TokenKind::Code => 0,
        TokenKind::Access => 1,
        TokenKind::Refresh => 2,
        TokenKind::OAuth1Access => 3,
    }
}

/// The catalogue key of a token kind's name (the page's words).
fn kind_name(k: TokenKind) -> &'static str {
    TOKEN_KINDS[kind_number(k)]
}

/// A token kind as the audit log writes it (English, like every audit line).
fn kind_audited(k: TokenKind) -> &'static str {
    ["authorization code", "OAuth 2.0 access token", "OAuth 2.0 refresh token", "OAuth 1.0a access token"]
        [kind_number(k)]
}

struct GrantRow {
    id: u64,
    app: String,
    member: String,
    protocol: &'static str,
    scopes: String,
    created: super::When,
    /// `None`: never used since the grant was made.
    last_used: Option<super::When>,
    live_tokens: usize,
}

#[derive(Template)]
#[template(path = "admin_tokens.html")]
struct ListView {
    c: Chrome,
    application: String,
    member: String,
    protocol: String,
    state: String,
    rows: Vec<GrantRow>,
    next: Option<String>,
    notice: Option<String>,
    sort: super::Sort,
    sort_href: String,
}

#[derive(Deserialize, Default)]
struct Query {
    #[serde(default)]
    application: String,
    #[serde(default)]
    member: String,
    #[serde(default)]
    protocol: String,
    #[serde(default)]
    state: String,
    /// `newest` (the default) or `oldest` first.
    #[serde(default)]
    order: String,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// Grants per page.
const PAGE: usize = 50;

fn contains(hay: &str, needle: &str) -> bool {
    needle.trim().is_empty() || hay.to_lowercase().contains(&needle.trim().to_lowercase())
}

async fn list(v: Admin, q: web::Query<Query>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let now = v.app.now();
    let asked = PageQuery { cursor: q.cursor.clone(), limit: q.limit.clone() };
    let page = asked.for_page(PAGE, is_id_cursor)?;
    let sort = super::Sort::parse(&q.order, true);
    let p = v.app.store.read(|tx| {
        // The applications and members this page names, each read once.
        let mut summaries = registry::Summarizer::new(tx, now);
        grants::page(tx, page.after(), page.limit, sort.order(), |g| {
            let sum = summaries.of(&g)?;
            let live = sum.live_tokens;
            let row = GrantRow {
                id: sum.id.0,
                app: sum.application,
                member: sum.member,
                protocol: sum.protocol,
                scopes: sum.scopes,
                created: when(sum.created_at),
                last_used: super::used(sum.created_at, sum.last_used),
                live_tokens: live,
            };
            let protocol_ok = match q.protocol.as_str() {
                "oauth2" => row.protocol == "OAuth 2.0",
                "oauth1" => row.protocol == "OAuth 1.0a",
                _ => true,
            };
            let state_ok = match q.state.as_str() {
                "active" => live > 0,
                "idle" => live == 0,
                _ => true,
            };
            let keep =
                protocol_ok && state_ok && contains(&row.app, &q.application) && contains(&row.member, &q.member);
            Ok(keep.then_some(row))
        })
    })?;
    let filters = serde_urlencoded::to_string([
        ("application", q.application.as_str()),
        ("member", q.member.as_str()),
        ("protocol", q.protocol.as_str()),
        ("state", q.state.as_str()),
    ])
    .unwrap_or_default();
    let next = super::next_query(&format!("{filters}&order={}", sort.param()), p.next.as_deref(), &asked);
    let view = ListView {
        c: v.chrome("admin-tokens", false),
        sort,
        sort_href: sort.toggle(&filters),
        application: q.application.clone(),
        member: q.member.clone(),
        protocol: q.protocol.clone(),
        state: q.state.clone(),
        rows: p.items,
        next,
        notice: Notice::from_query(req.query_string()).text(&v.app, &v.tr()),
    };
    Ok(v.render(StatusCode::OK, &view))
}

struct TokenRow {
    id: String,
    kind: &'static str,
    issued: super::When,
    expires: Option<super::When>,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "admin_grant.html")]
struct DetailView {
    c: Chrome,
    id: u64,
    app: String,
    member: String,
    scopes: String,
    created: super::When,
    /// `None`: never used since the grant was made.
    last_used: Option<super::When>,
    tokens: Vec<TokenRow>,
    notice: Option<String>,
}

/// A grant with its application, member and tokens.
type Loaded = (Grant, Option<Client>, Option<User>, Vec<([u8; 32], Token)>);

fn load(v: &Visitor, id: u64) -> Result<Loaded, PageError> {
    let found = v.app.store.read(|tx| {
        let Some(g) = grants::get(tx, GrantId(id))? else { return Ok(None) };
        let c = clients::get(tx, g.client)?;
        let u = match g.user {
            Some(u) => users::get(tx, u)?,
            None => None,
        };
        let t = grants::tokens_of(tx, g.id)?;
        Ok::<_, StoreError>(Some((g, c, u, t)))
    })?;
    found.ok_or_else(|| {
        PageError::new(
            StatusCode::NOT_FOUND,
            crate::i18n::Text::key("err-no-grant"),
            crate::i18n::Text::key("err-no-grant-text"),
        )
    })
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

async fn detail(v: Admin, id: web::Path<u64>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let (g, c, u, tokens) = load(&v, *id)?;
    let now = v.app.now();
    let view = DetailView {
        c: v.chrome("title-grant", false),
        id: g.id.0,
        app: c.map(|c| c.name).unwrap_or_default(),
        member: u.map(|u| u.username).unwrap_or_else(|| v.tr().t("grant-app-itself")),
        scopes: g.scopes.to_string(),
        created: when(g.created_at),
        last_used: super::used(g.created_at, g.last_used),
        tokens: tokens
            .iter()
            .map(|(d, t)| TokenRow {
                id: hex(d),
                kind: kind_name(t.kind),
                issued: when(t.issued_at),
                expires: t.expires_at.map(when),
                state: if t.expired(now) {
                    "token-expired"
                } else if t.used_at.is_some() {
                    "token-used"
                } else {
                    "token-live"
                },
            })
            .collect(),
        notice: Notice::from_query(req.query_string()).text(&v.app, &v.tr()),
    };
    Ok(v.render(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

crate::has_csrf!(RevokeForm);

async fn revoke_grant(AdminForm(v, _): AdminForm<RevokeForm>, id: web::Path<u64>) -> Result<HttpResponse, PageError> {
    let (g, _, _, _) = load(&v, *id)?;
    let now = v.app.now();
    let who: Who = v.who();
    let n = v
        .app
        .store
        .write(move |tx| Ok::<_, StoreError>(registry::revoke(tx, g.id, now, &who, Reason::Admin)?.unwrap_or(0)))
        .await?;
    Ok(v.redirect(&Notice::of(Done::GrantRevoked).id(*id).counts(n as u64, 0).after("/admin/tokens")))
}

async fn revoke_token(
    AdminForm(v, form): AdminForm<RevokeForm>,
    id: web::Path<u64>,
) -> Result<HttpResponse, PageError> {
    let (g, _, _, tokens) = load(&v, *id)?;
    let Some((digest, t)) = tokens.into_iter().find(|(d, _)| hex(d) == form.token) else {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            crate::i18n::Text::key("err-no-token"),
            crate::i18n::Text::key("err-no-token-text"),
        ));
    };
    let now = v.app.now();
    let who = v.who();
    let kind = kind_audited(t.kind);
    v.app
        .store
        .write(move |tx| {
            grants::delete_token(tx, &digest, g.id)?;
            audit::record(tx, now, &who, "token.revoke", &format!("grant {}", g.id), &format!("{kind}, by an admin"))
        })
        .await?;
    let kind_no = kind_number(t.kind) as u64;
    Ok(v.redirect(&Notice::of(Done::TokenRevoked).counts(kind_no, 0).after(&format!("/admin/tokens/{id}"))))
}
