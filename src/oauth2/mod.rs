//! OAuth 2.0 and OpenID Connect: one file per grant under `grants/`, PKCE,
//! redirect-URI rules, RFC error codes, scopes, signing keys and tokens.

pub mod authorize;
pub mod endpoints;
pub mod error;
pub mod grants;
pub mod keyring;
pub mod keys;
pub mod pkce;
pub mod redirect;
pub mod request;
pub mod scopes;
pub mod signer;
pub mod tokens;

/// Removes expired codes and tokens; run in the background.
pub async fn sweep(app: &crate::app::App) -> Result<usize, crate::store::StoreError> {
    let now = app.now();
    app.store.write(move |tx| crate::store::grants::sweep_expired(tx, now)).await
}
