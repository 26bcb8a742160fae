//! Friends, the `friends` access level, the feed and sharing against a real
//! server, every route and refusal through both an OAuth 2.0 bearer token
//! and an OAuth 1.0a signed request; and the feed of a random community,
//! page by page, against a model of who may see what.

use crate::harness::*;
use crate::social::{Community, Cred, R, add_members, call, oauth1_community, oauth2_community};
use serde_json::{Value, json};

fn me(s: &Server, who: &Cred) -> String {
    let r = call(s, who, "GET", "/api/v1/me", None, &[]);
    assert_eq!(r.status, 200, "{r:?}");
    r.body["id"].as_str().unwrap().to_string()
}

fn items(r: &R, field: &str) -> Vec<String> {
    assert_eq!(r.status, 200, "{r:?}");
    r.body["items"].as_array().unwrap().iter().map(|i| i[field].as_str().unwrap().to_string()).collect()
}

/// Every page of a feed (`type` as given, `""` for all), `limit` at a
/// time: the items themselves.
fn feed_items(s: &Server, who: &Cred, kind: &str, limit: usize) -> Vec<Value> {
    let mut out = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/me/feed?limit={limit}&type={kind}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = call(s, who, "GET", &path, None, &[]);
        assert_eq!(r.status, 200, "{r:?}");
        out.extend(r.body["items"].as_array().unwrap().iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
}

/// Every page of a feed's posts, `limit` at a time: their ids.
fn whole_feed(s: &Server, who: &Cred, limit: usize) -> Vec<String> {
    let posts = feed_items(s, who, "post", limit);
    posts.iter().map(|i| i["post"]["id"].as_str().unwrap().to_string()).collect()
}

/// A feed item as `post:ID` or `KIND:ID` (the activity's kind and item).
fn tag(i: &Value) -> String {
    match i["type"].as_str().unwrap() {
        "post" => format!("post:{}", i["post"]["id"].as_str().unwrap()),
        "activity" => {
            let a = &i["activity"];
            let about = ["comment", "event", "file", "post"].iter().find_map(|f| a[f].as_str()).unwrap_or("-");
            format!("{}:{about}", a["kind"].as_str().unwrap())
        }
        t => panic!("unknown item type {t}: {i}"),
    }
}

/// The activity of the member's groups in the feed: comments, joins,
/// events, enrolments and files, each while the member may see it, merged
/// with the posts by time; `?type=` and the cursor checked.
fn activity_in_the_feed(s: &Server, c: &Community) {
    let p = |who: &Cred, m: &str, path: &str, b: Value| call(s, who, m, path, Some(&b), &[]);
    let g = |who: &Cred, path: &str| call(s, who, "GET", path, None, &[]);
    let put = |who: &Cred, path: &str| call(s, who, "PUT", path, None, &[]);
    let del = |who: &Cred, path: &str| call(s, who, "DELETE", path, None, &[]);
    let carol = me(s, &c.carol);
    let makers = p(&c.bob, "POST", "/api/v1/groups", json!({"name": "Makers"})).id();
    assert_eq!(put(&c.carol, &format!("/api/v1/groups/{makers}/members/me")).status, 201);
    let post =
        p(&c.bob, "POST", "/api/v1/posts", json!({"group": makers, "body": "Bench day", "access": "group"})).id();
    let comment = p(&c.carol, "POST", &format!("/api/v1/posts/{post}/comments"), json!({"body": "Count me in"}));
    assert_eq!(comment.status, 201, "{comment:?}");
    let comment = comment.id();
    let ev =
        json!({"group": makers, "title": "Bench day", "start": "2030-05-01T10:00:00Z", "end": "2030-05-01T16:00:00Z"});
    let event = p(&c.bob, "POST", "/api/v1/events", ev);
    assert_eq!(event.status, 201, "{event:?}");
    let event = event.id();
    assert_eq!(put(&c.carol, &format!("/api/v1/events/{event}/enrollments/me")).status, 201);
    let file = crate::files::put_file(s, &c.bob, "plan.txt", b"saw, glue", &[("group", &makers)]);
    assert_eq!(file.status, 201, "{file:?}");
    let file = file.id();

    // Carol's activity: her group's river without the new post, newest first.
    let river = feed_items(s, &c.carol, "activity", 2);
    let tags: Vec<String> = river.iter().map(tag).collect();
    assert_eq!(
        tags[..4],
        [
            format!("file_uploaded:{file}"),
            format!("enrolled:{event}"),
            format!("event_created:{event}"),
            format!("comment_added:{comment}"),
        ],
        "{tags:?}"
    );
    assert!(!tags[4..].is_empty() && tags[4..].iter().all(|t| t == "member_joined:-"), "then the joins: {tags:?}");
    let joined = river[4..].iter().map(|a| a["activity"]["actor"].as_str().unwrap()).collect::<Vec<_>>();
    assert!(joined.contains(&&*carol), "{joined:?}");
    let a = &river[1];
    assert_eq!((a["activity"]["actor"].as_str(), a["activity"]["group"].as_str()), (Some(&*carol), Some(&*makers)));
    assert_eq!(a["at"], a["activity"]["created_at"]);
    // Everything: the posts and the activity, each in its own order, by time.
    let all = feed_items(s, &c.carol, "", 3);
    let only = |t: &str| all.iter().filter(|i| i["type"] == t).map(tag).collect::<Vec<_>>();
    assert_eq!(only("activity"), feed_items(s, &c.carol, "activity", 100).iter().map(tag).collect::<Vec<_>>());
    assert_eq!(only("post"), feed_items(s, &c.carol, "post", 100).iter().map(tag).collect::<Vec<_>>());
    assert!(only("post").contains(&format!("post:{post}")));
    let at: Vec<&str> = all.iter().map(|i| i["at"].as_str().unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] >= w[1]), "newest first: {at:?}");
    assert_eq!(feed_items(s, &c.carol, "", 100), all, "the same whatever the page size");
    // Alice is not in the group: none of it.
    assert!(feed_items(s, &c.alice, "activity", 5).is_empty());
    // Gone or hidden items take their entries with them.
    assert_eq!(del(&c.carol, &format!("/api/v1/comments/{comment}")).status, 204);
    assert_eq!(del(&c.bob, &format!("/api/v1/files/{file}")).status, 204);
    let tags: Vec<String> = feed_items(s, &c.carol, "activity", 100).iter().map(tag).collect();
    assert!(!tags.contains(&format!("comment_added:{comment}")) && !tags.contains(&format!("file_uploaded:{file}")));
    assert!(tags.contains(&format!("event_created:{event}")), "{tags:?}");
    // Bad input: an unknown type, a cursor not of this list.
    let r = g(&c.carol, "/api/v1/me/feed?type=likes");
    assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (422, Some("type")), "{r:?}");
    for cursor in ["AAAAAAAAAAE", "AAAA", "RgAAAAAAAAAAAAAAAAAAAAA"] {
        let r = g(&c.carol, &format!("/api/v1/me/feed?cursor={cursor}"));
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (422, Some("cursor")), "{cursor} {r:?}");
    }
}

