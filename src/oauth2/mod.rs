//! OAuth 2.0 and OpenID Connect: one file per grant under `grants/`, PKCE,
//! redirect-URI rules, RFC error codes, scopes, signing keys and tokens.

pub mod error;
pub mod keys;
pub mod pkce;
pub mod redirect;
pub mod scopes;
