//! Members' connections: storing the remote tokens sealed (a member who
//! connects the same remote account again gets their connection's tokens
//! replaced, not a second connection), listing, refreshing, marking for
//! reconnection, disconnecting; and the pending flows, whose `state` works
//! once and only in the browser that started the flow.

use super::ConnectionError;
use crate::app::App;
use crate::auth::sealing::context;
use crate::auth::secrets;
use crate::clock::Timestamp;
use crate::ids::{ConnectionId, ProviderId, UserId};
use crate::store::audit::{self, Who};
use crate::store::connections::{self, Connection, PendingFlow, Purpose};

/// How long a started flow waits for its callback.
pub const FLOW_TTL: i64 = 600;

/// The remote tokens and account a finished flow brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    pub user: UserId,
    pub provider: ProviderId,
    pub remote_user: String,
    pub remote_subject: String,
    pub access_token: String,
    /// OAuth 1.0a.
    pub token_secret: Option<String>,
    /// OAuth 2.0.
    pub refresh_token: Option<String>,
    pub expires_at: Option<Timestamp>,
    pub scopes: String,
}

/// A connection's tokens, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub token_secret: Option<String>,
    pub refresh_token: Option<String>,
}

fn seal(app: &App, id: ConnectionId, which: &str, value: &str) -> Result<Vec<u8>, ConnectionError> {
    Ok(app.sealer.seal(&context::connection_token(id.0, which), value)?)
}

/// Stores what a flow brought back: a new connection, or new tokens on
/// the member's existing connection to the same remote account. Audited
/// as `connection.create` or `connection.renew`.
pub async fn save(app: &App, new: NewConnection, who: Who) -> Result<Connection, ConnectionError> {
    let now = app.now();
    let a = app.clone();
    app.store
        .write(move |tx| {
            let existing =
                connections::by_remote(tx, new.provider, &new.remote_subject)?.into_iter().find(|c| c.user == new.user);
            let renew = existing.is_some();
            let id = match &existing {
                Some(c) => c.id,
                None => connections::new_id(tx)?,
            };
            let c = Connection {
                id,
                user: new.user,
                provider: new.provider,
                remote_user: new.remote_user.clone(),
                remote_subject: new.remote_subject.clone(),
                sealed_access_token: seal(&a, id, "access", &new.access_token)?,
                sealed_token_secret: new.token_secret.as_deref().map(|s| seal(&a, id, "secret", s)).transpose()?,
                sealed_refresh_token: new.refresh_token.as_deref().map(|s| seal(&a, id, "refresh", s)).transpose()?,
                expires_at: new.expires_at,
                scopes: new.scopes.clone(),
                created_at: existing.as_ref().map_or(now, |c| c.created_at),
                refreshed_at: renew.then_some(now),
                needs_reconnect: None,
            };
            connections::put(tx, &c)?;
            let action = if renew { "connection.renew" } else { "connection.create" };
            let detail = format!("provider {}, remote {}", c.provider, c.remote_user);
            audit::record(tx, now, &who, action, &format!("connection:{}", c.id), &detail)?;
            Ok(c)
        })
        .await
}

/// Opens a connection's tokens.
pub fn tokens(app: &App, c: &Connection) -> Result<Tokens, ConnectionError> {
    let open = |which: &str, sealed: &[u8]| app.sealer.open(&context::connection_token(c.id.0, which), sealed);
    Ok(Tokens {
        access_token: open("access", &c.sealed_access_token)?,
        token_secret: c.sealed_token_secret.as_deref().map(|s| open("secret", s)).transpose()?,
        refresh_token: c.sealed_refresh_token.as_deref().map(|s| open("refresh", s)).transpose()?,
    })
}

/// A member's connections, in id order.
pub fn of_user(app: &App, user: UserId) -> Result<Vec<Connection>, ConnectionError> {
    Ok(app.store.read(|tx| connections::of_user(tx, user))?)
}

/// One of the member's connections; `NotFound` for anyone else's.
pub fn get_for_user(app: &App, user: UserId, id: ConnectionId) -> Result<Connection, ConnectionError> {
    app.store
        .read(|tx| connections::get(tx, id))?
        .filter(|c| c.user == user)
        .ok_or_else(|| ConnectionError::NotFound(format!("connection {id}")))
}

/// Removes one of the member's connections (audited); the removed record,
/// for the caller to revoke its tokens remotely.
pub async fn disconnect(app: &App, user: UserId, id: ConnectionId, who: Who) -> Result<Connection, ConnectionError> {
    let now = app.now();
    app.store
        .write(move |tx| {
            match connections::get(tx, id)? {
                Some(c) if c.user == user => {}
                _ => return Err(ConnectionError::NotFound(format!("connection {id}"))),
            }
            let c =
                connections::delete(tx, id)?.ok_or_else(|| ConnectionError::NotFound(format!("connection {id}")))?;
            let detail = format!("provider {}, remote {}", c.provider, c.remote_user);
            audit::record(tx, now, &who, "connection.delete", &format!("connection:{id}"), &detail)?;
            Ok(c)
        })
        .await
}

