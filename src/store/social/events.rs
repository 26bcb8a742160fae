//! Events, their indexes by start time (all of them, and by group), the
//! enrollments with their count, and each member's list of enrollments
//! (for the calendar feed). `put` keeps the indexes in step with the
//! record; `enroll` and `unenroll` keep the count and both enrollment
//! tables in step, in the caller's transaction.

use super::super::codec::{Record, Revised, decode, encode, revise};
use super::super::key::{Key, increment, u64_at};
use super::super::schema::{
    ENROLLMENTS, ENROLLMENTS_BY_MEMBER, EVENT_COUNTS, EVENTS, EVENTS_BY_GROUP, EVENTS_BY_START,
};
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use super::Access;
use crate::clock::Timestamp;
use crate::ids::{EventId, GroupId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    /// The group it is in; `None` for a site-wide event.
    pub group: Option<GroupId>,
    pub organiser: UserId,
    pub title: String,
    pub description: String,
    pub location: String,
    /// Unix seconds, UTC.
    pub start: Timestamp,
    /// Unix seconds, UTC; always after `start`.
    pub end: Timestamp,
    /// How many members may enroll; `None` for no limit.
    pub capacity: Option<u32>,
    pub access: Access,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub revision: u64,
}

impl Record for Event {
    const KIND: &'static str = "event";
    const VERSION: u8 = 1;
}

impl Revised for Event {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCounts {
    pub enrolled: u64,
}

impl Record for EventCounts {
    const KIND: &'static str = "event counts";
    const VERSION: u8 = 1;
}

/// One member's enrollment in one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enrollment {
    pub event: EventId,
    pub user: UserId,
    pub enrolled_at: Timestamp,
}

pub fn get(tx: &impl Tables, id: EventId) -> Result<Option<Event>, StoreError> {
    get_in(&tx.table(&EVENTS).during("events.get")?, id)
}

/// `get` in an `EVENTS` table already open (a list reads many events).
pub fn get_in(t: &impl ReadableTable<u64, &'static [u8]>, id: EventId) -> Result<Option<Event>, StoreError> {
    t.get(id.0).at("events.get", &EVENTS)?.map(|v| decode(v.value())).transpose()
}

pub fn counts(tx: &impl Tables, id: EventId) -> Result<EventCounts, StoreError> {
    counts_in(&tx.table(&EVENT_COUNTS).during("events.counts")?, id)
}

/// `counts` in an `EVENT_COUNTS` table already open.
pub fn counts_in(t: &impl ReadableTable<u64, &'static [u8]>, id: EventId) -> Result<EventCounts, StoreError> {
    Ok(t.get(id.0).at("events.counts", &EVENT_COUNTS)?.map(|v| decode(v.value())).transpose()?.unwrap_or_default())
}

fn put_counts(tx: &WriteTransaction, id: EventId, c: &EventCounts) -> Result<(), StoreError> {
    const OP: &str = "events.put_counts";
    tx.table(&EVENT_COUNTS).during(OP)?.insert(id.0, encode(c)?.as_slice()).at(OP, &EVENT_COUNTS)?;
    Ok(())
}

pub fn insert(tx: &WriteTransaction, mut event: Event) -> Result<Event, StoreError> {
    event.id = EventId(next_id(tx, EventId::SEQUENCE)?);
    put(tx, &mut event)?;
    Ok(event)
}

/// The key of an event in the by-start index: its start, then its id.
pub fn start_key(start: Timestamp, id: EventId) -> Key {
    Key::new().time(start).u64(id.0)
}

fn group_key(g: GroupId, start: Timestamp, id: EventId) -> Key {
    Key::new().u64(g.0).time(start).u64(id.0)
}

/// Stores an event with the next revision when it changed, and moves its
/// index entries from what was stored to what is now.
pub fn put(tx: &WriteTransaction, event: &mut Event) -> Result<(), StoreError> {
    const OP: &str = "events.put";
    let before = get(tx, event.id)?;
    {
        let mut t = tx.table(&EVENTS).during(OP)?;
        let stored = t.get(event.id.0).at(OP, &EVENTS)?.map(|v| v.value().to_vec());
        match revise(stored.as_deref(), event)? {
            Some(bytes) => t.insert(event.id.0, bytes.as_slice()).at(OP, &EVENTS)?,
            None => return Ok(()),
        };
    }
    if let Some(b) = &before {
        unindex(tx, b)?;
    }
    index(tx, event)
}

