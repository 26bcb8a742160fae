//! Firebase Cloud Messaging, HTTP v1: the application's service account
//! (the JSON file Google hands out) signs a JWT (RS256) that is exchanged
//! at its `token_uri` for an OAuth 2.0 access token (RFC 7523
//! `jwt-bearer`), cached until shortly before it expires; each
//! notification is one `messages:send` call. Calls go through the push
//! client, so the outbound rule (`target`) holds for the token URI and the
//! send endpoint as for Web Push. `fcm_endpoint`, an optional field of the
//! JSON that Google's files do not have, replaces the send base URL (for
//! tests and proxies).

use super::Outcome;
use crate::ids::ClientId;
use crate::keys::Algorithm;
use crate::keys::signer::Signer;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The send base URL, unless the credentials name another.
pub const ENDPOINT: &str = "https://fcm.googleapis.com";
/// The OAuth 2.0 scope of the access token.
pub const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// The grant type of RFC 7523 §2.1.
pub const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// How long the signed assertion is valid (Google's maximum).
pub const ASSERTION_LIFETIME: i64 = 3600;
/// A cached access token is not used in its last minute.
pub const MARGIN: i64 = 60;

/// The fields of a service-account JSON file that are used.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServiceAccount {
    pub project_id: String,
    pub client_email: String,
    /// PKCS#8 PEM.
    pub private_key: String,
    pub token_uri: String,
    #[serde(default)]
    pub fcm_endpoint: Option<String>,
}

impl ServiceAccount {
    /// Reads and checks a service-account JSON: the fields are there, the
    /// key is an RSA key, the URLs are absolute.
    pub fn parse(text: &str) -> Result<ServiceAccount, String> {
        let sa: ServiceAccount =
            serde_json::from_str(text.trim()).map_err(|e| format!("not a service-account JSON file: {e}"))?;
        if sa.project_id.trim().is_empty() || sa.client_email.trim().is_empty() {
            return Err("project_id and client_email must not be empty".into());
        }
        if sa.project_id.contains(['/', '?', '#']) {
            return Err("project_id is not a project id".into());
        }
        signer(&sa)?;
        url::Url::parse(&sa.token_uri).map_err(|_| "token_uri is not a URL".to_string())?;
        if let Some(e) = &sa.fcm_endpoint {
            url::Url::parse(e).map_err(|_| "fcm_endpoint is not a URL".to_string())?;
        }
        Ok(sa)
    }

    /// The `messages:send` URL.
    pub fn send_url(&self) -> String {
        let base = self.fcm_endpoint.as_deref().unwrap_or(ENDPOINT).trim_end_matches('/');
        format!("{base}/v1/projects/{}/messages:send", self.project_id)
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub scope: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

fn signer(sa: &ServiceAccount) -> Result<Signer, String> {
    Signer::from_pem(Algorithm::RS256, "", &sa.private_key)
        .map_err(|_| "private_key is not an RSA private key in PEM".to_string())
}

/// The signed JWT that asks the token endpoint for an access token.
pub fn assertion(sa: &ServiceAccount, now: i64) -> Result<String, String> {
    let key = signer(sa)?;
    let claims = Claims {
        iss: sa.client_email.clone(),
        scope: SCOPE.into(),
        aud: sa.token_uri.clone(),
        iat: now,
        exp: now + ASSERTION_LIFETIME,
    };
    key.sign("JWT", &claims).map_err(|e| format!("cannot sign the assertion: {e}"))
}

/// Access tokens by application and service account, until they expire;
/// clones share the cache. One fetch at a time, so that a round of
/// deliveries that all find the cache empty asks for one token, not one
/// each.
#[derive(Default, Clone)]
pub struct Tokens {
    cache: Arc<Mutex<TokenMap>>,
    fetching: Arc<tokio::sync::Mutex<()>>,
}

type TokenMap = HashMap<(ClientId, String), (String, i64)>;

impl Tokens {
    fn key(client: ClientId, sa: &ServiceAccount) -> (ClientId, String) {
        (client, format!("{}\0{}\0{}", sa.client_email, sa.token_uri, sa.private_key))
    }

    /// The cached token, if it is good for a while yet.
    pub fn cached(&self, client: ClientId, sa: &ServiceAccount, now: i64) -> Option<String> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(&Self::key(client, sa)).filter(|(_, until)| now < *until).map(|(t, _)| t.clone())
    }

    /// Keeps `token`, valid for `expires_in` seconds from `now`.
    pub fn keep(&self, client: ClientId, sa: &ServiceAccount, token: String, expires_in: i64, now: i64) {
        let until = now + expires_in - MARGIN;
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(Self::key(client, sa), (token, until));
    }

    /// Drops the token (the service refused it).
    pub fn forget(&self, client: ClientId, sa: &ServiceAccount) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).remove(&Self::key(client, sa));
    }
}

