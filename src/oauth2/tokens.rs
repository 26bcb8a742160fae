//! Issuing and checking tokens. Access tokens are opaque (a random value
//! whose digest is stored, revocable at once) or RFC 9068 JWTs (signed with
//! the application's algorithm, not stored; the API still refuses them once
//! their grant is revoked). Refresh tokens and codes are always opaque.

use super::error::{ErrorResponse, OAuthError};
use crate::app::App;
use crate::auth::secrets;
use crate::clock::Timestamp;
use crate::keys::{self, Algorithm, VerifyOptions};
use crate::scopes::ScopeSet;
use crate::store::clients::{self, Client, TokenFormat};
use crate::store::grants::{self, Grant, Token, TokenKind};
use crate::store::users::{self, User};
use crate::store::{ClientId, GrantId, StoreError, UserId, WriteTransaction};
use serde::{Deserialize, Serialize};

/// RFC 6749 §5.1, plus OpenID Connect's `id_token`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// Everything issuing needs, owned, so it can move into a write closure.
#[derive(Clone)]
pub struct Issuer {
    pub iss: String,
    pub audience: String,
    pub now: Timestamp,
    pub access_ttl: u64,
    pub refresh_ttl: u64,
    pub format: TokenFormat,
    pub key: Option<std::sync::Arc<crate::keys::signer::Signer>>,
    pub client_id: String,
    /// What the application is registered for now, expanded: every issue
    /// is cut down to it, so a scope taken off the registration stops
    /// being issued at once, refreshes included.
    pub allowed: ScopeSet,
}

/// What an id_token needs besides the grant.
#[derive(Clone)]
pub struct IdTokenInput {
    pub user: User,
    pub nonce: Option<String>,
    pub auth_time: Timestamp,
    pub code: Option<String>,
    pub profile: bool,
    pub email: bool,
}

impl Issuer {
    pub fn new(app: &App, client: &Client) -> Result<Issuer, ErrorResponse> {
        let o = client.oauth2.as_ref().ok_or_else(|| {
            ErrorResponse::new(OAuthError::UnauthorizedClient, "this application has no OAuth 2.0 registration")
        })?;
        let alg: Algorithm = o.signing_alg.parse().unwrap_or(Algorithm::EdDSA);
        Ok(Issuer {
            iss: issuer(app),
            audience: app.config.url("api"),
            now: app.now(),
            access_ttl: o.access_ttl.unwrap_or(app.config.access_token_lifetime.as_secs()),
            refresh_ttl: o.refresh_ttl.unwrap_or(app.config.refresh_token_lifetime.as_secs()),
            format: o.token_format,
            key: app.keyring.active(alg),
            client_id: o.client_id.clone(),
            allowed: client.scopes.expand(),
        })
    }
}

/// The issuer identifier: the public URL without its trailing slash.
pub fn issuer(app: &App) -> String {
    app.config.public_url.as_str().trim_end_matches('/').to_string()
}

#[derive(Serialize)]
struct AccessClaims<'a> {
    iss: &'a str,
    sub: String,
    aud: &'a str,
    client_id: &'a str,
    scope: &'a str,
    jti: String,
    exp: Timestamp,
    iat: Timestamp,
    /// The grant, so the API can refuse the token once the grant is revoked.
    gid: String,
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// An RFC 9068 access token; nothing is stored.
fn jwt_access(iss: &Issuer, grant: &Grant, scope: &str) -> Result<String, StoreError> {
    let key = iss.key.as_ref().ok_or_else(|| internal("no signing key is loaded"))?;
    let claims = AccessClaims {
        iss: &iss.iss,
        sub: grant.user.map(|u| u.to_string()).unwrap_or_else(|| iss.client_id.clone()),
        aud: &iss.audience,
        client_id: &iss.client_id,
        scope,
        jti: secrets::token(),
        exp: iss.now + iss.access_ttl as i64,
        iat: iss.now,
        gid: grant.id.to_string(),
    };
    key.sign("at+jwt", &claims).map_err(internal)
}

/// A JWT access token under an existing grant that already covers
/// `scopes`, without a write: for the application's own grant, where
/// nothing else would change.
pub fn jwt_without_write(iss: &Issuer, grant: &Grant, scopes: &ScopeSet) -> Result<TokenResponse, StoreError> {
    let scope = scopes.intersection(&iss.allowed).to_string();
    Ok(TokenResponse {
        access_token: jwt_access(iss, grant, &scope)?,
        token_type: "Bearer".into(),
        expires_in: iss.access_ttl,
        refresh_token: None,
        scope,
        id_token: None,
    })
}

