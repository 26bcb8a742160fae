//! The signing keys in memory: loaded from the store at start, one active
//! key per algorithm (the newest), older ones still published in the JWKS
//! until every token they signed has expired. `rotate` makes new keys that
//! sign at once.

use crate::clock::Timestamp;
use crate::keys::signer::Signer;
use crate::keys::{self, Algorithm, SigningKey};
use crate::store::audit::{self, Who};
use crate::store::keys::{self as stored, KeyAlg, KeyMaterial};
use crate::store::{Store, StoreError};
use std::sync::RwLock;

const ALGORITHMS: [Algorithm; 3] = [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256];

/// A key with when it stopped signing.
#[derive(Clone)]
struct StoredKey {
    key: SigningKey,
    retired_at: Option<Timestamp>,
}

impl From<stored::StoredKey> for StoredKey {
    fn from(s: stored::StoredKey) -> Self {
        let alg = match s.key.alg {
            KeyAlg::EdDSA => Algorithm::EdDSA,
            KeyAlg::ES256 => Algorithm::ES256,
            KeyAlg::RS256 => Algorithm::RS256,
        };
        let k = s.key;
        StoredKey {
            key: SigningKey { kid: k.kid, alg, private_der: k.private_der, created_at: k.created_at },
            retired_at: s.retired_at,
        }
    }
}

impl From<&StoredKey> for stored::StoredKey {
    fn from(k: &StoredKey) -> Self {
        let alg = match k.key.alg {
            Algorithm::EdDSA => KeyAlg::EdDSA,
            Algorithm::ES256 => KeyAlg::ES256,
            Algorithm::RS256 => KeyAlg::RS256,
        };
        stored::StoredKey {
            key: KeyMaterial {
                kid: k.key.kid.clone(),
                alg,
                private_der: k.key.private_der.clone(),
                created_at: k.key.created_at,
            },
            retired_at: k.retired_at,
        }
    }
}

fn list(tx: &impl crate::store::Tables) -> Result<Vec<StoredKey>, StoreError> {
    Ok(stored::list(tx)?.into_iter().map(StoredKey::from).collect())
}

#[derive(Default)]
pub struct Keyring {
    keys: RwLock<Vec<StoredKey>>,
    public: RwLock<std::sync::Arc<keys::PublicKeys>>,
    /// The active key of each algorithm, parsed once.
    signers: RwLock<Vec<std::sync::Arc<Signer>>>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone)]
pub struct KeyView {
    pub kid: String,
    pub alg: String,
    pub created_at: String,
    pub active: bool,
    pub retired_at: Option<String>,
}

impl Keyring {
    fn snapshot(&self) -> Vec<StoredKey> {
        self.keys.read().map(|k| k.clone()).unwrap_or_default()
    }

    fn set(&self, keys: Vec<StoredKey>) {
        let live: Vec<SigningKey> = keys.iter().filter(|k| k.retired_at.is_none()).map(|k| k.key.clone()).collect();
        let signers: Vec<std::sync::Arc<Signer>> = ALGORITHMS
            .iter()
            .filter_map(|&alg| keys::newest(&live, alg))
            .filter_map(|k| Signer::new(k).map_err(|e| tracing::error!(error = %e, "unusable signing key")).ok())
            .map(std::sync::Arc::new)
            .collect();
        if let Ok(mut s) = self.signers.write() {
            *s = signers;
        }
        let public = keys::PublicKeys::new(&keys.iter().map(|k| k.key.clone()).collect::<Vec<_>>());
        if let Ok(mut p) = self.public.write() {
            *p = std::sync::Arc::new(public);
        }
        if let Ok(mut k) = self.keys.write() {
            *k = keys;
        }
    }

    /// The published keys' public halves, for checking tokens.
    pub fn public_keys(&self) -> std::sync::Arc<keys::PublicKeys> {
        self.public.read().map(|p| p.clone()).unwrap_or_default()
    }

