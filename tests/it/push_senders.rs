//! FCM end to end: an admin enters a service account on the application's
//! page; a fake FCM on loopback (HTTP/1.1, as `fcm_endpoint` and
//! `token_uri` in the credentials point there) checks the signed JWT
//! assertion against the account's public key before it hands out an
//! access token, takes `messages:send` calls with that token, and answers
//! scripted errors: a 429 is retried after `Retry-After`, `UNREGISTERED`
//! removes the device, and the access token is fetched once and reused.
//!
//! APNs end to end: an admin enters a `.p8` key on the same page; the
//! fake APNs of `fake_apns` verifies each provider JWT's ES256 signature
//! with the key's public half, checks the host, the headers and the
//! payload, and answers scripted errors: 429 is retried, 410
//! `Unregistered` removes the device, 403 `ExpiredProviderToken` makes
//! the sender sign a new JWT once, and a second refusal drops it. APNs
//! with a certificate is in `push_apns_cert`.

use crate::harness::*;
use crate::push::oauth2_push;
use crate::social::{Cred, call};
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = include_str!("../fixtures/fcm/key.pem");
const PUBLIC: &str = include_str!("../fixtures/fcm/public.pem");
const EMAIL: &str = "push@demo-app.iam.gserviceaccount.com";

/// One `messages:send` call.
#[derive(Debug, Clone)]
struct Sent {
    token: String,
    status: u16,
    message: Value,
    at: Instant,
}

/// A scripted answer: status, FCM error code, `Retry-After`.
type Answer = (u16, &'static str, Option<&'static str>);

#[derive(Default)]
struct State {
    /// Device token -> answers (status, FCM error code, Retry-After) before 200.
    script: BTreeMap<String, VecDeque<Answer>>,
    issued: Vec<String>,
    sent: Vec<Sent>,
    problems: Vec<String>,
}

