//! The memo of API answers (`store::memo`, `api_cache_size`): a page of
//! posts read again is sent from memory, and never once anything it shows
//! has changed: new posts, likes (each viewer's own), a member removed
//! from a closed group, a disabled member, through both protocols.

use crate::harness::*;
use crate::monitor::{sample, scrape};
use crate::social::{Community, R, add_members, call, ids, oauth1_community, oauth2_community, user_id};
use serde_json::json;

fn hits_and_misses(s: &Server) -> (f64, f64) {
    let text = scrape(s);
    assert!(text.contains("\nlatchkey_api_cache_hits_total ") && text.contains("\nlatchkey_api_cache_misses_total "));
    (sample(&text, "latchkey_api_cache_hits_total"), sample(&text, "latchkey_api_cache_misses_total"))
}

fn listed(r: &R) -> Vec<(String, u64, bool)> {
    assert_eq!(r.status, 200, "{r:?}");
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (p["id"].as_str().unwrap().into(), p["like_count"].as_u64().unwrap(), p["liked_by_me"].as_bool().unwrap())
        })
        .collect()
}

fn remembered_pages_follow_every_write(s: &Server, c: &Community) {
    let p = |who, m: &str, path: &str, b: serde_json::Value| call(s, who, m, path, Some(&b), &[]);
    let g = |who, path: &str| call(s, who, "GET", path, None, &[]);
    let bob_id = user_id(s, &c.bob);
    let board = p(&c.alice, "POST", "/api/v1/groups", json!({"name": "Board", "membership": "closed"})).id();
    assert_eq!(call(s, &c.bob, "PUT", &format!("/api/v1/groups/{board}/members/me"), None, &[]).status, 201);
    assert_eq!(call(s, &c.alice, "PUT", &format!("/api/v1/groups/{board}/members/{bob_id}"), None, &[]).status, 200);
    let first = p(&c.alice, "POST", "/api/v1/posts", json!({"group": board, "body": "Minutes", "access": "group"}));
    assert_eq!(first.status, 201, "{first:?}");
    let first = first.id();
    let page = format!("/api/v1/posts?group={board}");

    // Read again with nothing written between: the answer comes from
    // memory. (A background commit may come between two reads, OAuth 1.0a
    // nonces are written every 100 ms; the next read is remembered then.)
    let once = g(&c.bob, &page);
    assert_eq!(listed(&once), [(first.clone(), 0, false)]);
    let (hits, _) = hits_and_misses(s);
    let mut remembered = false;
    for _ in 0..20 {
        assert_eq!(g(&c.bob, &page).body, once.body);
        if hits_and_misses(s).0 > hits {
            remembered = true;
            break;
        }
    }
    assert!(remembered, "no read of the same page was answered from memory");
    // Asking for a fresh answer computes it again (and it is the same),
    // without looking in the memo.
    let (hits, misses) = hits_and_misses(s);
    let fresh = call(s, &c.bob, "GET", &page, None, &[("Cache-Control", "no-cache")]);
    assert_eq!(fresh.body, once.body);
    assert_eq!(hits_and_misses(s), (hits, misses), "a fresh read does not look in the memo");

    // A like: the liker's page and the author's differ, both current.
    assert_eq!(call(s, &c.bob, "PUT", &format!("/api/v1/posts/{first}/like"), None, &[]).status, 200);
    assert_eq!(listed(&g(&c.bob, &page)), [(first.clone(), 1, true)]);
    assert_eq!(listed(&g(&c.alice, &page)), [(first.clone(), 1, false)]);
    assert_eq!(listed(&g(&c.bob, &page)), [(first.clone(), 1, true)]);

    // A new post shows at once on the remembered page.
    let second =
        p(&c.alice, "POST", "/api/v1/posts", json!({"group": board, "body": "Agenda", "access": "group"})).id();
    assert_eq!(ids(&g(&c.bob, &page)), [second.clone(), first.clone()]);
    // So does its removal, and an unlike.
    assert_eq!(call(s, &c.alice, "DELETE", &format!("/api/v1/posts/{second}"), None, &[]).status, 204);
    assert_eq!(call(s, &c.bob, "DELETE", &format!("/api/v1/posts/{first}/like"), None, &[]).status, 200);
    assert_eq!(listed(&g(&c.bob, &page)), [(first.clone(), 0, false)]);

    // Removed from the closed group, bob no longer sees its posts, though
    // his page was in memory a moment ago.
    let r = call(s, &c.alice, "DELETE", &format!("/api/v1/groups/{board}/members/{bob_id}"), None, &[]);
    assert_eq!(r.status, 204, "{r:?}");
    let after = g(&c.bob, &page);
    assert!(after.status == 404 || ids(&after).is_empty(), "{after:?}");

    // A disabled member's remembered page is not sent: the token is refused first.
    assert_eq!(g(&c.alice, &page).status, 200);
    assert_eq!(g(&c.alice, &page).status, 200);
    assert!(s.cli(&["user", "disable", "alice"], None).status.success());
    assert_eq!(g(&c.alice, &page).status, 401);
}

#[test]
fn remembered_pages_follow_every_write_through_bearer_tokens() {
    let s = Server::start_with(FAST_HASH);
    add_members(&s);
    let c = oauth2_community(&s);
    remembered_pages_follow_every_write(&s, &c);
}

#[test]
fn remembered_pages_follow_every_write_through_oauth1_signatures() {
    let s = Server::start_with(FAST_HASH);
    add_members(&s);
    let c = oauth1_community(&s);
    remembered_pages_follow_every_write(&s, &c);
}

#[test]
fn an_api_cache_size_of_zero_remembers_nothing() {
    let s = Server::start_with(&[FAST_HASH[0], FAST_HASH[1], ("LATCHKEY_API_CACHE_SIZE", "0")]);
    add_members(&s);
    let c = oauth2_community(&s);
    assert_eq!(call(&s, &c.alice, "POST", "/api/v1/posts", Some(&json!({"body": "hello"})), &[]).status, 201);
    for _ in 0..3 {
        assert_eq!(ids(&call(&s, &c.bob, "GET", "/api/v1/posts", None, &[])).len(), 1);
    }
    assert_eq!(hits_and_misses(&s), (0.0, 0.0));
}
