//! The community and its rules: who may see and change groups, posts and
//! comments, how members join, and the activity with unread counts that
//! every change leaves (with its push outbox row, in the same transaction).
//! No HTTP in here: operations take the store, the acting member and the
//! time, and return a `SocialError` that the API words as problem+json.

pub mod access;
pub mod activity;
pub mod comments;
pub mod groups;
pub mod moderation;
pub mod posts;
pub mod review;
mod text;

pub use text::{LIMITS, Limits};

use crate::store::{Store, StoreError, WriteTransaction};

/// Why an operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum SocialError {
    /// There is no such thing, or the caller may not know it exists.
    #[error("there is no {0} here that you can see")]
    NotFound(&'static str),
    /// The caller can see it but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Fields to fix, by name.
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(&'static str, String)>),
    /// The request contradicts the state (the last group admin leaving).
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` named an older revision.
    #[error("the resource changed since it was read")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SocialError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> SocialError {
        SocialError::Invalid(vec![(field, message.into())])
    }
}

/// Runs a social write in the next group commit. A refusal is handed back
/// as `Ok(Err(..))` from the closure, so it does not abort the batch it
/// shares with other requests' writes; only a store failure does.
pub async fn write<T: Send + 'static>(
    store: &Store,
    op: impl Fn(&WriteTransaction) -> Result<T, SocialError> + Send + 'static,
) -> Result<T, SocialError> {
    store
        .write(move |tx| match op(tx) {
            Err(SocialError::Store(e)) => Err(e),
            other => Ok(other),
        })
        .await?
}

/// The revisions an `If-Match` accepts; `None` when there is no
/// precondition (no header, or `*`).
pub type Expected = Option<Vec<u64>>;

/// Checks `If-Match` against the stored revision.
pub fn check_revision(expected: &Expected, stored: u64) -> Result<(), SocialError> {
    match expected {
        Some(e) if !e.contains(&stored) => Err(SocialError::Stale),
        _ => Ok(()),
    }
}