fn scenario(s: &Server, c: &Community) {
    let p = |who: &Cred, m: &str, path: &str, b: Value| call(s, who, m, path, Some(&b), &[]);
    let g = |who: &Cred, path: &str| call(s, who, "GET", path, None, &[]);
    let put = |who: &Cred, path: &str| call(s, who, "PUT", path, None, &[]);
    let del = |who: &Cred, path: &str| call(s, who, "DELETE", path, None, &[]);
    let (alice, bob, carol, dave) = (me(s, &c.alice), me(s, &c.bob), me(s, &c.carol), me(s, &c.dave));

    // Alice asks bob; asking again changes nothing.
    let r = put(&c.alice, &format!("/api/v1/users/{bob}/friend"));
    assert_eq!((r.status, r.body["state"].as_str(), r.body["user"].as_str()), (200, Some("requested"), Some(&*bob)));
    assert!(r.body["since"].is_string(), "{r:?}");
    assert_eq!(put(&c.alice, &format!("/api/v1/users/{bob}/friend")).body["state"], "requested");
    let r = g(&c.bob, "/api/v1/me/friend-requests");
    assert_eq!(items(&r, "user"), std::slice::from_ref(&alice));
    assert_eq!(r.body["items"][0]["direction"], "incoming");
    assert_eq!(
        items(&g(&c.alice, "/api/v1/me/friend-requests?direction=outgoing"), "user"),
        std::slice::from_ref(&bob)
    );
    assert!(items(&g(&c.alice, "/api/v1/me/friend-requests"), "user").is_empty());
    let r = g(&c.alice, "/api/v1/me/friend-requests?direction=sideways");
    assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (422, Some("direction")), "{r:?}");
    // Bob accepts by asking back.
    let r = put(&c.bob, &format!("/api/v1/users/{alice}/friend"));
    assert_eq!((r.status, r.body["state"].as_str()), (200, Some("friends")), "{r:?}");
    assert_eq!(put(&c.alice, &format!("/api/v1/users/{bob}/friend")).body["state"], "friends");
    assert_eq!(items(&g(&c.alice, "/api/v1/me/friends"), "user"), std::slice::from_ref(&bob));
    assert_eq!(items(&g(&c.bob, "/api/v1/me/friends"), "user"), std::slice::from_ref(&alice));
    assert!(items(&g(&c.bob, "/api/v1/me/friend-requests"), "user").is_empty());
    // Carol and bob become friends too; dave asks alice, who refuses.
    assert_eq!(put(&c.carol, &format!("/api/v1/users/{bob}/friend")).status, 200);
    assert_eq!(put(&c.bob, &format!("/api/v1/users/{carol}/friend")).body["state"], "friends");
    assert_eq!(put(&c.dave, &format!("/api/v1/users/{alice}/friend")).body["state"], "requested");
    assert_eq!(del(&c.alice, &format!("/api/v1/users/{dave}/friend")).status, 204);
    assert!(items(&g(&c.dave, "/api/v1/me/friend-requests?direction=outgoing"), "user").is_empty());
    assert_eq!(del(&c.alice, &format!("/api/v1/users/{dave}/friend")).status, 204, "nothing left: the same");

    // Refusals: oneself, unknown members, scopes, applications on their own.
    for path in ["/api/v1/users/me/friend".to_string(), format!("/api/v1/users/{alice}/friend")] {
        let r = put(&c.alice, &path);
        assert_eq!((r.status, r.content_type.as_str()), (422, "application/problem+json"), "{r:?}");
    }
    for path in ["/api/v1/users/999999/friend", "/api/v1/users/abc/friend"] {
        assert_eq!(put(&c.alice, path).status, 404, "{path}");
        assert_eq!(del(&c.alice, path).status, 404, "{path}");
    }
    for (m, path) in [
        ("PUT", format!("/api/v1/users/{bob}/friend")),
        ("DELETE", format!("/api/v1/users/{bob}/friend")),
        ("GET", "/api/v1/me/friends".into()),
        ("GET", "/api/v1/me/friend-requests".into()),
        ("GET", "/api/v1/me/feed".into()),
        ("POST", "/api/v1/posts/1/share".into()),
    ] {
        for who in [&c.narrow, &c.app] {
            let r = call(s, who, m, &path, None, &[]);
            assert_eq!((r.status, r.content_type.as_str()), (403, "application/problem+json"), "{m} {path} {r:?}");
        }
    }

    // The `friends` level: alice's friends (bob), not carol, not applications.
    let close = p(&c.alice, "POST", "/api/v1/posts", json!({"body": "Only for friends", "access": "friends"}));
    assert_eq!((close.status, close.body["access"].as_str()), (201, Some("friends")), "{close:?}");
    assert_eq!(close.body["shared"], Value::Null);
    let close = close.id();
    assert_eq!(g(&c.bob, &format!("/api/v1/posts/{close}")).status, 200);
    assert_eq!(g(&c.carol, &format!("/api/v1/posts/{close}")).status, 404);
    assert_eq!(g(&c.app, &format!("/api/v1/posts/{close}")).status, 404);
    assert!(!items(&g(&c.carol, &format!("/api/v1/posts?author={alice}")), "id").contains(&close));
    let club = p(&c.alice, "POST", "/api/v1/groups", json!({"name": "Club"})).id();
    let r = p(&c.alice, "POST", "/api/v1/posts", json!({"group": club, "body": "x", "access": "friends"}));
    assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (422, Some("access")), "{r:?}");
    let in_club = p(&c.alice, "POST", "/api/v1/posts", json!({"group": club, "body": "Club news"})).id();
    let public = p(&c.alice, "POST", "/api/v1/posts", json!({"body": "Hello world", "access": "public"})).id();

    // Shares: default level the original's, never wider; a group post stays put.
    let r = p(&c.bob, "POST", &format!("/api/v1/posts/{close}/share"), json!({"access": "public"}));
    assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (422, Some("access")), "{r:?}");
    let r = call(s, &c.bob, "POST", &format!("/api/v1/posts/{close}/share"), None, &[]);
    assert_eq!((r.status, r.body["access"].as_str()), (201, Some("friends")), "{r:?}");
    assert_eq!((r.body["shared"].as_str(), r.body["body"].as_str()), (Some(&*close), Some("")));
    assert!(r.location.as_deref().unwrap().ends_with(&format!("/api/v1/posts/{}", r.id())));
    assert!(r.etag.is_some());
    let bobs_share = r.id();
    // Carol is bob's friend but not alice's: the share does not show her the original.
    assert_eq!(g(&c.carol, &format!("/api/v1/posts/{bobs_share}")).status, 404);
    assert_eq!(g(&c.alice, &format!("/api/v1/posts/{bobs_share}")).status, 200, "alice is bob's friend");
    assert_eq!(p(&c.carol, "POST", &format!("/api/v1/posts/{close}/share"), json!({})).status, 404);
    assert_eq!(p(&c.alice, "POST", &format!("/api/v1/posts/{in_club}/share"), json!({})).status, 403);
    let r = p(&c.bob, "POST", &format!("/api/v1/posts/{public}/share"), json!({"body": "Look", "access": "members"}));
    assert_eq!((r.status, r.body["body"].as_str(), r.body["access"].as_str()), (201, Some("Look"), Some("members")));
    let bobs_public = r.id();
    // A share of a share shares the original.
    let r = p(&c.carol, "POST", &format!("/api/v1/posts/{bobs_public}/share"), json!({"body": "Again"}));
    assert_eq!((r.status, r.body["shared"].as_str(), r.body["access"].as_str()), (201, Some(&*public), Some("public")));
    let carols_share = r.id();
    // A share's level changes within its original's only.
    let r = call(s, &c.bob, "PATCH", &format!("/api/v1/posts/{bobs_share}"), Some(&json!({"access": "members"})), &[]);
    assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (422, Some("access")), "{r:?}");
    let r = call(s, &c.bob, "PATCH", &format!("/api/v1/posts/{bobs_share}"), Some(&json!({"body": "Mine"})), &[]);
    assert_eq!((r.status, r.body["body"].as_str()), (200, Some("Mine")), "{r:?}");
    let r = p(&c.bob, "POST", &format!("/api/v1/posts/{public}/share"), json!({"colour": "red"}));
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(p(&c.bob, "POST", "/api/v1/posts/999999/share", json!({})).status, 404);

    // The feeds: friends' and own posts and shares, and the groups' posts, newest first.
    let bob_feed = whole_feed(s, &c.bob, 2);
    assert_eq!(
        bob_feed,
        [carols_share.clone(), bobs_public.clone(), bobs_share.clone(), public.clone(), close.clone()]
    );
    assert_eq!(whole_feed(s, &c.bob, 100), bob_feed);
    let carol_feed = whole_feed(s, &c.carol, 1);
    assert_eq!(carol_feed, [carols_share.clone(), bobs_public.clone()], "not bob's share of alice's friends post");
    let alice_feed = whole_feed(s, &c.alice, 3);
    assert_eq!(alice_feed, [bobs_public.clone(), bobs_share, public.clone(), in_club.clone(), close.clone()]);
    assert!(whole_feed(s, &c.dave, 5).is_empty());
    assert_eq!(g(&c.bob, "/api/v1/me/feed?cursor=AAAA").status, 422);
    assert_eq!(g(&c.bob, "/api/v1/me/feed?limit=101").status, 422);

    // Unfriending takes the friends post away at once.
    assert_eq!(del(&c.bob, &format!("/api/v1/users/{alice}/friend")).status, 204);
    assert_eq!(g(&c.bob, &format!("/api/v1/posts/{close}")).status, 404);
    assert!(!whole_feed(s, &c.bob, 20).contains(&close));
    assert!(items(&g(&c.alice, "/api/v1/me/friends"), "user").is_empty());

    // A disabled member is not there to befriend, nor listed.
    assert_eq!(put(&c.dave, &format!("/api/v1/users/{carol}/friend")).status, 200);
    assert_eq!(items(&g(&c.carol, "/api/v1/me/friend-requests"), "user"), std::slice::from_ref(&dave));
    assert!(s.cli(&["user", "disable", "dave"], None).status.success());
    assert!(items(&g(&c.carol, "/api/v1/me/friend-requests"), "user").is_empty());
    assert_eq!(put(&c.carol, &format!("/api/v1/users/{dave}/friend")).status, 404);
}

