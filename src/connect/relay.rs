//! The relay's rules (`POST /api/v1/me/connections/{id}/request`): what an
//! application may ask latchkey to call on a member's behalf, and how the
//! remote answer comes back. The request names a method and a path
//! *relative* to the provider's API base; whatever the path says after
//! percent-decoding, the URL sent to stays under that base (no `..`, no
//! scheme or host, no backslash or control character). The answer is
//! relayed with its status and content type, as text when it is text and
//! UTF-8, else in base64, within a size and a time limit. Signing and
//! sending are in `connect::call`; everything here is pure except
//! [`read_limited`], which reads a body no further than the limit.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use url::Url;

/// The largest remote answer relayed; a larger one is a 502
/// (`remote-too-large`) rather than a truncated body.
pub const MAX_ANSWER: usize = 1 << 20;

/// How long one relayed call may take, connection and body included; then
/// a 504 (`remote-timeout`).
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// The largest request body relayed.
pub const MAX_BODY: usize = 256 * 1024;

/// The longest `path` accepted.
const MAX_PATH: usize = 2048;

/// What an application asks latchkey to call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"method": "GET", "path": "me", "query": {"fields": "name"}}))]
pub struct RelayRequest {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE` or `HEAD`.
    #[schema(example = "GET")]
    pub method: String,
    /// Relative to the provider's API base URL (no leading `/`, no `..`,
    /// no scheme or host); put the query in `query`, not here.
    #[schema(example = "me")]
    pub path: String,
    /// Query parameters; a list value repeats the name.
    #[serde(default)]
    #[schema(value_type = Option<Object>, required = false)]
    pub query: Option<BTreeMap<String, QueryValue>>,
    /// The request body, as text.
    #[serde(default)]
    #[schema(required = false)]
    pub body: Option<String>,
    /// The body's media type (default `application/json` when there is a
    /// body). A form-encoded body is signed with OAuth 1.0a (RFC 5849
    /// §3.4.1.3).
    #[serde(default)]
    #[schema(required = false, example = "application/json")]
    pub content_type: Option<String>,
}

/// One query value, or several for a repeated name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum QueryValue {
    One(String),
    Many(Vec<String>),
}

/// The remote answer, relayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"status": 200, "content_type": "application/json", "body": "{\"id\":\"1\",\"name\":\"alice\"}"}))]
pub struct RelayAnswer {
    /// The remote HTTP status.
    #[schema(example = 200)]
    pub status: u16,
    /// The remote `Content-Type`, if it sent one.
    pub content_type: Option<String>,
    /// The body as text (a text media type, valid UTF-8).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub body: Option<String>,
    /// Any other body, in standard base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub body_base64: Option<String>,
}

/// Why a relay request was refused or failed. `field` errors are the
/// caller's (422); the others are the remote side's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// The provider's API base or the target address is not allowed.
    #[error("{0}")]
    AddressRefused(String),
    #[error("the remote answer is larger than {MAX_ANSWER} bytes")]
    TooLarge,
    #[error("the remote service did not answer within {} seconds", TIME_LIMIT.as_secs())]
    Timeout,
    #[error("the remote service could not be reached: {0}")]
    Unreachable(String),
}

fn invalid(field: &'static str, message: impl Into<String>) -> RelayError {
    RelayError::Invalid { field, message: message.into() }
}

/// A checked request, ready to sign and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub method: reqwest::Method,
    /// Under the API base, with the query.
    pub url: Url,
    /// `(content type, bytes)` when there is a body.
    pub body: Option<(String, Vec<u8>)>,
    /// The decoded pairs of a form-encoded body (signed by OAuth 1.0a).
    pub form: Vec<(String, String)>,
}

/// The provider's API base as a URL whose path ends in `/`, so that a
/// relative path is resolved under it (and not next to its last segment).
pub fn api_base(raw: &str) -> Result<Url, RelayError> {
    let mut base = Url::parse(raw.trim())
        .map_err(|e| RelayError::AddressRefused(format!("the provider's API base URL is not valid: {e}")))?;
    if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
        return Err(RelayError::AddressRefused(
            "the provider's API base URL must be an http(s) URL with a host".into(),
        ));
    }
    base.set_query(None);
    base.set_fragment(None);
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    Ok(base)
}

/// Checks `request` against the provider's API base and builds the URL.
pub fn plan(base: &Url, request: &RelayRequest) -> Result<Planned, RelayError> {
    let method = match request.method.to_ascii_uppercase().as_str() {
        "GET" => reqwest::Method::GET,
        "POST" => reqwest::Method::POST,
        "PUT" => reqwest::Method::PUT,
        "PATCH" => reqwest::Method::PATCH,
        "DELETE" => reqwest::Method::DELETE,
        "HEAD" => reqwest::Method::HEAD,
        _ => return Err(invalid("method", "must be one of GET, POST, PUT, PATCH, DELETE, HEAD")),
    };
    let path = request.path.as_str();
    check_path(path)?;
    let mut url = base.join(path).map_err(|e| invalid("path", format!("does not make a URL: {e}")))?;
    // The rule itself, after the URL library's own normalisation: same
    // origin, and the path still starts with the base's.
    if url.origin() != base.origin() || !url.path().starts_with(base.path()) {
        return Err(invalid("path", "must stay under the provider's API base URL"));
    }
    if let Some(query) = &request.query {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in query {
            match value {
                QueryValue::One(v) => {
                    pairs.append_pair(name, v);
                }
                QueryValue::Many(vs) => {
                    for v in vs {
                        pairs.append_pair(name, v);
                    }
                }
            }
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    let (body, form) = match &request.body {
        None => {
            if request.content_type.is_some() {
                return Err(invalid("content_type", "is only for a request with a body"));
            }
            (None, vec![])
        }
        Some(_) if matches!(method, reqwest::Method::GET | reqwest::Method::HEAD) => {
            return Err(invalid("body", "GET and HEAD requests have no body"));
        }
        Some(text) => {
            if text.len() > MAX_BODY {
                return Err(invalid("body", format!("may be at most {MAX_BODY} bytes")));
            }
            let content_type = request.content_type.as_deref().map(str::trim).unwrap_or("application/json");
            if content_type.is_empty() || content_type.chars().any(|c| c.is_control()) || content_type.len() > 200 {
                return Err(invalid("content_type", "must be a media type such as application/json"));
            }
            let form = if essence(content_type) == "application/x-www-form-urlencoded" {
                crate::oauth1::params::parse_form_urlencoded(text)
                    .map_err(|e| invalid("body", format!("is not valid form encoding: {e}")))?
            } else {
                vec![]
            };
            (Some((content_type.to_string(), text.as_bytes().to_vec())), form)
        }
    };
    Ok(Planned { method, url, body, form })
}

/// Refuses a path that could leave the API base however a server reads it.
fn check_path(path: &str) -> Result<(), RelayError> {
    if path.len() > MAX_PATH {
        return Err(invalid("path", format!("may be at most {MAX_PATH} characters")));
    }
    if path.starts_with('/') {
        return Err(invalid("path", "must be relative to the API base URL, without a leading /"));
    }
    if path.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return Err(invalid("path", "must not contain spaces, control characters or backslashes"));
    }
    if path.contains('?') || path.contains('#') {
        return Err(invalid("path", "must not contain ? or #; put query parameters in `query`"));
    }
    let first = path.split('/').next().unwrap_or("");
    if first.contains(':') {
        return Err(invalid("path", "must be relative: no scheme or host"));
    }
    for segment in path.split('/') {
        let decoded = percent_decode(segment).ok_or_else(|| invalid("path", "has an invalid %-escape"))?;
        if decoded == b"." || decoded == b".." {
            return Err(invalid("path", "must not contain . or .. segments (even percent-encoded)"));
        }
        if decoded.iter().any(|b| *b == b'/' || *b == b'\\' || *b < 0x20 || *b == 0x7f) {
            return Err(invalid("path", "must not encode /, \\ or control characters"));
        }
    }
    Ok(())
}

/// `%XX` decoding to bytes; `None` for a broken escape.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Two hex digits: `from_str_radix` alone would also take a sign ("%+f").
            let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit))?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// A media type without its parameters, lowercased.
fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Whether a media type is text that JSON can carry as a string.
pub fn is_text(content_type: &str) -> bool {
    let essence = essence(content_type);
    let charset_ok = content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .all(|(_, v)| {
            matches!(v.trim().trim_matches('"').to_ascii_lowercase().as_str(), "utf-8" | "utf8" | "us-ascii")
        });
    charset_ok
        && (essence.starts_with("text/")
            || essence.ends_with("+json")
            || essence.ends_with("+xml")
            || matches!(
                essence.as_str(),
                "application/json"
                    | "application/xml"
                    | "application/javascript"
                    | "application/x-www-form-urlencoded"
                    | "application/problem+json"
            ))
}

/// The answer's shape: text for a text type that is valid UTF-8, base64
/// for anything else.
pub fn answer(status: u16, content_type: Option<String>, bytes: Vec<u8>) -> RelayAnswer {
    use base64::Engine as _;
    let bytes = if content_type.as_deref().is_some_and(is_text) {
        match String::from_utf8(bytes) {
            Ok(body) => return RelayAnswer { status, content_type, body: Some(body), body_base64: None },
            Err(e) => e.into_bytes(),
        }
    } else {
        bytes
    };
    let body_base64 = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
    RelayAnswer { status, content_type, body: None, body_base64 }
}

/// Reads a response body, stopping with [`RelayError::TooLarge`] as soon as
/// it passes `limit` (a lying or missing `Content-Length` changes nothing).
pub async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, RelayError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(RelayError::TooLarge);
    }
    let mut out = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > limit {
                    return Err(RelayError::TooLarge);
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) if e.is_timeout() => return Err(RelayError::Timeout),
            Err(e) => return Err(RelayError::Unreachable(crate::outbound::error_chain(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        api_base("https://remote.example/api/v1").unwrap()
    }

    fn get(path: &str) -> RelayRequest {
        RelayRequest { method: "GET".into(), path: path.into(), query: None, body: None, content_type: None }
    }

    fn refused_path(path: &str) -> bool {
        matches!(plan(&base(), &get(path)), Err(RelayError::Invalid { field: "path", .. }))
    }

    #[test]
    fn the_base_gets_a_trailing_slash_and_loses_its_query() {
        assert_eq!(base().as_str(), "https://remote.example/api/v1/");
        assert_eq!(api_base("https://r.example/api/?x=1#f").unwrap().as_str(), "https://r.example/api/");
        assert_eq!(api_base("https://r.example").unwrap().as_str(), "https://r.example/");
        assert!(matches!(api_base("ftp://r.example/"), Err(RelayError::AddressRefused(_))));
        assert!(matches!(api_base("nope"), Err(RelayError::AddressRefused(_))));
    }

    #[test]
    fn paths_under_the_base_are_planned() {
        let p = plan(&base(), &get("me")).unwrap();
        assert_eq!(p.url.as_str(), "https://remote.example/api/v1/me");
        assert_eq!(p.method, reqwest::Method::GET);
        assert!(p.body.is_none() && p.form.is_empty());
        assert_eq!(plan(&base(), &get("")).unwrap().url.as_str(), "https://remote.example/api/v1/");
        assert_eq!(plan(&base(), &get("users/42/")).unwrap().url.as_str(), "https://remote.example/api/v1/users/42/");
        assert_eq!(plan(&base(), &get("a%20b")).unwrap().url.as_str(), "https://remote.example/api/v1/a%20b");
        // A dot inside a name is no dot segment.
        assert_eq!(plan(&base(), &get("files/a..b")).unwrap().url.as_str(), "https://remote.example/api/v1/files/a..b");
        let mut lower = get("me");
        lower.method = "head".into();
        assert_eq!(plan(&base(), &lower).unwrap().method, reqwest::Method::HEAD);
    }

    #[test]
    fn paths_that_could_leave_the_base_are_refused() {
        for path in [
            "../admin",
            "me/../../admin",
            "..",
            ".",
            "./me",
            "%2e%2e/admin",
            "%2E%2E/admin",
            ".%2e/admin",
            "me/%2e%2e/%2e%2e/x",
            "..%2fadmin",
            "me%2F..%2F..",
            "%5c..",
            "/me",
            "//evil.example/x",
            "https://evil.example/api/v1/me",
            "http:me",
            "javascript:alert(1)",
            "me\\..\\..",
            "me\n",
            "a b",
            "me?x=1",
            "me#x",
            "%zz",
            "%+f",
            "%2",
            "me%00",
        ] {
            assert!(refused_path(path), "{path:?} was not refused");
        }
        assert!(refused_path(&"a".repeat(MAX_PATH + 1)));
    }

    #[test]
    fn methods_query_and_bodies() {
        let mut bad = get("me");
        bad.method = "TRACE".into();
        assert!(matches!(plan(&base(), &bad), Err(RelayError::Invalid { field: "method", .. })));

        let mut q = get("posts");
        q.query = Some(BTreeMap::from([
            ("tag".to_string(), QueryValue::Many(vec!["a b".into(), "c&d".into()])),
            ("limit".to_string(), QueryValue::One("5".into())),
        ]));
        assert_eq!(
            plan(&base(), &q).unwrap().url.as_str(),
            "https://remote.example/api/v1/posts?limit=5&tag=a+b&tag=c%26d"
        );
        q.query = Some(BTreeMap::new());
        assert_eq!(plan(&base(), &q).unwrap().url.as_str(), "https://remote.example/api/v1/posts");

        let mut body_on_get = get("posts");
        body_on_get.body = Some("{}".into());
        assert!(matches!(plan(&base(), &body_on_get), Err(RelayError::Invalid { field: "body", .. })));
        let mut type_only = get("posts");
        type_only.content_type = Some("text/plain".into());
        assert!(matches!(plan(&base(), &type_only), Err(RelayError::Invalid { field: "content_type", .. })));

        let post = RelayRequest {
            method: "POST".into(),
            path: "posts".into(),
            query: None,
            body: Some("{\"title\":\"x\"}".into()),
            content_type: None,
        };
        let p = plan(&base(), &post).unwrap();
        assert_eq!(p.body, Some(("application/json".into(), b"{\"title\":\"x\"}".to_vec())));
        assert!(p.form.is_empty());

        let form = RelayRequest {
            body: Some("status=hello+world&a=%2B".into()),
            content_type: Some("application/x-www-form-urlencoded; charset=utf-8".into()),
            ..post.clone()
        };
        let p = plan(&base(), &form).unwrap();
        assert_eq!(p.form, vec![("status".into(), "hello world".into()), ("a".into(), "+".into())]);
        let broken_form = RelayRequest { body: Some("a=%zz".into()), ..form.clone() };
        assert!(matches!(plan(&base(), &broken_form), Err(RelayError::Invalid { field: "body", .. })));
        let huge = RelayRequest { body: Some("x".repeat(MAX_BODY + 1)), ..post };
        assert!(matches!(plan(&base(), &huge), Err(RelayError::Invalid { field: "body", .. })));
    }

    #[test]
    fn answers_are_text_or_base64() {
        let json = answer(200, Some("application/json".into()), b"{\"a\":1}".to_vec());
        assert_eq!(json.body.as_deref(), Some("{\"a\":1}"));
        assert!(json.body_base64.is_none());
        let out = serde_json::to_value(&json).unwrap();
        assert_eq!(out, serde_json::json!({"status": 200, "content_type": "application/json", "body": "{\"a\":1}"}));

        let png = answer(200, Some("image/png".into()), vec![0x89, b'P', b'N', b'G']);
        assert_eq!(png.body_base64.as_deref(), Some("iVBORw=="));
        assert!(png.body.is_none());
        // Text that is not UTF-8, a non-UTF-8 charset, or no type at all:
        // base64.
        assert!(answer(200, Some("text/plain".into()), vec![0xff]).body_base64.is_some());
        assert!(answer(200, Some("text/plain; charset=iso-8859-1".into()), b"x".to_vec()).body_base64.is_some());
        assert!(answer(204, None, vec![]).body_base64.is_some());
        for t in ["text/html; charset=UTF-8", "application/problem+json", "application/activity+json", "text/csv"] {
            assert!(is_text(t), "{t}");
        }
        for t in ["application/octet-stream", "image/svg", "application/pdf"] {
            assert!(!is_text(t), "{t}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let r: Result<RelayRequest, _> = serde_json::from_str(r#"{"method":"GET","path":"me","url":"https://x"}"#);
        assert!(r.is_err());
        let r: RelayRequest =
            serde_json::from_str(r#"{"method":"GET","path":"me","query":{"a":"1","b":["2","3"]}}"#).unwrap();
        assert_eq!(r.query.unwrap()["b"], QueryValue::Many(vec!["2".into(), "3".into()]));
    }
}
