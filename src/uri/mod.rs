//! URI rules shared by both protocols: OAuth 2.0 redirect URIs (registered
//! and requested) OAuth 1.0a callbacks, and
//! the `return_to` of the pages. Pure functions.

pub mod callback;
pub mod redirect;
pub mod return_to;

pub use return_to::safe_return_to;
