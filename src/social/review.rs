//! What the moderators read in the admin console: every group, post and
//! comment (hidden ones too) with who wrote it, where it is and the
//! reports against it, a page at a time, and the queue of what is
//! reported. No access levels apply: the console is for site admins only,
//! and the pages let no one else in. The actions are in `moderation`.
//!
//! Lists are keyset pages like the rest of the console. A filter the
//! indexes cannot answer (words in a text, hidden only, comments of one
//! group) is a scan, bounded: one page looks at no more than [`BUDGET`]
//! rows, and its cursor carries on from the last row looked at, so a
//! search that matches little answers in bounded time with a short page
//! and a "next page" rather than reading every table on one request.

use crate::clock::Timestamp;
use crate::ids::{CommentId, GroupId, PostId, ReportId, UserId};
use crate::store::page::{Order, Page};
use crate::store::schema::{COMMENTS, GROUPS, OPEN_REPORTS, POSTS, POSTS_BY_GROUP};
use crate::store::social::comments::{self, Comment};
use crate::store::social::groups::{self, Group};
use crate::store::social::posts::{self, Post};
use crate::store::social::reports::{self, Report, Target};
use crate::store::social::{Access, Step, index_ids, scan, table_ids};
use crate::store::{StoreError, Tables, users};
use std::collections::HashMap;

/// The most rows one page of a filtered list looks at.
pub const BUDGET: usize = 2_000;

/// The most reports a row of the content list carries.
pub const REPORTS_PER_ROW: usize = 10;

/// Names read once per page: members by id, groups by id, posts by id.
#[derive(Default)]
struct Names {
    users: HashMap<UserId, Option<String>>,
    groups: HashMap<GroupId, Option<Group>>,
    posts: HashMap<PostId, Option<Post>>,
}

impl Names {
    fn user(&mut self, tx: &impl Tables, id: UserId) -> Result<Option<String>, StoreError> {
        if let Some(u) = self.users.get(&id) {
            return Ok(u.clone());
        }
        let name = users::get(tx, id)?.map(|u| u.username);
        self.users.insert(id, name.clone());
        Ok(name)
    }

    fn group(&mut self, tx: &impl Tables, id: GroupId) -> Result<Option<Group>, StoreError> {
        if let Some(g) = self.groups.get(&id) {
            return Ok(g.clone());
        }
        let g = groups::get(tx, id)?;
        self.groups.insert(id, g.clone());
        Ok(g)
    }

    fn post(&mut self, tx: &impl Tables, id: PostId) -> Result<Option<Post>, StoreError> {
        if let Some(p) = self.posts.get(&id) {
            return Ok(p.clone());
        }
        let p = posts::get(tx, id)?;
        self.posts.insert(id, p.clone());
        Ok(p)
    }
}

fn contains(hay: &str, needle_lower: &str) -> bool {
    hay.to_lowercase().contains(needle_lower)
}

/// Lower-cased, or `None` when empty.
fn words(q: Option<&str>) -> Option<String> {
    q.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty())
}

// ---------------------------------------------------------------- groups

/// The filters of the groups list.
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    /// Words in the name or the description.
    pub q: Option<String>,
    pub hidden_only: bool,
}

/// A group as the console lists it.
#[derive(Debug, Clone)]
pub struct GroupRow {
    pub group: Group,
    pub members: u64,
    /// Its creator's username (`None`: the member was deleted).
    pub creator: Option<String>,
}

/// A page of groups, oldest first (`Ascending`) or newest first; the cursor
/// is the last group id looked at (8 bytes).
pub fn groups(
    tx: &impl Tables,
    f: &GroupFilter,
    after: Option<&[u8]>,
    limit: usize,
    order: Order,
) -> Result<Page<GroupRow>, StoreError> {
    let q = words(f.q.as_deref());
    let mut names = Names::default();
    let t = tx.table(&GROUPS)?;
    // Without a filter every row is taken, and the scan is a plain page.
    scan(table_ids(&t, crate::store::social::cursor_id(after), order)?, limit, BUDGET, |id| {
        let Some(g) = groups::get(tx, GroupId(id))? else { return Ok(Step::Skip) };
        let keep = (!f.hidden_only || g.hidden)
            && q.as_deref().is_none_or(|q| contains(&g.name, q) || contains(&g.description, q));
        if !keep {
            return Ok(Step::Skip);
        }
        Ok(Step::Take(group_row(tx, &mut names, g)?))
    })
}

