//! latchkey: an OAuth 1.0a and OAuth 2.0 / OpenID Connect provider, the
//! social API its applications call, and the pages to run it, in one binary
//! over one redb file.
//!
//! Dependencies point one way: `web` and `manage` call `auth`, which calls
//! `store`; `config`, `clock` and `error` sit at the bottom.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod manage;
pub mod oauth1;
pub mod oauth2;
pub mod server;
pub mod store;
pub mod tls;
pub mod web;

pub use server::configure;
