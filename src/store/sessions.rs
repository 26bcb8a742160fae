//! Browser sessions, keyed by the SHA-256 of the cookie so that a copy of the
//! database holds nothing a browser could present.

use super::codec::{Record, decode, encode};
use super::schema::SESSIONS;
use super::{At, ReadableTable, StoreError, Tables, UserId, WriteTransaction};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub user: UserId,
    /// The token every form of this session carries.
    pub csrf: String,
    pub created_at: Timestamp,
    pub last_seen: Timestamp,
    pub auth_time: Timestamp,
}

impl Record for Session {
    const KIND: &'static str = "session";
    const VERSION: u8 = 1;
}

pub fn get(tx: &impl Tables, digest: &[u8; 32]) -> Result<Option<Session>, StoreError> {
    const OP: &str = "sessions.get";
    let t = tx.table(&SESSIONS).during(OP)?;
    let v = t.get(digest.as_slice()).at(OP, &SESSIONS)?;
    v.map(|v| decode(v.value())).transpose()
}

pub fn put(tx: &WriteTransaction, digest: &[u8; 32], s: &Session) -> Result<(), StoreError> {
    const OP: &str = "sessions.put";
    tx.table(&SESSIONS).during(OP)?.insert(digest.as_slice(), encode(s)?.as_slice()).at(OP, &SESSIONS)?;
    Ok(())
}

pub fn delete(tx: &WriteTransaction, digest: &[u8; 32]) -> Result<(), StoreError> {
    const OP: &str = "sessions.delete";
    tx.table(&SESSIONS).during(OP)?.remove(digest.as_slice()).at(OP, &SESSIONS)?;
    Ok(())
}

/// Removes the sessions `dead` picks; returns how many went.
pub fn delete_where(tx: &WriteTransaction, dead: impl Fn(&Session) -> bool) -> Result<usize, StoreError> {
    const OP: &str = "sessions.delete_where";
    let mut t = tx.table(&SESSIONS).during(OP)?;
    let mut doomed = vec![];
    for row in t.iter().at(OP, &SESSIONS)? {
        let (k, v) = row.at(OP, &SESSIONS)?;
        // A record that cannot be read is of no use to anyone: sweep it too.
        let gone = decode::<Session>(v.value()).map(|s| dead(&s)).unwrap_or(true);
        if gone {
            doomed.push(k.value().to_vec());
        }
    }
    for k in &doomed {
        t.remove(k.as_slice()).at(OP, &SESSIONS)?;
    }
    Ok(doomed.len())
}

/// Like `delete_where`, with the key passed too.
pub fn delete_where_keyed(
    tx: &WriteTransaction,
    dead: impl Fn(&[u8; 32], &Session) -> bool,
) -> Result<usize, StoreError> {
    const OP: &str = "sessions.delete_where_keyed";
    let mut t = tx.table(&SESSIONS).during(OP)?;
    let mut doomed = vec![];
    for row in t.iter().at(OP, &SESSIONS)? {
        let (k, v) = row.at(OP, &SESSIONS)?;
        let key: [u8; 32] = k.value().try_into().unwrap_or([0; 32]);
        let gone = decode::<Session>(v.value()).map(|s| dead(&key, &s)).unwrap_or(true);
        if gone {
            doomed.push(k.value().to_vec());
        }
    }
    for k in &doomed {
        t.remove(k.as_slice()).at(OP, &SESSIONS)?;
    }
    Ok(doomed.len())
}
