//! Files, folders, previews and attachments against a real server, every
//! route and refusal through both an OAuth 2.0 bearer token and an OAuth
//! 1.0a signed request; byte ranges; the server's peak memory during a
//! 200 MiB upload; and a crash in the middle of an upload.

use crate::harness::*;
use crate::social::{Community, Cred, R, add_members, call, oauth1_community, oauth2_community};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Read;

/// A request to `path` carrying the credential (an OAuth 1.0a signature
/// covers the query only: a multipart body is not signed, RFC 5849 §3.4.1.3).
fn signed(s: &Server, cred: &Cred, method: &str, path: &str) -> reqwest::blocking::RequestBuilder {
    let http = s.client();
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let req = http.request(m, s.url(path));
    match cred {
        Cred::Bearer(t) => req.bearer_auth(t),
        Cred::OAuth1 { consumer, token } => {
            use std::sync::atomic::{AtomicU64, Ordering};
            static N: AtomicU64 = AtomicU64::new(0);
            let (bare, query) = path.split_once('?').unwrap_or((path, ""));
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
            let extra: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let nonce = format!("f{}x{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
            let nonce = format!("{nonce}{}", crate::oauth1_client::now());
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
            req.header("authorization", h)
        }
    }
}

/// A part of a multipart body: name, file name, bytes.
type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

const BOUNDARY: &str = "latchkey-test-boundary-7MA4YWxkTrZu0gW";

fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = vec![];
    for (name, file, bytes) in parts {
        body.extend(format!("--{BOUNDARY}\r\n").bytes());
        match file {
            Some(f) => body.extend(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .bytes(),
            ),
            None => body.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").bytes()),
        }
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    body
}

fn as_r(r: reqwest::blocking::Response) -> R {
    let h = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (status, etag, location, retry_after, challenge, content_type) = (
        r.status().as_u16(),
        h("etag"),
        h("location"),
        h("retry-after"),
        h("www-authenticate"),
        h("content-type").unwrap_or_default(),
    );
    let text = r.text().unwrap_or_default();
    R {
        status,
        etag,
        location,
        retry_after,
        challenge,
        content_type,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

fn upload(s: &Server, cred: &Cred, parts: &[Part]) -> R {
    let r = signed(s, cred, "POST", "/api/v1/files")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(parts))
        .send()
        .unwrap();
    as_r(r)
}

/// Uploads `bytes` as `name` with the small fields given.
pub fn put_file(s: &Server, cred: &Cred, name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> R {
    let mut parts: Vec<Part> = fields.iter().map(|(k, v)| (*k, None, v.as_bytes())).collect();
    parts.push(("file", Some(name), bytes));
    upload(s, cred, &parts)
}

/// Status, headers and bytes of a GET.
fn fetch(s: &Server, cred: &Cred, path: &str, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = signed(s, cred, "GET", path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().unwrap();
    let (status, h) = (r.status().as_u16(), r.headers().clone());
    (status, h, r.bytes().unwrap().to_vec())
}

fn header(h: &reqwest::header::HeaderMap, name: &str) -> String {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn blob_path(s: &Server, sha: &str) -> std::path::PathBuf {
    s.dir.join("files").join(&sha[..2]).join(sha)
}

/// A PNG with a text chunk that holds a position, and (when `side` is
/// large) a header that claims more pixels than any decoder should make.
fn png_with_secret(side: u32) -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(side.min(600), (side / 2).min(300), |x, _| image::Rgb([(x % 256) as u8, 80, 160]));
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    // tEXt chunk after IHDR (8 + 25 bytes).
    let data = b"Comment\0GPS 52.3731N 4.8922E at home";
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend(b"tEXt");
    chunk.extend(data);
    chunk.extend(crc32(&chunk[4..]).to_be_bytes());
    let mut out = png[..33].to_vec();
    out.extend(chunk);
    out.extend(&png[33..]);
    if side > 600 {
        out[16..20].copy_from_slice(&side.to_be_bytes());
        out[20..24].copy_from_slice(&side.to_be_bytes());
        let crc = crc32(&out[12..29]);
        out[29..33].copy_from_slice(&crc.to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn ids(r: &R) -> Vec<(String, String)> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{r:?}"))
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_string(), i["id"].as_str().unwrap().to_string()))
        .collect()
}

fn scenario(s: &Server, c: &Community) {
    let p = |who: &Cred, m: &str, path: &str, b: Value| call(s, who, m, path, Some(&b), &[]);
    let g = |who: &Cred, path: &str| call(s, who, "GET", path, None, &[]);
    let group = p(&c.alice, "POST", "/api/v1/groups", json!({"name": "Archive"}));
    assert_eq!(group.status, 201, "{group:?}");
    let group = group.id();
    assert_eq!(call(s, &c.bob, "PUT", &format!("/api/v1/groups/{group}/members/me"), None, &[]).status, 201);

    // A text file into the group: the name loses its path and quotes, the type comes from the bytes.
    let text = b"minutes of the meeting\nall agreed\n".repeat(20);
    let up = put_file(s, &c.alice, "..\\..\\etc/min\tutes.txt", &text, &[("group", &group)]);
    assert_eq!(up.status, 201, "{up:?}");
    let file = up.id();
    assert_eq!(up.body["name"], "minutes.txt");
    assert_eq!((up.body["content_type"].as_str(), up.body["access"].as_str()), (Some("text/plain"), Some("group")));
    assert_eq!(up.body["sha256"].as_str().unwrap(), hex(&text));
    assert_eq!((up.body["size"].as_u64(), up.body["group"].as_str()), (Some(text.len() as u64), Some(group.as_str())));
    assert_eq!(up.body["preview_url"], Value::Null);
    assert!(up.location.as_deref().unwrap().ends_with(&format!("/api/v1/files/{file}")));
    assert!(blob_path(s, &hex(&text)).is_file(), "stored by its hash");

    // A UTF-8 name (`filename*`) is kept, and offered back in both forms.
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9.txt\r\n\r\nhello\r\n--{BOUNDARY}--\r\n"
    );
    let r = signed(s, &c.alice, "POST", "/api/v1/files")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .unwrap();
    let utf8 = as_r(r);
    assert_eq!((utf8.status, utf8.body["name"].as_str()), (201, Some("Résumé.txt")), "{utf8:?}");
    let (_, h, _) = fetch(s, &c.alice, &format!("/api/v1/files/{}/content", utf8.id()), &[]);
    assert_eq!(
        header(&h, "content-disposition"),
        "attachment; filename=\"R_sum_.txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9.txt"
    );

    // Who sees it: members; not an outsider, nor the application on its own.
    assert_eq!(g(&c.bob, &format!("/api/v1/files/{file}")).status, 200);
    for outsider in [&c.carol, &c.app] {
        assert_eq!(g(outsider, &format!("/api/v1/files/{file}")).status, 404);
        assert_eq!(fetch(s, outsider, &format!("/api/v1/files/{file}/content"), &[]).0, 404);
    }
    assert_eq!(g(&c.narrow, &format!("/api/v1/files/{file}")).status, 403, "files:read is needed");
    let outsider = put_file(s, &c.carol, "x.txt", b"hello", &[("group", &group)]);
    assert_eq!(outsider.status, 403, "{outsider:?}");

    // The bytes: headers, ranges, If-Range, If-None-Match.
    let path = format!("/api/v1/files/{file}/content");
    let (st, h, body) = fetch(s, &c.bob, &path, &[]);
    assert_eq!((st, body.as_slice()), (200, text.as_slice()));
    assert_eq!(header(&h, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(header(&h, "content-disposition"), "attachment; filename=\"minutes.txt\"; filename*=UTF-8''minutes.txt");
    assert_eq!(header(&h, "x-content-type-options"), "nosniff");
    assert_eq!(header(&h, "accept-ranges"), "bytes");
    let etag = header(&h, "etag");
    assert_eq!(etag, format!("\"{}\"", hex(&text)));
    let n = text.len();
    let (st, h, body) = fetch(s, &c.bob, &path, &[("range", "bytes=0-9")]);
    assert_eq!((st, body.as_slice(), header(&h, "content-range")), (206, &text[..10], format!("bytes 0-9/{n}")));
    let (st, h, body) = fetch(s, &c.bob, &path, &[("range", "bytes=-5")]);
    assert_eq!(
        (st, body.as_slice(), header(&h, "content-range")),
        (206, &text[n - 5..], format!("bytes {}-{}/{n}", n - 5, n - 1))
    );
    let (st, _, body) = fetch(s, &c.bob, &path, &[("range", "bytes=10-")]);
    assert_eq!((st, body.as_slice()), (206, &text[10..]));
    let (st, h, _) = fetch(s, &c.bob, &path, &[("range", &format!("bytes={n}-"))]);
    assert_eq!((st, header(&h, "content-range")), (416, format!("bytes */{n}")));
    let (st, _, body) = fetch(s, &c.bob, &path, &[("range", "bytes=0-3"), ("if-range", &etag)]);
    assert_eq!((st, body.len()), (206, 4));
    let (st, _, body) = fetch(s, &c.bob, &path, &[("range", "bytes=0-3"), ("if-range", "\"something-else\"")]);
    assert_eq!((st, body.len()), (200, n), "a changed file is sent whole");
    let many = format!("bytes={}", vec!["0-0"; 200].join(","));
    let (st, _, body) = fetch(s, &c.bob, &path, &[("range", &many)]);
    assert_eq!((st, body.len()), (200, n), "a list of ranges gets the whole file once");
    assert_eq!(fetch(s, &c.bob, &path, &[("if-none-match", &etag)]).0, 304);

    // An image: stored without its metadata, with a preview; a bomb is refused.
    let png = png_with_secret(600);
    let img = put_file(s, &c.alice, "holiday.png", &png, &[("group", &group), ("access", "members")]);
    assert_eq!(img.status, 201, "{img:?}");
    let image_id = img.id();
    assert_ne!(img.body["sha256"].as_str().unwrap(), hex(&png), "stored as cleaned");
    let (st, h, stored) = fetch(s, &c.carol, &format!("/api/v1/files/{image_id}/content"), &[]);
    assert_eq!((st, header(&h, "content-type")), (200, "image/png".to_string()), "members-level: carol sees it");
    assert!(header(&h, "content-disposition").starts_with("inline; "));
    assert!(!stored.windows(8).any(|w| w == b"GPS 52.3"), "no metadata is served");
    assert_eq!(image::load_from_memory(&stored).unwrap().width(), 600);
    let (st, h, prev) = fetch(s, &c.carol, &format!("/api/v1/files/{image_id}/preview"), &[]);
    assert_eq!(st, 200);
    assert!(header(&h, "content-type").starts_with("image/"));
    let pi = image::load_from_memory(&prev).unwrap();
    assert!(pi.width() <= 512 && pi.height() <= 512);
    assert_eq!(fetch(s, &c.bob, &format!("/api/v1/files/{file}/preview"), &[]).0, 404, "text has no preview");
    let bomb = put_file(s, &c.alice, "bomb.png", &png_with_secret(60_000), &[]);
    assert_eq!((bomb.status, bomb.body["errors"][0]["field"].as_str()), (422, Some("file")), "{bomb:?}");

    // Types off the allow-list, whatever they are called; and malformed forms.
    for (name, bytes) in [
        (
            "logo.png",
            &b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"[..],
        ),
        ("page.txt", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("tool.pdf", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"),
    ] {
        let r = put_file(s, &c.alice, name, bytes, &[]);
        assert_eq!((r.status, r.content_type.as_str()), (415, "application/problem+json"), "{name}: {r:?}");
    }
    let two = upload(s, &c.alice, &[("file", Some("a.txt"), b"a"), ("file", Some("b.txt"), b"b")]);
    assert_eq!((two.status, two.body["errors"][0]["field"].as_str()), (422, Some("file")), "{two:?}");
    let none = upload(s, &c.alice, &[("group", None, group.as_bytes())]);
    assert_eq!((none.status, none.body["errors"][0]["field"].as_str()), (422, Some("file")), "{none:?}");
    let empty = upload(s, &c.alice, &[("file", Some("a.txt"), b"")]);
    assert_eq!(empty.status, 422, "{empty:?}");
    let odd = upload(s, &c.alice, &[("colour", None, b"red"), ("file", Some("a.txt"), b"a")]);
    assert_eq!(odd.status, 422, "{odd:?}");
    let bad_access = put_file(s, &c.alice, "a.txt", b"a", &[("access", "group")]);
    assert_eq!((bad_access.status, bad_access.body["errors"][0]["field"].as_str()), (422, Some("access")));
    let json_body = p(&c.alice, "POST", "/api/v1/files", json!({"file": "x"}));
    assert_eq!(json_body.status, 415, "{json_body:?}");
    assert_eq!(put_file(s, &c.app, "a.txt", b"a", &[]).status, 403, "an application on its own has no files");

    // Own space: private by default, listed to its owner only.
    let mine = put_file(s, &c.bob, "notes.txt", b"bob's notes", &[]);
    assert_eq!((mine.status, mine.body["access"].as_str(), &mine.body["group"]), (201, Some("private"), &Value::Null));
    let mine = mine.id();
    assert_eq!(g(&c.alice, &format!("/api/v1/files/{mine}")).status, 404);
    assert_eq!(ids(&g(&c.bob, "/api/v1/files")), [("file".to_string(), mine.clone())]);
    assert!(ids(&g(&c.alice, "/api/v1/files")).iter().all(|(_, id)| *id != mine));
    assert_eq!(g(&c.app, "/api/v1/files").status, 403);

    // Folders: nest, list first, refuse loops, names and strangers.
    let docs = p(&c.alice, "POST", "/api/v1/folders", json!({"name": "Docs", "group": group}));
    assert_eq!(docs.status, 201, "{docs:?}");
    let docs = docs.id();
    for bad in ["..", "a/b", ""] {
        let r = p(&c.alice, "POST", "/api/v1/folders", json!({"name": bad, "group": group}));
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (422, Some("name")), "{bad:?}");
    }
    let sub = p(&c.bob, "POST", "/api/v1/folders", json!({"name": "Sub", "group": group, "parent": docs}));
    assert_eq!((sub.status, sub.body["parent"].as_str()), (201, Some(docs.as_str())), "{sub:?}");
    let sub = sub.id();
    assert_eq!(p(&c.carol, "POST", "/api/v1/folders", json!({"name": "X", "group": group})).status, 403);
    let looped = p(&c.alice, "PATCH", &format!("/api/v1/folders/{docs}"), json!({"parent": sub}));
    assert_eq!((looped.status, looped.body["errors"][0]["field"].as_str()), (422, Some("parent")), "{looped:?}");
    let itself = p(&c.alice, "PATCH", &format!("/api/v1/folders/{docs}"), json!({"parent": docs}));
    assert_eq!(itself.status, 422);
    let inside = put_file(s, &c.alice, "plan.txt", b"the plan", &[("group", &group), ("folder", &docs)]);
    assert_eq!((inside.status, inside.body["folder"].as_str()), (201, Some(docs.as_str())), "{inside:?}");
    let inside = inside.id();
    let top = g(&c.bob, &format!("/api/v1/files?group={group}"));
    assert_eq!(top.status, 200, "{top:?}");
    let top = ids(&top);
    assert_eq!(top[0], ("folder".to_string(), docs.clone()), "folders first: {top:?}");
    assert!(top.contains(&("file".to_string(), file.clone())) && !top.iter().any(|(_, i)| *i == inside));
    let opened = g(&c.bob, &format!("/api/v1/folders/{docs}"));
    assert_eq!((opened.status, opened.body["name"].as_str()), (200, Some("Docs")), "{opened:?}");
    assert_eq!(ids(&opened), [("folder".to_string(), sub.clone()), ("file".to_string(), inside.clone())]);
    let paged = g(&c.bob, &format!("/api/v1/files?folder={docs}&limit=1"));
    assert_eq!(ids(&paged), [("folder".to_string(), sub.clone())]);
    let cursor = paged.body["next_cursor"].as_str().unwrap().to_string();
    assert_eq!(
        ids(&g(&c.bob, &format!("/api/v1/files?folder={docs}&limit=1&cursor={cursor}"))),
        [("file".to_string(), inside.clone())]
    );
    assert_eq!(g(&c.carol, &format!("/api/v1/folders/{docs}")).status, 404, "not a member");
    assert_eq!(g(&c.alice, &format!("/api/v1/files?folder={sub}&group=999")).status, 422);
    let renamed = p(&c.bob, "PATCH", &format!("/api/v1/folders/{docs}"), json!({"name": "Mine now"}));
    assert_eq!(renamed.status, 403, "only its maker or a group admin");

    // Files: rename, move, re-level, with If-Match; a folder of another place is refused.
    let f0 = g(&c.alice, &format!("/api/v1/files/{file}"));
    let etag = f0.etag.clone().unwrap();
    let bad = p(&c.alice, "PATCH", &format!("/api/v1/files/{file}"), json!({"name": "../x"}));
    assert_eq!((bad.status, bad.body["errors"][0]["field"].as_str()), (422, Some("name")));
    let moved = call(
        s,
        &c.alice,
        "PATCH",
        &format!("/api/v1/files/{file}"),
        Some(&json!({"name": "Minutes.txt", "folder": sub})),
        &[("if-match", &etag)],
    );
    assert_eq!(
        (moved.status, moved.body["folder"].as_str(), moved.body["name"].as_str()),
        (200, Some(sub.as_str()), Some("Minutes.txt")),
        "{moved:?}"
    );
    let stale = call(
        s,
        &c.alice,
        "PATCH",
        &format!("/api/v1/files/{file}"),
        Some(&json!({"name": "Again.txt"})),
        &[("if-match", &etag)],
    );
    assert_eq!(stale.status, 412);
    let own_folder = p(&c.bob, "POST", "/api/v1/folders", json!({"name": "Private"})).id();
    let across = p(&c.alice, "PATCH", &format!("/api/v1/files/{file}"), json!({"folder": own_folder}));
    assert_eq!(across.status, 422, "{across:?}");
    assert_eq!(p(&c.bob, "PATCH", &format!("/api/v1/files/{file}"), json!({"name": "bob.txt"})).status, 403);
    assert_eq!(p(&c.carol, "PATCH", &format!("/api/v1/files/{file}"), json!({"name": "c.txt"})).status, 404);
    assert_eq!(p(&c.alice, "PATCH", &format!("/api/v1/files/{file}"), json!({"colour": "red"})).status, 422);
    let top_again = p(&c.alice, "PATCH", &format!("/api/v1/files/{file}"), json!({"folder": ""}));
    assert_eq!((top_again.status, &top_again.body["folder"]), (200, &Value::Null));

    // The upload shows in the group's activity, to those who may see the file.
    let river = g(&c.bob, &format!("/api/v1/groups/{group}/activity"));
    let uploaded: Vec<&str> = river.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "file_uploaded")
        .filter_map(|a| a["file"].as_str())
        .collect();
    assert!(uploaded.contains(&file.as_str()) && uploaded.contains(&image_id.as_str()), "{river:?}");
    let theirs = g(&c.carol, &format!("/api/v1/groups/{group}/activity"));
    let seen: Vec<&str> = theirs.body["items"].as_array().unwrap().iter().filter_map(|a| a["file"].as_str()).collect();
    assert!(
        !seen.contains(&file.as_str()) && seen.contains(&image_id.as_str()),
        "carol sees the members-level image only: {theirs:?}"
    );

    // Attachments: files the author may see, at most ten; each viewer sees what they may.
    let post = p(
        &c.alice,
        "POST",
        "/api/v1/posts",
        json!({"group": group, "body": "see attached", "access": "public", "attachments": [file, image_id]}),
    );
    assert_eq!(post.status, 201, "{post:?}");
    assert_eq!(post.body["attachments"], json!([file, image_id]));
    let post = post.id();
    let as_carol = g(&c.carol, &format!("/api/v1/posts/{post}"));
    assert_eq!(as_carol.body["attachments"], json!([image_id]), "carol may not see the group file");
    let theirs = p(&c.alice, "POST", "/api/v1/posts", json!({"body": "x", "attachments": [mine]}));
    assert_eq!((theirs.status, theirs.body["errors"][0]["field"].as_str()), (422, Some("attachments")));
    let eleven: Vec<String> = (1..=11).map(|i| i.to_string()).collect();
    assert_eq!(p(&c.alice, "POST", "/api/v1/posts", json!({"body": "x", "attachments": eleven})).status, 422);
    let cleared = p(&c.alice, "PATCH", &format!("/api/v1/posts/{post}"), json!({"attachments": []}));
    assert_eq!((cleared.status, cleared.body["attachments"].clone()), (200, json!([])));

    // The same bytes are stored once; the blob goes with its last reference.
    let again = put_file(s, &c.bob, "copy.txt", &text, &[("group", &group)]);
    assert_eq!(again.body["sha256"].as_str().unwrap(), hex(&text));
    assert_eq!(call(s, &c.bob, "DELETE", &format!("/api/v1/files/{file}"), None, &[]).status, 403);
    assert_eq!(call(s, &c.alice, "DELETE", &format!("/api/v1/files/{file}"), None, &[]).status, 204);
    assert!(blob_path(s, &hex(&text)).is_file(), "bob's copy still uses it");
    assert_eq!(call(s, &c.bob, "DELETE", &format!("/api/v1/files/{}", again.id()), None, &[]).status, 204);
    assert!(!blob_path(s, &hex(&text)).exists(), "nothing uses it any more");
    assert_eq!(g(&c.alice, &format!("/api/v1/files/{file}")).status, 404);

    // A folder with things in it goes only when asked, and only for whoever may delete all of it.
    let d = call(s, &c.alice, "DELETE", &format!("/api/v1/folders/{docs}"), None, &[]);
    assert_eq!((d.status, d.content_type.as_str()), (409, "application/problem+json"), "{d:?}");
    assert_eq!(call(s, &c.bob, "DELETE", &format!("/api/v1/folders/{sub}?recursive=yes"), None, &[]).status, 422);
    assert_eq!(call(s, &c.alice, "DELETE", &format!("/api/v1/folders/{docs}?recursive=true"), None, &[]).status, 204);
    for gone in [format!("/api/v1/folders/{docs}"), format!("/api/v1/folders/{sub}"), format!("/api/v1/files/{inside}")]
    {
        assert_eq!(g(&c.alice, &gone).status, 404, "{gone}");
    }
    assert!(!blob_path(s, &hex(b"the plan")).exists());
    assert_eq!(call(s, &c.bob, "DELETE", &format!("/api/v1/folders/{own_folder}"), None, &[]).status, 204);
}

/// The small upload limit of the scenario's servers.
const SMALL_LIMIT: &str = "1MiB";

fn too_large(s: &Server, cred: &Cred) {
    // Declared too large: refused before the body is read.
    let big = vec![b'a'; 2 << 20];
    let r = put_file(s, cred, "big.txt", &big, &[]);
    assert_eq!((r.status, r.content_type.as_str()), (413, "application/problem+json"), "{r:?}");
    // Sent without a length (chunked): refused as it passes the limit.
    let body = multipart(&[("file", Some("big.txt"), &big)]);
    let r = signed(s, cred, "POST", "/api/v1/files")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(reqwest::blocking::Body::new(std::io::Cursor::new(body)))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    // Far too large: answered without reading it (the client may not hear).
    let r = upload_generated(s, cred, Generated::new(64 << 20));
    if let Ok(r) = r {
        assert_eq!(r.status().as_u16(), 413);
    }
    assert!(std::fs::read_dir(s.dir.join("files/tmp")).map(|d| d.count()).unwrap_or(0) == 0, "nothing staged stays");
}

#[test]
fn files_through_bearer_tokens() {
    let s = Server::start_with(&[("LATCHKEY_MAX_UPLOAD", SMALL_LIMIT)]);
    add_members(&s);
    let c = oauth2_community(&s);
    scenario(&s, &c);
    too_large(&s, &c.alice);
}

#[test]
fn files_through_oauth1_signatures() {
    let s = Server::start_with(&[("LATCHKEY_MAX_UPLOAD", SMALL_LIMIT)]);
    add_members(&s);
    let c = oauth1_community(&s);
    scenario(&s, &c);
    too_large(&s, &c.alice);
}

/// A multipart body of `size` bytes of text made as it is read, so that
/// neither side holds it whole; `pause` blocks the reader once `at` bytes
/// of the file are out, until the receiver is dropped.
struct Generated {
    head: Vec<u8>,
    size: u64,
    sent: u64,
    tail: Vec<u8>,
    stage: u8,
    pause: Option<(u64, std::sync::mpsc::Receiver<()>)>,
}

impl Generated {
    fn new(size: u64) -> Generated {
        let head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        )
        .into_bytes();
        let tail = format!("\r\n--{BOUNDARY}--\r\n").into_bytes();
        Generated { head, size, sent: 0, tail, stage: 0, pause: None }
    }

    fn len(&self) -> u64 {
        self.head.len() as u64 + self.size + self.tail.len() as u64
    }

    fn byte(i: u64) -> u8 {
        if i % 64 == 63 { b'\n' } else { b'a' + (i % 26) as u8 }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match self.stage {
                0 if !self.head.is_empty() => {
                    let n = buf.len().min(self.head.len());
                    buf[..n].copy_from_slice(&self.head[..n]);
                    self.head.drain(..n);
                    return Ok(n);
                }
                0 => self.stage = 1,
                1 if self.sent < self.size => {
                    if let Some((at, rx)) = &self.pause {
                        if self.sent >= *at {
                            let _ = rx.recv();
                            return Err(std::io::Error::other("stopped"));
                        }
                    }
                    let n = (buf.len() as u64).min(self.size - self.sent) as usize;
                    for (i, b) in buf[..n].iter_mut().enumerate() {
                        *b = Self::byte(self.sent + i as u64);
                    }
                    self.sent += n as u64;
                    return Ok(n);
                }
                1 => self.stage = 2,
                _ => {
                    let n = buf.len().min(self.tail.len());
                    buf[..n].copy_from_slice(&self.tail[..n]);
                    self.tail.drain(..n);
                    return Ok(n);
                }
            }
        }
    }
}

fn vm_hwm_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn upload_generated(s: &Server, cred: &Cred, body: Generated) -> reqwest::Result<reqwest::blocking::Response> {
    let len = body.len();
    signed(s, cred, "POST", "/api/v1/files")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(reqwest::blocking::Body::sized(body, len))
        .timeout(std::time::Duration::from_secs(600))
        .send()
}

/// The server's peak memory does not grow with the size of an upload or
/// a download: the body is streamed to disk and back.
#[test]
fn a_200_mib_upload_keeps_the_servers_memory_flat() {
    let s = Server::start_with(&[("LATCHKEY_MAX_UPLOAD", "300MiB")]);
    add_members(&s);
    let c = oauth2_community(&s);
    let pid = s.child.as_ref().unwrap().id();
    let small = as_r(upload_generated(&s, &c.alice, Generated::new(1 << 20)).unwrap());
    assert_eq!(small.status, 201, "{small:?}");
    let before = vm_hwm_kib(pid);
    let size = 200u64 << 20;
    let big = as_r(upload_generated(&s, &c.alice, Generated::new(size)).unwrap());
    assert_eq!((big.status, big.body["size"].as_u64()), (201, Some(size)), "{big:?}");
    let after_upload = vm_hwm_kib(pid);
    // Read it back, hashing as it comes.
    let mut r = signed(&s, &c.alice, "GET", &format!("/api/v1/files/{}/content", big.id()))
        .timeout(std::time::Duration::from_secs(600))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    let sha: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!((total, sha.as_str()), (size, big.body["sha256"].as_str().unwrap()));
    let after_download = vm_hwm_kib(pid);
    println!(
        "server VmHWM: {} MiB after a 1 MiB upload, {} MiB after a 200 MiB upload, {} MiB after downloading it",
        before / 1024,
        after_upload / 1024,
        after_download / 1024
    );
    assert!(after_download.saturating_sub(before) < 64 * 1024, "peak memory grew with the file size");
}

/// SIGKILL in the middle of an upload: after the restart there is no
/// record of the file, nothing of it is served, and the staged bytes are
/// swept away.
#[test]
fn a_crash_during_an_upload_leaves_no_file_behind() {
    let s = Server::start_with(&[("LATCHKEY_MAX_UPLOAD", "100MiB")]);
    add_members(&s);
    let c = oauth2_community(&s);
    // A deleted group's files go with it; their blob at the next start.
    let group = call(&s, &c.alice, "POST", "/api/v1/groups", Some(&json!({"name": "Short-lived"})), &[]).id();
    let kept = put_file(&s, &c.alice, "kept.txt", b"kept in a group", &[("group", &group)]);
    assert_eq!(kept.status, 201, "{kept:?}");
    assert_eq!(call(&s, &c.alice, "DELETE", &format!("/api/v1/groups/{group}"), None, &[]).status, 204);
    assert_eq!(call(&s, &c.alice, "GET", &format!("/api/v1/files/{}", kept.id()), None, &[]).status, 404);
    // The state a crash between settling a blob and committing its record
    // leaves: a whole, named blob that no record refers to.
    let orphan = hex(b"settled, never recorded");
    std::fs::create_dir_all(blob_path(&s, &orphan).parent().unwrap()).unwrap();
    std::fs::write(blob_path(&s, &orphan), b"settled, never recorded").unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut body = Generated::new(50 << 20);
    body.pause = Some((8 << 20, rx));
    let Cred::Bearer(token) = c.alice.clone() else { unreachable!() };
    let sender = {
        let (dir, url) = (s.dir.clone(), s.url("/api/v1/files"));
        std::thread::spawn(move || {
            let len = body.len();
            let _ = client_for(&dir)
                .post(url)
                .bearer_auth(token)
                .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(reqwest::blocking::Body::sized(body, len))
                .send();
        })
    };
    // Wait until the server has staged part of it.
    let tmp = s.dir.join("files/tmp");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let staged: u64 = std::fs::read_dir(&tmp)
            .map(|d| d.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
            .unwrap_or(0);
        if staged > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the upload never reached the disk");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let s = s.crash_restart();
    drop(tx);
    sender.join().unwrap();
    let listed = call(&s, &c.alice, "GET", "/api/v1/files", None, &[]);
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(listed.body["items"], json!([]), "no record of the half upload");
    assert_eq!(call(&s, &c.alice, "GET", "/api/v1/files/2", None, &[]).status, 404);
    assert_eq!(fetch(&s, &c.alice, "/api/v1/files/2/content", &[]).0, 404);
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "the staged bytes are swept at start");
    let blobs: Vec<_> = std::fs::read_dir(s.dir.join("files"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "tmp")
        .flat_map(|fan| std::fs::read_dir(fan.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.path()))
        .collect();
    assert!(blobs.is_empty(), "no blob of a half file, the orphan and the deleted group's are swept: {blobs:?}");
    // And the server takes uploads again.
    assert_eq!(put_file(&s, &c.alice, "after.txt", b"after the crash", &[]).status, 201);
}
