//! What every social route shares: the caller as a `Viewer` or as a
//! member who writes (with the per-member write budget), `ETag` and
//! `If-Match`, ids in paths, times and flags in queries, and the words of
//! a `SocialError` as problem+json.

use crate::app::App;
use crate::http::caller::Caller;
use crate::http::page::{Listing, PageQuery, PageRequest};
use crate::http::problem::{ApiError, FieldError};
use crate::ids::UserId;
use crate::social::access::Viewer;
use crate::social::{Expected, SocialError};
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;

impl From<SocialError> for ApiError {
    fn from(e: SocialError) -> Self {
        match e {
            SocialError::NotFound(what) => ApiError::not_found(format!("There is no {what} here that you can see.")),
            SocialError::Forbidden(why) => ApiError::forbidden(capital(&why)),
            SocialError::Invalid(errors) => {
                ApiError::invalid(errors.into_iter().map(|(f, m)| FieldError::new(f, m)).collect())
            }
            SocialError::Conflict(why) => ApiError::conflict(capital(&why)),
            SocialError::ConflictOf(kind, why) => ApiError::conflict(capital(&why)).of_type(problem_type(kind)),
            SocialError::Stale => ApiError::stale(),
            SocialError::Store(e) => e.into(),
        }
    }
}

/// The problem type of a refusal clients tell apart (RFC 9457 §3.1.1: a
/// `tag:` URI names it without promising a page to read).
pub fn problem_type(kind: &str) -> String {
    format!("tag:latchkey,2026:{kind}")
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}

/// Runs a social read on a consistent snapshot.
pub fn read<T>(
    app: &App,
    f: impl FnOnce(&crate::store::ReadTransaction) -> Result<T, SocialError>,
) -> Result<T, ApiError> {
    Ok(app.store.read(|tx| Ok(f(tx)))??)
}

/// An id as the API writes it: a string.
pub fn sid(id: impl Into<u64>) -> String {
    id.into().to_string()
}

/// Who looks: the member behind the token, or the application itself
/// (which sees public content only).
pub fn viewer(caller: &Caller) -> Viewer {
    Viewer { user: caller.member.as_ref().map(|u| u.id) }
}

/// The member who writes: refused for an application's own token, and
/// past the member's write budget (429 with `Retry-After`).
pub fn writer(caller: &Caller, app: &App) -> Result<UserId, ApiError> {
    let id = caller.member()?.id;
    app.writes.write_by(id.0).map_err(|r| ApiError::too_many(r.0))?;
    Ok(id)
}

/// A record's revision as an `ETag` (strong: it changes with every stored
/// change of the fields a client can edit).
pub fn etag(revision: u64) -> String {
    format!("\"r{revision}\"")
}

/// The revisions `If-Match` accepts. An entity tag this server never gave
/// out (weak ones included, RFC 9110 §13.1.1 compares strongly) matches
/// nothing, so the write is refused with 412 rather than applied blind.
pub fn if_match(req: &HttpRequest) -> Result<Expected, ApiError> {
    let mut tags = vec![];
    for v in req.headers().get_all("if-match") {
        let v = v.to_str().map_err(|_| ApiError::bad_request("If-Match is not readable text."))?;
        for t in v.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if t == "*" {
                return Ok(None);
            }
            tags.push(
                t.strip_prefix("\"r").and_then(|t| t.strip_suffix('"')).and_then(|t| t.parse().ok()).unwrap_or(0),
            );
        }
    }
    Ok(if tags.is_empty() && !req.headers().contains_key("if-match") { None } else { Some(tags) })
}

/// An id as the API writes it: decimal digits only (the document's
/// pattern; `u64::from_str` would also take `+7`), never 0.
pub fn parse_id(raw: &str) -> Option<u64> {
    raw.bytes().all(|b| b.is_ascii_digit()).then(|| raw.parse::<u64>().ok()).flatten().filter(|n| *n > 0)
}

/// An id in a path; what is not a number is simply not there.
pub fn id(raw: &str, what: &'static str) -> Result<u64, ApiError> {
    parse_id(raw).ok_or_else(|| SocialError::NotFound(what).into())
}

/// A member in a path: an id, or `me` for the caller.
pub fn user(raw: &str, caller: &Caller) -> Result<UserId, ApiError> {
    if raw == "me" {
        return Ok(caller.member()?.id);
    }
    id(raw, "member").map(UserId)
}

/// An RFC 3339 time in a query (given empty, it is no time).
pub fn time(field: &'static str, raw: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
        .map(|t| Some(t.unix_timestamp()))
        .map_err(|_| ApiError::field(field, "must be an RFC 3339 time, such as 2026-11-30T12:00:00Z"))
}

/// A yes/no flag in a query (given empty, it is neither).
pub fn flag(field: &'static str, raw: Option<&str>) -> Result<bool, ApiError> {
    match raw {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(ApiError::field(field, "must be true or false")),
    }
}

