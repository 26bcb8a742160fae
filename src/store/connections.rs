//! Connections' stored state (latchkey as an OAuth client): the remote
//! providers an admin registered, members' connections to them (remote
//! tokens sealed), the pending flows between "Connect" and the provider's
//! callback (single use, short-lived, swept), and the sign-in links that
//! say which member a remote identity signs in as.
//!
//! Secrets are sealed by the layer above (`auth::sealing`, contexts in
//! `sealing::context`); here they are opaque bytes. Pending flows are keyed
//! by the SHA-256 of their handle (the OAuth 2.0 `state`), like tokens.

use super::codec::{Record, decode, encode};
use super::key::{Key, u64_at};
use super::schema::{
    CONNECTIONS, CONNECTIONS_BY_EXPIRY, CONNECTIONS_BY_REMOTE, CONNECTIONS_BY_USER, PENDING_FLOWS,
    PENDING_FLOWS_BY_EXPIRY, PENDING_IDENTITIES, PROVIDERS, PROVIDERS_BY_NAME, SIGNIN_LINKS, SIGNIN_LINKS_BY_USER,
};
use super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use crate::clock::Timestamp;
use crate::ids::{ConnectionId, ProviderId, UserId};
use serde::{Deserialize, Serialize};

/// How latchkey authenticates to an OAuth 2.0 token endpoint. Append only:
/// postcard stores the variant's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TokenAuth {
    /// HTTP Basic with the client id and secret (RFC 6749 §2.3.1).
    #[default]
    ClientSecretBasic,
    /// The id and secret in the form body.
    ClientSecretPost,
}

/// An OAuth 2.0 provider's endpoints besides the authorization URL.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OAuth2Endpoints {
    pub token_url: String,
    pub userinfo_url: Option<String>,
    /// RFC 7009 token revocation, when the provider has it.
    pub revocation_url: Option<String>,
    pub token_auth: TokenAuth,
}

/// What OpenID Connect adds: where the keys are and whom to expect.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Oidc {
    /// The `iss` of the provider's id_tokens (and of RFC 9207's parameter).
    pub issuer: String,
    pub jwks_uri: String,
    /// The discovery document it was read from, if it was.
    pub discovery_url: Option<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    pub iss_parameter_supported: bool,
    pub endpoints: OAuth2Endpoints,
}

/// OAuth 1.0a signature methods latchkey signs with as a client. Append only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum OAuth1Signature {
    #[default]
    HmacSha1,
    HmacSha256,
    RsaSha1,
}

impl OAuth1Signature {
    pub const ALL: [OAuth1Signature; 3] =
        [OAuth1Signature::HmacSha1, OAuth1Signature::HmacSha256, OAuth1Signature::RsaSha1];

    /// The RFC 5849 name (`oauth_signature_method`).
    pub fn as_str(self) -> &'static str {
        match self {
            OAuth1Signature::HmacSha1 => "HMAC-SHA1",
            OAuth1Signature::HmacSha256 => "HMAC-SHA256",
            OAuth1Signature::RsaSha1 => "RSA-SHA1",
        }
    }

    /// Reads a name, case-insensitively.
    pub fn parse(s: &str) -> Option<OAuth1Signature> {
        OAuth1Signature::ALL.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// An OAuth 1.0a service's endpoints (the authorization URL is the
/// provider's `authorize_url`) and how latchkey signs for it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OAuth1Endpoints {
    /// Temporary credentials (request token) URL.
    pub request_url: String,
    /// Token credentials (access token) URL.
    pub access_url: String,
    pub signature_method: OAuth1Signature,
    /// RSA-SHA1: latchkey's private key (PKCS#8 DER), sealed with
    /// `sealing::context::provider_rsa_key`.
    pub sealed_rsa_key: Option<Vec<u8>>,
    /// RSA-SHA1: its public half (PEM), shown to the admin to register at
    /// the service.
    pub rsa_public_key_pem: Option<String>,
}

/// Which protocol a provider speaks. Append only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderKind {
    Oidc(Oidc),
    OAuth2(OAuth2Endpoints),
    OAuth1(OAuth1Endpoints),
}

