//! Checking a signed OAuth 1.0a request (RFC 5849 §3.2) against the
//! registry and the tokens: parameters, version, signature method, timestamp
//! window, consumer, token, signature (constant time), and last the nonce,
//! recorded so that the same request is never accepted twice. Each refusal
//! is a problem report that says what to fix.
//!
//! The base string URI is built from the configured public URL (its scheme,
//! host and port, its path as a prefix, then the request path), never from
//! the Host header, so a TLS-terminating proxy, a sub-folder or a `www` alias
//! cannot make the server sign a different URI than the client did.

use super::params::{ParamError, RequestParams, is_oauth_scheme, names};
use super::problem::{Failure, Problem, Report};
use super::signature::{self, SignatureMethod, base_string_uri, signature_base_string};
use crate::app::App;
use crate::auth::nonces as replay;
use crate::auth::sealing::context;
use crate::auth::secrets;
use crate::config::Config;
use crate::store::clients::{self, Client, OAuth1App};
use crate::store::grants::{self, Token, TokenKind};
use crate::store::oauth1::{self as stored, RequestToken};
use crate::store::users::{self, User};
use actix_web::HttpRequest;

/// Longest consumer key, token or nonce looked at; real ones are far shorter.
const MAX_ID_LEN: usize = 256;

/// What the signature covers of one HTTP request, borrowed from it.
#[derive(Debug, Clone)]
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    /// The `Authorization` value, only when it uses the `OAuth` scheme.
    pub authorization: Option<&'a str>,
    /// The body, only when it is `application/x-www-form-urlencoded`.
    pub form_body: Option<&'a str>,
    /// Over HTTPS (directly, or as a trusted proxy says): PLAINTEXT needs it.
    pub https: bool,
}

/// Whether a request's body is form-encoded, the only kind that is signed.
pub fn is_form(req: &HttpRequest) -> bool {
    req.headers()
        .get("content-type")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

impl<'a> Incoming<'a> {
    /// Pass `form_body` only when [`is_form`] holds; `https` as the
    /// connection (or a trusted proxy) says.
    pub fn new(req: &'a HttpRequest, https: bool, form_body: Option<&'a [u8]>) -> Result<Incoming<'a>, Report> {
        let authorization =
            req.headers().get("authorization").and_then(|v| v.to_str().ok()).filter(|h| is_oauth_scheme(h));
        let form_body = form_body
            .map(std::str::from_utf8)
            .transpose()
            .map_err(|_| Report::new(Problem::ParameterRejected, "the form-encoded body is not valid UTF-8"))?;
        Ok(Incoming {
            method: req.method().as_str(),
            path: req.path(),
            query: req.query_string(),
            authorization,
            form_body,
            https,
        })
    }
}

/// The realm named in challenges: the public URL.
pub fn realm(config: &Config) -> String {
    config.public_url.as_str().to_string()
}

/// The base string URI (§3.4.1.2) of a request for `path`, as the public
/// URL makes it: `https://example.org/sub` + `/oauth1/request`.
pub fn base_uri(config: &Config, path: &str) -> String {
    let url = &config.public_url;
    // The usual path (letters, digits, `-._~` and slashes, no dot segment)
    // comes out of `Url` unchanged, so it is appended without one.
    let plain =
        path.starts_with('/') && !path.contains("/.") && path.bytes().all(|b| b == b'/' || signature::is_unreserved(b));
    match url.host_str() {
        Some(host) if plain => {
            let base = config.base_path();
            let mut out = String::with_capacity(url.scheme().len() + host.len() + base.len() + path.len() + 9);
            out.push_str(url.scheme());
            out.push_str("://");
            out.push_str(&host.to_ascii_lowercase());
            if let Some(port) = url.port() {
                out.push(':');
                out.push_str(&port.to_string());
            }
            out.push_str(base);
            out.push_str(path);
            out
        }
        _ => base_uri_by_url(config, path),
    }
}

fn base_uri_by_url(config: &Config, path: &str) -> String {
    let mut url = config.public_url.clone();
    url.set_path(&format!("{}{}", config.base_path(), path));
    url.set_query(None);
    base_string_uri(&url)
}

/// Which token the request must be signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// `/oauth1/request`: the consumer credentials alone.
    Consumer,
    /// `/oauth1/access`: the request token (temporary credentials).
    RequestToken,
    /// The API: an access token, or none for a two-legged consumer.
    AccessToken,
}

