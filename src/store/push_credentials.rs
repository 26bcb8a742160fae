//! An application's credentials for the push services that need them
//! (FCM's service account; APNs' key), kept sealed in their own table
//! keyed by the application, so the client record does not change. They
//! are written by admins, read by the push worker, never shown again.

use super::codec::{Record, decode, encode};
use super::schema::PUSH_CREDENTIALS;
use super::{At, ReadableTable, StoreError, Tables, WriteTransaction};
use crate::ids::ClientId;
use serde::{Deserialize, Serialize};

/// The sealed secrets of one application (`auth::sealing`, bound to the
/// application and the service: see [`context`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushCredentials {
    /// FCM: the sealed service-account JSON.
    pub fcm: Option<Vec<u8>>,
    /// APNs: the sealed key (not used yet; kept so the record need not change).
    pub apns: Option<Vec<u8>>,
    pub updated_at: i64,
}

impl Record for PushCredentials {
    const KIND: &'static str = "push credentials";
    const VERSION: u8 = 1;
}

/// What a sealed credential is bound to: the service and the application.
pub fn context(service: &str, client: ClientId) -> Vec<u8> {
    format!("push credentials\0{service}\0{}", client.0).into_bytes()
}

pub fn get(tx: &impl Tables, client: ClientId) -> Result<PushCredentials, StoreError> {
    const OP: &str = "push_credentials.get";
    Ok(tx
        .table(&PUSH_CREDENTIALS)
        .during(OP)?
        .get(client.0)
        .at(OP, &PUSH_CREDENTIALS)?
        .map(|v| decode(v.value()))
        .transpose()?
        .unwrap_or_default())
}

/// Stores `c`, or removes the row when it holds nothing.
pub fn put(tx: &WriteTransaction, client: ClientId, c: &PushCredentials) -> Result<(), StoreError> {
    const OP: &str = "push_credentials.put";
    let mut t = tx.table(&PUSH_CREDENTIALS).during(OP)?;
    if c.fcm.is_none() && c.apns.is_none() {
        t.remove(client.0).at(OP, &PUSH_CREDENTIALS)?;
    } else {
        t.insert(client.0, encode(c)?.as_slice()).at(OP, &PUSH_CREDENTIALS)?;
    }
    Ok(())
}

/// Removes an application's credentials (the application is deleted).
pub fn remove(tx: &WriteTransaction, client: ClientId) -> Result<(), StoreError> {
    put(tx, client, &PushCredentials::default())
}
