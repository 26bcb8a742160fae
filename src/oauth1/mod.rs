//! OAuth 1.0a (RFC 5849). `params` and `signature` are pure: no actix, no
//! store; so are `problem` (the Problem Reporting extension) and `callback`
//! (the callback rules). `verify` checks a signed request against the store,
//! `flow` carries out the three steps, and `endpoints` and `authorize` are
//! their HTTP faces.

pub mod authorize;
pub mod callback;
pub mod client;
pub mod endpoints;
pub mod flow;
pub mod params;
pub mod problem;
pub mod replay;
pub mod signature;
pub mod verify;

/// Removes expired request tokens, nonces older than the timestamp window
/// (no request that old is accepted, so they can never match again) and
/// revocation tombstones of tokens unused for 30 days; run in the background.
pub async fn sweep(app: &crate::app::App) -> Result<usize, crate::store::StoreError> {
    let now = app.now();
    let window = app.config.oauth1_timestamp_window.as_secs() as i64;
    let nonces_before = (now - window).max(0) as u64;
    let tombstones_before = now - 30 * 86_400;
    let swept =
        app.store.write(move |tx| crate::store::oauth1::sweep(tx, now, nonces_before, tombstones_before)).await?;
    Ok(swept.total())
}