impl ProviderKind {
    /// `oidc`, `oauth2` or `oauth1`, as the command line and pages say it.
    pub fn label(&self) -> &'static str {
        match self {
            ProviderKind::Oidc(_) => "oidc",
            ProviderKind::OAuth2(_) => "oauth2",
            ProviderKind::OAuth1(_) => "oauth1",
        }
    }

    /// The OAuth 2.0 endpoints (OIDC included).
    pub fn oauth2(&self) -> Option<&OAuth2Endpoints> {
        match self {
            ProviderKind::Oidc(o) => Some(&o.endpoints),
            ProviderKind::OAuth2(e) => Some(e),
            ProviderKind::OAuth1(_) => None,
        }
    }

    pub fn oidc(&self) -> Option<&Oidc> {
        match self {
            ProviderKind::Oidc(o) => Some(o),
            _ => None,
        }
    }

    pub fn oauth1(&self) -> Option<&OAuth1Endpoints> {
        match self {
            ProviderKind::OAuth1(o) => Some(o),
            _ => None,
        }
    }
}

/// A remote provider an admin registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub id: ProviderId,
    /// Unique (case-insensitively), shown to members.
    pub name: String,
    pub kind: ProviderKind,
    /// Where the member's browser is sent to authorize (both protocols).
    pub authorize_url: String,
    /// The OAuth 2.0 client id, or the OAuth 1.0a consumer key.
    pub client_id: String,
    /// The client secret or consumer secret, sealed with
    /// `sealing::context::provider_secret`.
    pub sealed_secret: Vec<u8>,
    /// The scopes asked for (OAuth 2.0; OIDC adds `openid`).
    pub scopes: Vec<String>,
    /// Calls on a member's behalf go only under this URL.
    pub api_base: String,
    /// Members may connect their accounts.
    pub member_connect: bool,
    /// A "sign in with" button on `/login` (OIDC only).
    pub sign_in: bool,
    /// A disabled provider starts no flow, refreshes nothing and signs no
    /// one in; its connections stay until deleted.
    pub disabled: bool,
    pub created_at: Timestamp,
}

impl Record for Provider {
    const KIND: &'static str = "provider";
    const VERSION: u8 = 1;
}

/// One member's connection to one remote account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: ConnectionId,
    pub user: UserId,
    pub provider: ProviderId,
    /// The remote account's display name (or its subject when it has none).
    pub remote_user: String,
    /// The remote account's stable id (OIDC `sub`, or what the provider
    /// says identifies it).
    pub remote_subject: String,
    /// Sealed with `sealing::context::connection_token(id, "access")`.
    pub sealed_access_token: Vec<u8>,
    /// OAuth 1.0a: the token secret, sealed (`"secret"`).
    pub sealed_token_secret: Option<Vec<u8>>,
    /// OAuth 2.0: the refresh token, sealed (`"refresh"`).
    pub sealed_refresh_token: Option<Vec<u8>>,
    /// When the access token expires, if the provider said.
    pub expires_at: Option<Timestamp>,
    /// What the provider granted (space-separated, as it said).
    pub scopes: String,
    pub created_at: Timestamp,
    pub refreshed_at: Option<Timestamp>,
    /// The provider refused a refresh (or the tokens no longer work): the
    /// member must connect again; the reason is shown on their page.
    pub needs_reconnect: Option<String>,
}

impl Record for Connection {
    const KIND: &'static str = "connection";
    const VERSION: u8 = 1;
}

/// Why a pending flow was started. Append only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    /// A member connects an account (`/account/connections`).
    Connect,
    /// Someone signs in with the provider (`/login`).
    SignIn,
    /// A signed-in member links a sign-in identity to their account.
    Link,
}

/// The state kept between starting a flow and the provider's callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFlow {
    pub provider: ProviderId,
    /// The member who started it (none for a sign-in).
    pub user: Option<UserId>,
    pub purpose: Purpose,
    /// SHA-256 of the value of the browser cookie set when the flow
    /// started: the callback must come from the same browser.
    pub browser: [u8; 32],
    /// OAuth 2.0: the PKCE `code_verifier`.
    pub pkce_verifier: String,
    /// OIDC: the `nonce` the id_token must carry.
    pub nonce: String,
    /// OAuth 1.0a: the request token, and its secret sealed with
    /// `sealing::context::pending_request_secret`.
    pub request_token: Option<String>,
    pub sealed_request_secret: Option<Vec<u8>>,
    /// A local path to go to afterwards.
    pub return_to: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Record for PendingFlow {
    const KIND: &'static str = "pending flow";
    const VERSION: u8 = 1;
}

