//! "Last used" for grants without a write per request: API calls note the
//! grant here, and a background task writes the batch every few seconds.
//! The same batch carries the count of OAuth 2.0 tokens issued without a
//! write (JWTs for an application's own grant) to the dashboard's counters.

use crate::clock::Timestamp;
use crate::store::{GrantId, Store, StoreError, grants, stats};
use std::collections::HashMap;
use std::sync::Mutex;

/// Tokens issued without a write: (hour start, how many).
type Issued = Vec<(Timestamp, u64)>;

#[derive(Default)]
pub struct Usage {
    seen: Mutex<HashMap<GrantId, Timestamp>>,
    /// Hour start -> OAuth 2.0 tokens issued without a write in that hour.
    issued: Mutex<HashMap<Timestamp, u64>>,
}

impl Usage {
    pub fn saw(&self, grant: GrantId, at: Timestamp) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let e = seen.entry(grant).or_insert(at);
        *e = (*e).max(at);
    }

    /// Counts a token issued at `at` that no write recorded.
    pub fn issued(&self, at: Timestamp) {
        let mut issued = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        *issued.entry(stats::floor(at, stats::HOUR)).or_default() += 1;
    }

    fn drain(&self) -> (Vec<(GrantId, Timestamp)>, Issued) {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner()).drain().collect();
        let issued = self.issued.lock().unwrap_or_else(|e| e.into_inner()).drain().collect();
        (seen, issued)
    }
}

/// Writes what was noted since the last flush; returns how many grants.
pub async fn flush(usage: &Usage, store: &Store) -> Result<usize, StoreError> {
    let (batch, issued) = usage.drain();
    if batch.is_empty() && issued.is_empty() {
        return Ok(0);
    }
    let n = batch.len();
    store
        .write(move |tx| {
            grants::touch(tx, &batch)?;
            for &(hour, count) in &issued {
                stats::bump(tx, stats::TOKENS_OAUTH2, hour, count)?;
            }
            Ok::<_, StoreError>(())
        })
        .await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_issued_without_a_write_reach_the_counters_at_the_next_flush() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let usage = Usage::default();
        let hour = 1_700_000_000 - 1_700_000_000 % stats::HOUR;
        usage.issued(hour + 1);
        usage.issued(hour + 3599);
        usage.issued(hour + 3600);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(flush(&usage, &store)).unwrap();
        let counted = store.read(|tx| stats::series(tx, stats::TOKENS_OAUTH2, hour, stats::HOUR, 2)).unwrap();
        assert_eq!(counted, [Some(2), Some(1)]);
        assert_eq!(rt.block_on(flush(&usage, &store)).unwrap(), 0, "drained");
    }
}
