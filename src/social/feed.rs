//! The member's news feed: the posts (shares among them) of their friends,
//! their own, and those in the groups they are a member of, newest first,
//! only what they may see. Read from the per-author and per-group indexes
//! with a k-way merge by post id, never by scanning every post; a page
//! looks at a bounded number of posts, like the other lists.

use super::SocialError;
use super::access::Viewer;
use super::posts::PostView;
use crate::ids::{GroupId, PostId, UserId};
use crate::store::page::{Order, Page};
use crate::store::schema::{LIKES, POST_COUNTS, POSTS, POSTS_BY_AUTHOR, POSTS_BY_GROUP};
use crate::store::social::groups::{self, Group, Membership};
use crate::store::social::posts as stored;
use crate::store::social::{Step, friends, index_ids, scan};
use crate::store::{StoreError, Tables};
use std::collections::{BinaryHeap, HashMap};

/// How many posts one page of the feed may look at.
const BUDGET: usize = 2_000;

type Ids<'t> = Box<dyn Iterator<Item = Result<u64, StoreError>> + 't>;

/// Several descending id streams as one, newest first, each id once.
struct Merge<'t> {
    sources: Vec<Ids<'t>>,
    heads: BinaryHeap<(u64, usize)>,
    last: Option<u64>,
}

impl<'t> Merge<'t> {
    fn new(mut sources: Vec<Ids<'t>>) -> Result<Merge<'t>, StoreError> {
        let mut heads = BinaryHeap::with_capacity(sources.len());
        for (i, s) in sources.iter_mut().enumerate() {
            if let Some(id) = s.next().transpose()? {
                heads.push((id, i));
            }
        }
        Ok(Merge { sources, heads, last: None })
    }
}

impl Iterator for Merge<'_> {
    type Item = Result<u64, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (id, i) = self.heads.pop()?;
            match self.sources[i].next() {
                Some(Ok(n)) => self.heads.push((n, i)),
                Some(Err(e)) => return Some(Err(e)),
                None => {}
            }
            // A friend's post in one of the member's groups comes twice.
            if self.last != Some(id) {
                self.last = Some(id);
                return Some(Ok(id));
            }
        }
    }
}

/// A page of `user`'s feed after the post id `after`.
pub fn feed(tx: &impl Tables, user: UserId, after: Option<u64>, limit: usize) -> Result<Page<PostView>, SocialError> {
    let viewer = Viewer::member(user);
    let mut places: HashMap<GroupId, (Option<Group>, Option<Membership>)> = HashMap::new();
    let mut mine = vec![];
    for g in groups::groups_of(tx, user)? {
        let m = groups::membership(tx, g, user)?;
        if m.is_some_and(|m| m.is_member()) {
            mine.push(g);
        }
        places.insert(g, (groups::get(tx, g)?, m));
    }
    let (by_author, by_group) = (tx.table(&POSTS_BY_AUTHOR)?, tx.table(&POSTS_BY_GROUP)?);
    let mut sources = vec![];
    for a in std::iter::once(user).chain(friends::ids(tx, user)?) {
        sources.push(index_ids(&by_author, &stored::author_prefix(a), after, Order::Descending)?);
    }
    for g in mine {
        sources.push(index_ids(&by_group, &stored::group_prefix(g), after, Order::Descending)?);
    }
    let (posts_t, counts_t, likes_t) = (tx.table(&POSTS)?, tx.table(&POST_COUNTS)?, tx.table(&LIKES)?);
    let visit = |id: u64| -> Result<Step<PostView>, StoreError> {
        let Some(p) = stored::get_in(&posts_t, PostId(id))? else { return Ok(Step::Skip) };
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
            return Ok(Step::Skip);
        }
        let counts = stored::counts_in(&counts_t, p.id)?;
        let liked_by_me = stored::likes_in(&likes_t, p.id, user)?;
        let attachments = super::files::visible_attachments(tx, viewer, &p.attachments)?;
        Ok(Step::Take(PostView { post: p, counts, liked_by_me, attachments }))
    };
    Ok(scan(Merge::new(sources)?, limit, BUDGET, visit)?)
}

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