/// Makes an access token for `scopes` (and a refresh token for `refresh`,
/// when asked: a refresh keeps its scope while the access token narrows,
/// RFC 6749 §6) under `grant`, both cut down to the registration.
/// `auth_time` is when the member signed in; refreshed tokens keep the
/// original (OpenID Connect Core §12.2).
pub fn issue(
    tx: &WriteTransaction,
    iss: &Issuer,
    grant: &Grant,
    scopes: &ScopeSet,
    refresh: Option<&ScopeSet>,
    id_token: Option<&IdTokenInput>,
    auth_time: Timestamp,
) -> Result<TokenResponse, StoreError> {
    crate::store::stats::bump(tx, crate::store::stats::TOKENS_OAUTH2, iss.now, 1)?;
    let access_scopes = scopes.intersection(&iss.allowed);
    let scope = access_scopes.to_string();
    let access_token = match iss.format {
        TokenFormat::Opaque => {
            let value = format!("lkat_{}", secrets::token());
            let token = Token {
                kind: TokenKind::Access,
                grant: grant.id,
                client: grant.client,
                user: grant.user,
                scopes: access_scopes,
                issued_at: iss.now,
                expires_at: Some(iss.now + iss.access_ttl as i64),
                redirect_uri: None,
                pkce: None,
                nonce: None,
                auth_time,
                used_at: None,
                secret: None,
                replay: None,
            };
            grants::put_token(tx, &secrets::digest(&value), &token)?;
            value
        }
        TokenFormat::Jwt => jwt_access(iss, grant, &scope)?,
    };
    let refresh_token = if let Some(refresh) = refresh {
        let value = format!("lkrt_{}", secrets::token());
        let token = Token {
            kind: TokenKind::Refresh,
            grant: grant.id,
            client: grant.client,
            user: grant.user,
            scopes: refresh.intersection(&iss.allowed),
            issued_at: iss.now,
            expires_at: Some(iss.now + iss.refresh_ttl as i64),
            redirect_uri: None,
            pkce: None,
            nonce: None,
            auth_time,
            used_at: None,
            secret: None,
            replay: None,
        };
        grants::put_token(tx, &secrets::digest(&value), &token)?;
        Some(value)
    } else {
        None
    };
    let id_token = match id_token {
        Some(input) => Some(make_id_token(iss, input, &access_token)?),
        None => None,
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: iss.access_ttl,
        refresh_token,
        scope,
        id_token,
    })
}

fn make_id_token(iss: &Issuer, input: &IdTokenInput, access_token: &str) -> Result<String, StoreError> {
    let key = iss.key.as_ref().ok_or_else(|| internal("no signing key is loaded"))?;
    let mut claims = serde_json::json!({
        "iss": iss.iss,
        "sub": input.user.id.to_string(),
        "aud": iss.client_id,
        "azp": iss.client_id,
        "exp": iss.now + iss.access_ttl as i64,
        "iat": iss.now,
        "auth_time": input.auth_time,
        "at_hash": keys::at_hash(key.alg, access_token),
    });
    if let Some(n) = &input.nonce {
        claims["nonce"] = n.clone().into();
    }
    if let Some(c) = &input.code {
        claims["c_hash"] = keys::c_hash(key.alg, c).into();
    }
    if input.profile {
        claims["name"] = input.user.display_name.clone().into();
        claims["preferred_username"] = input.user.username.clone().into();
    }
    if input.email && !input.user.email.is_empty() {
        claims["email"] = input.user.email.clone().into();
    }
    key.sign("JWT", &claims).map_err(internal)
}

/// What a valid access token stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessInfo {
    pub grant: GrantId,
    pub client: ClientId,
    pub client_id: String,
    pub user: Option<UserId>,
    pub scopes: ScopeSet,
    pub issued_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub jwt: bool,
    /// The member behind the token, read in the same transaction (moved
    /// into `Caller::user` by the extractor).
    pub member: Option<User>,
}

/// The token's application if it is enabled, with the member behind the
/// token, read in the caller's transaction.
fn live_client_and_member(
    tx: &crate::store::ReadTransaction,
    client: ClientId,
    user: Option<UserId>,
) -> Result<Option<(Client, Option<User>)>, StoreError> {
    let Some(client) = clients::get(tx, client)?.filter(|c| c.enabled) else {
        return Ok(None);
    };
    let member = match user {
        Some(u) => users::get(tx, u)?,
        None => None,
    };
    Ok(Some((client, member)))
}

