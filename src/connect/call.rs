//! Calls on a member's behalf: one relayed request to a provider's API,
//! signed by latchkey with the connection's tokens (a bearer token for
//! OAuth 2.0, an RFC 5849 signature with the provider's method for OAuth
//! 1.0a, query and form body included), under the provider's API base
//! only, to an address the outbound rule allows, within the size and time
//! limits of `relay`. The remote tokens never leave this module. Every call
//! is audited with its method, path and status, never its body.

use super::oauth1::Consumer;
use super::relay::{self, Planned, RelayAnswer, RelayError, RelayRequest};
use crate::app::App;
use crate::connections::ConnectionError;
use crate::connections::{members, providers};
use crate::ids::{ConnectionId, UserId};
use crate::oauth1::client::Outgoing;
use crate::store::StoreError;
use crate::store::audit::{self, Who};
use crate::store::connections::{Connection, ProviderKind};

/// Why a relayed call did not happen or did not come back.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Not one of the caller's connections.
    #[error("there is no such connection")]
    NotFound,
    /// The connection cannot be used now (its provider is disabled or
    /// gone, or the member must connect again).
    #[error("{0}")]
    Unusable(String),
    #[error(transparent)]
    Relay(#[from] RelayError),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ConnectionError> for CallError {
    fn from(e: ConnectionError) -> Self {
        match e {
            ConnectionError::NotFound(_) => CallError::NotFound,
            ConnectionError::Store(e) => CallError::Store(e),
            ConnectionError::Refused(why) => CallError::Unusable(why),
            other => CallError::Internal(other.to_string()),
        }
    }
}

/// Relays `request` through the member's connection `id` and audits it.
pub async fn relay(
    app: &App,
    user: UserId,
    id: ConnectionId,
    request: &RelayRequest,
    who: Who,
) -> Result<RelayAnswer, CallError> {
    let c = members::get_for_user(app, user, id)?;
    let outcome = send(app, &c, request).await;
    let status = match &outcome {
        Ok(a) => a.status.to_string(),
        Err(e) => format!("not relayed: {e}"),
    };
    // Method and path as asked (the path is the caller's, checked or not;
    // a refused one is worth seeing in the log), the status; no body.
    let detail = format!(
        "{} {} → {}",
        request.method.to_ascii_uppercase(),
        request.path.chars().take(200).collect::<String>(),
        status
    );
    let now = app.now();
    app.store
        .write(move |tx| audit::record(tx, now, &who, "connection.request", &format!("connection:{id}"), &detail))
        .await?;
    outcome
}

async fn send(app: &App, c: &Connection, request: &RelayRequest) -> Result<RelayAnswer, CallError> {
    let p = providers::get(app, c.provider)?
        .ok_or_else(|| CallError::Unusable("the connection's service is gone".into()))?;
    if p.disabled {
        return Err(CallError::Unusable(format!("{} is disabled on this site", p.name)));
    }
    if let Some(why) = &c.needs_reconnect {
        return Err(CallError::Unusable(format!("the member must connect {} again: {why}", p.name)));
    }
    let base = relay::api_base(&p.api_base)?;
    let plan = relay::plan(&base, request)?;
    crate::outbound::target::check(plan.url.as_str(), app.config.outbound_allow_private)
        .await
        .map_err(|e| RelayError::AddressRefused(format!("{}'s API address {e}", p.name)))?;
    let tokens = members::tokens(app, c)?;
    let authorization = match &p.kind {
        ProviderKind::OAuth1(_) => {
            let consumer = Consumer::of(app, &p)?;
            let secret = tokens.token_secret.as_deref().unwrap_or("");
            let outgoing = Outgoing { method: plan.method.as_str(), url: &plan.url, form: &plan.form };
            consumer.authorization(&outgoing, Some((&tokens.access_token, secret)), &[], app.now())?
        }
        ProviderKind::OAuth2(_) | ProviderKind::Oidc(_) => format!("Bearer {}", tokens.access_token),
    };
    let http = crate::outbound::client::build(&app.config).map_err(CallError::Internal)?;
    match tokio::time::timeout(relay::TIME_LIMIT, exchange(&http, plan, &authorization)).await {
        Ok(answer) => Ok(answer?),
        Err(_) => Err(RelayError::Timeout.into()),
    }
}

async fn exchange(http: &reqwest::Client, plan: Planned, authorization: &str) -> Result<RelayAnswer, RelayError> {
    let mut builder = http
        .request(plan.method, plan.url)
        .timeout(relay::TIME_LIMIT)
        .header(reqwest::header::AUTHORIZATION, authorization);
    if let Some((content_type, bytes)) = plan.body {
        builder = builder.header(reqwest::header::CONTENT_TYPE, content_type).body(bytes);
    }
    let response = builder.send().await.map_err(|e| {
        if e.is_timeout() { RelayError::Timeout } else { RelayError::Unreachable(crate::outbound::error_chain(&e)) }
    })?;
    let status = response.status().as_u16();
    let content_type =
        response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let bytes = relay::read_limited(response, relay::MAX_ANSWER).await?;
    Ok(relay::answer(status, content_type, bytes))
}
