//! The member's news feed: the posts (shares among them) of their friends,
//! their own, and those in the groups they are a member of, and the
//! activity of those groups (comments, new members, events, enrolments,
//! files; a new post is in the feed as itself), newest first, only what
//! they may see. Read from the per-author and per-group post indexes and
//! the per-group activity rivers with k-way merges by id, never by
//! scanning every post; a page looks at a bounded number of rows, like the
//! other lists.
//!
//! Ids grow with time in both sources, so each source runs newest first by
//! id, and the two are merged by time (then posts before activity, then
//! id). The cursor holds the position in each source: the last post id and
//! the last activity id looked at.

use super::SocialError;
use super::access::{Viewer, sees_group};
use super::posts::PostView;
use crate::clock::Timestamp;
use crate::ids::{GroupId, PostId, UserId};
use crate::store::key::Key;
use crate::store::page::{Order, Page};
use crate::store::schema::{ACTIVITY, LIKES, POST_COUNTS, POSTS, POSTS_BY_AUTHOR, POSTS_BY_GROUP};
use crate::store::social::activity::{Activity, What};
use crate::store::social::groups::{self, Group, Membership};
use crate::store::social::posts::{self as stored, Post};
use crate::store::social::{friends, index_ids};
use crate::store::{ReadableTable, StoreError, Tables};
use std::collections::{BinaryHeap, HashMap};

/// How many rows (posts and activity entries) one page of the feed may
/// look at.
const BUDGET: usize = 2_000;

/// Which items a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    All,
    Posts,
    Activity,
}

/// One item of the feed.
#[derive(Debug, Clone)]
pub enum Item {
    Post(PostView),
    Activity(Activity),
}

impl Item {
    /// When it happened: the post's creation, the entry's time.
    pub fn at(&self) -> Timestamp {
        match self {
            Item::Post(p) => p.post.created_at,
            Item::Activity(a) => a.at,
        }
    }
}

/// Where a page starts: below these ids in each source (`u64::MAX`: from
/// the newest; `0`: that source is done).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub posts: u64,
    pub activity: u64,
}

impl Cursor {
    pub const START: Cursor = Cursor { posts: u64::MAX, activity: u64::MAX };
    const TAG: u8 = b'F';
    const LEN: usize = 17;

    /// The cursor as the client carries it (17 bytes).
    pub fn encode(self) -> Vec<u8> {
        let mut b = Vec::with_capacity(Self::LEN);
        b.push(Self::TAG);
        b.extend_from_slice(&self.posts.to_be_bytes());
        b.extend_from_slice(&self.activity.to_be_bytes());
        b
    }

    /// A cursor this list gave out, or `None`.
    pub fn decode(b: &[u8]) -> Option<Cursor> {
        if b.len() != Self::LEN || b[0] != Self::TAG {
            return None;
        }
        let posts = u64::from_be_bytes(b[1..9].try_into().ok()?);
        let activity = u64::from_be_bytes(b[9..17].try_into().ok()?);
        // Both sources done is the last page, which has no cursor.
        (posts != 0 || activity != 0).then_some(Cursor { posts, activity })
    }
}

type Stream<'t, T> = Box<dyn Iterator<Item = Result<(u64, T), StoreError>> + 't>;

/// Several descending id streams as one, newest first, each id once.
struct Merge<'t, T> {
    sources: Vec<Stream<'t, T>>,
    heads: BinaryHeap<(u64, usize)>,
    held: Vec<Option<T>>,
    last: Option<u64>,
}

impl<'t, T> Merge<'t, T> {
    fn new(mut sources: Vec<Stream<'t, T>>) -> Result<Merge<'t, T>, StoreError> {
        let mut heads = BinaryHeap::with_capacity(sources.len());
        let mut held = Vec::with_capacity(sources.len());
        for (i, s) in sources.iter_mut().enumerate() {
            match s.next().transpose()? {
                Some((id, t)) => {
                    heads.push((id, i));
                    held.push(Some(t));
                }
                None => held.push(None),
            }
        }
        Ok(Merge { sources, heads, held, last: None })
    }
}

impl<T> Iterator for Merge<'_, T> {
    type Item = Result<(u64, T), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (id, i) = self.heads.pop()?;
            let t = self.held[i].take()?;
            match self.sources[i].next() {
                Some(Ok((n, u))) => {
                    self.heads.push((n, i));
                    self.held[i] = Some(u);
                }
                Some(Err(e)) => return Some(Err(e)),
                None => {}
            }
            // A friend's post in one of the member's groups comes twice.
            if self.last != Some(id) {
                self.last = Some(id);
                return Some(Ok((id, t)));
            }
        }
    }
}

/// An index's ids as a stream of the merge.
fn ids<'t>(i: Box<dyn Iterator<Item = Result<u64, StoreError>> + 't>) -> Stream<'t, ()> {
    Box::new(i.map(|r| r.map(|id| (id, ()))))
}