/// An id in a query (`?group=`), or a 422 naming the field.
pub fn query_id(field: &'static str, raw: Option<&str>) -> Result<Option<u64>, ApiError> {
    match raw.filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => parse_id(r).map(Some).ok_or_else(|| ApiError::field(field, "must be an id")),
    }
}

/// A text filter in a query, at most `max` characters.
pub fn query_text(field: &'static str, raw: Option<&str>, max: usize) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) if r.chars().count() > max || r.chars().any(char::is_control) => {
            Err(ApiError::field(field, format!("must be at most {max} characters of text")))
        }
        Some(r) => Ok(Some(r.to_string())),
    }
}

/// A page request of a social list (cursors are 8-byte ids).
pub fn page(q: &PageQuery) -> Result<(Option<u64>, usize), ApiError> {
    let p: PageRequest = q.check()?.fits(crate::store::social::is_id_cursor).map_err(|e| ApiError::invalid(vec![e]))?;
    Ok((crate::store::social::cursor_id(p.after()), p.limit))
}

/// A body read whole, at most the API's JSON limit: past it a 413 problem
/// (`web::Bytes` would answer its own 413 in plain text, past 256 KiB).
pub async fn small_body(payload: actix_web::web::Payload) -> Result<actix_web::web::Bytes, ApiError> {
    payload
        .to_bytes_limited(super::JSON_LIMIT)
        .await
        .map_err(|_| ApiError::too_large(super::JSON_LIMIT))?
        .map_err(|e| ApiError::bad_request(format!("The body could not be read: {e}")))
}

/// A JSON body that may be left out (an empty body, or `null`, is `None`);
/// else an object, as [`Object`] reads it.
pub fn optional_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Option<T>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let object = serde_json::from_slice::<Option<JsonObject>>(body).map_err(|e| {
        if e.is_data() {
            ApiError::field("body", e.to_string())
        } else {
            ApiError::bad_request(format!("The body is not valid JSON: {e}"))
        }
    })?;
    object.map(from_object).transpose()
}

type JsonObject = serde_json::Map<String, serde_json::Value>;

fn from_object<T: serde::de::DeserializeOwned>(o: JsonObject) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::Object(o)).map_err(|e| ApiError::field("body", e.to_string()))
}

/// A JSON body that must be an object, read into `T`: what `web::Json<T>`
/// does (with the scope's limit and problems), but serde also reads a
/// struct from an array of its fields in order, so `web::Json` would take
/// `["Gardeners", null, null, null]` for a group, which the document (an
/// object) says is not one.
pub struct Object<T>(pub T);

impl<T> Object<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for Object<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let object = actix_web::web::Json::<JsonObject>::from_request(req, payload);
        Box::pin(async move { Ok(Object(from_object(object.await?.into_inner())?)) })
    }
}

/// 201 with `Location` and `ETag`.
pub fn created(location: String, revision: u64) -> actix_web::HttpResponseBuilder {
    let mut r = actix_web::HttpResponse::build(StatusCode::CREATED);
    r.insert_header(("Location", location)).insert_header(("ETag", etag(revision)));
    r
}

/// 200 with `ETag`.
/// A list as the JSON the API sends, in one buffer sized for a page of
/// objects (about 400 bytes each): `HttpResponse::json` grows its buffer
/// from empty, copying a 20-post page about ten times on the way.
pub fn list_bytes<T: serde::Serialize>(list: &Listing<T>) -> Result<Bytes, ApiError> {
    let mut body = Vec::with_capacity(256 + 512 * list.items.len());
    serde_json::to_writer(&mut body, list).map_err(|e| {
        tracing::error!(error = %e, "an answer could not be written as JSON");
        ApiError::unavailable()
    })?;
    Ok(body.into())
}

/// A JSON answer already written.
pub fn json_body(b: &mut actix_web::HttpResponseBuilder, body: Bytes) -> actix_web::HttpResponse {
    b.content_type(actix_web::http::header::ContentType::json()).body(body)
}

/// Where a read-only answer of `route` is remembered (`store::memo`): it
/// depends on who looks (the member, or an application's own token, which
/// sees what anyone may) and on the query as sent; the store's generation
/// covers the rest. `None` when the request asks for a fresh answer
/// (`Cache-Control: no-cache` or `Pragma: no-cache`), or the memo is off.
pub fn memo_key(app: &App, req: &HttpRequest, route: &str, viewer: Viewer) -> Option<String> {
    let fresh = req
        .headers()
        .get_all("cache-control")
        .chain(req.headers().get_all("pragma"))
        .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|d| d.trim().eq_ignore_ascii_case("no-cache"))));
    if fresh || !app.memo.enabled() {
        return None;
    }
    let who = viewer.user.map_or_else(|| "-".to_string(), |u| u.0.to_string());
    Some(format!("{route}\n{who}\n{}", req.query_string()))
}

