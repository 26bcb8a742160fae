//! The shared request plumbing (src/http/): the `Admin`/`Member` gates and
//! the CSRF-checked form extractors on every route, keyset paging of the
//! admin lists and the API, and the API's problem+json errors.

use crate::harness::*;
use serde_json::Value;
use std::collections::HashSet;

/// Every admin page (GET) and form (POST). Ids need not exist: the gates
/// and the CSRF check come before any lookup.
const ADMIN_GETS: &[&str] = &[
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/root/delete",
    "/admin/audit",
    "/admin/audit?action=user.&limit=5",
    "/admin/audit/export?format=csv",
    "/admin/clients",
    "/admin/clients/new",
    "/admin/clients/some-app",
    "/admin/clients/some-app/edit",
    "/admin/clients/some-app/delete",
    "/admin/tokens",
    "/admin/tokens/1",
];

const ADMIN_POSTS: &[&str] = &[
    "/admin/users/new",
    "/admin/users/invite",
    "/admin/users/root/action",
    "/admin/users/root/delete",
    "/admin/clients/new",
    "/admin/clients/some-app/edit",
    "/admin/clients/some-app/rotate",
    "/admin/clients/some-app/enabled",
    "/admin/clients/some-app/delete",
    "/admin/tokens/1/revoke",
    "/admin/tokens/1/revoke-token",
];

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("return_to", s)]).unwrap()
}

#[test]
fn admin_routes_send_visitors_to_sign_in_and_refuse_members() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    assert!(s.cli(&["user", "add", "max", "--password-stdin"], Some(PASSWORD)).status.success());
    let anon = s.client();
    let member = s.client();
    assert_eq!(sign_in(&s, &member, "max", PASSWORD, "/account").status(), 303);
    let member_token = csrf(&member.get(s.url("/account")).send().unwrap().text().unwrap());
    let admin_token = csrf(&admin.get(s.url("/admin")).send().unwrap().text().unwrap());

    for p in ADMIN_GETS {
        let r = anon.get(s.url(p)).send().unwrap();
        assert_eq!(r.status(), 303, "GET {p} without a session");
        assert_eq!(location(&r), s.url(&format!("/login?{}", enc(p))), "GET {p} comes back after sign-in");
        let r = member.get(s.url(p)).send().unwrap();
        assert_eq!(r.status(), 403, "GET {p} as a member");
        assert!(r.text().unwrap().contains("This page is for the site"), "GET {p}");
    }
    for p in ADMIN_POSTS {
        let r = anon.post(s.url(p)).form(&[("csrf", "x")]).send().unwrap();
        assert_eq!(r.status(), 303, "POST {p} without a session");
        assert_eq!(location(&r), s.url("/login"), "POST {p}");
        let r = member.post(s.url(p)).form(&[("csrf", member_token.as_str())]).send().unwrap();
        assert_eq!(r.status(), 403, "POST {p} as a member, with a good token");
        assert!(r.text().unwrap().contains("This page is for the site"), "POST {p}");
    }
    // The admin gets in (a good token on a form whose target is missing is
    // a 404, not a refusal).
    for p in ADMIN_GETS.iter().filter(|p| !p.contains("some-app") && !p.ends_with("/1")) {
        assert_eq!(admin.get(s.url(p)).send().unwrap().status(), 200, "GET {p} as the admin");
    }
    let r = admin.post(s.url("/admin/tokens/1/revoke")).form(&[("csrf", admin_token.as_str())]).send().unwrap();
    assert_eq!(r.status(), 404);
    // Nothing above changed anything: max is still a member, root an admin.
    let users = admin.get(s.url("/admin/users")).send().unwrap().text().unwrap();
    assert!(users.contains(">max<") && users.contains(">root<"), "{users}");
}

#[test]
fn every_form_refuses_a_missing_or_wrong_csrf_token() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    let admin_page = admin.get(s.url("/account")).send().unwrap().text().unwrap();
    let good = csrf(&admin_page);
    // A token of another visitor: well-formed, not this one's.
    let other = s.client();
    let foreign = csrf(&other.get(s.url("/login")).send().unwrap().text().unwrap());
    let forms: Vec<&str> = [
        "/login",
        "/logout",
        "/setup",
        "/reset",
        "/register",
        "/login/link",
        "/account/password",
        "/account/applications/revoke",
    ]
    .into_iter()
    .chain(ADMIN_POSTS.iter().copied())
    .collect();
    for p in &forms {
        for token in [None, Some(""), Some("x"), Some(foreign.as_str()), Some(&"A".repeat(43))] {
            let mut body = vec![("username", "root"), ("password", PASSWORD), ("do", "disable")];
            if let Some(t) = token {
                body.push(("csrf", t));
            }
            let r = admin.post(s.url(p)).form(&body).send().unwrap();
            assert_eq!(r.status(), 403, "POST {p} with token {token:?}");
            assert!(r.text().unwrap().contains("This form has expired"), "POST {p} with token {token:?}");
        }
    }
    // Still signed in, and the admin is still enabled: nothing was done.
    let r = admin.get(s.url("/admin/users")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().unwrap().contains(">root<"));
    // The good token passes the same extractor (sign out is the harmless one).
    let r = admin.post(s.url("/logout")).form(&[("csrf", good.as_str())]).send().unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), s.url("/login?signed_out=1"));
    // Signed out, a form post goes to sign in.
    let r = admin.post(s.url("/logout")).form(&[("csrf", good.as_str())]).send().unwrap();
    assert_eq!((r.status().as_u16(), location(&r)), (303, s.url("/login")));
}

