//! OAuth 1.0a state besides the registry and the grants: request tokens
//! (temporary credentials, single-use and short-lived), the nonces seen
//! inside the timestamp window, and tombstones of revoked access tokens.
//! Request tokens are keyed by the SHA-256 of their value, like every token.

use super::codec::{Record, Revised, decode, decode_old, revise};
use super::key::{Key, u64_at};
use super::schema::{
    OAUTH1_NONCES, OAUTH1_REQUEST_TOKENS, OAUTH1_REQUESTS_BY_EXPIRY, OAUTH1_REVOKED, OAUTH1_REVOKED_BY_TIME,
};
use super::{At, ClientId, ReadableTable, StoreError, Tables, UserId, WriteTransaction};
use crate::clock::Timestamp;
use crate::scopes::ScopeSet;
use serde::{Deserialize, Serialize};

/// What the member did with a request token on the authorization page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Decision {
    Pending,
    Approved {
        user: UserId,
        /// SHA-256 of the `oauth_verifier` (none for a legacy 1.0 consumer).
        verifier: Option<[u8; 32]>,
        /// What was granted, expanded.
        #[serde(deserialize_with = "crate::scopes::lenient")]
        scopes: ScopeSet,
        auth_time: Timestamp,
    },
    Denied,
}

/// Temporary credentials (RFC 5849 §2.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestToken {
    pub client: ClientId,
    /// The token secret, sealed with the token's digest as context.
    pub sealed_secret: Vec<u8>,
    /// Where to send the member back, or `oob`.
    pub callback: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub decision: Decision,
    /// Grows with every stored change (see `codec::Revised`); 0 until stored.
    pub revision: u64,
}

/// A request token as version 1 wrote it: before revisions.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct RequestTokenV1 {
    client: ClientId,
    sealed_secret: Vec<u8>,
    callback: String,
    created_at: Timestamp,
    expires_at: Timestamp,
    decision: Decision,
}

impl Record for RequestToken {
    const KIND: &'static str = "oauth1 request token";
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => {
                let t: RequestTokenV1 = decode_old(Self::KIND, version, body)?;
                Ok(RequestToken {
                    client: t.client,
                    sealed_secret: t.sealed_secret,
                    callback: t.callback,
                    created_at: t.created_at,
                    expires_at: t.expires_at,
                    decision: t.decision,
                    revision: 1,
                })
            }
            v => Err(StoreError::Corrupt(format!("oauth1 request token record has unknown version {v}"))),
        }
    }
}