/// One group's river below the activity id `before`, newest first.
fn river<'t>(
    t: &'t impl ReadableTable<&'static [u8], &'static [u8]>,
    group: GroupId,
    before: u64,
) -> Result<Stream<'t, Activity>, StoreError> {
    let lo = Key::new().u64(group.0).u64(0);
    let hi = Key::new().u64(group.0).u64(before);
    let rows = t.range(lo.as_slice()..hi.as_slice())?.rev();
    Ok(Box::new(rows.map(|row| {
        let (_, v) = row?;
        let a: Activity = crate::store::codec::decode(v.value())?;
        Ok((a.id.0, a))
    })))
}

/// A page of `user`'s feed from `at` (`Cursor::START` for the first).
pub fn feed(tx: &impl Tables, user: UserId, at: Cursor, only: Only, limit: usize) -> Result<Page<Item>, SocialError> {
    let viewer = Viewer::member(user);
    let mut places: HashMap<GroupId, (Option<Group>, Option<Membership>)> = HashMap::new();
    let mut mine = vec![];
    for g in groups::groups_of(tx, user)? {
        let m = groups::membership(tx, g, user)?;
        let group = groups::get(tx, g)?;
        if m.is_some_and(|m| m.is_member()) {
            mine.push(g);
        }
        places.insert(g, (group, m));
    }
    let mut pos = Cursor {
        posts: if only == Only::Activity { 0 } else { at.posts },
        activity: if only == Only::Posts { 0 } else { at.activity },
    };
    let (by_author, by_group) = (tx.table(&POSTS_BY_AUTHOR)?, tx.table(&POSTS_BY_GROUP)?);
    let mut sources: Vec<Stream<'_, ()>> = vec![];
    if pos.posts != 0 {
        for a in std::iter::once(user).chain(friends::ids(tx, user)?) {
            sources.push(ids(index_ids(&by_author, &stored::author_prefix(a), Some(pos.posts), Order::Descending)?));
        }
        for &g in &mine {
            sources.push(ids(index_ids(&by_group, &stored::group_prefix(g), Some(pos.posts), Order::Descending)?));
        }
    }
    let posts_t = tx.table(&POSTS)?;
    let mut posts = Merge::new(sources)?.filter_map(|r| match r {
        Ok((id, ())) => stored::get_in(&posts_t, PostId(id)).transpose(),
        Err(e) => Some(Err(e)),
    });
    let activity_t = tx.table(&ACTIVITY)?;
    let mut rivers = vec![];
    if pos.activity != 0 {
        for &g in &mine {
            // A group the member may not see (hidden by a site admin) has
            // no river for them.
            if places.get(&g).and_then(|(g, _)| g.as_ref()).is_some_and(|g| sees_group(g, viewer)) {
                rivers.push(river(&activity_t, g, pos.activity)?);
            }
        }
    }
    let mut entries = Merge::new(rivers)?;
    let (counts_t, likes_t) = (tx.table(&POST_COUNTS)?, tx.table(&LIKES)?);
    let mut show_post = |p: Post| -> Result<Option<Item>, StoreError> {
        let (g, m) = match p.group {
            None => (None, None),
            Some(g) => match places.entry(g) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut().clone(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    // A friend's post in a group the member is not in.
                    e.insert((groups::get(tx, g)?, groups::membership(tx, g, user)?)).clone()
                }
            },
        };
        if !super::friends::sees(tx, &p, g.as_ref(), viewer, m.as_ref())? {
            return Ok(None);
        }
        let counts = stored::counts_in(&counts_t, p.id)?;
        let liked_by_me = stored::likes_in(&likes_t, p.id, user)?;
        let attachments = super::files::visible_attachments(tx, viewer, &p.attachments)?;
        Ok(Some(Item::Post(PostView { post: p, counts, liked_by_me, attachments })))
    };
    let mut groups_seen: HashMap<GroupId, Group> = HashMap::new();
    let mut show_entry = |a: Activity| -> Result<Option<Item>, StoreError> {
        // A new post is in the feed as the post itself.
        if a.what == What::PostCreated {
            return Ok(None);
        }
        let g = match groups_seen.entry(a.group) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => match groups::get(tx, a.group)? {
                Some(g) => e.insert(g),
                None => return Ok(None),
            },
        };
        Ok(super::activity::sees(tx, &a, viewer, g, true)?.then_some(Item::Activity(a)))
    };
    let mut items = Vec::with_capacity(limit.min(100));
    let mut post = posts.next().transpose()?;
    let mut entry = entries.next().transpose()?.map(|(_, a)| a);
    let mut looked = 0;
    loop {
        let take_post = match (&post, &entry) {
            (None, None) => return Ok(Page { items, next: None }),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(p), Some(a)) => (p.created_at, 1, p.id.0) > (a.at, 0, a.id.0),
        };
        if items.len() == limit || looked == BUDGET {
            return Ok(Page { items, next: Some(pos.encode()) });
        }
        let shown = if take_post {
            let p = post.take().expect("a post is next");
            post = posts.next().transpose()?;
            pos.posts = p.id.0;
            show_post(p)?
        } else {
            let a = entry.take().expect("an entry is next");
            entry = entries.next().transpose()?.map(|(_, a)| a);
            pos.activity = a.id.0;
            show_entry(a)?
        };
        items.extend(shown);
        looked += 1;
    }
}

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
