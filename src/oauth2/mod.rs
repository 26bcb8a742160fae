//! OAuth 2.0 and OpenID Connect: one file per grant under `grants/`, PKCE,
//! RFC error codes, the token request, and tokens. `pkce` and `error` are
//! pure; `endpoints` and `authorize` are the HTTP faces (layer 8).

pub mod authorize;
pub mod endpoints;
pub mod error;
pub mod grants;
pub mod pkce;
pub mod request;
pub mod tokens;

use crate::clock::Timestamp;
use crate::store::{Store, StoreError};

/// Removes expired codes and tokens; run in the background.
pub async fn sweep(store: &Store, now: Timestamp) -> Result<usize, StoreError> {
    store.write(move |tx| crate::store::grants::sweep_expired(tx, now)).await
}