fn group_row(tx: &impl Tables, names: &mut Names, group: Group) -> Result<GroupRow, StoreError> {
    let members = groups::counts(tx, group.id)?.members;
    let creator = names.user(tx, group.created_by)?;
    Ok(GroupRow { group, members, creator })
}

/// A group and what deleting it removes.
#[derive(Debug, Clone)]
pub struct GroupContents {
    pub row: GroupRow,
    pub posts: usize,
    pub comments: u64,
}

pub fn group(tx: &impl Tables, id: GroupId) -> Result<Option<GroupContents>, StoreError> {
    let Some(g) = groups::get(tx, id)? else { return Ok(None) };
    let ids = posts::ids_in_group(tx, id)?;
    let mut comments = 0;
    for p in &ids {
        comments += posts::counts(tx, *p)?.comments;
    }
    let row = group_row(tx, &mut Names::default(), g)?;
    Ok(Some(GroupContents { row, posts: ids.len(), comments }))
}

/// Groups to choose from in the content list's filter: the first `limit`
/// by id (the select box stays small however many groups there are; the
/// groups list links to each group's content too), then by name.
pub fn group_choices(tx: &impl Tables, limit: usize) -> Result<Vec<Group>, StoreError> {
    let t = tx.table(&GROUPS)?;
    let mut out = vec![];
    for id in table_ids(&t, None, Order::Ascending)?.take(limit) {
        out.extend(groups::get(tx, GroupId(id?))?);
    }
    out.sort_by_key(|g| g.name.to_lowercase());
    Ok(out)
}

// ---------------------------------------------------------------- content

/// Which kinds of content a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kinds {
    #[default]
    Both,
    Posts,
    Comments,
}

impl Kinds {
    fn allows(self, t: Target) -> bool {
        matches!((self, t), (Kinds::Both, _) | (Kinds::Posts, Target::Post(_)) | (Kinds::Comments, Target::Comment(_)))
    }
}

/// Which content a list shows by its moderation state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum State {
    #[default]
    All,
    /// Hidden by a moderator.
    Hidden,
    /// With an open report: the moderators' queue.
    Reported,
}

/// Where the content is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Place {
    #[default]
    Any,
    /// On members' own streams, in no group.
    OwnStreams,
    Group(GroupId),
}

#[derive(Debug, Clone, Default)]
pub struct ContentFilter {
    pub kinds: Kinds,
    pub state: State,
    pub place: Place,
    /// Words in a post's title or body, or a comment's body.
    pub q: Option<String>,
}

impl ContentFilter {
    /// Whether `c` can be a cursor of this list: the queue's is a report id
    /// (8 bytes), the others' a post id and a comment id (16).
    pub fn fits(&self, c: &[u8]) -> bool {
        c.len() == if self.state == State::Reported { 8 } else { 16 }
    }
}

#[derive(Debug, Clone)]
pub enum Content {
    Post(Post),
    Comment(Comment),
}

impl Content {
    pub fn target(&self) -> Target {
        match self {
            Content::Post(p) => Target::Post(p.id),
            Content::Comment(c) => Target::Comment(c.id),
        }
    }

    pub fn created_at(&self) -> Timestamp {
        match self {
            Content::Post(p) => p.created_at,
            Content::Comment(c) => c.created_at,
        }
    }

    pub fn hidden(&self) -> bool {
        match self {
            Content::Post(p) => p.hidden,
            Content::Comment(c) => c.hidden,
        }
    }

    pub fn author(&self) -> UserId {
        match self {
            Content::Post(p) => p.author,
            Content::Comment(c) => c.author,
        }
    }
}

