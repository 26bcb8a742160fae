//! Browser sessions, keyed by the SHA-256 of the cookie so that a copy of the
//! database holds nothing a browser could present.

use super::codec::{Record, Revised, decode, decode_old, revise};
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
    /// Grows with every stored change (see `codec::Revised`); 0 until stored.
    pub revision: u64,
}

/// A session as version 1 wrote it: before revisions.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct SessionV1 {
    user: UserId,
    csrf: String,
    created_at: Timestamp,
    last_seen: Timestamp,
    auth_time: Timestamp,
}

impl Record for Session {
    const KIND: &'static str = "session";
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => {
                let s: SessionV1 = decode_old(Self::KIND, version, body)?;
                Ok(Session {
                    user: s.user,
                    csrf: s.csrf,
                    created_at: s.created_at,
                    last_seen: s.last_seen,
                    auth_time: s.auth_time,
                    revision: 1,
                })
            }
            v => Err(StoreError::Corrupt(format!("session record has unknown version {v}"))),
        }
    }
}

impl Revised for Session {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

pub fn get(tx: &impl Tables, digest: &[u8; 32]) -> Result<Option<Session>, StoreError> {
    const OP: &str = "sessions.get";
    let t = tx.table(&SESSIONS).during(OP)?;
    let v = t.get(digest.as_slice()).at(OP, &SESSIONS)?;
    v.map(|v| decode(v.value())).transpose()
}

/// Stores a session, new (revision 1) or changed (the next revision).
pub fn put(tx: &WriteTransaction, digest: &[u8; 32], s: &mut Session) -> Result<(), StoreError> {
    const OP: &str = "sessions.put";
    let mut t = tx.table(&SESSIONS).during(OP)?;
    let stored = t.get(digest.as_slice()).at(OP, &SESSIONS)?.map(|v| v.value().to_vec());
    if let Some(bytes) = revise(stored.as_deref(), s)? {
        t.insert(digest.as_slice(), bytes.as_slice()).at(OP, &SESSIONS)?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::codec::encode;

    #[test]
    fn a_version_1_session_reads_at_revision_1() {
        let old = SessionV1 { user: UserId(4), csrf: "c".into(), created_at: 10, last_seen: 20, auth_time: 15 };
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_stdvec(&old).unwrap());
        let s: Session = decode(&bytes).unwrap();
        assert_eq!((s.user, s.csrf.as_str()), (UserId(4), "c"));
        assert_eq!((s.created_at, s.last_seen, s.auth_time, s.revision), (10, 20, 15, 1));
        assert_eq!(encode(&s).unwrap()[0], Session::VERSION);
        assert!(decode::<Session>(&[1, 0xff]).is_err());
    }

    #[test]
    fn a_touched_session_gets_the_next_revision() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let s = Session { user: UserId(1), csrf: "c".into(), created_at: 1, last_seen: 1, auth_time: 1, revision: 0 };
        let revisions = store
            .write_blocking(move |tx| {
                let mut s = s.clone();
                put(tx, &[1; 32], &mut s)?;
                let first = s.revision;
                s.last_seen = 2;
                put(tx, &[1; 32], &mut s)?;
                Ok::<_, StoreError>((first, s.revision))
            })
            .unwrap();
        assert_eq!(revisions, (1, 2));
        assert_eq!(store.read(|tx| get(tx, &[1; 32])).unwrap().unwrap().revision, 2);
    }

    /// The stored bytes of a session record, frozen.
    #[test]
    fn stored_bytes_are_stable() {
        let s =
            Session { user: UserId(1), csrf: "c".into(), created_at: 10, last_seen: 20, auth_time: 15, revision: 2 };
        let bytes = encode(&s).unwrap();
        assert_eq!(bytes, [2, 1, 1, 99, 20, 40, 30, 2]);
        assert_eq!(decode::<Session>(&bytes).unwrap(), s);
    }
}