/// The `message` of a `messages:send` call for `token`, from the
/// notification (`payload::Payload` as JSON, with the delivery's `id`):
/// title and body shown, every field also in `data` (string values, as
/// FCM requires), the badge on Android and on iOS through FCM.
pub fn message(token: &str, notification: &Value) -> Value {
    let text = |k: &str| notification.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let badge = notification.get("badge").and_then(Value::as_u64).unwrap_or(0);
    let mut data = serde_json::Map::new();
    if let Some(o) = notification.as_object() {
        for (k, v) in o {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            data.insert(k.clone(), Value::String(s));
        }
    }
    json!({
        "message": {
            "token": token,
            "notification": {"title": text("title"), "body": text("body")},
            "data": data,
            "android": {"notification": {"notification_count": badge}},
            "apns": {"payload": {"aps": {"badge": badge}}},
        }
    })
}

/// FCM's error code of an answer: `details[].errorCode`, else `status`.
fn error_code(body: &Value) -> (String, String) {
    let e = body.get("error");
    let status = e.and_then(|e| e.get("status")).and_then(Value::as_str).unwrap_or_default().to_string();
    let code = e
        .and_then(|e| e.get("details"))
        .and_then(Value::as_array)
        .and_then(|d| d.iter().find_map(|x| x.get("errorCode").and_then(Value::as_str)))
        .map(str::to_string)
        .unwrap_or_else(|| status.clone());
    let message = e.and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or_default().to_string();
    (code, message)
}

/// Maps a `messages:send` answer to an outcome. `INVALID_ARGUMENT` is the
/// device's fault (gone) when FCM's message is about the registration
/// token, and ours (failed) otherwise.
pub fn outcome(status: u16, body: &[u8], retry_after: Option<&str>, now: i64) -> Outcome {
    if (200..300).contains(&status) {
        return Outcome::Delivered;
    }
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let (code, message) = error_code(&parsed);
    let why = if code.is_empty() {
        format!("FCM answered {status}")
    } else {
        format!("FCM answered {status} {code}: {message}")
    };
    match (status, code.as_str()) {
        (_, "UNREGISTERED") | (404, _) => Outcome::Gone(why),
        (_, "INVALID_ARGUMENT") if message.to_ascii_lowercase().contains("token") => Outcome::Gone(why),
        (429 | 500..=599, _) | (_, "UNAVAILABLE" | "INTERNAL" | "QUOTA_EXCEEDED") => {
            Outcome::Retry(why, super::retry_at(retry_after, now))
        }
        _ => Outcome::Failed(why),
    }
}

/// Checks an outbound URL as Web Push does: the scheme, and an address
/// literal (names are checked by the client's resolver).
fn checked(url: &str, allow_private: bool) -> Result<url::Url, String> {
    let u = super::target::check_url(url, allow_private).map_err(|e| format!("{url} {e}"))?;
    let literal = match u.host() {
        Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
        _ => None,
    };
    if let Some(ip) = literal.filter(|ip| !allow_private && super::target::forbidden(*ip)) {
        return Err(format!("{url} {}", super::target::TargetError::NotPublic(ip)));
    }
    Ok(u)
}

fn network(e: &reqwest::Error) -> Outcome {
    Outcome::Retry(super::error_chain(e), None)
}

