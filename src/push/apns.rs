//! Apple Push Notification service. Token-based: the application's `.p8`
//! key (ES256) with its key id and team id signs a provider JWT, reused
//! for at most 50 minutes (Apple refuses one older than an hour and one
//! renewed more often than every 20 minutes). Certificate-based
//! (`apns_cert`): no JWT; the TLS connection presents the application's
//! client certificate. Either way each notification is one
//! `POST /3/device/{token}` to `api.push.apple.com`, or
//! `api.sandbox.push.apple.com` for a device registered with `environment:
//! sandbox`, with the `apns-*` headers and the payload below, within 4 KB.
//!
//! This file holds the credentials, the JWT and its cache, the request
//! (path, headers, payload), the mapping of Apple's answers and `send`,
//! which puts them together over the HTTP/2 connections of `apns_http2`.
//! The JWT is signed with ring, whose ECDSA signatures are randomized, so
//! a token made again in the same second is still a new one.

use super::Outcome;
use super::apns_cert::Identity;
use crate::ids::ClientId;
use crate::keys::Algorithm;
use crate::keys::signer::Signer;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const PRODUCTION: &str = "https://api.push.apple.com";
pub const SANDBOX: &str = "https://api.sandbox.push.apple.com";
/// The largest payload APNs takes for an alert.
pub const MAX_PAYLOAD: usize = 4096;
/// A provider token is renewed after this long (Apple: at most an hour,
/// at least 20 minutes apart).
pub const TOKEN_LIFETIME: i64 = 50 * 60;
/// How long APNs keeps a notification for an offline device.
pub const EXPIRATION: i64 = 24 * 3600;

/// An application's APNs credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    /// The `.p8` file's text: an EC P-256 private key, PKCS#8 PEM.
    pub key: String,
    /// The key's 10-character id from Apple's developer account.
    pub key_id: String,
    pub team_id: String,
    /// The app's bundle id: the `apns-topic`.
    pub topic: String,
}

fn apple_id(field: &str, v: &str) -> Result<(), String> {
    if v.len() == 10 && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("{field} must be the 10 capitals and digits Apple gives"))
    }
}

const NOT_P8: &str = "key is not the .p8 file's EC P-256 private key (PKCS#8 PEM)";

/// The `.p8` file's key, ready to sign (ring, through the key module:
/// with or without the public key inside the file).
fn signer(pem: &str, key_id: &str) -> Result<Signer, String> {
    Signer::from_pem(Algorithm::ES256, key_id, pem).map_err(|_| NOT_P8.to_string())
}

impl Key {
    /// Checks the fields: the key is a P-256 key, the ids look like Apple's.
    pub fn check(self) -> Result<Key, String> {
        let k = Key {
            key: self.key.trim().to_string(),
            key_id: self.key_id.trim().to_string(),
            team_id: self.team_id.trim().to_string(),
            topic: self.topic.trim().to_string(),
        };
        signer(&k.key, &k.key_id)?;
        apple_id("key_id", &k.key_id)?;
        apple_id("team_id", &k.team_id)?;
        if k.topic.is_empty() || k.topic.contains(char::is_whitespace) {
            return Err("topic must be the app's bundle id".into());
        }
        Ok(k)
    }
}

/// What an application sends with: a token key or a certificate.
#[derive(Debug, Clone)]
pub enum Credentials {
    Token(Key),
    Certificate(Identity),
}

impl Credentials {
    pub fn topic(&self) -> &str {
        match self {
            Credentials::Token(k) => &k.topic,
            Credentials::Certificate(c) => &c.topic,
        }
    }
}

/// Certificates as read from the store, by application and sealed key (a
/// new entry makes a new one): read once, not per notification.
#[derive(Default, Clone)]
pub struct Opened {
    cache: Arc<Mutex<HashMap<OpenedKey, Identity>>>,
}

/// Application and sealed key.
type OpenedKey = (ClientId, Vec<u8>);

/// The most certificates kept read; past it the cache starts again.
const OPENED: usize = 64;

