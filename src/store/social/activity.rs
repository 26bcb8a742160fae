//! Each group's activity river, and the push outbox: one row per activity
//! entry, written in the same transaction, for the push worker to fan out.

use super::super::codec::{Record, decode, decode_old, encode};
use super::super::key::Key;
use super::super::schema::{ACTIVITY, OUTBOX};
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use crate::clock::Timestamp;
use crate::ids::{ActivityId, CommentId, EventId, FileId, GroupId, PostId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum What {
    PostCreated,
    CommentAdded,
    MemberJoined,
    EventCreated,
    Enrolled,
    Unenrolled,
    FileUploaded,
}

impl What {
    pub fn as_str(self) -> &'static str {
        match self {
            What::PostCreated => "post_created",
            What::CommentAdded => "comment_added",
            What::MemberJoined => "member_joined",
            What::EventCreated => "event_created",
            What::Enrolled => "enrolled",
            What::Unenrolled => "unenrolled",
            What::FileUploaded => "file_uploaded",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub id: ActivityId,
    pub group: GroupId,
    pub what: What,
    pub actor: UserId,
    pub post: Option<PostId>,
    pub comment: Option<CommentId>,
    pub at: Timestamp,
    /// The event an entry is about (schema 4).
    pub event: Option<EventId>,
    /// The file an entry is about (schema 4).
    pub file: Option<FileId>,
}

/// An entry as schema 3 stored it (record version 1).
#[derive(Deserialize)]
struct ActivityV1 {
    id: ActivityId,
    group: GroupId,
    what: What,
    actor: UserId,
    post: Option<PostId>,
    comment: Option<CommentId>,
    at: Timestamp,
}

impl Record for Activity {
    const KIND: &'static str = "activity";
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        if version != 1 {
            return Err(StoreError::Corrupt(format!("activity record has unknown version {version}")));
        }
        let v: ActivityV1 = decode_old(Self::KIND, version, body)?;
        Ok(Activity {
            id: v.id,
            group: v.group,
            what: v.what,
            actor: v.actor,
            post: v.post,
            comment: v.comment,
            at: v.at,
            event: None,
            file: None,
        })
    }
}

/// "New activity in group G at time T", for the push worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub activity: ActivityId,
    pub group: GroupId,
    pub actor: UserId,
    pub at: Timestamp,
}

impl Record for OutboxEntry {
    const KIND: &'static str = "outbox entry";
    const VERSION: u8 = 1;
}

pub fn key(group: GroupId, id: ActivityId) -> Key {
    Key::new().u64(group.0).u64(id.0)
}

/// Stores an entry under a new id with its outbox row.
pub fn insert(tx: &WriteTransaction, mut a: Activity) -> Result<Activity, StoreError> {
    const OP: &str = "activity.insert";
    a.id = ActivityId(next_id(tx, ActivityId::SEQUENCE)?);
    tx.table(&ACTIVITY).during(OP)?.insert(key(a.group, a.id).as_slice(), encode(&a)?.as_slice()).at(OP, &ACTIVITY)?;
    let out = OutboxEntry { activity: a.id, group: a.group, actor: a.actor, at: a.at };
    tx.table(&OUTBOX).during(OP)?.insert(a.id.0, encode(&out)?.as_slice()).at(OP, &OUTBOX)?;
    Ok(a)
}

pub fn get(tx: &impl Tables, group: GroupId, id: ActivityId) -> Result<Option<Activity>, StoreError> {
    const OP: &str = "activity.get";
    tx.table(&ACTIVITY)
        .during(OP)?
        .get(key(group, id).as_slice())
        .at(OP, &ACTIVITY)?
        .map(|v| decode(v.value()))
        .transpose()
}

/// Up to `limit` entries of a group's river older than `before`, newest first.
pub fn newest(
    tx: &impl Tables,
    group: GroupId,
    before: Option<ActivityId>,
    limit: usize,
) -> Result<Vec<Activity>, StoreError> {
    const OP: &str = "activity.newest";
    let t = tx.table(&ACTIVITY).during(OP)?;
    let lo = key(group, ActivityId(0));
    let hi = key(group, before.unwrap_or(ActivityId(u64::MAX)));
    let mut out = vec![];
    for row in t.range(lo.as_slice()..hi.as_slice()).at(OP, &ACTIVITY)?.rev() {
        if out.len() == limit {
            break;
        }
        let (_, v) = row.at(OP, &ACTIVITY)?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

/// Removes a group's whole river (its outbox rows stay until the worker
/// has seen them; it skips entries whose group is gone).
pub fn delete_group(tx: &WriteTransaction, group: GroupId) -> Result<(), StoreError> {
    const OP: &str = "activity.delete_group";
    let lo = key(group, ActivityId(0));
    let hi = key(group, ActivityId(u64::MAX));
    tx.table(&ACTIVITY).during(OP)?.retain_in(lo.as_slice()..=hi.as_slice(), |_, _| false).at(OP, &ACTIVITY)?;
    Ok(())
}

/// The outbox, oldest first, for the push worker and the tests.
pub fn outbox(tx: &impl Tables, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
    const OP: &str = "activity.outbox";
    let t = tx.table(&OUTBOX).during(OP)?;
    let mut out = vec![];
    for row in t.iter().at(OP, &OUTBOX)?.take(limit) {
        let (_, v) = row.at(OP, &OUTBOX)?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

/// Removes an outbox row once the push worker has fanned it out.
pub fn remove_outbox(tx: &WriteTransaction, id: ActivityId) -> Result<(), StoreError> {
    const OP: &str = "activity.remove_outbox";
    tx.table(&OUTBOX).during(OP)?.remove(id.0).at(OP, &OUTBOX)?;
    Ok(())
}
