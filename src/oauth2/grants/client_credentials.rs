//! `client_credentials` (RFC 6749 §4.4): a confidential application acting
//! for itself, under its own grant with no member. No refresh token.

use super::{allowed_scopes, requested_scopes, server_error};
use crate::app::App;
use crate::oauth2::error::{ErrorResponse, OAuthError};
use crate::oauth2::request::{ClientAuth, Params, allow_grant};
use crate::oauth2::tokens::{self, Issuer, TokenResponse};
use crate::registry::grants::{How, approve};
use crate::scopes::ScopeSet;
use crate::store::clients::TokenFormat;
use crate::store::{StoreError, grants};

/// Scopes that only make sense with a member behind them.
const MEMBER_ONLY: &[&str] = &["openid", "offline_access", "email"];

pub async fn exchange(app: &App, auth: &ClientAuth, p: &Params) -> Result<TokenResponse, ErrorResponse> {
    allow_grant(&auth.client, "client_credentials")?;
    if !auth.confidential {
        return Err(ErrorResponse::new(
            OAuthError::UnauthorizedClient,
            "client_credentials needs a confidential client",
        ));
    }
    let default: ScopeSet = allowed_scopes(&auth.client)
        .iter()
        .filter(|s| !MEMBER_ONLY.contains(s))
        .collect::<Vec<_>>()
        .join(" ")
        .parse()
        .unwrap_or_default();
    let scopes = requested_scopes(&auth.client, p.get("scope"), default)?;
    if let Some(s) = MEMBER_ONLY.iter().find(|s| scopes.contains(s)) {
        return Err(ErrorResponse::new(
            OAuthError::InvalidScope,
            format!("{s} needs a member; client_credentials has none"),
        ));
    }
    let iss = Issuer::new(app, &auth.client)?;
    let client = auth.client.id;
    // The application's own grant usually exists and already covers the
    // scopes: find it on a read transaction, so the writer only stores the
    // token (or, for a JWT, nothing at all).
    let existing = app.store.read(|tx| grants::find(tx, None, client)).map_err(server_error)?;
    if let Some(g) = existing.filter(|g| scopes.is_subset(&g.scopes)) {
        if iss.format == TokenFormat::Jwt {
            // Counted for the dashboard with the next "last used" batch.
            app.usage.issued(iss.now);
            return tokens::jwt_without_write(&iss, &g, &scopes).map_err(server_error);
        }
        let (iss, scopes, gid) = (iss.clone(), scopes.clone(), g.id);
        let issued = app
            .store
            .write(move |tx| match grants::get(tx, gid)? {
                Some(g) => tokens::issue(tx, &iss, &g, &scopes, None, None, iss.now).map(Some),
                // Revoked since the read: make a new one below.
                None => Ok(None),
            })
            .await
            .map_err(|e: StoreError| server_error(e))?;
        if let Some(t) = issued {
            return Ok(t);
        }
    }
    app.store
        .write(move |tx| {
            let grant = approve(tx, None, client, &scopes, iss.now, How::Unattended)?;
            tokens::issue(tx, &iss, &grant, &scopes, None, None, iss.now)
        })
        .await
        .map_err(|e: StoreError| server_error(e))
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

    #[tokio::test]
    async fn client_credentials_keep_to_registered_scopes_without_a_member() {
        let f = fixture::start().await;
        let auth =
            f.client(json!({ "name": "Robot", "grants": ["client_credentials"], "scopes": ["read", "openid"] })).await;
        let cc = |scope: Option<&str>| {
            let mut p = vec![("grant_type", "client_credentials")];
            p.extend(scope.map(|s| ("scope", s)));
            params(&p)
        };
        // No scope asked: everything registered that needs no member.
        let t = exchange(&f.app, &auth, &cc(None)).await.unwrap();
        let got = ScopeSet::parse(&t.scope).unwrap();
        assert!(got.contains("posts:read") && !got.contains("openid"), "{}", t.scope);
        assert!(t.refresh_token.is_none() && t.id_token.is_none());
        let info = tokens::check_access(&f.app, &t.access_token).unwrap().unwrap();
        assert_eq!(info.user, None, "the application's own grant");

        let narrow = exchange(&f.app, &auth, &cc(Some("posts:read"))).await.unwrap();
        assert_eq!(narrow.scope, "posts:read");
        let again = tokens::check_access(&f.app, &narrow.access_token).unwrap().unwrap();
        assert_eq!(again.grant, info.grant, "one grant, reused");

        refused(exchange(&f.app, &auth, &cc(Some("openid"))).await, OAuthError::InvalidScope, "needs a member");
        refused(exchange(&f.app, &auth, &cc(Some("posts:write"))).await, OAuthError::InvalidScope, "not registered");
        let public = ClientAuth { client: auth.client.clone(), confidential: false, basic: false };
        refused(exchange(&f.app, &public, &cc(None)).await, OAuthError::UnauthorizedClient, "confidential client");
        let web = f.client(json!({ "name": "Web", "grants": ["password"], "scopes": ["read"] })).await;
        assert_eq!(exchange(&f.app, &web, &cc(None)).await.unwrap_err().error, OAuthError::UnauthorizedClient);
    }
}