/// A remote identity that signs in as a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInLink {
    pub provider: ProviderId,
    pub subject: String,
    pub user: UserId,
    /// The remote display name when linked.
    pub remote_user: String,
    pub created_at: Timestamp,
    pub last_used: Option<Timestamp>,
}

impl Record for SignInLink {
    const KIND: &'static str = "sign-in link";
    const VERSION: u8 = 1;
}

// ---- providers ----

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub fn get_provider(tx: &impl Tables, id: ProviderId) -> Result<Option<Provider>, StoreError> {
    const OP: &str = "connections.get_provider";
    tx.table(&PROVIDERS).during(OP)?.get(id.0).at(OP, &PROVIDERS)?.map(|v| decode(v.value())).transpose()
}

pub fn provider_by_name(tx: &impl Tables, name: &str) -> Result<Option<Provider>, StoreError> {
    const OP: &str = "connections.provider_by_name";
    let id = tx
        .table(&PROVIDERS_BY_NAME)
        .during(OP)?
        .get(name_key(name).as_str())
        .at(OP, &PROVIDERS_BY_NAME)?
        .map(|v| v.value());
    match id {
        Some(id) => get_provider(tx, ProviderId(id)),
        None => Ok(None),
    }
}

/// Every provider, in id order.
pub fn providers(tx: &impl Tables) -> Result<Vec<Provider>, StoreError> {
    const OP: &str = "connections.providers";
    let t = tx.table(&PROVIDERS).during(OP)?;
    let mut out = vec![];
    for row in t.iter().at(OP, &PROVIDERS)? {
        out.push(decode(row.at(OP, &PROVIDERS)?.1.value())?);
    }
    Ok(out)
}

/// A new provider's id, for sealing its secret before `put_provider`.
pub fn new_provider_id(tx: &WriteTransaction) -> Result<ProviderId, StoreError> {
    Ok(ProviderId(next_id(tx, ProviderId::SEQUENCE)?))
}

/// Stores a provider (its id given by `new_provider_id`, or an existing
/// one's), its name index moved with it. The caller checks that the name is
/// free (`provider_by_name`).
pub fn put_provider(tx: &WriteTransaction, p: &Provider) -> Result<(), StoreError> {
    const OP: &str = "connections.put_provider";
    let mut names = tx.table(&PROVIDERS_BY_NAME).during(OP)?;
    if let Some(old) = get_provider(tx, p.id)? {
        names.remove(name_key(&old.name).as_str()).at(OP, &PROVIDERS_BY_NAME)?;
    }
    names.insert(name_key(&p.name).as_str(), p.id.0).at(OP, &PROVIDERS_BY_NAME)?;
    tx.table(&PROVIDERS).during(OP)?.insert(p.id.0, encode(p)?.as_slice()).at(OP, &PROVIDERS)?;
    Ok(())
}

/// Removes a provider with its connections and sign-in links; `None` when
/// there was none, else the connections that went (to revoke remotely).
pub fn delete_provider(tx: &WriteTransaction, id: ProviderId) -> Result<Option<Vec<Connection>>, StoreError> {
    const OP: &str = "connections.delete_provider";
    let Some(p) = get_provider(tx, id)? else { return Ok(None) };
    let conns = of_provider(tx, id)?;
    for c in &conns {
        delete(tx, c.id)?;
    }
    for l in links_of_provider(tx, id)? {
        delete_link(tx, id, &l.subject)?;
    }
    tx.table(&PROVIDERS_BY_NAME).during(OP)?.remove(name_key(&p.name).as_str()).at(OP, &PROVIDERS_BY_NAME)?;
    tx.table(&PROVIDERS).during(OP)?.remove(id.0).at(OP, &PROVIDERS)?;
    Ok(Some(conns))
}

// ---- connections ----

fn user_key(user: UserId, id: ConnectionId) -> Key {
    Key::new().u64(user.0).u64(id.0)
}

fn remote_key(provider: ProviderId, subject: &str, id: ConnectionId) -> Key {
    Key::new().u64(provider.0).text(subject).u64(id.0)
}

fn expiry_key(at: Timestamp, id: ConnectionId) -> Key {
    Key::new().time(at).u64(id.0)
}

pub fn get(tx: &impl Tables, id: ConnectionId) -> Result<Option<Connection>, StoreError> {
    const OP: &str = "connections.get";
    tx.table(&CONNECTIONS).during(OP)?.get(id.0).at(OP, &CONNECTIONS)?.map(|v| decode(v.value())).transpose()
}

