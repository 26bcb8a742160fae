//! The audit log: who did what to what, from where, and when. Written inside
//! the same transaction as the change it records, so neither exists alone.

use super::codec::{Record, decode, encode};
use super::schema::AUDIT;
use super::{At, AuditId, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub at: Timestamp,
    /// `user:ID:NAME`, `cli`, `system`, or `anonymous`.
    pub actor: String,
    /// A dotted verb, e.g. `login.success`, `user.create`.
    pub action: String,
    pub target: String,
    pub ip: String,
    pub detail: String,
}

impl Record for AuditEvent {
    const KIND: &'static str = "audit event";
    const VERSION: u8 = 1;
}

pub fn append(tx: &WriteTransaction, event: &AuditEvent) -> Result<AuditId, StoreError> {
    const OP: &str = "audit.append";
    let id = AuditId(next_id(tx, AuditId::SEQUENCE)?);
    tx.table(&AUDIT).during(OP)?.insert(id.0, encode(event)?.as_slice()).at(OP, &AUDIT)?;
    Ok(id)
}

/// Newest first, starting below `before` when given.
pub fn recent(
    tx: &impl Tables,
    before: Option<AuditId>,
    limit: usize,
) -> Result<Vec<(AuditId, AuditEvent)>, StoreError> {
    const OP: &str = "audit.recent";
    let t = tx.table(&AUDIT).during(OP)?;
    let upper = before.map(|b| b.0).unwrap_or(u64::MAX);
    let mut out = vec![];
    for row in t.range(..upper).at(OP, &AUDIT)?.rev().take(limit) {
        let (k, v) = row.at(OP, &AUDIT)?;
        out.push((AuditId(k.value()), decode(v.value())?));
    }
    Ok(out)
}

/// Who did something and from where; the one thing every feature passes to
/// `record`.
#[derive(Debug, Clone)]
pub struct Who {
    pub actor: String,
    pub ip: String,
}

impl Who {
    pub fn user(id: super::UserId, username: &str, ip: impl Into<String>) -> Who {
        Who { actor: format!("user:{id}:{username}"), ip: ip.into() }
    }
    pub fn anonymous(ip: impl Into<String>) -> Who {
        Who { actor: "anonymous".into(), ip: ip.into() }
    }
    pub fn cli() -> Who {
        Who { actor: "cli".into(), ip: "local".into() }
    }
    pub fn system() -> Who {
        Who { actor: "system".into(), ip: String::new() }
    }
}

/// Appends one event in the caller's transaction.
pub fn record(
    tx: &WriteTransaction,
    at: Timestamp,
    who: &Who,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<AuditId, StoreError> {
    append(
        tx,
        &AuditEvent {
            at,
            actor: who.actor.clone(),
            action: action.to_string(),
            target: target.to_string(),
            ip: who.ip.clone(),
            detail: detail.to_string(),
        },
    )
}

/// What the audit page filters on; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl Filter {
    pub fn matches(&self, e: &AuditEvent) -> bool {
        let has =
            |field: &str, needle: &str| needle.is_empty() || field.to_lowercase().contains(&needle.to_lowercase());
        has(&e.actor, &self.actor)
            && (self.action.is_empty() || e.action.starts_with(&self.action))
            && has(&e.target, &self.target)
            && self.from.is_none_or(|f| e.at >= f)
            && self.to.is_none_or(|t| e.at <= t)
    }
}

/// Newest first: up to `limit` events below `before` that match `filter`.
pub fn search(
    tx: &impl Tables,
    filter: &Filter,
    before: Option<AuditId>,
    limit: usize,
) -> Result<Vec<(AuditId, AuditEvent)>, StoreError> {
    const OP: &str = "audit.search";
    let t = tx.table(&AUDIT).during(OP)?;
    let upper = before.map(|b| b.0).unwrap_or(u64::MAX);
    let mut out = vec![];
    for row in t.range(..upper).at(OP, &AUDIT)?.rev() {
        let (k, v) = row.at(OP, &AUDIT)?;
        let e: AuditEvent = decode(v.value())?;
        if filter.matches(&e) {
            out.push((AuditId(k.value()), e));
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// A page of the log, newest first, after the cursor `after` (as the last
/// page's `next` gave it); `keep` filters and shapes each event.
pub fn page<T>(
    tx: &impl Tables,
    after: Option<&[u8]>,
    limit: usize,
    order: super::page::Order,
    mut keep: impl FnMut(AuditId, AuditEvent) -> Result<Option<T>, StoreError>,
) -> Result<super::page::Page<T>, StoreError> {
    let t = tx.table(&AUDIT)?;
    super::page::by_id(&t, after, limit, order, |k, v| keep(AuditId(k), decode(v)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored bytes of an audit record, frozen.
    #[test]
    fn stored_bytes_are_stable() {
        let e = AuditEvent {
            at: 10,
            actor: "cli".into(),
            action: "a.b".into(),
            target: "t".into(),
            ip: "ip".into(),
            detail: "d".into(),
        };
        let bytes = encode(&e).unwrap();
        assert_eq!(bytes, [1, 20, 3, 99, 108, 105, 3, 97, 46, 98, 1, 116, 2, 105, 112, 1, 100]);
        assert_eq!(decode::<AuditEvent>(&bytes).unwrap(), e);
    }
}
