//! Members' reports of posts and comments, for the moderators, indexed by
//! their target (every report of one post or comment) and, while open, in
//! the moderators' queue. `put` keeps both indexes in step with the record.

use super::super::codec::{Record, Revised, decode, revise};
use super::super::key::Key;
use super::super::page::{Order, Page};
use super::super::schema::{OPEN_REPORTS, REPORTS, REPORTS_BY_TARGET};
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use crate::clock::Timestamp;
use crate::ids::{CommentId, PostId, ReportId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    Post(PostId),
    Comment(CommentId),
}

impl Target {
    /// The index key of a target: a kind byte, then its id.
    pub fn key(self) -> Key {
        match self {
            Target::Post(id) => Key::new().bytes(&[1]).u64(id.0),
            Target::Comment(id) => Key::new().bytes(&[2]).u64(id.0),
        }
    }

    /// The target an index key names.
    pub fn from_key(k: &[u8]) -> Result<Target, StoreError> {
        let id = super::super::key::u64_at(k, 1);
        match (k.first(), id) {
            (Some(1), Some(id)) => Ok(Target::Post(PostId(id))),
            (Some(2), Some(id)) => Ok(Target::Comment(CommentId(id))),
            _ => Err(StoreError::Corrupt("report target key".into())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub id: ReportId,
    pub target: Target,
    pub reporter: UserId,
    pub reason: String,
    pub created_at: Timestamp,
    /// When a moderator dealt with it (hid, deleted or dismissed).
    pub resolved_at: Option<Timestamp>,
    pub revision: u64,
}

impl Record for Report {
    const KIND: &'static str = "report";
    const VERSION: u8 = 1;
}

impl Revised for Report {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

pub fn get(tx: &impl Tables, id: ReportId) -> Result<Option<Report>, StoreError> {
    const OP: &str = "reports.get";
    tx.table(&REPORTS).during(OP)?.get(id.0).at(OP, &REPORTS)?.map(|v| decode(v.value())).transpose()
}

pub fn insert(tx: &WriteTransaction, mut r: Report) -> Result<Report, StoreError> {
    r.id = ReportId(next_id(tx, ReportId::SEQUENCE)?);
    put(tx, &mut r)?;
    Ok(r)
}

/// Stores a report with the next revision when it changed, and its index
/// entries: by target always, in the open queue while it is not resolved.
/// (A report never changes its target.)
pub fn put(tx: &WriteTransaction, r: &mut Report) -> Result<(), StoreError> {
    const OP: &str = "reports.put";
    {
        let mut t = tx.table(&REPORTS).during(OP)?;
        let stored = t.get(r.id.0).at(OP, &REPORTS)?.map(|v| v.value().to_vec());
        match revise(stored.as_deref(), r)? {
            Some(bytes) => t.insert(r.id.0, bytes.as_slice()).at(OP, &REPORTS)?,
            None => return Ok(()),
        };
    }
    let target = r.target.key();
    tx.table(&REPORTS_BY_TARGET)
        .during(OP)?
        .insert(target.clone().u64(r.id.0).as_slice(), ())
        .at(OP, &REPORTS_BY_TARGET)?;
    let mut open = tx.table(&OPEN_REPORTS).during(OP)?;
    if r.resolved_at.is_none() {
        open.insert(r.id.0, target.as_slice()).at(OP, &OPEN_REPORTS)?;
    } else {
        open.remove(r.id.0).at(OP, &OPEN_REPORTS)?;
    }
    Ok(())
}

/// A page of reports, newest first.
pub fn page<T>(
    tx: &impl Tables,
    after: Option<&[u8]>,
    limit: usize,
    mut keep: impl FnMut(Report) -> Result<Option<T>, StoreError>,
) -> Result<Page<T>, StoreError> {
    let t = tx.table(&REPORTS)?;
    super::super::page::by_id(&t, after, limit, Order::Descending, |_, v| keep(decode(v)?))
}

/// The ids of every report of a target, in `order` (newest first with
/// `Descending`), after `after`.
fn ids_for(tx: &impl Tables, target: Target, after: Option<u64>, order: Order) -> Result<Vec<ReportId>, StoreError> {
    let t = tx.table(&REPORTS_BY_TARGET)?;
    super::index_ids(&t, target.key().as_slice(), after, order)?.map(|id| id.map(ReportId)).collect()
}

/// Every report of a target, newest first, at most `limit` of them.
pub fn for_target(tx: &impl Tables, target: Target, limit: usize) -> Result<Vec<Report>, StoreError> {
    let mut out = vec![];
    for id in ids_for(tx, target, None, Order::Descending)?.into_iter().take(limit) {
        out.extend(get(tx, id)?);
    }
    Ok(out)
}

pub fn is_open(tx: &impl Tables, id: ReportId) -> Result<bool, StoreError> {
    const OP: &str = "reports.is_open";
    Ok(tx.table(&OPEN_REPORTS).during(OP)?.get(id.0).at(OP, &OPEN_REPORTS)?.is_some())
}

/// Every open report of a target, newest first.
pub fn open_for(tx: &impl Tables, target: Target) -> Result<Vec<Report>, StoreError> {
    let mut out = vec![];
    for id in ids_for(tx, target, None, Order::Descending)? {
        if is_open(tx, id)? {
            out.extend(get(tx, id)?);
        }
    }
    Ok(out)
}

/// Whether a target has an open report newer than `id`.
pub fn open_after(tx: &impl Tables, target: Target, id: ReportId) -> Result<bool, StoreError> {
    for later in ids_for(tx, target, Some(id.0), Order::Ascending)? {
        if is_open(tx, later)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// How many reports are open.
pub fn open_count(tx: &impl Tables) -> Result<u64, StoreError> {
    super::super::count(tx, &OPEN_REPORTS)
}

/// The target of an open report (from the queue, not the record).
pub fn open_target(tx: &impl Tables, id: ReportId) -> Result<Option<Target>, StoreError> {
    const OP: &str = "reports.open_target";
    tx.table(&OPEN_REPORTS)
        .during(OP)?
        .get(id.0)
        .at(OP, &OPEN_REPORTS)?
        .map(|v| Target::from_key(v.value()))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn report(target: Target, reporter: u64) -> Report {
        Report {
            id: ReportId(0),
            target,
            reporter: UserId(reporter),
            reason: "spam".into(),
            created_at: 5,
            resolved_at: None,
            revision: 0,
        }
    }

    #[test]
    fn the_indexes_follow_every_report() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let post = Target::Post(PostId(7));
        let comment = Target::Comment(CommentId(7));
        let (a, b, c) = store
            .write_blocking(move |tx| {
                let a = insert(tx, report(post, 1))?;
                let b = insert(tx, report(comment, 1))?;
                let c = insert(tx, report(post, 2))?;
                Ok::<_, StoreError>((a.id, b.id, c.id))
            })
            .unwrap();
        let open = |t| store.read(|tx| open_for(tx, t)).unwrap().iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(open(post), [c, a], "a post's open reports, newest first; not the comment's with the same id");
        assert_eq!(open(comment), [b]);
        assert_eq!(store.read(open_count).unwrap(), 3);
        assert!(store.read(|tx| open_after(tx, post, a)).unwrap());
        assert!(!store.read(|tx| open_after(tx, post, c)).unwrap());
        store
            .write_blocking(move |tx| {
                let mut r = get(tx, c)?.unwrap();
                r.resolved_at = Some(9);
                put(tx, &mut r)
            })
            .unwrap();
        assert_eq!(open(post), [a]);
        assert!(!store.read(|tx| open_after(tx, post, a)).unwrap());
        assert_eq!(store.read(open_count).unwrap(), 2);
        assert_eq!(store.read(|tx| open_target(tx, b)).unwrap(), Some(comment));
        assert_eq!(store.read(|tx| open_target(tx, c)).unwrap(), None);
        let all: Vec<_> = store.read(|tx| for_target(tx, post, 10)).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(all, [c, a], "resolved reports stay listed by target");
        // The key layout, frozen: a kind byte, then the id.
        assert_eq!(post.key().as_slice(), [1, 0, 0, 0, 0, 0, 0, 0, 7]);
        assert_eq!(Target::from_key(comment.key().as_slice()).unwrap(), comment);
        assert!(Target::from_key(&[3, 0]).is_err());
    }
}