struct Fcm {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl Fcm {
    fn start() -> Fcm {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, &st, port);
                });
            }
        });
        Fcm { port, state }
    }

    fn credentials(&self) -> String {
        json!({
            "type": "service_account",
            "project_id": "demo-app",
            "private_key_id": "k1",
            "private_key": KEY,
            "client_email": EMAIL,
            "token_uri": format!("http://127.0.0.1:{}/token", self.port),
            "fcm_endpoint": format!("http://127.0.0.1:{}", self.port),
        })
        .to_string()
    }

    fn script(&self, token: &str, answers: &[Answer]) {
        self.state.lock().unwrap().script.insert(token.into(), answers.iter().copied().collect());
    }

    fn sent(&self) -> Vec<Sent> {
        let st = self.state.lock().unwrap();
        assert!(st.problems.is_empty(), "the fake FCM saw bad requests: {:?}", st.problems);
        st.sent.clone()
    }

    fn wait_for(&self, what: &str, done: impl Fn(&[Sent]) -> bool) -> Vec<Sent> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let r = self.sent();
            if done(&r) {
                return r;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; sent {r:#?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The assertion's RS256 signature against the account's public key, and
/// its claims (RFC 7523).
fn check_assertion(jwt: &str, port: u16) -> Result<(), String> {
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC.as_bytes()).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_audience(&[format!("http://127.0.0.1:{port}/token")]);
    v.set_issuer(&[EMAIL]);
    let c = jsonwebtoken::decode::<Value>(jwt, &key, &v).map_err(|e| format!("assertion: {e}"))?.claims;
    if c["scope"] != "https://www.googleapis.com/auth/firebase.messaging" {
        return Err(format!("scope {}", c["scope"]));
    }
    Ok(())
}

fn serve(conn: TcpStream, st: &Mutex<State>, port: u16) -> std::io::Result<()> {
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
    let (status, answer, retry_after) = {
        let mut s = st.lock().unwrap();
        if path == "/token" {
            let form: BTreeMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
            let grant = form.get("grant_type").map(String::as_str);
            match check_assertion(form.get("assertion").map_or("", String::as_str), port) {
                Ok(()) if grant == Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
                    let token = format!("at-{}", s.issued.len() + 1);
                    s.issued.push(token.clone());
                    (200, json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer"}), None)
                }
                other => {
                    s.problems.push(format!("token request: {other:?}, grant {grant:?}"));
                    (400, json!({"error": "invalid_grant"}), None)
                }
            }
        } else if path == "/v1/projects/demo-app/messages:send" {
            let bearer = headers.get("authorization").and_then(|a| a.strip_prefix("Bearer ")).unwrap_or_default();
            if !s.issued.iter().any(|t| t == bearer) {
                s.problems.push(format!("send with an access token never issued: {bearer:?}"));
            }
            let message: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let token = message["message"]["token"].as_str().unwrap_or_default().to_string();
            let (status, code, retry_after) =
                s.script.get_mut(&token).and_then(VecDeque::pop_front).unwrap_or((200, "", None));
            s.sent.push(Sent { token, status, message: message["message"].clone(), at: Instant::now() });
            let answer = if status == 200 {
                json!({"name": "projects/demo-app/messages/1"})
            } else {
                json!({"error": {"code": status, "message": "scripted", "status": code,
                    "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}]}})
            };
            (status, answer, retry_after)
        } else {
            s.problems.push(format!("unexpected path {path}"));
            (404, json!({}), None)
        }
    };
    let answer = answer.to_string();
    let extra = retry_after.map(|r| format!("Retry-After: {r}\r\n")).unwrap_or_default();
    let mut w = conn;
    write!(
        w,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{answer}",
        answer.len()
    )?;
    w.flush()
}

fn subscribe(s: &Server, who: &Cred, token: &str) {
    let r =
        call(s, who, "POST", "/api/v1/me/push-subscriptions", Some(&json!({"service": "fcm", "token": token})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
}

#[test]
fn fcm_end_to_end_with_a_retry_and_an_unregistered_device() {
    let s = Server::start_with(&[
        ("LATCHKEY_OUTBOUND_ALLOW_PRIVATE", "true"),
        ("LATCHKEY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "1000"),
    ]);
    let admin = setup_admin(&s, "root");
    let names = ["alice", "bob", "carol", "dave"];
    for m in names {
        add_member(&s, m);
    }
    let (app_id, c, _) = oauth2_push(&s, &names);
    let [alice, bob, carol, dave] = [&c[0], &c[1], &c[2], &c[3]];
    let fcm = Fcm::start();

    // The admin enters the service account; it is never shown again.
    let page = |path: &str| {
        let r = admin.get(s.url(path)).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let (st, html) = page(&format!("/admin/clients/{app_id}"));
    assert_eq!(st, 200);
    assert!(html.contains("id=\"fcm-status\">not configured<"), "{html}");
    let form_url = s.url(&format!("/admin/clients/{app_id}/push/fcm"));
    let creds = fcm.credentials();
    let r = admin.post(&form_url).form(&[("csrf", "wrong"), ("credentials", creds.as_str())]).send().unwrap();
    assert_eq!(r.status(), 403, "no CSRF token, no change");
    let token = csrf(&html);
    let r = admin.post(&form_url).form(&[("csrf", token.as_str()), ("credentials", "{}")]).send().unwrap();
    assert_eq!(r.status(), 400, "not a service account");
    let r = admin.post(&form_url).form(&[("csrf", token.as_str()), ("credentials", creds.as_str())]).send().unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = page(&location(&r).replace(&s.url(""), ""));
    assert!(html.contains("Stored the FCM credentials of Pusher."), "{html}");
    assert!(html.contains("id=\"fcm-status\">configured"), "{html}");
    assert!(!html.contains("PRIVATE KEY") && !html.contains(EMAIL), "never shown again");
    let (_, audit) = page("/admin/audit");
    assert!(audit.contains("push.credentials.set"), "{audit}");

    let r = call(&s, alice, "POST", "/api/v1/groups", Some(&json!({"name": "Gardeners"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let g = r.id();
    for m in [bob, carol, dave] {
        assert_eq!(call(&s, m, "PUT", &format!("/api/v1/groups/{g}/members/me"), None, &[]).status, 201);
    }
    // The joins are fanned out before anyone has a device.
    std::thread::sleep(Duration::from_millis(1000));
    fcm.script("tok-bob", &[(429, "QUOTA_EXCEEDED", Some("1"))]);
    fcm.script("tok-carol", &[(404, "UNREGISTERED", None)]);
    for (who, t) in [(alice, "tok-alice"), (bob, "tok-bob"), (carol, "tok-carol"), (dave, "tok-dave")] {
        subscribe(&s, who, t);
    }

    let body = json!({"group": g, "kind": "article", "title": "Tomatoes are in", "body": "Come and pick them."});
    let r = call(&s, alice, "POST", "/api/v1/posts", Some(&body), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let post = r.id();
    let sent = fcm.wait_for("bob's second attempt and dave's", |r| {
        r.iter().filter(|x| x.token == "tok-bob").count() == 2 && r.iter().any(|x| x.token == "tok-dave")
    });
    let to = |t: &str| sent.iter().filter(|x| x.token == t).collect::<Vec<_>>();
    assert!(to("tok-alice").is_empty(), "the author is not notified");
    let bob_got = to("tok-bob");
    assert_eq!(bob_got.iter().map(|x| x.status).collect::<Vec<_>>(), [429, 200]);
    assert!(bob_got[1].at.duration_since(bob_got[0].at) >= Duration::from_millis(900), "Retry-After: 1 honoured");
    let m = &to("tok-dave")[0].message;
    assert_eq!(m["notification"], json!({"title": "New post in Gardeners", "body": "Tomatoes are in"}));
    assert_eq!(m["data"]["item"], post.as_str());
    assert_eq!(m["data"]["group"], g.as_str());
    assert!(m["data"]["url"].as_str().unwrap().ends_with(&format!("/api/v1/posts/{post}")), "{m}");
    assert_eq!(m["data"]["badge"], "1");
    assert_eq!(m["apns"]["payload"]["aps"]["badge"], 1);
    // Carol's device is unregistered: FCM said so, and it is gone.
    assert_eq!(to("tok-carol").len(), 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = call(&s, carol, "GET", "/api/v1/me/push-subscriptions", None, &[]);
        if r.body["items"] == json!([]) {
            break;
        }
        assert!(Instant::now() < deadline, "carol's device is still there: {r:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(fcm.state.lock().unwrap().issued.len(), 1, "one access token, cached");

    // Without credentials, FCM devices are not sent to.
    let (_, html) = page(&format!("/admin/clients/{app_id}"));
    let r = admin
        .post(s.url(&format!("/admin/clients/{app_id}/push/fcm/remove")))
        .form(&[("csrf", csrf(&html).as_str())])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let n = fcm.sent().len();
    let r = call(&s, bob, "POST", &format!("/api/v1/posts/{post}/comments"), Some(&json!({"body": "Yum"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(fcm.sent().len(), n);
    let (_, audit) = page("/admin/audit");
    assert!(audit.contains("push.credentials.remove"), "{audit}");
}

mod apns {
    use super::*;
    use crate::fake_apns::*;

    #[test]
    fn apns_end_to_end_with_sandbox_retry_unregistered_and_an_expired_provider_token() {
        let fake = Apns::start();
        let ca = fake.dir.path().join("ca.pem");
        let connect_to = format!("127.0.0.1:{}", fake.port);
        let mut s = Server::start_with(&[
            ("LATCHKEY_OUTBOUND_ALLOW_PRIVATE", "true"),
            ("LATCHKEY_OUTBOUND_CA_FILE", ca.to_str().unwrap()),
            ("LATCHKEY_APNS_CONNECT_TO", &connect_to),
            ("LATCHKEY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "1000"),
        ]);
        let admin = setup_admin(&s, "root");
        let names = ["alice", "bob", "carol", "dave", "erin", "frank"];
        for m in names {
            add_member(&s, m);
        }
        let (app_id, c, _) = oauth2_push(&s, &names);

        // The admin enters the key; the page shows the ids, never the key.
        let page = |path: &str| {
            let r = admin.get(s.url(path)).send().unwrap();
            (r.status().as_u16(), r.text().unwrap())
        };
        let (st, html) = page(&format!("/admin/clients/{app_id}"));
        assert_eq!(st, 200);
        assert!(html.contains("id=\"apns-status\">not configured<"), "{html}");
        let form_url = s.url(&format!("/admin/clients/{app_id}/push/apns"));
        let token = csrf(&html);
        let form = |csrf: &str, key: &str, key_id: &str| {
            admin
                .post(&form_url)
                .form(&[("csrf", csrf), ("key", key), ("key_id", key_id), ("team_id", TEAM), ("topic", TOPIC)])
                .send()
                .unwrap()
        };
        assert_eq!(form("wrong", &fake.key_pem, KEY_ID).status(), 403, "no CSRF token, no change");
        let r = form(&token, KEY, KEY_ID);
        assert_eq!(r.status(), 400, "an RSA key is not a .p8 key");
        assert!(r.text().unwrap().contains(".p8"));
        assert_eq!(form(&token, &fake.key_pem, "abc").status(), 400, "not Apple's key id");
        let r = form(&token, &fake.key_pem, KEY_ID);
        assert_eq!(r.status(), 303);
        let (_, html) = page(&location(&r).replace(&s.url(""), ""));
        assert!(html.contains("Stored the APNs key of Pusher."), "{html}");
        assert!(
            html.contains(&format!("key {KEY_ID}, team {TEAM}, topic {TOPIC}; the key is not shown again")),
            "{html}"
        );
        assert!(!html.contains("PRIVATE KEY"), "never shown again");
        let (_, audit) = page("/admin/audit");
        assert!(audit.contains("push.credentials.set"), "{audit}");

        let [alice, bob, carol, dave, erin, frank] = [&c[0], &c[1], &c[2], &c[3], &c[4], &c[5]];
        let r = call(&s, alice, "POST", "/api/v1/groups", Some(&json!({"name": "Gardeners"})), &[]);
        assert_eq!(r.status, 201, "{r:?}");
        let g = r.id();
        for m in [frank, bob, carol, dave, erin] {
            assert_eq!(call(&s, m, "PUT", &format!("/api/v1/groups/{g}/members/me"), None, &[]).status, 201);
        }
        // The joins are fanned out before anyone has a device.
        std::thread::sleep(Duration::from_millis(1000));
        fake.script(&device("bob"), &[(429, "TooManyRequests", Some("1"))]);
        fake.script(&device("carol"), &[(410, "Unregistered", None)]);
        fake.script(&device("dave"), &[(403, "ExpiredProviderToken", None)]);
        for (who, name, env) in [
            (alice, "alice", "production"),
            (bob, "bob", "sandbox"),
            (carol, "carol", "production"),
            (dave, "dave", "production"),
            (erin, "erin", "production"),
            (frank, "frank", "production"),
        ] {
            let body = json!({"service": "apns", "token": device(name), "environment": env});
            let r = call(&s, who, "POST", "/api/v1/me/push-subscriptions", Some(&body), &[]);
            assert_eq!(r.status, 201, "{r:?}");
        }

        let body = json!({"group": g, "kind": "article", "title": "Tomatoes are in", "body": "Come and pick them."});
        let r = call(&s, alice, "POST", "/api/v1/posts", Some(&body), &[]);
        assert_eq!(r.status, 201, "{r:?}");
        let post = r.id();
        let delivered = |got: &[Got], who: &str| got.iter().any(|x| x.device == device(who) && x.status == 200);
        let got = fake.wait_for("bob's, dave's, erin's and frank's deliveries", |got| {
            ["bob", "dave", "erin", "frank"].iter().all(|w| delivered(got, w))
        });
        let to = |who: &str| got.iter().filter(|x| x.device == device(who)).collect::<Vec<_>>();
        assert!(to("alice").is_empty(), "the author is not notified");

        // Sandbox and production from the subscription.
        assert!(to("bob").iter().all(|x| x.host == "api.sandbox.push.apple.com"), "{:?}", to("bob"));
        assert!(to("erin").iter().all(|x| x.host == "api.push.apple.com"));
        // Dave's first answer expires the provider token everyone shares: a
        // request already on its way with it is refused the same way and
        // sent again with the fresh one. Those refusals aside:
        let old_jwt = to("dave")[0].jwt.clone();
        let answered =
            |who: &str| to(who).into_iter().filter(|x| !(x.status == 403 && x.jwt == old_jwt)).collect::<Vec<_>>();
        // 429 with Retry-After: 1, then delivered.
        let bob_got = answered("bob");
        assert_eq!(bob_got.iter().map(|x| x.status).collect::<Vec<_>>(), [429, 200]);
        assert!(bob_got[1].at.duration_since(bob_got[0].at) >= Duration::from_millis(900), "Retry-After honoured");
        // The alert, the badge and the ids.
        let p = &to("erin")[0].payload;
        assert_eq!(p["aps"]["alert"], json!({"title": "New post in Gardeners", "body": "Tomatoes are in"}));
        assert_eq!(p["aps"]["badge"], 1);
        assert_eq!((p["group"].as_str(), p["item"].as_str()), (Some(g.as_str()), Some(post.as_str())));
        // An expired provider token: a new one, made once, and the
        // notification sent again at once with it.
        let dave_got = to("dave");
        assert_eq!(dave_got.iter().map(|x| x.status).collect::<Vec<_>>(), [403, 200], "{dave_got:?}");
        assert_ne!(dave_got[0].jwt, dave_got[1].jwt);
        let mut jwts: Vec<&str> = got.iter().map(|x| x.jwt.as_str()).collect();
        jwts.sort_unstable();
        jwts.dedup();
        assert_eq!(jwts.len(), 2, "one JWT, then one fresh one for everyone");
        // One HTTP/2 connection per host, shared by every notification.
        let mut connections = fake.state.lock().unwrap().connections.clone();
        connections.sort();
        assert_eq!(
            connections,
            [("api.push.apple.com".to_string(), None), ("api.sandbox.push.apple.com".to_string(), None)],
            "no client certificate"
        );
        // Carol's device is unregistered: Apple said so, and it is gone.
        assert_eq!(answered("carol").iter().map(|x| x.status).collect::<Vec<_>>(), [410]);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let r = call(&s, carol, "GET", "/api/v1/me/push-subscriptions", None, &[]);
            if r.body["items"] == json!([]) {
                break;
            }
            assert!(Instant::now() < deadline, "carol's device is still there: {r:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let metrics = s.client().get(s.url("/metrics")).send().unwrap().text().unwrap();
        for (outcome, n) in [("delivered", 4), ("gone", 1)] {
            let line = format!("latchkey_push_deliveries_total{{service=\"apns\",outcome=\"{outcome}\"}} {n}");
            assert!(metrics.contains(&line), "{line} in {metrics}");
        }

        // A provider token refused again after the fresh one: the key is
        // wrong, so the delivery is dropped after two tries, not retried.
        fake.script(&device("frank"), &[(403, "InvalidProviderToken", None), (403, "InvalidProviderToken", None)]);
        let before = fake.got().len();
        let r = call(&s, alice, "POST", &format!("/api/v1/posts/{post}/comments"), Some(&json!({"body": "Ripe"})), &[]);
        assert_eq!(r.status, 201, "{r:?}");
        let refused = |got: &[Got]| got[before..].iter().filter(|x| x.device == device("frank")).count();
        fake.wait_for("frank's two refusals and erin's comment", |got| {
            refused(got) == 2 && got[before..].iter().any(|x| x.device == device("erin"))
        });
        std::thread::sleep(Duration::from_millis(1500));
        let got = fake.got();
        let frank_got: Vec<_> = got[before..].iter().filter(|x| x.device == device("frank")).collect();
        assert_eq!(frank_got.iter().map(|x| x.status).collect::<Vec<_>>(), [403, 403], "not retried");
        assert_ne!(frank_got[0].jwt, frank_got[1].jwt, "the second try had a new token");
        let metrics = s.client().get(s.url("/metrics")).send().unwrap().text().unwrap();
        assert!(metrics.contains("latchkey_push_deliveries_total{service=\"apns\",outcome=\"failed\"} 1"), "{metrics}");

        // The admin removes the key: APNs devices are no longer sent to.
        let (_, html) = page(&format!("/admin/clients/{app_id}"));
        let r = admin
            .post(s.url(&format!("/admin/clients/{app_id}/push/apns/remove")))
            .form(&[("csrf", csrf(&html).as_str())])
            .send()
            .unwrap();
        assert_eq!(r.status(), 303);
        let (_, html) = page(&location(&r).replace(&s.url(""), ""));
        assert!(
            html.contains("Removed the APNs credentials of Pusher")
                && html.contains("id=\"apns-status\">not configured<")
        );
        let n = fake.got().len();
        let r = call(&s, bob, "POST", &format!("/api/v1/posts/{post}/comments"), Some(&json!({"body": "Yum"})), &[]);
        assert_eq!(r.status, 201, "{r:?}");
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(fake.got().len(), n);
        let (_, audit) = page("/admin/audit");
        assert!(audit.contains("push.credentials.remove"), "{audit}");
        // The open HTTP/2 connections to APNs (one per host) do not hold a
        // clean stop (the test's own idle connection may, for actix's 5 s
        // keep-alive).
        drop(admin);
        let t = Instant::now();
        assert!(s.stop().success(), "clean stop");
        assert!(t.elapsed() < Duration::from_secs(10), "stopped in {:?}", t.elapsed());
    }
}