impl Revised for RequestToken {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

impl RequestToken {
    pub fn expired(&self, now: Timestamp) -> bool {
        self.expires_at <= now
    }
}

/// `OAUTH1_REQUESTS_BY_EXPIRY` key: expiry time ++ request token digest.
fn expiry_key(expires_at: Timestamp, digest: &[u8; 32]) -> Key {
    Key::new().time(expires_at).bytes(digest)
}

/// Stores a request token, new (revision 1) or changed (the next revision),
/// indexed by its expiry.
pub fn put_request(tx: &WriteTransaction, digest: &[u8; 32], token: &mut RequestToken) -> Result<(), StoreError> {
    const OP: &str = "oauth1.put_request";
    let mut t = tx.table(&OAUTH1_REQUEST_TOKENS).during(OP)?;
    let stored = t.get(digest.as_slice()).at(OP, &OAUTH1_REQUEST_TOKENS)?.map(|v| v.value().to_vec());
    let old_expiry = stored.as_deref().and_then(|v| decode::<RequestToken>(v).ok()).map(|t| t.expires_at);
    if let Some(bytes) = revise(stored.as_deref(), token)? {
        t.insert(digest.as_slice(), bytes.as_slice()).at(OP, &OAUTH1_REQUEST_TOKENS)?;
    }
    let mut by_expiry = tx.table(&OAUTH1_REQUESTS_BY_EXPIRY).during(OP)?;
    if let Some(e) = old_expiry.filter(|&e| e != token.expires_at) {
        by_expiry.remove(expiry_key(e, digest).as_slice()).at(OP, &OAUTH1_REQUESTS_BY_EXPIRY)?;
    }
    by_expiry.insert(expiry_key(token.expires_at, digest).as_slice(), ()).at(OP, &OAUTH1_REQUESTS_BY_EXPIRY)?;
    Ok(())
}

pub fn request(tx: &impl Tables, digest: &[u8; 32]) -> Result<Option<RequestToken>, StoreError> {
    const OP: &str = "oauth1.request";
    let t = tx.table(&OAUTH1_REQUEST_TOKENS).during(OP)?;
    t.get(digest.as_slice()).at(OP, &OAUTH1_REQUEST_TOKENS)?.map(|v| decode(v.value())).transpose()
}

/// Removes a request token: it is single-use.
pub fn delete_request(tx: &WriteTransaction, digest: &[u8; 32]) -> Result<(), StoreError> {
    const OP: &str = "oauth1.delete_request";
    let mut t = tx.table(&OAUTH1_REQUEST_TOKENS).during(OP)?;
    let gone = t.remove(digest.as_slice()).at(OP, &OAUTH1_REQUEST_TOKENS)?.map(|v| v.value().to_vec());
    if let Some(e) = gone.and_then(|v| decode::<RequestToken>(&v).ok()).map(|t| t.expires_at) {
        let mut by_expiry = tx.table(&OAUTH1_REQUESTS_BY_EXPIRY).during(OP)?;
        by_expiry.remove(expiry_key(e, digest).as_slice()).at(OP, &OAUTH1_REQUESTS_BY_EXPIRY)?;
    }
    Ok(())
}

/// The key of one nonce: time first, so old ones go with one range. The
/// token is kept as its SHA-256 (that of the empty string for none), like
/// every token here.
/// (A registered consumer key holds no NUL, so `text` keeps it whole.)
pub fn nonce_key(timestamp: u64, consumer_key: &str, token_digest: &[u8; 32], nonce: &str) -> Vec<u8> {
    Key::new().u64(timestamp).text(consumer_key).bytes(token_digest).bytes(nonce.as_bytes()).into_vec()
}

/// Records a nonce; `false` when the same consumer, token, timestamp and
/// nonce were seen before (a replay). Checked and recorded in one
/// transaction, so two copies of a request racing each other cannot both
/// pass.
pub fn record_nonce(tx: &WriteTransaction, key: &[u8]) -> Result<bool, StoreError> {
    const OP: &str = "oauth1.record_nonce";
    Ok(tx.table(&OAUTH1_NONCES).during(OP)?.insert(key, ()).at(OP, &OAUTH1_NONCES)?.is_none())
}

/// Records a batch of nonces already claimed in memory (see
/// `oauth1::replay`), with one table open for all of them.
pub fn record_nonces(tx: &WriteTransaction, keys: &[Vec<u8>]) -> Result<(), StoreError> {
    const OP: &str = "oauth1.record_nonces";
    let mut table = tx.table(&OAUTH1_NONCES).during(OP)?;
    for k in keys {
        table.insert(k.as_slice(), ()).at(OP, &OAUTH1_NONCES)?;
    }
    Ok(())
}

/// The newest timestamp among the recorded nonces (keys begin with it).
pub fn newest_nonce_timestamp(tx: &impl Tables) -> Result<Option<u64>, StoreError> {
    const OP: &str = "oauth1.newest_nonce_timestamp";
    let table = tx.table(&OAUTH1_NONCES).during(OP)?;
    let Some((key, _)) = table.last().at(OP, &OAUTH1_NONCES)? else {
        return Ok(None);
    };
    Ok(u64_at(key.value(), 0))
}

/// Whether a nonce was recorded, by this process or an earlier one.
pub fn nonce_seen(tx: &impl Tables, key: &[u8]) -> Result<bool, StoreError> {
    const OP: &str = "oauth1.nonce_seen";
    Ok(tx.table(&OAUTH1_NONCES).during(OP)?.get(key).at(OP, &OAUTH1_NONCES)?.is_some())
}

/// Whether `digest` is an access token whose grant was revoked.
pub fn revoked(tx: &impl Tables, digest: &[u8; 32]) -> Result<bool, StoreError> {
    const OP: &str = "oauth1.revoked";
    Ok(tx.table(&OAUTH1_REVOKED).during(OP)?.get(digest.as_slice()).at(OP, &OAUTH1_REVOKED)?.is_some())
}

/// `OAUTH1_REVOKED_BY_TIME` key: the tombstone's time ++ token digest.
fn tombstone_key(at: Timestamp, digest: &[u8; 32]) -> Key {
    Key::new().time(at).bytes(digest)
}

/// Leaves a tombstone for a revoked access token (see `grants::revoke`),
/// indexed by its time.
pub fn put_tombstone(tx: &WriteTransaction, digest: &[u8; 32], at: Timestamp) -> Result<(), StoreError> {
    const OP: &str = "oauth1.put_tombstone";
    let old =
        tx.table(&OAUTH1_REVOKED).during(OP)?.insert(digest.as_slice(), at).at(OP, &OAUTH1_REVOKED)?.map(|v| v.value());
    let mut by_time = tx.table(&OAUTH1_REVOKED_BY_TIME).during(OP)?;
    if let Some(old) = old.filter(|&old| old != at) {
        by_time.remove(tombstone_key(old, digest).as_slice()).at(OP, &OAUTH1_REVOKED_BY_TIME)?;
    }
    by_time.insert(tombstone_key(at, digest).as_slice(), ()).at(OP, &OAUTH1_REVOKED_BY_TIME)?;
    Ok(())
}

/// What a sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub request_tokens: usize,
    pub nonces: usize,
    pub tombstones: usize,
}

