//! The integration tests: one binary, each test with its own server on a
//! free port and its own temporary data directory.

mod browser;
mod config;
mod durability;
mod harness;
mod manage;
mod oauth2;
mod pages;
mod session_expiry;
mod webdriver;
