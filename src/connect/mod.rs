//! The client side of the flows (latchkey calling remote providers):
//! OIDC discovery (`discovery`), the OAuth 2.0 / OIDC code flow with PKCE,
//! `state`, `nonce` and RFC 9207's `iss` (`oauth2`), id_token validation
//! against the provider's key set (`idtoken`), the refresh task and remote
//! revocation; the OAuth 1.0a flow (`oauth1`); calls on a member's behalf
//! (`relay` for the rules, `call` for signing and sending). Every call
//! goes through the outbound client, so the outbound rule holds (DESIGN.md
//! "Outbound calls"). `start` is the one place that picks a flow by the
//! provider's protocol.

pub mod call;
pub mod discovery;
pub mod idtoken;
pub mod oauth1;
pub mod oauth2;
pub mod refresh;
pub mod relay;

use crate::app::App;
use crate::connections::ConnectionError;
use crate::connections::members::FlowStart;
use crate::ids::UserId;
use crate::store::connections::{Provider, ProviderKind, Purpose};

/// Why a flow stopped, in words for the member's page.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// Refused by our own rules (forged or reused `state`, wrong issuer,
    /// a bad id_token, a disabled provider).
    #[error("{0}")]
    Refused(String),
    /// The provider said no, failed, or could not be reached.
    #[error("{0}")]
    Remote(String),
    /// The provider's protocol has no flow in this build.
    #[error("{0}")]
    NotAvailable(String),
    #[error(transparent)]
    Connection(#[from] ConnectionError),
}

impl From<crate::store::StoreError> for FlowError {
    fn from(e: crate::store::StoreError) -> Self {
        FlowError::Connection(e.into())
    }
}

/// Where the browser goes to authorize, and the flow cookie's value to set.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub url: String,
    pub browser: String,
}

/// Starts a flow with `provider` for `purpose`: the one dispatch on the
/// provider's protocol.
pub async fn start(
    app: &App,
    provider: &Provider,
    user: Option<UserId>,
    purpose: Purpose,
    return_to: &str,
) -> Result<Redirect, FlowError> {
    if provider.disabled {
        return Err(FlowError::Refused(format!("{} is disabled on this site", provider.name)));
    }
    match &provider.kind {
        ProviderKind::Oidc(_) | ProviderKind::OAuth2(_) => {
            let start = FlowStart {
                provider: provider.id,
                user,
                purpose,
                return_to: return_to.to_string(),
                request_token: None,
            };
            oauth2::start(app, provider, start).await
        }
        ProviderKind::OAuth1(_) => {
            let user = user.filter(|_| purpose == Purpose::Connect).ok_or_else(|| {
                FlowError::NotAvailable(format!("{} (an OAuth 1.0a service) connects accounts only", provider.name))
            })?;
            let s = oauth1::start(app, &client(app)?, provider, user, return_to.to_string()).await?;
            Ok(Redirect { url: s.redirect, browser: s.browser })
        }
    }
}

/// The outbound client, or a plain-words failure.
fn client(app: &App) -> Result<reqwest::Client, FlowError> {
    app.outbound.client(&app.config).map_err(|e| FlowError::Remote(format!("latchkey cannot make outbound calls: {e}")))
}

/// A failed call, in words: the target rule, a timeout, or the network.
fn call_failed(what: &str, e: &reqwest::Error) -> FlowError {
    let mut cause: Option<&dyn std::error::Error> = Some(e);
    while let Some(c) = cause {
        if let Some(t) = c.downcast_ref::<crate::outbound::target::TargetError>() {
            return FlowError::Remote(format!("{what}: the address is not allowed ({t})"));
        }
        cause = c.source();
    }
    if e.is_timeout() {
        return FlowError::Remote(format!("{what}: the provider did not answer in time"));
    }
    FlowError::Remote(format!("{what}: {}", crate::outbound::error_chain(e)))
}

/// The most a provider's JSON answer may be.
const MAX_DOCUMENT: usize = 512 * 1024;

/// Reads a JSON answer (at most `MAX_DOCUMENT`), with its status.
async fn json_answer(what: &str, resp: reqwest::Response) -> Result<(u16, serde_json::Value), FlowError> {
    let status = resp.status().as_u16();
    if resp.content_length().is_some_and(|n| n > MAX_DOCUMENT as u64) {
        return Err(FlowError::Remote(format!("{what}: the answer is too large")));
    }
    let mut resp = resp;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| call_failed(what, &e))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_DOCUMENT {
            return Err(FlowError::Remote(format!("{what}: the answer is too large")));
        }
    }
    let v = serde_json::from_slice(&body).map_err(|_| {
        FlowError::Remote(format!("{what}: the provider answered {status} with something that is not JSON"))
    })?;
    Ok((status, v))
}

/// GETs a JSON document, through the cache when `cache` is set.
async fn get_json(app: &App, what: &str, url: &str, cache: bool) -> Result<serde_json::Value, FlowError> {
    if cache {
        if let Some(v) = app.outbound.cached(url) {
            return Ok(v);
        }
    }
    let resp =
        client(app)?.get(url).header("Accept", "application/json").send().await.map_err(|e| call_failed(what, &e))?;
    let (status, v) = json_answer(what, resp).await?;
    if status != 200 {
        return Err(FlowError::Remote(format!("{what}: the provider answered {status}")));
    }
    if cache {
        app.outbound.remember(url, v.clone());
    }
    Ok(v)
}

/// The provider's `error` and `error_description`, in one line.
fn oauth_error(v: &serde_json::Value) -> Option<String> {
    let e = v.get("error")?.as_str()?;
    let d = v.get("error_description").and_then(|d| d.as_str()).unwrap_or("");
    Some(if d.is_empty() { e.to_string() } else { format!("{e} ({d})") })
}

/// Deletes a provider (audited) and revokes its connections' tokens
/// remotely where it can: the provider, how many connections went, and
/// the revocations that failed (in words; the local delete stands).
pub async fn delete_provider(
    app: &App,
    key: &str,
    who: crate::store::audit::Who,
) -> Result<(Provider, usize, Vec<String>), FlowError> {
    let (p, conns) = crate::connections::providers::delete(app, key, who).await?;
    let mut failures = vec![];
    for c in &conns {
        if let Err(e) = oauth2::revoke(app, &p, c).await {
            tracing::warn!(connection = %c.id, error = %e, "a deleted provider's token was not revoked");
            failures.push(format!("connection {} ({}): {e}", c.id, c.remote_user));
        }
    }
    Ok((p, conns.len(), failures))
}