/// An access token, cached or fetched now.
pub async fn access_token(
    http: &reqwest::Client,
    tokens: &Tokens,
    client: ClientId,
    sa: &ServiceAccount,
    now: i64,
    allow_private: bool,
) -> Result<String, Outcome> {
    if let Some(t) = tokens.cached(client, sa, now) {
        return Ok(t);
    }
    let _one_at_a_time = tokens.fetching.lock().await;
    if let Some(t) = tokens.cached(client, sa, now) {
        return Ok(t);
    }
    let url = checked(&sa.token_uri, allow_private).map_err(|e| Outcome::Failed(format!("token_uri {e}")))?;
    let jwt = assertion(sa, now).map_err(Outcome::Failed)?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", GRANT)
        .append_pair("assertion", &jwt)
        .finish();
    let r = http
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|e| network(&e))?;
    let status = r.status().as_u16();
    let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = r.bytes().await.map_err(|e| network(&e))?;
    if status == 429 || status >= 500 {
        return Err(Outcome::Retry(
            format!("the FCM token endpoint answered {status}"),
            super::retry_at(retry_after.as_deref(), now),
        ));
    }
    if !(200..300).contains(&status) {
        let text = String::from_utf8_lossy(&body);
        let text: String = text.chars().take(200).collect();
        return Err(Outcome::Failed(format!("the FCM token endpoint refused the credentials ({status}): {text}")));
    }
    #[derive(Deserialize)]
    struct Answer {
        access_token: String,
        #[serde(default)]
        expires_in: Option<i64>,
    }
    let a: Answer = serde_json::from_slice(&body)
        .map_err(|_| Outcome::Failed("the FCM token endpoint answered without an access token".into()))?;
    tokens.keep(client, sa, a.access_token.clone(), a.expires_in.unwrap_or(3600), now);
    Ok(a.access_token)
}

