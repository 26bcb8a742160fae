//! OAuth 1.0a (RFC 5849). `params` and `signature` are pure: no actix, no
//! store; so is `problem` (the Problem Reporting extension). The callback
//! rules are in `crate::uri::callback`. `verify` checks a signed request
//! against the store, `flow` carries out the three steps, and `endpoints`
//! and `authorize` are their HTTP faces (layer 8).

pub mod authorize;
pub mod client;
pub mod endpoints;
pub mod flow;
pub mod params;
pub mod problem;
pub mod signature;
pub mod verify;

use crate::clock::Timestamp;
use crate::store::{Store, StoreError};
use std::time::Duration;

/// Removes expired request tokens, nonces older than the timestamp window
/// (no request that old is accepted, so they can never match again) and
/// revocation tombstones of tokens unused for 30 days; run in the background.
pub async fn sweep(store: &Store, now: Timestamp, window: Duration) -> Result<usize, StoreError> {
    let nonces_before = (now - window.as_secs() as i64).max(0) as u64;
    let tombstones_before = now - 30 * 86_400;
    let swept = store.write(move |tx| crate::store::oauth1::sweep(tx, now, nonces_before, tombstones_before)).await?;
    Ok(swept.total())
}