/// Checks an access token of either format. `None`: not a live token.
pub fn check_access(app: &App, token: &str) -> Result<Option<AccessInfo>, StoreError> {
    let now = app.now();
    if token.len() > 4096 {
        return Ok(None);
    }
    if token.split('.').count() == 3 {
        let iss = issuer(app);
        let options = VerifyOptions { now, issuer: &iss, audience: None, typ: Some("at+jwt"), leeway: 0 };
        let Ok(claims) = keys::verify_cached(token, &app.keyring.public_keys(), &options) else {
            return Ok(None);
        };
        let Some(gid) = claims["gid"].as_str().and_then(|g| g.parse::<u64>().ok()) else {
            return Ok(None);
        };
        return app.store.read(|tx| {
            let Some(grant) = grants::get(tx, GrantId(gid))? else {
                return Ok(None);
            };
            let Some((client, member)) = live_client_and_member(tx, grant.client, grant.user)? else {
                return Ok(None);
            };
            Ok(Some(AccessInfo {
                member,
                grant: grant.id,
                client: client.id,
                client_id: claims["client_id"].as_str().unwrap_or_default().to_string(),
                user: grant.user,
                // Signed here, so read as stored: leniently.
                scopes: ScopeSet::parse_lenient(claims["scope"].as_str().unwrap_or_default()),
                issued_at: claims["iat"].as_i64().unwrap_or(0),
                expires_at: claims["exp"].as_i64(),
                jwt: true,
            }))
        });
    }
    let digest = secrets::digest(token);
    app.store.read(|tx| {
        let Some(t) = grants::token(tx, &digest)? else {
            return Ok(None);
        };
        if t.kind != TokenKind::Access || t.expired(now) {
            return Ok(None);
        }
        let Some((client, member)) = live_client_and_member(tx, t.client, t.user)? else {
            return Ok(None);
        };
        Ok(Some(AccessInfo {
            member,
            grant: t.grant,
            client: t.client,
            client_id: client.oauth2.map(|o| o.client_id).unwrap_or_default(),
            user: t.user,
            scopes: t.scopes,
            issued_at: t.issued_at,
            expires_at: t.expires_at,
            jwt: false,
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::grants::fixture;
    use crate::registry::grants::{self as registry, Reason};
    use crate::store::audit::Who;
    use serde_json::json;

    async fn issued(f: &fixture::Fixture, iss: Issuer, grant: Grant, scopes: &str) -> TokenResponse {
        let scopes = ScopeSet::parse(scopes).unwrap();
        f.app.store.write(move |tx| issue(tx, &iss, &grant, &scopes, None, None, fixture::NOW)).await.unwrap()
    }

    #[tokio::test]
    async fn an_opaque_access_token_is_checked_against_the_store_and_expires() {
        let f = fixture::start().await;
        let auth = f.client(json!({ "name": "Web", "grants": ["password"], "scopes": ["profile"] })).await;
        let grant = f.grant(&auth, "profile").await;
        let iss = Issuer::new(&f.app, &auth.client).unwrap();
        let ttl = iss.access_ttl;
        let t = issued(&f, iss, grant.clone(), "profile").await;
        assert!(t.access_token.starts_with("lkat_") && t.refresh_token.is_none());
        assert_eq!(t.expires_in, ttl);
        let info = check_access(&f.app, &t.access_token).unwrap().unwrap();
        assert_eq!(
            (info.grant, info.user, info.scopes.to_string().as_str(), info.jwt),
            (grant.id, Some(f.user), "profile", false)
        );
        assert_eq!(info.expires_at, Some(fixture::NOW + ttl as i64));
        assert_eq!(info.member.unwrap().username, "kim");
        assert!(check_access(&f.app, "lkat_not-a-token").unwrap().is_none());
        f.advance(ttl - 1);
        assert!(check_access(&f.app, &t.access_token).unwrap().is_some());
        f.advance(1);
        assert!(check_access(&f.app, &t.access_token).unwrap().is_none(), "expired at its lifetime");
    }

    #[tokio::test]
    async fn a_jwt_access_token_is_verified_expires_and_dies_with_its_grant() {
        let f = fixture::start().await;
        f.app.load_keys().await.unwrap();
        let auth = f
            .client(json!({ "name": "Api", "grants": ["password"], "scopes": ["profile"], "token_format": "jwt" }))
            .await;
        let grant = f.grant(&auth, "profile").await;
        let iss = Issuer::new(&f.app, &auth.client).unwrap();
        let ttl = iss.access_ttl;
        let t = issued(&f, iss.clone(), grant.clone(), "profile").await;
        assert_eq!(t.access_token.split('.').count(), 3);
        let info = check_access(&f.app, &t.access_token).unwrap().unwrap();
        assert_eq!(
            (info.grant, info.user, info.scopes.to_string().as_str(), info.jwt),
            (grant.id, Some(f.user), "profile", true)
        );
        assert_eq!(info.client_id, auth.client.oauth2.as_ref().unwrap().client_id);
        let (signed, signature) = t.access_token.rsplit_once('.').unwrap();
        let other = if signature.starts_with('A') { "B" } else { "A" };
        let forged = format!("{signed}.{other}{}", &signature[1..]);
        assert!(check_access(&f.app, &forged).unwrap().is_none(), "the signature is checked");
        f.advance(ttl);
        assert!(check_access(&f.app, &t.access_token).unwrap().is_none(), "expired");

        // Nothing is stored for a JWT, yet revoking its grant ends it.
        let iss = Issuer::new(&f.app, &auth.client).unwrap();
        let t = issued(&f, iss, grant.clone(), "profile").await;
        assert!(check_access(&f.app, &t.access_token).unwrap().is_some());
        let (id, now) = (grant.id, f.app.now());
        f.app.store.write(move |tx| registry::revoke(tx, id, now, &Who::cli(), Reason::Admin)).await.unwrap();
        assert!(check_access(&f.app, &t.access_token).unwrap().is_none());
    }
}
