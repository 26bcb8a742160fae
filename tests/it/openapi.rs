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
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

fn send(r: reqwest::blocking::RequestBuilder) -> Answer {
    let r = r.send().unwrap();
    Answer { status: r.status().as_u16(), headers: r.headers().clone(), body: r.bytes().unwrap().to_vec() }
}

struct Document(Value);

impl Document {
    fn fetch(s: &Server) -> Document {
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
    fn check(&self, method: &str, path: &str, a: &Answer) -> Result<(), String> {
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
            let promised = name == "ETag" || (name == "WWW-Authenticate" && a.status == 401);
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

#[test]
fn openapi_document_describes_live_answers() {
    let s = Server::start();
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
        let body = if body.is_null() { vec![] } else { serde_json::to_vec(&body).unwrap() };
        Answer { status, headers, body }
    };
    let me = json!({"id": "1", "username": "ada", "display_name": "Ada", "created_at": "2026-11-23T15:54:00Z"});
    doc.check("GET", "/api/v1/me", &answer(200, "application/json", me.clone())).unwrap();
    let mut extra = me.clone();
    extra["email"] = json!("ada@example.org");
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
