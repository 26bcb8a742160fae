//! The feed against a brute-force model of the access rules, over random
//! communities: members, open and closed groups (some hidden) with members
//! and requests, friendships and requests, posts at every level on streams
//! and in groups, shares (some of posts since deleted), hidden posts. The
//! model is written here from the rules as documented, not from the code.

use super::*;
use crate::store::Store;
use crate::store::social::Access;
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

    fn feed(&self, v: UserId) -> Vec<PostId> {
        let mut ids: Vec<PostId> = self
            .posts
            .values()
            .filter(|p| {
                p.author == v || self.friends(v, p.author) || p.group.is_some_and(|g| self.members.contains(&(v, g)))
            })
            .filter(|p| self.sees(Some(v), p))
            .map(|p| p.id)
            .collect();
        ids.reverse();
        ids
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
    for i in 0..n_posts {
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
            created_at: i as i64,
            updated_at: i as i64,
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
    c
}

/// Every page of a member's feed, `limit` at a time.
fn read_feed(store: &Store, user: UserId, limit: usize) -> Vec<PostId> {
    let mut out = vec![];
    let mut after = None;
    loop {
        let p = store.read(|tx| Ok(feed(tx, user, after, limit))).unwrap().unwrap();
        assert!(p.items.len() <= limit);
        out.extend(p.items.iter().map(|v| v.post.id));
        match p.next {
            Some(n) => after = crate::store::social::cursor_id(Some(&n)),
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
            let limit = rng.random_range(1..8usize);
            assert_eq!(read_feed(&store, u, limit), c.feed(u), "seed {seed}, member {u:?}, limit {limit}");
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
    let p = store.read(|tx| Ok(feed(tx, ada, None, 20))).unwrap().unwrap();
    assert!(p.items.is_empty(), "nothing visible within the budget");
    let next = crate::store::social::cursor_id(p.next.as_deref()).unwrap();
    assert_eq!(next, (total - BUDGET + 1) as u64, "the cursor is the last post looked at");
    let p = store.read(|tx| Ok(feed(tx, ada, Some(next), 20))).unwrap().unwrap();
    assert_eq!(p.items.iter().map(|v| v.post.id).collect::<Vec<_>>(), [PostId(1)]);
    assert_eq!(p.next, None);
}
