//! Comments on posts, indexed by post in the order they were written.

use super::super::codec::{Record, Revised, decode, revise};
use super::super::key::Key;
use super::super::schema::{COMMENTS, COMMENTS_BY_POST};
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use crate::clock::Timestamp;
use crate::ids::{CommentId, PostId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: CommentId,
    pub post: PostId,
    /// The top-level comment this one answers (one level of replies).
    pub parent: Option<CommentId>,
    pub author: UserId,
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Hidden by a site admin (moderation).
    pub hidden: bool,
    pub revision: u64,
}

impl Record for Comment {
    const KIND: &'static str = "comment";
    const VERSION: u8 = 1;
}

impl Revised for Comment {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

pub fn get(tx: &impl Tables, id: CommentId) -> Result<Option<Comment>, StoreError> {
    const OP: &str = "comments.get";
    tx.table(&COMMENTS).during(OP)?.get(id.0).at(OP, &COMMENTS)?.map(|v| decode(v.value())).transpose()
}

pub fn insert(tx: &WriteTransaction, mut c: Comment) -> Result<Comment, StoreError> {
    const OP: &str = "comments.insert";
    c.id = CommentId(next_id(tx, CommentId::SEQUENCE)?);
    put(tx, &mut c)?;
    tx.table(&COMMENTS_BY_POST)
        .during(OP)?
        .insert(Key::new().u64(c.post.0).u64(c.id.0).as_slice(), ())
        .at(OP, &COMMENTS_BY_POST)?;
    Ok(c)
}

pub fn put(tx: &WriteTransaction, c: &mut Comment) -> Result<(), StoreError> {
    const OP: &str = "comments.put";
    let mut t = tx.table(&COMMENTS).during(OP)?;
    let stored = t.get(c.id.0).at(OP, &COMMENTS)?.map(|v| v.value().to_vec());
    if let Some(bytes) = revise(stored.as_deref(), c)? {
        t.insert(c.id.0, bytes.as_slice()).at(OP, &COMMENTS)?;
    }
    Ok(())
}

pub fn delete(tx: &WriteTransaction, c: &Comment) -> Result<(), StoreError> {
    const OP: &str = "comments.delete";
    tx.table(&COMMENTS).during(OP)?.remove(c.id.0).at(OP, &COMMENTS)?;
    tx.table(&COMMENTS_BY_POST)
        .during(OP)?
        .remove(Key::new().u64(c.post.0).u64(c.id.0).as_slice())
        .at(OP, &COMMENTS_BY_POST)?;
    Ok(())
}

pub fn post_prefix(p: PostId) -> Vec<u8> {
    Key::new().u64(p.0).into_vec()
}

/// Every comment of a post, oldest first.
pub fn of_post(tx: &impl Tables, p: PostId) -> Result<Vec<Comment>, StoreError> {
    const OP: &str = "comments.of_post";
    let idx = tx.table(&COMMENTS_BY_POST).during(OP)?;
    let mut out = vec![];
    for id in super::index_ids(&idx, &post_prefix(p), None, super::super::page::Order::Ascending)? {
        if let Some(c) = get(tx, CommentId(id?))? {
            out.push(c);
        }
    }
    Ok(out)
}
