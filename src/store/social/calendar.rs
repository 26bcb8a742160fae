//! Members' calendar feed tokens. The token's SHA-256 finds the member
//! (`CALENDAR_TOKENS`); the member's record (`CALENDAR_FEEDS`) holds that
//! digest, so replacing or revoking the token removes the old digest in
//! the same transaction, and the token sealed at rest (`auth::sealing`,
//! bound to the digest) so that the member can be shown their feed's URL
//! again. The sealing is the caller's: this module stores bytes.

use super::super::codec::{Record, decode, encode};
use super::super::schema::{CALENDAR_FEEDS, CALENDAR_TOKENS};
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction};
use crate::clock::Timestamp;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeed {
    pub user: UserId,
    /// SHA-256 of the token.
    pub digest: [u8; 32],
    /// The token, sealed (bound to `digest`).
    pub sealed: Vec<u8>,
    pub created_at: Timestamp,
}

impl Record for CalendarFeed {
    const KIND: &'static str = "calendar feed";
    const VERSION: u8 = 1;
}

pub fn of_member(tx: &impl Tables, user: UserId) -> Result<Option<CalendarFeed>, StoreError> {
    const OP: &str = "calendar.of_member";
    tx.table(&CALENDAR_FEEDS).during(OP)?.get(user.0).at(OP, &CALENDAR_FEEDS)?.map(|v| decode(v.value())).transpose()
}

/// The member a token digest belongs to, if it is current.
pub fn member_of(tx: &impl Tables, digest: &[u8; 32]) -> Result<Option<UserId>, StoreError> {
    const OP: &str = "calendar.member_of";
    Ok(tx
        .table(&CALENDAR_TOKENS)
        .during(OP)?
        .get(digest.as_slice())
        .at(OP, &CALENDAR_TOKENS)?
        .map(|v| UserId(v.value())))
}

/// Stores the member's new feed token, replacing (and so revoking) the old.
pub fn replace(tx: &WriteTransaction, feed: &CalendarFeed) -> Result<(), StoreError> {
    const OP: &str = "calendar.replace";
    revoke(tx, feed.user)?;
    tx.table(&CALENDAR_FEEDS).during(OP)?.insert(feed.user.0, encode(feed)?.as_slice()).at(OP, &CALENDAR_FEEDS)?;
    tx.table(&CALENDAR_TOKENS).during(OP)?.insert(feed.digest.as_slice(), feed.user.0).at(OP, &CALENDAR_TOKENS)?;
    Ok(())
}

/// Removes the member's feed token; `false` when there was none.
pub fn revoke(tx: &WriteTransaction, user: UserId) -> Result<bool, StoreError> {
    const OP: &str = "calendar.revoke";
    let Some(old) = of_member(tx, user)? else { return Ok(false) };
    tx.table(&CALENDAR_TOKENS).during(OP)?.remove(old.digest.as_slice()).at(OP, &CALENDAR_TOKENS)?;
    tx.table(&CALENDAR_FEEDS).during(OP)?.remove(user.0).at(OP, &CALENDAR_FEEDS)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_new_token_revokes_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let feed = |d: u8| CalendarFeed { user: UserId(4), digest: [d; 32], sealed: vec![d], created_at: 9 };
        store.write_blocking(move |tx| replace(tx, &feed(1))).unwrap();
        assert_eq!(store.read(|tx| member_of(tx, &[1; 32])).unwrap(), Some(UserId(4)));
        store.write_blocking(move |tx| replace(tx, &feed(2))).unwrap();
        assert_eq!(store.read(|tx| member_of(tx, &[1; 32])).unwrap(), None);
        assert_eq!(store.read(|tx| member_of(tx, &[2; 32])).unwrap(), Some(UserId(4)));
        assert_eq!(store.read(|tx| of_member(tx, UserId(4))).unwrap(), Some(feed(2)));
        assert!(store.write_blocking(|tx| revoke(tx, UserId(4))).unwrap());
        assert!(!store.write_blocking(|tx| revoke(tx, UserId(4))).unwrap());
        assert_eq!(store.read(|tx| member_of(tx, &[2; 32])).unwrap(), None);
    }
}
