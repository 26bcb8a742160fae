//! Stored JWT signing keys: the key record (with when it stopped signing)
//! under its `kid`.

use super::codec::{Record, decode, encode};
use super::schema::SIGNING_KEYS;
use super::{At, ReadableTable, StoreError, Tables, WriteTransaction};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

/// A signing key as stored. The store owns this shape (not `keys::SigningKey`)
/// so that a change in the signing code cannot silently change the file.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredKey {
    pub key: KeyMaterial,
    /// When a newer key of the same algorithm took over; published until
    /// every token it signed has expired.
    pub retired_at: Option<Timestamp>,
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyMaterial {
    pub kid: String,
    pub alg: KeyAlg,
    /// The private key, PKCS#8 DER.
    pub private_der: Vec<u8>,
    pub created_at: Timestamp,
}

/// The JWS algorithm of a stored key. Stored by variant index: append new
/// ones at the end, never reorder.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum KeyAlg {
    EdDSA,
    ES256,
    RS256,
}

/// Keeps private key bytes out of logs.
impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.key.kid)
            .field("alg", &self.key.alg)
            .field("private_der", &format_args!("<{} bytes>", self.key.private_der.len()))
            .field("created_at", &self.key.created_at)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}

impl Record for StoredKey {
    const KIND: &'static str = "signing key";
    const VERSION: u8 = 1;
}

pub fn list(tx: &impl Tables) -> Result<Vec<StoredKey>, StoreError> {
    const OP: &str = "keys.list";
    let t = tx.table(&SIGNING_KEYS).during(OP)?;
    let mut out = vec![];
    for row in t.iter().at(OP, &SIGNING_KEYS)? {
        out.push(decode(row.at(OP, &SIGNING_KEYS)?.1.value())?);
    }
    Ok(out)
}

pub fn put(tx: &WriteTransaction, k: &StoredKey) -> Result<(), StoreError> {
    const OP: &str = "keys.put";
    tx.table(&SIGNING_KEYS).during(OP)?.insert(k.key.kid.as_str(), encode(k)?.as_slice()).at(OP, &SIGNING_KEYS)?;
    Ok(())
}

pub fn delete(tx: &WriteTransaction, kid: &str) -> Result<(), StoreError> {
    const OP: &str = "keys.delete";
    tx.table(&SIGNING_KEYS).during(OP)?.remove(kid).at(OP, &SIGNING_KEYS)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored bytes of a key record, frozen: reordering a field or a
    /// variant must fail here rather than misread every existing file.
    #[test]
    fn stored_bytes_are_stable() {
        let k = StoredKey {
            key: KeyMaterial {
                kid: "k1".into(),
                alg: KeyAlg::ES256,
                private_der: vec![1, 2, 3],
                created_at: 1_700_000_000,
            },
            retired_at: Some(1_700_000_100),
        };
        let bytes = encode(&k).unwrap();
        assert_eq!(bytes, [1, 2, b'k', b'1', 1, 3, 1, 2, 3, 128, 196, 159, 213, 12, 1, 200, 197, 159, 213, 12]);
        assert_eq!(decode::<StoredKey>(&bytes).unwrap(), k);
    }
}
