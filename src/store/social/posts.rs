//! Posts, their indexes (by group, by author, by tag), the tag counts and
//! likes. `put` keeps every index in step with the record it stores.

use super::super::codec::{Record, Revised, decode, decode_old, encode, revise};
use super::super::key::{Key, increment};
use super::super::schema::{LIKES, POST_COUNTS, POSTS, POSTS_BY_AUTHOR, POSTS_BY_GROUP, POSTS_BY_TAG, TAGS};
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use super::Access;
use crate::clock::Timestamp;
use crate::ids::{FileId, GroupId, PostId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// A short update without a title.
    Status,
    /// A titled piece: a blog post or a discussion topic.
    Article,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Status => "status",
            Kind::Article => "article",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: PostId,
    /// The group it is in; `None` on the author's own stream.
    pub group: Option<GroupId>,
    pub author: UserId,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    /// Lower-case, sorted, unique.
    pub tags: Vec<String>,
    pub access: Access,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Hidden by a site admin (moderation).
    pub hidden: bool,
    pub revision: u64,
    /// Files attached to it, in the author's order (schema 4).
    pub attachments: Vec<FileId>,
    /// The post this one re-shares, if it is a share (schema 4).
    pub shared: Option<PostId>,
}

/// A post as schema 3 stored it (record version 1).
#[derive(Deserialize)]
struct PostV1 {
    id: PostId,
    group: Option<GroupId>,
    author: UserId,
    kind: Kind,
    title: String,
    body: String,
    tags: Vec<String>,
    access: Access,
    created_at: Timestamp,
    updated_at: Timestamp,
    hidden: bool,
    revision: u64,
}

impl Record for Post {
    const KIND: &'static str = "post";
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        if version != 1 {
            return Err(StoreError::Corrupt(format!("post record has unknown version {version}")));
        }
        let v: PostV1 = decode_old(Self::KIND, version, body)?;
        Ok(Post {
            id: v.id,
            group: v.group,
            author: v.author,
            kind: v.kind,
            title: v.title,
            body: v.body,
            tags: v.tags,
            access: v.access,
            created_at: v.created_at,
            updated_at: v.updated_at,
            hidden: v.hidden,
            revision: v.revision,
            attachments: Vec::new(),
            shared: None,
        })
    }
}

impl Revised for Post {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostCounts {
    pub likes: u64,
    pub comments: u64,
}

impl Record for PostCounts {
    const KIND: &'static str = "post counts";
    const VERSION: u8 = 1;
}

/// How many posts carry a tag, by who may see them: the tag list counts
/// only what every member (or, for `public`, anyone) can see, so a group's
/// or a private post's tags never show there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCounts {
    pub public: u64,
    pub members: u64,
}

impl Record for TagCounts {
    const KIND: &'static str = "tag counts";
    const VERSION: u8 = 1;
}

pub fn get(tx: &impl Tables, id: PostId) -> Result<Option<Post>, StoreError> {
    get_in(&tx.table(&POSTS).during("posts.get")?, id)
}

/// `get` in a `POSTS` table already open (a list reads many posts).
pub fn get_in(t: &impl ReadableTable<u64, &'static [u8]>, id: PostId) -> Result<Option<Post>, StoreError> {
    t.get(id.0).at("posts.get", &POSTS)?.map(|v| decode(v.value())).transpose()
}

pub fn counts(tx: &impl Tables, id: PostId) -> Result<PostCounts, StoreError> {
    counts_in(&tx.table(&POST_COUNTS).during("posts.counts")?, id)
}

/// `counts` in a `POST_COUNTS` table already open.
pub fn counts_in(t: &impl ReadableTable<u64, &'static [u8]>, id: PostId) -> Result<PostCounts, StoreError> {
    Ok(t.get(id.0).at("posts.counts", &POST_COUNTS)?.map(|v| decode(v.value())).transpose()?.unwrap_or_default())
}

pub fn put_counts(tx: &WriteTransaction, id: PostId, c: &PostCounts) -> Result<(), StoreError> {
    const OP: &str = "posts.put_counts";
    tx.table(&POST_COUNTS).during(OP)?.insert(id.0, encode(c)?.as_slice()).at(OP, &POST_COUNTS)?;
    Ok(())
}

pub fn insert(tx: &WriteTransaction, mut post: Post) -> Result<Post, StoreError> {
    post.id = PostId(next_id(tx, PostId::SEQUENCE)?);
    put(tx, &mut post)?;
    Ok(post)
}

fn tag_key(tag: &str, id: PostId) -> Key {
    Key::new().text(tag).u64(id.0)
}

/// Stores a post with the next revision when it changed, and moves its
/// index entries and tag counts from what was stored to what is now.
pub fn put(tx: &WriteTransaction, post: &mut Post) -> Result<(), StoreError> {
    const OP: &str = "posts.put";
    let before = get(tx, post.id)?;
    {
        let mut t = tx.table(&POSTS).during(OP)?;
        let stored = t.get(post.id.0).at(OP, &POSTS)?.map(|v| v.value().to_vec());
        match revise(stored.as_deref(), post)? {
            Some(bytes) => t.insert(post.id.0, bytes.as_slice()).at(OP, &POSTS)?,
            None => return Ok(()),
        };
    }
    unindex(tx, before.as_ref())?;
    index(tx, post)
}

