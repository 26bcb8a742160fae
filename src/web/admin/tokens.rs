//! `/admin/tokens`: every grant, filterable by application, member,
//! protocol and state, with its scopes, dates and token count; a grant's
//! page lists its tokens (never the token itself) and revokes one token or
//! the whole grant.

use super::{gate, when};
use crate::http::page_error::PageError;
use crate::store::audit::{self, Who};
use crate::store::clients::{self, Client};
use crate::store::grants::{self, Grant, Token, TokenKind};
use crate::store::users::{self, User};
use crate::store::{GrantId, StoreError};
use crate::web::{Chrome, Visitor};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/tokens", web::get().to(list))
        .route("/admin/tokens/{grant}", web::get().to(detail))
        .route("/admin/tokens/{grant}/revoke", web::post().to(revoke_grant))
        .route("/admin/tokens/{grant}/revoke-token", web::post().to(revoke_token));
}

fn kind_name(k: TokenKind) -> &'static str {
    match k {
        TokenKind::Code => "authorization code",
        TokenKind::Access => "OAuth 2.0 access token",
        TokenKind::Refresh => "OAuth 2.0 refresh token",
        TokenKind::OAuth1Access => "OAuth 1.0a access token",
    }
}

fn protocol(tokens: &[([u8; 32], Token)], client: Option<&Client>) -> &'static str {
    let oauth1_tokens = tokens.iter().any(|(_, t)| t.kind == TokenKind::OAuth1Access);
    let oauth1_only = tokens.is_empty() && client.is_some_and(|c| c.oauth2.is_none());
    if oauth1_tokens || oauth1_only { "OAuth 1.0a" } else { "OAuth 2.0" }
}

struct GrantRow {
    id: u64,
    app: String,
    member: String,
    protocol: &'static str,
    scopes: String,
    created: (String, String),
    last_used: (String, String),
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
    notice: Option<String>,
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
    #[serde(default)]
    notice: Option<String>,
}

fn contains(hay: &str, needle: &str) -> bool {
    needle.trim().is_empty() || hay.to_lowercase().contains(&needle.trim().to_lowercase())
}

async fn list(v: Visitor, q: web::Query<Query>) -> Result<HttpResponse, PageError> {
    if let Some(r) = gate(&v, "/admin/tokens")? {
        return Ok(r);
    }
    let now = v.app.now();
    let rows = v.app.store.read(|tx| {
        let apps: HashMap<_, Client> = clients::list(tx)?.into_iter().map(|c| (c.id, c)).collect();
        let people: HashMap<_, User> = users::list(tx)?.into_iter().map(|u| (u.id, u)).collect();
        let mut rows = vec![];
        for g in grants::list(tx)? {
            let tokens = grants::tokens_of(tx, g.id)?;
            let client = apps.get(&g.client);
            let live = tokens.iter().filter(|(_, t)| !t.expired(now) && t.used_at.is_none()).count();
            let row = GrantRow {
                id: g.id.0,
                app: client.map(|c| c.name.clone()).unwrap_or_else(|| format!("application {}", g.client)),
                member: match g.user {
                    Some(u) => people.get(&u).map(|p| p.username.clone()).unwrap_or_else(|| format!("member {u}")),
                    None => "(the application itself)".into(),
                },
                protocol: protocol(&tokens, client),
                scopes: g.scopes.clone(),
                created: when(g.created_at),
                last_used: when(g.last_used),
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
            if protocol_ok && state_ok && contains(&row.app, &q.application) && contains(&row.member, &q.member) {
                rows.push(row);
            }
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.id));
        Ok::<_, StoreError>(rows)
    })?;
    let view = ListView {
        c: v.chrome("Tokens", false),
        application: q.application.clone(),
        member: q.member.clone(),
        protocol: q.protocol.clone(),
        state: q.state.clone(),
        rows,
        notice: q.notice.clone(),
    };
    Ok(v.render(StatusCode::OK, &view))
}

struct TokenRow {
    id: String,
    kind: &'static str,
    issued: (String, String),
    expires: Option<(String, String)>,
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
    created: (String, String),
    last_used: (String, String),
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
            "No such grant",
            "It was revoked, or its application or member was deleted.",
        )
    })
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

async fn detail(v: Visitor, id: web::Path<u64>, q: web::Query<Query>) -> Result<HttpResponse, PageError> {
    if let Some(r) = gate(&v, "/admin/tokens")? {
        return Ok(r);
    }
    let (g, c, u, tokens) = load(&v, *id)?;
    let now = v.app.now();
    let view = DetailView {
        c: v.chrome("Grant", false),
        id: g.id.0,
        app: c.map(|c| c.name).unwrap_or_default(),
        member: u.map(|u| u.username).unwrap_or_else(|| "(the application itself)".into()),
        scopes: g.scopes.clone(),
        created: when(g.created_at),
        last_used: when(g.last_used),
        tokens: tokens
            .iter()
            .map(|(d, t)| TokenRow {
                id: hex(d),
                kind: kind_name(t.kind),
                issued: when(t.issued_at),
                expires: t.expires_at.map(when),
                state: if t.expired(now) {
                    "expired"
                } else if t.used_at.is_some() {
                    "used"
                } else {
                    "live"
                },
            })
            .collect(),
        notice: q.notice.clone(),
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

async fn revoke_grant(v: Visitor, id: web::Path<u64>, form: web::Form<RevokeForm>) -> Result<HttpResponse, PageError> {
    if let Some(r) = gate(&v, "/admin/tokens")? {
        return Ok(r);
    }
    v.check_csrf(&form.csrf)?;
    let (g, c, _, _) = load(&v, *id)?;
    let now = v.app.now();
    let who: Who = v.who();
    let name = c.map(|c| c.name).unwrap_or_default();
    let n = v
        .app
        .store
        .write(move |tx| {
            let Some(g) = grants::get(tx, g.id)? else { return Ok(0) };
            let n = grants::revoke(tx, &g)?;
            audit::record(tx, now, &who, "grant.revoke", &name, &format!("grant {}, {n} tokens, by an admin", g.id))?;
            Ok::<_, StoreError>(n)
        })
        .await?;
    let q =
        serde_urlencoded::to_string([("notice", format!("Grant {} revoked with {n} tokens.", id))]).unwrap_or_default();
    Ok(v.redirect(&format!("/admin/tokens?{q}")))
}

async fn revoke_token(v: Visitor, id: web::Path<u64>, form: web::Form<RevokeForm>) -> Result<HttpResponse, PageError> {
    if let Some(r) = gate(&v, "/admin/tokens")? {
        return Ok(r);
    }
    v.check_csrf(&form.csrf)?;
    let (g, _, _, tokens) = load(&v, *id)?;
    let Some((digest, t)) = tokens.into_iter().find(|(d, _)| hex(d) == form.token) else {
        return Err(PageError::new(StatusCode::NOT_FOUND, "No such token", "It expired or was revoked already."));
    };
    let now = v.app.now();
    let who = v.who();
    let kind = kind_name(t.kind);
    v.app
        .store
        .write(move |tx| {
            grants::delete_token(tx, &digest, g.id)?;
            audit::record(tx, now, &who, "token.revoke", &format!("grant {}", g.id), &format!("{kind}, by an admin"))
        })
        .await?;
    let q = serde_urlencoded::to_string([("notice", format!("The {kind} was revoked."))]).unwrap_or_default();
    Ok(v.redirect(&format!("/admin/tokens/{id}?{q}")))
}
