//! `/api/openapi.json` against the live server: real requests (with real
//! tokens, and without), each answer checked against the operation's
//! documented response (status, media type, body schema, the headers the
//! document promises); and every route the server serves under `/api`
//! found in the document, and the other way round.
//!
//! The document's object schemas stay open for clients (DESIGN.md: more
//! fields are welcome), but here each one is closed (`additionalProperties:
//! false`, unless it says otherwise, as `Problem` does), so a field a
//! handler adds without documenting it fails this test.

use crate::harness::*;
use crate::oauth1_client::{now, oauth1_header, register_consumer};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

/// An answer of the server, as the checks need it.
pub(crate) struct Answer {
    pub(crate) status: u16,
    headers: reqwest::header::HeaderMap,
    pub(crate) body: Vec<u8>,
}

pub(crate) fn send(r: reqwest::blocking::RequestBuilder) -> Answer {
    let r = r.send().unwrap();
    Answer { status: r.status().as_u16(), headers: r.headers().clone(), body: r.bytes().unwrap().to_vec() }
}

pub(crate) struct Document(Value);

impl Document {
    pub(crate) fn fetch(s: &Server) -> Document {
        let r = s.client().get(s.url("/api/openapi.json")).send().unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        Document(r.json().unwrap())
    }

    /// The documented operation a concrete path and method fall under: a
    /// path of literal segments wins over one with parameters.
    fn operation(&self, method: &str, path: &str) -> Result<(String, &Value), String> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut found: Vec<(usize, &String, &Value)> = vec![];
        for (template, item) in self.0["paths"].as_object().unwrap() {
            let t: Vec<&str> = template.split('/').collect();
            if t.len() != segments.len() {
                continue;
            }
            let fits = t.iter().zip(&segments).all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()));
            if fits && item[method.to_lowercase()].is_object() {
                let params = t.iter().filter(|t| t.starts_with('{')).count();
                found.push((params, template, &item[method.to_lowercase()]));
            }
        }
        found.sort_by_key(|(params, _, _)| *params);
        found.first().map(|(_, t, op)| ((*t).clone(), *op)).ok_or_else(|| format!("{method} {path} is not documented"))
    }

    fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        match v["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.0.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {pointer}")),
            None => v,
        }
    }

    /// `schema` as a validator: the document's components beside it (so
    /// its `$ref`s resolve) and every object schema closed.
    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let mut root = closed(schema);
        if !root.is_object() {
            root = json!({ "allOf": [root] });
        }
        root["components"] = closed(&self.0["components"]);
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the document's schema does not compile: {e}"))
    }

    /// Whether the answer to `method path` is one the document describes.
    pub(crate) fn check(&self, method: &str, path: &str, a: &Answer) -> Result<(), String> {
        let (template, op) = self.operation(method, path)?;
        let what = format!("{method} {path} ({template}) answered {}", a.status);
        let responses = &op["responses"];
        let status = a.status.to_string();
        let range = format!("{}XX", &status[..1]);
        let response = [status.as_str(), range.as_str(), "default"]
            .iter()
            .find_map(|k| responses.get(*k))
            .map(|r| self.resolve(r))
            .ok_or_else(|| format!("{what}, which is not a documented status"))?;
        for (name, _) in response["headers"].as_object().into_iter().flatten() {
            // Those that the document promises on every such answer.
            let promised = name == "ETag"
                || name == "Location"
                || (name == "WWW-Authenticate" && a.status == 401)
                || (name == "Retry-After" && a.status == 429);
            if promised && !a.headers.contains_key(name.as_str()) {
                return Err(format!("{what} without its {name} header"));
            }
        }
        let Some(content) = response["content"].as_object() else {
            return if a.body.is_empty() {
                Ok(())
            } else {
                Err(format!("{what} with a body the document does not describe"))
            };
        };
        let media = a.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let media = media.split(';').next().unwrap_or_default().trim();
        let schema = &content
            .get(media)
            .ok_or_else(|| format!("{what} as {media:?}; the document says {:?}", content.keys()))?["schema"];
        let body: Value = serde_json::from_slice(&a.body).map_err(|e| format!("{what}: the body is not JSON ({e})"))?;
        let errors: Vec<String> = self
            .validator(schema)
            .iter_errors(&body)
            .map(|e| format!("at {:?}: {e}", e.instance_path().as_str()))
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(format!("{what}: {body}\n  {}", errors.join("\n  "))) }
    }
}

/// Every object schema with `properties` and no word on others gets
/// `additionalProperties: false`.
fn closed(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out: serde_json::Map<String, Value> = m.iter().map(|(k, v)| (k.clone(), closed(v))).collect();
            if out.contains_key("properties") && !out.contains_key("additionalProperties") {
                out.insert("additionalProperties".into(), Value::Bool(false));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(closed).collect()),
        other => other.clone(),
    }
}

/// A budget small enough to spend in a test, large enough for the rest.
const WRITES_PER_MINUTE: usize = 60;

