//! Connections' flows that talk to remote providers (layer 6).

pub mod call;
pub mod oauth1;
pub mod relay;
