//! Connections (latchkey as an OAuth client), the protocol-neutral
//! operations: remote providers (`providers`: validate, add, list, show,
//! disable, delete), members' connections with their sealed tokens and
//! the pending flows between "Connect" and the callback (`members`), and
//! the sign-in links of remote identities to members (`links`). The flows
//! that talk to providers are in `connect/` (layer 6); here nothing calls
//! out.

pub mod links;
pub mod members;
pub mod providers;

use crate::store::StoreError;

/// What went wrong, in words a member or an admin can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// A field an admin got wrong (named, for the form and the command line).
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("there is no {0}")]
    NotFound(String),
    /// Refused by a rule (a used or forged `state`, a disabled provider,
    /// the last way to sign in), in plain words.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::auth::sealing::SealError> for ConnectionError {
    fn from(e: crate::auth::sealing::SealError) -> Self {
        ConnectionError::Internal(e.to_string())
    }
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> ConnectionError {
    ConnectionError::Invalid { field, message: message.into() }
}

#[cfg(test)]
mod tests;
