//! Members' reports of posts and comments, for the moderators.

use super::super::codec::{Record, Revised, decode, revise};
use super::super::schema::REPORTS;
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use crate::clock::Timestamp;
use crate::ids::{CommentId, PostId, ReportId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    Post(PostId),
    Comment(CommentId),
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

pub fn put(tx: &WriteTransaction, r: &mut Report) -> Result<(), StoreError> {
    const OP: &str = "reports.put";
    let mut t = tx.table(&REPORTS).during(OP)?;
    let stored = t.get(r.id.0).at(OP, &REPORTS)?.map(|v| v.value().to_vec());
    if let Some(bytes) = revise(stored.as_deref(), r)? {
        t.insert(r.id.0, bytes.as_slice()).at(OP, &REPORTS)?;
    }
    Ok(())
}

/// A page of reports, newest first.
pub fn page<T>(
    tx: &impl Tables,
    after: Option<&[u8]>,
    limit: usize,
    mut keep: impl FnMut(Report) -> Result<Option<T>, StoreError>,
) -> Result<super::super::page::Page<T>, StoreError> {
    let t = tx.table(&REPORTS)?;
    super::super::page::by_id(&t, after, limit, super::super::page::Order::Descending, |_, v| keep(decode(v)?))
}

/// Every open report of a target.
pub fn open_for(tx: &impl Tables, target: Target) -> Result<Vec<Report>, StoreError> {
    const OP: &str = "reports.open_for";
    let mut out = vec![];
    for row in tx.table(&REPORTS).during(OP)?.iter().at(OP, &REPORTS)? {
        let (_, v) = row.at(OP, &REPORTS)?;
        let r: Report = decode(v.value())?;
        if r.target == target && r.resolved_at.is_none() {
            out.push(r);
        }
    }
    Ok(out)
}