/// Removes a post, its index entries, counters and likes. Its comments are
/// the caller's to remove.
pub fn delete(tx: &WriteTransaction, id: PostId) -> Result<Option<Post>, StoreError> {
    const OP: &str = "posts.delete";
    let Some(post) = get(tx, id)? else { return Ok(None) };
    tx.table(&POSTS).during(OP)?.remove(id.0).at(OP, &POSTS)?;
    tx.table(&POST_COUNTS).during(OP)?.remove(id.0).at(OP, &POST_COUNTS)?;
    unindex(tx, Some(&post))?;
    let prefix = Key::new().u64(id.0).into_vec();
    let mut end = prefix.clone();
    increment(&mut end);
    let mut likes = tx.table(&LIKES).during(OP)?;
    likes.retain_in(prefix.as_slice()..end.as_slice(), |_, _| false).at(OP, &LIKES)?;
    Ok(Some(post))
}

fn index(tx: &WriteTransaction, p: &Post) -> Result<(), StoreError> {
    const OP: &str = "posts.index";
    if let Some(g) = p.group {
        tx.table(&POSTS_BY_GROUP)
            .during(OP)?
            .insert(Key::new().u64(g.0).u64(p.id.0).as_slice(), ())
            .at(OP, &POSTS_BY_GROUP)?;
    }
    tx.table(&POSTS_BY_AUTHOR)
        .during(OP)?
        .insert(Key::new().u64(p.author.0).u64(p.id.0).as_slice(), ())
        .at(OP, &POSTS_BY_AUTHOR)?;
    let mut by_tag = tx.table(&POSTS_BY_TAG).during(OP)?;
    for t in &p.tags {
        by_tag.insert(tag_key(t, p.id).as_slice(), ()).at(OP, &POSTS_BY_TAG)?;
    }
    count_tags(tx, p, 1)
}

fn unindex(tx: &WriteTransaction, p: Option<&Post>) -> Result<(), StoreError> {
    const OP: &str = "posts.unindex";
    let Some(p) = p else { return Ok(()) };
    if let Some(g) = p.group {
        tx.table(&POSTS_BY_GROUP)
            .during(OP)?
            .remove(Key::new().u64(g.0).u64(p.id.0).as_slice())
            .at(OP, &POSTS_BY_GROUP)?;
    }
    tx.table(&POSTS_BY_AUTHOR)
        .during(OP)?
        .remove(Key::new().u64(p.author.0).u64(p.id.0).as_slice())
        .at(OP, &POSTS_BY_AUTHOR)?;
    let mut by_tag = tx.table(&POSTS_BY_TAG).during(OP)?;
    for t in &p.tags {
        by_tag.remove(tag_key(t, p.id).as_slice()).at(OP, &POSTS_BY_TAG)?;
    }
    count_tags(tx, p, -1)
}

fn count_tags(tx: &WriteTransaction, p: &Post, by: i64) -> Result<(), StoreError> {
    const OP: &str = "posts.count_tags";
    let public = p.access == Access::Public && !p.hidden;
    let members = matches!(p.access, Access::Public | Access::Members) && !p.hidden;
    if !members {
        return Ok(());
    }
    let mut t = tx.table(&TAGS).during(OP)?;
    for tag in &p.tags {
        let mut c: TagCounts =
            t.get(tag.as_str()).at(OP, &TAGS)?.map(|v| decode(v.value())).transpose()?.unwrap_or_default();
        let step = |n: u64| if by > 0 { n + 1 } else { n.saturating_sub(1) };
        c.members = step(c.members);
        if public {
            c.public = step(c.public);
        }
        if c.members == 0 {
            t.remove(tag.as_str()).at(OP, &TAGS)?;
        } else {
            t.insert(tag.as_str(), encode(&c)?.as_slice()).at(OP, &TAGS)?;
        }
    }
    Ok(())
}

/// A page of tags with their counts, and the name to go on after.
pub type TagPage = (Vec<(String, u64)>, Option<String>);

/// Tags starting with `prefix`, in name order after `after`, each with its
/// counts, until `limit` are kept (`keep` decides which count applies).
pub fn tags(
    tx: &impl Tables,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
    mut keep: impl FnMut(&TagCounts) -> Option<u64>,
) -> Result<TagPage, StoreError> {
    const OP: &str = "posts.tags";
    let t = tx.table(&TAGS).during(OP)?;
    let start = match after {
        Some(a) if a >= prefix => a.to_string(),
        _ => prefix.to_string(),
    };
    let mut out = vec![];
    let rows = t.range(start.as_str()..).at(OP, &TAGS)?;
    for row in rows {
        let (k, v) = row.at(OP, &TAGS)?;
        let name = k.value();
        if after == Some(name) {
            continue;
        }
        if !name.starts_with(prefix) {
            break;
        }
        if out.len() == limit {
            let next = name_before(&out);
            return Ok((out, Some(next)));
        }
        if let Some(n) = keep(&decode(v.value())?) {
            out.push((name.to_string(), n));
        }
    }
    Ok((out, None))
}