    /// The key that signs new tokens for `alg`.
    pub fn active(&self, alg: Algorithm) -> Option<std::sync::Arc<Signer>> {
        self.signers.read().ok()?.iter().find(|s| s.alg == alg).cloned()
    }

    /// Every published key (active and retired-but-still-valid).
    pub fn published(&self) -> Vec<SigningKey> {
        self.snapshot().into_iter().map(|k| k.key).collect()
    }

    pub fn views(&self) -> Vec<KeyView> {
        let mut ks = self.snapshot();
        ks.sort_by_key(|k| std::cmp::Reverse(k.key.created_at));
        ks.iter()
            .map(|k| KeyView {
                kid: k.key.kid.clone(),
                alg: k.key.alg.as_str().to_string(),
                created_at: crate::clock::rfc3339(k.key.created_at),
                active: k.retired_at.is_none(),
                retired_at: k.retired_at.map(crate::clock::rfc3339),
            })
            .collect()
    }
}

fn generate_all(now: i64) -> Result<Vec<StoredKey>, StoreError> {
    ALGORITHMS
        .iter()
        .map(|&alg| {
            SigningKey::generate(alg, keys::generate_kid(), now)
                .map(|key| StoredKey { key, retired_at: None })
                .map_err(|e| StoreError::Internal(format!("cannot make a {} key: {e}", alg.as_str())))
        })
        .collect()
}

/// Loads the keys, making the first ones on a new database, and drops
/// retired keys whose tokens have all expired.
/// `access_token_lifetime` is the configured default; a retired key stays
/// published for the longest lifetime any application may have.
pub async fn load(
    keyring: &Keyring,
    store: &Store,
    access_token_lifetime: std::time::Duration,
    now: Timestamp,
) -> Result<(), StoreError> {
    let existing = store.read(list)?;
    let missing: Vec<Algorithm> = ALGORITHMS
        .into_iter()
        .filter(|alg| !existing.iter().any(|k| k.key.alg == *alg && k.retired_at.is_none()))
        .collect();
    let keep_retired = max_token_lifetime(store, access_token_lifetime);
    let fresh: Vec<StoredKey> = generate_all(now)?.into_iter().filter(|k| missing.contains(&k.key.alg)).collect();
    let keys = store
        .write(move |tx| {
            for k in &fresh {
                stored::put(tx, &k.into())?;
            }
            for k in list(tx)? {
                if k.retired_at.is_some_and(|r| r + keep_retired < now) {
                    stored::delete(tx, &k.key.kid)?;
                }
            }
            list(tx)
        })
        .await?;
    keyring.set(keys);
    Ok(())
}

/// How long a retired key must stay published: the longest access-token
/// lifetime any application may have.
fn max_token_lifetime(store: &Store, default: std::time::Duration) -> i64 {
    let default = default.as_secs() as i64;
    let per_client = store
        .read(crate::store::clients::list)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.oauth2.as_ref().and_then(|o| o.access_ttl))
        .max()
        .unwrap_or(0) as i64;
    default.max(per_client) + 300
}

/// New keys for every algorithm; they sign from now on, the old ones stay
/// published until their tokens have expired.
pub async fn rotate(keyring: &Keyring, store: &Store, now: Timestamp, who: Who) -> Result<Vec<KeyView>, StoreError> {
    let fresh = generate_all(now)?;
    let keys = store
        .write(move |tx| {
            for mut k in list(tx)? {
                if k.retired_at.is_none() {
                    k.retired_at = Some(now);
                    stored::put(tx, &(&k).into())?;
                }
            }
            for k in &fresh {
                stored::put(tx, &k.into())?;
            }
            let kids: Vec<&str> = fresh.iter().map(|k| k.key.kid.as_str()).collect();
            audit::record(tx, now, &who, "keys.rotate", "", &format!("new keys {}", kids.join(", ")))?;
            list(tx)
        })
        .await?;
    keyring.set(keys);
    Ok(keyring.views())
}
