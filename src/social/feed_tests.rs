//! The feed against a brute-force model of the access rules, over random
//! communities: members, open and closed groups (some hidden) with members
//! and requests, friendships and requests, posts at every level on streams
//! and in groups, shares (some of posts since deleted), hidden posts, and
//! the groups' activity: new posts (never in the feed as activity),
//! comments (some hidden or deleted, on posts some of which the member may
//! not see or which are gone), joins, and entries about events and files
//! since deleted; times that sometimes tie. The model is written here from
//! the rules as documented, not from the code.

use super::*;
use crate::ids::{ActivityId, CommentId, EventId, FileId};
use crate::store::Store;
use crate::store::social::Access;
use crate::store::social::activity::insert as insert_entry;
use crate::store::social::comments::{self, Comment};
use crate::store::social::groups::{Joining, Role, State};
use crate::store::social::posts::{Kind, Post};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};

/// One random community, as the model sees it.
#[derive(Default)]
struct Community {
    users: Vec<UserId>,
    hidden_groups: BTreeSet<GroupId>,
    members: BTreeSet<(UserId, GroupId)>,
    friends: BTreeSet<(UserId, UserId)>,
    posts: BTreeMap<PostId, Post>,
    /// Every activity entry, in id order.
    entries: Vec<Activity>,
    /// The comments not deleted.
    comments: BTreeMap<CommentId, Comment>,
}

/// A feed item as the model names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Post(PostId),
    Entry(ActivityId),
}

fn seen(i: &Item) -> Seen {
    match i {
        Item::Post(p) => Seen::Post(p.post.id),
        Item::Activity(a) => Seen::Entry(a.id),
    }
}

impl Community {
    fn friends(&self, a: UserId, b: UserId) -> bool {
        self.friends.contains(&(a, b))
    }

    /// The levels alone, for a member (`Some`) or an application (`None`).
    fn sees_one(&self, v: Option<UserId>, p: &Post) -> bool {
        if p.hidden || p.group.is_some_and(|g| self.hidden_groups.contains(&g)) {
            return false;
        }
        let Some(v) = v else { return p.access == Access::Public };
        if p.author == v {
            return true;
        }
        match p.access {
            Access::Public | Access::Members => true,
            Access::Friends => self.friends(v, p.author),
            Access::Group => p.group.is_some_and(|g| self.members.contains(&(v, g))),
            Access::Private => false,
        }
    }

    /// A share also needs its original, unless the viewer wrote the share.
    fn sees(&self, v: Option<UserId>, p: &Post) -> bool {
        self.sees_one(v, p)
            && match p.shared {
                None => true,
                Some(_) if v == Some(p.author) => true,
                Some(o) => self.posts.get(&o).is_some_and(|o| self.sees_one(v, o)),
            }
    }

    /// Whether member `v` of the entry's group sees it in the feed.
    fn sees_entry(&self, v: UserId, a: &Activity) -> bool {
        if self.hidden_groups.contains(&a.group) {
            return false;
        }
        match a.what {
            What::PostCreated => false,
            What::MemberJoined => true,
            What::CommentAdded => a
                .comment
                .and_then(|c| self.comments.get(&c))
                .is_some_and(|c| !c.hidden && self.posts.get(&c.post).is_some_and(|p| self.sees_one(Some(v), p))),
            // Their events and files are gone.
            _ => false,
        }
    }

    /// The feed newest first: by time, then posts before activity, then id.
    fn feed(&self, v: UserId, only: Only) -> Vec<Seen> {
        let mut all: Vec<(Timestamp, u8, u64, Seen)> = vec![];
        if only != Only::Activity {
            let posts = self.posts.values().filter(|p| {
                p.author == v || self.friends(v, p.author) || p.group.is_some_and(|g| self.members.contains(&(v, g)))
            });
            for p in posts.filter(|p| self.sees(Some(v), p)) {
                all.push((p.created_at, 1, p.id.0, Seen::Post(p.id)));
            }
        }
        if only != Only::Posts {
            let entries = self.entries.iter().filter(|a| self.members.contains(&(v, a.group)));
            for a in entries.filter(|a| self.sees_entry(v, a)) {
                all.push((a.at, 0, a.id.0, Seen::Entry(a.id)));
            }
        }
        all.sort_by_key(|&(at, rank, id, _)| (at, rank, id));
        all.into_iter().rev().map(|(.., s)| s).collect()
    }
}

