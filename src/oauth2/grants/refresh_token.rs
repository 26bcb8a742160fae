//! `refresh_token` (RFC 6749 §6) with rotation: every use returns a new
//! refresh token and retires the old one. A retired token presented again
//! (after a short grace for the client's own concurrent retry) means it
//! leaked: the whole grant is revoked and the event audited.

use super::{id_token_input, live_member, server_error};
use crate::app::App;
use crate::auth::secrets;
use crate::oauth2::error::{ErrorResponse, OAuthError};
use crate::oauth2::request::{ClientAuth, Params, allow_grant};
use crate::oauth2::tokens::{self, Issuer, TokenResponse};
use crate::registry::grants::revoke_on_reuse;
use crate::scopes::ScopeSet;
use crate::store::StoreError;
use crate::store::audit::Who;
use crate::store::grants::{self, TokenKind};

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
            let member = match live_member(tx, &grant)? {
                Ok(m) => m,
                Err(e) => return Ok(Err(e)),
            };
            t.used_at = Some(now);
            grants::put_token(tx, &digest, &t)?;
            let id_input = member.and_then(|u| id_token_input(&u, &scopes, None, t.auth_time, None));
            tokens::issue(tx, &iss, &grant, &scopes, true, id_input.as_ref(), t.auth_time).map(Ok)
        })
        .await
        .map_err(|e: StoreError| server_error(e))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::grants::fixture::{self, params};
    use serde_json::json;

    fn refused(r: Result<TokenResponse, ErrorResponse>, error: OAuthError, words: &str) {
        let e = r.unwrap_err();
        assert_eq!(e.error, error);
        assert!(e.description.contains(words), "{:?} lacks {words:?}", e.description);
    }

    fn refresh(value: &str, scope: Option<&str>) -> Params {
        let mut p = vec![("grant_type", "refresh_token"), ("refresh_token", value)];
        p.extend(scope.map(|s| ("scope", s)));
        params(&p)
    }

    #[tokio::test]
    async fn refresh_rotates_never_widens_and_a_reused_token_revokes_the_grant() {
        let f = fixture::start().await;
        let auth = f
            .client(json!({ "name": "Phone", "grants": ["password", "refresh_token"],
                            "scopes": ["profile", "posts:read"] }))
            .await;
        let grant = f.grant(&auth, "posts:read profile").await;
        let iss = Issuer::new(&f.app, &auth.client).unwrap();
        let first = f
            .app
            .store
            .write(move |tx| {
                tokens::issue(tx, &iss, &grant, &ScopeSet::parse("posts:read profile").unwrap(), true, None, 1)
            })
            .await
            .unwrap();
        let r1 = first.refresh_token.unwrap();

        let second = exchange(&f.app, &auth, &refresh(&r1, Some("profile")), String::new()).await.unwrap();
        assert_eq!(second.scope, "profile", "a refresh may narrow");
        let r2 = second.refresh_token.unwrap();
        assert_ne!(r2, r1, "rotated");
        refused(
            exchange(&f.app, &auth, &refresh(&r2, Some("profile posts:write")), String::new()).await,
            OAuthError::InvalidScope,
            "cannot widen",
        );
        // The client's own retry right after: refused, nothing revoked.
        refused(
            exchange(&f.app, &auth, &refresh(&r1, None), String::new()).await,
            OAuthError::InvalidGrant,
            "just used",
        );
        assert!(tokens::check_access(&f.app, &second.access_token).unwrap().is_some());

        // Later, the old token again: it leaked, and the whole grant goes.
        f.advance(f.app.config.refresh_reuse_grace.as_secs() + 1);
        refused(
            exchange(&f.app, &auth, &refresh(&r1, None), "10.0.0.4".into()).await,
            OAuthError::InvalidGrant,
            "already used; the grant is revoked",
        );
        assert!(tokens::check_access(&f.app, &second.access_token).unwrap().is_none());
        refused(exchange(&f.app, &auth, &refresh(&r2, None), String::new()).await, OAuthError::InvalidGrant, "unknown");
        let e = &f.audits()[0];
        assert_eq!((e.action.as_str(), e.ip.as_str()), ("grant.revoke.refresh_reuse", "10.0.0.4"));
        assert!(e.detail.starts_with("a rotated refresh token was used again"), "{}", e.detail);
    }

    #[tokio::test]
    async fn a_refresh_token_works_for_its_application_only_and_expires() {
        let f = fixture::start().await;
        let new = json!({ "name": "Phone", "grants": ["password", "refresh_token"], "scopes": ["profile"] });
        let auth = f.client(new.clone()).await;
        let other = f.client(new).await;
        let grant = f.grant(&auth, "profile").await;
        let iss = Issuer::new(&f.app, &auth.client).unwrap();
        let ttl = iss.refresh_ttl;
        let t = f
            .app
            .store
            .write(move |tx| tokens::issue(tx, &iss, &grant, &ScopeSet::parse("profile").unwrap(), true, None, 1))
            .await
            .unwrap();
        let rt = t.refresh_token.unwrap();
        refused(
            exchange(&f.app, &other, &refresh(&rt, None), String::new()).await,
            OAuthError::InvalidGrant,
            "not issued",
        );
        f.advance(ttl);
        refused(exchange(&f.app, &auth, &refresh(&rt, None), String::new()).await, OAuthError::InvalidGrant, "expired");
    }
}