/// New tokens from a refresh: the access token, and the refresh token when
/// the provider rotated it. Audited as `connection.refresh`.
pub async fn refreshed(
    app: &App,
    id: ConnectionId,
    access_token: &str,
    refresh_token: Option<&str>,
    expires_at: Option<Timestamp>,
) -> Result<Option<Connection>, ConnectionError> {
    let now = app.now();
    let sealed_access = seal(app, id, "access", access_token)?;
    let sealed_refresh = refresh_token.map(|r| seal(app, id, "refresh", r)).transpose()?;
    app.store
        .write(move |tx| {
            let Some(mut c) = connections::get(tx, id)? else { return Ok(None) };
            c.sealed_access_token = sealed_access.clone();
            if let Some(r) = &sealed_refresh {
                c.sealed_refresh_token = Some(r.clone());
            }
            c.expires_at = expires_at;
            c.refreshed_at = Some(now);
            c.needs_reconnect = None;
            connections::put(tx, &c)?;
            audit::record(tx, now, &Who::system(), "connection.refresh", &format!("connection:{id}"), "")?;
            Ok(Some(c))
        })
        .await
}

/// The provider refused the connection's tokens for good (a refused
/// refresh): the member must connect again. Audited.
pub async fn needs_reconnect(app: &App, id: ConnectionId, reason: &str) -> Result<(), ConnectionError> {
    let now = app.now();
    let reason = reason.to_string();
    app.store
        .write(move |tx| {
            let Some(mut c) = connections::get(tx, id)? else { return Ok(()) };
            c.needs_reconnect = Some(reason.clone());
            connections::put(tx, &c)?;
            audit::record(tx, now, &Who::system(), "connection.refresh_refused", &format!("connection:{id}"), &reason)?;
            Ok(())
        })
        .await
}

/// The connections due a refresh before `before`.
pub fn expiring(app: &App, before: Timestamp, limit: usize) -> Result<Vec<Connection>, ConnectionError> {
    Ok(app.store.read(|tx| connections::expiring(tx, before, limit))?)
}

/// What starting a flow needs besides what is made here.
#[derive(Debug, Clone)]
pub struct FlowStart {
    pub provider: ProviderId,
    pub user: Option<UserId>,
    pub purpose: Purpose,
    pub return_to: String,
    /// OAuth 1.0a: the request token and its secret, from the service.
    pub request_token: Option<(String, String)>,
}

/// A started flow: the `state` to send, the browser cookie's value to set
/// (the callback must carry it), and the stored flow (PKCE verifier, nonce).
#[derive(Debug, Clone)]
pub struct Started {
    pub state: String,
    pub browser: String,
    pub flow: PendingFlow,
}

/// Makes and stores a pending flow.
pub async fn start_flow(app: &App, start: FlowStart) -> Result<Started, ConnectionError> {
    let now = app.now();
    let state = secrets::token();
    let browser = secrets::token();
    let digest = secrets::digest(&state);
    let (request_token, sealed_request_secret) = match &start.request_token {
        Some((token, secret)) => {
            (Some(token.clone()), Some(app.sealer.seal(&context::pending_request_secret(&digest), secret)?))
        }
        None => (None, None),
    };
    let flow = PendingFlow {
        provider: start.provider,
        user: start.user,
        purpose: start.purpose,
        browser: secrets::digest(&browser),
        pkce_verifier: secrets::token(),
        nonce: secrets::token(),
        request_token,
        sealed_request_secret,
        return_to: start.return_to,
        created_at: now,
        expires_at: now + FLOW_TTL,
    };
    let stored = flow.clone();
    app.store.write(move |tx| connections::put_flow(tx, &digest, &stored)).await?;
    Ok(Started { state, browser, flow })
}

/// Takes the flow of `state` (it works once, whatever happens next), and
/// checks it came back to the browser that started it.
pub async fn take_flow(app: &App, state: &str, browser: Option<&str>) -> Result<PendingFlow, ConnectionError> {
    let refused = || {
        ConnectionError::Refused(
            "this sign-in or connection attempt is unknown, already used or expired; please start again".into(),
        )
    };
    if state.is_empty() || state.len() > 200 {
        return Err(refused());
    }
    let now = app.now();
    let digest = secrets::digest(state);
    let flow = app.store.write(move |tx| connections::take_flow(tx, &digest, now)).await?.ok_or_else(refused)?;
    let same_browser = browser.is_some_and(|b| secrets::constant_time_eq(&secrets::digest(b), &flow.browser));
    if !same_browser {
        return Err(ConnectionError::Refused(
            "this attempt was started in another browser (or its cookie is gone); please start again".into(),
        ));
    }
    Ok(flow)
}

/// The request-token secret of an OAuth 1.0a flow taken with `state`.
pub fn request_secret(app: &App, state: &str, flow: &PendingFlow) -> Result<Option<String>, ConnectionError> {
    let digest = secrets::digest(state);
    match &flow.sealed_request_secret {
        Some(s) => Ok(Some(app.sealer.open(&context::pending_request_secret(&digest), s)?)),
        None => Ok(None),
    }
}

/// Removes the expired pending flows.
pub async fn sweep(app: &App) -> Result<usize, ConnectionError> {
    let now = app.now();
    Ok(app.store.write(move |tx| connections::sweep_flows(tx, now)).await?)
}
