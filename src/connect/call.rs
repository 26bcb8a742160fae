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

/// Relays `request` through the member's connection `id` for the
/// application `client_key` and audits it.
pub async fn relay(
    app: &App,
    user: UserId,
    id: ConnectionId,
    request: &RelayRequest,
    client_key: &str,
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
    // Both are the caller's text, refused or not: shortened, and no control
    // character reaches the log (or the terminal of an admin reading it).
    let shown = |text: &str, max: usize| -> String {
        text.chars().take(max).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect()
    };
    let detail = format!(
        "{} {} → {} (application {client_key})",
        shown(&request.method.to_ascii_uppercase(), 16),
        shown(&request.path, 200),
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
    let http = app.outbound.client(&app.config).map_err(CallError::Internal)?;
    Ok(exchange(&http, plan, &authorization, relay::TIME_LIMIT).await?)
}

/// Sends the planned request and reads the answer, all within `limit`.
async fn exchange(
    http: &reqwest::Client,
    plan: Planned,
    authorization: &str,
    limit: std::time::Duration,
) -> Result<RelayAnswer, RelayError> {
    match tokio::time::timeout(limit, exchange_unbounded(http, plan, authorization, limit)).await {
        Ok(answer) => answer,
        Err(_) => Err(RelayError::Timeout),
    }
}

async fn exchange_unbounded(
    http: &reqwest::Client,
    plan: Planned,
    authorization: &str,
    limit: std::time::Duration,
) -> Result<RelayAnswer, RelayError> {
    let mut builder =
        http.request(plan.method, plan.url).timeout(limit).header(reqwest::header::AUTHORIZATION, authorization);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::relay::{MAX_ANSWER, plan};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-request HTTP server on loopback: it reads the request, waits
    /// `delay`, writes `answer` and hands back what it was sent.
    async fn one_shot(answer: Vec<u8>, delay: Duration) -> (url::Url, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = url::Url::parse(&format!("http://{}/api/", listener.local_addr().unwrap())).unwrap();
        let served = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = vec![0; 64 * 1024];
            let n = socket.read(&mut request).await.unwrap();
            tokio::time::sleep(delay).await;
            let _ = socket.write_all(&answer).await;
            let _ = socket.shutdown().await;
            String::from_utf8_lossy(&request[..n]).into_owned()
        });
        (base, served)
    }

    fn get(path: &str) -> RelayRequest {
        RelayRequest { method: "GET".into(), path: path.into(), query: None, body: None, content_type: None }
    }

    #[tokio::test]
    async fn the_answer_is_relayed_with_the_authorization_sent() {
        let answer =
            b"HTTP/1.1 203 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}".to_vec();
        let (base, served) = one_shot(answer, Duration::ZERO).await;
        let planned = plan(&base, &get("me")).unwrap();
        let a =
            exchange(&reqwest::Client::new(), planned, "Bearer remote-token", Duration::from_secs(5)).await.unwrap();
        assert_eq!(a, relay::answer(203, Some("application/json".into()), b"{\"a\":1}".to_vec()));
        let request = served.await.unwrap().to_ascii_lowercase();
        assert!(request.starts_with("get /api/me http/1.1"), "{request}");
        assert!(request.contains("authorization: bearer remote-token"), "{request}");
    }

    #[tokio::test]
    async fn a_slow_service_is_a_timeout() {
        let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec();
        let (base, _served) = one_shot(answer, Duration::from_secs(5)).await;
        let planned = plan(&base, &get("me")).unwrap();
        let started = std::time::Instant::now();
        let e = exchange(&reqwest::Client::new(), planned, "Bearer x", Duration::from_millis(300)).await.unwrap_err();
        assert_eq!(e, RelayError::Timeout);
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[tokio::test]
    async fn a_large_answer_is_refused_with_or_without_its_length() {
        let declared = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", MAX_ANSWER + 1).into_bytes();
        let (base, _served) = one_shot(declared, Duration::ZERO).await;
        let planned = plan(&base, &get("big")).unwrap();
        let e = exchange(&reqwest::Client::new(), planned, "Bearer x", Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(e, RelayError::TooLarge);

        // No length: read until the limit is passed, then stop.
        let mut undeclared = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
        undeclared.extend(std::iter::repeat_n(b'x', MAX_ANSWER + 1));
        let (base, _served) = one_shot(undeclared, Duration::ZERO).await;
        let planned = plan(&base, &get("big")).unwrap();
        let e = exchange(&reqwest::Client::new(), planned, "Bearer x", Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(e, RelayError::TooLarge);

        // Exactly the limit is fine.
        let mut exact =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {MAX_ANSWER}\r\n\r\n").into_bytes();
        exact.extend(std::iter::repeat_n(b'y', MAX_ANSWER));
        let (base, _served) = one_shot(exact, Duration::ZERO).await;
        let planned = plan(&base, &get("big")).unwrap();
        let a = exchange(&reqwest::Client::new(), planned, "Bearer x", Duration::from_secs(5)).await.unwrap();
        assert_eq!(a.body.map(|b| b.len()), Some(MAX_ANSWER));
    }

    #[tokio::test]
    async fn nothing_listening_is_unreachable() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let base = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        let planned = plan(&base, &get("me")).unwrap();
        let e = exchange(&reqwest::Client::new(), planned, "Bearer x", Duration::from_secs(5)).await.unwrap_err();
        assert!(matches!(e, RelayError::Unreachable(_)), "{e:?}");
    }
}
