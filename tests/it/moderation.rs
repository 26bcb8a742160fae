//! Moderation in the admin console over HTTP: members make and report
//! content through the API, a signed-in admin finds it in `/admin/content`
//! and `/admin/groups` (searches and filters), hides it (the API then
//! answers 404), shows it again, dismisses reports, deletes a comment and a
//! group after their confirmation pages; every action audited. Members who
//! are not admins, and posts without a valid CSRF token, are refused.

use crate::harness::*;
use crate::social::{Cred, add_members, call, oauth2_community};
use reqwest::blocking::{Client, Response};
use serde_json::json;

fn page(c: &Client, s: &Server, path: &str) -> (u16, String) {
    let r = c.get(s.url(path)).send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

fn post(c: &Client, s: &Server, path: &str, fields: &[(&str, &str)]) -> Response {
    c.post(s.url(path)).form(fields).send().unwrap()
}

/// Follows a 303 and returns the page it leads to.
fn follow(c: &Client, r: Response) -> String {
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    c.get(location(&r)).send().unwrap().text().unwrap()
}

fn has_row(html: &str, row: &str) -> bool {
    html.contains(&format!("<tr id=\"{row}\""))
}

/// Something a member made through the API; its id.
fn make(s: &Server, who: &Cred, path: &str, body: serde_json::Value) -> String {
    let r = call(s, who, "POST", path, Some(&body), &[]);
    assert_eq!(r.status, 201, "{path}: {r:?}");
    r.id()
}

fn status(s: &Server, who: &Cred, path: &str) -> u16 {
    call(s, who, "GET", path, None, &[]).status
}

/// Alice's group with bob in it, a group post with bob's comment, and a
/// post on alice's own stream.
struct Content {
    group: String,
    group_post: String,
    comment: String,
    own_post: String,
}

fn community(s: &Server, c: &crate::social::Community) -> Content {
    let group = make(s, &c.alice, "/api/v1/groups", json!({"name": "Gardeners", "description": "Soil and seeds"}));
    let j = call(s, &c.bob, "PUT", &format!("/api/v1/groups/{group}/members/me"), None, &[]);
    assert_eq!(j.status, 201, "{j:?}");
    let group_post = make(
        s,
        &c.alice,
        "/api/v1/posts",
        json!({"group": group, "body": "Buy <b>miracle</b> soil at example.com", "access": "group"}),
    );
    let comment = make(s, &c.bob, &format!("/api/v1/posts/{group_post}/comments"), json!({"body": "Looks like spam"}));
    let own_post = make(s, &c.alice, "/api/v1/posts", json!({"body": "Selling cheap watches", "access": "members"}));
    Content { group, group_post, comment, own_post }
}

#[test]
fn moderators_hide_show_dismiss_and_delete_from_the_console() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    add_members(&s);
    let c = oauth2_community(&s);
    let Content { group, group_post, comment, own_post } = community(&s, &c);

    // Members report through the API; the dashboard and the queue show it.
    let r = call(
        &s,
        &c.bob,
        "POST",
        &format!("/api/v1/posts/{group_post}/report"),
        Some(&json!({"reason": "spam link"})),
        &[],
    );
    assert_eq!(r.status, 201, "{r:?}");
    let r =
        call(&s, &c.carol, "POST", &format!("/api/v1/posts/{own_post}/report"), Some(&json!({"reason": "ads"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let (st, dash) = page(&admin, &s, "/admin");
    assert_eq!(st, 200);
    assert!(dash.contains("id=\"count-reports\">2<") && dash.contains("2 open reports"), "{dash}");
    let (st, queue) = page(&admin, &s, "/admin/content?state=reported");
    assert_eq!(st, 200, "{queue}");
    assert!(has_row(&queue, &format!("post-{group_post}")) && has_row(&queue, &format!("post-{own_post}")), "{queue}");
    assert!(!has_row(&queue, &format!("comment-{comment}")), "nobody reported the comment");
    assert!(queue.contains("<strong>bob</strong>: spam link") && queue.contains("Gardeners"), "{queue}");
    assert!(queue.contains("Buy &#60;b&#62;miracle&#60;/b&#62; soil"), "members' text is escaped: {queue}");
    assert!(!queue.contains("<b>miracle</b>"));
    let token = csrf(&queue);

    // Hide: the notice, the API's 404 for members (the author too), the
    // report closed, the audit log.
    let r = post(
        &admin,
        &s,
        &format!("/admin/content/post/{group_post}/hide"),
        &[("csrf", &token), ("back", "state=reported&done=evil")],
    );
    let loc = location(&r);
    assert!(loc.contains("/admin/content?") && loc.contains("state=reported"), "{loc}");
    assert!(!loc.contains("evil"), "only the list's own fields come back: {loc}");
    let html = follow(&admin, r);
    assert!(html.contains(&format!("Post {group_post} is hidden")), "{html}");
    assert!(!has_row(&html, &format!("post-{group_post}")), "hiding closed its report");
    assert_eq!(status(&s, &c.bob, &format!("/api/v1/posts/{group_post}")), 404);
    assert_eq!(status(&s, &c.alice, &format!("/api/v1/posts/{group_post}")), 404);
    let (_, hidden) = page(&admin, &s, "/admin/content?state=hidden");
    assert!(has_row(&hidden, &format!("post-{group_post}")) && !has_row(&hidden, &format!("post-{own_post}")));
    assert!(hidden.contains("(dealt with)"), "the closed report stays listed: {hidden}");
    let (_, audit) = page(&admin, &s, "/admin/audit?action=moderation.hide");
    assert!(audit.contains(&format!("post:{group_post}")) && audit.contains("user:"), "{audit}");

    // Show again.
    let r = post(&admin, &s, &format!("/admin/content/post/{group_post}/show"), &[("csrf", &token), ("back", "")]);
    assert!(follow(&admin, r).contains(&format!("Post {group_post} is shown again.")));
    assert_eq!(status(&s, &c.bob, &format!("/api/v1/posts/{group_post}")), 200);
    assert!(page(&admin, &s, "/admin/audit?action=moderation.show").1.contains(&format!("post:{group_post}")));

    // Search and filters.
    let rows = |q: &str| page(&admin, &s, &format!("/admin/content?{q}")).1;
    let all = rows("");
    for row in [format!("post-{group_post}"), format!("post-{own_post}"), format!("comment-{comment}")] {
        assert!(has_row(&all, &row), "{row}: {all}");
    }
    let found = rows("q=WATCHES");
    assert!(has_row(&found, &format!("post-{own_post}")) && !has_row(&found, &format!("post-{group_post}")));
    let found = rows("kind=comments");
    assert!(has_row(&found, &format!("comment-{comment}")) && !has_row(&found, &format!("post-{own_post}")));
    let found = rows(&format!("group={group}"));
    assert!(has_row(&found, &format!("comment-{comment}")) && has_row(&found, &format!("post-{group_post}")));
    assert!(!has_row(&found, &format!("post-{own_post}")));
    let found = rows("group=none");
    assert!(has_row(&found, &format!("post-{own_post}")) && !has_row(&found, &format!("comment-{comment}")));
    assert!(rows("q=nothing+like+this").contains("Nothing matches these filters"));
    assert!(rows("state=hidden").contains("Nothing is hidden."));
    assert_eq!(page(&admin, &s, "/admin/content?state=bogus").0, 400);
    assert_eq!(page(&admin, &s, "/admin/content?cursor=AAAA").0, 400, "a cursor of another list");
    let oldest = rows("order=oldest");
    let first = |html: &str| html.find("<tr id=\"").map(|i| html[i + 8..].split('"').next().unwrap().to_string());
    assert_eq!(first(&oldest), Some(format!("post-{group_post}")), "oldest first");
    assert_eq!(first(&all), Some(format!("post-{own_post}")), "newest first");

    // Dismiss carol's report: the post stays, the queue empties.
    let r = post(
        &admin,
        &s,
        &format!("/admin/content/post/{own_post}/dismiss"),
        &[("csrf", &token), ("back", "state=reported")],
    );
    let html = follow(&admin, r);
    assert!(html.contains(&format!("Dismissed 1 report of post {own_post}")), "{html}");
    assert!(html.contains("No open reports"), "{html}");
    assert_eq!(status(&s, &c.bob, &format!("/api/v1/posts/{own_post}")), 200);
    assert!(page(&admin, &s, "/admin/audit?action=moderation.dismiss").1.contains("report:"));

    // Delete bob's comment after its confirmation page.
    let (st, confirm) = page(&admin, &s, &format!("/admin/content/comment/{comment}/delete?back=kind%3Dcomments"));
    assert_eq!(st, 200, "{confirm}");
    assert!(confirm.contains("Looks like spam") && confirm.contains("id=\"confirm-delete\""), "{confirm}");
    assert!(confirm.contains("href=\"/admin/content?kind=comments"), "Cancel goes back to the list: {confirm}");
    let r = post(
        &admin,
        &s,
        &format!("/admin/content/comment/{comment}/delete"),
        &[("csrf", &token), ("back", "kind=comments")],
    );
    let html = follow(&admin, r);
    assert!(html.contains(&format!("Comment {comment} was deleted with 0 replies.")), "{html}");
    assert_eq!(status(&s, &c.bob, &format!("/api/v1/comments/{comment}")), 404);
    assert_eq!(page(&admin, &s, &format!("/admin/content/comment/{comment}/delete")).0, 404);
    assert!(page(&admin, &s, "/admin/audit?action=moderation.delete").1.contains(&format!("comment:{comment}")));

    // Groups: listed with their members, searched, hidden (gone from the
    // API), shown again, and deleted with everything in it.
    let (st, groups) = page(&admin, &s, "/admin/groups");
    assert_eq!(st, 200);
    assert!(has_row(&groups, &format!("group-{group}")) && groups.contains("<td>2</td>"), "{groups}");
    assert!(has_row(&page(&admin, &s, "/admin/groups?q=SEEDS").1, &format!("group-{group}")), "by description");
    assert!(page(&admin, &s, "/admin/groups?q=knitting").1.contains("No groups match"));
    assert!(page(&admin, &s, "/admin/groups?state=hidden").1.contains("No group is hidden"));
    let r = post(&admin, &s, &format!("/admin/groups/{group}/hide"), &[("csrf", &token), ("back", "")]);
    assert!(follow(&admin, r).contains("Gardeners is hidden"));
    assert_eq!(status(&s, &c.alice, &format!("/api/v1/groups/{group}")), 404);
    assert_eq!(status(&s, &c.alice, &format!("/api/v1/posts/{group_post}")), 404, "its posts go with it");
    assert!(has_row(&page(&admin, &s, "/admin/groups?state=hidden").1, &format!("group-{group}")));
    let r = post(&admin, &s, &format!("/admin/groups/{group}/show"), &[("csrf", &token), ("back", "")]);
    assert!(follow(&admin, r).contains("Gardeners is shown again."));
    assert_eq!(status(&s, &c.alice, &format!("/api/v1/groups/{group}")), 200);
    let (st, confirm) = page(&admin, &s, &format!("/admin/groups/{group}/delete"));
    assert_eq!(st, 200);
    assert!(confirm.contains("id=\"delete-posts\">1<") && confirm.contains("id=\"delete-members\">2<"), "{confirm}");
    let r = post(&admin, &s, &format!("/admin/groups/{group}/delete"), &[("csrf", &token), ("back", "")]);
    let html = follow(&admin, r);
    assert!(html.contains("The group was deleted with 1 post and 0 comments."), "{html}");
    assert!(!has_row(&html, &format!("group-{group}")));
    assert_eq!(status(&s, &c.alice, &format!("/api/v1/groups/{group}")), 404);
    assert_eq!(status(&s, &c.alice, &format!("/api/v1/posts/{group_post}")), 404);
    assert!(page(&admin, &s, "/admin/groups").1.contains("No groups yet"));
    let (_, audit) = page(&admin, &s, "/admin/audit?action=moderation");
    assert!(audit.contains(&format!("group:{group}")) && audit.contains("moderation.delete"), "{audit}");
}

#[test]
fn moderation_is_refused_to_members_and_to_forms_without_a_valid_token() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    add_members(&s);
    let c = oauth2_community(&s);
    let Content { group, group_post, comment, .. } = community(&s, &c);

    let member = signed_in(&s, "alice");
    let pages = [
        "/admin/groups".to_string(),
        "/admin/groups?state=hidden".into(),
        format!("/admin/groups/{group}/delete"),
        "/admin/content".into(),
        "/admin/content?state=reported".into(),
        format!("/admin/content/post/{group_post}/delete"),
        format!("/admin/content/comment/{comment}/delete"),
    ];
    for p in &pages {
        let (st, body) = page(&member, &s, p);
        assert_eq!(st, 403, "{p}");
        assert!(body.contains("This page is for the site"), "{p}: {body}");
    }
    let posts = [
        format!("/admin/groups/{group}/hide"),
        format!("/admin/groups/{group}/show"),
        format!("/admin/groups/{group}/delete"),
        format!("/admin/content/post/{group_post}/hide"),
        format!("/admin/content/post/{group_post}/show"),
        format!("/admin/content/post/{group_post}/dismiss"),
        format!("/admin/content/post/{group_post}/delete"),
        format!("/admin/content/comment/{comment}/hide"),
        format!("/admin/content/comment/{comment}/delete"),
    ];
    // The member's own valid token does not make them an admin.
    let member_token = csrf(&page(&member, &s, "/account").1);
    for p in &posts {
        assert_eq!(post(&member, &s, p, &[("csrf", &member_token), ("back", "")]).status(), 403, "{p}");
    }
    // Signed out: sent to sign in.
    let anon = s.client();
    let r = anon.get(s.url("/admin/content?state=reported")).send().unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("/login?return_to=%2Fadmin%2Fcontent%3Fstate%3Dreported"), "{}", location(&r));

    // The admin's forms need the admin's session token.
    let (_, html) = page(&admin, &s, "/admin/content");
    let token = csrf(&html);
    for p in &posts {
        for bad in ["", "x", member_token.as_str()] {
            let r = post(&admin, &s, p, &[("csrf", bad), ("back", "")]);
            assert_eq!(r.status(), 403, "{p} with {bad:?}");
        }
    }
    let r = admin.post(s.url(&posts[0])).form(&[("back", "")]).send().unwrap();
    assert_eq!(r.status(), 403, "no token at all");
    // Nothing happened: everything is still there for members.
    assert_eq!(status(&s, &c.alice, &format!("/api/v1/groups/{group}")), 200);
    assert_eq!(status(&s, &c.bob, &format!("/api/v1/posts/{group_post}")), 200);
    assert_eq!(status(&s, &c.bob, &format!("/api/v1/comments/{comment}")), 200);
    assert!(page(&admin, &s, "/admin/audit?action=moderation").1.contains("No events match"), "nothing audited");
    // And with the right token it works.
    assert_eq!(post(&admin, &s, &posts[3], &[("csrf", &token), ("back", "")]).status(), 303);
    assert_eq!(status(&s, &c.bob, &format!("/api/v1/posts/{group_post}")), 404);
}

/// The row ids of a list, following its "next page" links from `first`;
/// and how many pages there were.
fn walk(c: &Client, s: &Server, first: &str) -> (Vec<String>, usize) {
    let (mut rows, mut pages, mut path) = (vec![], 0, first.to_string());
    loop {
        let (st, html) = page(c, s, &path);
        assert_eq!(st, 200, "{path}: {html}");
        pages += 1;
        rows.extend(html.split("<tr id=\"").skip(1).map(|r| r.split('"').next().unwrap().to_string()));
        let Some(before) = html.split("id=\"next-page\"").next().filter(|_| html.contains("id=\"next-page\"")) else {
            return (rows, pages);
        };
        let href = before.rsplit("href=\"").next().unwrap().split('"').next().unwrap();
        path = href.replace("&amp;", "&").replace("&#38;", "&").replace("&#61;", "=").replace("&#x3D;", "=");
        assert!(path.contains("cursor="), "{path}");
        assert!(pages < 100, "the pages never end");
    }
}

#[test]
fn moderation_lists_page_through_every_row_exactly_once() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    add_members(&s);
    let c = oauth2_community(&s);
    let mut groups = vec![];
    for name in ["Allotments", "Beekeepers", "Compost"] {
        groups.push(make(&s, &c.alice, "/api/v1/groups", json!({ "name": name })));
    }
    let mut items = vec![];
    for (i, g) in groups.iter().enumerate() {
        let p =
            make(&s, &c.alice, "/api/v1/posts", json!({"group": g, "body": format!("post {i}"), "access": "members"}));
        let r = make(&s, &c.alice, &format!("/api/v1/posts/{p}/comments"), json!({"body": format!("comment {i}")}));
        let own = make(&s, &c.bob, "/api/v1/posts", json!({"body": format!("own {i}")}));
        items.extend([format!("post-{p}"), format!("comment-{r}"), format!("post-{own}")]);
        let report = json!({"reason": "check"});
        assert_eq!(call(&s, &c.carol, "POST", &format!("/api/v1/posts/{p}/report"), Some(&report), &[]).status, 201);
    }
    items.sort();

    // Posts and comments together, two or three at a time, either way: the
    // same rows in the same order as one long page, each once.
    for order in ["newest", "oldest"] {
        let (whole, pages) = walk(&admin, &s, &format!("/admin/content?order={order}&limit=100"));
        assert_eq!(pages, 1);
        let mut sorted = whole.clone();
        sorted.sort();
        assert_eq!(sorted, items, "{order}: every post and comment once");
        for limit in [2, 3] {
            let (paged, pages) = walk(&admin, &s, &format!("/admin/content?order={order}&limit={limit}"));
            assert_eq!(paged, whole, "{order}, {limit} at a time");
            assert_eq!(pages, items.len().div_ceil(limit), "{order}, {limit} at a time");
        }
    }
    // The queue, one at a time; a filter across pages.
    let (queue, _) = walk(&admin, &s, "/admin/content?state=reported&limit=1");
    assert_eq!(queue.len(), 3, "{queue:?}");
    assert!(queue.iter().all(|r| r.starts_with("post-")));
    let (comments, pages) = walk(&admin, &s, "/admin/content?kind=comments&limit=2");
    assert_eq!((comments.len(), pages), (3, 2), "{comments:?}");

    // Groups, newest first (the default) and oldest first, two at a time.
    let ids = |order: &str| walk(&admin, &s, &format!("/admin/groups?order={order}&limit=2")).0;
    let oldest: Vec<String> = groups.iter().map(|g| format!("group-{g}")).collect();
    let mut newest = oldest.clone();
    newest.reverse();
    assert_eq!(ids("oldest"), oldest);
    assert_eq!(ids(""), newest);
}