/// Sends one notification (`body`: the payload JSON) to FCM device `token`.
#[allow(clippy::too_many_arguments)]
pub async fn send(
    http: &reqwest::Client,
    tokens: &Tokens,
    client: ClientId,
    sa: &ServiceAccount,
    token: &str,
    body: &[u8],
    now: i64,
    allow_private: bool,
) -> Outcome {
    let notification: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Outcome::Failed(format!("the notification is not JSON: {e}")),
    };
    let url = match checked(&sa.send_url(), allow_private) {
        Ok(u) => u,
        Err(e) => return Outcome::Failed(format!("the FCM endpoint {e}")),
    };
    let access = match access_token(http, tokens, client, sa, now, allow_private).await {
        Ok(t) => t,
        Err(o) => return o,
    };
    let sent = http
        .post(url)
        .header("Authorization", format!("Bearer {access}"))
        .header("Content-Type", "application/json")
        .body(message(token, &notification).to_string())
        .send()
        .await;
    let r = match sent {
        Ok(r) => r,
        Err(e) => return network(&e),
    };
    let status = r.status().as_u16();
    let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
    let answer = r.bytes().await.unwrap_or_default();
    if status == 401 || status == 403 {
        tokens.forget(client, sa);
    }
    outcome(status, &answer, retry_after.as_deref(), now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = include_str!("../../tests/fixtures/fcm/key.pem");
    const PUBLIC: &str = include_str!("../../tests/fixtures/fcm/public.pem");

    fn account() -> ServiceAccount {
        let json = json!({
            "type": "service_account",
            "project_id": "demo-app",
            "private_key_id": "abc",
            "private_key": KEY,
            "client_email": "push@demo-app.iam.gserviceaccount.com",
            "token_uri": "https://oauth2.googleapis.com/token",
        });
        ServiceAccount::parse(&json.to_string()).unwrap()
    }

    #[test]
    fn service_accounts_are_checked() {
        let sa = account();
        assert_eq!(sa.send_url(), "https://fcm.googleapis.com/v1/projects/demo-app/messages:send");
        let other = ServiceAccount { fcm_endpoint: Some("http://127.0.0.1:9/".into()), ..sa.clone() };
        assert_eq!(other.send_url(), "http://127.0.0.1:9/v1/projects/demo-app/messages:send");
        assert!(ServiceAccount::parse("{}").is_err());
        assert!(ServiceAccount::parse("not json").is_err());
        let bad_key = json!({"project_id": "p", "client_email": "e", "private_key": "nope", "token_uri": "https://x/"});
        assert!(ServiceAccount::parse(&bad_key.to_string()).unwrap_err().contains("private_key"));
        let bad_project =
            json!({"project_id": "a/b", "client_email": "e", "private_key": KEY, "token_uri": "https://x/"});
        assert!(ServiceAccount::parse(&bad_project.to_string()).is_err());
    }

    #[test]
    fn the_assertion_is_signed_with_the_accounts_key() {
        let sa = account();
        let jwt = assertion(&sa, 1_000_000).unwrap();
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC.as_bytes()).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_audience(&["https://oauth2.googleapis.com/token"]);
        v.validate_exp = false;
        let claims = jsonwebtoken::decode::<Claims>(&jwt, &key, &v).unwrap().claims;
        assert_eq!(claims.iss, "push@demo-app.iam.gserviceaccount.com");
        assert_eq!(claims.scope, SCOPE);
        assert_eq!((claims.iat, claims.exp), (1_000_000, 1_000_000 + 3600));
        // Another key does not verify it.
        let mut tampered = jwt.clone();
        tampered.replace_range(jwt.len() - 6.., "AAAAAA");
        assert!(jsonwebtoken::decode::<Claims>(&tampered, &key, &v).is_err());
    }

    #[test]
    fn tokens_are_cached_until_shortly_before_they_expire() {
        let (sa, t) = (account(), Tokens::default());
        let c = ClientId(4);
        assert_eq!(t.cached(c, &sa, 100), None);
        t.keep(c, &sa, "tok".into(), 3600, 100);
        assert_eq!(t.cached(c, &sa, 100).as_deref(), Some("tok"));
        assert_eq!(t.cached(c, &sa, 100 + 3600 - MARGIN - 1).as_deref(), Some("tok"));
        assert_eq!(t.cached(c, &sa, 100 + 3600 - MARGIN), None);
        assert_eq!(t.cached(ClientId(5), &sa, 100), None, "per application");
        let replaced = ServiceAccount { client_email: "other@x".into(), ..sa.clone() };
        assert_eq!(t.cached(c, &replaced, 100), None, "new credentials, new token");
        t.forget(c, &sa);
        assert_eq!(t.cached(c, &sa, 100), None);
    }

    #[test]
    fn the_message_carries_the_notification_and_string_data() {
        let n = json!({"title": "New post in Garden", "body": "Tomatoes", "badge": 3, "group": "g1",
            "item": "p2", "url": "https://example.org/api/v1/posts/p2", "id": "d9"});
        let m = message("device-token", &n);
        let m = &m["message"];
        assert_eq!(m["token"], "device-token");
        assert_eq!(m["notification"], json!({"title": "New post in Garden", "body": "Tomatoes"}));
        assert_eq!(m["data"]["badge"], "3");
        assert_eq!(m["data"]["group"], "g1");
        assert_eq!(m["data"]["url"], "https://example.org/api/v1/posts/p2");
        assert!(m["data"].as_object().unwrap().values().all(Value::is_string));
        assert_eq!(m["android"]["notification"]["notification_count"], 3);
        assert_eq!(m["apns"]["payload"]["aps"]["badge"], 3);
    }

    fn error(status: u16, code: &str, message: &str) -> Vec<u8> {
        json!({"error": {"code": status, "message": message, "status": code, "details": [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}]}})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn answers_map_to_outcomes() {
        assert_eq!(outcome(200, b"{\"name\":\"projects/p/messages/1\"}", None, 0), Outcome::Delivered);
        assert!(matches!(
            outcome(404, &error(404, "UNREGISTERED", "Requested entity was not found."), None, 0),
            Outcome::Gone(_)
        ));
        assert!(matches!(outcome(404, b"", None, 0), Outcome::Gone(_)));
        let bad_token = error(400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token");
        assert!(matches!(outcome(400, &bad_token, None, 0), Outcome::Gone(_)));
        let bad_message = error(400, "INVALID_ARGUMENT", "Invalid value at 'message.data[0].value'");
        assert!(matches!(outcome(400, &bad_message, None, 0), Outcome::Failed(_)));
        match outcome(429, &error(429, "QUOTA_EXCEEDED", "slow down"), Some("30"), 100) {
            Outcome::Retry(why, at) => {
                assert!(why.contains("QUOTA_EXCEEDED"));
                assert_eq!(at, Some(131));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(outcome(503, &error(503, "UNAVAILABLE", "x"), None, 0), Outcome::Retry(_, None)));
        assert!(matches!(outcome(500, &error(500, "INTERNAL", "x"), None, 0), Outcome::Retry(_, None)));
        assert!(matches!(outcome(401, &error(401, "UNAUTHENTICATED", "x"), None, 0), Outcome::Failed(_)));
        assert!(matches!(outcome(403, &error(403, "SENDER_ID_MISMATCH", "x"), None, 0), Outcome::Failed(_)));
    }

    #[test]
    fn private_addresses_are_refused_unless_allowed() {
        assert!(checked("https://10.0.0.1/token", false).is_err());
        assert!(checked("http://fcm.example/", false).is_err());
        assert!(checked("http://127.0.0.1:9/token", true).is_ok());
        assert!(checked("https://oauth2.googleapis.com/token", false).is_ok());
    }
}
