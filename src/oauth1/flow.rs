//! The three steps of RFC 5849 §2 as operations on verified requests:
//! temporary credentials, the member's decision, and the exchange for token
//! credentials, which are issued under the member's grant so that they show
//! on the Applications page and die with it. Also the application's own
//! grant, which two-legged requests are counted against.

use super::params::names;
use super::problem::{Failure, Problem, Report};
use super::verify::{Credential, Verified};
use crate::app::App;
use crate::auth::sealing::context;
use crate::auth::secrets;
use crate::clock::Timestamp;
use crate::registry::grants::{self as registry, How};
use crate::scopes::ScopeSet;
use crate::store::audit::{self, Who};
use crate::store::clients::{self, Client, OAuth1App};
use crate::store::grants::{self, Grant, Token, TokenKind};
use crate::store::oauth1::{self as stored, Decision, RequestToken};
use crate::store::{StoreError, UserId, users};
use crate::uri::callback::{self, OOB};

/// Temporary credentials (RFC 5849 §2.1).
#[derive(Debug, Clone)]
pub struct TemporaryCredentials {
    pub token: String,
    pub secret: String,
    /// `oauth_callback_confirmed=true` (1.0a; a legacy 1.0 consumer gets none).
    pub callback_confirmed: bool,
}

/// Token credentials (RFC 5849 §2.3).
#[derive(Debug, Clone)]
pub struct TokenCredentials {
    pub token: String,
    pub secret: String,
}

/// The scopes a consumer is registered for, expanded.
pub fn consumer_scopes(consumer: &OAuth1App) -> ScopeSet {
    consumer.scopes.expand()
}

/// `/oauth1/request`: checks the callback against the registration and
/// issues a request token that waits for the member.
pub async fn request_token(app: &App, v: &Verified) -> Result<TemporaryCredentials, Failure> {
    let callback = match v.params.protocol(names::CALLBACK) {
        // The normalised URL is kept and later redirected to, never the raw text.
        Some(cb) => {
            callback::check(&v.consumer.callback, cb).map_err(|e| Report::rejected(names::CALLBACK, e.to_string()))?
        }
        // OAuth 1.0 sent the callback to the authorization page instead.
        None if v.consumer.legacy_1_0 => v.consumer.callback.clone(),
        None => {
            return Err(Report::absent(&[names::CALLBACK])
                .with_advice("oauth_callback is required (RFC 5849 §2.1): send the callback URL, or oob")
                .into());
        }
    };
    let token = format!("lkrq_{}", secrets::token());
    let secret = secrets::token();
    let digest = secrets::digest(&token);
    let now = app.now();
    let record = RequestToken {
        client: v.client.id,
        sealed_secret: app.sealer.seal(&context::request_token(&digest), &secret)?,
        callback,
        created_at: now,
        expires_at: now + app.config.oauth1_request_token_lifetime.as_secs() as i64,
        decision: Decision::Pending,
        revision: 0,
    };
    app.store.write(move |tx| stored::put_request(tx, &digest, &mut record.clone())).await?;
    Ok(TemporaryCredentials { token, secret, callback_confirmed: !v.consumer.legacy_1_0 })
}

/// A request token waiting on the authorization page.
#[derive(Debug, Clone)]
pub struct Pending {
    pub token: RequestToken,
    pub client: Client,
    pub consumer: OAuth1App,
}

/// Why the authorization page cannot go on; each is a page for the member.
#[derive(Debug, thiserror::Error)]
pub enum PendingError {
    #[error("The link has no oauth_token. Go back to the application and start again.")]
    Missing,
    #[error("This request is unknown, or it was already used. Go back to the application and start again.")]
    Unknown,
    #[error("This request has expired. Go back to the application and start again.")]
    Expired,
    #[error("You already answered this request. Go back to the application.")]
    Decided,
    #[error("This application is disabled.")]
    Disabled,
    #[error("The callback address does not match what the application registered: {0}")]
    Callback(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The request token behind `oauth_token`, still waiting for a decision.
pub fn pending(app: &App, token: &str) -> Result<Pending, PendingError> {
    if token.is_empty() {
        return Err(PendingError::Missing);
    }
    if token.len() > 256 {
        return Err(PendingError::Unknown);
    }
    let digest = secrets::digest(token);
    let now = app.now();
    let (t, client) = app
        .store
        .read(|tx| {
            let Some(t) = stored::request(tx, &digest)? else {
                return Ok(None);
            };
            Ok(clients::get(tx, t.client)?.map(|c| (t, c)))
        })?
        .ok_or(PendingError::Unknown)?;
    if t.expired(now) {
        return Err(PendingError::Expired);
    }
    if t.decision != Decision::Pending {
        return Err(PendingError::Decided);
    }
    let consumer = client.oauth1.clone().ok_or(PendingError::Unknown)?;
    if !client.enabled {
        return Err(PendingError::Disabled);
    }
    Ok(Pending { token: t, client, consumer })
}

/// Where the member goes after deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Back to the application's callback.
    Redirect(String),
    /// `oob`: a page showing the verifier (none for a legacy 1.0 consumer).
    ShowVerifier(Option<String>),
    /// `oob` and the member said no.
    DeniedHere,
}

/// The answer, with the application's name for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub answer: Answer,
    pub application: String,
}

