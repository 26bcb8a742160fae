//! Headless Chromium through the moderation pages: the admin opens the
//! report queue, hides a reported post with its button and reads the
//! notice; each page at desktop and phone widths (screenshots under
//! `target/screenshots/`), with no sideways scrolling of the page on a
//! phone: a wide table scrolls inside its own box.

use crate::browser::{browser, shot, start_driver, tools};
use crate::harness::*;
use crate::social::{add_members, call, oauth2_community};
use crate::webdriver::Browser;
use serde_json::json;

/// Screenshots at 1280 and 360 px. On a desktop the tables fit their box
/// (members' long words wrap); on the phone the page is no wider than the
/// screen, and so is every table's box (the table scrolls inside it).
fn both_widths(b: &Browser, name: &str) {
    b.resize(1280, 900);
    shot(b, &format!("{name}-desktop"));
    let wide = b.execute(
        "return Array.from(document.querySelectorAll('.table-wrap')).filter(function (w) { \
           return w.scrollWidth > w.clientWidth; }).length",
    );
    assert_eq!(wide.as_u64(), Some(0), "{name}: no table scrolls sideways on a desktop");
    b.resize(360, 780);
    shot(b, &format!("{name}-phone"));
    let width = b.execute("return document.documentElement.scrollWidth");
    assert!(width.as_u64().unwrap() <= 360, "{name}: the page fits a phone ({width})");
    let boxes = b.execute(
        "return Array.from(document.querySelectorAll('.table-wrap')).map(function (w) { \
           return Math.ceil(w.getBoundingClientRect().right); })",
    );
    for right in boxes.as_array().unwrap() {
        assert!(right.as_u64().unwrap() <= 360, "{name}: a table's box fits the phone ({boxes})");
    }
    b.resize(1280, 900);
}

#[test]
fn browser_moderator_hides_a_reported_post() {
    let Some((chromium, driver_path)) = tools() else {
        return;
    };
    let s = Server::start();
    setup_admin(&s, "root");
    add_members(&s);
    let c = oauth2_community(&s);
    let made = |who, path: &str, body: serde_json::Value| {
        let r = call(&s, who, "POST", path, Some(&body), &[]);
        assert_eq!(r.status, 201, "{path}: {r:?}");
        r.id()
    };
    // Long words, as members write them, must not widen the page.
    let long = "Compost".repeat(14);
    let group = made(&c.alice, "/api/v1/groups", json!({"name": long, "description": "A very long name"}));
    assert_eq!(call(&s, &c.bob, "PUT", &format!("/api/v1/groups/{group}/members/me"), None, &[]).status, 201);
    let spam = made(
        &c.alice,
        "/api/v1/posts",
        json!({"group": group, "kind": "article", "title": "Miracle soil", "access": "members", "body": format!("Buy now at https://example.com/{}", "x".repeat(150))}),
    );
    let other = made(&c.alice, "/api/v1/posts", json!({"body": "Selling cheap watches", "access": "members"}));
    made(&c.bob, &format!("/api/v1/posts/{spam}/comments"), json!({"body": "Reported it."}));
    for (who, post, reason) in
        [(&c.bob, &spam, "spam link"), (&c.carol, &spam, "advertising"), (&c.carol, &other, "ads")]
    {
        let r = call(&s, who, "POST", &format!("/api/v1/posts/{post}/report"), Some(&json!({"reason": reason})), &[]);
        assert_eq!(r.status, 201, "{r:?}");
    }

    let driver = start_driver(&driver_path);
    let profile = tempfile::tempdir().unwrap();
    let b = browser(&chromium, &driver, &s.dir, profile.path(), 1280, 900);
    b.goto(&s.url("/login?return_to=%2Fadmin%2Fcontent%3Fstate%3Dreported"));
    b.fill("#username", "root");
    b.fill("#password", PASSWORD);
    b.click("button[type=submit].primary");
    let hide = format!("#hide-post-{spam}");
    b.find(&hide);
    assert_eq!(b.title(), "Reported content · latchkey");
    let row = b.text(&format!("#post-{spam}"));
    assert!(row.contains("spam link") && row.contains("advertising") && row.contains("Miracle soil"), "{row}");
    both_widths(&b, "30-admin-content-reported");

    b.click(&hide);
    let notice = b.wait_text(".notice", "is hidden");
    assert!(notice.contains(&format!("Post {spam} is hidden")), "{notice}");
    assert!(!b.exists_id(&format!("post-{spam}")), "its reports are closed: it left the queue");
    assert!(b.exists_id(&format!("post-{other}")), "the other report waits");
    both_widths(&b, "31-admin-content-after-hide");
    assert_eq!(call(&s, &c.bob, "GET", &format!("/api/v1/posts/{spam}"), None, &[]).status, 404);

    // Every post and comment, and a delete confirmation.
    b.goto(&s.url("/admin/content"));
    b.find(&format!("#show-post-{spam}"));
    both_widths(&b, "32-admin-content");
    b.click(&format!("#delete-post-{other}"));
    b.find("#confirm-delete");
    both_widths(&b, "33-admin-content-delete");

    // The groups, hiding one with its long name in the notice.
    b.goto(&s.url("/admin/groups"));
    b.find("#groups-table");
    both_widths(&b, "34-admin-groups");
    b.click(&format!("#group-{group} button[type=submit]"));
    assert!(b.wait_text(".notice", "is hidden").contains("members no longer see it"));
    both_widths(&b, "35-admin-groups-after-hide");
    b.goto(&s.url(&format!("/admin/groups/{group}/delete")));
    b.find("#confirm-delete");
    both_widths(&b, "36-admin-group-delete");
    b.goto(&s.url("/admin"));
    assert_eq!(b.text("#count-reports"), "1");
    both_widths(&b, "37-admin-dashboard-reports");
}
