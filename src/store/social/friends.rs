//! Friendships and friend requests. A friendship is stored both ways round
//! (`FRIENDS`), so each member's friends are one key range; a request is
//! stored under who received it (`FRIEND_REQUESTS`) and, in the same
//! write, under who sent it (`FRIEND_REQUESTS_SENT`).

use super::super::key::Key;
use super::super::page::{Order, Page};
use super::super::schema::{FRIEND_REQUESTS, FRIEND_REQUESTS_SENT, FRIENDS};
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction};
use super::index_ids;
use crate::clock::Timestamp;
use crate::ids::UserId;

fn pair(a: UserId, b: UserId) -> Key {
    Key::new().u64(a.0).u64(b.0)
}

/// Since when `a` and `b` are friends, if they are.
pub fn since(tx: &impl Tables, a: UserId, b: UserId) -> Result<Option<Timestamp>, StoreError> {
    since_in(&tx.table(&FRIENDS).during("friends.since")?, a, b)
}

/// `since` in a `FRIENDS` table already open (a list checks many posts).
pub fn since_in(
    t: &impl ReadableTable<&'static [u8], i64>,
    a: UserId,
    b: UserId,
) -> Result<Option<Timestamp>, StoreError> {
    Ok(t.get(pair(a, b).as_slice()).at("friends.since", &FRIENDS)?.map(|v| v.value()))
}

/// When `from` asked `to` to be friends, if the request stands.
pub fn requested(tx: &impl Tables, from: UserId, to: UserId) -> Result<Option<Timestamp>, StoreError> {
    const OP: &str = "friends.requested";
    Ok(tx
        .table(&FRIEND_REQUESTS)
        .during(OP)?
        .get(pair(to, from).as_slice())
        .at(OP, &FRIEND_REQUESTS)?
        .map(|v| v.value()))
}

/// Records `from`'s request to `to`.
pub fn request(tx: &WriteTransaction, from: UserId, to: UserId, now: Timestamp) -> Result<(), StoreError> {
    const OP: &str = "friends.request";
    tx.table(&FRIEND_REQUESTS).during(OP)?.insert(pair(to, from).as_slice(), now).at(OP, &FRIEND_REQUESTS)?;
    tx.table(&FRIEND_REQUESTS_SENT).during(OP)?.insert(pair(from, to).as_slice(), now).at(OP, &FRIEND_REQUESTS_SENT)?;
    Ok(())
}

/// Removes `from`'s request to `to`; `true` when there was one.
pub fn withdraw(tx: &WriteTransaction, from: UserId, to: UserId) -> Result<bool, StoreError> {
    const OP: &str = "friends.withdraw";
    let was =
        tx.table(&FRIEND_REQUESTS).during(OP)?.remove(pair(to, from).as_slice()).at(OP, &FRIEND_REQUESTS)?.is_some();
    tx.table(&FRIEND_REQUESTS_SENT).during(OP)?.remove(pair(from, to).as_slice()).at(OP, &FRIEND_REQUESTS_SENT)?;
    Ok(was)
}

/// Makes `a` and `b` friends, and drops any request between them.
pub fn befriend(tx: &WriteTransaction, a: UserId, b: UserId, now: Timestamp) -> Result<(), StoreError> {
    const OP: &str = "friends.befriend";
    withdraw(tx, a, b)?;
    withdraw(tx, b, a)?;
    let mut t = tx.table(&FRIENDS).during(OP)?;
    t.insert(pair(a, b).as_slice(), now).at(OP, &FRIENDS)?;
    t.insert(pair(b, a).as_slice(), now).at(OP, &FRIENDS)?;
    Ok(())
}

/// Ends a friendship; `true` when there was one.
pub fn unfriend(tx: &WriteTransaction, a: UserId, b: UserId) -> Result<bool, StoreError> {
    const OP: &str = "friends.unfriend";
    let mut t = tx.table(&FRIENDS).during(OP)?;
    let was = t.remove(pair(a, b).as_slice()).at(OP, &FRIENDS)?.is_some();
    t.remove(pair(b, a).as_slice()).at(OP, &FRIENDS)?;
    Ok(was)
}