fn name_before(out: &[(String, u64)]) -> String {
    out.last().map(|(n, _)| n.clone()).unwrap_or_default()
}

pub fn likes(tx: &impl Tables, post: PostId, user: UserId) -> Result<bool, StoreError> {
    likes_in(&tx.table(&LIKES).during("posts.likes")?, post, user)
}

/// `likes` in a `LIKES` table already open.
pub fn likes_in(t: &impl ReadableTable<&'static [u8], i64>, post: PostId, user: UserId) -> Result<bool, StoreError> {
    Ok(t.get(Key::new().u64(post.0).u64(user.0).as_slice()).at("posts.likes", &LIKES)?.is_some())
}

/// Records or removes a like; `true` when that changed anything.
pub fn set_like(
    tx: &WriteTransaction,
    post: PostId,
    user: UserId,
    like: bool,
    now: Timestamp,
) -> Result<bool, StoreError> {
    const OP: &str = "posts.set_like";
    let key = Key::new().u64(post.0).u64(user.0);
    let mut t = tx.table(&LIKES).during(OP)?;
    let changed = if like {
        t.insert(key.as_slice(), now).at(OP, &LIKES)?.is_none()
    } else {
        t.remove(key.as_slice()).at(OP, &LIKES)?.is_some()
    };
    drop(t);
    if changed {
        let mut c = counts(tx, post)?;
        c.likes = if like { c.likes + 1 } else { c.likes.saturating_sub(1) };
        put_counts(tx, post, &c)?;
    }
    Ok(changed)
}

/// The index prefix of a group's posts, an author's, or a tag's.
pub fn group_prefix(g: GroupId) -> Vec<u8> {
    Key::new().u64(g.0).into_vec()
}

pub fn author_prefix(u: UserId) -> Vec<u8> {
    Key::new().u64(u.0).into_vec()
}

pub fn tag_prefix(tag: &str) -> Vec<u8> {
    Key::new().text(tag).into_vec()
}

/// Every post id of a group (to delete them with it).
pub fn ids_in_group(tx: &impl Tables, g: GroupId) -> Result<Vec<PostId>, StoreError> {
    const OP: &str = "posts.ids_in_group";
    let t = tx.table(&POSTS_BY_GROUP).during(OP)?;
    super::index_ids(&t, &group_prefix(g), None, super::super::page::Order::Ascending)?.map(|r| r.map(PostId)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn post(access: Access, tags: &[&str]) -> Post {
        Post {
            id: PostId(0),
            group: Some(GroupId(4)),
            author: UserId(1),
            kind: Kind::Status,
            title: String::new(),
            body: "hello".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            access,
            created_at: 5,
            updated_at: 5,
            hidden: false,
            attachments: vec![],
            shared: None,
            revision: 0,
        }
    }

    #[test]
    fn indexes_and_tag_counts_follow_every_change() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let a = store.write_blocking(|tx| insert(tx, post(Access::Public, &["garden", "rain"]))).unwrap();
        let b = store.write_blocking(|tx| insert(tx, post(Access::Group, &["garden"]))).unwrap();
        let all = |p: &TagCounts| Some(p.members);
        let tags_now = || store.read(|tx| tags(tx, "", None, 10, all)).unwrap().0;
        assert_eq!(tags_now(), [("garden".to_string(), 1), ("rain".to_string(), 1)]);
        let id = a.id;
        store
            .write_blocking(move |tx| {
                let mut p = get(tx, id)?.unwrap();
                p.tags = vec!["garden".into()];
                put(tx, &mut p)?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(tags_now(), [("garden".to_string(), 1)]);
        let by_tag = store
            .read(|tx| {
                let t = tx.table(&POSTS_BY_TAG)?;
                super::super::index_ids(&t, &tag_prefix("garden"), None, super::super::super::page::Order::Descending)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        assert_eq!(by_tag, [b.id.0, a.id.0]);
        assert!(store.write_blocking(move |tx| set_like(tx, id, UserId(2), true, 9)).unwrap());
        assert!(!store.write_blocking(move |tx| set_like(tx, id, UserId(2), true, 9)).unwrap());
        assert_eq!(store.read(|tx| counts(tx, id)).unwrap().likes, 1);
        store.write_blocking(move |tx| delete(tx, id)).unwrap();
        assert!(tags_now().is_empty());
        assert!(!store.read(|tx| likes(tx, id, UserId(2))).unwrap());
        assert_eq!(store.read(|tx| ids_in_group(tx, GroupId(4))).unwrap(), [b.id]);
    }
}
