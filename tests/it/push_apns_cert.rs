//! APNs with a certificate, end to end: the admin pastes the application's
//! client certificate and key on its page (a key that is not the
//! certificate's, text that is no certificate and an expired certificate
//! are refused with words that say so); a post in a group reaches the
//! fake APNs of `fake_apns` over connections that present that
//! certificate (one per host) with no `authorization` header; a 403
//! `BadCertificate` fails the delivery and keeps the device; a
//! certificate the server does not trust is refused in the TLS handshake,
//! which fails the deliveries (not retried) and keeps the devices; and a
//! token key entered instead switches the application back to JWTs.

use crate::fake_apns::*;
use crate::harness::*;
use crate::push::oauth2_push;
use crate::social::call;
use serde_json::json;
use std::time::{Duration, Instant};

/// The application's RSA key (Apple's push certificates are RSA 2048).
const KEY: &str = include_str!("../fixtures/fcm/key.pem");
const DAY: i64 = 86_400;

fn metric(s: &Server, outcome: &str) -> u64 {
    let metrics = s.client().get(s.url("/metrics")).send().unwrap().text().unwrap();
    let prefix = format!("latchkey_push_deliveries_total{{service=\"apns\",outcome=\"{outcome}\"}} ");
    metrics.lines().find_map(|l| l.strip_prefix(&prefix)).map_or(0, |n| n.parse().unwrap())
}