fn index(tx: &WriteTransaction, e: &Event) -> Result<(), StoreError> {
    const OP: &str = "events.index";
    tx.table(&EVENTS_BY_START).during(OP)?.insert(start_key(e.start, e.id).as_slice(), ()).at(OP, &EVENTS_BY_START)?;
    if let Some(g) = e.group {
        tx.table(&EVENTS_BY_GROUP)
            .during(OP)?
            .insert(group_key(g, e.start, e.id).as_slice(), ())
            .at(OP, &EVENTS_BY_GROUP)?;
    }
    Ok(())
}

fn unindex(tx: &WriteTransaction, e: &Event) -> Result<(), StoreError> {
    const OP: &str = "events.unindex";
    tx.table(&EVENTS_BY_START).during(OP)?.remove(start_key(e.start, e.id).as_slice()).at(OP, &EVENTS_BY_START)?;
    if let Some(g) = e.group {
        tx.table(&EVENTS_BY_GROUP)
            .during(OP)?
            .remove(group_key(g, e.start, e.id).as_slice())
            .at(OP, &EVENTS_BY_GROUP)?;
    }
    Ok(())
}

/// Removes an event with its index entries, its count and every
/// enrollment in it (from both enrollment tables).
pub fn delete(tx: &WriteTransaction, id: EventId) -> Result<Option<Event>, StoreError> {
    const OP: &str = "events.delete";
    let Some(event) = get(tx, id)? else { return Ok(None) };
    tx.table(&EVENTS).during(OP)?.remove(id.0).at(OP, &EVENTS)?;
    tx.table(&EVENT_COUNTS).during(OP)?.remove(id.0).at(OP, &EVENT_COUNTS)?;
    unindex(tx, &event)?;
    let users = enrolled(tx, id, None, usize::MAX)?;
    let mut by_member = tx.table(&ENROLLMENTS_BY_MEMBER).during(OP)?;
    for e in &users {
        by_member.remove(Key::new().u64(e.user.0).u64(id.0).as_slice()).at(OP, &ENROLLMENTS_BY_MEMBER)?;
    }
    let prefix = Key::new().u64(id.0).into_vec();
    let mut end = prefix.clone();
    increment(&mut end);
    tx.table(&ENROLLMENTS)
        .during(OP)?
        .retain_in(prefix.as_slice()..end.as_slice(), |_, _| false)
        .at(OP, &ENROLLMENTS)?;
    Ok(Some(event))
}

/// The member's enrollment in the event, if any.
pub fn enrollment(tx: &impl Tables, event: EventId, user: UserId) -> Result<Option<Enrollment>, StoreError> {
    const OP: &str = "events.enrollment";
    let t = tx.table(&ENROLLMENTS).during(OP)?;
    let at = t.get(Key::new().u64(event.0).u64(user.0).as_slice()).at(OP, &ENROLLMENTS)?;
    Ok(at.map(|v| Enrollment { event, user, enrolled_at: v.value() }))
}

/// Whether the member is enrolled in the event.
pub fn is_enrolled(tx: &impl Tables, event: EventId, user: UserId) -> Result<bool, StoreError> {
    Ok(enrollment(tx, event, user)?.is_some())
}

/// Enrolls the member; `false` when they already were (nothing changes).
/// The caller has checked the capacity in the same transaction.
pub fn enroll(tx: &WriteTransaction, event: EventId, user: UserId, now: Timestamp) -> Result<bool, StoreError> {
    const OP: &str = "events.enroll";
    let added = tx
        .table(&ENROLLMENTS)
        .during(OP)?
        .insert(Key::new().u64(event.0).u64(user.0).as_slice(), now)
        .at(OP, &ENROLLMENTS)?
        .is_none();
    if added {
        tx.table(&ENROLLMENTS_BY_MEMBER)
            .during(OP)?
            .insert(Key::new().u64(user.0).u64(event.0).as_slice(), ())
            .at(OP, &ENROLLMENTS_BY_MEMBER)?;
        let mut c = counts(tx, event)?;
        c.enrolled += 1;
        put_counts(tx, event, &c)?;
    }
    Ok(added)
}