/// A new connection's id, for sealing its tokens before `put`.
pub fn new_id(tx: &WriteTransaction) -> Result<ConnectionId, StoreError> {
    Ok(ConnectionId(next_id(tx, ConnectionId::SEQUENCE)?))
}

/// Stores a connection (id from `new_id`, or an existing one's), its
/// indexes moved with it.
pub fn put(tx: &WriteTransaction, c: &Connection) -> Result<(), StoreError> {
    const OP: &str = "connections.put";
    if let Some(old) = get(tx, c.id)? {
        unindex(tx, &old)?;
    }
    tx.table(&CONNECTIONS).during(OP)?.insert(c.id.0, encode(c)?.as_slice()).at(OP, &CONNECTIONS)?;
    tx.table(&CONNECTIONS_BY_USER)
        .during(OP)?
        .insert(user_key(c.user, c.id).as_slice(), ())
        .at(OP, &CONNECTIONS_BY_USER)?;
    tx.table(&CONNECTIONS_BY_REMOTE)
        .during(OP)?
        .insert(remote_key(c.provider, &c.remote_subject, c.id).as_slice(), ())
        .at(OP, &CONNECTIONS_BY_REMOTE)?;
    if let Some(at) = c.expires_at.filter(|_| c.sealed_refresh_token.is_some() && c.needs_reconnect.is_none()) {
        tx.table(&CONNECTIONS_BY_EXPIRY)
            .during(OP)?
            .insert(expiry_key(at, c.id).as_slice(), ())
            .at(OP, &CONNECTIONS_BY_EXPIRY)?;
    }
    Ok(())
}

fn unindex(tx: &WriteTransaction, c: &Connection) -> Result<(), StoreError> {
    const OP: &str = "connections.unindex";
    tx.table(&CONNECTIONS_BY_USER)
        .during(OP)?
        .remove(user_key(c.user, c.id).as_slice())
        .at(OP, &CONNECTIONS_BY_USER)?;
    tx.table(&CONNECTIONS_BY_REMOTE)
        .during(OP)?
        .remove(remote_key(c.provider, &c.remote_subject, c.id).as_slice())
        .at(OP, &CONNECTIONS_BY_REMOTE)?;
    if let Some(at) = c.expires_at {
        tx.table(&CONNECTIONS_BY_EXPIRY)
            .during(OP)?
            .remove(expiry_key(at, c.id).as_slice())
            .at(OP, &CONNECTIONS_BY_EXPIRY)?;
    }
    Ok(())
}

/// Removes a connection; the removed record when there was one.
pub fn delete(tx: &WriteTransaction, id: ConnectionId) -> Result<Option<Connection>, StoreError> {
    const OP: &str = "connections.delete";
    let Some(c) = get(tx, id)? else { return Ok(None) };
    unindex(tx, &c)?;
    tx.table(&CONNECTIONS).during(OP)?.remove(id.0).at(OP, &CONNECTIONS)?;
    Ok(Some(c))
}

/// A member's connections, in id order.
pub fn of_user(tx: &impl Tables, user: UserId) -> Result<Vec<Connection>, StoreError> {
    const OP: &str = "connections.of_user";
    let ids: Vec<u64> = {
        let t = tx.table(&CONNECTIONS_BY_USER).during(OP)?;
        let lo = user_key(user, ConnectionId(0));
        let hi = user_key(user, ConnectionId(u64::MAX));
        let mut ids = vec![];
        for row in t.range(lo.as_slice()..=hi.as_slice()).at(OP, &CONNECTIONS_BY_USER)? {
            ids.extend(u64_at(row.at(OP, &CONNECTIONS_BY_USER)?.0.value(), 8));
        }
        ids
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(get(tx, ConnectionId(id))?);
    }
    Ok(out)
}

/// The connections to one remote account (by any member), in id order.
pub fn by_remote(tx: &impl Tables, provider: ProviderId, subject: &str) -> Result<Vec<Connection>, StoreError> {
    const OP: &str = "connections.by_remote";
    let prefix = Key::new().u64(provider.0).text(subject).into_vec();
    let ids: Vec<u64> = {
        let t = tx.table(&CONNECTIONS_BY_REMOTE).during(OP)?;
        let mut ids = vec![];
        for row in t.range(prefix.as_slice()..).at(OP, &CONNECTIONS_BY_REMOTE)? {
            let row = row.at(OP, &CONNECTIONS_BY_REMOTE)?;
            let k = row.0.value();
            if !k.starts_with(&prefix) {
                break;
            }
            ids.extend(u64_at(k, prefix.len()));
        }
        ids
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(get(tx, ConnectionId(id))?);
    }
    Ok(out)
}