pub fn ok_tagged(revision: u64) -> actix_web::HttpResponseBuilder {
    let mut r = actix_web::HttpResponse::Ok();
    r.insert_header(("ETag", etag(revision))).insert_header(("Cache-Control", "no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_match_reads_lists_stars_and_strangers() {
        let r = |v: &str| if_match(&TestRequest::default().insert_header(("If-Match", v)).to_http_request()).unwrap();
        assert_eq!(if_match(&TestRequest::default().to_http_request()).unwrap(), None);
        assert_eq!(r("\"r3\""), Some(vec![3]));
        assert_eq!(r("\"r3\", \"r4\""), Some(vec![3, 4]));
        assert_eq!(r("*"), None);
        // Weak or foreign tags match no revision (0 is never stored).
        assert_eq!(r("W/\"r3\""), Some(vec![0]));
        assert_eq!(r("\"abc\""), Some(vec![0]));
        assert_eq!(etag(7), "\"r7\"");
    }

    #[test]
    fn query_values_are_checked() {
        assert_eq!(time("since", Some("2026-11-30T12:00:00Z")).unwrap(), Some(1_796_040_000));
        assert!(time("since", Some("yesterday")).is_err());
        assert!(time("since", Some("")).is_err(), "the document says a date-time");
        assert_eq!(time("since", None).unwrap(), None);
        assert!(flag("mine", Some("yes")).is_err());
        assert!(flag("mine", Some("")).is_err(), "the document says a boolean");
        assert!(!flag("mine", None).unwrap());
        assert!(flag("mine", Some("true")).unwrap());
        assert!(query_id("group", Some("-1")).is_err());
        assert!(query_text("q", Some("a\u{0}b"), 10).is_err());
        assert!(id("12x", "post").is_err());
        assert_eq!(id("12", "post").unwrap(), 12);
        for bad in ["+12", " 12", "0", "", "1_0", "99999999999999999999"] {
            assert!(id(bad, "post").is_err(), "{bad:?}");
            assert!(query_id("group", Some(bad)).is_err() || bad.is_empty(), "{bad:?}");
        }
    }

    #[test]
    fn an_optional_body_is_empty_null_or_the_object() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct B {
            role: Option<String>,
        }
        assert_eq!(optional_json::<B>(b"").unwrap(), None);
        assert_eq!(optional_json::<B>(b" \n").unwrap(), None);
        assert_eq!(optional_json::<B>(b"null").unwrap(), None);
        assert_eq!(optional_json::<B>(b"{}").unwrap(), Some(B { role: None }));
        assert_eq!(optional_json::<B>(br#"{"role": "admin"}"#).unwrap(), Some(B { role: Some("admin".into()) }));
        let bad: [(&[u8], u16); 4] = [(b"[]", 422), (b"[null]", 422), (b"{\"x\": 1}", 422), (b"{not json", 400)];
        for (bad, status) in bad {
            let e = optional_json::<B>(bad).unwrap_err();
            assert_eq!(actix_web::ResponseError::status_code(&e).as_u16(), status, "{}", String::from_utf8_lossy(bad));
        }
    }

    /// A body is an object: not the array of a struct's fields that serde
    /// would also read; and the scope's refusals still apply.
    #[actix_web::test]
    async fn a_json_body_is_an_object() {
        use actix_web::{HttpResponse, test, web};
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct B {
            name: Option<String>,
            role: Option<String>,
        }
        async fn echo(b: Object<B>) -> HttpResponse {
            let b = b.into_inner();
            HttpResponse::Ok().body(format!("{:?} {:?}", b.name, b.role))
        }
        let svc =
            test::init_service(actix_web::App::new().service(
                super::super::scope().service(super::super::resource("/b", "POST").route(web::post().to(echo))),
            ))
            .await;
        let cases = [
            ("application/json", "{\"name\": \"x\"}", 200),
            ("application/json", "{}", 200),
            ("application/json", "[\"x\", null]", 422),
            ("application/json", "[]", 422),
            ("application/json", "null", 422),
            ("application/json", "{\"name\": \"x\", \"colour\": 1}", 422),
            ("application/json", "{\"name\": 7}", 422),
            ("application/json", "{not json", 400),
            ("text/plain", "{}", 415),
        ];
        for (media, body, status) in cases {
            let req = test::TestRequest::post()
                .uri("/api/b")
                .insert_header(("content-type", media))
                .set_payload(body)
                .to_request();
            let res = test::call_service(&svc, req).await;
            assert_eq!(res.status().as_u16(), status, "{media} {body}");
            if status != 200 {
                assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json", "{body}");
            }
        }
    }
}
