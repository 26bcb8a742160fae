//! Grants: one member's authorization of one application (or an
//! application's own, for client credentials and two-legged calls). Both
//! protocols approve through `upsert_grant`; a reused single-use credential
//! revokes through `revoke_on_reuse`; a member's authorized applications
//! (the Applications page and `/api/v1/me/applications`) are listed and
//! revoked here.

use crate::app::App;
use crate::scopes::ScopeSet;
use crate::store::audit::{self, Who};
use crate::store::clients::{self, Client};
use crate::store::grants;
use crate::store::grants::Grant;
use crate::store::{ClientId, StoreError, UserId, WriteTransaction};
use serde::Serialize;

/// One application as the member sees it.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorizedApp {
    /// The application's public identifier (OAuth 2.0 client_id or OAuth 1.0a consumer key).
    pub client_id: String,
    pub name: String,
    pub homepage: String,
    pub scopes: Vec<ScopeWords>,
    pub authorized_at: i64,
    pub last_used: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeWords {
    pub name: String,
    pub description: String,
}

/// The public identifier a member (or an API client) names an application by.
pub fn public_key(c: &Client) -> String {
    c.oauth2
        .as_ref()
        .map(|o| o.client_id.clone())
        .or_else(|| c.oauth1.as_ref().map(|o| o.consumer_key.clone()))
        .unwrap_or_else(|| c.id.to_string())
}

pub fn for_member(app: &App, user: UserId) -> Result<Vec<AuthorizedApp>, StoreError> {
    app.store.read(|tx| {
        let mut out = vec![];
        for g in grants::for_member(tx, user)? {
            let Some(c) = clients::get(tx, g.client)? else { continue };
            let scopes = ScopeSet::parse(&g.scopes).unwrap_or_default();
            out.push(AuthorizedApp {
                client_id: public_key(&c),
                name: c.name.clone(),
                homepage: c.homepage.clone(),
                scopes: scopes
                    .descriptions()
                    .iter()
                    .map(|s| ScopeWords { name: s.name.to_string(), description: s.description.to_string() })
                    .collect(),
                authorized_at: g.created_at,
                last_used: g.last_used,
            });
        }
        out.sort_by_key(|a| std::cmp::Reverse(a.last_used));
        Ok(out)
    })
}

/// Revokes the member's grant to the application named by `key`; `None`
/// when the member had not authorized it. Returns how many tokens died.
pub async fn revoke(app: &App, user: UserId, key: &str, who: Who) -> Result<Option<usize>, StoreError> {
    let found = app.store.read(|tx| match clients::by_key(tx, key)? {
        Some(c) => Ok(Some(c)),
        None => match key.parse::<u64>() {
            Ok(n) => clients::get(tx, crate::store::ClientId(n)),
            Err(_) => Ok(None),
        },
    })?;
    let Some(client) = found else { return Ok(None) };
    let now = app.now();
    let client_id = client.id;
    let name = client.name.clone();
    app.store
        .write(move |tx| {
            let Some(g) = grants::find(tx, Some(user), client_id)? else {
                return Ok(None);
            };
            let n = grants::revoke(tx, &g)?;
            audit::record(tx, now, &who, "grant.revoke", &name, &format!("grant {}, {n} tokens, by the member", g.id))?;
            Ok(Some(n))
        })
        .await
}

/// A single-use credential came back a second time: whoever holds it may
/// have stolen it, so the whole grant is revoked (RFC 6749 §4.1.2, RFC 9700
/// §4.14.2) and the audit log says why (`action`, `what_happened`).
pub fn revoke_on_reuse(
    tx: &WriteTransaction,
    grant: crate::store::GrantId,
    now: i64,
    who: &Who,
    action: &str,
    what_happened: &str,
) -> Result<(), StoreError> {
    if let Some(g) = grants::get(tx, grant)? {
        let n = grants::revoke(tx, &g)?;
        audit::record(
            tx,
            now,
            who,
            action,
            &format!("grant {}", g.id),
            &format!("{what_happened}; {n} tokens revoked"),
        )?;
    }
    Ok(())
}

/// The member's grant to the application, created or widened to `scopes`.
pub fn upsert_grant(
    tx: &WriteTransaction,
    user: Option<UserId>,
    client: ClientId,
    scopes: &ScopeSet,
    now: i64,
) -> Result<Grant, StoreError> {
    match grants::find(tx, user, client)? {
        Some(mut g) => {
            let had = ScopeSet::parse(&g.scopes).unwrap_or_default();
            let merged = had.union(scopes);
            if merged != had {
                g.scopes = merged.to_string();
                grants::put(tx, &mut g)?;
            }
            Ok(g)
        }
        None => grants::insert(
            tx,
            Grant {
                id: crate::store::GrantId(0),
                client,
                user,
                scopes: scopes.to_string(),
                created_at: now,
                last_used: now,
                revision: 0,
            },
        ),
    }
}
