//! `authorization_code` (RFC 6749 §4.1.3) with PKCE (RFC 7636). A code
//! works once, within its lifetime, for the redirect URI it was issued
//! with; a second use revokes the grant (§4.1.2: "SHOULD revoke").

use super::{id_token_input, server_error, wants_refresh};
use crate::app::App;
use crate::auth::secrets;
use crate::oauth2::error::{ErrorResponse, OAuthError};
use crate::oauth2::pkce::{self, CodeChallengeMethod};
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
            // Kept (used) until it expires, so a second use is recognised.
            t.used_at = Some(now);
            grants::put_token(tx, &digest, &t)?;
            let scopes = ScopeSet::parse(&t.scopes).unwrap_or_default();
            let id_input = match grant.user {
                Some(uid) => {
                    users::get(tx, uid)?.and_then(|u| id_token_input(&u, &scopes, t.nonce.clone(), t.auth_time, None))
                }
                None => None,
            };
            let refresh = wants_refresh(&client, &scopes);
            tokens::issue(tx, &iss, &grant, &scopes, refresh, id_input.as_ref(), t.auth_time).map(Ok)
        })
        .await
        .map_err(|e: StoreError| server_error(e))?
}