/// Takes the member's enrollment back; `false` when there was none.
pub fn unenroll(tx: &WriteTransaction, event: EventId, user: UserId) -> Result<bool, StoreError> {
    const OP: &str = "events.unenroll";
    let removed = tx
        .table(&ENROLLMENTS)
        .during(OP)?
        .remove(Key::new().u64(event.0).u64(user.0).as_slice())
        .at(OP, &ENROLLMENTS)?
        .is_some();
    if removed {
        tx.table(&ENROLLMENTS_BY_MEMBER)
            .during(OP)?
            .remove(Key::new().u64(user.0).u64(event.0).as_slice())
            .at(OP, &ENROLLMENTS_BY_MEMBER)?;
        let mut c = counts(tx, event)?;
        c.enrolled = c.enrolled.saturating_sub(1);
        put_counts(tx, event, &c)?;
    }
    Ok(removed)
}

/// Up to `limit` enrollments of an event by member id, after `after`.
pub fn enrolled(
    tx: &impl Tables,
    event: EventId,
    after: Option<UserId>,
    limit: usize,
) -> Result<Vec<Enrollment>, StoreError> {
    const OP: &str = "events.enrolled";
    let t = tx.table(&ENROLLMENTS).during(OP)?;
    let lo = Key::new().u64(event.0).u64(after.map_or(0, |a| a.0.saturating_add(1)));
    let hi = Key::new().u64(event.0).u64(u64::MAX);
    let mut out = vec![];
    for row in t.range(lo.as_slice()..=hi.as_slice()).at(OP, &ENROLLMENTS)? {
        if out.len() == limit {
            break;
        }
        let (k, v) = row.at(OP, &ENROLLMENTS)?;
        let user = u64_at(k.value(), 8).ok_or_else(|| StoreError::Corrupt("enrollment key".into()))?;
        out.push(Enrollment { event, user: UserId(user), enrolled_at: v.value() });
    }
    Ok(out)
}

/// Every event the member is enrolled in, by event id.
pub fn of_member(tx: &impl Tables, user: UserId) -> Result<Vec<EventId>, StoreError> {
    const OP: &str = "events.of_member";
    let t = tx.table(&ENROLLMENTS_BY_MEMBER).during(OP)?;
    let prefix = Key::new().u64(user.0).into_vec();
    super::index_ids(&t, &prefix, None, super::super::page::Order::Ascending)?.map(|r| r.map(EventId)).collect()
}

/// Every event id of a group (to delete them with it).
pub fn ids_in_group(tx: &impl Tables, g: GroupId) -> Result<Vec<EventId>, StoreError> {
    const OP: &str = "events.ids_in_group";
    let t = tx.table(&EVENTS_BY_GROUP).during(OP)?;
    let lo = Key::new().u64(g.0).into_vec();
    let mut hi = lo.clone();
    increment(&mut hi);
    let mut out = vec![];
    for row in t.range(lo.as_slice()..hi.as_slice()).at(OP, &EVENTS_BY_GROUP)? {
        let (k, _) = row.at(OP, &EVENTS_BY_GROUP)?;
        out.push(EventId(u64_at(k.value(), 16).ok_or_else(|| StoreError::Corrupt("event index key".into()))?));
    }
    Ok(out)
}

/// A position in a by-start list: the start (as `Key::time` writes it)
/// and the id, 16 bytes; what a list's cursor holds.
pub type Position = [u8; 16];

