//! The signing keys in memory: loaded from the store at start, one active
//! key per algorithm (the newest), older ones still published in the JWKS
//! until every token they signed has expired. `rotate` makes new keys that
//! sign at once.

use crate::auth::sealing::{SealError, Sealer, context};
use crate::clock::Timestamp;
use crate::keys::signer::Signer;
use crate::keys::{self, Algorithm, SigningKey};
use crate::store::audit::{self, Who};
use crate::store::keys::{self as stored, KeyAlg, KeyMaterial, PrivateKey};
use crate::store::{Store, StoreError};
use std::sync::RwLock;

const ALGORITHMS: [Algorithm; 3] = [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256];

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored key cannot be opened with this `secret.key`: the server
    /// cannot sign, so it must not start as if it could.
    #[error(
        "the JWT signing key {kid} cannot be unsealed: {cause}. The signing keys are sealed with DATA_DIR/secret.key; restore the secret.key that belongs with this database"
    )]
    Unseal { kid: String, cause: SealError },
    #[error("the JWT signing key {kid} cannot be sealed: {cause}")]
    Seal { kid: String, cause: SealError },
}

/// A key with when it stopped signing.
#[derive(Clone)]
struct StoredKey {
    key: SigningKey,
    retired_at: Option<Timestamp>,
}

/// Opens a stored key; also says whether it was in the clear (and so must
/// be sealed and written back).
fn unseal(s: stored::StoredKey, sealer: &Sealer) -> Result<(StoredKey, bool), KeyringError> {
    let alg = match s.key.alg {
        KeyAlg::EdDSA => Algorithm::EdDSA,
        KeyAlg::ES256 => Algorithm::ES256,
        KeyAlg::RS256 => Algorithm::RS256,
    };
    let k = s.key;
    let (private_der, clear) = match k.private {
        PrivateKey::Sealed(sealed) => {
            let der = sealer
                .open_bytes(&context::signing_key(&k.kid), &sealed)
                .map_err(|cause| KeyringError::Unseal { kid: k.kid.clone(), cause })?;
            (der, false)
        }
        PrivateKey::Clear(der) => (der, true),
    };
    let key = SigningKey { kid: k.kid, alg, private_der, created_at: k.created_at };
    Ok((StoredKey { key, retired_at: s.retired_at }, clear))
}

/// The record to store for `k`, its private key sealed.
fn seal(k: &StoredKey, sealer: &Sealer) -> Result<stored::StoredKey, KeyringError> {
    let alg = match k.key.alg {
        Algorithm::EdDSA => KeyAlg::EdDSA,
        Algorithm::ES256 => KeyAlg::ES256,
        Algorithm::RS256 => KeyAlg::RS256,
    };
    let sealed = sealer
        .seal_bytes(&context::signing_key(&k.key.kid), &k.key.private_der)
        .map_err(|cause| KeyringError::Seal { kid: k.key.kid.clone(), cause })?;
    Ok(stored::StoredKey {
        key: KeyMaterial {
            kid: k.key.kid.clone(),
            alg,
            private: PrivateKey::Sealed(sealed),
            created_at: k.key.created_at,
        },
        retired_at: k.retired_at,
    })
}