/// Every connection to one provider.
pub fn of_provider(tx: &impl Tables, provider: ProviderId) -> Result<Vec<Connection>, StoreError> {
    const OP: &str = "connections.of_provider";
    let ids: Vec<u64> = {
        let t = tx.table(&CONNECTIONS_BY_REMOTE).during(OP)?;
        let lo = Key::new().u64(provider.0).into_vec();
        let hi = Key::new().u64(provider.0 + 1).into_vec();
        let mut ids = vec![];
        for row in t.range(lo.as_slice()..hi.as_slice()).at(OP, &CONNECTIONS_BY_REMOTE)? {
            let row = row.at(OP, &CONNECTIONS_BY_REMOTE)?;
            let k = row.0.value();
            ids.extend(k.len().checked_sub(8).and_then(|at| u64_at(k, at)));
        }
        ids
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(get(tx, ConnectionId(id))?);
    }
    Ok(out)
}

/// The connections with a refresh token whose access token expires before
/// `before`, soonest first, at most `limit` (for the refresh task).
pub fn expiring(tx: &impl Tables, before: Timestamp, limit: usize) -> Result<Vec<Connection>, StoreError> {
    const OP: &str = "connections.expiring";
    let end = expiry_key(before, ConnectionId(u64::MAX));
    let ids: Vec<u64> = {
        let t = tx.table(&CONNECTIONS_BY_EXPIRY).during(OP)?;
        let mut ids = vec![];
        for row in t.range(..=end.as_slice()).at(OP, &CONNECTIONS_BY_EXPIRY)?.take(limit) {
            ids.extend(u64_at(row.at(OP, &CONNECTIONS_BY_EXPIRY)?.0.value(), 8));
        }
        ids
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(get(tx, ConnectionId(id))?);
    }
    Ok(out)
}

// ---- pending flows ----

fn flow_expiry_key(at: Timestamp, digest: &[u8; 32]) -> Key {
    Key::new().time(at).bytes(digest)
}

/// Stores a pending flow under the digest of its handle.
pub fn put_flow(tx: &WriteTransaction, digest: &[u8; 32], f: &PendingFlow) -> Result<(), StoreError> {
    const OP: &str = "connections.put_flow";
    tx.table(&PENDING_FLOWS).during(OP)?.insert(digest.as_slice(), encode(f)?.as_slice()).at(OP, &PENDING_FLOWS)?;
    tx.table(&PENDING_FLOWS_BY_EXPIRY)
        .during(OP)?
        .insert(flow_expiry_key(f.expires_at, digest).as_slice(), ())
        .at(OP, &PENDING_FLOWS_BY_EXPIRY)?;
    Ok(())
}

/// Reads and removes a pending flow in one step, so a handle works once.
/// An expired flow is removed and not returned.
pub fn take_flow(tx: &WriteTransaction, digest: &[u8; 32], now: Timestamp) -> Result<Option<PendingFlow>, StoreError> {
    const OP: &str = "connections.take_flow";
    let stored = tx
        .table(&PENDING_FLOWS)
        .during(OP)?
        .remove(digest.as_slice())
        .at(OP, &PENDING_FLOWS)?
        .map(|v| decode::<PendingFlow>(v.value()));
    let Some(flow) = stored else { return Ok(None) };
    let Ok(flow) = flow else { return Ok(None) };
    tx.table(&PENDING_FLOWS_BY_EXPIRY)
        .during(OP)?
        .remove(flow_expiry_key(flow.expires_at, digest).as_slice())
        .at(OP, &PENDING_FLOWS_BY_EXPIRY)?;
    Ok((flow.expires_at > now).then_some(flow))
}

