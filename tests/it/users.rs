//! `/api/v1/users` against a real server: searching members and reading
//! public profiles with a member's token, an application's own token and
//! an OAuth 1.0a signed request; never an e-mail address, never a
//! disabled member.

use crate::harness::*;
use crate::oauth1_client::{Method, Req, register_consumer, sign, three_legged};
use serde_json::Value;

fn member(s: &Server, name: &str, display: &str) {
    let email = format!("{name}@example.org");
    let out =
        s.cli(&["user", "add", name, "--display-name", display, "--email", &email, "--password-stdin"], Some(PASSWORD));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn members_are_found_by_name_and_shown_without_their_address() {
    let s = Server::start();
    for (name, display) in [
        ("anna", "Anna Berg"),
        ("ben", "Benjamin Stone"),
        ("bernd", "Bernd Anders"),
        ("carl", "Carl"),
        ("dora", "Dora Anderson"),
    ] {
        member(&s, name, display);
    }
    let http = s.client();
    let (id, secret) = register(&s, &["--name", "Directory", "--grant", "client_credentials", "--scope", "users:read"]);
    let app_only: Value = http
        .post(s.url("/oauth2/token"))
        .basic_auth(&id, secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let app_only = app_only["access_token"].as_str().unwrap().to_string();
    let (id, secret) =
        register(&s, &["--name", "Phone", "--grant", "password", "--scope", "users:read", "--scope", "profile"]);
    let member_token = password_token(&s, &id, &secret.unwrap(), "carl");
    let get = |token: &str, path: &str| http.get(s.url(path)).bearer_auth(token).send().unwrap();
    let json = |token: &str, path: &str| -> Value {
        let r = get(token, path);
        assert_eq!(r.status(), 200, "{path}");
        r.json().unwrap()
    };

    // Any part of the username or display name, whatever the case.
    assert_eq!(names(&json(&app_only, "/api/v1/users?q=AND")), ["bernd", "dora"]);
    assert_eq!(names(&json(&member_token, "/api/v1/users?q=ben")), ["ben"]);
    assert_eq!(names(&json(&member_token, "/api/v1/users?q=%20Anna%20")), ["anna"]);
    let all = json(&app_only, "/api/v1/users");
    assert_eq!(names(&all), ["anna", "ben", "bernd", "carl", "dora"]);
    let first = &all["items"][0];
    assert_eq!(first["display_name"], "Anna Berg");
    assert!(first["id"].is_string() && first["created_at"].is_string() && first["avatar_url"].is_null(), "{first}");
    assert!(first.get("email").is_none(), "no e-mail in a public profile: {first}");

    // A page at a time.
    let p1 = json(&app_only, "/api/v1/users?limit=2");
    assert_eq!(names(&p1), ["anna", "ben"]);
    let next = p1["next_cursor"].as_str().unwrap();
    let p2 = json(&app_only, &format!("/api/v1/users?limit=2&cursor={next}"));
    assert_eq!(names(&p2), ["bernd", "carl"]);
    let p3 = json(&app_only, &format!("/api/v1/users?limit=2&cursor={}", p2["next_cursor"].as_str().unwrap()));
    assert_eq!(names(&p3), ["dora"]);
    assert!(p3["next_cursor"].is_null());

    // One member; `me`; what is not found.
    let dora_id = all["items"][4]["id"].as_str().unwrap().to_string();
    let dora = json(&member_token, &format!("/api/v1/users/{dora_id}"));
    assert_eq!(dora["username"], "dora");
    assert!(dora.get("email").is_none());
    assert_eq!(json(&member_token, "/api/v1/users/me")["username"], "carl");
    assert_eq!(get(&app_only, "/api/v1/users/me").status(), 403, "an application is no member");
    assert!(s.cli(&["user", "disable", "dora"], None).status.success());
    assert_eq!(names(&json(&app_only, "/api/v1/users?q=and")), ["bernd"], "disabled members are not listed");
    for path in [format!("/api/v1/users/{dora_id}"), "/api/v1/users/999999".into(), "/api/v1/users/abc".into()] {
        let r = get(&app_only, &path);
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }

    // Bad queries are 422s naming the field.
    for (path, field) in [
        ("/api/v1/users?limit=0", "limit"),
        ("/api/v1/users?cursor=abc", "cursor"),
        ("/api/v1/users?q=%07", "q"),
        (&format!("/api/v1/users?q={}", "x".repeat(65)), "q"),
    ] {
        let r = get(&app_only, path);
        assert_eq!(r.status(), 422, "{path}");
        let v: Value = r.json().unwrap();
        assert_eq!(v["errors"][0]["field"], field, "{path}: {v}");
    }
    let (id, secret) = register(&s, &["--name", "Profile only", "--grant", "password", "--scope", "profile"]);
    let narrow = password_token(&s, &id, &secret.unwrap(), "carl");
    let r = get(&narrow, "/api/v1/users");
    assert_eq!(r.status(), 403);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("users:read"));

    // OAuth 1.0a, with the query signed.
    let c = register_consumer(&s, &["--name", "Desk", "--callback", "https://desk.example/cb"]);
    let tok = three_legged(&s, &http, &Method::HmacSha1, &c, "anna", "https://desk.example/cb");
    let mut req = Req::new(&s, "GET", "/api/v1/users", &c).token(&tok.0, &tok.1);
    req.params = vec![("q".into(), "ber".into())];
    let signed = sign(&Method::HmacSha1, &req);
    let r = http.get(&signed.url).header("authorization", signed.header.unwrap()).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(names(&r.json().unwrap()), ["anna", "bernd"]);
}
