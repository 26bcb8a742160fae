//! The mechanisms of authentication, below any protocol or page: secrets
//! and their digests, sealing at rest, argon2 passwords, CSRF tokens,
//! sign-in rate limits, the OAuth 1.0a nonce book, the "last used" batcher,
//! and `Principal`, who acts on an API call whatever the protocol.

pub mod csrf;
pub mod nonces;
pub mod passwords;
pub mod principal;
pub mod ratelimit;
pub mod sealing;
pub mod secrets;
pub mod usage;
