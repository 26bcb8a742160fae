//! Replay protection for OAuth 1.0a nonces (RFC 5849 §3.3).
//!
//! Every nonce is claimed first in memory, so two copies of one request
//! racing each other are told apart at once, and then recorded in the
//! `OAUTH1_NONCES` table so that a restart forgets nothing:
//!
//! - a request that may change something (an API request with any method but
//!   `GET` and `HEAD`, and the signed `/oauth1/*` endpoints) is answered only
//!   once its nonce is durable;
//! - a safe API request (`GET`, `HEAD`) has its nonce queued and written with the
//!   others of the last [`FLUSH_EVERY`] in one commit, instead of a commit
//!   per request. Only a crash inside that short span can lose such a nonce,
//!   and a replay of a safe request changes nothing.
//!
//! Nonces from before this process started are looked up in the table by
//! `verify` while it can still matter: only a request whose timestamp is not
//! newer than the newest nonce found there at start can carry one (see
//! [`Nonces::may_predate`]); every nonce this process takes is claimed in
//! memory first.

use crate::store::{Store, StoreError};
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

/// How long a safe request's nonce may wait for its commit.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Beyond this many waiting nonces a flush is due at once.
pub const FLUSH_AT: usize = 8192;

/// The nonces this process has seen, by their request's timestamp, and the
/// ones not yet written.
pub struct Nonces {
    /// 128 bits of the SHA-256 of each key, so that a busy window costs
    /// tens of bytes per request, not the key's hundred.
    by_time: Mutex<BTreeMap<i64, HashSet<[u8; 16]>>>,
    pending: Mutex<Vec<Vec<u8>>>,
    /// The newest timestamp of a nonce in the table when this process
    /// started (`None`: the table was empty).
    newest_before: Option<u64>,
}

fn fingerprint(key: &[u8]) -> [u8; 16] {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(key);
    let mut out = [0; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// Whether a request with this method changes nothing (RFC 9110 §9.2.1),
/// so its nonce may be recorded in the next batch.
pub fn is_safe(method: &str) -> bool {
    matches!(method, "GET" | "HEAD")
}

impl Nonces {
    /// `newest_before`: see [`crate::store::oauth1::newest_nonce_timestamp`].
    pub fn new(newest_before: Option<u64>) -> Nonces {
        Nonces { by_time: Mutex::default(), pending: Mutex::default(), newest_before }
    }

    /// Claims `key` (a request's timestamp `ts`); `false` when it was
    /// claimed before. Timestamps older than `now - window` are dropped: the
    /// timestamp check refuses such requests anyway.
    pub fn claim(&self, key: &[u8], ts: i64, now: i64, window: i64) -> bool {
        let mut by_time = self.by_time.lock().unwrap_or_else(|e| e.into_inner());
        if by_time.first_key_value().is_some_and(|(t, _)| *t < now - window) {
            let keep = by_time.split_off(&(now - window));
            *by_time = keep;
        }
        by_time.entry(ts).or_default().insert(fingerprint(key))
    }

    /// Whether a request with timestamp `ts` may carry a nonce an earlier
    /// process recorded, so that it must be looked up in the table.
    pub fn may_predate(&self, ts: u64) -> bool {
        self.newest_before.is_some_and(|newest| ts <= newest)
    }

    /// Queues a claimed key for the next batch; `true` when the queue is
    /// long enough to flush now.
    pub fn queue(&self, key: Vec<u8>) -> bool {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.push(key);
        pending.len() >= FLUSH_AT
    }

    fn take(&self) -> Vec<Vec<u8>> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Writes the queued nonces in one commit; returns how many. On a failed
/// write they go back in the queue for the next flush.
pub async fn flush(nonces: &Nonces, store: &Store) -> Result<usize, StoreError> {
    let batch = std::sync::Arc::new(nonces.take());
    if batch.is_empty() {
        return Ok(0);
    }
    let keys = batch.clone();
    match store.write(move |tx| crate::store::oauth1::record_nonces(tx, &keys)).await {
        Ok(()) => Ok(batch.len()),
        Err(e) => {
            let mut pending = nonces.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.extend(batch.iter().cloned());
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_once_and_forgets_what_the_window_refuses() {
        let r = Nonces::new(None);
        assert!(r.claim(b"a", 100, 100, 300));
        assert!(!r.claim(b"a", 100, 101, 300));
        assert!(r.claim(b"a", 101, 101, 300), "another timestamp is another request");
        assert!(r.claim(b"b", 100, 101, 300));
        assert!(r.claim(b"late", 1000, 1000, 300));
        assert_eq!(r.by_time.lock().unwrap().len(), 1, "old timestamps dropped");
    }

    #[test]
    fn only_requests_as_old_as_the_stored_nonces_are_looked_up() {
        let r = Nonces::new(Some(1_000));
        assert!(r.may_predate(900));
        assert!(r.may_predate(1_000));
        assert!(!r.may_predate(1_001));
        assert!(!Nonces::new(None).may_predate(0), "an empty table holds nothing to find");
    }

    #[test]
    fn queues_until_a_flush_is_due() {
        let r = Nonces::new(None);
        for i in 0..FLUSH_AT - 1 {
            assert!(!r.queue(i.to_be_bytes().to_vec()));
        }
        assert!(r.queue(b"last".to_vec()));
        assert_eq!(r.take().len(), FLUSH_AT);
        assert!(r.take().is_empty());
    }

    #[test]
    fn safe_methods_are_get_and_head() {
        assert!(is_safe("GET") && is_safe("HEAD"));
        assert!(!is_safe("POST") && !is_safe("DELETE") && !is_safe("get"));
    }
}
