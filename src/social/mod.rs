//! The community and its rules: who may see and change groups, posts and
//! comments, how members join, and the activity with unread counts that
//! every change leaves (with its push outbox row, in the same transaction).
//! No HTTP in here: operations take the store, the acting member and the
//! time, and return a `SocialError` that the API words as problem+json.

pub mod access;
pub mod activity;
pub mod calendar;
pub mod comments;
pub mod events;
pub mod feed;
pub mod files;
pub mod folders;
pub mod friends;
pub mod groups;
pub mod images;
pub mod moderation;
pub mod posts;
pub mod review;
pub mod shares;
pub mod sniff;
mod text;
pub mod uploads;

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
    /// A conflict that clients tell apart by its problem type: the last
    /// part of a `tag:` URI (`event-full`), then the words.
    #[error("{1}")]
    ConflictOf(&'static str, String),
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

#[cfg(test)]
mod tests {
    use super::groups::GroupInput;
    use super::posts::PostInput;
    use crate::ids::UserId;
    use crate::store::Store;
    use crate::store::social::activity::outbox;

    /// The outbox row is written with the change, in its transaction: a
    /// refused change leaves neither; a private post leaves none.
    type Op = Box<dyn Fn(&crate::store::WriteTransaction) -> Result<(), super::SocialError> + Send>;

    #[test]
    fn every_group_entry_has_its_outbox_row_in_the_same_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let (ada, bob) = (UserId(1), UserId(2));
        let run = |f: Op| {
            store.write_blocking(move |tx| match f(tx) {
                Err(super::SocialError::Store(e)) => Err(e),
                other => Ok(other),
            })
        };
        let g = GroupInput { name: Some("G".into()), ..Default::default() };
        run(Box::new(move |tx| super::groups::create(tx, ada, &g, 10).map(|_| ()))).unwrap().unwrap();
        let gid = crate::ids::GroupId(1);
        run(Box::new(move |tx| super::groups::put_member(tx, bob, gid, bob, None, 11).map(|_| ()))).unwrap().unwrap();
        let post = |access: &str| PostInput {
            group: Some(gid),
            body: Some("b".into()),
            access: Some(access.into()),
            ..Default::default()
        };
        let (public, private) = (post("public"), post("private"));
        run(Box::new(move |tx| super::posts::create(tx, ada, &public, 12).map(|_| ()))).unwrap().unwrap();
        run(Box::new(move |tx| super::posts::create(tx, ada, &private, 13).map(|_| ()))).unwrap().unwrap();
        // Refused (control character): nothing at all is written.
        let bad = PostInput { group: Some(gid), body: Some("\u{7}".into()), ..Default::default() };
        assert!(run(Box::new(move |tx| super::posts::create(tx, ada, &bad, 14).map(|_| ()))).unwrap().is_err());
        let rows = store.read(|tx| outbox(tx, 10)).unwrap();
        let seen: Vec<_> = rows.iter().map(|r| (r.group.0, r.actor.0, r.at)).collect();
        assert_eq!(seen, [(1, 2, 11), (1, 1, 12)], "bob's joining and ada's public post; not the private one");
        let counts = store.read(|tx| crate::store::social::groups::counts(tx, gid)).unwrap();
        assert_eq!((counts.members, counts.activity), (2, 2));
    }
}
