//! The registry's error: a field an admin got wrong (named, for the form
//! and the command line), an application that is not there, or the store.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("there is no application {0:?}")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