impl Opened {
    pub fn get_or_open(
        &self,
        client: ClientId,
        sealed: &[u8],
        open: impl FnOnce() -> Result<Identity, String>,
    ) -> Result<Identity, String> {
        let key = (client, sealed.to_vec());
        if let Some(id) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(id.clone());
        }
        let id = open()?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        // A replaced certificate leaves its entry behind; few are ever
        // replaced, so dropping them all now and then is enough.
        if cache.len() >= OPENED {
            cache.clear();
        }
        cache.insert(key, id.clone());
        Ok(id)
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub iat: i64,
}

/// The provider token: ES256, `kid` the key id, `iss` the team, `iat` now.
pub fn provider_token(k: &Key, now: i64) -> Result<String, String> {
    signer(&k.key, &k.key_id)?
        .sign("JWT", &Claims { iss: k.team_id.clone(), iat: now })
        .map_err(|_| "cannot sign the provider token".to_string())
}

/// Provider tokens by application and key, reused for `TOKEN_LIFETIME`.
#[derive(Default, Clone)]
pub struct Tokens {
    cache: Arc<Mutex<HashMap<TokenKey, (String, i64)>>>,
}

/// Application, and team id, key id and key: a replaced key gets a new
/// token at once, even under the same ids.
type TokenKey = (ClientId, String);

impl Tokens {
    fn key(client: ClientId, k: &Key) -> TokenKey {
        (client, format!("{}\0{}\0{}", k.team_id, k.key_id, k.key))
    }

    /// The cached token, or a new one made (and kept) now.
    pub fn get(&self, client: ClientId, k: &Key, now: i64) -> Result<String, String> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((t, made)) = cache.get(&Self::key(client, k)) {
            if now - made < TOKEN_LIFETIME && now >= *made {
                return Ok(t.clone());
            }
        }
        let t = provider_token(k, now)?;
        cache.insert(Self::key(client, k), (t.clone(), now));
        Ok(t)
    }

    /// Drops the token (Apple said it expired or is invalid).
    pub fn forget(&self, client: ClientId, k: &Key) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).remove(&Self::key(client, k));
    }

    /// A token to use instead of `rejected`: a new one, unless another
    /// delivery already replaced it (many refused at once make one new
    /// token, not one each; Apple refuses renewals in quick succession).
    pub fn refresh(&self, client: ClientId, k: &Key, rejected: &str, now: i64) -> Result<String, String> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((t, _)) = cache.get(&Self::key(client, k)).filter(|(t, _)| t != rejected) {
            return Ok(t.clone());
        }
        let t = provider_token(k, now)?;
        cache.insert(Self::key(client, k), (t.clone(), now));
        Ok(t)
    }
}

/// The payload for the notification (`payload::Payload` as JSON with the
/// delivery's `id`): the alert, the badge and a sound in `aps`, the ids
/// and URL beside it. A body that would pass 4 KB is cut.
pub fn payload(n: &Value) -> Result<Vec<u8>, String> {
    let text = |k: &str| n.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let build = |body: &str| {
        json!({
            "aps": {"alert": {"title": text("title"), "body": body}, "badge": n.get("badge").and_then(Value::as_u64).unwrap_or(0), "sound": "default"},
            "group": text("group"),
            "item": text("item"),
            "url": text("url"),
            "id": text("id"),
        })
        .to_string()
        .into_bytes()
    };
    let body = text("body");
    let out = build(&body);
    if out.len() <= MAX_PAYLOAD {
        return Ok(out);
    }
    // The most characters of the body that fit, with an ellipsis.
    let cut = |k: usize| build(&format!("{}…", body.chars().take(k).collect::<String>()));
    let (mut lo, mut hi) = (0usize, body.chars().count());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if cut(mid).len() <= MAX_PAYLOAD { lo = mid } else { hi = mid - 1 }
    }
    let out = cut(lo);
    if out.len() > MAX_PAYLOAD {
        return Err(format!("the notification is {} bytes, more than APNs takes", out.len()));
    }
    Ok(out)
}

