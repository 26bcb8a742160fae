//! One-time links (first-admin setup, password resets, sign-in links and
//! invites): stored as the SHA-256 of the token, consumed on use.

use super::codec::{Record, decode, encode};
use super::schema::ONE_TIME_LINKS;
use super::{At, ReadableTable, StoreError, Tables, UserId, WriteTransaction};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Purpose {
    /// Create the first admin.
    Setup,
    /// Set a new password for this member.
    PasswordReset(UserId),
    /// Sign this member in to the pages (`POST /api/v1/me/login-link`).
    SignIn(UserId),
    /// Create an account, whatever `registration` says; the admin who
    /// issued it.
    Invite(UserId),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub purpose: Purpose,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Record for Link {
    const KIND: &'static str = "one-time link";
    const VERSION: u8 = 1;
}

pub fn put(tx: &WriteTransaction, digest: &[u8; 32], link: &Link) -> Result<(), StoreError> {
    const OP: &str = "links.put";
    tx.table(&ONE_TIME_LINKS)
        .during(OP)?
        .insert(digest.as_slice(), encode(link)?.as_slice())
        .at(OP, &ONE_TIME_LINKS)?;
    Ok(())
}

/// The link if it exists and has not expired (it stays unused).
pub fn peek(tx: &impl Tables, digest: &[u8; 32], now: Timestamp) -> Result<Option<Link>, StoreError> {
    const OP: &str = "links.peek";
    let t = tx.table(&ONE_TIME_LINKS).during(OP)?;
    let v = t.get(digest.as_slice()).at(OP, &ONE_TIME_LINKS)?;
    let link: Option<Link> = v.map(|v| decode(v.value())).transpose()?;
    Ok(link.filter(|l| l.expires_at > now))
}

/// Removes the link and returns it if it was still valid.
pub fn take(tx: &WriteTransaction, digest: &[u8; 32], now: Timestamp) -> Result<Option<Link>, StoreError> {
    const OP: &str = "links.take";
    let mut t = tx.table(&ONE_TIME_LINKS).during(OP)?;
    let v = t.remove(digest.as_slice()).at(OP, &ONE_TIME_LINKS)?;
    let link: Option<Link> = v.map(|v| decode(v.value())).transpose()?;
    Ok(link.filter(|l| l.expires_at > now))
}

/// Removes expired links and every link `also` picks.
pub fn delete_where(tx: &WriteTransaction, now: Timestamp, also: impl Fn(&Link) -> bool) -> Result<usize, StoreError> {
    const OP: &str = "links.delete_where";
    let mut t = tx.table(&ONE_TIME_LINKS).during(OP)?;
    let mut doomed = vec![];
    for row in t.iter().at(OP, &ONE_TIME_LINKS)? {
        let (k, v) = row.at(OP, &ONE_TIME_LINKS)?;
        let gone = decode::<Link>(v.value()).map(|l| l.expires_at <= now || also(&l)).unwrap_or(true);
        if gone {
            doomed.push(k.value().to_vec());
        }
    }
    for k in &doomed {
        t.remove(k.as_slice()).at(OP, &ONE_TIME_LINKS)?;
    }
    Ok(doomed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored bytes of a link record and the variants of `Purpose`, frozen.
    #[test]
    fn stored_bytes_are_stable() {
        let l = Link { purpose: Purpose::PasswordReset(UserId(3)), created_at: 10, expires_at: 20 };
        let bytes = encode(&l).unwrap();
        assert_eq!(bytes, [1, 1, 3, 20, 40]);
        assert_eq!(decode::<Link>(&bytes).unwrap(), l);
        assert_eq!(encode(&Link { purpose: Purpose::Setup, ..l.clone() }).unwrap(), [1, 0, 20, 40]);
        assert_eq!(encode(&Link { purpose: Purpose::SignIn(UserId(3)), ..l.clone() }).unwrap(), [1, 2, 3, 20, 40]);
        assert_eq!(encode(&Link { purpose: Purpose::Invite(UserId(3)), ..l }).unwrap(), [1, 3, 3, 20, 40]);
    }
}
