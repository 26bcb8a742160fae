//! Push delivery end to end: a Web Push service on loopback inside the
//! test receives the server's real requests, checks the VAPID JWT (ES256,
//! against the key `/api/v1/push/vapid-public-key` gives out) and decrypts
//! each payload with the browser's private key (RFC 8291, done here
//! independently of the server's code); scripted 429/500 answers are
//! retried, a 410 deletes the device, and a SIGKILL in the middle of a
//! fan-out loses nothing and resends nothing that was acknowledged.

use crate::harness::*;
use crate::push::{Browser, oauth2_push};
use crate::social::{Cred, call};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::Verifier;
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One message the fake push service took.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub status: u16,
    pub payload: Option<Value>,
    pub topic: Option<String>,
    pub at: Instant,
}

#[derive(Default)]
struct State {
    /// Path -> statuses to answer, in order, before 201.
    script: BTreeMap<String, VecDeque<(u16, Option<&'static str>)>>,
    /// Path -> the browser that subscribed there.
    browsers: BTreeMap<String, Arc<Browser>>,
    received: Vec<Received>,
    problems: Vec<String>,
}

/// The fake Web Push service.
pub struct PushService {
    pub port: u16,
    state: Arc<Mutex<State>>,
    vapid: Vec<u8>,
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// RFC 8291 decryption with the browser's key.
fn decrypt(b: &Browser, body: &[u8]) -> Result<Vec<u8>, String> {
    if body.len() < 86 + 17 {
        return Err("body too short".into());
    }
    let salt = &body[..16];
    let idlen = body[20] as usize;
    let as_public = &body[21..21 + idlen];
    let ciphertext = &body[21 + idlen..];
    let ua_public = b.secret.public_key().to_sec1_bytes();
    let as_key = p256::PublicKey::from_sec1_bytes(as_public).map_err(|e| e.to_string())?;
    let shared = p256::ecdh::diffie_hellman(b.secret.to_nonzero_scalar(), as_key.as_affine());
    let prk_key = hmac(&b.auth, &[shared.raw_secret_bytes().as_slice()]);
    let ikm = hmac(&prk_key, &[b"WebPush: info\0", &ua_public, as_public, &[1]]);
    let prk = hmac(salt, &[&ikm]);
    let cek = hmac(&prk, &[b"Content-Encoding: aes128gcm\0", &[1]]);
    let nonce = hmac(&prk, &[b"Content-Encoding: nonce\0", &[1]]);
    let key = ring::aead::LessSafeKey::new(ring::aead::UnboundKey::new(&ring::aead::AES_128_GCM, &cek[..16]).unwrap());
    let nonce = ring::aead::Nonce::try_assume_unique_for_key(&nonce[..12]).unwrap();
    let mut buf = ciphertext.to_vec();
    let plain = key.open_in_place(nonce, ring::aead::Aad::empty(), &mut buf).map_err(|_| "does not decrypt")?;
    match plain.iter().rposition(|&c| c != 0) {
        Some(i) if plain[i] == 2 => Ok(plain[..i].to_vec()),
        _ => Err("no last-record delimiter".into()),
    }
}

impl PushService {
    /// Starts on a free loopback port; `vapid_b64` is the server's key as
    /// the API gives it out; `delay` holds every answer back that long.
    pub fn start(vapid_b64: &str, delay: Duration) -> PushService {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let vapid = URL_SAFE_NO_PAD.decode(vapid_b64).unwrap();
        let (st, key) = (state.clone(), vapid.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (st, key) = (st.clone(), key.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &st, &key, port, delay);
                });
            }
        });
        PushService { port, state, vapid }
    }

    pub fn endpoint(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/push/{name}", self.port)
    }

    /// A browser subscribed at `name`, whose first answers are `script`.
    pub fn browser(&self, name: &str, seed: u8, script: &[(u16, Option<&'static str>)]) -> Value {
        let b = Arc::new(Browser::new(seed));
        let sub = b.subscription(&self.endpoint(name));
        let mut st = self.state.lock().unwrap();
        st.browsers.insert(format!("/push/{name}"), b);
        st.script.insert(format!("/push/{name}"), script.iter().copied().collect());
        sub
    }

    pub fn received(&self) -> Vec<Received> {
        let st = self.state.lock().unwrap();
        assert!(st.problems.is_empty(), "the push service saw bad requests: {:?}", st.problems);
        st.received.clone()
    }

    /// Waits until `done` holds for what was received.
    pub fn wait_for(&self, what: &str, limit: Duration, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + limit;
        loop {
            let r = self.received();
            if done(&r) {
                return r;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; received {r:#?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn vapid_key(&self) -> &[u8] {
        &self.vapid
    }
}

/// Checks `vapid t=JWT, k=KEY` (RFC 8292): the key is the server's, the
/// ES256 signature holds, `aud` is this service's origin, `exp` within a day.
fn check_vapid(header: &str, vapid: &[u8], port: u16) -> Result<(), String> {
    let rest = header.strip_prefix("vapid t=").ok_or("not a vapid authorization")?;
    let (jwt, k) = rest.split_once(", k=").ok_or("no k=")?;
    if URL_SAFE_NO_PAD.decode(k).map_err(|e| e.to_string())? != vapid {
        return Err("k is not the server's VAPID key".into());
    }
    let (input, sig) = jwt.rsplit_once('.').ok_or("not a JWT")?;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(vapid).map_err(|e| e.to_string())?;
    let sig = p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    key.verify(input.as_bytes(), &sig).map_err(|_| "bad ES256 signature")?;
    let (h, c) = input.split_once('.').ok_or("not a JWT")?;
    let h: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).map_err(|e| e.to_string())?;
    let c: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c).unwrap()).map_err(|e| e.to_string())?;
    if h["alg"] != "ES256" {
        return Err(format!("alg {}", h["alg"]));
    }
    if c["aud"] != format!("http://127.0.0.1:{port}") {
        return Err(format!("aud {}", c["aud"]));
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let exp = c["exp"].as_i64().ok_or("no exp")?;
    if exp <= now || exp > now + 24 * 3600 {
        return Err(format!("exp {exp} is not within a day of {now}"));
    }
    if !c["sub"].as_str().is_some_and(|s| s.starts_with("https://") || s.starts_with("mailto:")) {
        return Err(format!("sub {}", c["sub"]));
    }
    Ok(())
}

fn serve(conn: TcpStream, st: &Mutex<State>, vapid: &[u8], port: u16, delay: Duration) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or_default().to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let at = Instant::now();
    let (status, retry_after, payload) = {
        let mut s = st.lock().unwrap();
        let mut problem = |p: String| s.problems.push(format!("{path}: {p}"));
        if let Err(e) = check_vapid(headers.get("authorization").map_or("", |v| v.as_str()), vapid, port) {
            problem(e);
        }
        if headers.get("content-encoding").map(String::as_str) != Some("aes128gcm") {
            problem("Content-Encoding is not aes128gcm".into());
        }
        if headers.get("ttl").and_then(|t| t.parse::<u64>().ok()).is_none() {
            problem("no TTL".into());
        }
        let payload = match s.browsers.get(&path).cloned() {
            Some(b) => match decrypt(&b, &body) {
                Ok(p) => serde_json::from_slice::<Value>(&p).ok(),
                Err(e) => {
                    s.problems.push(format!("{path}: {e}"));
                    None
                }
            },
            None => None,
        };
        let (status, retry_after) = s.script.get_mut(&path).and_then(VecDeque::pop_front).unwrap_or((201, None));
        s.received.push(Received {
            path: path.clone(),
            status,
            payload: payload.clone(),
            topic: headers.get("topic").cloned(),
            at,
        });
        (status, retry_after, payload)
    };
    let _ = payload;
    std::thread::sleep(delay);
    let mut w = conn;
    let extra = retry_after.map(|r| format!("Retry-After: {r}\r\n")).unwrap_or_default();
    write!(w, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n{extra}\r\n")?;
    w.flush()
}

fn vapid(s: &Server, who: &Cred) -> String {
    call(s, who, "GET", "/api/v1/push/vapid-public-key", None, &[]).body["public_key"].as_str().unwrap().to_string()
}

fn subscribe(s: &Server, who: &Cred, sub: &Value) -> String {
    let r = call(s, who, "POST", "/api/v1/me/push-subscriptions", Some(sub), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    r.id()
}

fn new_group(s: &Server, owner: &Cred, members: &[Cred]) -> String {
    let r = call(s, owner, "POST", "/api/v1/groups", Some(&json!({"name": "Gardeners"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let g = r.id();
    for m in members {
        let r = call(s, m, "PUT", &format!("/api/v1/groups/{g}/members/me"), None, &[]);
        assert_eq!(r.status, 201, "{r:?}");
    }
    g
}

#[test]
fn web_push_end_to_end_with_retries_and_a_gone_device() {
    let s = Server::start_with(&[
        ("LATCHKEY_OUTBOUND_ALLOW_PRIVATE", "true"),
        ("LATCHKEY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "1000"),
    ]);
    let names = ["alice", "bob", "carol", "dave", "erin"];
    for m in names {
        add_member(&s, m);
    }
    let (_, c, _) = oauth2_push(&s, &names);
    let [alice, bob, carol, dave, erin] = [&c[0], &c[1], &c[2], &c[3], &c[4]];
    let g = new_group(&s, alice, &[bob.clone(), carol.clone(), dave.clone(), erin.clone()]);
    // Erin mutes the group.
    let r = call(&s, erin, "PUT", "/api/v1/me/push-preferences", Some(&json!({"groups": {g.clone(): false}})), &[]);
    assert_eq!(r.status, 200, "{r:?}");
    // The joins were activity too: read (and fanned out to no device yet).
    std::thread::sleep(Duration::from_millis(1000));
    for m in [bob, carol, dave, erin] {
        assert_eq!(call(&s, m, "POST", &format!("/api/v1/groups/{g}/activity/read"), None, &[]).status, 204);
    }
    let push = PushService::start(&vapid(&s, alice), Duration::ZERO);
    subscribe(&s, alice, &push.browser("alice", 1, &[]));
    subscribe(&s, bob, &push.browser("bob", 2, &[(429, Some("1")), (500, None)]));
    subscribe(&s, carol, &push.browser("carol", 3, &[]));
    subscribe(&s, dave, &push.browser("dave", 4, &[(410, None)]));
    subscribe(&s, erin, &push.browser("erin", 5, &[]));
    let before = push.received().len();

    let body = json!({"group": g, "kind": "article", "title": "Tomatoes are in", "body": "Come and pick them."});
    let r = call(&s, alice, "POST", "/api/v1/posts", Some(&body), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let post = r.id();
    let is_post = |x: &Received| x.payload.as_ref().is_some_and(|p| p["item"] == post.as_str());
    let got = push.wait_for("bob's third attempt", Duration::from_secs(30), |r| {
        r[before..].iter().filter(|x| x.path == "/push/bob").count() == 3
            && r[before..].iter().any(|x| x.path == "/push/carol")
    });
    let got: Vec<&Received> = got[before..].iter().filter(|x| is_post(x)).collect();
    let to = |who: &str| got.iter().filter(|x| x.path == format!("/push/{who}")).collect::<Vec<_>>();
    assert!(to("alice").is_empty(), "the author is not notified");
    assert!(to("erin").is_empty(), "erin muted the group");
    let bob_got = to("bob");
    assert_eq!(bob_got.iter().map(|x| x.status).collect::<Vec<_>>(), [429, 500, 201]);
    assert!(bob_got[1].at.duration_since(bob_got[0].at) >= Duration::from_millis(900), "Retry-After: 1 honoured");
    assert!(bob_got.iter().all(|x| x.topic == bob_got[0].topic), "one delivery, one topic");
    let carol_got = to("carol");
    assert_eq!(carol_got.len(), 1);
    let p = carol_got[0].payload.as_ref().unwrap();
    assert_eq!(p["title"], "New post in Gardeners");
    assert_eq!(p["body"], "Tomatoes are in");
    assert_eq!(p["group"], g.as_str());
    assert_eq!(p["badge"], 1, "carol has read everything before this post");
    assert!(p["url"].as_str().unwrap().ends_with(&format!("/api/v1/posts/{post}")), "{p}");
    // Dave's service said 410: his device is gone.
    assert_eq!(to("dave").len(), 1);
    let r = call(&s, dave, "GET", "/api/v1/me/push-subscriptions", None, &[]);
    assert_eq!(r.body["items"], json!([]), "{r:?}");

    // Carol reads nothing; a comment makes her badge 2, nothing for Dave.
    let n = push.received().len();
    let r = call(&s, bob, "POST", &format!("/api/v1/posts/{post}/comments"), Some(&json!({"body": "Yum"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let got = push.wait_for("the comment", Duration::from_secs(20), |r| {
        r[n..].iter().any(|x| x.path == "/push/carol") && r[n..].iter().any(|x| x.path == "/push/alice")
    });
    let carol = got[n..].iter().find(|x| x.path == "/push/carol").unwrap().payload.clone().unwrap();
    assert_eq!((carol["title"].as_str(), carol["badge"].as_i64()), (Some("New comment in Gardeners"), Some(2)));
    assert_eq!(carol["body"], "On “Tomatoes are in”");
    std::thread::sleep(Duration::from_millis(500));
    assert!(push.received()[n..].iter().all(|x| x.path != "/push/dave" && x.path != "/push/bob"));
    assert!(push.vapid_key().len() == 65);
    let metrics = s.client().get(s.url("/metrics")).send().unwrap().text().unwrap();
    assert!(metrics.contains("latchkey_push_deliveries_total{service=\"webpush\",outcome=\"retry\"} 2"), "{metrics}");
    assert!(metrics.contains("latchkey_push_deliveries_total{service=\"webpush\",outcome=\"gone\"} 1"), "{metrics}");
    // The admin dashboard shows the devices left and the last failure.
    let admin = setup_admin(&s, "root");
    let page = admin.get(s.url("/admin")).send().unwrap().text().unwrap();
    assert!(page.contains("<strong>4</strong> devices"), "{page}");
    assert!(page.contains("Last failure (webpush): the push service answered 500"), "{page}");
    // And the deliveries by outcome, counted in the store as they happened.
    let chart = page.split("Push deliveries per hour by outcome, last 7 days: ").nth(1).expect("the deliveries chart");
    let summary = chart.split(';').next().unwrap();
    assert!(summary.contains("2 to retry") && summary.contains("1 device gone"), "{summary}");
    assert!(!summary.contains(" 0 delivered"), "{summary}");
}

#[test]
fn a_crash_in_the_middle_of_a_fan_out_loses_and_repeats_nothing_acknowledged() {
    let s = Server::start_with(&[
        ("LATCHKEY_OUTBOUND_ALLOW_PRIVATE", "true"),
        ("LATCHKEY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "1000"),
    ]);
    let names: Vec<String> = (0..24).map(|i| format!("m{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    for m in &refs {
        add_member(&s, m);
    }
    let (_, c, _) = oauth2_push(&s, &refs);
    // Every answer takes 300 ms: the fan-out is still sending when killed.
    let g = new_group(&s, &c[0], &c[1..]);
    std::thread::sleep(Duration::from_millis(1000));
    let push = PushService::start(&vapid(&s, &c[0]), Duration::from_millis(300));
    for (i, m) in c.iter().enumerate() {
        subscribe(&s, m, &push.browser(&format!("m{i:02}"), i as u8 + 10, &[]));
    }
    let mut posts = vec![];
    for i in 0..6 {
        let body = json!({"group": g, "body": format!("post {i}")});
        posts.push(call(&s, &c[0], "POST", "/api/v1/posts", Some(&body), &[]).id());
    }
    let want = posts.len() * (c.len() - 1);
    let is_post = |x: &Received| x.payload.as_ref().is_some_and(|p| posts.iter().any(|id| p["item"] == id.as_str()));
    push.wait_for("the fan-out to be under way", Duration::from_secs(30), |r| {
        r.iter().filter(|x| is_post(x)).count() >= want / 2
    });
    let killed = Instant::now();
    let at_kill = push.received().iter().filter(|x| is_post(x)).count();
    let s = s.crash_restart();
    push.wait_for("every notification", Duration::from_secs(60), |r| {
        let mut seen = std::collections::BTreeSet::new();
        for x in r.iter().filter(|x| is_post(x)) {
            seen.insert((x.path.clone(), x.payload.as_ref().unwrap()["item"].to_string()));
        }
        seen.len() == want
    });
    std::thread::sleep(Duration::from_secs(1));
    let got: Vec<Received> = push.received().into_iter().filter(|x| is_post(x)).collect();
    let mut by_id: BTreeMap<String, Vec<&Received>> = BTreeMap::new();
    for x in &got {
        by_id.entry(x.payload.as_ref().unwrap()["id"].to_string()).or_default().push(x);
    }
    assert_eq!(by_id.len(), want, "one delivery per member and post");
    assert!(at_kill < want, "the crash came in the middle: {at_kill} of {want} received");
    let mut acknowledged = 0;
    for (id, copies) in &by_id {
        // Acknowledged before the crash (answered 300 ms after it came in,
        // and written by the server just after): never sent again.
        if copies[0].at + Duration::from_millis(450) < killed {
            acknowledged += 1;
            assert_eq!(copies.len(), 1, "delivery {id} was acknowledged before the crash and sent again");
        }
        assert!(copies.len() <= 2, "delivery {id}: {copies:?}");
        assert!(copies.iter().all(|x| x.topic == copies[0].topic && x.path == copies[0].path));
    }
    assert!(acknowledged >= 20, "the crash came after {acknowledged} acknowledgements");
    assert!(got.len() - want <= 32, "only what was in flight at the crash may come twice");
    drop(s);
}

#[test]
fn an_endpoint_that_turns_internal_is_not_called_at_send_time() {
    // Registered while private targets were allowed (a local setup), then
    // the server runs without: the resolver refuses `localhost` when
    // sending, so the push service hears nothing.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut s = Server::start_in(&dir, &[("LATCHKEY_OUTBOUND_ALLOW_PRIVATE", "true")]);
    for m in ["alice", "bob"] {
        add_member(&s, m);
    }
    let (_, c, _) = oauth2_push(&s, &["alice", "bob"]);
    let g = new_group(&s, &c[0], &c[1..]);
    let push = PushService::start(&vapid(&s, &c[0]), Duration::ZERO);
    let sub = push.browser("bob", 2, &[]);
    let endpoint = format!("https://localhost:{}/push/bob", push.port);
    subscribe(&s, &c[1], &json!({"service": "webpush", "endpoint": endpoint, "keys": sub["keys"]}));
    assert!(s.stop().success());
    let s = Server::start_in(&dir, &[]);
    let (_, c, _) = oauth2_push(&s, &["alice", "bob"]);
    let r = call(&s, &c[0], "POST", "/api/v1/posts", Some(&json!({"group": g, "body": "hello"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let failed = "latchkey_push_deliveries_total{service=\"webpush\",outcome=\"failed\"} 1";
    loop {
        let metrics = s.client().get(s.url("/metrics")).send().unwrap().text().unwrap();
        if metrics.contains(failed) {
            break;
        }
        assert!(Instant::now() < deadline, "no refusal counted: {metrics}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(push.received().is_empty(), "the internal endpoint was called");
    assert!(s.log().contains("not public"), "{}", s.log());
}
