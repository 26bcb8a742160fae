//! OAuth 1.0a (RFC 5849). `params` and `signature` are pure: no actix, no
//! store. The endpoints build on them.

pub mod params;
pub mod signature;
