//! The integration tests: one binary, each test with its own server on a
//! free port and its own temporary data directory.

#![allow(clippy::unwrap_used)] // tests and benchmarks fail loudly on purpose

mod admin;
mod applications;
mod at_rest;
mod backup;
mod browser;
mod browser_admin;
mod browser_api_doc;
mod browser_i18n;
mod browser_moderation;
mod browser_oauth1;
mod browser_site;
mod config;
mod connections;
mod connections_node;
mod connections_oauth1;
mod durability;
mod events;
mod fake_apns;
mod files;
mod footprint;
mod friends;
mod harness;
mod healthcheck;
mod interop;
mod languages;
mod manage;
mod me;
mod moderation;
mod monitor;
mod oauth1;
mod oauth1_client;
mod oauth1_problems;
mod oauth1_replay;
mod oauth2;
mod oauth2_expiry;
mod openapi;
mod pages;
mod plumbing;
mod push;
mod push_apns_cert;
mod push_delivery;
mod push_senders;
mod session_expiry;
mod signup;
mod site;
mod social;
mod social_memo;
mod upgrade;
mod users;
mod webdriver;
