//! The application registry: one record per application, whichever
//! protocols it speaks, found by id or by its public identifier.

use super::codec::{Record, decode, encode};
use super::schema::{CLIENT_KEYS, CLIENTS};
use super::{ClientId, ReadTransaction, ReadableTable, StoreError, WriteTransaction, next_id};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenFormat {
    Opaque,
    Jwt,
}

/// The OAuth 2.0 side of an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuth2App {
    pub client_id: String,
    /// SHA-256 of the secret; `None` for a public client.
    pub secret_digest: Option<[u8; 32]>,
    pub redirect_uris: Vec<String>,
    /// Wire names: authorization_code, implicit, password, client_credentials, refresh_token.
    pub grants: Vec<String>,
    pub token_format: TokenFormat,
    /// Wire name of the JWT signing algorithm: EdDSA, ES256 or RS256.
    pub signing_alg: String,
    pub access_ttl: Option<u64>,
    pub refresh_ttl: Option<u64>,
    pub pkce_required: bool,
    pub pkce_plain_allowed: bool,
    pub cors_origins: Vec<String>,
    /// May introspect tokens issued to other applications.
    pub introspect_any: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub description: String,
    pub homepage: String,
    pub logo_url: String,
    /// Concrete scopes this application may be granted, space-separated.
    pub scopes: String,
    pub first_party: bool,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub oauth2: Option<OAuth2App>,
}

impl Record for Client {
    const KIND: &'static str = "client";
    const VERSION: u8 = 1;
}

impl Client {
    pub fn is_public(&self) -> bool {
        self.oauth2.as_ref().is_some_and(|o| o.secret_digest.is_none())
    }
}

fn get_in(t: &impl ReadableTable<u64, &'static [u8]>, id: ClientId) -> Result<Option<Client>, StoreError> {
    t.get(id.0)?.map(|v| decode(v.value())).transpose()
}

pub fn get(tx: &ReadTransaction, id: ClientId) -> Result<Option<Client>, StoreError> {
    get_in(&tx.open_table(CLIENTS)?, id)
}

pub fn get_for_update(tx: &WriteTransaction, id: ClientId) -> Result<Option<Client>, StoreError> {
    get_in(&tx.open_table(CLIENTS)?, id)
}

/// By OAuth 2.0 `client_id` (or, later, OAuth 1.0a consumer key).
pub fn by_key(tx: &ReadTransaction, key: &str) -> Result<Option<Client>, StoreError> {
    let id = tx.open_table(CLIENT_KEYS)?.get(key)?.map(|v| ClientId(v.value()));
    match id {
        Some(id) => get(tx, id),
        None => Ok(None),
    }
}

pub fn by_key_for_update(tx: &WriteTransaction, key: &str) -> Result<Option<Client>, StoreError> {
    let id = tx.open_table(CLIENT_KEYS)?.get(key)?.map(|v| ClientId(v.value()));
    match id {
        Some(id) => get_for_update(tx, id),
        None => Ok(None),
    }
}

fn keys_of(c: &Client) -> Vec<String> {
    c.oauth2.iter().map(|o| o.client_id.clone()).collect()
}

pub fn insert(tx: &WriteTransaction, mut client: Client) -> Result<Client, StoreError> {
    client.id = ClientId(next_id(tx, ClientId::SEQUENCE)?);
    let mut keys = tx.open_table(CLIENT_KEYS)?;
    for k in keys_of(&client) {
        keys.insert(k.as_str(), client.id.0)?;
    }
    drop(keys);
    put(tx, &client)?;
    Ok(client)
}

pub fn put(tx: &WriteTransaction, client: &Client) -> Result<(), StoreError> {
    tx.open_table(CLIENTS)?.insert(client.id.0, encode(client)?.as_slice())?;
    Ok(())
}

pub fn delete(tx: &WriteTransaction, client: &Client) -> Result<(), StoreError> {
    tx.open_table(CLIENTS)?.remove(client.id.0)?;
    let mut keys = tx.open_table(CLIENT_KEYS)?;
    for k in keys_of(client) {
        keys.remove(k.as_str())?;
    }
    Ok(())
}

pub fn list(tx: &ReadTransaction) -> Result<Vec<Client>, StoreError> {
    let t = tx.open_table(CLIENTS)?;
    let mut out = vec![];
    for row in t.iter()? {
        out.push(decode(row?.1.value())?);
    }
    Ok(out)
}