fn unseal_all(records: Vec<stored::StoredKey>, sealer: &Sealer) -> Result<Vec<StoredKey>, KeyringError> {
    records.into_iter().map(|r| unseal(r, sealer).map(|(k, _)| k)).collect()
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

/// A new key for `alg`. An RSA key costs tens to hundreds of milliseconds
/// (a random prime search), so keys are made only where one is needed.
fn generate(alg: Algorithm, now: i64) -> Result<StoredKey, StoreError> {
    SigningKey::generate(alg, keys::generate_kid(), now)
        .map(|key| StoredKey { key, retired_at: None })
        .map_err(|e| StoreError::Internal(format!("cannot make a {} key: {e}", alg.as_str())))
}

fn generate_all(now: i64) -> Result<Vec<StoredKey>, StoreError> {
    ALGORITHMS.iter().map(|&alg| generate(alg, now)).collect()
}

/// Loads the keys, making the first ones on a new database (or a key for an
/// algorithm that has none), and drops retired keys whose tokens have all
/// expired; a start with nothing of that to do writes nothing. A key an
/// older latchkey stored in the clear is sealed and written back in the same
/// write. `access_token_lifetime` is the configured default; a retired key stays
/// published for the longest lifetime any application may have.
pub async fn load(
    keyring: &Keyring,
    store: &Store,
    sealer: &Sealer,
    access_token_lifetime: std::time::Duration,
    now: Timestamp,
) -> Result<(), KeyringError> {
    let mut existing = vec![];
    let mut resealed = vec![];
    for record in store.read(stored::list)? {
        let (k, clear) = unseal(record, sealer)?;
        if clear {
            resealed.push(seal(&k, sealer)?);
        }
        existing.push(k);
    }
    let missing: Vec<Algorithm> = ALGORITHMS
        .into_iter()
        .filter(|alg| !existing.iter().any(|k| k.key.alg == *alg && k.retired_at.is_none()))
        .collect();
    let keep_retired = max_token_lifetime(store, access_token_lifetime);
    let expired = |k: &StoredKey| k.retired_at.is_some_and(|r| r + keep_retired < now);
    if missing.is_empty() && resealed.is_empty() && !existing.iter().any(expired) {
        // The usual start: every key is there and sealed, none to drop.
        // Nothing is written, so a start costs no commit.
        keyring.set(existing);
        return Ok(());
    }
    let fresh = missing.iter().map(|&alg| seal(&generate(alg, now)?, sealer)).collect::<Result<Vec<_>, _>>()?;
    if !resealed.is_empty() {
        tracing::info!(keys = resealed.len(), "sealing signing keys stored in the clear by an older latchkey");
    }
    let records = store
        .write(move |tx| {
            for k in fresh.iter().chain(&resealed) {
                stored::put(tx, k)?;
            }
            for k in stored::list(tx)? {
                if k.retired_at.is_some_and(|r| r + keep_retired < now) {
                    stored::delete(tx, &k.key.kid)?;
                }
            }
            stored::list(tx)
        })
        .await?;
    keyring.set(unseal_all(records, sealer)?);
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
pub async fn rotate(
    keyring: &Keyring,
    store: &Store,
    sealer: &Sealer,
    now: Timestamp,
    who: Who,
) -> Result<Vec<KeyView>, KeyringError> {
    let fresh = generate_all(now)?.iter().map(|k| seal(k, sealer)).collect::<Result<Vec<_>, _>>()?;
    let records = store
        .write(move |tx| {
            for mut k in stored::list(tx)? {
                if k.retired_at.is_none() {
                    k.retired_at = Some(now);
                    stored::put(tx, &k)?;
                }
            }
            for k in &fresh {
                stored::put(tx, k)?;
            }
            let kids: Vec<&str> = fresh.iter().map(|k| k.key.kid.as_str()).collect();
            audit::record(tx, now, &who, "keys.rotate", "", &format!("new keys {}", kids.join(", ")))?;
            stored::list(tx)
        })
        .await?;
    keyring.set(unseal_all(records, sealer)?);
    Ok(keyring.views())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema::SIGNING_KEYS;

    const NOW: Timestamp = 1_700_000_000;
    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    async fn loaded(store: &Store, sealer: &Sealer) -> Result<Keyring, KeyringError> {
        let keyring = Keyring::default();
        load(&keyring, store, sealer, HOUR, NOW).await?;
        Ok(keyring)
    }

    #[tokio::test]
    async fn signing_keys_are_sealed_at_rest_and_open_to_the_published_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latchkey.redb");
        let sealer = Sealer::in_data_dir(dir.path());
        let store = Store::open(&path).unwrap();
        let keyring = loaded(&store, &sealer).await.unwrap();
        let published = keyring.published();
        assert_eq!(published.len(), 3);
        let records = store.read(stored::list).unwrap();
        assert_eq!(records.len(), 3);
        for r in &records {
            let PrivateKey::Sealed(sealed) = &r.key.private else { panic!("{r:?} is not sealed") };
            let key = published.iter().find(|k| k.kid == r.key.kid).unwrap();
            assert!(!contains(sealed, &key.private_der));
            let der = sealer.open_bytes(&context::signing_key(&r.key.kid), sealed).unwrap();
            assert_eq!(der, key.private_der);
            let opened = SigningKey { private_der: der, ..key.clone() };
            assert_eq!(opened.public_jwk().unwrap(), key.public_jwk().unwrap(), "the JWKS key's private half");
        }
        // Rotated keys are sealed too, and everything opens after a restart.
        rotate(&keyring, &store, &sealer, NOW + 10, Who::cli()).await.unwrap();
        let published = keyring.published();
        assert_eq!(published.len(), 6);
        assert!(store.read(stored::list).unwrap().iter().all(|r| matches!(r.key.private, PrivateKey::Sealed(_))));
        drop(store);
        let file = std::fs::read(&path).unwrap();
        for k in &published {
            assert!(!contains(&file, &k.private_der), "{} is not in the file in the clear", k.kid);
        }
        let store = Store::open(&path).unwrap();
        let again = loaded(&store, &Sealer::in_data_dir(dir.path())).await.unwrap();
        let der = |ks: Vec<SigningKey>| {
            let mut v: Vec<(String, Vec<u8>)> = ks.into_iter().map(|k| (k.kid, k.private_der)).collect();
            v.sort();
            v
        };
        assert_eq!(der(again.published()), der(published));

        // Another secret.key: a clear error, not a panic and not new keys.
        let other = Sealer::new(dir.path().join("other.key"));
        let e = loaded(&store, &other).await.err().expect("refused");
        assert!(matches!(e, KeyringError::Unseal { .. }), "{e}");
        assert!(e.to_string().contains("secret.key"), "{e}");
        assert_eq!(store.read(stored::list).unwrap().len(), 6, "nothing was written");
    }

    /// The usual start finds every key: it makes none (an RSA key costs up
    /// to half a second) and commits nothing. Retired keys past their
    /// tokens' lifetime are still dropped at a later start.
    #[tokio::test]
    async fn a_later_start_makes_no_key_and_writes_nothing_unless_a_retired_key_expired() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("latchkey.redb")).unwrap();
        let sealer = Sealer::in_data_dir(dir.path());
        let first = loaded(&store, &sealer).await.unwrap();
        let commits = store.commits();
        let again = loaded(&store, &sealer).await.unwrap();
        assert_eq!(store.commits(), commits, "nothing written");
        let kids = |k: &Keyring| {
            let mut v: Vec<String> = k.published().into_iter().map(|k| k.kid).collect();
            v.sort();
            v
        };
        assert_eq!(kids(&again), kids(&first), "the same keys, none new");
        assert_eq!(
            again.active(Algorithm::RS256).map(|s| s.kid.clone()),
            first.active(Algorithm::RS256).map(|s| s.kid.clone())
        );

        rotate(&again, &store, &sealer, NOW + 10, Who::cli()).await.unwrap();
        assert_eq!(store.read(stored::list).unwrap().len(), 6);
        let later = Keyring::default();
        load(&later, &store, &sealer, HOUR, NOW + 10 + 2 * 3600).await.unwrap();
        assert_eq!(store.read(stored::list).unwrap().len(), 3, "the retired keys' tokens have expired");
        assert!(kids(&later).iter().all(|k| !kids(&first).contains(k)));
    }

    /// The shape an older latchkey stored (record version 1), written here
    /// byte for byte as it did.
    #[derive(serde::Serialize)]
    struct V1 {
        kid: String,
        alg: KeyAlg,
        private_der: Vec<u8>,
        created_at: Timestamp,
        retired_at: Option<Timestamp>,
    }

    #[tokio::test]
    async fn keys_an_older_latchkey_stored_in_the_clear_are_sealed_on_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latchkey.redb");
        let store = Store::open(&path).unwrap();
        let old: Vec<SigningKey> =
            ALGORITHMS.iter().map(|&alg| SigningKey::generate(alg, keys::generate_kid(), NOW - 100).unwrap()).collect();
        let rows: Vec<(String, Vec<u8>)> = old
            .iter()
            .map(|k| {
                let alg = match k.alg {
                    Algorithm::EdDSA => KeyAlg::EdDSA,
                    Algorithm::ES256 => KeyAlg::ES256,
                    Algorithm::RS256 => KeyAlg::RS256,
                };
                let v1 = V1 {
                    kid: k.kid.clone(),
                    alg,
                    private_der: k.private_der.clone(),
                    created_at: k.created_at,
                    retired_at: None,
                };
                (k.kid.clone(), [vec![1u8], postcard::to_stdvec(&v1).unwrap()].concat())
            })
            .collect();
        store
            .write(move |tx| {
                let mut t = tx.open_table(SIGNING_KEYS).map_err(StoreError::from)?;
                for (kid, bytes) in &rows {
                    t.insert(kid.as_str(), bytes.as_slice()).map_err(StoreError::from)?;
                }
                Ok::<_, StoreError>(())
            })
            .await
            .unwrap();
        assert!(store.read(stored::list).unwrap().iter().all(|r| matches!(r.key.private, PrivateKey::Clear(_))));

        let sealer = Sealer::in_data_dir(dir.path());
        let keyring = loaded(&store, &sealer).await.unwrap();
        let records = store.read(stored::list).unwrap();
        assert_eq!(records.len(), 3, "the old keys are kept, no new ones made");
        assert!(records.iter().all(|r| matches!(r.key.private, PrivateKey::Sealed(_))), "{records:?}");
        for k in &old {
            let now = keyring.published().into_iter().find(|p| p.kid == k.kid).unwrap();
            assert_eq!(now.private_der, k.private_der, "the same key signs on");
        }
        drop(store);
        let file = std::fs::read(&path).unwrap();
        for k in &old {
            assert!(!contains(&file, &k.private_der), "{} is no longer in the file in the clear", k.kid);
        }
    }
}