fn wait(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn apns_with_a_certificate_presented_refused_and_replaced_by_a_token_key() {
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
    let names = ["alice", "bob", "carol", "dave"];
    for m in names {
        add_member(&s, m);
    }
    let (app_id, c, _) = oauth2_push(&s, &names);
    let [alice, bob, carol, dave] = [&c[0], &c[1], &c[2], &c[3]];
    let page = |path: &str| {
        let r = admin.get(s.url(path)).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let (st, html) = page(&format!("/admin/clients/{app_id}"));
    assert_eq!(st, 200);
    assert!(html.contains("id=\"apns-status\">not configured<"), "{html}");
    assert!(html.contains("id=\"apns-certificate\"") && html.contains("id=\"apns-key\""), "both forms");
    let token = csrf(&html);

    let key = rcgen::KeyPair::from_pem(KEY).unwrap();
    let cn = format!("Apple Push Services: {TOPIC}");
    let now = unix_now();
    let cert = fake.client_certificate(&key, &cn, now - DAY, now + 30 * DAY);
    let form_url = s.url(&format!("/admin/clients/{app_id}/push/apns/certificate"));
    let form = |csrf: &str, certificate: &str, key: &str| {
        admin
            .post(&form_url)
            .form(&[("csrf", csrf), ("certificate", certificate), ("key", key), ("topic", TOPIC)])
            .send()
            .unwrap()
    };
    assert_eq!(form("wrong", &cert, KEY).status(), 403, "no CSRF token, no change");
    let refused = |certificate: &str, key: &str, words: &str| {
        let r = form(&token, certificate, key);
        assert_eq!(r.status(), 400);
        let text = r.text().unwrap();
        assert!(text.contains(words), "{words:?} in {text}");
    };
    let other = rcgen::KeyPair::generate().unwrap().serialize_pem();
    refused(&cert, &other, "The private key does not belong to the certificate.");
    refused("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", KEY, "No certificate found");
    let expired = fake.client_certificate(&key, &cn, now - 400 * DAY, now - DAY);
    refused(&expired, KEY, "The certificate expired on");
    let (_, html) = page(&format!("/admin/clients/{app_id}"));
    assert!(html.contains("id=\"apns-status\">not configured<"), "nothing stored");

    let r = form(&token, &cert, KEY);
    assert_eq!(r.status(), 303);
    let (_, html) = page(&location(&r).replace(&s.url(""), ""));
    assert!(html.contains("Stored the APNs certificate of Pusher."), "{html}");
    assert!(
        html.contains(&format!("certificate {cn}, topic {TOPIC}, valid until ")),
        "the subject and the expiry: {html}"
    );
    assert!(!html.contains("PRIVATE KEY") && !html.contains("apns-expired"), "never shown again; not expired");
    let (_, audit) = page("/admin/audit");
    assert!(audit.contains("push.credentials.set") && audit.contains("apns, certificate"), "{audit}");

    let r = call(&s, alice, "POST", "/api/v1/groups", Some(&json!({"name": "Gardeners"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let g = r.id();
    for m in [bob, carol, dave] {
        assert_eq!(call(&s, m, "PUT", &format!("/api/v1/groups/{g}/members/me"), None, &[]).status, 201);
    }
    // The joins are fanned out before anyone has a device.
    std::thread::sleep(Duration::from_millis(1000));
    fake.script(&device("carol"), &[(403, "BadCertificate", None)]);
    for (who, name, env) in [
        (alice, "alice", "production"),
        (bob, "bob", "sandbox"),
        (carol, "carol", "production"),
        (dave, "dave", "production"),
    ] {
        let body = json!({"service": "apns", "token": device(name), "environment": env});
        let r = call(&s, who, "POST", "/api/v1/me/push-subscriptions", Some(&body), &[]);
        assert_eq!(r.status, 201, "{r:?}");
    }
    let devices = |who| call(&s, who, "GET", "/api/v1/me/push-subscriptions", None, &[]).body["items"].clone();

    let body = json!({"group": g, "kind": "article", "title": "Tomatoes are in", "body": "Come and pick them."});
    let r = call(&s, alice, "POST", "/api/v1/posts", Some(&body), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let post = r.id();
    let got = fake.wait_for("bob's, carol's and dave's notifications", |got| {
        ["bob", "carol", "dave"].iter().all(|w| got.iter().any(|x| x.device == device(w)))
    });
    // Every one over a connection that presented the certificate, with no
    // JWT (the fake also refuses an authorization header beside it).
    assert!(got.iter().all(|x| x.client.as_deref() == Some(cn.as_str()) && x.jwt.is_empty()), "{got:#?}");
    let to = |who: &str| got.iter().filter(|x| x.device == device(who)).collect::<Vec<_>>();
    assert_eq!(to("bob")[0].host, "api.sandbox.push.apple.com");
    assert_eq!(to("dave")[0].host, "api.push.apple.com");
    assert_eq!(to("dave")[0].payload["aps"]["alert"]["title"], "New post in Gardeners");
    let mut connections = fake.state.lock().unwrap().connections.clone();
    connections.sort();
    assert_eq!(
        connections,
        [
            ("api.push.apple.com".to_string(), Some(cn.clone())),
            ("api.sandbox.push.apple.com".to_string(), Some(cn.clone()))
        ],
        "one connection per host, presenting the certificate"
    );
    // 403 BadCertificate: the application's credentials are wrong, not
    // carol's device: the delivery fails, is not retried, the device stays.
    wait("the outcomes", || metric(&s, "delivered") == 2 && metric(&s, "failed") == 1);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(fake.got().iter().filter(|x| x.device == device("carol")).count(), 1, "not retried");
    assert_eq!(devices(carol).as_array().unwrap().len(), 1, "the device is kept");
    let (_, dash) = page("/admin");
    assert!(dash.contains("BadCertificate: Apple refused the application"), "the last error for the admin: {dash}");

    // A certificate the server does not trust (Apple would not either):
    // refused in the TLS handshake, so no request arrives; the deliveries
    // fail at once and the devices stay.
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(rcgen::DnType::CommonName, "Apple Push Services: stranger");
    p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let stranger = p.self_signed(&key).unwrap().pem();
    let (_, html) = page(&format!("/admin/clients/{app_id}"));
    let r = form(&csrf(&html), &stranger, KEY);
    assert_eq!(r.status(), 303);
    let before = fake.got().len();
    let r = call(&s, alice, "POST", &format!("/api/v1/posts/{post}/comments"), Some(&json!({"body": "Ripe"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    wait("three refused deliveries", || metric(&s, "failed") == 4);
    assert!(!fake.state.lock().unwrap().refused.is_empty(), "the fake refused the handshake");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(fake.got().len(), before, "no request got through");
    assert_eq!(metric(&s, "failed"), 4, "not retried");
    assert_eq!(metric(&s, "retry"), 0);
    for who in [bob, carol, dave] {
        assert_eq!(devices(who).as_array().unwrap().len(), 1, "the devices are kept");
    }
    let (_, dash) = page("/admin");
    assert!(dash.contains("APNs refused the application") && dash.contains("UnknownCA"), "{dash}");

    // A token key instead: JWTs again, over connections without a
    // certificate; the audit says what it replaced.
    let (_, html) = page(&format!("/admin/clients/{app_id}"));
    let r = admin
        .post(s.url(&format!("/admin/clients/{app_id}/push/apns")))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("key", fake.key_pem.as_str()),
            ("key_id", KEY_ID),
            ("team_id", TEAM),
            ("topic", TOPIC),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = page(&format!("/admin/clients/{app_id}"));
    assert!(html.contains(&format!("key {KEY_ID}, team {TEAM}, topic {TOPIC}")), "{html}");
    assert!(!html.contains("certificate Apple Push Services"), "{html}");
    let (_, audit) = page("/admin/audit");
    assert!(audit.contains("replaces the certificate"), "{audit}");
    let r = call(&s, bob, "POST", &format!("/api/v1/posts/{post}/comments"), Some(&json!({"body": "Yum"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    let got = fake.wait_for("carol's and dave's notifications by token", |got| {
        ["carol", "dave"].iter().all(|w| got[before..].iter().any(|x| x.device == device(w) && x.status == 200))
    });
    assert!(got[before..].iter().all(|x| x.client.is_none() && !x.jwt.is_empty()), "{:#?}", &got[before..]);
    assert!(
        fake.state.lock().unwrap().connections.contains(&("api.push.apple.com".to_string(), None)),
        "a connection without a certificate"
    );

    // Removed: APNs devices are no longer sent to.
    let (_, html) = page(&format!("/admin/clients/{app_id}"));
    let r = admin
        .post(s.url(&format!("/admin/clients/{app_id}/push/apns/remove")))
        .form(&[("csrf", csrf(&html).as_str())])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = page(&location(&r).replace(&s.url(""), ""));
    assert!(
        html.contains("Removed the APNs credentials of Pusher") && html.contains("id=\"apns-status\">not configured<")
    );
    drop(admin);
    assert!(s.stop().success(), "clean stop");
}
