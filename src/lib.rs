//! latchkey: an OAuth 1.0a and OAuth 2.0 / OpenID Connect provider, the
//! social API its applications call, and the pages to run it, in one binary
//! over one redb file.
//!
//! Modules are in layers (DESIGN.md, "Architecture"); a module imports only
//! from its own layer or below, never in a circle. `tests/layering.rs`
//! keeps it so. Bottom to top:
//!
//! 1. `config`, `clock`, `ids`, `scopes`, `uri`, `tasks`, `fsutil`, `site`, and the pure
//!    protocol rules `oauth1::signature`, `oauth1::params`, `oauth2::pkce`
//! 2. `store`
//! 3. `auth`, `keys`
//! 4. `app`, `metrics`
//! 5. `registry`, `accounts`
//! 6. `oauth1`, `oauth2` (flows)
//! 7. `http`
//! 8. `web`, `api`, and the protocol endpoint files
//! 9. `server`, `tls`, `manage`, `ops`, `cli`

pub mod accounts;
pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connect;
pub mod connections;
pub mod fsutil;
pub mod http;
pub mod ids;
pub mod keys;
pub mod manage;
pub mod metrics;
pub mod oauth1;
pub mod oauth2;
pub mod ops;
pub mod outbound;
pub mod push;
pub mod registry;
pub mod scopes;
pub mod server;
pub mod site;
pub mod social;
pub mod store;
pub mod tasks;
pub mod tls;
pub mod uri;
pub mod web;

pub use server::configure;
