//! The social API (groups, members, posts, comments, likes, tags,
//! activity, reports) against a real server, every rule through both an
//! OAuth 2.0 bearer token and an OAuth 1.0a signed request: who sees what
//! (access levels, closed groups, applications on their own), who may
//! change what, scopes, disabled members, `ETag`/`If-Match`, pagination
//! under concurrent inserts, limits and the write budget.

use crate::harness::*;
use crate::oauth1_client::{Method, register_consumer, three_legged};
use serde_json::{Value, json};

/// How a call proves who it is.
#[derive(Clone, Debug)]
pub enum Cred {
    Bearer(String),
    OAuth1 { consumer: (String, String), token: Option<(String, String)> },
}

/// An answer: status, the headers that matter, the JSON body (or null).
#[derive(Debug)]
pub struct R {
    pub status: u16,
    pub etag: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub challenge: Option<String>,
    pub content_type: String,
    pub body: Value,
}

impl R {
    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_else(|| panic!("no id: {self:?}")).to_string()
    }
}

/// Sends one API call with the credential, a JSON body and extra headers.
pub fn call(s: &Server, cred: &Cred, method: &str, path: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> R {
    let http = s.client();
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = http.request(m, s.url(path));
    match cred {
        Cred::Bearer(t) => req = req.bearer_auth(t),
        Cred::OAuth1 { consumer, token } => {
            let (bare, query) = path.split_once('?').unwrap_or((path, ""));
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
            let extra: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let nonce = format!("n{}", rand_suffix());
            let h = latchkey::oauth1::client::hmac_sha1_header_for_query(
                method,
                &s.url(bare),
                &extra,
                (&consumer.0, &consumer.1),
                token.as_ref().map(|(t, ts)| (t.as_str(), ts.as_str())),
                &[],
                crate::oauth1_client::now(),
                &nonce,
            );
            req = req.header("authorization", h);
        }
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().unwrap();
    let h = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (status, etag, location, retry_after, challenge, content_type) = (
        r.status().as_u16(),
        h("etag"),
        h("location"),
        h("retry-after"),
        h("www-authenticate"),
        h("content-type").unwrap_or_default(),
    );
    let text = r.text().unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    R { status, etag, location, retry_after, challenge, content_type, body }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    t ^ (N.fetch_add(1, Ordering::SeqCst) << 48)
}

/// The members of the test community and their credentials in one protocol.
pub struct Community {
    pub alice: Cred,
    pub bob: Cred,
    pub carol: Cred,
    pub dave: Cred,
    /// The application on its own (client credentials / two-legged).
    pub app: Cred,
    /// Bob through an application that holds `groups:read` only.
    pub narrow: Cred,
}

pub const MEMBERS: [&str; 4] = ["alice", "bob", "carol", "dave"];

pub fn add_members(s: &Server) {
    for m in MEMBERS {
        add_member(s, m);
    }
}

/// Bearer tokens for everyone (the password grant).
pub fn oauth2_community(s: &Server) -> Community {
    let (id, secret) = register(
        s,
        &[
            "--name",
            "Social",
            "--grant",
            "password",
            "--grant",
            "client_credentials",
            "--scope",
            "read",
            "--scope",
            "write",
        ],
    );
    let secret = secret.unwrap();
    let tok = |m: &str| Cred::Bearer(password_token(s, &id, &secret, m));
    let app = {
        let v: Value = s
            .client()
            .post(s.url("/oauth2/token"))
            .basic_auth(&id, Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .unwrap()
            .json()
            .unwrap();
        Cred::Bearer(v["access_token"].as_str().unwrap().to_string())
    };
    let (nid, nsecret) = register(s, &["--name", "Narrow", "--grant", "password", "--scope", "groups:read"]);
    let narrow = Cred::Bearer(password_token(s, &nid, &nsecret.unwrap(), "bob"));
    Community { alice: tok("alice"), bob: tok("bob"), carol: tok("carol"), dave: tok("dave"), app, narrow }
}

/// Token credentials for everyone (three-legged OAuth 1.0a), and the
/// consumer's own two-legged calls.
pub fn oauth1_community(s: &Server) -> Community {
    let c = register_consumer(
        s,
        &[
            "--name",
            "Social",
            "--callback",
            "https://social.example/cb",
            "--two-legged",
            "--scope",
            "read",
            "--scope",
            "write",
        ],
    );
    let http = s.client();
    let consumer = (c.key.clone(), c.secret.clone());
    let tok = |m: &str| {
        let t = three_legged(s, &http, &Method::HmacSha1, &c, m, "https://social.example/cb");
        Cred::OAuth1 { consumer: consumer.clone(), token: Some(t) }
    };
    let n = register_consumer(
        s,
        &["--name", "Narrow", "--callback", "https://narrow.example/cb", "--scope", "groups:read"],
    );
    let nt = three_legged(s, &http, &Method::HmacSha1, &n, "bob", "https://narrow.example/cb");
    Community {
        alice: tok("alice"),
        bob: tok("bob"),
        carol: tok("carol"),
        dave: tok("dave"),
        app: Cred::OAuth1 { consumer: consumer.clone(), token: None },
        narrow: Cred::OAuth1 { consumer: (n.key.clone(), n.secret.clone()), token: Some(nt) },
    }
}

pub fn user_id(s: &Server, who: &Cred) -> String {
    let r = call(s, who, "GET", "/api/v1/me", None, &[]);
    assert_eq!(r.status, 200, "{r:?}");
    r.body["id"].as_str().unwrap().to_string()
}

pub fn ids(r: &R) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{r:?}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// The whole community through one protocol.
fn scenario(s: &Server, c: &Community) {
    let p = |who: &Cred, m: &str, path: &str, b: Value| call(s, who, m, path, Some(&b), &[]);
    let g = |who: &Cred, path: &str| call(s, who, "GET", path, None, &[]);
    let carol_id = user_id(s, &c.carol);

    // Groups: alice makes an open, public group and a closed one listed to members.
    let garden = p(&c.alice, "POST", "/api/v1/groups", json!({"name": "Gardeners", "description": "Soil and seeds"}));
    assert_eq!(garden.status, 201, "{garden:?}");
    assert!(garden.location.as_deref().unwrap().ends_with(&format!("/api/v1/groups/{}", garden.id())));
    assert_eq!(garden.body["membership"], "open");
    assert_eq!((garden.body["member_count"].as_u64(), garden.body["my_role"].as_str()), (Some(1), Some("admin")));
    let garden = garden.id();
    let board =
        p(&c.alice, "POST", "/api/v1/groups", json!({"name": "Board", "membership": "closed", "access": "members"}));
    assert_eq!(board.status, 201, "{board:?}");
    let board = board.id();

    // Joining: bob joins the open group at once (twice is the same), carol asks for the closed one.
    let j = call(s, &c.bob, "PUT", &format!("/api/v1/groups/{garden}/members/me"), None, &[]);
    assert_eq!((j.status, j.body["state"].as_str()), (201, Some("member")), "{j:?}");
    assert_eq!(call(s, &c.bob, "PUT", &format!("/api/v1/groups/{garden}/members/me"), None, &[]).status, 200);
    let r = call(s, &c.carol, "PUT", &format!("/api/v1/groups/{board}/members/me"), None, &[]);
    assert_eq!((r.status, r.body["state"].as_str()), (201, Some("requested")), "{r:?}");
    // A closed group's members are listed to its members; the requester sees only their own request.
    let m = g(&c.carol, &format!("/api/v1/groups/{board}/members"));
    assert_eq!(m.body["items"].as_array().unwrap().len(), 1, "{m:?}");
    assert_eq!(m.body["items"][0]["state"], "requested");
    // Bob is not an admin of the board: he cannot approve carol.
    let r = call(s, &c.bob, "PUT", &format!("/api/v1/groups/{board}/members/{carol_id}"), None, &[]);
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(r.content_type, "application/problem+json");
    let r = call(s, &c.alice, "PUT", &format!("/api/v1/groups/{board}/members/{carol_id}"), None, &[]);
    assert_eq!((r.status, r.body["state"].as_str()), (200, Some("member")), "{r:?}");
    assert_eq!(g(&c.alice, &format!("/api/v1/groups/{board}")).body["member_count"], 2);

    // Access levels: a board-only post is hidden from bob, even its existence.
    let secret =
        p(&c.alice, "POST", "/api/v1/posts", json!({"group": board, "body": "Budget draft", "access": "group"}));
    assert_eq!(secret.status, 201, "{secret:?}");
    let secret = secret.id();
    assert_eq!(g(&c.carol, &format!("/api/v1/posts/{secret}")).status, 200);
    let hidden = g(&c.bob, &format!("/api/v1/posts/{secret}"));
    assert_eq!(hidden.status, 404, "{hidden:?}");
    assert_eq!(hidden.content_type, "application/problem+json");
    assert!(ids(&g(&c.bob, &format!("/api/v1/posts?group={board}"))).is_empty());
    assert_eq!(ids(&g(&c.carol, &format!("/api/v1/posts?group={board}"))), std::slice::from_ref(&secret));
    // Bob cannot post in a group he is not in, nor comment on what he cannot see.
    assert_eq!(p(&c.bob, "POST", "/api/v1/posts", json!({"group": board, "body": "hi"})).status, 403);
    assert_eq!(p(&c.bob, "POST", &format!("/api/v1/posts/{secret}/comments"), json!({"body": "?"})).status, 404);

    // The application on its own sees public things only and writes nothing.
    let open_post = p(
        &c.alice,
        "POST",
        "/api/v1/posts",
        json!({"group": garden, "body": "Seed swap Saturday", "access": "public", "tags": ["Seeds", "#swap"]}),
    );
    assert_eq!(open_post.status, 201, "{open_post:?}");
    assert_eq!(open_post.body["tags"], json!(["seeds", "swap"]));
    let open_post = open_post.id();
    let members_post =
        p(&c.alice, "POST", "/api/v1/posts", json!({"body": "Members only", "access": "members", "tags": ["seeds"]}));
    assert_eq!(members_post.status, 201);
    let members_post = members_post.id();
    let listed = ids(&g(&c.app, "/api/v1/groups"));
    assert!(listed.contains(&garden) && !listed.contains(&board), "{listed:?}");
    assert_eq!(g(&c.app, &format!("/api/v1/groups/{board}")).status, 404);
    assert_eq!(g(&c.app, &format!("/api/v1/posts/{open_post}")).status, 200);
    assert_eq!(g(&c.app, &format!("/api/v1/posts/{members_post}")).status, 404);
    assert_eq!(g(&c.app, &format!("/api/v1/posts/{secret}")).status, 404);
    let app_posts = ids(&g(&c.app, "/api/v1/posts"));
    assert_eq!(app_posts, std::slice::from_ref(&open_post));
    let r = p(&c.app, "POST", "/api/v1/posts", json!({"body": "spam"}));
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(call(s, &c.app, "PUT", &format!("/api/v1/posts/{open_post}/like"), None, &[]).status, 403);
    // Tag counts: a member counts the members-level post, the app only the public one.
    let t = g(&c.bob, "/api/v1/tags?q=se");
    assert_eq!(t.body["items"], json!([{"name": "seeds", "count": 2}]), "{t:?}");
    assert_eq!(g(&c.app, "/api/v1/tags?q=se").body["items"], json!([{"name": "seeds", "count": 1}]));
    assert_eq!(ids(&g(&c.bob, "/api/v1/posts?tag=seeds")), [members_post.clone(), open_post.clone()]);

    // Scopes: a token without posts:read is refused, naming the scope.
    let r = g(&c.narrow, "/api/v1/posts");
    assert_eq!(r.status, 403, "{r:?}");
    assert!(
        r.body.to_string().contains("posts:read") || r.challenge.as_deref().unwrap_or("").contains("posts:read"),
        "{r:?}"
    );
    assert_eq!(g(&c.narrow, "/api/v1/groups").status, 200);
    assert_eq!(p(&c.narrow, "POST", "/api/v1/groups", json!({"name": "x"})).status, 403);

    // Unread: alice's post is unread for bob, bob's joining for alice; your
    // own entries never count, and carol is not a member.
    let unread = |who: &Cred| g(who, &format!("/api/v1/groups/{garden}")).body["unread"].as_u64();
    assert_eq!((unread(&c.alice), unread(&c.bob), unread(&c.carol)), (Some(1), Some(1), None));
    let comment =
        p(&c.bob, "POST", &format!("/api/v1/posts/{open_post}/comments"), json!({"body": "I'll bring beans"}));
    assert_eq!(comment.status, 201, "{comment:?}");
    let comment = comment.id();
    let reply = p(
        &c.alice,
        "POST",
        &format!("/api/v1/posts/{open_post}/comments"),
        json!({"body": "Great", "parent": comment}),
    );
    assert_eq!(reply.status, 201, "{reply:?}");
    let deeper =
        p(&c.bob, "POST", &format!("/api/v1/posts/{open_post}/comments"), json!({"body": "x", "parent": reply.id()}));
    assert_eq!((deeper.status, deeper.body["errors"][0]["field"].as_str()), (422, Some("parent")), "{deeper:?}");
    assert_eq!((unread(&c.alice), unread(&c.bob)), (Some(2), Some(2)));
    let river = g(&c.bob, &format!("/api/v1/groups/{garden}/activity"));
    let kinds: Vec<&str> =
        river.body["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["comment_added", "comment_added", "post_created", "member_joined"], "{river:?}");
    assert_eq!(river.body["unread"], 2);
    assert_eq!(call(s, &c.bob, "POST", &format!("/api/v1/groups/{garden}/activity/read"), None, &[]).status, 204);
    assert_eq!(unread(&c.bob), Some(0));
    // Carol's river of all her groups holds the board, never the garden.
    let mine = g(&c.carol, "/api/v1/activity");
    assert!(mine.body["items"].as_array().unwrap().iter().all(|i| i["group"] == json!(board)), "{mine:?}");
    assert_eq!(mine.body["items"][0]["kind"], "post_created");
    assert_eq!(g(&c.app, "/api/v1/activity").status, 403);

    // Editing: only the author or a group admin, and never a stale copy.
    let r = p(&c.bob, "PATCH", &format!("/api/v1/posts/{open_post}"), json!({"body": "mine now"}));
    assert_eq!(r.status, 403, "{r:?}");
    let current = g(&c.alice, &format!("/api/v1/posts/{open_post}"));
    let etag = current.etag.clone().unwrap();
    let ok = call(
        s,
        &c.alice,
        "PATCH",
        &format!("/api/v1/posts/{open_post}"),
        Some(&json!({"body": "Seed swap Sunday"})),
        &[("If-Match", &etag)],
    );
    assert_eq!(ok.status, 200, "{ok:?}");
    assert_ne!(ok.etag.as_deref(), Some(etag.as_str()));
    let stale = call(
        s,
        &c.alice,
        "PATCH",
        &format!("/api/v1/posts/{open_post}"),
        Some(&json!({"body": "lost"})),
        &[("If-Match", &etag)],
    );
    assert_eq!(stale.status, 412, "{stale:?}");
    assert_eq!(g(&c.alice, &format!("/api/v1/posts/{open_post}")).body["body"], "Seed swap Sunday");
    assert_eq!(p(&c.bob, "PATCH", &format!("/api/v1/comments/{}", reply.id()), json!({"body": "no"})).status, 403);
    assert_eq!(call(s, &c.carol, "DELETE", &format!("/api/v1/comments/{comment}"), None, &[]).status, 403);

    // Likes are idempotent.
    for _ in 0..2 {
        let l = call(s, &c.bob, "PUT", &format!("/api/v1/posts/{open_post}/like"), None, &[]);
        assert_eq!(
            (l.status, l.body["like_count"].as_u64(), l.body["liked_by_me"].as_bool()),
            (200, Some(1), Some(true))
        );
    }
    assert_eq!(g(&c.alice, &format!("/api/v1/posts/{open_post}")).body["liked_by_me"], false);
    let l = call(s, &c.bob, "DELETE", &format!("/api/v1/posts/{open_post}/like"), None, &[]);
    assert_eq!(l.body["like_count"], 0);

    // Reports: once per member while open.
    let r1 = p(&c.bob, "POST", &format!("/api/v1/posts/{members_post}/report"), json!({"reason": "off topic"}));
    let r2 = p(&c.bob, "POST", &format!("/api/v1/posts/{members_post}/report"), json!({"reason": "again"}));
    assert_eq!((r1.status, r1.id()), (201, r2.id()));
    assert_eq!(p(&c.bob, "POST", &format!("/api/v1/posts/{secret}/report"), json!({"reason": "x"})).status, 404);

    // Private posts are their author's alone.
    let private = p(&c.carol, "POST", "/api/v1/posts", json!({"body": "note to self", "access": "private"}));
    assert_eq!(g(&c.carol, &format!("/api/v1/posts/{}", private.id())).status, 200);
    assert_eq!(g(&c.alice, &format!("/api/v1/posts/{}", private.id())).status, 404);
    assert!(!ids(&g(&c.alice, &format!("/api/v1/posts?author={carol_id}"))).contains(&private.id()));

    // The last admin cannot leave; after promoting bob, alice can.
    let bob_id = user_id(s, &c.bob);
    let r = call(s, &c.alice, "DELETE", &format!("/api/v1/groups/{garden}/members/me"), None, &[]);
    assert_eq!(r.status, 409, "{r:?}");
    let r = p(&c.alice, "PUT", &format!("/api/v1/groups/{garden}/members/{bob_id}"), json!({"role": "admin"}));
    assert_eq!((r.status, r.body["role"].as_str()), (200, Some("admin")), "{r:?}");
    assert_eq!(call(s, &c.alice, "DELETE", &format!("/api/v1/groups/{garden}/members/me"), None, &[]).status, 204);
    // A group admin deletes the group with everything in it.
    assert_eq!(call(s, &c.carol, "DELETE", &format!("/api/v1/groups/{board}"), None, &[]).status, 403);
    assert_eq!(call(s, &c.alice, "DELETE", &format!("/api/v1/groups/{board}"), None, &[]).status, 204);
    assert_eq!(g(&c.carol, &format!("/api/v1/posts/{secret}")).status, 404);

    // Bad input: problem+json naming the field, never a 500.
    let r = p(&c.alice, "POST", "/api/v1/groups", json!({"name": "a\u{7}b", "membership": "sometimes"}));
    assert_eq!(r.status, 422, "{r:?}");
    let fields: Vec<&str> = r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "membership"]);
    assert_eq!(p(&c.alice, "POST", "/api/v1/posts", json!({"body": "x", "colour": "red"})).status, 422);
    assert_eq!(p(&c.alice, "POST", "/api/v1/posts", json!({"kind": "status", "title": "t", "body": "x"})).status, 422);
    assert_eq!(p(&c.alice, "POST", "/api/v1/posts", json!({"body": "x".repeat(70_000)})).status, 413);
    assert_eq!(p(&c.alice, "POST", "/api/v1/posts", json!({"body": "y".repeat(20_001)})).status, 422);
    assert_eq!(g(&c.alice, "/api/v1/posts?since=yesterday").status, 422);
    assert_eq!(g(&c.alice, "/api/v1/posts/abc").status, 404);
    assert_eq!(g(&c.alice, "/api/v1/posts?cursor=AAAA").status, 422);

    // A disabled member's token stops working.
    assert_eq!(g(&c.dave, "/api/v1/groups").status, 200);
    assert!(s.cli(&["user", "disable", "dave"], None).status.success());
    let r = g(&c.dave, "/api/v1/groups");
    assert_eq!(r.status, 401, "{r:?}");
}

#[test]
fn the_community_through_bearer_tokens() {
    let s = Server::start_with(FAST_HASH);
    add_members(&s);
    let c = oauth2_community(&s);
    scenario(&s, &c);
}

#[test]
fn the_community_through_oauth1_signatures() {
    let s = Server::start_with(FAST_HASH);
    add_members(&s);
    let c = oauth1_community(&s);
    scenario(&s, &c);
}

/// Pages follow their cursors to the end without repeating or skipping a
/// post, while new posts arrive between the pages.
#[test]
fn pagination_is_stable_under_concurrent_inserts_and_writes_are_budgeted() {
    let s = Server::start_with(&[FAST_HASH[0], FAST_HASH[1], ("LATCHKEY_API_WRITES_PER_MEMBER_PER_MINUTE", "12")]);
    add_members(&s);
    let c = oauth2_community(&s);
    let post = |n: usize| call(&s, &c.alice, "POST", "/api/v1/posts", Some(&json!({"body": format!("post {n}")})), &[]);
    let first: Vec<String> = (0..5).map(|n| post(n).id()).collect();
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    let mut added = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/posts?limit=2&cursor={c}"),
            None => "/api/v1/posts?limit=2".to_string(),
        };
        let r = call(&s, &c.bob, "GET", &path, None, &[]);
        assert_eq!(r.status, 200, "{r:?}");
        seen.extend(ids(&r));
        if added < 2 {
            post(10 + added);
            added += 1;
        }
        match r.body["next_cursor"].as_str() {
            Some(n) => cursor = Some(n.to_string()),
            None => break,
        }
    }
    let mut expected = first.clone();
    expected.reverse();
    assert_eq!(seen, expected, "every post before the first page, newest first, once");
    // Alice has written 7 times; her budget of 12 a minute runs out on the 13th.
    for n in 0..5 {
        assert_eq!(post(20 + n).status, 201);
    }
    let r = post(30);
    assert_eq!(r.status, 429, "{r:?}");
    assert!(r.retry_after.is_some());
    assert_eq!(r.content_type, "application/problem+json");
    // Reading is not budgeted, and bob has his own budget.
    assert_eq!(call(&s, &c.alice, "GET", "/api/v1/posts", None, &[]).status, 200);
    assert_eq!(call(&s, &c.bob, "POST", "/api/v1/posts", Some(&json!({"body": "mine"})), &[]).status, 201);
}