impl Swept {
    pub fn total(&self) -> usize {
        self.request_tokens + self.nonces + self.tombstones
    }
}

/// Removes expired request tokens, nonces with a timestamp before
/// `nonces_before` (no request that old is accepted any more, so they can
/// never match again), and tombstones older than `tombstones_before`.
pub fn sweep(
    tx: &WriteTransaction,
    now: Timestamp,
    nonces_before: u64,
    tombstones_before: Timestamp,
) -> Result<Swept, StoreError> {
    const OP: &str = "oauth1.sweep";
    let mut swept = Swept::default();
    // Only the expired part of the expiry index is read (the migration to
    // schema 2 files unreadable records at the start, so they go too).
    let mut doomed = vec![];
    let end = expiry_key(now, &[0xff; 32]);
    for row in
        tx.table(&OAUTH1_REQUESTS_BY_EXPIRY).during(OP)?.range(..=end.as_slice()).at(OP, &OAUTH1_REQUESTS_BY_EXPIRY)?
    {
        doomed.push(row.at(OP, &OAUTH1_REQUESTS_BY_EXPIRY)?.0.value().to_vec());
    }
    let mut requests = tx.table(&OAUTH1_REQUEST_TOKENS).during(OP)?;
    let mut by_expiry = tx.table(&OAUTH1_REQUESTS_BY_EXPIRY).during(OP)?;
    for k in &doomed {
        let Some(d) = k.get(8..) else { continue };
        let stored = requests.get(d).at(OP, &OAUTH1_REQUEST_TOKENS)?.map(|v| decode::<RequestToken>(v.value()));
        match stored {
            Some(Err(_)) => {}
            Some(Ok(t)) if !t.expired(now) => {
                // Renewed under a later expiry: this entry is stale.
                by_expiry.remove(k.as_slice()).at(OP, &OAUTH1_REQUESTS_BY_EXPIRY)?;
                continue;
            }
            Some(Ok(_)) => {}
            None => {
                by_expiry.remove(k.as_slice()).at(OP, &OAUTH1_REQUESTS_BY_EXPIRY)?;
                continue;
            }
        }
        requests.remove(d).at(OP, &OAUTH1_REQUEST_TOKENS)?;
        by_expiry.remove(k.as_slice()).at(OP, &OAUTH1_REQUESTS_BY_EXPIRY)?;
        swept.request_tokens += 1;
    }
    drop((requests, by_expiry));
    let hi = Key::new().u64(nonces_before);
    tx.table(&OAUTH1_NONCES)
        .during(OP)?
        .retain_in(..hi.as_slice(), |_, _| {
            swept.nonces += 1;
            false
        })
        .at(OP, &OAUTH1_NONCES)?;
    // Tombstones older than `tombstones_before`, through their time index.
    let mut doomed = vec![];
    let end = Key::new().time(tombstones_before);
    for row in tx.table(&OAUTH1_REVOKED_BY_TIME).during(OP)?.range(..end.as_slice()).at(OP, &OAUTH1_REVOKED_BY_TIME)? {
        doomed.push(row.at(OP, &OAUTH1_REVOKED_BY_TIME)?.0.value().to_vec());
    }
    let mut tombstones = tx.table(&OAUTH1_REVOKED).during(OP)?;
    let mut by_time = tx.table(&OAUTH1_REVOKED_BY_TIME).during(OP)?;
    for k in &doomed {
        by_time.remove(k.as_slice()).at(OP, &OAUTH1_REVOKED_BY_TIME)?;
        let Some(d) = k.get(8..) else { continue };
        let at = tombstones.get(d).at(OP, &OAUTH1_REVOKED)?.map(|v| v.value());
        // An entry whose tombstone is gone or newer is only stale.
        if at.is_some_and(|at| at < tombstones_before) {
            tombstones.remove(d).at(OP, &OAUTH1_REVOKED)?;
            swept.tombstones += 1;
        }
    }
    Ok(swept)
}

