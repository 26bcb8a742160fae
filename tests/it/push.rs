//! Push notifications against a real server: the subscription and
//! preference routes through both OAuth 2.0 and OAuth 1.0a, the outbound
//! rule (refused endpoints), a device registered twice, a revoked grant
//! taking its devices; and (`push_delivery`) the whole path to a Web Push
//! service on loopback inside the test.

use crate::harness::*;
use crate::oauth1_client::{Method, register_consumer, three_legged};
use crate::social::{Cred, R, call};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// A browser's Web Push key pair and auth secret.
pub struct Browser {
    pub secret: p256::SecretKey,
    pub auth: [u8; 16],
}

impl Browser {
    pub fn new(seed: u8) -> Browser {
        let mut k = [seed; 32];
        k[0] = 1;
        Browser { secret: p256::SecretKey::from_slice(&k).unwrap(), auth: [seed; 16] }
    }

    pub fn keys(&self) -> Value {
        json!({
            "p256dh": URL_SAFE_NO_PAD.encode(self.secret.public_key().to_sec1_bytes()),
            "auth": URL_SAFE_NO_PAD.encode(self.auth),
        })
    }

    pub fn subscription(&self, endpoint: &str) -> Value {
        json!({"service": "webpush", "endpoint": endpoint, "keys": self.keys()})
    }
}

/// Bearer tokens for members through an application with `push`, and
/// through a second one that may also revoke applications.
pub fn oauth2_push(s: &Server, members: &[&str]) -> (String, Vec<Cred>, Vec<Cred>) {
    let app = |name: &str, scopes: &[&str]| {
        let mut args = vec!["--name", name, "--grant", "password"];
        for sc in scopes {
            args.extend(["--scope", sc]);
        }
        let (id, secret) = register(s, &args);
        (id, secret.unwrap())
    };
    let (a_id, a_secret) = app("Pusher", &["read", "write", "push"]);
    let (b_id, b_secret) = app("Manager", &["push", "applications"]);
    let a = members.iter().map(|m| Cred::Bearer(password_token(s, &a_id, &a_secret, m))).collect();
    let b = members.iter().map(|m| Cred::Bearer(password_token(s, &b_id, &b_secret, m))).collect();
    (a_id, a, b)
}

/// The same through OAuth 1.0a consumers.
pub fn oauth1_push(s: &Server, members: &[&str]) -> (String, Vec<Cred>, Vec<Cred>) {
    let http = s.client();
    let consumer = |name: &str, cb: &str, scopes: &[&str]| {
        let mut args = vec!["--name", name, "--callback", cb];
        for sc in scopes {
            args.extend(["--scope", sc]);
        }
        register_consumer(s, &args)
    };
    let a = consumer("Pusher1", "https://pusher.example/cb", &["read", "write", "push"]);
    let b = consumer("Manager1", "https://manager.example/cb", &["push", "applications"]);
    let creds = |c: &crate::oauth1_client::Consumer, cb: &str| -> Vec<Cred> {
        members
            .iter()
            .map(|m| Cred::OAuth1 {
                consumer: (c.key.clone(), c.secret.clone()),
                token: Some(three_legged(s, &http, &Method::HmacSha1, c, m, cb)),
            })
            .collect()
    };
    (a.key.clone(), creds(&a, "https://pusher.example/cb"), creds(&b, "https://manager.example/cb"))
}

fn items(r: &R) -> Vec<Value> {
    r.body["items"].as_array().unwrap_or_else(|| panic!("{r:?}")).clone()
}

fn fields(r: &R) -> Vec<String> {
    r.body["errors"].as_array().map_or(vec![], |e| e.iter().map(|f| f["field"].as_str().unwrap().to_string()).collect())
}