/// The token a verified request was signed with.
#[derive(Debug, Clone)]
pub enum Credential {
    /// Consumer credentials only (a temporary-credentials request, or a
    /// two-legged API call).
    Consumer,
    Request {
        digest: [u8; 32],
        token: RequestToken,
    },
    Access {
        token: Token,
    },
}

/// A request whose signature, timestamp and nonce checked out.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The application, its OAuth 1.0a part moved into `consumer`.
    pub client: Client,
    pub consumer: OAuth1App,
    /// The member an access token acts for, read with the token (`None` for
    /// other credentials, or when the member is gone).
    pub member: Option<User>,
    pub params: RequestParams,
    pub credential: Credential,
}

/// What the parameters alone say, before anything is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    pub method: SignatureMethod,
    /// `None` only for PLAINTEXT, which may leave out timestamp and nonce.
    pub timestamp: Option<u64>,
    pub nonce: Option<String>,
    pub consumer_key: String,
    /// `None` when absent or empty.
    pub token: Option<String>,
}

fn param_problem(e: ParamError) -> Report {
    match e {
        ParamError::Duplicate(ref name) => Report::rejected(name, e.to_string()),
        e => Report::new(Problem::ParameterRejected, e.to_string()),
    }
}

/// The checks that need nothing but the request and the clock, in the
/// order §3.2 implies: parameters, version, method, timestamp.
pub fn preflight(params: &RequestParams, expect: Expect, now: i64, window: i64) -> Result<Preflight, Report> {
    if let Some(v) = params.protocol(names::VERSION) {
        if v != "1.0" {
            return Err(Report::version());
        }
    }
    let plaintext = params.protocol(names::SIGNATURE_METHOD) == Some("PLAINTEXT");
    let mut required = vec![names::CONSUMER_KEY, names::SIGNATURE_METHOD, names::SIGNATURE];
    if !plaintext {
        required.extend([names::TIMESTAMP, names::NONCE]);
    }
    if expect == Expect::RequestToken {
        required.push(names::TOKEN);
    }
    let missing = params.missing(&required);
    if !missing.is_empty() {
        return Err(Report::absent(&missing));
    }
    let method_text = params.protocol(names::SIGNATURE_METHOD).unwrap_or_default();
    let method: SignatureMethod = method_text
        .parse()
        .map_err(|e: signature::UnknownSignatureMethod| Report::new(Problem::SignatureMethodRejected, e.to_string()))?;
    let timestamp = match params.protocol(names::TIMESTAMP) {
        None => None,
        Some(t) => Some(t.parse::<u64>().ok().filter(|t| *t > 0 && *t < i64::MAX as u64).ok_or_else(|| {
            Report::rejected(
                names::TIMESTAMP,
                "oauth_timestamp must be the number of seconds since 1970 (a positive integer)",
            )
        })?),
    };
    if let Some(ts) = timestamp {
        if (ts as i64 - now).abs() > window {
            return Err(Report::timestamp(now, window));
        }
    }
    let nonce = params.protocol(names::NONCE).map(str::to_string);
    if let Some(n) = &nonce {
        if n.is_empty() || n.len() > MAX_ID_LEN {
            return Err(Report::rejected(
                names::NONCE,
                "oauth_nonce must be 1 to 256 characters, random for each request",
            ));
        }
    }
    let consumer_key = params.protocol(names::CONSUMER_KEY).unwrap_or_default().to_string();
    let token = params.protocol(names::TOKEN).filter(|t| !t.is_empty()).map(str::to_string);
    match (expect, &token) {
        (Expect::Consumer, Some(_)) => {
            return Err(Report::rejected(
                names::TOKEN,
                "a temporary-credentials request is signed with the consumer credentials alone; leave out oauth_token",
            ));
        }
        (Expect::RequestToken, None) => {
            return Err(Report::new(Problem::TokenRejected, "oauth_token is empty; send the request token"));
        }
        _ => {}
    }
    Ok(Preflight { method, timestamp, nonce, consumer_key, token })
}

/// The consumer, or why not.
fn consumer(found: Option<Client>, key: &str) -> Result<(Client, OAuth1App), Report> {
    let found = found.and_then(|mut c| c.oauth1.take().filter(|o| o.consumer_key == key).map(|o| (c, o)));
    let Some((client, consumer)) = found else {
        return Err(Report::new(Problem::ConsumerKeyUnknown, "no consumer with this oauth_consumer_key is registered"));
    };
    if !client.enabled {
        return Err(Report::new(Problem::ConsumerKeyRejected, "this consumer is disabled"));
    }
    Ok((client, consumer))
}