/// The request for device `token`: the URL and the headers. `bearer` is
/// the provider JWT; with a certificate there is none, and no
/// `authorization` header.
pub fn request(
    topic: &str,
    token: &str,
    sandbox: bool,
    bearer: Option<&str>,
    collapse: &str,
    now: i64,
) -> (String, Vec<(&'static str, String)>) {
    let base = if sandbox { SANDBOX } else { PRODUCTION };
    let mut headers = vec![];
    if let Some(b) = bearer {
        headers.push(("authorization", format!("bearer {b}")));
    }
    headers.extend([
        ("apns-topic", topic.to_string()),
        ("apns-push-type", "alert".into()),
        ("apns-priority", "10".into()),
        ("apns-expiration", (now + EXPIRATION).to_string()),
        ("apns-collapse-id", collapse.chars().take(64).collect()),
    ]);
    (format!("{base}/3/device/{token}"), headers)
}

/// What an answer means; `Refresh` asks for a new provider token and one
/// more try.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Done(Outcome),
    Refresh(String),
}

/// Maps Apple's answer (status, `{reason}` body, `Retry-After`).
pub fn outcome(status: u16, body: &[u8], retry_after: Option<&str>, now: i64) -> Answer {
    if status == 200 {
        return Answer::Done(Outcome::Delivered);
    }
    let reason = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("reason").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default();
    let why = format!("APNs answered {status} {reason}").trim_end().to_string();
    Answer::Done(match (status, reason.as_str()) {
        (410, _) | (400, "BadDeviceToken" | "Unregistered" | "DeviceTokenNotForTopic") => Outcome::Gone(why),
        (403, "ExpiredProviderToken" | "InvalidProviderToken") => return Answer::Refresh(why),
        (429 | 500 | 503, _) => Outcome::Retry(why, super::retry_at(retry_after, now)),
        (_, r) => match credentials_problem(r) {
            // The device is fine; the application's credentials are not.
            Some(what) => Outcome::Failed(format!("{why}: {what}")),
            None => Outcome::Failed(why),
        },
    })
}

/// What Apple's reason says about the application's credentials, for the
/// admin who reads the last error: the delivery fails and the device is
/// kept. (Apple's "Handling notification responses from APNs".)
pub fn credentials_problem(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "BadCertificate" => "Apple refused the application's certificate",
        "BadCertificateEnvironment" => {
            "the application's certificate is not for this environment (sandbox or production)"
        }
        "MissingProviderToken" => "Apple saw neither a certificate nor a provider token",
        "Forbidden" => "Apple does not allow this application's credentials to send this",
        "BadEnvironmentKeyInToken" => "the application's key is not for this environment (sandbox or production)",
        "UnrelatedKeyIdInToken" => "the key id does not belong to the team",
        "TopicDisallowed" | "BadTopic" | "MissingTopic" => {
            "the topic (bundle id) is not one these credentials may send to"
        }
        _ => return None,
    })
}

