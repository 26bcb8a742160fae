//! Connections' flows that talk to remote providers (layer 6).

pub mod relay;