/// Fills the indexes added in schema 2 from the request tokens and
/// tombstones of an older file (see `migrate`). A request token that cannot
/// be read is filed at the start, so the next sweep removes it as the full
/// scan did.
pub(super) fn index_v2(tx: &WriteTransaction) -> Result<usize, StoreError> {
    const OP: &str = "oauth1.index_v2";
    let mut keys = vec![];
    for row in tx.table(&OAUTH1_REQUEST_TOKENS).during(OP)?.iter().at(OP, &OAUTH1_REQUEST_TOKENS)? {
        let (k, v) = row.at(OP, &OAUTH1_REQUEST_TOKENS)?;
        let at = decode::<RequestToken>(v.value()).map(|t| t.expires_at).unwrap_or(Timestamp::MIN);
        keys.push(Key::new().time(at).bytes(k.value()));
    }
    let mut by_expiry = tx.table(&OAUTH1_REQUESTS_BY_EXPIRY).during(OP)?;
    for k in &keys {
        by_expiry.insert(k.as_slice(), ()).at(OP, &OAUTH1_REQUESTS_BY_EXPIRY)?;
    }
    drop(by_expiry);
    let mut tombstones = vec![];
    for row in tx.table(&OAUTH1_REVOKED).during(OP)?.iter().at(OP, &OAUTH1_REVOKED)? {
        let (k, at) = row.at(OP, &OAUTH1_REVOKED)?;
        tombstones.push(Key::new().time(at.value()).bytes(k.value()));
    }
    let mut by_time = tx.table(&OAUTH1_REVOKED_BY_TIME).during(OP)?;
    for k in &tombstones {
        by_time.insert(k.as_slice(), ()).at(OP, &OAUTH1_REVOKED_BY_TIME)?;
    }
    Ok(keys.len() + tombstones.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(s: &str) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(s.as_bytes()).into()
    }
    use crate::store::{Store, schema};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("db")).unwrap();
        (dir, s)
    }

    #[test]
    fn nonces_are_single_use_and_swept_by_time() {
        let (_d, s) = store();
        let k = |ts, nonce| nonce_key(ts, "lkc_a", &digest("tok"), nonce);
        let fresh: Vec<bool> = s
            .write_blocking(move |tx| {
                Ok::<_, StoreError>(vec![
                    record_nonce(tx, &k(100, "n1"))?,
                    record_nonce(tx, &k(100, "n1"))?,
                    record_nonce(tx, &k(101, "n1"))?,
                    record_nonce(tx, &nonce_key(100, "lkc_b", &digest("tok"), "n1"))?,
                    record_nonce(tx, &nonce_key(100, "lkc_a", &digest(""), "n1"))?,
                    record_nonce(tx, &k(300, "n1"))?,
                ])
            })
            .unwrap();
        assert_eq!(fresh, vec![true, false, true, true, true, true]);
        // Across commits too.
        assert!(!s.write_blocking(move |tx| record_nonce(tx, &k(101, "n1"))).unwrap());
        let swept = s.write_blocking(|tx| sweep(tx, 0, 200, 0)).unwrap();
        assert_eq!(swept.nonces, 4);
        let left = s.read(|tx| Ok(redb::ReadableTableMetadata::len(&tx.open_table(schema::OAUTH1_NONCES)?)?)).unwrap();
        assert_eq!(left, 1, "only the nonce inside the window stays");
        assert!(!s.write_blocking(move |tx| record_nonce(tx, &k(300, "n1"))).unwrap());
    }

    #[test]
    fn a_version_1_request_token_reads_at_revision_1() {
        let old = RequestTokenV1 {
            client: ClientId(2),
            sealed_secret: vec![9, 8],
            callback: "https://app.example/cb".into(),
            created_at: 10,
            expires_at: 20,
            decision: Decision::Approved {
                user: UserId(1),
                verifier: Some([7; 32]),
                scopes: ScopeSet::parse("read").unwrap(),
                auth_time: 11,
            },
        };
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_stdvec(&old).unwrap());
        let t: RequestToken = decode(&bytes).unwrap();
        assert_eq!(
            (t.client, t.sealed_secret.as_slice(), t.callback.as_str()),
            (ClientId(2), &[9u8, 8][..], "https://app.example/cb")
        );
        assert_eq!((t.created_at, t.expires_at, t.revision), (10, 20, 1));
        assert_eq!(t.decision, old.decision);
        assert_eq!(crate::store::codec::encode(&t).unwrap()[0], RequestToken::VERSION);
        assert!(decode::<RequestToken>(&[1, 0xff]).is_err());
    }

    #[test]
    fn request_tokens_expire_and_tombstones_age_out() {
        let (_d, s) = store();
        let t = RequestToken {
            client: ClientId(1),
            sealed_secret: vec![1],
            callback: "oob".into(),
            created_at: 10,
            expires_at: 20,
            decision: Decision::Pending,
            revision: 0,
        };
        let t2 = RequestToken { expires_at: 40, ..t.clone() };
        s.write_blocking(move |tx| {
            put_request(tx, &[1; 32], &mut t.clone())?;
            put_request(tx, &[2; 32], &mut t2.clone())?;
            put_tombstone(tx, &[3; 32], 5)?;
            put_tombstone(tx, &[4; 32], 50)?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert!(s.read(|tx| revoked(tx, &[3; 32])).unwrap());
        let swept = s.write_blocking(|tx| sweep(tx, 30, 0, 10)).unwrap();
        assert_eq!(swept, Swept { request_tokens: 1, nonces: 0, tombstones: 1 });
        let indexed = s.read(|tx| Ok(redb::ReadableTableMetadata::len(&tx.table(&OAUTH1_REQUESTS_BY_EXPIRY)?)?));
        assert_eq!(indexed.unwrap(), 1, "the expiry index holds the live request token only");
        assert!(s.read(|tx| request(tx, &[1; 32])).unwrap().is_none());
        assert!(s.read(|tx| request(tx, &[2; 32])).unwrap().is_some());
        assert!(!s.read(|tx| revoked(tx, &[3; 32])).unwrap());
        assert!(s.read(|tx| revoked(tx, &[4; 32])).unwrap());
    }

    /// The stored bytes of a request token and the variants of `Decision`,
    /// frozen, and the layouts of the nonce and expiry keys.
    #[test]
    fn stored_bytes_and_key_layouts_are_stable() {
        let t = RequestToken {
            client: ClientId(2),
            sealed_secret: vec![1],
            callback: "oob".into(),
            created_at: 10,
            expires_at: 20,
            decision: Decision::Approved {
                user: UserId(3),
                verifier: Some([9; 32]),
                scopes: ScopeSet::parse("read").unwrap(),
                auth_time: 4,
            },
            revision: 2,
        };
        let bytes = crate::store::codec::encode(&t).unwrap();
        assert_eq!(
            bytes,
            [
                2, 2, 1, 1, 3, 111, 111, 98, 20, 40, 1, 3, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 4, 114, 101, 97, 100, 8, 2
            ]
        );
        assert_eq!(decode::<RequestToken>(&bytes).unwrap(), t);
        // A scope not in today's vocabulary ("r") is dropped, not an error.
        let unknown = [
            2, 2, 1, 1, 3, 111, 111, 98, 20, 40, 1, 3, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
            9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1, 114, 8, 2,
        ];
        let Decision::Approved { user, verifier, auth_time, .. } = t.decision.clone() else { unreachable!() };
        let dropped = RequestToken {
            decision: Decision::Approved { user, verifier, scopes: ScopeSet::default(), auth_time },
            ..t.clone()
        };
        assert_eq!(decode::<RequestToken>(&unknown).unwrap(), dropped);
        let decisions = [Decision::Pending, Decision::Denied];
        assert_eq!(postcard::to_stdvec(&decisions).unwrap(), [0, 2]);

        let mut nonce = vec![0, 0, 0, 0, 0, 0, 1, 0, b'c', b'k', 0];
        nonce.extend([7; 32]);
        nonce.extend(b"n1");
        assert_eq!(nonce_key(256, "ck", &[7; 32], "n1"), nonce);
        let mut expiry = vec![0x80, 0, 0, 0, 0, 0, 0, 20];
        expiry.extend([7; 32]);
        assert_eq!(expiry_key(20, &[7; 32]).into_vec(), expiry);
        assert_eq!(tombstone_key(20, &[7; 32]).into_vec(), expiry);
    }
}
