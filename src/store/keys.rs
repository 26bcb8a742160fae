//! Stored JWT signing keys: the key record (with when it stopped signing)
//! under its `kid`. The private key is stored sealed with `secret.key`
//! (sealing is done above the store, by the keyring); only a record read
//! from a file written before that holds it in the clear, and such a record
//! can be read but not written back.

use super::codec::{Record, decode, decode_old, encode};
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
    pub private: PrivateKey,
    pub created_at: Timestamp,
}

/// The private key, PKCS#8 DER. Stored by variant index: append new ones at
/// the end, never reorder.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum PrivateKey {
    /// Sealed with `secret.key`, bound to the `kid` (`sealing::context::signing_key`).
    Sealed(Vec<u8>),
    /// In the clear: only ever read from a v1 record, never written.
    Clear(Vec<u8>),
}

impl PrivateKey {
    fn describe(&self) -> String {
        match self {
            PrivateKey::Sealed(b) => format!("<sealed, {} bytes>", b.len()),
            PrivateKey::Clear(b) => format!("<clear, {} bytes>", b.len()),
        }
    }
}

/// Version 1 of the record, frozen: the private key in the clear.
#[derive(Serialize, Deserialize)]
struct StoredKeyV1 {
    key: KeyMaterialV1,
    retired_at: Option<Timestamp>,
}

#[derive(Serialize, Deserialize)]
struct KeyMaterialV1 {
    kid: String,
    alg: KeyAlg,
    private_der: Vec<u8>,
    created_at: Timestamp,
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
            .field("private", &format_args!("{}", self.key.private.describe()))
            .field("created_at", &self.key.created_at)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}

impl Record for StoredKey {
    const KIND: &'static str = "signing key";
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => {
                let v1: StoredKeyV1 = decode_old(Self::KIND, version, body)?;
                let k = v1.key;
                Ok(StoredKey {
                    key: KeyMaterial {
                        kid: k.kid,
                        alg: k.alg,
                        private: PrivateKey::Clear(k.private_der),
                        created_at: k.created_at,
                    },
                    retired_at: v1.retired_at,
                })
            }
            v => Err(StoreError::Corrupt(format!("{} record has unknown version {v}", Self::KIND))),
        }
    }
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

/// Stores `k`; a key in the clear is refused, so no new record holds one.
pub fn put(tx: &WriteTransaction, k: &StoredKey) -> Result<(), StoreError> {
    const OP: &str = "keys.put";
    if let PrivateKey::Clear(_) = k.key.private {
        return Err(StoreError::Internal(format!(
            "{OP}: the signing key {} must be sealed before it is stored",
            k.key.kid
        )));
    }
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
                private: PrivateKey::Sealed(vec![1, 2, 3]),
                created_at: 1_700_000_000,
            },
            retired_at: Some(1_700_000_100),
        };
        let bytes = encode(&k).unwrap();
        assert_eq!(bytes, [2, 2, b'k', b'1', 1, 0, 3, 1, 2, 3, 128, 196, 159, 213, 12, 1, 200, 197, 159, 213, 12]);
        assert_eq!(decode::<StoredKey>(&bytes).unwrap(), k);
    }

    /// Version 1 (the bytes an older latchkey wrote, frozen) reads as a key
    /// in the clear, to be sealed by the keyring on load.
    #[test]
    fn v1_records_read_as_clear_keys() {
        let v1 = [1, 2, b'k', b'1', 1, 3, 1, 2, 3, 128, 196, 159, 213, 12, 1, 200, 197, 159, 213, 12];
        let k = decode::<StoredKey>(&v1).unwrap();
        assert_eq!(
            k,
            StoredKey {
                key: KeyMaterial {
                    kid: "k1".into(),
                    alg: KeyAlg::ES256,
                    private: PrivateKey::Clear(vec![1, 2, 3]),
                    created_at: 1_700_000_000,
                },
                retired_at: Some(1_700_000_100),
            }
        );
        // The frozen struct writes the same bytes.
        let old = StoredKeyV1 {
            key: KeyMaterialV1 {
                kid: "k1".into(),
                alg: KeyAlg::ES256,
                private_der: vec![1, 2, 3],
                created_at: 1_700_000_000,
            },
            retired_at: Some(1_700_000_100),
        };
        assert_eq!([vec![1], postcard::to_stdvec(&old).unwrap()].concat(), v1);
        assert!(!format!("{k:?}").contains("[1, 2, 3]"), "the key stays out of Debug");
    }

    #[test]
    fn a_clear_key_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("db")).unwrap();
        let mut k = decode::<StoredKey>(&[1, 2, b'k', b'1', 1, 3, 1, 2, 3, 0, 0]).unwrap();
        assert!(matches!(
            store.write_blocking({
                let k = k.clone();
                move |tx| put(tx, &k)
            }),
            Err(StoreError::Internal(_))
        ));
        k.key.private = PrivateKey::Sealed(vec![9]);
        store.write_blocking(move |tx| put(tx, &k)).unwrap();
        assert_eq!(store.read(list).unwrap().len(), 1);
    }
}
