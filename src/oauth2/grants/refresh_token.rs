//! `refresh_token` (RFC 6749 §6) with rotation: every use returns a new
//! refresh token and retires the old one. A retired token presented again
//! (after a short grace for the client's own concurrent retry) means it
//! leaked: the whole grant is revoked and the event audited.

use super::{id_token_input, server_error};
use crate::app::App;
use crate::auth::secrets;
use crate::oauth2::error::{ErrorResponse, OAuthError};
use crate::oauth2::request::{ClientAuth, Params, allow_grant};
use crate::oauth2::tokens::{self, Issuer, TokenResponse};
use crate::registry::grants::revoke_on_reuse;
use crate::scopes::ScopeSet;
use crate::store::audit::Who;
use crate::store::grants::{self, TokenKind};
use crate::store::{StoreError, users};

fn invalid_grant(d: &str) -> ErrorResponse {
    ErrorResponse::new(OAuthError::InvalidGrant, d)
}

pub async fn exchange(app: &App, auth: &ClientAuth, p: &Params, ip: String) -> Result<TokenResponse, ErrorResponse> {
    allow_grant(&auth.client, "refresh_token")?;
    let value = p.require("refresh_token")?;
    let asked = match p.get("scope") {
        Some(s) => {
            Some(ScopeSet::parse(s).map_err(|e| ErrorResponse::new(OAuthError::InvalidScope, e.to_string()))?.expand())
        }
        None => None,
    };
    let digest = secrets::digest(value);
    let iss = Issuer::new(app, &auth.client)?;
    let grace = app.config.refresh_reuse_grace.as_secs() as i64;
    let client = auth.client.clone();
    let who = Who { actor: format!("client:{}", client.id), ip };
    app.store
        .write(move |tx| {
            let now = iss.now;
            let Some(mut t) = grants::token(tx, &digest)? else {
                return Ok(Err(invalid_grant("the refresh token is unknown, expired or revoked")));
            };
            if t.kind != TokenKind::Refresh || t.client != client.id {
                return Ok(Err(invalid_grant("the refresh token was not issued to this application")));
            }
            if t.expired(now) {
                return Ok(Err(invalid_grant("the refresh token has expired")));
            }
            if let Some(used) = t.used_at {
                if now - used <= grace {
                    return Ok(Err(invalid_grant("the refresh token was just used; use the new one")));
                }
                let why = "a rotated refresh token was used again";
                revoke_on_reuse(tx, t.grant, now, &who, "grant.revoke.refresh_reuse", why)?;
                return Ok(Err(invalid_grant("the refresh token was already used; the grant is revoked")));
            }
            let held = ScopeSet::parse(&t.scopes).unwrap_or_default();
            let scopes = match &asked {
                Some(a) if !a.is_subset(&held) => {
                    return Ok(Err(ErrorResponse::new(OAuthError::InvalidScope, "a refresh cannot widen the scope")));
                }
                Some(a) => a.clone(),
                None => held,
            };
            let Some(grant) = grants::get(tx, t.grant)? else {
                return Ok(Err(invalid_grant("the grant was revoked")));
            };
            t.used_at = Some(now);
            grants::put_token(tx, &digest, &t)?;
            let id_input = match grant.user {
                Some(uid) => users::get(tx, uid)?.and_then(|u| id_token_input(&u, &scopes, None, t.auth_time, None)),
                None => None,
            };
            tokens::issue(tx, &iss, &grant, &scopes, true, id_input.as_ref(), t.auth_time).map(Ok)
        })
        .await
        .map_err(|e: StoreError| server_error(e))?
}