/// The cells of column `col` of each body row of the table `id`.
fn column(html: &str, id: &str, col: usize) -> Vec<String> {
    let table = html.split(&format!("id=\"{id}\"")).nth(1).unwrap_or("").split("</table>").next().unwrap_or("");
    let body = table.split("<tbody>").nth(1).unwrap_or("");
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let cell = row.split("<td").nth(col + 1).unwrap_or_else(|| panic!("no column {col} in {row}"));
            let text = cell.split_once('>').map(|(_, t)| t).unwrap_or("");
            let text = text.split("</td>").next().unwrap_or("");
            // Strip inner tags (links).
            let mut out = String::new();
            let mut inside = false;
            for ch in text.chars() {
                match ch {
                    '<' => inside = true,
                    '>' => inside = false,
                    c if !inside => out.push(c),
                    _ => {}
                }
            }
            out.trim().to_string()
        })
        .collect()
}

/// Follows the "Next page" links of an admin list from `first`; returns
/// every page's column and how many pages there were.
fn walk(c: &reqwest::blocking::Client, s: &Server, first: &str, table: &str, col: usize) -> (Vec<String>, usize) {
    let mut seen = vec![];
    let mut path = first.to_string();
    let mut pages = 0;
    loop {
        let r = c.get(s.url(&path)).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().unwrap();
        pages += 1;
        seen.extend(column(&html, table, col));
        if !html.contains("id=\"next-page\"") {
            break;
        }
        let before = html.split("id=\"next-page\"").next().unwrap();
        let href = before
            .rsplit("href=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&")
            .replace("&#38;", "&");
        assert!(href.contains("cursor="), "{href}");
        path = href;
        assert!(pages < 100, "the pages never end");
    }
    (seen, pages)
}