fn check_method(consumer: &OAuth1App, method: SignatureMethod, https: bool) -> Result<(), Report> {
    if !consumer.signature_methods.iter().any(|m| m == method.as_str()) {
        return Err(Report::new(
            Problem::SignatureMethodRejected,
            format!("this consumer is registered for {}", consumer.signature_methods.join(", ")),
        ));
    }
    if method == SignatureMethod::Plaintext && !https {
        return Err(Report::new(Problem::SignatureMethodRejected, "PLAINTEXT is accepted only over HTTPS"));
    }
    Ok(())
}

/// What the store says about the token, with its sealed secret.
enum Found {
    None,
    Request { digest: [u8; 32], token: RequestToken },
    Access { digest: [u8; 32], token: Token },
}

fn lookup_token(
    tx: &crate::store::ReadTransaction,
    expect: Expect,
    token: Option<(&str, [u8; 32])>,
    client: &Client,
    consumer: &OAuth1App,
    now: i64,
) -> Result<Result<Found, Report>, crate::store::StoreError> {
    let rejected = |advice: &str| Ok(Err(Report::new(Problem::TokenRejected, advice)));
    let Some((value, digest)) = token else {
        return match expect {
            Expect::AccessToken if !consumer.two_legged => Ok(Err(Report::absent(&[names::TOKEN]).with_advice(
                "this consumer is not registered for two-legged requests; sign with an access token (oauth_token)",
            ))),
            _ => Ok(Ok(Found::None)),
        };
    };
    if value.len() > MAX_ID_LEN {
        return rejected("oauth_token is not a token issued here");
    }
    match expect {
        Expect::Consumer => Ok(Ok(Found::None)),
        Expect::RequestToken => {
            let Some(t) = stored::request(tx, &digest)? else {
                return rejected("oauth_token is not a request token issued here, or it was already exchanged");
            };
            if t.client != client.id {
                return rejected("this request token was issued to another consumer");
            }
            if t.expired(now) {
                return Ok(Err(Report::new(Problem::TokenExpired, "the request token expired; start again")));
            }
            Ok(Ok(Found::Request { digest, token: t }))
        }
        Expect::AccessToken => {
            let t = grants::token(tx, &digest)?.filter(|t| t.kind == TokenKind::OAuth1Access);
            let Some(t) = t else {
                if stored::revoked(tx, &digest)? {
                    return Ok(Err(Report::new(Problem::TokenRevoked, "the member or an admin revoked this access")));
                }
                return rejected("oauth_token is not an access token issued here");
            };
            if t.client != client.id {
                return rejected("this access token was issued to another consumer");
            }
            if t.expired(now) {
                return Ok(Err(Report::new(Problem::TokenExpired, "the access token expired; authorize again")));
            }
            Ok(Ok(Found::Access { digest, token: t }))
        }
    }
}

