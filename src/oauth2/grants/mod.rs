//! One file per grant type. Each checks what RFC 6749 asks of its request,
//! then issues tokens in one write transaction.

pub mod authorization_code;
pub mod client_credentials;
pub mod password;
pub mod refresh_token;

use super::error::{ErrorResponse, OAuthError};
use super::tokens::IdTokenInput;
use crate::scopes::ScopeSet;
use crate::store::clients::Client;
use crate::store::users::User;

pub fn server_error(e: impl std::fmt::Display) -> ErrorResponse {
    tracing::error!(error = %e, "token request failed");
    ErrorResponse::new(OAuthError::ServerError, "the server could not complete the request; nothing was issued")
}

/// The scopes the application may hold, expanded.
pub fn allowed_scopes(client: &Client) -> ScopeSet {
    client.scopes.expand()
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

/// The member a grant acts for, read in the grant's transaction: `Ok(None)`
/// for an application's own grant, and `invalid_grant` when the member was
/// disabled or deleted since (RFC 6749 §5.2: the grant is no longer valid).
pub fn live_member(
    tx: &crate::store::WriteTransaction,
    grant: &crate::store::grants::Grant,
) -> Result<Result<Option<User>, ErrorResponse>, crate::store::StoreError> {
    let Some(uid) = grant.user else { return Ok(Ok(None)) };
    Ok(match crate::store::users::get(tx, uid)? {
        Some(u) if !u.disabled => Ok(Some(u)),
        _ => Err(ErrorResponse::new(OAuthError::InvalidGrant, "the member is disabled or no longer exists")),
    })
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

/// What the unit tests of the grant types and of `tokens` share: an app on
/// a frozen clock with the member `kim`, applications registered through
/// the registry, and token-request parameters.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::app::App;
    use crate::clock::FrozenClock;
    use crate::oauth2::request::{ClientAuth, Params};
    use crate::registry::applications::{self, NewClient};
    use crate::registry::grants::{self as registry, How};
    use crate::scopes::ScopeSet;
    use crate::store::UserId;
    use crate::store::audit::{self, AuditEvent, Who};
    use crate::store::grants::Grant;
    use std::sync::Arc;

    pub const NOW: i64 = 1_700_000_000;

    pub struct Fixture {
        pub app: App,
        pub clock: Arc<FrozenClock>,
        pub user: UserId,
        _dir: tempfile::TempDir,
    }

    pub async fn start() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FrozenClock::at(NOW));
        let mut app = App::for_tests(dir.path(), FrozenClock::at(NOW));
        app.clock = clock.clone();
        let user = app.add_test_member("kim").await;
        Fixture { app, clock, user, _dir: dir }
    }

    impl Fixture {
        /// Registers an application (`NewClient` as JSON); authenticated
        /// as confidential unless it is public.
        pub async fn client(&self, new: serde_json::Value) -> ClientAuth {
            let new: NewClient = serde_json::from_value(new).unwrap();
            let public = new.public;
            let creds = applications::register(&self.app, new, Who::cli()).await.unwrap();
            let client = applications::find(&self.app, &creds.client_id.unwrap()).unwrap();
            ClientAuth { client, confidential: !public, basic: false }
        }

        /// Kim's grant of `scopes` to the application.
        pub async fn grant(&self, auth: &ClientAuth, scopes: &str) -> Grant {
            let (user, client, scopes) = (self.user, auth.client.id, ScopeSet::parse(scopes).unwrap());
            self.app
                .store
                .write(move |tx| registry::approve(tx, Some(user), client, &scopes, NOW, How::Unattended))
                .await
                .unwrap()
        }

        /// Tokens of `scopes` under `grant`, as the grants issue them
        /// (access and refresh, no id_token).
        pub async fn issue(
            &self,
            auth: &ClientAuth,
            grant: Grant,
            scopes: &str,
        ) -> crate::oauth2::tokens::TokenResponse {
            let iss = crate::oauth2::tokens::Issuer::new(&self.app, &auth.client).unwrap();
            let s = ScopeSet::parse(scopes).unwrap();
            self.app
                .store
                .write(move |tx| crate::oauth2::tokens::issue(tx, &iss, &grant, &s, Some(&s), None, 1))
                .await
                .unwrap()
        }

        pub fn audits(&self) -> Vec<AuditEvent> {
            self.app.store.read(|tx| audit::recent(tx, None, 100)).unwrap().into_iter().map(|(_, e)| e).collect()
        }

        pub fn advance(&self, secs: u64) {
            self.clock.advance(std::time::Duration::from_secs(secs));
        }
    }

    pub fn params(pairs: &[(&str, &str)]) -> Params {
        Params::parse(serde_urlencoded::to_string(pairs).unwrap().as_bytes()).unwrap()
    }
}