/// Removes the pending flows that expired by `now`; how many went.
pub fn sweep_flows(tx: &WriteTransaction, now: Timestamp) -> Result<usize, StoreError> {
    const OP: &str = "connections.sweep_flows";
    let end = flow_expiry_key(now, &[0xff; 32]);
    let doomed: Vec<Vec<u8>> = {
        let t = tx.table(&PENDING_FLOWS_BY_EXPIRY).during(OP)?;
        let mut doomed = vec![];
        for row in t.range(..=end.as_slice()).at(OP, &PENDING_FLOWS_BY_EXPIRY)? {
            doomed.push(row.at(OP, &PENDING_FLOWS_BY_EXPIRY)?.0.value().to_vec());
        }
        doomed
    };
    let mut flows = tx.table(&PENDING_FLOWS).during(OP)?;
    let mut by_expiry = tx.table(&PENDING_FLOWS_BY_EXPIRY).during(OP)?;
    for k in &doomed {
        if let Some(d) = k.get(8..) {
            flows.remove(d).at(OP, &PENDING_FLOWS)?;
        }
        by_expiry.remove(k.as_slice()).at(OP, &PENDING_FLOWS_BY_EXPIRY)?;
    }
    Ok(doomed.len())
}

// ---- sign-in links ----

fn link_key(provider: ProviderId, subject: &str) -> Key {
    Key::new().u64(provider.0).text(subject)
}

fn link_user_key(user: UserId, provider: ProviderId, subject: &str) -> Key {
    Key::new().u64(user.0).u64(provider.0).text(subject)
}

pub fn link(tx: &impl Tables, provider: ProviderId, subject: &str) -> Result<Option<SignInLink>, StoreError> {
    const OP: &str = "connections.link";
    tx.table(&SIGNIN_LINKS)
        .during(OP)?
        .get(link_key(provider, subject).as_slice())
        .at(OP, &SIGNIN_LINKS)?
        .map(|v| decode(v.value()))
        .transpose()
}

/// Stores a sign-in link (replacing the one of the same identity, moved to
/// its new member if it changed hands).
pub fn put_link(tx: &WriteTransaction, l: &SignInLink) -> Result<(), StoreError> {
    const OP: &str = "connections.put_link";
    if let Some(old) = link(tx, l.provider, &l.subject)? {
        tx.table(&SIGNIN_LINKS_BY_USER)
            .during(OP)?
            .remove(link_user_key(old.user, old.provider, &old.subject).as_slice())
            .at(OP, &SIGNIN_LINKS_BY_USER)?;
    }
    tx.table(&SIGNIN_LINKS)
        .during(OP)?
        .insert(link_key(l.provider, &l.subject).as_slice(), encode(l)?.as_slice())
        .at(OP, &SIGNIN_LINKS)?;
    tx.table(&SIGNIN_LINKS_BY_USER)
        .during(OP)?
        .insert(link_user_key(l.user, l.provider, &l.subject).as_slice(), ())
        .at(OP, &SIGNIN_LINKS_BY_USER)?;
    Ok(())
}

/// Removes a sign-in link; the removed one when there was one.
pub fn delete_link(
    tx: &WriteTransaction,
    provider: ProviderId,
    subject: &str,
) -> Result<Option<SignInLink>, StoreError> {
    const OP: &str = "connections.delete_link";
    let Some(l) = link(tx, provider, subject)? else { return Ok(None) };
    tx.table(&SIGNIN_LINKS).during(OP)?.remove(link_key(provider, subject).as_slice()).at(OP, &SIGNIN_LINKS)?;
    tx.table(&SIGNIN_LINKS_BY_USER)
        .during(OP)?
        .remove(link_user_key(l.user, provider, subject).as_slice())
        .at(OP, &SIGNIN_LINKS_BY_USER)?;
    Ok(Some(l))
}

/// A member's sign-in links, by provider then subject.
pub fn links_of_user(tx: &impl Tables, user: UserId) -> Result<Vec<SignInLink>, StoreError> {
    const OP: &str = "connections.links_of_user";
    let keys: Vec<(ProviderId, String)> = {
        let t = tx.table(&SIGNIN_LINKS_BY_USER).during(OP)?;
        let lo = Key::new().u64(user.0).into_vec();
        let hi = Key::new().u64(user.0.saturating_add(1)).into_vec();
        let mut keys = vec![];
        for row in t.range(lo.as_slice()..hi.as_slice()).at(OP, &SIGNIN_LINKS_BY_USER)? {
            let row = row.at(OP, &SIGNIN_LINKS_BY_USER)?;
            let k = row.0.value();
            let (Some(p), Some(rest)) = (u64_at(k, 8), k.get(16..)) else { continue };
            let subject = String::from_utf8_lossy(rest.strip_suffix(&[0]).unwrap_or(rest)).into_owned();
            keys.push((ProviderId(p), subject));
        }
        keys
    };
    let mut out = Vec::with_capacity(keys.len());
    for (p, s) in keys {
        out.extend(link(tx, p, &s)?);
    }
    Ok(out)
}

