//! The nonces this process has seen, claimed in memory so that two copies
//! of one request racing each other are told apart at once. The durable
//! record is the `OAUTH1_NONCES` table, written before the request is
//! answered (see `verify`); this set only spares the store the losing copy.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

/// Nonce keys grouped by their request's timestamp, so the ones too old to
/// be accepted any more go in one cheap split.
#[derive(Default)]
pub struct RecentNonces {
    by_time: Mutex<BTreeMap<i64, HashSet<Vec<u8>>>>,
}

impl RecentNonces {
    /// Claims `key` (a request's timestamp `ts`); `false` when it was
    /// claimed before. Timestamps older than `now - window` are dropped: the
    /// timestamp check refuses such requests anyway.
    pub fn claim(&self, key: &[u8], ts: i64, now: i64, window: i64) -> bool {
        let mut by_time = self.by_time.lock().unwrap_or_else(|e| e.into_inner());
        let keep = by_time.split_off(&(now - window));
        *by_time = keep;
        by_time.entry(ts).or_default().insert(key.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_once_and_forgets_what_the_window_refuses() {
        let r = RecentNonces::default();
        assert!(r.claim(b"a", 100, 100, 300));
        assert!(!r.claim(b"a", 100, 101, 300));
        assert!(r.claim(b"a", 101, 101, 300), "another timestamp is another request");
        assert!(r.claim(b"b", 100, 101, 300));
        assert!(r.claim(b"late", 1000, 1000, 300));
        assert_eq!(r.by_time.lock().unwrap().len(), 1, "old timestamps dropped");
    }
}