/// The subscription routes for one protocol: `pusher` holds `push` through
/// application `app_id`; `manager` is the same member through another
/// application, which revokes the first at the end.
fn subscriptions(s: &Server, app_id: &str, pusher: &Cred, manager: &Cred, other: &Cred) {
    let path = "/api/v1/me/push-subscriptions";
    let b = Browser::new(3);
    let endpoint = "http://127.0.0.1:9/wpush/abc";
    let r = call(s, pusher, "POST", path, Some(&b.subscription(endpoint)), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    assert!(r.location.as_deref().is_some_and(|l| l.ends_with(&format!("{path}/{}", r.id()))), "{r:?}");
    assert_eq!(r.body["service"], "webpush");
    assert_eq!(r.body["endpoint"], endpoint);
    assert_eq!(r.body["keys"], b.keys());
    assert!(r.body.get("token").is_none());
    let web = r.id();

    // The same device again, new keys: the record is updated, not doubled.
    let b2 = Browser::new(4);
    let r = call(s, pusher, "POST", path, Some(&b2.subscription(endpoint)), &[]);
    assert_eq!((r.status, r.id()), (200, web.clone()), "{r:?}");
    assert_eq!(r.body["keys"], b2.keys());

    let apns = json!({"service": "apns", "token": "a1b2c3", "environment": "sandbox"});
    let r = call(s, pusher, "POST", path, Some(&apns), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!((r.body["token"].as_str(), r.body["environment"].as_str()), (Some("a1b2c3"), Some("sandbox")));
    let r = call(s, manager, "POST", path, Some(&json!({"service": "fcm", "token": "fcm-token-1"})), &[]);
    assert_eq!(r.status, 201, "{r:?}");
    assert!(r.body.get("environment").is_none());
    let fcm = r.id();

    let r = call(s, manager, "GET", path, None, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(items(&r).len(), 3, "{r:?}");
    assert_eq!(r.body["next_cursor"], Value::Null);
    // Another member sees none of them and cannot delete them.
    let r = call(s, other, "GET", path, None, &[]);
    assert_eq!(items(&r).len(), 0, "{r:?}");
    assert_eq!(call(s, other, "DELETE", &format!("{path}/{web}"), None, &[]).status, 404);
    assert_eq!(call(s, other, "DELETE", &format!("{path}/x"), None, &[]).status, 404);

    // Bad bodies name their fields.
    for (body, want) in [
        (json!({"service": "gcm"}), vec!["service"]),
        (json!({"service": "webpush", "endpoint": endpoint}), vec!["keys.p256dh", "keys.auth"]),
        (
            json!({"service": "webpush", "endpoint": endpoint, "keys": {"p256dh": "AAAA", "auth": "AAAA"}}),
            vec!["keys.p256dh", "keys.auth"],
        ),
        (json!({"service": "apns", "token": "t", "environment": "beta"}), vec!["environment"]),
        (json!({"service": "fcm"}), vec!["token"]),
    ] {
        let r = call(s, pusher, "POST", path, Some(&body), &[]);
        assert_eq!((r.status, fields(&r)), (422, want.iter().map(|f| f.to_string()).collect()), "{body}: {r:?}");
    }
    let r = call(s, pusher, "POST", path, Some(&json!({"service": "fcm", "token": "t", "colour": 1})), &[]);
    assert_eq!(r.status, 422, "{r:?}");

    // Revoking the pushing application's grant takes its devices with it.
    let r = call(s, manager, "DELETE", &format!("/api/v1/me/applications/{app_id}"), None, &[]);
    assert_eq!(r.status, 204, "{r:?}");
    let r = call(s, manager, "GET", path, None, &[]);
    let left: Vec<String> = items(&r).iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(left, vec![fcm.clone()]);
    assert_eq!(call(s, manager, "DELETE", &format!("{path}/{fcm}"), None, &[]).status, 204);
    assert_eq!(call(s, manager, "DELETE", &format!("{path}/{fcm}"), None, &[]).status, 404);
    assert_eq!(items(&call(s, manager, "GET", path, None, &[])).len(), 0);
}

fn preferences(s: &Server, who: &Cred) {
    let path = "/api/v1/me/push-preferences";
    let r = call(s, who, "GET", path, None, &[]);
    assert_eq!((r.status, &r.body), (200, &json!({"groups": {}, "quiet_hours": null})), "{r:?}");
    let want = json!({"groups": {"3": false, "4": true}, "quiet_hours": {"from": "22:00", "to": "07:00", "time_zone": "Europe/Amsterdam"}});
    let r = call(s, who, "PUT", path, Some(&want), &[]);
    assert_eq!((r.status, &r.body), (200, &want), "{r:?}");
    assert_eq!(call(s, who, "GET", path, None, &[]).body, want);
    let bad =
        json!({"groups": {"three": false}, "quiet_hours": {"from": "22", "to": "07:00", "time_zone": "Nowhere/City"}});
    let r = call(s, who, "PUT", path, Some(&bad), &[]);
    assert_eq!(
        (r.status, fields(&r)),
        (422, vec!["groups".to_string(), "quiet_hours.from".into(), "quiet_hours.time_zone".into()])
    );
    // PUT replaces.
    let r = call(s, who, "PUT", path, Some(&json!({})), &[]);
    assert_eq!(r.body, json!({"groups": {}, "quiet_hours": null}), "{r:?}");
}

#[test]
fn subscriptions_and_preferences_through_both_protocols() {
    let s = Server::start_with(&[("LATCHKEY_OUTBOUND_ALLOW_PRIVATE", "true")]);
    for m in ["alice", "bob", "carol", "dave"] {
        add_member(&s, m);
    }
    let (id, a, b) = oauth2_push(&s, &["alice", "bob"]);
    subscriptions(&s, &id, &a[0], &b[0], &a[1]);
    preferences(&s, &b[1]);
    let (key, a, b) = oauth1_push(&s, &["carol", "dave"]);
    subscriptions(&s, &key, &a[0], &b[0], &a[1]);
    preferences(&s, &b[1]);

    // Any token reads the VAPID key: a P-256 point, the same after a restart.
    let r = call(&s, &a[1], "GET", "/api/v1/push/vapid-public-key", None, &[]);
    assert_eq!(r.status, 200, "{r:?}");
    let key = r.body["public_key"].as_str().unwrap().to_string();
    assert!(p256::PublicKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(&key).unwrap()).is_ok());
    let s = s.restart();
    let (_, a, _) = oauth2_push(&s, &["alice"]);
    assert_eq!(call(&s, &a[0], "GET", "/api/v1/push/vapid-public-key", None, &[]).body["public_key"], key);
}

#[test]
fn endpoints_on_internal_networks_are_refused() {
    let s = Server::start();
    add_member(&s, "alice");
    let (_, a, _) = oauth2_push(&s, &["alice"]);
    let b = Browser::new(5);
    for endpoint in [
        "https://127.0.0.1/wpush/1",
        "https://[::1]:8443/wpush/1",
        "https://localhost/wpush/1",
        "https://10.0.0.8/wpush/1",
        "https://169.254.169.254/latest/meta-data",
        "http://push.example/wpush/1",
        "ftp://push.example/wpush/1",
    ] {
        let r = call(&s, &a[0], "POST", "/api/v1/me/push-subscriptions", Some(&b.subscription(endpoint)), &[]);
        assert_eq!((r.status, fields(&r)), (422, vec!["endpoint".to_string()]), "{endpoint}: {r:?}");
    }
    // Without `push`, no access at all.
    let (id, secret) = register(&s, &["--name", "NoPush", "--grant", "password", "--scope", "read"]);
    let t = Cred::Bearer(password_token(&s, &id, &secret.unwrap(), "alice"));
    assert_eq!(call(&s, &t, "GET", "/api/v1/me/push-subscriptions", None, &[]).status, 403);
}
