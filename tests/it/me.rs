//! `/api/v1/me` against a real server, through an OAuth 2.0 bearer token
//! and an OAuth 1.0a signed request alike: the profile with its `ETag` and
//! `If-Match`, the password change, the avatar (raw body or multipart,
//! served at `/avatars/...`), and the one-time sign-in link.

use crate::harness::*;
use crate::oauth1_client::{Consumer, Method, Req, register_consumer, sign, three_legged};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use serde_json::{Value, json};
use std::io::Cursor;

/// A password-grant token for `member` from a new application allowed `scopes`.
fn token_with(s: &Server, member: &str, scopes: &[&str]) -> String {
    let mut args = vec!["--name", "Phone app", "--grant", "password"];
    for sc in scopes {
        args.extend(["--scope", sc]);
    }
    let (id, secret) = register(s, &args);
    password_token(s, &id, &secret.unwrap(), member)
}

/// An OAuth 1.0a request signed with token credentials (HMAC-SHA1, in the
/// header), with an optional body (not part of the signature unless a form)
/// and extra headers.
fn signed(
    s: &Server,
    c: &Consumer,
    tok: &(String, String),
    method: &'static str,
    path: &str,
    body: Option<(&str, Vec<u8>)>,
    headers: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let sig = sign(&Method::HmacSha1, &Req::new(s, method, path, c).token(&tok.0, &tok.1));
    let mut r = s
        .client()
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), &sig.url)
        .header("authorization", sig.header.unwrap());
    if let Some((ct, b)) = body {
        r = r.header("content-type", ct).body(b);
    }
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().unwrap()
}

fn problem(r: reqwest::blocking::Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status, "{:?}", r.headers());
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: Value = r.json().unwrap();
    assert_eq!(v["status"], status, "{v}");
    v
}