#[test]
fn openapi_document_describes_live_answers() {
    let budget = WRITES_PER_MINUTE.to_string();
    let s = Server::start_with(&[("LATCHKEY_API_WRITES_PER_MEMBER_PER_MINUTE", &budget)]);
    add_member(&s, "ada");
    let (id, secret) =
        register(&s, &["--name", "Doc Reader", "--grant", "password", "--scope", "profile", "--scope", "applications"]);
    let secret = secret.unwrap();
    let (other, other_secret) = register(&s, &["--name", "Second App", "--grant", "password", "--scope", "profile"]);
    let (narrow, narrow_secret) = register(&s, &["--name", "Narrow", "--grant", "password", "--scope", "openid"]);
    let (robot, robot_secret) =
        register(&s, &["--name", "Robot", "--grant", "client_credentials", "--scope", "profile"]);
    let token = password_token(&s, &id, &secret, "ada");
    password_token(&s, &other, other_secret.as_deref().unwrap(), "ada");
    let narrow_token = password_token(&s, &narrow, narrow_secret.as_deref().unwrap(), "ada");
    let robot_token: Value = s
        .client()
        .post(s.url("/oauth2/token"))
        .basic_auth(&robot, robot_secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let robot_token = robot_token["access_token"].as_str().unwrap().to_string();
    let consumer = register_consumer(&s, &["--name", "Signer", "--callback", "oob"]);

    let doc = Document::fetch(&s);
    let http = s.client();
    let get = |path: &str| http.get(s.url(path));
    let index = send(get("/api"));
    let etag = index.headers["etag"].to_str().unwrap().to_string();
    let page: Value =
        serde_json::from_slice(&send(get("/api/v1/me/applications?limit=1").bearer_auth(&token)).body).unwrap();
    let cursor = page["next_cursor"].as_str().expect("two applications, one a page").to_string();
    let unknown_token = oauth1_header(
        "GET",
        &s.url("/api/v1/me"),
        (&consumer.key, &consumer.secret),
        Some(("not-a-token", "nor-its-secret")),
        &[],
        &format!("n{}", now()),
    );

    let cases: Vec<(&str, &str, Answer, u16)> = vec![
        ("GET", "/api", index, 200),
        ("GET", "/api", send(get("/api").header("if-none-match", &etag)), 304),
        ("GET", "/api/v1/me", send(get("/api/v1/me").bearer_auth(&token)), 200),
        ("GET", "/api/v1/me", send(get("/api/v1/me")), 401),
        ("GET", "/api/v1/me", send(get("/api/v1/me").bearer_auth("not-a-token")), 401),
        ("GET", "/api/v1/me", send(get("/api/v1/me").header("authorization", unknown_token)), 401),
        // RFC 6750 §3.1: another scheme is no credential (401), a Bearer
        // header without a token is malformed (400).
        ("GET", "/api/v1/me", send(get("/api/v1/me").header("authorization", "Basic eDp5")), 401),
        ("GET", "/api/v1/me", send(get("/api/v1/me").header("authorization", "Bearer")), 400),
        ("GET", "/api/v1/me", send(get("/api/v1/me").bearer_auth(&narrow_token)), 403),
        ("GET", "/api/v1/me", send(get("/api/v1/me").bearer_auth(&robot_token)), 403),
        ("GET", "/api/v1/me/applications", send(get("/api/v1/me/applications").bearer_auth(&token)), 200),
        (
            "GET",
            "/api/v1/me/applications",
            send(get(&format!("/api/v1/me/applications?limit=1&cursor={cursor}")).bearer_auth(&token)),
            200,
        ),
        ("GET", "/api/v1/me/applications", send(get("/api/v1/me/applications?limit=500").bearer_auth(&token)), 422),
        ("GET", "/api/v1/me/applications", send(get("/api/v1/me/applications?cursor=AAAA").bearer_auth(&token)), 422),
        ("GET", "/api/v1/me/applications", send(get("/api/v1/me/applications").bearer_auth(&narrow_token)), 403),
        (
            "DELETE",
            "/api/v1/me/applications/nope",
            send(http.delete(s.url("/api/v1/me/applications/nope")).bearer_auth(&token)),
            404,
        ),
        (
            "DELETE",
            "/api/v1/me/applications/x",
            send(http.delete(s.url(&format!("/api/v1/me/applications/{other}"))).bearer_auth(&token)),
            204,
        ),
        (
            "DELETE",
            "/api/v1/me/applications/x",
            send(http.delete(s.url(&format!("/api/v1/me/applications/{other}"))).bearer_auth(&token)),
            404,
        ),
    ];
    let mut cases: Vec<(String, String, Answer, u16)> =
        cases.into_iter().map(|(m, p, a, e)| (m.to_string(), p.to_string(), a, e)).collect();
    cases.extend(social_cases(&s));
    let mut failures = vec![];
    for (method, path, answer, expected) in &cases {
        if answer.status != *expected {
            failures.push(format!(
                "{method} {path}: expected {expected}, got {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            ));
        }
        if let Err(e) = doc.check(method, path, answer) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "answers the document does not describe:\n{}", failures.join("\n"));
}

/// Requests whose answers are checked against the document: sent at once,
/// kept in order.
struct Cases<'a> {
    s: &'a Server,
    http: reqwest::blocking::Client,
    out: Vec<(String, String, Answer, u16)>,
}

impl Cases<'_> {
    fn request(&self, method: &str, path: &str, token: &str) -> reqwest::blocking::RequestBuilder {
        self.http.request(method.parse().unwrap(), self.s.url(path)).bearer_auth(token)
    }

    /// Sends `r`, keeps its answer (expected to be `status`), and hands back
    /// the JSON body (or null) and the `ETag` (or "").
    fn send(&mut self, status: u16, method: &str, path: &str, r: reqwest::blocking::RequestBuilder) -> (Value, String) {
        let a = send(r);
        let body = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
        let etag = a.headers.get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let bare = path.split('?').next().unwrap_or(path);
        self.out.push((method.to_string(), bare.to_string(), a, status));
        (body, etag)
    }

    fn call(&mut self, status: u16, method: &str, path: &str, token: &str) -> (Value, String) {
        let r = self.request(method, path, token);
        self.send(status, method, path, r)
    }

    fn json(&mut self, status: u16, method: &str, path: &str, token: &str, body: Value) -> (Value, String) {
        let r = self.request(method, path, token).json(&body);
        self.send(status, method, path, r)
    }

    /// A JSON body sent with `If-Match`.
    fn json_if(
        &mut self,
        status: u16,
        method: &str,
        path: &str,
        token: &str,
        tag: &str,
        body: Value,
    ) -> (Value, String) {
        let r = self.request(method, path, token).header("if-match", tag).json(&body);
        self.send(status, method, path, r)
    }
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

/// The rest of `/me`, `/users` and the social routes with real data: ada
/// makes a group and posts, bea joins, comments, reports and makes a closed
/// group with a post ada cannot see; an application's own token is refused
/// writes; cy spends the write budget.
fn social_cases(s: &Server) -> Vec<(String, String, Answer, u16)> {
    for m in ["bea", "cy"] {
        add_member(s, m);
    }
    let (client, secret) = register(
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
            "--scope",
            "email",
            "--scope",
            "push",
        ],
    );
    let secret = secret.unwrap();
    let [ada, bea, cy] = ["ada", "bea", "cy"].map(|m| password_token(s, &client, &secret, m));
    let robot: Value = s
        .client()
        .post(s.url("/oauth2/token"))
        .basic_auth(&client, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let robot = robot["access_token"].as_str().unwrap().to_string();
    // Without `events:read`: its `GET /me` has no `calendar_url`, so it is
    // revalidated with a 304.
    let profile_only: Value = s
        .client()
        .post(s.url("/oauth2/token"))
        .basic_auth(&client, Some(&secret))
        .form(&[("grant_type", "password"), ("username", "ada"), ("password", PASSWORD), ("scope", "profile email")])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let profile_only = profile_only["access_token"].as_str().unwrap().to_string();
    let mut c = Cases { s, http: s.client(), out: vec![] };

    // The profile: read, revalidated, changed with If-Match (and refused
    // when stale or with an unknown field), the avatar every way it comes.
    let (me, tag) = c.call(200, "GET", "/api/v1/me", &ada);
    assert_eq!(me["email"], "ada@example.org", "the email scope adds the address: {me}");
    let r = c.request("GET", "/api/v1/me", &profile_only).header("if-none-match", &tag);
    c.send(304, "GET", "/api/v1/me", r);
    let r = c.request("GET", "/api/v1/me", &ada).header("if-none-match", &tag);
    c.send(200, "GET", "/api/v1/me", r);
    let (me, _) = c.json_if(200, "PATCH", "/api/v1/me", &ada, &tag, json!({"bio": "Counts.\nComputes."}));
    assert_eq!(me["bio"], "Counts.\nComputes.");
    c.json_if(412, "PATCH", "/api/v1/me", &ada, &tag, json!({"bio": "stale"}));
    c.json(422, "PATCH", "/api/v1/me", &ada, json!({"nickname": "Countess"}));
    let picture = crate::me::png(40, 30);
    let r = c.request("PUT", "/api/v1/me/avatar", &ada).header("content-type", "image/png").body(picture.clone());
    let (me, _) = c.send(200, "PUT", "/api/v1/me/avatar", r);
    assert!(me["avatar_url"].is_string(), "{me}");
    let (ct, form) = crate::me::multipart(&[("avatar", "image/png", &picture)]);
    let r = c.request("PUT", "/api/v1/me/avatar", &ada).header("content-type", ct).body(form);
    c.send(200, "PUT", "/api/v1/me/avatar", r);
    let r = c.request("PUT", "/api/v1/me/avatar", &ada).header("content-type", "text/plain").body("a picture");
    c.send(415, "PUT", "/api/v1/me/avatar", r);
    let r = c.request("PUT", "/api/v1/me/avatar", &ada).header("content-type", "image/png").body("not a png");
    c.send(422, "PUT", "/api/v1/me/avatar", r);
    let r = c
        .request("PUT", "/api/v1/me/avatar", &ada)
        .header("content-type", "image/png")
        .body(vec![0u8; 3 * 1024 * 1024]);
    c.send(413, "PUT", "/api/v1/me/avatar", r);
    c.call(204, "DELETE", "/api/v1/me/avatar", &ada);
    let (link, _) = c.call(201, "POST", "/api/v1/me/login-link", &ada);
    assert!(link["url"].is_string() && link["expires_at"].is_string(), "{link}");
    // A password change ends other applications' tokens: bea's, whose only
    // application is the caller (it keeps its grant).
    c.json(422, "POST", "/api/v1/me/password", &bea, json!({}));
    c.json(403, "POST", "/api/v1/me/password", &robot, json!({"current_password": PASSWORD, "new_password": "x"}));
    let change = json!({"current_password": PASSWORD, "new_password": "a brand new passphrase 7"});
    c.json(204, "POST", "/api/v1/me/password", &bea, change);

    // Members.
    let (bea_me, _) = c.call(200, "GET", "/api/v1/users/me", &bea);
    let bea_id = id_of(&bea_me);
    let (cy_me, _) = c.call(200, "GET", "/api/v1/users/me", &cy);
    let cy_id = id_of(&cy_me);
    c.call(200, "GET", "/api/v1/users", &ada);
    c.call(200, "GET", "/api/v1/users?q=be&limit=1", &robot);
    c.call(200, "GET", &format!("/api/v1/users/{bea_id}"), &robot);
    c.call(404, "GET", "/api/v1/users/abc", &ada);
    c.call(403, "GET", "/api/v1/users/me", &robot);
    c.call(422, "GET", "/api/v1/users?cursor=AAAA", &ada);

    // Groups: made, refused (validation, an unknown field, an application on
    // its own), listed, changed with If-Match, joined.
    let (g, g_tag) =
        c.json(201, "POST", "/api/v1/groups", &ada, json!({"name": "Gardeners", "description": "Soil and seeds"}));
    let g = id_of(&g);
    c.json(422, "POST", "/api/v1/groups", &ada, json!({"description": "no name"}));
    c.json(422, "POST", "/api/v1/groups", &ada, json!({"name": "Painters", "colour": "red"}));
    c.json(403, "POST", "/api/v1/groups", &robot, json!({"name": "Robots"}));
    c.call(200, "GET", "/api/v1/groups", &ada);
    c.call(200, "GET", "/api/v1/groups?mine=true&q=garden&limit=5", &ada);
    c.call(422, "GET", "/api/v1/groups?mine=maybe", &ada);
    c.call(422, "GET", "/api/v1/groups?limit=0", &ada);
    // A number, a boolean or a time given empty is none (the document
    // says which type), not the same as left out.
    c.call(422, "GET", "/api/v1/groups?limit=", &ada);
    c.call(422, "GET", "/api/v1/groups?mine=", &ada);
    c.call(200, "GET", &format!("/api/v1/groups/{g}"), &bea);
    c.call(200, "GET", &format!("/api/v1/groups/{g}"), &robot);
    c.call(404, "GET", "/api/v1/groups/abc", &ada);
    let path = format!("/api/v1/groups/{g}");
    c.json_if(200, "PATCH", &path, &ada, &g_tag, json!({"description": "Soil, seeds and sun"}));
    c.json_if(412, "PATCH", &path, &ada, &g_tag, json!({"description": "stale"}));
    c.json(403, "PATCH", &path, &bea, json!({"name": "Mine"}));
    c.json(422, "PATCH", &path, &ada, json!({"membership": "ajar"}));
    c.call(201, "PUT", &format!("{path}/members/me"), &bea);
    c.call(200, "PUT", &format!("{path}/members/me"), &bea);
    c.json(200, "PUT", &format!("{path}/members/{bea_id}"), &ada, json!({"role": "member"}));
    c.call(409, "PUT", &format!("{path}/members/{cy_id}"), &ada);
    // Its optional body is read whole, as far as the API's JSON limit.
    let big = format!("{{\"role\": \"{}\"}}", "x".repeat(100 * 1024));
    let r = c.request("PUT", &format!("{path}/members/me"), &bea).header("content-type", "application/json").body(big);
    c.send(413, "PUT", &format!("{path}/members/me"), r);
    c.call(200, "GET", &format!("{path}/members"), &bea);
    let (board, _) = c.json(
        201,
        "POST",
        "/api/v1/groups",
        &bea,
        json!({"name": "Board", "membership": "closed", "access": "members"}),
    );
    let board = id_of(&board);
    let (secret_post, _) =
        c.json(201, "POST", "/api/v1/posts", &bea, json!({"group": board, "body": "Budget draft", "access": "group"}));
    let secret_post = id_of(&secret_post);
    c.call(404, "GET", &format!("/api/v1/posts/{secret_post}"), &ada);

    // Posts: written, refused, found by every filter, changed, liked.
    let seeds = json!({"group": g, "body": "Seed swap Saturday", "access": "public", "tags": ["Seeds", "#swap"]});
    let (p, p_tag) = c.json(201, "POST", "/api/v1/posts", &ada, seeds);
    let p = id_of(&p);
    let article = json!({"kind": "article", "title": "On soil", "body": "A long read.", "tags": ["soil"]});
    let (article, _) = c.json(201, "POST", "/api/v1/posts", &ada, article);
    let article = id_of(&article);
    c.json(422, "POST", "/api/v1/posts", &ada, json!({"body": "Hello", "mood": "happy"}));
    c.json(422, "POST", "/api/v1/posts", &ada, json!({"kind": "article", "body": "No title"}));
    c.json(403, "POST", "/api/v1/posts", &robot, json!({"body": "Beep"}));
    c.call(200, "GET", "/api/v1/posts", &ada);
    c.call(200, "GET", &format!("/api/v1/posts?group={g}&tag=seeds"), &bea);
    let window = "since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z";
    c.call(200, "GET", &format!("/api/v1/posts?author=me&{window}&q=seed&limit=1"), &ada);
    c.call(200, "GET", "/api/v1/posts", &robot);
    c.call(422, "GET", "/api/v1/posts?since=yesterday", &ada);
    c.call(422, "GET", "/api/v1/posts?until=", &ada);
    c.call(403, "GET", "/api/v1/posts?author=me", &robot);
    c.call(404, "GET", "/api/v1/posts?group=999999", &ada);
    let path = format!("/api/v1/posts/{p}");
    c.call(200, "GET", &path, &bea);
    // Ids are digits (the document's pattern): `+7` is no id.
    c.call(404, "GET", &format!("/api/v1/posts/+{p}"), &bea);
    c.call(404, "GET", &format!("/api/v1/users/+{bea_id}"), &ada);
    c.json_if(200, "PATCH", &path, &ada, &p_tag, json!({"body": "Seed swap Saturday, at ten"}));
    c.json_if(412, "PATCH", &path, &ada, &p_tag, json!({"body": "stale"}));
    c.json(403, "PATCH", &path, &bea, json!({"body": "Mine now"}));
    let (liked, _) = c.call(200, "PUT", &format!("{path}/like"), &bea);
    assert_eq!((liked["liked_by_me"].as_bool(), liked["like_count"].as_u64()), (Some(true), Some(1)), "{liked}");
    c.call(200, "DELETE", &format!("{path}/like"), &bea);
    c.call(404, "PUT", "/api/v1/posts/abc/like", &bea);

    // Comments and reports.
    let (cm, cm_tag) = c.json(201, "POST", &format!("{path}/comments"), &bea, json!({"body": "I'll bring tomatoes."}));
    let cm = id_of(&cm);
    let (reply, _) = c.json(201, "POST", &format!("{path}/comments"), &ada, json!({"body": "Great!", "parent": cm}));
    let reply = id_of(&reply);
    c.json(422, "POST", &format!("{path}/comments"), &bea, json!({"body": "  "}));
    c.json(404, "POST", &format!("/api/v1/posts/{secret_post}/comments"), &ada, json!({"body": "?"}));
    c.call(200, "GET", &format!("{path}/comments"), &ada);
    c.call(200, "GET", &format!("{path}/comments?limit=1"), &robot);
    let cpath = format!("/api/v1/comments/{cm}");
    c.call(200, "GET", &cpath, &ada);
    c.json_if(200, "PATCH", &cpath, &bea, &cm_tag, json!({"body": "I'll bring tomatoes and beans."}));
    c.json_if(412, "PATCH", &cpath, &bea, &cm_tag, json!({"body": "stale"}));
    c.json(422, "PATCH", &cpath, &bea, json!({"parent": reply}));
    // An object, not the array of its fields that serde would read too.
    c.json(422, "PATCH", &cpath, &bea, json!(["Changed?", null]));
    c.json(422, "POST", "/api/v1/groups", &ada, json!(["Array", null, null, null]));
    c.json(403, "PATCH", &cpath, &ada, json!({"body": "Not mine"}));
    let (report, _) = c.json(201, "POST", &format!("{path}/report"), &bea, json!({"reason": "Off topic"}));
    assert_eq!((report["status"].as_str(), report["comment"].is_null()), (Some("open"), true), "{report}");
    c.json(201, "POST", &format!("/api/v1/comments/{reply}/report"), &bea, json!({"reason": "Rude"}));
    c.json(422, "POST", &format!("{path}/report"), &bea, json!({}));
    c.json(403, "POST", &format!("{path}/report"), &robot, json!({"reason": "Beep"}));

    // Tags, a page at a time with their own cursor.
    c.call(200, "GET", "/api/v1/tags", &ada);
    let (tags, _) = c.call(200, "GET", "/api/v1/tags?q=s&limit=1", &ada);
    let next = tags["next_cursor"].as_str().unwrap_or_else(|| panic!("two tags start with s: {tags}")).to_string();
    c.call(200, "GET", &format!("/api/v1/tags?q=s&limit=1&cursor={next}"), &ada);
    c.call(422, "GET", "/api/v1/tags?cursor=_w", &ada);

    // Activity.
    let (river, _) = c.call(200, "GET", &format!("/api/v1/groups/{g}/activity"), &bea);
    assert!(river["unread"].is_u64(), "a member has an unread count: {river}");
    c.call(204, "POST", &format!("/api/v1/groups/{g}/activity/read"), &bea);
    c.call(403, "POST", &format!("/api/v1/groups/{g}/activity/read"), &cy);
    c.call(200, "GET", &format!("/api/v1/groups/{g}/activity?limit=1"), &robot);
    c.call(200, "GET", "/api/v1/activity", &ada);
    c.call(403, "GET", "/api/v1/activity", &robot);

    // Friends, the feed and shares.
    let ada_id = id_of(&c.call(200, "GET", "/api/v1/users/me", &ada).0);
    c.call(200, "PUT", &format!("/api/v1/users/{ada_id}/friend"), &bea);
    c.call(200, "GET", "/api/v1/me/friend-requests", &ada);
    c.call(200, "GET", "/api/v1/me/friend-requests?direction=outgoing", &bea);
    c.call(422, "GET", "/api/v1/me/friend-requests?direction=up", &bea);
    c.call(200, "PUT", &format!("/api/v1/users/{bea_id}/friend"), &ada);
    c.call(200, "GET", "/api/v1/me/friends", &ada);
    c.call(422, "PUT", "/api/v1/users/me/friend", &ada);
    c.call(404, "PUT", "/api/v1/users/999999/friend", &ada);
    c.call(403, "PUT", &format!("/api/v1/users/{ada_id}/friend"), &robot);
    let (close, _) = c.json(201, "POST", "/api/v1/posts", &ada, json!({"body": "For friends", "access": "friends"}));
    let close = id_of(&close);
    c.json(201, "POST", &format!("/api/v1/posts/{close}/share"), &bea, json!({"body": "Shared"}));
    c.json(422, "POST", &format!("/api/v1/posts/{close}/share"), &bea, json!({"access": "public"}));
    c.call(404, "POST", "/api/v1/posts/999999/share", &bea);
    c.call(200, "GET", "/api/v1/me/feed?limit=1", &bea);
    c.call(403, "GET", "/api/v1/me/feed", &robot);
    c.call(204, "DELETE", &format!("/api/v1/users/{ada_id}/friend"), &bea);
    // Files and folders (their bytes are not JSON: files.rs checks those).
    let boundary = "openapi-boundary-x8";
    let form = |parts: &[(&str, Option<&str>, &str)]| {
        let mut body = String::new();
        for (name, file, value) in parts {
            let file = file.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        body
    };
    let multipart = format!("multipart/form-data; boundary={boundary}");
    let upload = |c: &Cases, parts: &[(&str, Option<&str>, &str)]| {
        c.request("POST", "/api/v1/files", &ada).header("content-type", &multipart).body(form(parts))
    };
    let r = upload(&c, &[("group", None, &g), ("file", Some("seeds.csv"), "name,count\ntomato,3\n")]);
    let (file, file_tag) = c.send(201, "POST", "/api/v1/files", r);
    let file = id_of(&file);
    let r = upload(&c, &[("group", None, &g)]);
    c.send(422, "POST", "/api/v1/files", r);
    let r = upload(&c, &[("file", Some("x.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")]);
    c.send(415, "POST", "/api/v1/files", r);
    c.json(415, "POST", "/api/v1/files", &ada, json!({"file": "x"}));
    let (folder, _) = c.json(201, "POST", "/api/v1/folders", &ada, json!({"name": "Seeds", "group": g}));
    let folder = id_of(&folder);
    c.json(422, "POST", "/api/v1/folders", &ada, json!({"name": "..", "group": g}));
    c.json(422, "POST", "/api/v1/folders", &ada, json!({"name": "x", "colour": "red"}));
    let (_, folder_tag) = c.call(200, "GET", &format!("/api/v1/folders/{folder}"), &bea);
    let renamed = json!({"name": "Seed lists"});
    c.json_if(200, "PATCH", &format!("/api/v1/folders/{folder}"), &ada, &folder_tag, renamed);
    c.json(422, "PATCH", &format!("/api/v1/folders/{folder}"), &ada, json!({"parent": folder}));
    c.json(403, "PATCH", &format!("/api/v1/folders/{folder}"), &bea, json!({"name": "Mine"}));
    let moved = json!({"folder": folder, "access": "members"});
    c.json_if(200, "PATCH", &format!("/api/v1/files/{file}"), &ada, &file_tag, moved);
    c.json_if(412, "PATCH", &format!("/api/v1/files/{file}"), &ada, &file_tag, json!({"name": "stale.csv"}));
    c.json(422, "PATCH", &format!("/api/v1/files/{file}"), &ada, json!({"name": "a/b"}));
    c.call(200, "GET", &format!("/api/v1/files?group={g}"), &bea);
    // The feed with both kinds of item (the upload among the group's activity).
    let (feed, _) = c.call(200, "GET", "/api/v1/me/feed?limit=100", &bea);
    let types: Vec<&str> = feed["items"].as_array().unwrap().iter().filter_map(|i| i["type"].as_str()).collect();
    assert!(types.contains(&"post") && types.contains(&"activity"), "{feed}");
    let uploaded = feed["items"].as_array().unwrap().iter().any(|i| i["activity"]["kind"] == "file_uploaded");
    assert!(uploaded, "{feed}");
    c.call(200, "GET", "/api/v1/me/feed?type=activity&limit=1", &bea);
    c.call(422, "GET", "/api/v1/me/feed?type=likes", &bea);
    c.call(200, "GET", &format!("/api/v1/files?folder={folder}&limit=1"), &bea);
    c.call(200, "GET", &format!("/api/v1/folders/{folder}"), &bea);
    c.call(200, "GET", "/api/v1/files", &ada);
    c.call(403, "GET", "/api/v1/files", &robot);
    c.call(404, "GET", "/api/v1/files?group=999999", &ada);
    c.call(422, "GET", "/api/v1/files?folder=x", &ada);
    c.call(200, "GET", &format!("/api/v1/files/{file}"), &cy);
    c.call(404, "GET", &format!("/api/v1/files/{file}"), &robot);
    c.call(404, "GET", &format!("/api/v1/files/{file}/preview"), &ada);
    let r = c.request("GET", &format!("/api/v1/files/{file}/content"), &ada).header("range", "bytes=99999-");
    c.send(416, "GET", &format!("/api/v1/files/{file}/content"), r);
    c.call(404, "GET", &format!("/api/v1/files/{file}/content"), &robot);
    c.call(409, "DELETE", &format!("/api/v1/folders/{folder}"), &ada);
    c.call(422, "DELETE", &format!("/api/v1/folders/{folder}?recursive=maybe"), &ada);
    c.call(204, "DELETE", &format!("/api/v1/folders/{folder}?recursive=true"), &ada);
    c.call(404, "DELETE", &format!("/api/v1/files/{file}"), &ada);

    // Deletes, with If-Match; the last admin cannot leave.
    c.call(204, "DELETE", &format!("/api/v1/comments/{reply}"), &ada);
    c.call(404, "GET", &format!("/api/v1/comments/{reply}"), &ada);
    let r = c.request("DELETE", &format!("/api/v1/posts/{article}"), &ada).header("if-match", "\"r999\"");
    c.send(412, "DELETE", &format!("/api/v1/posts/{article}"), r);
    c.call(204, "DELETE", &format!("/api/v1/posts/{article}"), &ada);
    c.call(404, "GET", &format!("/api/v1/posts/{article}"), &ada);
    c.call(409, "DELETE", &format!("/api/v1/groups/{g}/members/me"), &ada);
    c.call(204, "DELETE", &format!("/api/v1/groups/{g}/members/me"), &bea);
    c.call(404, "DELETE", &format!("/api/v1/groups/{g}/members/{cy_id}"), &ada);
    let r = c.request("DELETE", &format!("/api/v1/groups/{board}"), &bea).header("if-match", "\"r999\"");
    c.send(412, "DELETE", &format!("/api/v1/groups/{board}"), r);
    c.call(204, "DELETE", &format!("/api/v1/groups/{board}"), &bea);
    c.call(404, "GET", &format!("/api/v1/groups/{board}"), &bea);

    event_cases(&mut c, &client, &secret, &robot);
    // Push: fay's devices and preferences, the VAPID key.
    add_member(s, "fay");
    let fay = password_token(s, &client, &secret, "fay");
    let subs = "/api/v1/me/push-subscriptions";
    c.call(200, "GET", "/api/v1/push/vapid-public-key", &robot);
    c.call(403, "GET", subs, &robot);
    let (sub, _) =
        c.json(201, "POST", subs, &fay, json!({"service": "apns", "token": "d0c", "environment": "sandbox"}));
    c.json(200, "POST", subs, &fay, json!({"service": "apns", "token": "d0c"}));
    let key = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    let inside = json!({"service": "webpush", "endpoint": "https://127.0.0.1/w", "keys": {"p256dh": key, "auth": "BTBZMqHH6r4Tts7J_aSIgg"}});
    c.json(422, "POST", subs, &fay, inside);
    c.call(200, "GET", subs, &fay);
    c.call(204, "DELETE", &format!("{subs}/{}", id_of(&sub)), &fay);
    c.call(404, "DELETE", &format!("{subs}/{}", id_of(&sub)), &fay);
    let prefs = "/api/v1/me/push-preferences";
    c.call(200, "GET", prefs, &fay);
    let quiet = json!({"groups": {"1": false}, "quiet_hours": {"from": "22:00", "to": "07:00", "time_zone": "UTC"}});
    c.json(200, "PUT", prefs, &fay, quiet);
    c.json(422, "PUT", prefs, &fay, json!({"groups": {"one": true}}));

    // cy spends the write budget: the next write is a 429 with Retry-After.
    for _ in 0..WRITES_PER_MINUTE {
        let r = send(c.request("PUT", &format!("{path}/like"), &cy));
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
    c.call(429, "PUT", &format!("{path}/like"), &cy);
    c.out
}

/// Events, enrollments and the activity they leave, by two new members
/// (their own write budgets); the calendars answer in `text/calendar`,
/// which the checker does not read, so only their refusals are here.
fn event_cases(c: &mut Cases<'_>, client: &str, secret: &str, robot: &str) {
    for m in ["dee", "eve"] {
        add_member(c.s, m);
    }
    let [dee, eve] = ["dee", "eve"].map(|m| password_token(c.s, client, secret, m));
    let soon = |h: i64| {
        let t = time::OffsetDateTime::now_utc() + time::Duration::hours(h);
        t.replace_nanosecond(0).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap()
    };
    let (group, _) = c.json(201, "POST", "/api/v1/groups", &dee, json!({"name": "Choir"}));
    let group = id_of(&group);
    c.call(201, "PUT", &format!("/api/v1/groups/{group}/members/me"), &eve);
    let body = json!({"group": group, "title": "Rehearsal", "start": soon(20), "end": soon(22), "capacity": 1});
    let (event, tag) = c.json(201, "POST", "/api/v1/events", &dee, body);
    let e = id_of(&event);
    let past = json!({"title": "Done", "start": soon(-3), "end": soon(-2), "access": "public"});
    let (past, _) = c.json(201, "POST", "/api/v1/events", &dee, past);
    let past = id_of(&past);
    c.json(422, "POST", "/api/v1/events", &dee, json!({"title": "x", "start": soon(2), "end": soon(1)}));
    c.json(403, "POST", "/api/v1/events", robot, json!({"title": "x", "start": soon(1), "end": soon(2)}));
    c.call(200, "GET", "/api/v1/events", &eve);
    c.call(200, "GET", &format!("/api/v1/events?group={group}&from={}&limit=1", soon(-5).replace('+', "%2B")), &eve);
    c.call(422, "GET", "/api/v1/events?from=soon", &eve);
    c.call(404, "GET", "/api/v1/events?group=999999", &eve);
    c.call(200, "GET", &format!("/api/v1/events/{e}"), &eve);
    c.call(404, "GET", &format!("/api/v1/events/{e}"), robot);
    c.json_if(200, "PATCH", &format!("/api/v1/events/{e}"), &dee, &tag, json!({"location": "Church hall"}));
    c.json_if(412, "PATCH", &format!("/api/v1/events/{e}"), &dee, &tag, json!({"location": "Crypt"}));
    c.json(403, "PATCH", &format!("/api/v1/events/{e}"), &eve, json!({"location": "Pub"}));
    c.json(422, "PATCH", &format!("/api/v1/events/{e}"), &dee, json!({"capacity": -1}));
    c.call(201, "PUT", &format!("/api/v1/events/{e}/enrollments/me"), &eve);
    c.call(200, "PUT", &format!("/api/v1/events/{e}/enrollments/me"), &eve);
    let (full, _) = c.call(409, "PUT", &format!("/api/v1/events/{e}/enrollments/me"), &dee);
    assert_eq!(full["type"], "tag:latchkey,2026:event-full", "{full}");
    c.call(409, "PUT", &format!("/api/v1/events/{past}/enrollments/me"), &eve);
    c.call(200, "GET", &format!("/api/v1/events/{e}/enrollments?limit=1"), &dee);
    c.call(422, "GET", &format!("/api/v1/events/{e}/enrollments?limit=0"), &dee);
    c.call(204, "DELETE", &format!("/api/v1/events/{e}/enrollments/me"), &eve);
    c.call(403, "DELETE", &format!("/api/v1/events/{e}/enrollments/me"), robot);
    let (river, _) = c.call(200, "GET", &format!("/api/v1/groups/{group}/activity"), &eve);
    assert_eq!(river["items"][0]["kind"], "unenrolled", "{river}");
    c.call(404, "GET", "/api/v1/me/calendar.ics?token=nope", &eve);
    c.call(403, "DELETE", &format!("/api/v1/events/{e}"), &eve);
    c.call(204, "DELETE", &format!("/api/v1/events/{e}"), &dee);
    c.call(404, "DELETE", &format!("/api/v1/events/{e}"), &dee);
}

/// The checker itself: what it must refuse, so that a handler returning
/// something undocumented cannot pass unnoticed.
#[test]
fn openapi_checker_refuses_what_the_document_does_not_describe() {
    let s = Server::start();
    let doc = Document::fetch(&s);
    let answer = |status: u16, media: &str, body: Value| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("content-type", media.parse().unwrap());
        headers.insert("www-authenticate", "Bearer realm=\"latchkey\"".parse().unwrap());
        headers.insert("etag", "\"r1\"".parse().unwrap());
        headers.insert("location", "https://localhost/api/v1/groups/1".parse().unwrap());
        headers.insert("retry-after", "60".parse().unwrap());
        let body = if body.is_null() { vec![] } else { serde_json::to_vec(&body).unwrap() };
        Answer { status, headers, body }
    };
    let me = json!({
        "id": "1", "username": "ada", "display_name": "Ada", "avatar_url": null, "bio": "",
        "created_at": "2026-11-23T15:54:00Z"
    });
    doc.check("GET", "/api/v1/me", &answer(200, "application/json", me.clone())).unwrap();
    let mut with_email = me.clone();
    with_email["email"] = json!("ada@example.org");
    doc.check("GET", "/api/v1/me", &answer(200, "application/json", with_email)).unwrap();
    let group = json!({
        "id": "7", "name": "Gardeners", "description": "", "membership": "open", "access": "public",
        "member_count": 1, "unread": 0, "my_state": "member", "my_role": "admin", "created_by": "1",
        "created_at": "2026-11-23T15:54:00Z", "updated_at": "2026-11-23T15:54:00Z"
    });
    doc.check("POST", "/api/v1/groups", &answer(201, "application/json", group.clone())).unwrap();
    let mut ajar = group.clone();
    ajar["membership"] = json!("ajar");
    let mut no_etag = answer(201, "application/json", group.clone());
    no_etag.headers.remove("etag");
    let mut no_location = answer(201, "application/json", group);
    no_location.headers.remove("location");
    let too_many = json!({"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": "x"});
    doc.check("POST", "/api/v1/groups", &answer(429, "application/problem+json", too_many.clone())).unwrap();
    let mut no_retry = answer(429, "application/problem+json", too_many);
    no_retry.headers.remove("retry-after");
    let mut extra = me.clone();
    extra["is_admin"] = json!(true);
    let mut missing = me.clone();
    missing.as_object_mut().unwrap().remove("username");
    let mut bad_time = me.clone();
    bad_time["created_at"] = json!("yesterday");
    let problem = json!({"type": "about:blank", "title": "Not Found", "status": 404, "detail": "x"});
    let refused = [
        ("GET", "/api/v1/me", answer(200, "application/json", extra), "an undocumented field"),
        ("GET", "/api/v1/me", answer(200, "application/json", missing), "a missing field"),
        ("GET", "/api/v1/me", answer(200, "application/json", bad_time), "a time that is not RFC 3339"),
        ("GET", "/api/v1/me", answer(200, "text/html", me.clone()), "another media type"),
        ("GET", "/api/v1/me", answer(302, "application/json", Value::Null), "an undocumented status"),
        ("GET", "/api/v1/me", answer(404, "application/json", problem.clone()), "a problem as plain JSON"),
        ("GET", "/api/v1/me", answer(404, "application/problem+json", json!({"error": "x"})), "not a problem"),
        ("DELETE", "/api/v1/me/applications/x", answer(204, "application/json", me), "a body on a 204"),
        ("GET", "/api/v1/nothing", answer(200, "application/json", json!({})), "an undocumented path"),
        ("PUT", "/api/v1/me", answer(200, "application/json", json!({})), "an undocumented method"),
        ("POST", "/api/v1/groups", answer(201, "application/json", ajar), "a word not in the list"),
        ("POST", "/api/v1/groups", no_etag, "a 201 without its ETag"),
        ("POST", "/api/v1/groups", no_location, "a 201 without its Location"),
        ("POST", "/api/v1/groups", no_retry, "a 429 without Retry-After"),
    ];
    for (method, path, a, why) in refused {
        assert!(doc.check(method, path, &a).is_err(), "the checker let through {why}");
    }
    let mut no_challenge = answer(401, "application/problem+json", problem);
    no_challenge.headers.remove("www-authenticate");
    assert!(doc.check("GET", "/api/v1/me", &no_challenge).is_err(), "a 401 without WWW-Authenticate");
}

/// `(METHOD, /api/...)` of every `resource("PATH", "METHODS")` in
/// `src/api/` (mod.rs holds the helper and its own tests, no route). The
/// description itself (`/api/openapi.json`, `/api/doc...`) is left out.
fn served_routes() -> BTreeSet<(String, String)> {
    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let api = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut paths = vec![];
    files(&api, &mut paths);
    let mut out = BTreeSet::new();
    for file in paths.iter().filter(|p| !p.ends_with("mod.rs")) {
        let src = std::fs::read_to_string(file).unwrap();
        let name = file.strip_prefix(&api).unwrap().display().to_string();
        for other in ["web::resource(", "web::scope(", ".route(\"", "cfg.route("] {
            assert!(
                !src.contains(other),
                "{name}: routes under /api are registered with resource(PATH, METHODS), not {other}, \
                 so that this test finds them"
            );
        }
        for (at, _) in src.match_indices("resource(") {
            let before = src[..at].chars().last().unwrap_or(' ');
            if before.is_alphanumeric() || before == '_' || before == ':' {
                continue;
            }
            let literals = |rest: &str| -> Option<(String, String)> {
                let rest = rest.trim_start().strip_prefix('"')?;
                let (path, rest) = rest.split_once('"')?;
                let rest = rest.trim_start().strip_prefix(',')?.trim_start().strip_prefix('"')?;
                let (methods, _) = rest.split_once('"')?;
                Some((path.to_string(), methods.to_string()))
            };
            let (path, methods) = literals(&src[at + "resource(".len()..]).unwrap_or_else(|| {
                let line = src[..at].lines().count();
                panic!("{name}:{line}: resource(...) must name its path and methods as literals")
            });
            // `{id:\d+}` is `{id}` in the document.
            let path: String = path
                .split('/')
                .map(|seg| match seg.split_once(':') {
                    Some((p, _)) if seg.starts_with('{') => format!("{p}}}"),
                    _ => seg.to_string(),
                })
                .collect::<Vec<_>>()
                .join("/");
            let full = format!("/api{path}");
            if full == "/api/openapi.json" || full == "/api/doc" || full.starts_with("/api/doc/") {
                continue;
            }
            for m in methods.split(',') {
                out.insert((m.trim().to_string(), full.clone()));
            }
        }
    }
    out
}

#[test]
fn openapi_documents_every_route_under_api() {
    let s = Server::start();
    let doc = Document::fetch(&s);
    let served = served_routes();
    assert!(served.len() >= 4, "the scan found the routes: {served:?}");
    let mut documented = BTreeSet::new();
    for (path, item) in doc.0["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let missing: Vec<_> = served.difference(&documented).collect();
    assert!(missing.is_empty(), "served but not in /api/openapi.json (see src/api/doc.rs): {missing:?}");
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(unserved.is_empty(), "documented but not served: {unserved:?}");
    // And the server does answer each (a credential is asked for, or the
    // index answers): neither the API's 404 for an unknown address nor 405.
    let http = s.client();
    for (method, path) in &served {
        let concrete: String =
            path.split('/').map(|seg| if seg.starts_with('{') { "x" } else { seg }).collect::<Vec<_>>().join("/");
        let r = http.request(method.parse().unwrap(), s.url(&concrete)).send().unwrap();
        let status = r.status().as_u16();
        let body = r.text().unwrap();
        assert!(
            status != 405 && !body.contains("There is no API resource at this address"),
            "{method} {path}: the server does not serve it ({status} {body})"
        );
    }
}