/// A report with its reporter's username (`None`: the member was deleted).
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub report: Report,
    pub reporter: Option<String>,
}

/// A post or comment as the console lists it.
#[derive(Debug, Clone)]
pub struct ContentRow {
    pub target: Target,
    /// `None`: it was deleted (by its author) after it was reported.
    pub content: Option<Content>,
    pub author: Option<String>,
    /// For a comment, its post.
    pub post: Option<Post>,
    /// The group it is in; `None` on a member's own stream.
    pub group: Option<Group>,
    /// Who may see it: a post's level, or a comment's post's.
    pub access: Option<Access>,
    /// A post's comments, or a top-level comment's replies.
    pub comments: u64,
    /// Open reports first, each part newest first; at most
    /// [`REPORTS_PER_ROW`].
    pub reports: Vec<ReportRow>,
}

impl ContentRow {
    pub fn open_reports(&self) -> usize {
        self.reports.iter().filter(|r| r.report.resolved_at.is_none()).count()
    }
}

fn load(tx: &impl Tables, names: &mut Names, t: Target) -> Result<Option<Content>, StoreError> {
    Ok(match t {
        Target::Post(id) => names.post(tx, id)?.map(Content::Post),
        Target::Comment(id) => comments::get(tx, id)?.map(Content::Comment),
    })
}

/// The group a post or comment is in (through a comment's post).
fn group_of(tx: &impl Tables, names: &mut Names, c: &Content) -> Result<Option<GroupId>, StoreError> {
    Ok(match c {
        Content::Post(p) => p.group,
        Content::Comment(c) => names.post(tx, c.post)?.and_then(|p| p.group),
    })
}

/// Whether `c` passes the filter's place and words (and, outside the
/// queue, its state).
fn matches(
    tx: &impl Tables,
    names: &mut Names,
    f: &ContentFilter,
    q: Option<&str>,
    c: &Content,
) -> Result<bool, StoreError> {
    if f.state == State::Hidden && !c.hidden() {
        return Ok(false);
    }
    let words_ok = q.is_none_or(|q| match c {
        Content::Post(p) => contains(&p.title, q) || contains(&p.body, q),
        Content::Comment(c) => contains(&c.body, q),
    });
    if !words_ok {
        return Ok(false);
    }
    Ok(match f.place {
        Place::Any => true,
        Place::OwnStreams => group_of(tx, names, c)?.is_none(),
        Place::Group(g) => group_of(tx, names, c)? == Some(g),
    })
}

fn row(
    tx: &impl Tables,
    names: &mut Names,
    target: Target,
    content: Option<Content>,
) -> Result<ContentRow, StoreError> {
    let mut reports: Vec<ReportRow> = vec![];
    for r in reports::for_target(tx, target, REPORTS_PER_ROW)? {
        let reporter = names.user(tx, r.reporter)?;
        reports.push(ReportRow { report: r, reporter });
    }
    reports.sort_by_key(|r| r.report.resolved_at.is_some());
    let mut out =
        ContentRow { target, content: None, author: None, post: None, group: None, access: None, comments: 0, reports };
    let Some(c) = content else { return Ok(out) };
    out.author = names.user(tx, c.author())?;
    match &c {
        Content::Post(p) => {
            out.access = Some(p.access);
            out.comments = posts::counts(tx, p.id)?.comments;
        }
        Content::Comment(cm) => {
            out.post = names.post(tx, cm.post)?;
            out.access = out.post.as_ref().map(|p| p.access);
            if cm.parent.is_none() {
                out.comments =
                    comments::of_post(tx, cm.post)?.iter().filter(|r| r.parent == Some(cm.id)).count() as u64;
            }
        }
    }
    if let Some(g) = group_of(tx, names, &c)? {
        out.group = names.group(tx, g)?;
    }
    out.content = Some(c);
    Ok(out)
}

/// One post or comment with its place and reports, or `None` when there
/// is no such thing (for the delete confirmation).
pub fn content(tx: &impl Tables, target: Target) -> Result<Option<ContentRow>, StoreError> {
    let mut names = Names::default();
    match load(tx, &mut names, target)? {
        Some(c) => Ok(Some(row(tx, &mut names, target, Some(c))?)),
        None => Ok(None),
    }
}