fn fields(v: &Value) -> Vec<String> {
    v["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

fn etag(r: &reqwest::blocking::Response) -> String {
    r.headers()["etag"].to_str().unwrap().to_string()
}

#[test]
fn the_profile_is_read_and_changed_with_if_match_over_both_protocols() {
    let s = Server::start();
    add_member(&s, "mia");
    let http = s.client();
    let full = token_with(&s, "mia", &["profile", "profile:write", "email"]);
    let read_only = token_with(&s, "mia", &["profile"]);

    let r = http.get(s.url("/api/v1/me")).bearer_auth(&full).send().unwrap();
    assert_eq!(r.status(), 200);
    let tag = etag(&r);
    assert!(tag.starts_with("\"r") && tag.ends_with('"'), "{tag}");
    let me: Value = r.json().unwrap();
    assert_eq!((me["username"].as_str(), me["display_name"].as_str()), (Some("mia"), Some("Member")));
    assert_eq!(me["email"], "mia@example.org", "the email scope shows the address");
    assert!(me["avatar_url"].is_null() && me["id"].is_string() && me["created_at"].is_string(), "{me}");
    let me: Value = http.get(s.url("/api/v1/me")).bearer_auth(&read_only).send().unwrap().json().unwrap();
    assert!(me.get("email").is_none(), "no email scope, no address: {me}");
    let r = http.get(s.url("/api/v1/me")).bearer_auth(&full).header("if-none-match", &tag).send().unwrap();
    assert_eq!(r.status(), 304);

    // A change with the current ETag: the new object and a new ETag.
    let r = http
        .patch(s.url("/api/v1/me"))
        .bearer_auth(&full)
        .header("if-match", &tag)
        .json(&json!({"display_name": "  Mia Wallace ", "bio": "Dances.\r\nTalks."}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let new_tag = etag(&r);
    assert_ne!(new_tag, tag);
    let me: Value = r.json().unwrap();
    assert_eq!((me["display_name"].as_str(), me["bio"].as_str()), (Some("Mia Wallace"), Some("Dances.\nTalks.")));
    // The old ETag is stale now: nothing is changed.
    let r = http
        .patch(s.url("/api/v1/me"))
        .bearer_auth(&full)
        .header("if-match", &tag)
        .json(&json!({"display_name": "Lost update"}))
        .send()
        .unwrap();
    problem(r, 412);
    let r = http.patch(s.url("/api/v1/me")).bearer_auth(&read_only).json(&json!({"bio": "x"})).send().unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("profile:write"));

    // Every bad field at once, each named.
    let r = http
        .patch(s.url("/api/v1/me"))
        .bearer_auth(&full)
        .json(&json!({"display_name": "Mia\u{7}", "email": "nope", "bio": "b".repeat(501)}))
        .send()
        .unwrap();
    assert_eq!(fields(&problem(r, 422)), ["display_name", "email", "bio"]);
    for (body, status) in [
        (json!({"display_name": ""}), 422),
        (json!({"display_name": "x".repeat(101)}), 422),
        (json!({"display_name": "Evil\u{202e}"}), 422),
        (json!({"username": "boss"}), 422),
        (json!({"display_name": 7}), 422),
    ] {
        let r = http.patch(s.url("/api/v1/me")).bearer_auth(&full).json(&body).send().unwrap();
        problem(r, status);
    }
    let r =
        http.patch(s.url("/api/v1/me")).bearer_auth(&full).body("{not json").header("content-type", "application/json");
    problem(r.send().unwrap(), 400);
    let r = http.patch(s.url("/api/v1/me")).bearer_auth(&full).body("display_name=x").send().unwrap();
    problem(r, 415);
    let r = http.delete(s.url("/api/v1/me")).bearer_auth(&full).send().unwrap();
    assert_eq!(problem(r, 405)["detail"], "This resource answers GET, PATCH only.");

    // The same through OAuth 1.0a (the consumer's default scopes are `read write push`).
    let c = register_consumer(&s, &["--name", "Desk", "--callback", "https://desk.example/cb"]);
    let tok = three_legged(&s, &http, &Method::HmacSha1, &c, "mia", "https://desk.example/cb");
    let r = signed(&s, &c, &tok, "GET", "/api/v1/me", None, &[]);
    assert_eq!(r.status(), 200);
    assert_eq!(etag(&r), new_tag);
    let body = Some(("application/json", br#"{"display_name": "Mia W."}"#.to_vec()));
    let r = signed(&s, &c, &tok, "PATCH", "/api/v1/me", body.clone(), &[("if-match", &new_tag)]);
    assert_eq!(r.status(), 200);
    let latest = etag(&r);
    assert_eq!(r.json::<Value>().unwrap()["display_name"], "Mia W.");
    let r = signed(&s, &c, &tok, "PATCH", "/api/v1/me", body, &[("if-match", &new_tag)]);
    problem(r, 412);
    let r = http.get(s.url("/api/v1/me")).bearer_auth(&full).send().unwrap();
    assert_eq!(etag(&r), latest);
}

#[test]
fn a_password_change_keeps_the_calling_application_and_ends_everything_else() {
    let s = Server::start_with(&[("LATCHKEY_LOGIN_MAX_FAILURES", "3")]);
    let admin = setup_admin(&s, "root");
    add_member(&s, "pat");
    let http = s.client();
    let caller = token_with(&s, "pat", &["profile", "profile:write"]);
    let other = token_with(&s, "pat", &["profile"]);
    let c = register_consumer(&s, &["--name", "Desk", "--callback", "https://desk.example/cb"]);
    let tok = three_legged(&s, &http, &Method::HmacSha1, &c, "pat", "https://desk.example/cb");
    let browser = signed_in(&s, "pat");
    let change = |body: Value| http.post(s.url("/api/v1/me/password")).bearer_auth(&caller).json(&body).send().unwrap();

    let v = problem(change(json!({})), 422);
    assert_eq!(fields(&v), ["current_password", "new_password"]);
    let v = problem(change(json!({"current_password": "wrong wrong wrong", "new_password": "a new passphrase"})), 422);
    assert_eq!(fields(&v), ["current_password"]);
    let v = problem(change(json!({"current_password": PASSWORD, "new_password": "short"})), 422);
    assert_eq!(fields(&v), ["new_password"]);
    let r = http
        .post(s.url("/api/v1/me/password"))
        .bearer_auth(&other)
        .json(&json!({"current_password": PASSWORD, "new_password": "a new passphrase"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403, "needs profile:write");

    let r = change(json!({"current_password": PASSWORD, "new_password": "a new passphrase"}));
    assert_eq!(r.status(), 204);
    assert_eq!(me_status(&s, &caller), 200, "the calling application keeps its access");
    assert_eq!(me_status(&s, &other), 401, "another application's token is gone");
    assert_eq!(signed(&s, &c, &tok, "GET", "/api/v1/me", None, &[]).status(), 401, "and the OAuth 1.0a one");
    let r = browser.get(s.url("/account")).send().unwrap();
    assert_eq!(r.status(), 303, "the browser session ended");
    assert_eq!(sign_in(&s, &s.client(), "pat", "a new passphrase", "/account").status(), 303);
    let audit = admin.get(s.url("/admin/audit?action=user.password")).send().unwrap().text().unwrap();
    assert!(audit.contains("user:") && audit.contains("pat") && audit.contains("kept the caller"), "{audit}");

    // Wrong current passwords count as failed sign-ins: the third locks
    // this address out, through the API and on the sign-in page alike.
    let wrong = json!({"current_password": "not it at all", "new_password": "another passphrase"});
    problem(change(wrong.clone()), 422);
    problem(change(wrong.clone()), 422);
    problem(change(wrong.clone()), 422);
    let r = change(wrong);
    assert!(r.headers().contains_key("retry-after"));
    problem(r, 429);
    assert_eq!(sign_in(&s, &s.client(), "pat", "a new passphrase", "/account").status(), 429);
}

pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img).write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A JPEG whose EXIF block holds a GPS position.
fn jpeg_with_position() -> Vec<u8> {
    let mut jpeg = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(RgbImage::from_pixel(320, 200, Rgb([10, 200, 30])))
        .write_to(&mut jpeg, ImageFormat::Jpeg)
        .unwrap();
    let jpeg = jpeg.into_inner();
    let mut app1 = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0".to_vec();
    app1.extend(b"GPSLatitude 52.3731 GPSLongitude 4.8922");
    let mut out = vec![0xff, 0xd8, 0xff, 0xe1];
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// A `multipart/form-data` body with these fields: its content type and bytes.
pub(crate) fn multipart(parts: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "latchkey-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = vec![];
    for (name, ct, bytes) in parts {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"x\"\r\nContent-Type: {ct}\r\n\r\n").as_bytes());
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn blob_path(s: &Server, url: &str) -> std::path::PathBuf {
    let name = url.rsplit('/').next().unwrap().trim_end_matches(".png").to_string();
    s.dir.join("files").join(&name[..2]).join(name)
}

#[test]
fn avatars_are_uploaded_reencoded_served_replaced_and_removed() {
    let s = Server::start();
    add_member(&s, "ava");
    let http = s.client();
    let t = token_with(&s, "ava", &["profile", "profile:write"]);
    let put = |ct: &str, body: Vec<u8>| {
        http.put(s.url("/api/v1/me/avatar")).bearer_auth(&t).header("content-type", ct).body(body).send().unwrap()
    };

    // A PNG as the body: a 256x256 PNG at a public, immutable address.
    let r = put("image/png", png(400, 300));
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("etag"));
    let first = r.json::<Value>().unwrap()["avatar_url"].as_str().unwrap().to_string();
    assert!(first.starts_with(&s.url("/avatars/")) && first.ends_with(".png"), "{first}");
    let r = s.client().get(&first).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let served = r.bytes().unwrap();
    let img = image::load_from_memory(&served).unwrap();
    assert_eq!((img.width(), img.height()), (256, 256));
    assert!(blob_path(&s, &first).is_file(), "stored under DATA_DIR/files by its SHA-256");

    // A JPEG with a GPS position in a multipart field: the position is gone,
    // and the replaced picture's blob with it.
    let (ct, body) = multipart(&[("note", "text/plain", b"hello"), ("avatar", "image/jpeg", &jpeg_with_position())]);
    let r = put(&ct, body);
    assert_eq!(r.status(), 200);
    let second = r.json::<Value>().unwrap()["avatar_url"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    let bytes = s.client().get(&second).send().unwrap().bytes().unwrap();
    assert!(!bytes.windows(3).any(|w| w == b"GPS"), "no metadata is served");
    assert!(!blob_path(&s, &first).exists(), "the replaced avatar's blob is removed");
    assert_eq!(s.client().get(&first).send().unwrap().status(), 404);

    // Through OAuth 1.0a: a WebP body.
    let c = register_consumer(&s, &["--name", "Desk", "--callback", "https://desk.example/cb"]);
    let tok = three_legged(&s, &http, &Method::HmacSha1, &c, "ava", "https://desk.example/cb");
    let mut webp = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 64, Rgb([1, 2, 3])))
        .write_to(&mut webp, ImageFormat::WebP)
        .unwrap();
    let r = signed(&s, &c, &tok, "PUT", "/api/v1/me/avatar", Some(("image/webp", webp.into_inner())), &[]);
    assert_eq!(r.status(), 200);
    let third = r.json::<Value>().unwrap()["avatar_url"].as_str().unwrap().to_string();
    assert_eq!(s.client().get(&third).send().unwrap().status(), 200);

    // What is refused, and how.
    let v = problem(put("image/png", vec![0u8; 2 * 1024 * 1024 + 1]), 413);
    assert!(v["detail"].as_str().unwrap().contains("2097152"), "{v}");
    problem(put("text/plain", b"hello".to_vec()), 415);
    problem(http.put(s.url("/api/v1/me/avatar")).bearer_auth(&t).body(png(8, 8)).send().unwrap(), 415);
    assert_eq!(fields(&problem(put("image/png", b"\x89PNG\r\n\x1a\nbroken".to_vec()), 422)), ["avatar"]);
    assert_eq!(fields(&problem(put("image/jpeg", b"GIF89a....".to_vec()), 422)), ["avatar"]);
    assert_eq!(fields(&problem(put("image/png", vec![]), 422)), ["avatar"]);
    let (ct, body) = multipart(&[("picture", "image/png", &png(8, 8))]);
    assert_eq!(fields(&problem(put(&ct, body), 422)), ["avatar"]);
    problem(put("multipart/form-data; boundary=zz", b"garbage".to_vec()), 400);
    // A decompression bomb: a small PNG that claims 40000x40000 pixels.
    let v = problem(put("image/png", bomb_png()), 422);
    assert!(v["errors"][0]["message"].as_str().unwrap().contains("too large"), "{v}");
    let read_only = token_with(&s, "ava", &["profile"]);
    let r = http.put(s.url("/api/v1/me/avatar")).bearer_auth(&read_only).header("content-type", "image/png");
    assert_eq!(r.body(png(8, 8)).send().unwrap().status(), 403);
    let me: Value = http.get(s.url("/api/v1/me")).bearer_auth(&t).send().unwrap().json().unwrap();
    assert_eq!(me["avatar_url"], third.as_str(), "refusals changed nothing");

    // Removal.
    let r = http.delete(s.url("/api/v1/me/avatar")).bearer_auth(&t).send().unwrap();
    assert_eq!(r.status(), 204);
    let me: Value = http.get(s.url("/api/v1/me")).bearer_auth(&t).send().unwrap().json().unwrap();
    assert!(me["avatar_url"].is_null(), "{me}");
    assert_eq!(s.client().get(&third).send().unwrap().status(), 404);
    assert!(!blob_path(&s, &third).exists());
    assert_eq!(http.delete(s.url("/api/v1/me/avatar")).bearer_auth(&t).send().unwrap().status(), 204);
    for bad in ["/avatars/x.png", "/avatars/..%2F..%2Flatchkey.redb", &format!("/avatars/{}.png", "0".repeat(64))] {
        assert_eq!(s.client().get(s.url(bad)).send().unwrap().status(), 404, "{bad}");
    }
}

/// A valid PNG whose header says 40000x40000 (its checksum fixed up).
fn bomb_png() -> Vec<u8> {
    let mut b = png(1, 1);
    b[16..20].copy_from_slice(&40_000u32.to_be_bytes());
    b[20..24].copy_from_slice(&40_000u32.to_be_bytes());
    let mut c = 0xffff_ffffu32;
    for &byte in &b[12..29] {
        c ^= u32::from(byte);
        for _ in 0..8 {
            c = if c & 1 == 1 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    b[29..33].copy_from_slice(&(!c).to_be_bytes());
    b
}

/// Follows a sign-in link in a fresh browser: the page, then its button.
fn follow(s: &Server, url: &str) -> (reqwest::blocking::Client, reqwest::blocking::Response) {
    let browser = s.client();
    let page = browser.get(url).send().unwrap();
    if page.status() != 200 {
        return (browser, page);
    }
    let html = page.text().unwrap();
    let token = url.split("token=").nth(1).unwrap();
    let r =
        browser.post(s.url("/login/link")).form(&[("csrf", csrf(&html).as_str()), ("token", token)]).send().unwrap();
    (browser, r)
}

#[test]
fn a_login_link_signs_the_member_in_once() {
    let s = Server::start();
    add_member(&s, "lou");
    let http = s.client();
    let t = token_with(&s, "lou", &["profile", "profile:write"]);
    let read_only = token_with(&s, "lou", &["profile"]);
    let r = http.post(s.url("/api/v1/me/login-link")).bearer_auth(&read_only).send().unwrap();
    assert_eq!(r.status(), 403, "a browser session is more than reading the profile");

    let r = http.post(s.url("/api/v1/me/login-link")).bearer_auth(&t).send().unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v: Value = r.json().unwrap();
    let url = v["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&s.url("/login/link?token=")), "{url}");
    let expires =
        time::OffsetDateTime::parse(v["expires_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339);
    let left = expires.unwrap() - time::OffsetDateTime::now_utc();
    assert!(left.whole_seconds() > 240 && left.whole_seconds() <= 300, "{left}");

    // Opening it only shows whom it signs in; the button signs in.
    let page = s.client().get(&url).send().unwrap().text().unwrap();
    assert!(page.contains("Continue as lou"), "{page}");
    let (browser, r) = follow(&s, &url);
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), s.url("/account"));
    let account = browser.get(s.url("/account")).send().unwrap();
    assert_eq!(account.status(), 200);
    assert!(account.text().unwrap().contains("id=\"account-username\">lou<"));
    // Twice: a page that says why.
    let (_, again) = follow(&s, &url);
    assert_eq!(again.status(), 400);
    assert!(again.text().unwrap().contains("This sign-in link is not valid"));

    // Through OAuth 1.0a; and a disabled member's link fails.
    let c = register_consumer(&s, &["--name", "Desk", "--callback", "https://desk.example/cb"]);
    let tok = three_legged(&s, &http, &Method::HmacSha1, &c, "lou", "https://desk.example/cb");
    let r = signed(&s, &c, &tok, "POST", "/api/v1/me/login-link", None, &[]);
    assert_eq!(r.status(), 201);
    let url = r.json::<Value>().unwrap()["url"].as_str().unwrap().to_string();
    let browser = s.client();
    let html = browser.get(&url).send().unwrap().text().unwrap();
    assert!(s.cli(&["user", "disable", "lou"], None).status.success());
    let token = url.split("token=").nth(1).unwrap();
    let r =
        browser.post(s.url("/login/link")).form(&[("csrf", csrf(&html).as_str()), ("token", token)]).send().unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("its account cannot sign in"));
    assert_eq!(s.client().get(&url).send().unwrap().status(), 400);
}