/// Every friend of `user`, in id order (the feed reads each one's posts).
pub fn ids(tx: &impl Tables, user: UserId) -> Result<Vec<UserId>, StoreError> {
    let t = tx.table(&FRIENDS).during("friends.ids")?;
    index_ids(&t, &Key::new().u64(user.0).into_vec(), None, Order::Ascending)?.map(|r| r.map(UserId)).collect()
}

/// Which list of `user`'s to page through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Friends,
    /// Requests others sent to `user`.
    Incoming,
    /// Requests `user` sent.
    Outgoing,
}

/// A page of `user`'s friends or requests, by the other member's id, each
/// with its time (since when, or when asked); `keep` may pass over a row.
pub fn page(
    tx: &impl Tables,
    user: UserId,
    list: List,
    after: Option<u64>,
    limit: usize,
    mut keep: impl FnMut(UserId) -> Result<bool, StoreError>,
) -> Result<Page<(UserId, Timestamp)>, StoreError> {
    const OP: &str = "friends.page";
    let def = match list {
        List::Friends => &FRIENDS,
        List::Incoming => &FRIEND_REQUESTS,
        List::Outgoing => &FRIEND_REQUESTS_SENT,
    };
    let t = tx.table(def).during(OP)?;
    let ids = index_ids(&t, &Key::new().u64(user.0).into_vec(), after, Order::Ascending)?;
    super::scan(ids, limit, usize::MAX, |id| {
        let other = UserId(id);
        if !keep(other)? {
            return Ok(super::Step::Skip);
        }
        let at = t.get(pair(user, other).as_slice()).at(OP, def)?.map(|v| v.value()).unwrap_or_default();
        Ok(super::Step::Take((other, at)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn requests_and_friendships_are_kept_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let (ada, bob, cy) = (UserId(1), UserId(2), UserId(3));
        store
            .write_blocking(move |tx| {
                request(tx, ada, bob, 5)?;
                request(tx, cy, bob, 6)?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let all = |_| Ok(true);
        let (inc, out) = store
            .read(|tx| {
                Ok((page(tx, bob, List::Incoming, None, 10, all)?, page(tx, ada, List::Outgoing, None, 10, all)?))
            })
            .unwrap();
        assert_eq!(inc.items, [(ada, 5), (cy, 6)]);
        assert_eq!(out.items, [(bob, 5)]);
        assert_eq!(store.read(|tx| requested(tx, ada, bob)).unwrap(), Some(5));
        store.write_blocking(move |tx| befriend(tx, bob, ada, 9)).unwrap();
        let (a, b, inc, friends) = store
            .read(|tx| {
                Ok((
                    since(tx, ada, bob)?,
                    since(tx, bob, ada)?,
                    page(tx, bob, List::Incoming, None, 10, all)?,
                    ids(tx, bob)?,
                ))
            })
            .unwrap();
        assert_eq!((a, b), (Some(9), Some(9)));
        assert_eq!(inc.items, [(cy, 6)], "the accepted request is gone, the other stays");
        assert_eq!(friends, [ada]);
        let p = store.read(|tx| page(tx, bob, List::Incoming, None, 1, all)).unwrap();
        assert_eq!(p.next, None);
        assert!(store.write_blocking(move |tx| unfriend(tx, ada, bob)).unwrap());
        assert!(!store.write_blocking(move |tx| unfriend(tx, ada, bob)).unwrap());
        assert!(store.write_blocking(move |tx| withdraw(tx, cy, bob)).unwrap());
        let (a, b, out) = store
            .read(|tx| Ok((since(tx, ada, bob)?, ids(tx, ada)?, page(tx, cy, List::Outgoing, None, 10, all)?)))
            .unwrap();
        assert!(a.is_none() && b.is_empty() && out.items.is_empty());
    }
}