/// A page of content: the queue (`State::Reported`: each reported post or
/// comment once, at its newest open report, newest report first with
/// `Descending`), or posts and comments together by date, newest first
/// with `Descending`.
pub fn content_page(
    tx: &impl Tables,
    f: &ContentFilter,
    after: Option<&[u8]>,
    limit: usize,
    order: Order,
) -> Result<Page<ContentRow>, StoreError> {
    if f.state == State::Reported { queue(tx, f, after, limit, order) } else { by_date(tx, f, after, limit, order) }
}

fn queue(
    tx: &impl Tables,
    f: &ContentFilter,
    after: Option<&[u8]>,
    limit: usize,
    order: Order,
) -> Result<Page<ContentRow>, StoreError> {
    let q = words(f.q.as_deref());
    let mut names = Names::default();
    let t = tx.table(&OPEN_REPORTS)?;
    scan(table_ids(&t, crate::store::social::cursor_id(after), order)?, limit, BUDGET, |id| {
        let Some(target) = reports::open_target(tx, ReportId(id))? else { return Ok(Step::Skip) };
        // A post reported three times is one row, at its newest open report,
        // so that it is neither repeated on the next page nor skipped.
        if !f.kinds.allows(target) || reports::open_after(tx, target, ReportId(id))? {
            return Ok(Step::Skip);
        }
        let content = load(tx, &mut names, target)?;
        let keep = match &content {
            Some(c) => matches(tx, &mut names, f, q.as_deref(), c)?,
            // Deleted by its author since: listed (so its reports can be
            // dismissed) unless the filter asks about a place or words.
            None => f.place == Place::Any && q.is_none(),
        };
        Ok(if keep { Step::Take(row(tx, &mut names, target, content)?) } else { Step::Skip })
    })
}

/// One table's ids read in order, with the record at its head loaded.
struct Stream<'t> {
    ids: Box<dyn Iterator<Item = Result<u64, StoreError>> + 't>,
    head: Option<Content>,
    /// The last id taken from this stream; 0 before the first.
    last: u64,
}

impl<'t> Stream<'t> {
    fn empty() -> Stream<'t> {
        Stream { ids: Box::new(std::iter::empty()), head: None, last: 0 }
    }

    /// Loads the next record when there is none at the head; rows that
    /// vanished from under an index are passed over.
    fn fill(&mut self, mut load: impl FnMut(u64) -> Result<Option<Content>, StoreError>) -> Result<(), StoreError> {
        while self.head.is_none() {
            let Some(id) = self.ids.next() else { return Ok(()) };
            let id = id?;
            match load(id)? {
                Some(c) => self.head = Some(c),
                None => self.last = id,
            }
        }
        Ok(())
    }

    fn take(&mut self) -> Option<Content> {
        let c = self.head.take()?;
        self.last = match &c {
            Content::Post(p) => p.id.0,
            Content::Comment(c) => c.id.0,
        };
        Some(c)
    }
}