fn links_of_provider(tx: &impl Tables, provider: ProviderId) -> Result<Vec<SignInLink>, StoreError> {
    const OP: &str = "connections.links_of_provider";
    let t = tx.table(&SIGNIN_LINKS).during(OP)?;
    let lo = Key::new().u64(provider.0).into_vec();
    let hi = Key::new().u64(provider.0.saturating_add(1)).into_vec();
    let mut out = vec![];
    for row in t.range(lo.as_slice()..hi.as_slice()).at(OP, &SIGNIN_LINKS)? {
        out.push(decode(row.at(OP, &SIGNIN_LINKS)?.1.value())?);
    }
    Ok(out)
}

/// Removes a member's connections and sign-in links (the member is
/// deleted); the connections that went, to revoke remotely.
pub fn delete_for_user(tx: &WriteTransaction, user: UserId) -> Result<Vec<Connection>, StoreError> {
    let conns = of_user(tx, user)?;
    for c in &conns {
        delete(tx, c.id)?;
    }
    for l in links_of_user(tx, user)? {
        delete_link(tx, l.provider, &l.subject)?;
    }
    Ok(conns)
}

// ---- identities awaiting a link ----

/// A remote identity proven by a sign-in flow that no member is linked to
/// yet: kept while the person signs in with their password (or creates an
/// account) to link it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingIdentity {
    pub provider: ProviderId,
    pub subject: String,
    pub remote_user: String,
    /// SHA-256 of the flow cookie of the browser that proved it.
    pub browser: [u8; 32],
    /// Where to go once signed in.
    pub return_to: String,
    pub expires_at: Timestamp,
}

impl Record for PendingIdentity {
    const KIND: &'static str = "pending identity";
    const VERSION: u8 = 1;
}

pub fn put_identity(tx: &WriteTransaction, digest: &[u8; 32], p: &PendingIdentity) -> Result<(), StoreError> {
    const OP: &str = "connections.put_identity";
    tx.table(&PENDING_IDENTITIES)
        .during(OP)?
        .insert(digest.as_slice(), encode(p)?.as_slice())
        .at(OP, &PENDING_IDENTITIES)?;
    Ok(())
}

/// Reads a pending identity that has not expired (it stays until taken).
pub fn get_identity(
    tx: &impl Tables,
    digest: &[u8; 32],
    now: Timestamp,
) -> Result<Option<PendingIdentity>, StoreError> {
    const OP: &str = "connections.get_identity";
    let found = tx
        .table(&PENDING_IDENTITIES)
        .during(OP)?
        .get(digest.as_slice())
        .at(OP, &PENDING_IDENTITIES)?
        .map(|v| decode::<PendingIdentity>(v.value()))
        .transpose()?;
    Ok(found.filter(|p| p.expires_at > now))
}

pub fn delete_identity(tx: &WriteTransaction, digest: &[u8; 32]) -> Result<(), StoreError> {
    const OP: &str = "connections.delete_identity";
    tx.table(&PENDING_IDENTITIES).during(OP)?.remove(digest.as_slice()).at(OP, &PENDING_IDENTITIES)?;
    Ok(())
}

/// Removes the expired pending identities (a small table: read whole).
pub fn sweep_identities(tx: &WriteTransaction, now: Timestamp) -> Result<usize, StoreError> {
    const OP: &str = "connections.sweep_identities";
    let doomed: Vec<Vec<u8>> = {
        let t = tx.table(&PENDING_IDENTITIES).during(OP)?;
        let mut doomed = vec![];
        for row in t.iter().at(OP, &PENDING_IDENTITIES)? {
            let (k, v) = row.at(OP, &PENDING_IDENTITIES)?;
            if decode::<PendingIdentity>(v.value()).is_ok_and(|p| p.expires_at > now) {
                continue;
            }
            doomed.push(k.value().to_vec());
        }
        doomed
    };
    let mut t = tx.table(&PENDING_IDENTITIES).during(OP)?;
    for k in &doomed {
        t.remove(k.as_slice()).at(OP, &PENDING_IDENTITIES)?;
    }
    Ok(doomed.len())
}

#[cfg(test)]
#[path = "connections_tests.rs"]
mod tests;