/// Records the member's decision on a request token. Approving creates or
/// widens the member's grant (so consent is remembered) and makes the
/// verifier; the exchange then issues the token under that grant.
///
/// `callback` is the `oauth_callback` an OAuth 1.0 (legacy) consumer sends
/// to the authorization page; it must fit the registration like any other.
/// A 1.0a consumer's callback comes from the request step only.
pub async fn decide(
    app: &App,
    token: &str,
    callback: Option<&str>,
    user: UserId,
    auth_time: Timestamp,
    approve: bool,
    who: Who,
) -> Result<Decided, PendingError> {
    let found = pending(app, token)?;
    let legacy = found.consumer.legacy_1_0;
    let cb = match callback {
        Some(cb) if legacy => {
            callback::check(&found.consumer.callback, cb).map_err(|e| PendingError::Callback(e.to_string()))?
        }
        _ => found.token.callback.clone(),
    };
    let verifier = (approve && !legacy).then(|| secrets::token()[..32].to_string());
    let decision = match (approve, &verifier) {
        (true, v) => Decision::Approved {
            user,
            verifier: v.as_deref().map(secrets::digest),
            scopes: consumer_scopes(&found.consumer),
            auth_time,
        },
        (false, _) => Decision::Denied,
    };
    let digest = secrets::digest(token);
    let now = app.now();
    let (client, name) = (found.client.id, found.client.name.clone());
    app.store
        .write(move |tx| {
            let Some(mut t) = stored::request(tx, &digest)? else {
                return Ok(Err(PendingError::Unknown));
            };
            if t.decision != Decision::Pending {
                return Ok(Err(PendingError::Decided));
            }
            if let Decision::Approved { scopes, .. } = &decision {
                registry::approve(tx, Some(user), client, scopes, now, How::OAuth1Consent(&who))?;
            } else {
                audit::record(
                    tx,
                    now,
                    &who,
                    "grant.deny",
                    &format!("client {client}"),
                    &format!("OAuth 1.0a: {name}"),
                )?;
            }
            t.decision = decision.clone();
            stored::put_request(tx, &digest, &mut t)?;
            Ok::<_, StoreError>(Ok(()))
        })
        .await??;
    let answer = match (approve, cb == OOB) {
        (true, true) => Answer::ShowVerifier(verifier),
        (false, true) => Answer::DeniedHere,
        (true, false) => {
            let mut params = vec![("oauth_token", token)];
            if let Some(v) = &verifier {
                params.push(("oauth_verifier", v));
            }
            Answer::Redirect(callback::with_params(&cb, &params))
        }
        (false, false) => Answer::Redirect(callback::with_params(
            &cb,
            &[("oauth_token", token), ("oauth_problem", "permission_denied")],
        )),
    };
    Ok(Decided { answer, application: found.client.name })
}