/// Verifies `inc` completely, recording its nonce last.
pub async fn verify(app: &App, inc: &Incoming<'_>, expect: Expect) -> Result<Verified, Failure> {
    let query = (!inc.query.is_empty()).then_some(inc.query);
    let params = RequestParams::collect(inc.authorization, query, inc.form_body).map_err(param_problem)?;
    let now = app.now();
    let window = app.config.oauth1_timestamp_window.as_secs() as i64;
    let pre = preflight(&params, expect, now, window)?;
    if pre.consumer_key.len() > MAX_ID_LEN {
        return Err(
            Report::new(Problem::ConsumerKeyUnknown, "no consumer with this oauth_consumer_key is registered").into()
        );
    }

    // The token's digest serves its lookup and the nonce's key.
    let token_digest = secrets::digest(pre.token.as_deref().unwrap_or_default());
    // The nonce's key, and whether an earlier process may have recorded it.
    let nonce = match (pre.timestamp, pre.nonce.as_deref()) {
        (Some(ts), Some(nonce)) => {
            let key = stored::nonce_key(ts, &pre.consumer_key, &token_digest, nonce);
            Some((ts, key))
        }
        _ => None,
    };
    let look_up_nonce = nonce.as_ref().filter(|(ts, _)| app.nonces.may_predate(*ts)).map(|(_, k)| k);

    let (client, consumer, found, seen, member) = app.store.read(|tx| {
        let client = clients::by_key(tx, &pre.consumer_key)?;
        let (client, consumer) = match consumer(client, &pre.consumer_key) {
            Ok(c) => c,
            Err(r) => return Ok(Err(r)),
        };
        if let Err(r) = check_method(&consumer, pre.method, inc.https) {
            return Ok(Err(r));
        }
        let token = pre.token.as_deref().map(|t| (t, token_digest));
        let found = match lookup_token(tx, expect, token, &client, &consumer, now)? {
            Ok(f) => f,
            Err(r) => return Ok(Err(r)),
        };
        let seen = match look_up_nonce {
            Some(key) => stored::nonce_seen(tx, key)?,
            None => false,
        };
        let member = match &found {
            Found::Access { token, .. } => token.user.map(|id| users::get(tx, id)).transpose()?.flatten(),
            _ => None,
        };
        Ok(Ok((client, consumer, found, seen, member)))
    })??;

    let consumer_secret =
        app.sealer.open(&context::consumer_secret(&consumer.consumer_key), &consumer.sealed_secret)?;
    let token_secret = match &found {
        Found::None => String::new(),
        Found::Request { digest, token } => app.sealer.open(&context::request_token(digest), &token.sealed_secret)?,
        Found::Access { digest, token } => {
            let sealed = token.secret.as_deref().unwrap_or_default();
            app.sealer.open(&context::access_token(digest), sealed)?
        }
    };
    let base = signature_base_string(inc.method, &base_uri(&app.config, inc.path), &params.normalized());
    let given = params.signature().unwrap_or_default();
    let pem = consumer.rsa_public_key.as_deref();
    if !signature::verify(pre.method, &base, given, &consumer_secret, &token_secret, pem) {
        let advice = match pre.method {
            SignatureMethod::Plaintext => {
                "PLAINTEXT: oauth_signature must be the consumer secret and the token secret, each percent-encoded, joined by &".to_string()
            }
            _ => base,
        };
        return Err(Report::new(Problem::SignatureInvalid, advice).into());
    }

    if let Some((ts, key)) = nonce {
        // Claimed in memory first (a racing copy loses at once), then
        // recorded: in the next batch for a safe API request, before
        // answering for anything else (see `replay`).
        let fresh = !seen
            && app.nonces.claim(&key, ts as i64, now, window)
            && if expect == Expect::AccessToken && replay::is_safe(inc.method) {
                if app.nonces.queue(key) {
                    replay::flush(&app.nonces, &app.store).await?;
                }
                true
            } else {
                app.store.write(move |tx| stored::record_nonce(tx, &key)).await?
            };
        if !fresh {
            return Err(Report::new(
                Problem::NonceUsed,
                "this oauth_nonce was already used with this timestamp and token; make a new nonce for every request",
            )
            .into());
        }
    }
    let credential = match found {
        Found::None => Credential::Consumer,
        Found::Request { digest, token } => Credential::Request { digest, token },
        Found::Access { token, .. } => Credential::Access { token },
    };
    Ok(Verified { client, consumer, member, params, credential })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn params(header: &str) -> RequestParams {
        RequestParams::collect(Some(header), None, None).unwrap()
    }

    const NOW: i64 = 1_700_000_000;

    fn full(extra: &str) -> String {
        format!(
            "OAuth oauth_consumer_key=\"k\", oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"s\", \
             oauth_timestamp=\"{NOW}\", oauth_nonce=\"n\"{extra}"
        )
    }

    #[test]
    fn preflight_reports_absent_parameters_by_name() {
        let r = preflight(&params("OAuth oauth_consumer_key=\"k\""), Expect::Consumer, NOW, 300).unwrap_err();
        assert_eq!(r.problem, Problem::ParameterAbsent);
        assert_eq!(
            r.extra,
            vec![(
                "oauth_parameters_absent",
                "oauth_signature_method&oauth_signature&oauth_timestamp&oauth_nonce".to_string()
            )]
        );
        // PLAINTEXT may leave out timestamp and nonce.
        let p = params("OAuth oauth_consumer_key=\"k\", oauth_signature_method=\"PLAINTEXT\", oauth_signature=\"a&\"");
        let pre = preflight(&p, Expect::Consumer, NOW, 300).unwrap();
        assert_eq!((pre.timestamp, pre.nonce), (None, None));
        // The access step needs the request token.
        let r = preflight(&params(&full("")), Expect::RequestToken, NOW, 300).unwrap_err();
        assert_eq!(r.extra, vec![("oauth_parameters_absent", "oauth_token".to_string())]);
        let r = preflight(&params(&full(", oauth_token=\"\"")), Expect::RequestToken, NOW, 300).unwrap_err();
        assert_eq!(r.problem, Problem::TokenRejected);
    }

    #[test]
    fn preflight_checks_version_method_timestamp_nonce_and_token() {
        let ok = preflight(&params(&full(", oauth_version=\"1.0\"")), Expect::AccessToken, NOW, 300).unwrap();
        assert_eq!(ok.method, SignatureMethod::HmacSha1);
        assert_eq!(ok.timestamp, Some(NOW as u64));
        assert_eq!(ok.token, None);
        let problem = |h: &str, e: Expect| preflight(&params(h), e, NOW, 300).unwrap_err().problem;
        assert_eq!(problem(&full(", oauth_version=\"2.0\""), Expect::Consumer), Problem::VersionRejected);
        assert_eq!(
            problem(&full("").replace("HMAC-SHA1", "hmac-sha1"), Expect::Consumer),
            Problem::SignatureMethodRejected
        );
        assert_eq!(problem(&full("").replace(&NOW.to_string(), "x"), Expect::Consumer), Problem::ParameterRejected);
        let stale = full("").replace(&NOW.to_string(), &(NOW - 301).to_string());
        let r = preflight(&params(&stale), Expect::Consumer, NOW, 300).unwrap_err();
        assert_eq!(r.problem, Problem::TimestampRefused);
        assert_eq!(r.extra[0].1, format!("{}-{}", NOW - 300, NOW + 300));
        let edge = full("").replace(&NOW.to_string(), &(NOW + 300).to_string());
        assert!(preflight(&params(&edge), Expect::Consumer, NOW, 300).is_ok());
        assert_eq!(
            problem(&full("").replace("oauth_nonce=\"n\"", "oauth_nonce=\"\""), Expect::Consumer),
            Problem::ParameterRejected
        );
        assert_eq!(problem(&full(", oauth_token=\"t\""), Expect::Consumer), Problem::ParameterRejected);
        // An empty token is no token (some clients send one on the first step).
        assert!(preflight(&params(&full(", oauth_token=\"\"")), Expect::Consumer, NOW, 300).is_ok());
    }

    #[test]
    fn duplicated_protocol_parameters_are_rejected_by_name() {
        let r = param_problem(RequestParams::collect(Some(&full("")), Some("oauth_nonce=m"), None).unwrap_err());
        assert_eq!(r.problem, Problem::ParameterRejected);
        assert_eq!(r.extra, vec![("oauth_parameters_rejected", "oauth_nonce".to_string())]);
        assert_eq!(r.status, 400);
    }

    #[test]
    fn base_uri_comes_from_the_public_url() {
        let config = |url: &str| {
            let s = crate::config::Settings { public_url: Some(url.into()), ..Default::default() };
            Config::resolve(PathBuf::from("/tmp/x"), s).unwrap()
        };
        assert_eq!(
            base_uri(&config("https://localhost:8443"), "/oauth1/request"),
            "https://localhost:8443/oauth1/request"
        );
        assert_eq!(base_uri(&config("https://Example.org/sub/"), "/api/v1/me"), "https://example.org/sub/api/v1/me");
        assert_eq!(base_uri(&config("https://www.example.org:443/"), "/a%20b"), "https://www.example.org/a%20b");
        assert_eq!(base_uri(&config("http://example.org:8080/x"), "/y"), "http://example.org:8080/x/y");
        // The shortcut for plain paths agrees with `Url` everywhere.
        for url in
            ["https://localhost:8443", "https://Example.org/sub/", "http://[::1]:8080/a/b", "https://www.x.org:443"]
        {
            let c = config(url);
            for path in ["/", "/api/v1/me", "/a%20b", "/a/./b", "/a/../b", "/x y", "/~u/.hidden", "/caf\u{e9}", "/a//b"]
            {
                assert_eq!(base_uri(&c, path), base_uri_by_url(&c, path), "{url} {path}");
            }
        }
    }
}