fn pick<T: Copy>(rng: &mut StdRng, from: &[T]) -> T {
    from[rng.random_range(0..from.len())]
}

/// Builds a random community in the store, and its model.
fn community(store: &Store, rng: &mut StdRng) -> Community {
    let n_users = rng.random_range(2..8u64);
    let n_groups = rng.random_range(0..4u64);
    let n_posts = rng.random_range(0..40usize);
    let mut c = Community { users: (1..=n_users).map(UserId).collect(), ..Default::default() };
    let mut groups = vec![];
    for _ in 0..n_groups {
        let hidden = rng.random_bool(0.15);
        let g = Group {
            id: GroupId(0),
            name: "g".into(),
            description: String::new(),
            membership: if rng.random_bool(0.5) { Joining::Open } else { Joining::Closed },
            access: if rng.random_bool(0.5) { Access::Public } else { Access::Members },
            created_by: UserId(1),
            created_at: 0,
            updated_at: 0,
            hidden,
            revision: 0,
        };
        let g = store.write_blocking(move |tx| groups::insert(tx, g.clone())).unwrap();
        if hidden {
            c.hidden_groups.insert(g.id);
        }
        groups.push(g.id);
    }
    let mut memberships = vec![];
    for &u in &c.users {
        for &g in &groups {
            let state = match rng.random_range(0..3) {
                0 => continue,
                1 => State::Requested,
                _ => State::Member,
            };
            if state == State::Member {
                c.members.insert((u, g));
            }
            memberships.push(Membership { group: g, user: u, role: Role::Member, state, joined_at: 0, read_mark: 0 });
        }
    }
    let mut pairs = vec![];
    for (i, &a) in c.users.iter().enumerate() {
        for &b in &c.users[i + 1..] {
            match rng.random_range(0..4) {
                0 => pairs.push((a, b, true)),
                1 => pairs.push((a, b, false)),
                2 => pairs.push((b, a, false)),
                _ => {}
            }
        }
    }
    for &(a, b, friends) in &pairs {
        if friends {
            c.friends.insert((a, b));
            c.friends.insert((b, a));
        }
    }
    let mut posts: Vec<Post> = vec![];
    let mut deleted = vec![];
    // One clock for posts and activity; sometimes it does not move.
    let mut now: Timestamp = 0;
    let mut entries: Vec<Activity> = vec![];
    let mut comments_made: Vec<(Comment, u8)> = vec![];
    let entry = |group: GroupId, what: What, actor: UserId, at: Timestamp| Activity {
        id: ActivityId(0),
        group,
        what,
        actor,
        post: None,
        comment: None,
        at,
        event: None,
        file: None,
    };
    for i in 0..n_posts {
        now += rng.random_range(0..2);
        // Some activity before each post, in groups with members.
        for _ in 0..rng.random_range(0..3) {
            if groups.is_empty() {
                break;
            }
            now += rng.random_range(0..2);
            let g = pick(rng, &groups);
            let actor = pick(rng, &c.users);
            let in_g: Vec<&Post> = posts.iter().filter(|p| p.group == Some(g)).collect();
            let mut a = entry(g, What::MemberJoined, actor, now);
            match rng.random_range(0..5) {
                0 if !in_g.is_empty() => {
                    let p = in_g[rng.random_range(0..in_g.len())];
                    a.what = What::CommentAdded;
                    a.post = Some(p.id);
                    a.comment = Some(CommentId(comments_made.len() as u64 + 1));
                    let fate = rng.random_range(0..6); // 0: hidden, 1: deleted
                    comments_made.push((
                        Comment {
                            id: CommentId(0),
                            post: p.id,
                            parent: None,
                            author: actor,
                            body: "c".into(),
                            created_at: now,
                            updated_at: now,
                            hidden: fate == 0,
                            revision: 0,
                        },
                        fate,
                    ));
                }
                1 if !in_g.is_empty() => {
                    // Stands for the post: never shown as activity.
                    a.what = What::PostCreated;
                    a.post = Some(in_g[rng.random_range(0..in_g.len())].id);
                }
                2 => {
                    a.what = pick(rng, &[What::EventCreated, What::Enrolled, What::Unenrolled]);
                    a.event = Some(EventId(rng.random_range(1..5)));
                }
                3 => {
                    a.what = What::FileUploaded;
                    a.file = Some(FileId(rng.random_range(1..5)));
                }
                _ => {}
            }
            a.id = ActivityId(entries.len() as u64 + 1);
            entries.push(a);
        }
        let author = pick(rng, &c.users);
        let share = !posts.is_empty() && rng.random_bool(0.25);
        let group = if share || groups.is_empty() || rng.random_bool(0.4) { None } else { Some(pick(rng, &groups)) };
        let access = if group.is_some() {
            pick(rng, &[Access::Public, Access::Members, Access::Group, Access::Private])
        } else {
            pick(rng, &[Access::Public, Access::Members, Access::Friends, Access::Private])
        };
        let shared = share.then(|| {
            let o = &posts[rng.random_range(0..posts.len())];
            o.shared.unwrap_or(o.id)
        });
        posts.push(Post {
            id: PostId(i as u64 + 1),
            group,
            author,
            kind: Kind::Status,
            title: String::new(),
            body: "b".into(),
            tags: vec![],
            access,
            created_at: now,
            updated_at: now,
            hidden: rng.random_bool(0.1),
            attachments: vec![],
            shared,
            revision: 0,
        });
        if rng.random_bool(0.1) {
            deleted.push(PostId(i as u64 + 1));
        }
    }
    let to_store = posts.clone();
    let gone = deleted.clone();
    let entries_to_store = entries.clone();
    let comments_to_store = comments_made.clone();
    store
        .write_blocking(move |tx| {
            for m in &memberships {
                groups::put_membership(tx, m)?;
            }
            for &(a, b, friends) in &pairs {
                if friends {
                    friends::befriend(tx, a, b, 1)?;
                } else {
                    friends::request(tx, a, b, 1)?;
                }
            }
            for p in &to_store {
                assert_eq!(stored::insert(tx, p.clone())?.id, p.id, "ids are given in order");
            }
            for (com, fate) in &comments_to_store {
                let com = comments::insert(tx, com.clone())?;
                if *fate == 1 {
                    comments::delete(tx, &com)?;
                }
            }
            for a in &entries_to_store {
                assert_eq!(insert_entry(tx, a.clone())?.id, a.id, "ids are given in order");
            }
            for id in &gone {
                stored::delete(tx, *id)?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    for p in posts {
        if !deleted.contains(&p.id) {
            c.posts.insert(p.id, p);
        }
    }
    for (i, (mut com, fate)) in comments_made.into_iter().enumerate() {
        com.id = CommentId(i as u64 + 1);
        if fate != 1 {
            c.comments.insert(com.id, com);
        }
    }
    c.entries = entries;
    c
}

/// Every page of a member's feed, `limit` at a time.
fn read_feed(store: &Store, user: UserId, only: Only, limit: usize) -> Vec<Seen> {
    let mut out = vec![];
    let mut at = Cursor::START;
    loop {
        let p = store.read(|tx| Ok(feed(tx, user, at, only, limit))).unwrap().unwrap();
        assert!(p.items.len() <= limit);
        out.extend(p.items.iter().map(seen));
        match p.next {
            Some(n) => at = Cursor::decode(&n).expect("the feed's own cursor"),
            None => return out,
        }
    }
}

#[test]
fn the_feed_shows_exactly_what_the_model_allows() {
    for seed in 0..60u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let c = community(&store, &mut rng);
        for &u in &c.users {
            for only in [Only::All, Only::Posts, Only::Activity] {
                let limit = rng.random_range(1..8usize);
                let want = c.feed(u, only);
                assert_eq!(
                    read_feed(&store, u, only, limit),
                    want,
                    "seed {seed}, member {u:?}, {only:?}, limit {limit}"
                );
            }
        }
        // The same rule answers a single post, for members and applications.
        let viewers = c.users.iter().map(|u| Some(*u)).chain([None]);
        for v in viewers {
            let viewer = Viewer { user: v };
            for p in c.posts.values() {
                let got = store.read(|tx| Ok(super::super::posts::get(tx, p.id, viewer).is_ok())).unwrap();
                assert_eq!(got, c.sees(v, p), "seed {seed}, viewer {v:?}, post {p:?}");
            }
        }
    }
}

#[test]
fn a_page_stops_at_its_budget_and_goes_on_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    let (ada, bob) = (UserId(1), UserId(2));
    let total = BUDGET + 5;
    store
        .write_blocking(move |tx| {
            friends::befriend(tx, ada, bob, 1)?;
            for i in 0..total {
                // Bob's private posts: looked at, never shown, but the first.
                let access = if i == 0 { Access::Members } else { Access::Private };
                stored::insert(
                    tx,
                    Post {
                        id: PostId(0),
                        group: None,
                        author: bob,
                        kind: Kind::Status,
                        title: String::new(),
                        body: "b".into(),
                        tags: vec![],
                        access,
                        created_at: 0,
                        updated_at: 0,
                        hidden: false,
                        attachments: vec![],
                        shared: None,
                        revision: 0,
                    },
                )?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let p = store.read(|tx| Ok(feed(tx, ada, Cursor::START, Only::All, 20))).unwrap().unwrap();
    assert!(p.items.is_empty(), "nothing visible within the budget");
    let next = Cursor::decode(p.next.as_deref().unwrap()).unwrap();
    assert_eq!(next.posts, (total - BUDGET + 1) as u64, "the cursor is the last post looked at");
    assert_eq!(next.activity, u64::MAX, "no activity looked at yet");
    let p = store.read(|tx| Ok(feed(tx, ada, next, Only::All, 20))).unwrap().unwrap();
    assert_eq!(p.items.iter().map(seen).collect::<Vec<_>>(), [Seen::Post(PostId(1))]);
    assert_eq!(p.next, None);
}

#[test]
fn cursors_are_read_strictly() {
    let c = Cursor { posts: 7, activity: 0 };
    assert_eq!(Cursor::decode(&c.encode()), Some(c));
    assert_eq!(Cursor::decode(&Cursor::START.encode()), Some(Cursor::START));
    let mut wrong_tag = c.encode();
    wrong_tag[0] = 0;
    assert_eq!(Cursor::decode(&wrong_tag), None);
    assert_eq!(Cursor::decode(&c.encode()[..16]), None, "too short");
    assert_eq!(Cursor::decode(&7u64.to_be_bytes()), None, "a post id alone (the old cursor)");
    assert_eq!(Cursor::decode(&Cursor { posts: 0, activity: 0 }.encode()), None, "nothing left is no cursor");
}

#[test]
fn the_budget_counts_activity_entries_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    let ada = UserId(1);
    let total = BUDGET as u64 + 5;
    store
        .write_blocking(move |tx| {
            let g = Group {
                id: GroupId(0),
                name: "g".into(),
                description: String::new(),
                membership: Joining::Open,
                access: Access::Members,
                created_by: ada,
                created_at: 0,
                updated_at: 0,
                hidden: false,
                revision: 0,
            };
            let g = groups::insert(tx, g)?.id;
            let m = Membership {
                group: g,
                user: ada,
                role: Role::Member,
                state: State::Member,
                joined_at: 0,
                read_mark: 0,
            };
            groups::put_membership(tx, &m)?;
            for i in 1..=total {
                // Comments that are gone: looked at, never shown, but the first entry.
                let (what, comment) =
                    if i == 1 { (What::MemberJoined, None) } else { (What::CommentAdded, Some(CommentId(i))) };
                let a = Activity {
                    id: ActivityId(0),
                    group: g,
                    what,
                    actor: ada,
                    post: None,
                    comment,
                    at: 0,
                    event: None,
                    file: None,
                };
                insert_entry(tx, a)?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let p = store.read(|tx| Ok(feed(tx, ada, Cursor::START, Only::All, 20))).unwrap().unwrap();
    assert!(p.items.is_empty(), "nothing visible within the budget");
    let next = Cursor::decode(p.next.as_deref().unwrap()).unwrap();
    assert_eq!(next.activity, total - BUDGET as u64 + 1, "the cursor is the last entry looked at");
    let p = store.read(|tx| Ok(feed(tx, ada, next, Only::All, 20))).unwrap().unwrap();
    assert_eq!(p.items.iter().map(seen).collect::<Vec<_>>(), [Seen::Entry(ActivityId(1))]);
    assert_eq!(p.next, None);
}