/// `/oauth1/access`: exchanges an approved request token (and its verifier)
/// for token credentials, once.
pub async fn access_token(app: &App, v: &Verified) -> Result<TokenCredentials, Failure> {
    let Credential::Request { digest, .. } = &v.credential else {
        return Err(Report::new(Problem::TokenRejected, "sign this request with the request token").into());
    };
    let digest = *digest;
    let verifier = v.params.protocol(names::VERIFIER).map(str::to_string);
    if !v.consumer.legacy_1_0 && verifier.is_none() {
        return Err(Report::absent(&[names::VERIFIER])
            .with_advice("oauth_verifier is required: the value the member was given on the authorization page")
            .into());
    }
    let token = format!("lkoa_{}", secrets::token());
    let secret = secrets::token();
    let access_digest = secrets::digest(&token);
    let sealed = app.sealer.seal(&context::access_token(&access_digest), &secret)?;
    let now = app.now();
    let expires_at = v.consumer.token_ttl.map(|t| now + t as i64);
    let client = v.client.id;
    let outcome = app
        .store
        .write(move |tx| {
            let refuse = |p: Problem, advice: &str| Ok(Err(Report::new(p, advice)));
            let Some(rt) = stored::request(tx, &digest)? else {
                return refuse(Problem::TokenRejected, "this request token was already exchanged");
            };
            if rt.expired(now) {
                return refuse(Problem::TokenExpired, "the request token expired; start again");
            }
            let (user, verifier_digest, scopes, auth_time) = match &rt.decision {
                Decision::Pending => {
                    return refuse(
                        Problem::PermissionUnknown,
                        "the member has not approved this request yet; send them to /oauth1/authorize first",
                    );
                }
                Decision::Denied => {
                    stored::delete_request(tx, &digest)?;
                    return refuse(Problem::PermissionDenied, "the member denied this application access");
                }
                Decision::Approved { user, verifier, scopes, auth_time } => {
                    (*user, *verifier, scopes.clone(), *auth_time)
                }
            };
            if let Some(expected) = verifier_digest {
                let given = verifier.as_deref().map(secrets::digest).unwrap_or_default();
                if !secrets::constant_time_eq(&expected, &given) {
                    return refuse(
                        Problem::VerifierInvalid,
                        "oauth_verifier does not match the one the member was given",
                    );
                }
            }
            stored::delete_request(tx, &digest)?;
            if users::get(tx, user)?.is_none_or(|u| u.disabled) {
                return refuse(Problem::PermissionDenied, "the member's account is disabled");
            }
            let grant = registry::approve(tx, Some(user), client, &scopes, now, How::Unattended)?;
            let t = Token {
                kind: TokenKind::OAuth1Access,
                grant: grant.id,
                client,
                user: Some(user),
                scopes: scopes.clone(),
                issued_at: now,
                expires_at,
                redirect_uri: None,
                pkce: None,
                nonce: None,
                auth_time,
                used_at: None,
                secret: Some(sealed.clone()),
                replay: None,
            };
            grants::put_token(tx, &access_digest, &t)?;
            crate::store::stats::bump(tx, crate::store::stats::TOKENS_OAUTH1, now, 1)?;
            Ok::<_, StoreError>(Ok(()))
        })
        .await?;
    outcome?;
    Ok(TokenCredentials { token, secret })
}

