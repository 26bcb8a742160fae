//! One file per grant type. Each checks what RFC 6749 asks of its request,
//! then issues tokens in one write transaction.

pub mod authorization_code;
pub mod client_credentials;
pub mod password;
pub mod refresh_token;

use super::error::{ErrorResponse, OAuthError};
use super::scopes::ScopeSet;
use super::tokens::IdTokenInput;
use crate::store::audit::{self, Who};
use crate::store::clients::Client;
use crate::store::grants::{self, Grant};
use crate::store::users::User;
use crate::store::{ClientId, StoreError, UserId, WriteTransaction};

pub fn server_error(e: impl std::fmt::Display) -> ErrorResponse {
    tracing::error!(error = %e, "token request failed");
    ErrorResponse::new(OAuthError::ServerError, "the server could not complete the request; nothing was issued")
}

/// The scopes the application may hold, expanded.
pub fn allowed_scopes(client: &Client) -> ScopeSet {
    ScopeSet::parse(&client.scopes).map(|s| s.expand()).unwrap_or_default()
}

/// The requested scopes (or `default`), refused unless registered.
pub fn requested_scopes(
    client: &Client,
    requested: Option<&str>,
    default: ScopeSet,
) -> Result<ScopeSet, ErrorResponse> {
    let Some(text) = requested else {
        return Ok(default);
    };
    let asked =
        ScopeSet::parse(text).map_err(|e| ErrorResponse::new(OAuthError::InvalidScope, e.to_string()))?.expand();
    if !asked.is_subset(&allowed_scopes(client)) {
        return Err(ErrorResponse::new(
            OAuthError::InvalidScope,
            "the request asks for scopes this application is not registered for",
        ));
    }
    Ok(asked)
}

/// Refresh tokens go to applications registered for them; an OpenID
/// request gets one only with `offline_access`.
pub fn wants_refresh(client: &Client, scopes: &ScopeSet) -> bool {
    let allowed = client.oauth2.as_ref().is_some_and(|o| o.grants.iter().any(|g| g == "refresh_token"));
    allowed && (!scopes.contains("openid") || scopes.contains("offline_access"))
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
    if let Some(g) = grants::get_for_update(tx, grant)? {
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
    match grants::find_for_update(tx, user, client)? {
        Some(mut g) => {
            let had = ScopeSet::parse(&g.scopes).unwrap_or_default();
            let merged = had.union(scopes);
            if merged != had {
                g.scopes = merged.to_string();
                grants::put(tx, &g)?;
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
            },
        ),
    }
}

/// The id_token input when `openid` was granted.
pub fn id_token_input(
    user: &User,
    scopes: &ScopeSet,
    nonce: Option<String>,
    auth_time: i64,
    code: Option<String>,
) -> Option<IdTokenInput> {
    scopes.contains("openid").then(|| IdTokenInput {
        user: user.clone(),
        nonce,
        auth_time,
        code,
        profile: scopes.contains("profile"),
        email: scopes.contains("email"),
    })
}