#[test]
fn friends_feed_and_shares_through_bearer_tokens() {
    let s = Server::start_with(FAST_HASH);
    add_members(&s);
    let c = oauth2_community(&s);
    scenario(&s, &c);
    activity_in_the_feed(&s, &c);
    // A token without `activity:read`: the posts only, and no activity on asking.
    let (id, secret) = register(&s, &["--name", "Posts only", "--grant", "password", "--scope", "posts:read"]);
    let posts_only = Cred::Bearer(password_token(&s, &id, &secret.unwrap(), "carol"));
    let all = feed_items(&s, &posts_only, "", 100);
    assert!(!all.is_empty() && all.iter().all(|i| i["type"] == "post"), "{all:?}");
    assert_eq!(all, feed_items(&s, &c.carol, "post", 100));
    let r = call(&s, &posts_only, "GET", "/api/v1/me/feed?type=activity", None, &[]);
    assert_eq!((r.status, r.content_type.as_str()), (403, "application/problem+json"), "{r:?}");
}

#[test]
fn friends_feed_and_shares_through_oauth1_signatures() {
    let s = Server::start_with(FAST_HASH);
    add_members(&s);
    let c = oauth1_community(&s);
    scenario(&s, &c);
    activity_in_the_feed(&s, &c);
}

/// A random community built through the API (friendships and requests,
/// open and closed groups with members and requests, posts at every level,
/// shares, deleted originals), then every member's feed, read page by page
/// with random page sizes, and every post read by every member, against a
/// model of the rules written here. The unit test in `social/feed_tests.rs`
/// runs many more communities on a bare store; this one goes over HTTP.
#[test]
fn the_feed_of_a_random_community_over_http() {
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};
    use std::collections::{BTreeMap, BTreeSet};

    #[derive(Clone)]
    struct P {
        author: usize,
        group: Option<usize>,
        access: &'static str,
        shared: Option<u64>,
    }

    let s = Server::start_with(&[FAST_HASH[0], FAST_HASH[1], ("LATCHKEY_API_WRITES_PER_MEMBER_PER_MINUTE", "100000")]);
    add_members(&s);
    let c = oauth2_community(&s);
    let who = [&c.alice, &c.bob, &c.carol, &c.dave];
    let uid: Vec<String> = who.iter().map(|w| me(&s, w)).collect();
    let mut rng = StdRng::seed_from_u64(12);
    let mut friends = BTreeSet::new();
    for a in 0..4 {
        for b in a + 1..4 {
            let r = match rng.random_range(0..4) {
                0 | 1 => {
                    call(&s, who[a], "PUT", &format!("/api/v1/users/{}/friend", uid[b]), None, &[]);
                    call(&s, who[b], "PUT", &format!("/api/v1/users/{}/friend", uid[a]), None, &[])
                }
                2 => call(&s, who[a], "PUT", &format!("/api/v1/users/{}/friend", uid[b]), None, &[]),
                _ => continue,
            };
            assert_eq!(r.status, 200, "{r:?}");
            if r.body["state"] == "friends" {
                friends.insert((a, b));
                friends.insert((b, a));
            }
        }
    }
    let mut groups = vec![];
    let mut members = BTreeSet::new();
    for g in 0..3 {
        let owner = rng.random_range(0..4);
        let closed = rng.random_bool(0.5);
        let body = json!({"name": format!("G{g}"), "membership": if closed { "closed" } else { "open" }});
        let id = call(&s, who[owner], "POST", "/api/v1/groups", Some(&body), &[]).id();
        members.insert((owner, g));
        for m in (0..4).filter(|m| *m != owner && rng.random_bool(0.5)) {
            let r = call(&s, who[m], "PUT", &format!("/api/v1/groups/{id}/members/me"), None, &[]);
            assert_eq!(r.status, 201, "{r:?}");
            if r.body["state"] == "member" {
                members.insert((m, g));
            }
        }
        groups.push(id);
    }
    let mut posts: BTreeMap<u64, P> = BTreeMap::new();
    let sees_one = |friends: &BTreeSet<(usize, usize)>, v: usize, p: &P| {
        p.author == v
            || match p.access {
                "public" | "members" => true,
                "friends" => friends.contains(&(v, p.author)),
                "group" => p.group.is_some_and(|g| members.contains(&(v, g))),
                _ => false,
            }
    };
    let sees = |posts: &BTreeMap<u64, P>, v: usize, p: &P| {
        sees_one(&friends, v, p)
            && match p.shared {
                None => true,
                Some(_) if p.author == v => true,
                Some(o) => posts.get(&o).is_some_and(|o| sees_one(&friends, v, o)),
            }
    };
    for _ in 0..30 {
        let author = rng.random_range(0..4);
        let visible: Vec<u64> = posts.iter().filter(|(_, p)| sees(&posts, author, p)).map(|(id, _)| *id).collect();
        if !visible.is_empty() && rng.random_bool(0.3) {
            let id = visible[rng.random_range(0..visible.len())];
            let original = posts[&id].shared.unwrap_or(id);
            let levels: &[&str] = match posts[&original].access {
                "public" => &["public", "members", "friends", "private"],
                "members" => &["members", "friends", "private"],
                "friends" => &["friends", "private"],
                "private" => &["private"],
                _ => &[],
            };
            let access = ["public", "members", "friends", "private"][rng.random_range(0..4)];
            let r = call(
                &s,
                who[author],
                "POST",
                &format!("/api/v1/posts/{id}/share"),
                Some(&json!({"access": access})),
                &[],
            );
            if levels.contains(&access) {
                assert_eq!((r.status, r.body["shared"].as_str()), (201, Some(&*original.to_string())), "{r:?}");
                posts.insert(r.id().parse().unwrap(), P { author, group: None, access, shared: Some(original) });
            } else {
                assert_eq!(r.status, if levels.is_empty() { 403 } else { 422 }, "{access} of {levels:?}: {r:?}");
            }
            continue;
        }
        let mine: Vec<usize> = (0..3).filter(|g| members.contains(&(author, *g))).collect();
        let group = (!mine.is_empty() && rng.random_bool(0.5)).then(|| mine[rng.random_range(0..mine.len())]);
        let access = match group {
            Some(_) => ["public", "members", "group", "private"][rng.random_range(0..4)],
            None => ["public", "members", "friends", "private"][rng.random_range(0..4)],
        };
        let mut body = json!({"body": "x", "access": access});
        if let Some(g) = group {
            body["group"] = json!(groups[g]);
        }
        let r = call(&s, who[author], "POST", "/api/v1/posts", Some(&body), &[]);
        assert_eq!(r.status, 201, "{r:?}");
        posts.insert(r.id().parse().unwrap(), P { author, group, access, shared: None });
    }
    assert!(
        !friends.is_empty()
            && posts.values().any(|p| p.shared.is_some())
            && posts.values().any(|p| p.access == "friends"),
        "a community worth the test: {} friendships, {} shares, {} posts",
        friends.len(),
        posts.values().filter(|p| p.shared.is_some()).count(),
        posts.len()
    );
    // Some originals go; their shares stay, seen by their authors only.
    let ids: Vec<u64> = posts.keys().copied().collect();
    for id in ids {
        if posts[&id].shared.is_none() && rng.random_bool(0.15) {
            let author = posts[&id].author;
            assert_eq!(call(&s, who[author], "DELETE", &format!("/api/v1/posts/{id}"), None, &[]).status, 204);
            posts.remove(&id);
        }
    }
    for (v, cred) in who.iter().enumerate() {
        let mut expected: Vec<String> = posts
            .iter()
            .filter(|(_, p)| {
                p.author == v || friends.contains(&(v, p.author)) || p.group.is_some_and(|g| members.contains(&(v, g)))
            })
            .filter(|(_, p)| sees(&posts, v, p))
            .map(|(id, _)| id.to_string())
            .collect();
        expected.reverse();
        let limit = rng.random_range(1..6);
        assert_eq!(whole_feed(&s, cred, limit), expected, "member {v}, limit {limit}");
        for (id, p) in &posts {
            let r = call(&s, cred, "GET", &format!("/api/v1/posts/{id}"), None, &[]);
            assert_eq!(r.status == 200, sees(&posts, v, p), "member {v}, post {id}: {r:?}");
        }
    }
}
