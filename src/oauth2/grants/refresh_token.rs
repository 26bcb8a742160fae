//! `refresh_token` (RFC 6749 §6) with rotation: every use returns a new
//! refresh token and retires the old one. A retired token presented again
//! within the reuse grace is the client retrying a response it lost: it
//! gets the very same response again, kept sealed on the retired token
//! until the grace ends. Presented after that, the token leaked: the whole
//! grant is revoked and the event audited. A grace of zero keeps nothing,
//! and any second use revokes.
//!
//! The new refresh token carries the old one's scope unchanged; only the
//! access token narrows to a requested `scope` (RFC 6749 §6). Both are cut
//! down to what the application is registered for now (see `tokens::issue`).

use super::{id_token_input, live_member, server_error};
use crate::app::App;
use crate::auth::{sealing, secrets};
use crate::oauth2::error::{ErrorResponse, OAuthError};
use crate::oauth2::request::{ClientAuth, Params, allow_grant};
use crate::oauth2::tokens::{self, Issuer, TokenResponse};
use crate::registry::grants::revoke_on_reuse;
use crate::scopes::ScopeSet;
use crate::store::StoreError;
use crate::store::audit::Who;
use crate::store::grants::{self, Replay, TokenKind};

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
    let sealer = app.sealer.clone();
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
                if grace > 0 && now - used <= grace {
                    let context = sealing::context::refresh_replay(&digest);
                    let kept = t.replay.as_ref().filter(|r| now <= r.until);
                    let again = kept.and_then(|r| sealer.open(&context, &r.sealed).ok());
                    if let Some(again) = again.and_then(|json| serde_json::from_str(&json).ok()) {
                        return Ok(Ok(again));
                    }
                    // Nothing kept (the grant was narrowed since): refused, nothing revoked.
                    return Ok(Err(invalid_grant("the refresh token was just used; use the new one")));
                }
                let why = "a rotated refresh token was used again";
                revoke_on_reuse(tx, t.grant, now, &who, "grant.revoke.refresh_reuse", why)?;
                return Ok(Err(invalid_grant("the refresh token was already used; the grant is revoked")));
            }
            let held = t.scopes.clone();
            let scopes = match &asked {
                Some(a) if !a.is_subset(&held) => {
                    return Ok(Err(ErrorResponse::new(OAuthError::InvalidScope, "a refresh cannot widen the scope")));
                }
                Some(a) => a.intersection(&iss.allowed),
                None => held.intersection(&iss.allowed),
            };
            if scopes.is_empty() {
                return Ok(Err(ErrorResponse::new(
                    OAuthError::InvalidScope,
                    "the application is no longer registered for any scope this refresh token carries",
                )));
            }
            let Some(grant) = grants::get(tx, t.grant)? else {
                return Ok(Err(invalid_grant("the grant was revoked")));
            };
            let member = match live_member(tx, &grant)? {
                Ok(m) => m,
                Err(e) => return Ok(Err(e)),
            };
            let id_input = member.and_then(|u| id_token_input(&u, &scopes, None, t.auth_time, None));
            let issued = tokens::issue(tx, &iss, &grant, &scopes, Some(&held), id_input.as_ref(), t.auth_time)?;
            t.used_at = Some(now);
            t.replay = if grace > 0 {
                let json = serde_json::to_string(&issued).map_err(|e| StoreError::Internal(e.to_string()))?;
                let sealed = sealer
                    .seal(&sealing::context::refresh_replay(&digest), &json)
                    .map_err(|e| StoreError::Internal(format!("cannot seal the refresh replay: {e}")))?;
                Some(Replay { until: now + grace, sealed })
            } else {
                None
            };
            grants::put_token(tx, &digest, &t)?;
            Ok(Ok(issued))
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
        let first = f.issue(&auth, grant, "posts:read profile").await;
        let r1 = first.refresh_token.unwrap();

        let second = exchange(&f.app, &auth, &refresh(&r1, Some("profile")), String::new()).await.unwrap();
        assert_eq!(second.scope, "profile", "a refresh may narrow");
        let r2 = second.refresh_token.clone().unwrap();
        assert_ne!(r2, r1, "rotated");
        refused(
            exchange(&f.app, &auth, &refresh(&r2, Some("profile posts:write")), String::new()).await,
            OAuthError::InvalidScope,
            "cannot widen",
        );
        // The client's own retry right after: the same response again, nothing revoked.
        let again = exchange(&f.app, &auth, &refresh(&r1, None), String::new()).await.unwrap();
        assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&second).unwrap());
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

    /// Kim's grant of `scopes` to a refresh-capable application registered
    /// for `registered`, and a first refresh token for all of `scopes`.
    async fn first_refresh(f: &fixture::Fixture, registered: &[&str], scopes: &str) -> (ClientAuth, String) {
        let auth =
            f.client(json!({ "name": "Phone", "grants": ["password", "refresh_token"], "scopes": registered })).await;
        let grant = f.grant(&auth, scopes).await;
        let first = f.issue(&auth, grant, scopes).await;
        (auth, first.refresh_token.unwrap())
    }

    fn stored_scope(f: &fixture::Fixture, token: &str) -> String {
        let digest = secrets::digest(token);
        f.app.store.read(|tx| grants::token(tx, &digest)).unwrap().unwrap().scopes.to_string()
    }

    #[tokio::test]
    async fn a_narrower_refresh_narrows_the_access_token_only() {
        let f = fixture::start().await;
        let (auth, r1) = first_refresh(&f, &["profile", "posts:read"], "posts:read profile").await;
        let second = exchange(&f.app, &auth, &refresh(&r1, Some("profile")), String::new()).await.unwrap();
        assert_eq!(second.scope, "profile");
        assert_eq!(stored_scope(&f, &second.access_token), "profile");
        let r2 = second.refresh_token.unwrap();
        assert_eq!(stored_scope(&f, &r2), "posts:read profile", "RFC 6749 section 6: the same scope as the old one");
        let third = exchange(&f.app, &auth, &refresh(&r2, None), String::new()).await.unwrap();
        assert_eq!(third.scope, "posts:read profile");
    }

    #[tokio::test]
    async fn a_scope_taken_off_the_registration_is_not_issued_on_refresh() {
        let f = fixture::start().await;
        let (mut auth, r1) = first_refresh(&f, &["profile", "posts:read"], "posts:read profile").await;
        let mut client = auth.client.clone();
        client.scopes = ScopeSet::parse("profile").unwrap();
        f.app.store.write(move |tx| crate::store::clients::put(tx, &mut client.clone())).await.unwrap();
        let id = auth.client.id;
        auth.client = f.app.store.read(|tx| crate::store::clients::get(tx, id)).unwrap().unwrap();
        let second = exchange(&f.app, &auth, &refresh(&r1, None), String::new()).await.unwrap();
        assert_eq!(second.scope, "profile");
        let r2 = second.refresh_token.unwrap();
        assert_eq!(stored_scope(&f, &r2), "profile");
        // Asking for the removed scope explicitly does not bring it back.
        let third = exchange(&f.app, &auth, &refresh(&r2, Some("posts:read")), String::new()).await;
        refused(third, OAuthError::InvalidScope, "cannot widen");
        // With every scope of the token taken off, nothing is issued.
        let mut client = auth.client.clone();
        client.scopes = ScopeSet::parse("posts:read").unwrap();
        f.app.store.write(move |tx| crate::store::clients::put(tx, &mut client.clone())).await.unwrap();
        auth.client = f.app.store.read(|tx| crate::store::clients::get(tx, id)).unwrap().unwrap();
        let fourth = exchange(&f.app, &auth, &refresh(&r2, None), String::new()).await;
        refused(fourth, OAuthError::InvalidScope, "no longer registered");
    }

    #[tokio::test]
    async fn a_retry_within_the_grace_is_answered_again_until_the_sweep_or_the_grace_ends() {
        let f = fixture::start().await;
        let (auth, r1) = first_refresh(&f, &["profile"], "profile").await;
        let second = exchange(&f.app, &auth, &refresh(&r1, None), String::new()).await.unwrap();
        let grace = f.app.config.refresh_reuse_grace.as_secs();
        f.advance(grace);
        let again = exchange(&f.app, &auth, &refresh(&r1, Some("profile")), String::new()).await.unwrap();
        assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&second).unwrap());
        // The response is kept sealed, and only until the grace ends.
        let digest = secrets::digest(&r1);
        let kept = f.app.store.read(|tx| grants::token(tx, &digest)).unwrap().unwrap().replay.unwrap();
        assert_eq!(kept.until, fixture::NOW + grace as i64);
        assert!(!String::from_utf8_lossy(&kept.sealed).contains(&second.access_token));
        let swept = f.app.store.write(move |tx| grants::sweep_expired(tx, fixture::NOW + grace as i64 + 1)).await;
        assert_eq!(swept.unwrap(), 0, "the token stays, to recognise a reuse");
        let t = f.app.store.read(|tx| grants::token(tx, &digest)).unwrap().unwrap();
        assert_eq!((t.replay, t.used_at), (None, Some(fixture::NOW)));
        f.advance(1);
        refused(
            exchange(&f.app, &auth, &refresh(&r1, None), String::new()).await,
            OAuthError::InvalidGrant,
            "already used; the grant is revoked",
        );
        assert!(tokens::check_access(&f.app, &second.access_token).unwrap().is_none());
    }

    #[tokio::test]
    async fn with_no_grace_any_second_use_revokes() {
        let mut f = fixture::start().await;
        let mut config = (*f.app.config).clone();
        config.refresh_reuse_grace = std::time::Duration::ZERO;
        f.app.config = std::sync::Arc::new(config);
        let (auth, r1) = first_refresh(&f, &["profile"], "profile").await;
        let second = exchange(&f.app, &auth, &refresh(&r1, None), String::new()).await.unwrap();
        let digest = secrets::digest(&r1);
        assert_eq!(f.app.store.read(|tx| grants::token(tx, &digest)).unwrap().unwrap().replay, None, "nothing kept");
        refused(
            exchange(&f.app, &auth, &refresh(&r1, None), String::new()).await,
            OAuthError::InvalidGrant,
            "already used; the grant is revoked",
        );
        assert!(tokens::check_access(&f.app, &second.access_token).unwrap().is_none());
    }

    #[tokio::test]
    async fn a_refresh_token_works_for_its_application_only_and_expires() {
        let f = fixture::start().await;
        let new = json!({ "name": "Phone", "grants": ["password", "refresh_token"], "scopes": ["profile"] });
        let auth = f.client(new.clone()).await;
        let other = f.client(new).await;
        let grant = f.grant(&auth, "profile").await;
        let ttl = Issuer::new(&f.app, &auth.client).unwrap().refresh_ttl;
        let t = f.issue(&auth, grant, "profile").await;
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