/// Posts and comments merged by date. Each table is read in id order
/// (which is the order they were written in), and the cursor holds the
/// last id taken from each, so a page resumes both where they were.
fn by_date(
    tx: &impl Tables,
    f: &ContentFilter,
    after: Option<&[u8]>,
    limit: usize,
    order: Order,
) -> Result<Page<ContentRow>, StoreError> {
    let q = words(f.q.as_deref());
    let mut names = Names::default();
    let (post_after, comment_after) = match after {
        Some(a) if a.len() == 16 => {
            (crate::store::key::u64_at(a, 0).filter(|n| *n > 0), crate::store::key::u64_at(a, 8).filter(|n| *n > 0))
        }
        _ => (None, None),
    };
    let (by_group, all_posts, all_comments) = (tx.table(&POSTS_BY_GROUP)?, tx.table(&POSTS)?, tx.table(&COMMENTS)?);
    let mut post_stream = match (f.kinds, f.place) {
        (Kinds::Comments, _) => Stream::empty(),
        // A group's posts have an index; the rest is a bounded scan.
        (_, Place::Group(g)) => Stream {
            ids: index_ids(&by_group, &posts::group_prefix(g), post_after, order)?,
            head: None,
            last: post_after.unwrap_or(0),
        },
        _ => Stream { ids: table_ids(&all_posts, post_after, order)?, head: None, last: post_after.unwrap_or(0) },
    };
    let mut comment_stream = match f.kinds {
        Kinds::Posts => Stream::empty(),
        _ => Stream {
            ids: table_ids(&all_comments, comment_after, order)?,
            head: None,
            last: comment_after.unwrap_or(0),
        },
    };
    let mut items = vec![];
    let mut looked = 0;
    loop {
        post_stream.fill(|id| Ok(posts::get(tx, PostId(id))?.map(Content::Post)))?;
        comment_stream.fill(|id| Ok(comments::get(tx, CommentId(id))?.map(Content::Comment)))?;
        let take_post = match (&post_stream.head, &comment_stream.head) {
            (None, None) => return Ok(Page { items, next: None }),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(p), Some(c)) => match order {
                Order::Descending => p.created_at() >= c.created_at(),
                Order::Ascending => p.created_at() <= c.created_at(),
            },
        };
        if items.len() == limit || looked == BUDGET {
            let mut next = post_stream.last.to_be_bytes().to_vec();
            next.extend_from_slice(&comment_stream.last.to_be_bytes());
            return Ok(Page { items, next: Some(next) });
        }
        let stream = if take_post { &mut post_stream } else { &mut comment_stream };
        let Some(c) = stream.take() else { continue };
        looked += 1;
        if matches(tx, &mut names, f, q.as_deref(), &c)? {
            items.push(row(tx, &mut names, c.target(), Some(c))?);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::social::groups::Joining;
    use crate::store::social::posts::Kind;

    fn post(group: Option<GroupId>, body: &str, at: Timestamp) -> Post {
        Post {
            id: PostId(0),
            group,
            author: UserId(1),
            kind: Kind::Status,
            title: String::new(),
            body: body.into(),
            tags: vec![],
            access: Access::Members,
            created_at: at,
            updated_at: at,
            hidden: false,
            attachments: vec![],
            shared: None,
            revision: 0,
        }
    }

    fn comment(p: PostId, body: &str, at: Timestamp) -> Comment {
        Comment {
            id: CommentId(0),
            post: p,
            parent: None,
            author: UserId(1),
            body: body.into(),
            created_at: at,
            updated_at: at,
            hidden: false,
            revision: 0,
        }
    }

    fn bodies(p: &Page<ContentRow>) -> Vec<String> {
        p.items
            .iter()
            .map(|r| match &r.content {
                Some(Content::Post(p)) => p.body.clone(),
                Some(Content::Comment(c)) => c.body.clone(),
                None => "(gone)".into(),
            })
            .collect()
    }

    /// Every page of a list, following its cursors.
    fn all(store: &Store, f: &ContentFilter, limit: usize, order: Order) -> Vec<String> {
        let mut out = vec![];
        let mut after: Option<Vec<u8>> = None;
        loop {
            let p = store.read(|tx| content_page(tx, f, after.as_deref(), limit, order)).unwrap();
            out.extend(bodies(&p));
            match p.next {
                Some(n) => after = Some(n),
                None => return out,
            }
        }
    }

    #[test]
    fn posts_and_comments_merge_by_date_across_pages_and_filters_apply() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store
            .write_blocking(|tx| {
                let g = groups::insert(
                    tx,
                    Group {
                        id: GroupId(0),
                        name: "Gardeners".into(),
                        description: "Soil".into(),
                        membership: Joining::Open,
                        access: Access::Public,
                        created_by: UserId(1),
                        created_at: 1,
                        updated_at: 1,
                        hidden: false,
                        revision: 0,
                    },
                )?;
                let p1 = posts::insert(tx, post(Some(g.id), "p1 roses", 10))?;
                comments::insert(tx, comment(p1.id, "c1 thorns", 11))?;
                let p2 = posts::insert(tx, post(None, "p2 own", 12))?;
                let mut c2 = comments::insert(tx, comment(p2.id, "c2 roses too", 13))?;
                c2.hidden = true;
                comments::put(tx, &mut c2)?;
                posts::insert(tx, post(Some(g.id), "p3 tulips", 14))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let everything = ContentFilter::default();
        let newest = ["p3 tulips", "c2 roses too", "p2 own", "c1 thorns", "p1 roses"];
        for limit in [1, 2, 10] {
            assert_eq!(all(&store, &everything, limit, Order::Descending), newest, "limit {limit}");
            let mut oldest = newest.to_vec();
            oldest.reverse();
            assert_eq!(all(&store, &everything, limit, Order::Ascending), oldest, "limit {limit}");
        }
        let f = |kinds, state, place, q: &str| ContentFilter { kinds, state, place, q: Some(q.to_string()) };
        let d = |f: ContentFilter| all(&store, &f, 2, Order::Descending);
        assert_eq!(d(f(Kinds::Both, State::All, Place::Any, "ROSES")), ["c2 roses too", "p1 roses"]);
        assert_eq!(d(f(Kinds::Posts, State::All, Place::Any, "")), ["p3 tulips", "p2 own", "p1 roses"]);
        assert_eq!(d(f(Kinds::Comments, State::All, Place::Any, "")), ["c2 roses too", "c1 thorns"]);
        assert_eq!(d(f(Kinds::Both, State::Hidden, Place::Any, "")), ["c2 roses too"]);
        assert_eq!(d(f(Kinds::Both, State::All, Place::OwnStreams, "")), ["c2 roses too", "p2 own"]);
        assert_eq!(d(f(Kinds::Both, State::All, Place::Group(GroupId(1)), "")), ["p3 tulips", "c1 thorns", "p1 roses"]);
        let cursor = store.read(|tx| content_page(tx, &everything, None, 1, Order::Descending)).unwrap().next;
        assert!(everything.fits(cursor.as_deref().unwrap()));
        assert!(!ContentFilter { state: State::Reported, ..Default::default() }.fits(cursor.as_deref().unwrap()));
    }

    #[test]
    fn the_queue_lists_each_reported_item_once_at_its_newest_open_report() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let report = |t: Target, who: u64| Report {
            id: ReportId(0),
            target: t,
            reporter: UserId(who),
            reason: format!("by {who}"),
            created_at: 20,
            resolved_at: None,
            revision: 0,
        };
        store
            .write_blocking(move |tx| {
                let a = posts::insert(tx, post(None, "a", 10))?;
                let b = posts::insert(tx, post(None, "b", 11))?;
                let c = comments::insert(tx, comment(a.id, "c", 12))?;
                reports::insert(tx, report(Target::Post(a.id), 2))?;
                reports::insert(tx, report(Target::Post(b.id), 2))?;
                reports::insert(tx, report(Target::Comment(c.id), 2))?;
                reports::insert(tx, report(Target::Post(a.id), 3))?;
                reports::insert(tx, report(Target::Post(PostId(99)), 3))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let queue = ContentFilter { state: State::Reported, ..Default::default() };
        for limit in [1, 3, 10] {
            assert_eq!(all(&store, &queue, limit, Order::Descending), ["(gone)", "a", "c", "b"], "limit {limit}");
            assert_eq!(all(&store, &queue, limit, Order::Ascending), ["b", "c", "a", "(gone)"], "limit {limit}");
        }
        let posts_only = ContentFilter { kinds: Kinds::Posts, q: Some("a".into()), ..queue.clone() };
        let p = store.read(|tx| content_page(tx, &posts_only, None, 10, Order::Descending)).unwrap();
        assert_eq!(bodies(&p), ["a"]);
        let reasons: Vec<_> = p.items[0].reports.iter().map(|r| r.report.reason.as_str()).collect();
        assert_eq!(reasons, ["by 3", "by 2"]);
        assert_eq!(p.items[0].open_reports(), 2);
    }
}
