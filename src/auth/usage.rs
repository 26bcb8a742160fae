//! "Last used" for grants without a write per request: API calls note the
//! grant here, and a background task writes the batch every few seconds.

use crate::clock::Timestamp;
use crate::store::{GrantId, Store, StoreError, grants};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct Usage {
    seen: Mutex<HashMap<GrantId, Timestamp>>,
}

impl Usage {
    pub fn saw(&self, grant: GrantId, at: Timestamp) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let e = seen.entry(grant).or_insert(at);
        *e = (*e).max(at);
    }

    fn drain(&self) -> Vec<(GrantId, Timestamp)> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.drain().collect()
    }
}

/// Writes what was noted since the last flush; returns how many grants.
pub async fn flush(usage: &Usage, store: &Store) -> Result<usize, StoreError> {
    let batch = usage.drain();
    if batch.is_empty() {
        return Ok(0);
    }
    let n = batch.len();
    store.write(move |tx| grants::touch(tx, &batch)).await?;
    Ok(n)
}
