//! `authorization_code` (RFC 6749 §4.1.3) with PKCE (RFC 7636). A code
//! works once, within its lifetime, for the redirect URI it was issued
//! with; a second use revokes the grant (§4.1.2: "SHOULD revoke").

use super::{id_token_input, live_member, server_error, wants_refresh};
use crate::app::App;
use crate::auth::secrets;
use crate::oauth2::error::{ErrorResponse, OAuthError};
use crate::oauth2::pkce::{self, CodeChallengeMethod};
use crate::oauth2::request::{ClientAuth, Params, allow_grant};
use crate::oauth2::tokens::{self, Issuer, TokenResponse};
use crate::registry::grants::revoke_on_reuse;
use crate::store::StoreError;
use crate::store::audit::Who;
use crate::store::grants::{self, TokenKind};

fn invalid_grant(d: &str) -> ErrorResponse {
    ErrorResponse::new(OAuthError::InvalidGrant, d)
}

pub async fn exchange(app: &App, auth: &ClientAuth, p: &Params, ip: String) -> Result<TokenResponse, ErrorResponse> {
    allow_grant(&auth.client, "authorization_code")?;
    let code = p.require("code")?.to_string();
    let redirect_uri = p.get("redirect_uri").map(str::to_string);
    let verifier = p.get("code_verifier").map(str::to_string);
    let digest = secrets::digest(&code);
    let iss = Issuer::new(app, &auth.client)?;
    let client = auth.client.clone();
    let who = Who { actor: format!("client:{}", client.id), ip };
    app.store
        .write(move |tx| {
            let now = iss.now;
            let Some(mut t) = grants::token(tx, &digest)? else {
                return Ok(Err(invalid_grant("the code is unknown, expired or already used")));
            };
            if t.kind != TokenKind::Code || t.client != client.id {
                return Ok(Err(invalid_grant("the code was not issued to this application")));
            }
            if t.used_at.is_some() {
                let why = "an authorization code was used twice";
                revoke_on_reuse(tx, t.grant, now, &who, "grant.revoke.code_reuse", why)?;
                return Ok(Err(invalid_grant("the code was already used; the grant is revoked")));
            }
            if t.expired(now) {
                return Ok(Err(invalid_grant("the code has expired")));
            }
            if t.redirect_uri != redirect_uri {
                return Ok(Err(invalid_grant("redirect_uri differs from the authorization request")));
            }
            match (&t.pkce, &verifier) {
                (Some((method, challenge)), Some(v)) => {
                    let method: CodeChallengeMethod = method.parse().unwrap_or(CodeChallengeMethod::S256);
                    if pkce::validate_verifier(v).is_err() || !pkce::verify(method, v, challenge) {
                        return Ok(Err(invalid_grant("code_verifier does not match the code_challenge")));
                    }
                }
                (Some(_), None) => return Ok(Err(invalid_grant("code_verifier is missing"))),
                (None, Some(_)) => {
                    return Ok(Err(invalid_grant("no code_challenge was sent for this code")));
                }
                (None, None) => {}
            }
            let Some(grant) = grants::get(tx, t.grant)? else {
                return Ok(Err(invalid_grant("the grant was revoked")));
            };
            let member = match live_member(tx, &grant)? {
                Ok(m) => m,
                Err(e) => return Ok(Err(e)),
            };
            // Kept (used) until it expires, so a second use is recognised.
            t.used_at = Some(now);
            grants::put_token(tx, &digest, &t)?;
            let scopes = t.scopes.intersection(&iss.allowed);
            let id_input = member.and_then(|u| id_token_input(&u, &scopes, t.nonce.clone(), t.auth_time, None));
            let refresh = wants_refresh(&client, &scopes);
            let refresh = refresh.then_some(&scopes);
            tokens::issue(tx, &iss, &grant, &scopes, refresh, id_input.as_ref(), t.auth_time).map(Ok)
        })
        .await
        .map_err(|e: StoreError| server_error(e))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::grants::fixture::{self, NOW, params};
    use crate::store::grants::Token;
    use serde_json::json;

    const CB: &str = "https://app.example/cb";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    /// A code for `grant`, with PKCE (S256 of `VERIFIER`), as the consent page stores it.
    async fn code(f: &fixture::Fixture, grant: &crate::store::grants::Grant, value: &str) {
        let t = Token {
            kind: TokenKind::Code,
            grant: grant.id,
            client: grant.client,
            user: grant.user,
            scopes: grant.scopes.clone(),
            issued_at: NOW,
            expires_at: Some(NOW + 60),
            redirect_uri: Some(CB.into()),
            pkce: Some(("S256".into(), pkce::challenge_s256(VERIFIER))),
            nonce: None,
            auth_time: NOW,
            used_at: None,
            secret: None,
            replay: None,
        };
        let digest = secrets::digest(value);
        f.app.store.write(move |tx| grants::put_token(tx, &digest, &t)).await.unwrap();
    }

    fn refused(r: Result<TokenResponse, ErrorResponse>, words: &str) {
        let e = r.unwrap_err();
        assert_eq!(e.error, OAuthError::InvalidGrant);
        assert!(e.description.contains(words), "{:?} lacks {words:?}", e.description);
    }

    #[tokio::test]
    async fn a_code_needs_its_pkce_verifier_works_once_and_a_reuse_revokes_the_grant() {
        let f = fixture::start().await;
        let auth = f
            .client(json!({ "name": "Web", "redirect_uris": [CB], "grants": ["authorization_code", "refresh_token"],
                            "scopes": ["profile"] }))
            .await;
        let grant = f.grant(&auth, "profile").await;
        code(&f, &grant, "lkac_one").await;
        let ask = |verifier: Option<&str>, redirect: &str| {
            let mut p = vec![("grant_type", "authorization_code"), ("code", "lkac_one"), ("redirect_uri", redirect)];
            p.extend(verifier.map(|v| ("code_verifier", v)));
            params(&p)
        };
        let ip = || "10.0.0.3".to_string();
        refused(exchange(&f.app, &auth, &ask(None, CB), ip()).await, "code_verifier is missing");
        let wrong = "x".repeat(43);
        refused(exchange(&f.app, &auth, &ask(Some(&wrong), CB), ip()).await, "does not match the code_challenge");
        let elsewhere = "https://app.example/other";
        refused(exchange(&f.app, &auth, &ask(Some(VERIFIER), elsewhere), ip()).await, "redirect_uri differs");

        let t = exchange(&f.app, &auth, &ask(Some(VERIFIER), CB), ip()).await.unwrap();
        assert_eq!((t.token_type.as_str(), t.scope.as_str()), ("Bearer", "profile"));
        assert!(t.refresh_token.is_some() && t.id_token.is_none());
        let info = tokens::check_access(&f.app, &t.access_token).unwrap().unwrap();
        assert_eq!((info.grant, info.user), (grant.id, Some(f.user)));

        refused(exchange(&f.app, &auth, &ask(Some(VERIFIER), CB), ip()).await, "already used; the grant is revoked");
        assert!(tokens::check_access(&f.app, &t.access_token).unwrap().is_none(), "the grant's tokens died");
        let e = &f.audits()[0];
        assert_eq!((e.action.as_str(), e.ip.as_str()), ("grant.revoke.code_reuse", "10.0.0.3"));
        assert_eq!(e.actor, format!("client:{}", auth.client.id));
    }

    #[tokio::test]
    async fn a_code_expires_and_belongs_to_its_application() {
        let f = fixture::start().await;
        let web = json!({ "name": "Web", "redirect_uris": [CB], "scopes": ["profile"] });
        let auth = f.client(web.clone()).await;
        let other = f.client(web).await;
        let grant = f.grant(&auth, "profile").await;
        code(&f, &grant, "lkac_two").await;
        let p = params(&[
            ("grant_type", "authorization_code"),
            ("code", "lkac_two"),
            ("redirect_uri", CB),
            ("code_verifier", VERIFIER),
        ]);
        refused(exchange(&f.app, &other, &p, String::new()).await, "not issued to this application");
        refused(exchange(&f.app, &auth, &params(&[("code", "lkac_none")]), String::new()).await, "unknown");
        f.advance(61);
        refused(exchange(&f.app, &auth, &p, String::new()).await, "expired");
    }
}