/// The events of one group, or all, whose start lies in `[from, to]`,
/// after the position `after`, in start order (ties by id): each as its
/// position and id. Lazy, so that a list reads only what it keeps.
pub fn by_start<'t>(
    table: &'t impl ReadableTable<&'static [u8], ()>,
    group: Option<GroupId>,
    from: Timestamp,
    to: Timestamp,
    after: Option<Position>,
) -> Result<impl Iterator<Item = Result<(Position, EventId), StoreError>> + 't, StoreError> {
    const OP: &str = "events.by_start";
    let prefix = group.map(|g| Key::new().u64(g.0).into_vec()).unwrap_or_default();
    let with = |tail: &[u8]| [prefix.as_slice(), tail].concat();
    let first = start_key(from, EventId(0)).into_vec();
    let lo = match after {
        Some(a) if a.as_slice() >= first.as_slice() => {
            let mut k = with(&a);
            k.push(0); // just after the cursor's own key
            k
        }
        _ => with(&first),
    };
    let hi = with(start_key(to, EventId(u64::MAX)).as_slice());
    let n = prefix.len();
    let rows =
        if lo <= hi { Some(table.range(lo.as_slice()..=hi.as_slice()).map_err(StoreError::from)?) } else { None };
    Ok(rows.into_iter().flatten().map(move |row| {
        let (k, _) = row.at(OP, &EVENTS_BY_START)?;
        let k = k.value();
        let pos: Position = k
            .get(n..n + 16)
            .and_then(|p| p.try_into().ok())
            .ok_or_else(|| StoreError::Corrupt("event index key".into()))?;
        let id = u64_at(k, n + 8).ok_or_else(|| StoreError::Corrupt("event index key".into()))?;
        Ok((pos, EventId(id)))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn event(group: Option<GroupId>, start: Timestamp) -> Event {
        Event {
            id: EventId(0),
            group,
            organiser: UserId(1),
            title: "Seed swap".into(),
            description: String::new(),
            location: String::new(),
            start,
            end: start + 3600,
            capacity: None,
            access: Access::Members,
            created_at: 1,
            updated_at: 1,
            revision: 0,
        }
    }

    fn listed(store: &Store, group: Option<GroupId>, from: i64, to: i64, after: Option<Position>) -> Vec<u64> {
        store
            .read(|tx| {
                let t = tx.table(if group.is_some() { &EVENTS_BY_GROUP } else { &EVENTS_BY_START })?;
                by_start(&t, group, from, to, after)?.map(|r| r.map(|(_, id)| id.0)).collect::<Result<Vec<_>, _>>()
            })
            .unwrap()
    }

    #[test]
    fn indexes_follow_the_start_and_enrollments_follow_the_event() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let g = Some(GroupId(3));
        let a = store.write_blocking(move |tx| insert(tx, event(g, 500))).unwrap();
        let b = store.write_blocking(|tx| insert(tx, event(None, 100))).unwrap();
        let c = store.write_blocking(move |tx| insert(tx, event(g, 500))).unwrap();
        // Negative times sort before positive ones.
        let d = store.write_blocking(|tx| insert(tx, event(None, -50))).unwrap();
        assert_eq!(listed(&store, None, i64::MIN / 2, i64::MAX / 2, None), [d.id.0, b.id.0, a.id.0, c.id.0]);
        assert_eq!(listed(&store, None, 100, 500, None), [b.id.0, a.id.0, c.id.0]);
        assert_eq!(listed(&store, g, 0, 1000, None), [a.id.0, c.id.0]);
        // After a cursor: strictly after it, ties broken by id.
        let pos: Position = start_key(500, a.id).into_vec().try_into().unwrap();
        assert_eq!(listed(&store, None, 0, 1000, Some(pos)), [c.id.0]);
        assert_eq!(listed(&store, g, 0, 1000, Some(pos)), [c.id.0]);
        // Moving the start moves the index entries.
        let id = a.id;
        store
            .write_blocking(move |tx| {
                let mut e = get(tx, id)?.unwrap();
                e.start = 900;
                e.end = 1000;
                put(tx, &mut e)?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(listed(&store, g, 0, 1000, None), [c.id.0, a.id.0]);
        assert_eq!(store.read(|tx| get(tx, id)).unwrap().unwrap().revision, 2);

        assert!(store.write_blocking(move |tx| enroll(tx, id, UserId(7), 5)).unwrap());
        assert!(!store.write_blocking(move |tx| enroll(tx, id, UserId(7), 6)).unwrap());
        assert!(store.write_blocking(move |tx| enroll(tx, id, UserId(8), 6)).unwrap());
        assert_eq!(store.read(|tx| counts(tx, id)).unwrap().enrolled, 2);
        let list = store.read(|tx| enrolled(tx, id, Some(UserId(7)), 10)).unwrap();
        assert_eq!(list, [Enrollment { event: id, user: UserId(8), enrolled_at: 6 }]);
        assert_eq!(store.read(|tx| of_member(tx, UserId(7))).unwrap(), [id]);
        assert!(store.write_blocking(move |tx| unenroll(tx, id, UserId(8))).unwrap());
        assert!(!store.write_blocking(move |tx| unenroll(tx, id, UserId(8))).unwrap());
        assert_eq!(store.read(|tx| counts(tx, id)).unwrap().enrolled, 1);
        assert_eq!(store.read(|tx| ids_in_group(tx, GroupId(3))).unwrap(), [c.id, a.id]);

        store.write_blocking(move |tx| delete(tx, id)).unwrap();
        assert!(store.read(|tx| of_member(tx, UserId(7))).unwrap().is_empty());
        assert!(!store.read(|tx| is_enrolled(tx, id, UserId(7))).unwrap());
        assert_eq!(store.read(|tx| counts(tx, id)).unwrap().enrolled, 0);
        assert_eq!(listed(&store, g, 0, 1000, None), [c.id.0]);
    }
}
