//! Stored JWT signing keys: the key record (with when it stopped signing)
//! under its `kid`.

use super::codec::{Record, decode, encode};
use super::schema::SIGNING_KEYS;
use super::{ReadTransaction, ReadableTable, StoreError, WriteTransaction};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub key: crate::oauth2::keys::SigningKey,
    /// When a newer key of the same algorithm took over; published until
    /// every token it signed has expired.
    pub retired_at: Option<Timestamp>,
}

impl Record for StoredKey {
    const KIND: &'static str = "signing key";
    const VERSION: u8 = 1;
}

pub fn list(tx: &ReadTransaction) -> Result<Vec<StoredKey>, StoreError> {
    let t = tx.open_table(SIGNING_KEYS)?;
    let mut out = vec![];
    for row in t.iter()? {
        out.push(decode(row?.1.value())?);
    }
    Ok(out)
}

pub fn list_for_update(tx: &WriteTransaction) -> Result<Vec<StoredKey>, StoreError> {
    let t = tx.open_table(SIGNING_KEYS)?;
    let mut out = vec![];
    for row in t.iter()? {
        out.push(decode(row?.1.value())?);
    }
    Ok(out)
}

pub fn put(tx: &WriteTransaction, k: &StoredKey) -> Result<(), StoreError> {
    tx.open_table(SIGNING_KEYS)?.insert(k.key.kid.as_str(), encode(k)?.as_slice())?;
    Ok(())
}

pub fn delete(tx: &WriteTransaction, kid: &str) -> Result<(), StoreError> {
    tx.open_table(SIGNING_KEYS)?.remove(kid)?;
    Ok(())
}