/// The application's own grant (no member), made on its first two-legged
/// request; API calls are counted against it.
pub async fn own_grant(app: &App, client: &Client, consumer: &OAuth1App) -> Result<Grant, Failure> {
    let id = client.id;
    if let Some(g) = app.store.read(|tx| grants::find(tx, None, id))? {
        return Ok(g);
    }
    let scopes = consumer_scopes(consumer);
    let now = app.now();
    Ok(app.store.write(move |tx| registry::approve(tx, None, id, &scopes, now, How::Unattended)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;
    use crate::oauth1::params::RequestParams;
    use crate::registry::applications::{self, NewClient};

    const NOW: i64 = 1_700_000_000;

    /// An app with the member `kim` and an oob consumer.
    async fn fixture(dir: &std::path::Path) -> (App, UserId, Client) {
        let app = App::for_tests(dir, FrozenClock::at(NOW));
        let user = app.add_test_member("kim").await;
        let new: NewClient =
            serde_json::from_value(serde_json::json!({ "name": "Desk", "oauth2": false, "oauth1": {} })).unwrap();
        let key = applications::register(&app, new, Who::cli()).await.unwrap().consumer_key.unwrap();
        let client = applications::find(&app, &key).unwrap();
        (app, user, client)
    }

    /// A request whose signature checked out, as `verify` hands it over.
    fn verified(client: &Client, params: &[(&str, &str)], credential: Credential) -> Verified {
        let pairs = params.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Verified {
            client: client.clone(),
            consumer: client.oauth1.clone().unwrap(),
            member: None,
            params: RequestParams::from_sources(pairs).unwrap(),
            credential,
        }
    }

    fn with_request_token(app: &App, client: &Client, token: &str, verifier: &str) -> Verified {
        let digest = secrets::digest(token);
        let stored = app.store.read(|tx| stored::request(tx, &digest)).unwrap().unwrap();
        verified(client, &[("oauth_verifier", verifier)], Credential::Request { digest, token: stored })
    }

    fn problem(f: Failure) -> Problem {
        match f {
            Failure::Problem(r) => r.problem,
            Failure::Unavailable => panic!("unavailable"),
        }
    }

    #[tokio::test]
    async fn request_token_approval_and_access_token_once() {
        let dir = tempfile::tempdir().unwrap();
        let (app, user, client) = fixture(dir.path()).await;
        let asked = verified(&client, &[("oauth_callback", "oob")], Credential::Consumer);
        let temp = request_token(&app, &asked).await.unwrap();
        assert!(temp.callback_confirmed && temp.token.starts_with("lkrq_"));

        // Before the member decides, the exchange waits.
        let early = with_request_token(&app, &client, &temp.token, "nothing yet");
        assert_eq!(problem(access_token(&app, &early).await.unwrap_err()), Problem::PermissionUnknown);

        let who = Who::user(user, "kim", "10.0.0.5");
        let decided = decide(&app, &temp.token, None, user, NOW, true, who.clone()).await.unwrap();
        let Answer::ShowVerifier(Some(verifier)) = decided.answer else { panic!("{decided:?}") };
        assert_eq!(decided.application, "Desk");
        assert!(matches!(decide(&app, &temp.token, None, user, NOW, true, who).await, Err(PendingError::Decided)));
        let grant = app.store.read(|tx| grants::find(tx, Some(user), client.id)).unwrap().unwrap();
        let e = app.store.read(|tx| audit::recent(tx, None, 1)).unwrap().remove(0).1;
        assert_eq!((e.action.as_str(), e.actor.as_str()), ("grant.approve", "user:1:kim"));
        assert!(e.detail.starts_with("OAuth 1.0a: "), "{}", e.detail);

        let wrong = with_request_token(&app, &client, &temp.token, "not-the-verifier");
        assert_eq!(problem(access_token(&app, &wrong).await.unwrap_err()), Problem::VerifierInvalid);
        let right = with_request_token(&app, &client, &temp.token, &verifier);
        let creds = access_token(&app, &right).await.unwrap();
        assert!(creds.token.starts_with("lkoa_") && !creds.secret.is_empty());
        let t = app.store.read(|tx| grants::token(tx, &secrets::digest(&creds.token))).unwrap().unwrap();
        assert_eq!((t.kind, t.grant, t.user), (TokenKind::OAuth1Access, grant.id, Some(user)));
        assert_ne!(t.secret.as_deref(), Some(creds.secret.as_bytes()), "the token secret is sealed at rest");

        // The same request token a second time: refused, nothing issued.
        assert_eq!(problem(access_token(&app, &right).await.unwrap_err()), Problem::TokenRejected);
        assert_eq!(app.store.read(|tx| grants::token_count(tx, grant.id)).unwrap(), 1);
    }

    #[tokio::test]
    async fn a_denied_request_token_is_final_and_an_expired_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (app, user, client) = fixture(dir.path()).await;
        let asked = verified(&client, &[("oauth_callback", "oob")], Credential::Consumer);
        let temp = request_token(&app, &asked).await.unwrap();
        let decided = decide(&app, &temp.token, None, user, NOW, false, Who::cli()).await.unwrap();
        assert_eq!(decided.answer, Answer::DeniedHere);
        let denied = with_request_token(&app, &client, &temp.token, "");
        assert_eq!(problem(access_token(&app, &denied).await.unwrap_err()), Problem::PermissionDenied);
        assert!(app.store.read(|tx| grants::find(tx, Some(user), client.id)).unwrap().is_none());

        let temp = request_token(&app, &asked).await.unwrap();
        let mut later = app.clone();
        later.clock = std::sync::Arc::new(FrozenClock::at(NOW + 24 * 3600));
        assert!(matches!(pending(&later, &temp.token), Err(PendingError::Expired)));
        let no_callback = verified(&client, &[], Credential::Consumer);
        assert_eq!(problem(request_token(&app, &no_callback).await.unwrap_err()), Problem::ParameterAbsent);
    }
}