/// Whether `token` can be a device token: hex digits (Apple's are 64
/// today and may grow), so that it cannot change the request's path.
pub fn device_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 400 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Sends one notification (`body`: the payload JSON with the delivery's
/// `id`) to APNs device `token` of application `client`. With a token
/// key, a provider token Apple calls expired or invalid is replaced once
/// and the notification sent again; a second refusal drops it (the key is
/// wrong or revoked). With a certificate, one the clock says has expired
/// is not even presented, and a TLS refusal of it fails the delivery.
#[allow(clippy::too_many_arguments)]
pub async fn send(
    http: &super::apns_http2::Client,
    tokens: &Tokens,
    client: ClientId,
    creds: &Credentials,
    token: &str,
    sandbox: bool,
    body: &[u8],
    now: i64,
) -> Outcome {
    if !device_token(token) {
        return Outcome::Gone("not an APNs device token".into());
    }
    let notification: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Outcome::Failed(format!("the notification is not JSON: {e}")),
    };
    let payload = match payload(&notification) {
        Ok(p) => p,
        Err(e) => return Outcome::Failed(e),
    };
    let collapse = notification.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let (mut bearer, identity) = match creds {
        Credentials::Token(k) => match tokens.get(client, k, now) {
            Ok(t) => (Some(t), None),
            Err(e) => return Outcome::Failed(e),
        },
        Credentials::Certificate(id) if now > id.not_after => {
            return Outcome::Failed(format!(
                "the APNs certificate {:?} expired on {}",
                id.subject,
                crate::clock::human(id.not_after)
            ));
        }
        Credentials::Certificate(id) => (None, Some(id)),
    };
    let mut refreshed = false;
    loop {
        let (url, headers) = request(creds.topic(), token, sandbox, bearer.as_deref(), &collapse, now);
        let reply = match http.post(&url, &headers, payload.clone(), identity).await {
            Ok(r) => r,
            Err(super::apns_http2::PostError::Retry(e)) => return Outcome::Retry(e, None),
            Err(super::apns_http2::PostError::Refused(e)) => return Outcome::Failed(e),
        };
        match (outcome(reply.status, &reply.body, reply.retry_after.as_deref(), now), creds) {
            (Answer::Done(o), _) => return o,
            (Answer::Refresh(why), Credentials::Token(k)) if !refreshed => {
                tracing::info!(client = %client, reason = %why, "push: APNs refused the provider token; making a new one");
                refreshed = true;
                bearer = match tokens.refresh(client, k, bearer.as_deref().unwrap_or_default(), now) {
                    Ok(t) => Some(t),
                    Err(e) => return Outcome::Failed(e),
                };
            }
            // Refused again, or a token refusal where none was sent.
            (Answer::Refresh(why), _) => return Outcome::Failed(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> (Key, Vec<u8>) {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let k = Key {
            key: pair.serialize_pem(),
            key_id: "ABC123DEFG".into(),
            team_id: "TEAM123456".into(),
            topic: "org.example.app".into(),
        };
        (k.check().unwrap(), pair.public_key_raw().to_vec())
    }

    #[test]
    fn keys_are_checked() {
        let (k, _) = key();
        assert!(Key { key: "nope".into(), ..k.clone() }.check().is_err());
        assert!(Key { key_id: "abc".into(), ..k.clone() }.check().unwrap_err().contains("key_id"));
        assert!(Key { team_id: "team 12345".into(), ..k.clone() }.check().is_err());
        assert!(Key { topic: " ".into(), ..k.clone() }.check().is_err());
    }

    #[test]
    fn the_provider_token_verifies_with_the_public_key_and_is_reused_50_minutes() {
        let (k, public) = key();
        let t = provider_token(&k, 1_000).unwrap();
        let dk = jsonwebtoken::DecodingKey::from_ec_der(&public);
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        v.validate_exp = false;
        v.required_spec_claims.clear();
        let d = jsonwebtoken::decode::<Claims>(&t, &dk, &v).unwrap();
        assert_eq!((d.claims.iss.as_str(), d.claims.iat), ("TEAM123456", 1_000));
        assert_eq!(d.header.kid.as_deref(), Some("ABC123DEFG"));
        let tokens = Tokens::default();
        let first = tokens.get(ClientId(1), &k, 1_000).unwrap();
        assert_eq!(tokens.get(ClientId(1), &k, 1_000 + TOKEN_LIFETIME - 1).unwrap(), first);
        let later = tokens.get(ClientId(1), &k, 1_000 + TOKEN_LIFETIME).unwrap();
        assert_ne!(later, first);
        tokens.forget(ClientId(1), &k);
        assert_ne!(tokens.get(ClientId(1), &k, 1_000 + TOKEN_LIFETIME + 1).unwrap(), later);
        let (other, _) = key();
        let replaced = Key { key: other.key, ..k.clone() };
        assert_ne!(tokens.get(ClientId(1), &replaced, 1_000 + TOKEN_LIFETIME + 1).unwrap(), later, "a new key");
    }

    #[test]
    fn a_refused_token_is_replaced_once_even_within_the_same_second() {
        let (k, public) = key();
        let tokens = Tokens::default();
        let first = tokens.get(ClientId(1), &k, 1_000).unwrap();
        let second = tokens.refresh(ClientId(1), &k, &first, 1_000).unwrap();
        assert_ne!(second, first, "ring's ECDSA is randomized: a new token even with the same iat");
        // Others refused the first token at the same time: they get the
        // second, not a third.
        assert_eq!(tokens.refresh(ClientId(1), &k, &first, 1_000).unwrap(), second);
        assert_eq!(tokens.get(ClientId(1), &k, 1_001).unwrap(), second);
        let dk = jsonwebtoken::DecodingKey::from_ec_der(&public);
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        v.validate_exp = false;
        v.required_spec_claims.clear();
        assert!(jsonwebtoken::decode::<Claims>(&second, &dk, &v).is_ok());
    }

    #[test]
    fn a_key_laid_out_as_apples_p8_files_signs_tokens_that_verify() {
        let k = Key {
            key: include_str!("../../tests/fixtures/apns/key.p8").into(),
            key_id: "ABC123DEFG".into(),
            team_id: "TEAM123456".into(),
            topic: "org.example.app".into(),
        }
        .check()
        .unwrap();
        let t = provider_token(&k, 1_000).unwrap();
        let public = include_str!("../../tests/fixtures/apns/public.pem");
        let dk = jsonwebtoken::DecodingKey::from_ec_pem(public.as_bytes()).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        v.validate_exp = false;
        v.required_spec_claims.clear();
        let d = jsonwebtoken::decode::<Claims>(&t, &dk, &v).unwrap();
        assert_eq!((d.claims.iss.as_str(), d.header.kid.as_deref()), ("TEAM123456", Some("ABC123DEFG")));
        // An RSA key (FCM's) is not an APNs key.
        let rsa = Key { key: include_str!("../../tests/fixtures/fcm/key.pem").into(), ..k };
        assert!(rsa.check().unwrap_err().contains(".p8"));
    }

    #[test]
    fn device_tokens_are_hex() {
        assert!(device_token(&"a1B2".repeat(16)));
        for bad in ["", "../../x", "ab cd", "abcg", "ab/cd", "ab?x=1"] {
            assert!(!device_token(bad), "{bad}");
        }
    }

    #[test]
    fn payloads_carry_the_alert_and_badge_within_4_kb() {
        let n = json!({"title": "New post in Garden", "body": "Tomatoes", "badge": 4, "group": "g1", "item": "p2",
            "url": "https://example.org/api/v1/posts/p2", "id": "d7"});
        let p: Value = serde_json::from_slice(&payload(&n).unwrap()).unwrap();
        assert_eq!(
            p["aps"],
            json!({"alert": {"title": "New post in Garden", "body": "Tomatoes"}, "badge": 4, "sound": "default"})
        );
        assert_eq!((p["group"].as_str(), p["item"].as_str(), p["id"].as_str()), (Some("g1"), Some("p2"), Some("d7")));
        assert_eq!(p.as_object().unwrap().len(), 5, "nothing else: {p}");
        let long = json!({"title": "t", "body": "ü".repeat(5000), "badge": 1});
        let out = payload(&long).unwrap();
        assert!(out.len() <= MAX_PAYLOAD && out.len() > MAX_PAYLOAD - 100, "{}", out.len());
        let p: Value = serde_json::from_slice(&out).unwrap();
        assert!(p["aps"]["alert"]["body"].as_str().unwrap().ends_with('…'));
    }

    #[test]
    fn requests_name_the_environment_and_the_headers() {
        let (k, _) = key();
        let (url, h) = request(&k.topic, "ab12", true, Some("JWT"), "d7", 100);
        assert_eq!(url, "https://api.sandbox.push.apple.com/3/device/ab12");
        assert_eq!(
            request(&k.topic, "ab12", false, Some("JWT"), "d7", 100).0,
            "https://api.push.apple.com/3/device/ab12"
        );
        // With a certificate: the same request without authorization.
        let (_, plain) = request(&k.topic, "ab12", true, None, "d7", 100);
        assert!(plain.iter().all(|(n, _)| *n != "authorization"), "{plain:?}");
        assert_eq!(plain.len(), h.len() - 1);
        let h: HashMap<_, _> = h.into_iter().collect();
        assert_eq!(h["authorization"], "bearer JWT");
        assert_eq!(h["apns-topic"], "org.example.app");
        assert_eq!(h["apns-push-type"], "alert");
        assert_eq!(h["apns-priority"], "10");
        assert_eq!(h["apns-expiration"], (100 + EXPIRATION).to_string());
        assert_eq!(h["apns-collapse-id"], "d7");
    }

    #[test]
    fn answers_map_to_outcomes() {
        let r = |s: &str| format!("{{\"reason\":\"{s}\"}}").into_bytes();
        assert_eq!(outcome(200, b"", None, 0), Answer::Done(Outcome::Delivered));
        for (status, reason) in
            [(410, "Unregistered"), (400, "BadDeviceToken"), (400, "Unregistered"), (400, "DeviceTokenNotForTopic")]
        {
            assert!(
                matches!(outcome(status, &r(reason), None, 0), Answer::Done(Outcome::Gone(_))),
                "{status} {reason}"
            );
        }
        assert!(matches!(outcome(403, &r("ExpiredProviderToken"), None, 0), Answer::Refresh(_)));
        assert!(matches!(outcome(403, &r("InvalidProviderToken"), None, 0), Answer::Refresh(_)));
        // The application's credentials are wrong, not the device: failed,
        // with words for the admin, the device kept.
        assert_eq!(
            outcome(403, &r("BadCertificate"), None, 0),
            Answer::Done(Outcome::Failed(
                "APNs answered 403 BadCertificate: Apple refused the application's certificate".into()
            ))
        );
        for (status, reason) in [
            (403, "BadCertificateEnvironment"),
            (403, "MissingProviderToken"),
            (403, "Forbidden"),
            (403, "BadEnvironmentKeyInToken"),
            (403, "UnrelatedKeyIdInToken"),
            (400, "TopicDisallowed"),
            (400, "BadTopic"),
            (400, "MissingTopic"),
        ] {
            match outcome(status, &r(reason), None, 0) {
                Answer::Done(Outcome::Failed(why)) => {
                    assert!(why.starts_with(&format!("APNs answered {status} {reason}: ")), "{why}")
                }
                other => panic!("{status} {reason}: {other:?}"),
            }
        }
        assert_eq!(
            outcome(429, &r("TooManyRequests"), Some("5"), 10),
            Answer::Done(Outcome::Retry("APNs answered 429 TooManyRequests".into(), Some(16)))
        );
        assert!(matches!(outcome(500, b"", None, 0), Answer::Done(Outcome::Retry(_, None))));
        assert!(matches!(outcome(503, &r("ServiceUnavailable"), None, 0), Answer::Done(Outcome::Retry(_, None))));
        assert!(matches!(outcome(400, &r("PayloadTooLarge"), None, 0), Answer::Done(Outcome::Failed(_))));
        assert!(matches!(outcome(413, &r("PayloadTooLarge"), None, 0), Answer::Done(Outcome::Failed(_))));
    }

    #[tokio::test]
    async fn an_expired_certificate_is_not_presented() {
        let dir = tempfile::tempdir().unwrap();
        let config =
            crate::config::Config::resolve(dir.path().to_path_buf(), crate::config::Settings::default()).unwrap();
        let http = super::super::apns_http2::Client::build(&config).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, "Apple Push Services: org.example.app");
        p.not_after = time::OffsetDateTime::from_unix_timestamp(1_000).unwrap();
        let cert = p.self_signed(&key).unwrap().pem();
        let id = Identity::read(&cert, &key.serialize_pem(), "org.example.app").unwrap();
        let creds = Credentials::Certificate(id);
        let body = json!({"title": "t", "body": "b", "badge": 1, "id": "d1"}).to_string();
        // A public host name: were it tried, the outbound rule or the
        // network would answer, not the expiry.
        let o =
            send(&http, &Tokens::default(), ClientId(1), &creds, &"ab".repeat(32), false, body.as_bytes(), 1_001).await;
        assert_eq!(
            o,
            Outcome::Failed(
                "the APNs certificate \"Apple Push Services: org.example.app\" expired on 1970-01-01 00:16 UTC".into()
            )
        );
    }
}