#[test]
fn admin_lists_page_through_every_row_exactly_once() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    let names: Vec<String> = (1..=7).map(|i| format!("pager{i}")).collect();
    for n in &names {
        assert!(s.cli(&["user", "add", n, "--password-stdin"], Some(PASSWORD)).status.success());
    }
    let mut apps = vec![];
    for i in 1..=5 {
        let name = format!("Pager App {i}");
        let out =
            s.cli(&["client", "add", "--json", "--name", &name, "--grant", "password", "--scope", "profile"], None);
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        apps.push((
            name,
            v["client_id"].as_str().unwrap().to_string(),
            v["client_secret"].as_str().unwrap().to_string(),
        ));
    }
    // Three grants (three members through the first application).
    for n in &names[..3] {
        let (_, id, secret) = &apps[0];
        let r = s
            .client()
            .post(s.url("/oauth2/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "password"), ("username", n.as_str()), ("password", PASSWORD)])
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
    }

    // The audit log, filtered, three at a time: the same events, in the same
    // order (newest first), as the export of everything that matches.
    let (targets, pages) = walk(&admin, &s, "/admin/audit?action=user.create&limit=3", "audit-table", 3);
    let export =
        admin.get(s.url("/admin/audit/export?format=jsonl&action=user.create")).send().unwrap().text().unwrap();
    let exported: Vec<String> = export
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["target"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(targets, exported);
    let mut want: Vec<String> = names.iter().rev().cloned().collect();
    want.push("root".into());
    assert_eq!(targets, want, "each member's creation once, newest first (root at setup)");
    assert_eq!(pages, 3);

    // Members, in id order, two at a time; and the search still filters.
    let (members, pages) = walk(&admin, &s, "/admin/users?limit=2", "users-table", 0);
    let mut want = vec!["root".to_string()];
    want.extend(names.iter().cloned());
    assert_eq!(members, want);
    assert_eq!(pages, 4);
    let (found, _) = walk(&admin, &s, "/admin/users?q=pager&limit=3", "users-table", 0);
    assert_eq!(found, names);

    // Applications, newest first, two at a time.
    let (listed, pages) = walk(&admin, &s, "/admin/clients?limit=2", "clients-table", 0);
    let want: Vec<String> = apps.iter().rev().map(|a| a.0.clone()).collect();
    assert_eq!(listed, want);
    assert_eq!(pages, 3);

    // Grants, newest first, two at a time, with the application filter kept.
    let (members, _) = walk(&admin, &s, "/admin/tokens?application=pager+app+1&limit=2", "grants-table", 1);
    assert_eq!(members.iter().collect::<HashSet<_>>().len(), 3, "{members:?}");
    assert_eq!(members, names[..3].iter().rev().cloned().collect::<Vec<_>>());

    // A limit or cursor that is not one: a 400 page, not a store error.
    for bad in
        ["/admin/users?limit=0", "/admin/audit?limit=abc", "/admin/clients?cursor=AAAA", "/admin/tokens?cursor=%21"]
    {
        assert_eq!(admin.get(s.url(bad)).send().unwrap().status(), 400, "{bad}");
    }
}

fn problem(r: reqwest::blocking::Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: Value = r.json().unwrap();
    assert_eq!(v["status"], status, "{v}");
    assert!(v["title"].is_string() && v["detail"].is_string() && v["type"].is_string(), "{v}");
    v
}

#[test]
fn api_pages_applications_and_answers_problems() {
    let s = Server::start();
    assert!(s.cli(&["user", "add", "rita", "--password-stdin"], Some(PASSWORD)).status.success());
    let http = s.client();
    let mut ids = HashSet::new();
    let mut token = String::new();
    for i in 1..=5 {
        let out = s.cli(
            &[
                "client",
                "add",
                "--json",
                "--name",
                &format!("App {i}"),
                "--grant",
                "password",
                "--scope",
                "applications",
            ],
            None,
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let (id, secret) = (v["client_id"].as_str().unwrap(), v["client_secret"].as_str().unwrap());
        ids.insert(id.to_string());
        let t: Value = http
            .post(s.url("/oauth2/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "password"), ("username", "rita"), ("password", PASSWORD)])
            .send()
            .unwrap()
            .json()
            .unwrap();
        token = t["access_token"].as_str().unwrap().to_string();
    }
    let get = |path: &str| http.get(s.url(path)).bearer_auth(&token).send().unwrap();

    // Two at a time: every application once, then no cursor.
    let mut seen = vec![];
    let mut path = "/api/v1/me/applications?limit=2".to_string();
    let mut pages = 0;
    loop {
        let r = get(&path);
        assert_eq!(r.status(), 200);
        let v: Value = r.json().unwrap();
        pages += 1;
        for item in v["items"].as_array().unwrap() {
            seen.push(item["client_id"].as_str().unwrap().to_string());
        }
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/me/applications?limit=2&cursor={c}"),
            None => {
                assert!(v["next_cursor"].is_null());
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), ids);
    let all: Value = get("/api/v1/me/applications").json().unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 5, "default limit 20");

    // A bad limit or cursor is a 422 naming the field.
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=1000", "limit"),
        ("limit=abc", "limit"),
        ("cursor=not%20a%20cursor", "cursor"),
        ("cursor=AAAAAAAAAAA", "cursor"),
        ("limit=2&limit=3", "query"),
    ] {
        let v = problem(get(&format!("/api/v1/me/applications?{q}")), 422);
        assert_eq!(v["errors"][0]["field"], field, "{q}: {v}");
    }
    // Unknown routes and methods under /api answer problems, not the HTML page.
    for p in ["/api/v1/nothing", "/api/v2/me", "/api/v1/me/applications/x/y", "/api/"] {
        problem(get(p), 404);
    }
    let r = http.post(s.url("/api/v1/me")).bearer_auth(&token).body("{").send().unwrap();
    assert_eq!(r.headers()["allow"], "GET, PATCH");
    problem(r, 405);
    let r =
        http.put(s.url("/api/v1/me/applications/x")).bearer_auth(&token).json(&serde_json::json!({})).send().unwrap();
    assert_eq!(r.headers()["allow"], "DELETE");
    problem(r, 405);
    // A body the API does not read changes nothing. (No API route reads a
    // JSON body yet: the body refusals, 400/413/415/422, are checked on the
    // same `/api` scope in src/api/mod.rs's tests.)
    let r = http.delete(s.url("/api/v1/me/applications/nothing")).bearer_auth(&token).body("{not json").send().unwrap();
    problem(r, 404);
    // Outside /api the HTML 404 page stays.
    let r = http.get(s.url("/apinothing")).send().unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}
