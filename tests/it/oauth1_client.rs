//! The test side of OAuth 1.0a: registering consumers, signing requests
//! with a real client library (`oauth1-request`, sent with reqwest) in the
//! header, the query or a form body, playing the member's browser on the
//! authorization page, and the three-legged flow end to end. Used by
//! `oauth1.rs`, `oauth1_problems.rs` and `browser_oauth1.rs`.

use crate::harness::*;
use oauth::signature_method::SignatureMethod as OAuthMethod;
use oauth1_request as oauth;
use serde_json::Value;
use std::collections::HashMap;

/// A consumer's credentials as `latchkey client add --json` printed them.
#[derive(Clone, Debug)]
pub struct Consumer {
    pub key: String,
    pub secret: String,
    /// The OAuth 2.0 client_id when registered for both.
    pub client_id: Option<String>,
}

/// `latchkey client add --json --oauth1 ARGS`: the consumer's credentials.
pub fn register_consumer(s: &Server, args: &[&str]) -> Consumer {
    let mut all = vec!["--oauth1"];
    all.extend_from_slice(args);
    let v = client_add(&s.dir, &all);
    Consumer {
        key: v["consumer_key"].as_str().unwrap().to_string(),
        secret: v["consumer_secret"].as_str().unwrap().to_string(),
        client_id: v["client_id"].as_str().map(str::to_string),
    }
}

/// Where the protocol parameters travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Header,
    Query,
    Form,
}

/// How a request is signed. The library signs HMAC-SHA1, PLAINTEXT and
/// RSA-SHA1; HMAC-SHA256 (an extension it lacks) is signed by hand below.
#[derive(Clone)]
pub enum Method {
    HmacSha1,
    Plaintext,
    Rsa(Box<rsa::RsaPrivateKey>),
    HmacSha256,
}

/// One request to sign.
#[derive(Clone)]
pub struct Req<'a> {
    pub method: &'a str,
    /// What the client believes the URL is (the public URL), without a query.
    pub signed_url: String,
    /// Where it is actually sent (differs behind a proxy).
    pub send_url: String,
    pub params: Vec<(String, String)>,
    pub consumer: &'a Consumer,
    pub token: Option<(String, String)>,
    pub callback: Option<&'a str>,
    pub verifier: Option<&'a str>,
    pub place: Place,
    pub nonce: Option<&'a str>,
    pub timestamp: Option<u64>,
}

impl<'a> Req<'a> {
    pub fn new(s: &Server, method: &'a str, path: &str, consumer: &'a Consumer) -> Req<'a> {
        Req {
            method,
            signed_url: s.url(path),
            send_url: s.url(path),
            params: vec![],
            consumer,
            token: None,
            callback: None,
            verifier: None,
            place: Place::Header,
            nonce: None,
            timestamp: None,
        }
    }

    pub fn token(mut self, token: &str, secret: &str) -> Self {
        self.token = Some((token.to_string(), secret.to_string()));
        self
    }

    pub fn place(mut self, place: Place) -> Self {
        self.place = place;
        self
    }
}

/// What to send: the URL (with the query), an Authorization header, a body.
pub struct Signed {
    pub url: String,
    pub header: Option<String>,
    pub body: Option<String>,
}

fn library_sign<SM: OAuthMethod + Clone>(sm: SM, r: &Req) -> Signed {
    let mut b = oauth::Builder::<SM, String, String>::new(
        oauth::Credentials::new(r.consumer.key.clone(), r.consumer.secret.clone()),
        sm,
    );
    if let Some((t, ts)) = &r.token {
        b.token(oauth::Credentials::new(t.clone(), ts.clone()));
    }
    b.callback(r.callback).verifier(r.verifier).nonce(r.nonce);
    b.timestamp(r.timestamp.and_then(std::num::NonZeroU64::new));
    let list = oauth::ParameterList::new(r.params.clone());
    // The library signs the request's own parameters but writes only the
    // protocol parameters; the caller sends the others.
    let plain = oauth::to_form(&list);
    let join = |protocol: String| if plain.is_empty() { protocol } else { format!("{plain}&{protocol}") };
    match r.place {
        Place::Header => Signed {
            url: if plain.is_empty() { r.send_url.clone() } else { format!("{}?{plain}", r.send_url) },
            header: Some(b.authorize(r.method, &r.signed_url, &list)),
            body: None,
        },
        Place::Query => {
            let signed = b.to_query(r.method, r.signed_url.clone(), &list);
            let query = signed.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default();
            Signed { url: format!("{}?{}", r.send_url, join(query)), header: None, body: None }
        }
        Place::Form => Signed {
            url: r.send_url.clone(),
            header: None,
            body: Some(join(b.to_form(r.method, &r.signed_url, &list))),
        },
    }
}

/// oauth1-request 0.6.1 writes a PLAINTEXT signature into a query or form
/// body without encoding it (`oauth_signature=cs&ts`), which splits it in
/// two; this puts the encoded value back. (Its Authorization header is right.)
fn fix_plaintext(mut signed: Signed, r: &Req) -> Signed {
    use latchkey::oauth1::signature::{percent_encode, signing_key};
    let key = signing_key(&r.consumer.secret, r.token.as_ref().map(|(_, s)| s.as_str()).unwrap_or(""));
    let fix = |text: &str| match text.rfind("oauth_signature=") {
        Some(at) => format!("{}oauth_signature={}", &text[..at], percent_encode(&key)),
        None => text.to_string(),
    };
    if signed.header.is_none() {
        match &signed.body {
            Some(b) => signed.body = Some(fix(b)),
            None => signed.url = fix(&signed.url),
        }
    }
    signed
}

/// HMAC-SHA256 by hand, as RFC 5849 §3.4 describes for HMAC-SHA1.
fn hand_sign_sha256(r: &Req) -> Signed {
    use latchkey::oauth1::params::authorization_header;
    use latchkey::oauth1::signature::{self, SignatureMethod, normalize_parameters, percent_encode};
    let nonce = r.nonce.map(str::to_string).unwrap_or_else(|| format!("n{}", rand::random::<u64>()));
    let ts = r.timestamp.unwrap_or_else(now).to_string();
    let mut oauth_params = vec![
        ("oauth_consumer_key".to_string(), r.consumer.key.clone()),
        ("oauth_nonce".into(), nonce),
        ("oauth_signature_method".into(), "HMAC-SHA256".into()),
        ("oauth_timestamp".into(), ts),
        ("oauth_version".into(), "1.0".into()),
    ];
    if let Some((t, _)) = &r.token {
        oauth_params.push(("oauth_token".into(), t.clone()));
    }
    if let Some(cb) = r.callback {
        oauth_params.push(("oauth_callback".into(), cb.into()));
    }
    if let Some(v) = r.verifier {
        oauth_params.push(("oauth_verifier".into(), v.into()));
    }
    let all: Vec<(String, String)> = oauth_params.iter().chain(&r.params).cloned().collect();
    let base = signature::signature_base_string(r.method, &r.signed_url, &normalize_parameters(&all));
    let token_secret = r.token.as_ref().map(|(_, s)| s.as_str()).unwrap_or("");
    let sig = signature::sign(SignatureMethod::HmacSha256, &base, &r.consumer.secret, token_secret).unwrap();
    oauth_params.push(("oauth_signature".into(), sig));
    let encode = |pairs: &[(String, String)]| {
        pairs.iter().map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v))).collect::<Vec<_>>().join("&")
    };
    let plain = encode(&r.params);
    let q = |s: String| if s.is_empty() { r.send_url.clone() } else { format!("{}?{s}", r.send_url) };
    match r.place {
        Place::Header => {
            let pairs: Vec<(&str, &str)> = oauth_params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            Signed { url: q(plain), header: Some(authorization_header(Some("latchkey"), &pairs)), body: None }
        }
        Place::Query => Signed { url: q(encode(&[r.params.clone(), oauth_params].concat())), header: None, body: None },
        Place::Form => Signed {
            url: r.send_url.clone(),
            header: None,
            body: Some(encode(&[r.params.clone(), oauth_params].concat())),
        },
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

pub fn sign(m: &Method, r: &Req) -> Signed {
    match m {
        Method::HmacSha1 => library_sign(oauth::HMAC_SHA1, r),
        Method::Plaintext => fix_plaintext(library_sign(oauth::PLAINTEXT, r), r),
        Method::Rsa(key) => library_sign(oauth::signature_method::Rsa09Sha1::new((**key).clone()), r),
        Method::HmacSha256 => hand_sign_sha256(r),
    }
}

/// A response: status, headers that matter, and the body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub www_authenticate: Option<String>,
    pub body: String,
}

impl Answer {
    /// The form-encoded body as a map.
    pub fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(self.body.as_bytes()).into_owned().collect()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub fn send_with(http: &reqwest::blocking::Client, method: &str, signed: &Signed, extra: &[(&str, &str)]) -> Answer {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = http.request(m, &signed.url);
    if let Some(h) = &signed.header {
        req = req.header("authorization", h);
    }
    if let Some(b) = &signed.body {
        req = req.header("content-type", "application/x-www-form-urlencoded").body(b.clone());
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let r = req.send().unwrap();
    let h = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (status, content_type, www_authenticate) =
        (r.status().as_u16(), h("content-type").unwrap_or_default(), h("www-authenticate"));
    Answer { status, content_type, www_authenticate, body: r.text().unwrap() }
}

pub fn call(http: &reqwest::blocking::Client, m: &Method, r: &Req) -> Answer {
    send_with(http, r.method, &sign(m, r), &[])
}

/// Temporary credentials with `callback`.
pub fn temporary(
    s: &Server,
    http: &reqwest::blocking::Client,
    m: &Method,
    c: &Consumer,
    callback: &str,
) -> (String, String) {
    let mut r = Req::new(s, "POST", "/oauth1/request", c);
    r.callback = Some(callback);
    let a = call(http, m, &r);
    assert_eq!(a.status, 200, "{a:?}");
    assert!(a.content_type.starts_with("application/x-www-form-urlencoded"), "{a:?}");
    let f = a.form();
    assert_eq!(f.get("oauth_callback_confirmed").map(String::as_str), Some("true"), "{a:?}");
    (f["oauth_token"].clone(), f["oauth_token_secret"].clone())
}

/// What the member's browser ends with.
#[derive(Debug)]
pub enum Outcome {
    /// Sent back to the callback.
    Callback(url::Url),
    /// A page (the oob verifier, or a refusal).
    Page(u16, String),
}

/// The member's part: open the authorization page (signing in first when
/// the browser has no session), then allow or deny on the consent page.
pub fn authorize(s: &Server, browser: &reqwest::blocking::Client, user: &str, token: &str, decision: &str) -> Outcome {
    let path = format!("/oauth1/authorize?oauth_token={}", urlencode(token));
    let mut r = browser.get(s.url(&path)).send().unwrap();
    if r.status() == 303 && location(&r).contains("/login?") {
        let login = url::Url::parse(&location(&r)).unwrap();
        let return_to = login.query_pairs().find(|(k, _)| k == "return_to").unwrap().1.to_string();
        assert_eq!(return_to, path, "comes back to the same request");
        let signed_in = sign_in(s, browser, user, PASSWORD, &return_to);
        assert_eq!(signed_in.status(), 303);
        assert_eq!(location(&signed_in), s.url(&return_to));
        r = browser.get(s.url(&return_to)).send().unwrap();
    }
    let r = if r.status() == 200 {
        let html = r.text().unwrap();
        if !html.contains("id=\"consent-h\"") {
            // Consent remembered: an oob consumer's verifier page at once.
            return Outcome::Page(200, html);
        }
        assert!(html.contains("action=\"/oauth1/authorize\""), "the shared consent page posts back here: {html}");
        browser
            .post(s.url("/oauth1/authorize"))
            .form(&[("csrf", csrf(&html).as_str()), ("oauth_token", token), ("decision", decision)])
            .send()
            .unwrap()
    } else {
        r
    };
    match r.status().as_u16() {
        303 => Outcome::Callback(url::Url::parse(&location(&r)).unwrap()),
        st => Outcome::Page(st, r.text().unwrap()),
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The verifier a callback URL carries, checking the token came back too.
pub fn verifier_from(url: &url::Url, token: &str) -> String {
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q.get("oauth_token").map(String::as_str), Some(token), "{url}");
    q["oauth_verifier"].clone()
}

/// Token credentials for a request token and verifier.
pub fn exchange(
    s: &Server,
    http: &reqwest::blocking::Client,
    m: &Method,
    c: &Consumer,
    (token, secret): (&str, &str),
    verifier: &str,
) -> Answer {
    let mut r = Req::new(s, "POST", "/oauth1/access", c).token(token, secret);
    r.verifier = Some(verifier);
    call(http, m, &r)
}

/// The whole three-legged flow for `user`; returns the token credentials.
pub fn three_legged(
    s: &Server,
    http: &reqwest::blocking::Client,
    m: &Method,
    c: &Consumer,
    user: &str,
    cb: &str,
) -> (String, String) {
    let (t, ts) = temporary(s, http, m, c, cb);
    let browser = s.client();
    let Outcome::Callback(back) = authorize(s, &browser, user, &t, "approve") else { panic!("no redirect") };
    let v = verifier_from(&back, &t);
    let a = exchange(s, http, m, c, (&t, &ts), &v);
    assert_eq!(a.status, 200, "{a:?}");
    let f = a.form();
    (f["oauth_token"].clone(), f["oauth_token_secret"].clone())
}

pub fn me(
    s: &Server,
    http: &reqwest::blocking::Client,
    m: &Method,
    c: &Consumer,
    tok: &(String, String),
    place: Place,
) -> Answer {
    call(http, m, &Req::new(s, "GET", "/api/v1/me", c).token(&tok.0, &tok.1).place(place))
}

/// An HMAC-SHA1 `Authorization` header made with latchkey's own RFC 5849
/// functions (no client library), for `benches/http.rs` too. `url` is the
/// public URL of the endpoint without a query; `token` is the token and its
/// secret (none for the temporary-credentials request); `extra` are more
/// `oauth_*` parameters such as `oauth_callback` or `oauth_verifier`.
/// `nonce` must be new for every request: a repeat is `nonce_used`.
pub fn oauth1_header(
    method: &str,
    url: &str,
    consumer: (&str, &str),
    token: Option<(&str, &str)>,
    extra: &[(&str, &str)],
    nonce: &str,
) -> String {
    latchkey::oauth1::client::hmac_sha1_header(method, url, consumer, token, extra, now(), nonce)
}

/// `GET /api/v1/me` signed with token credentials; `base` is the public URL
/// without its trailing slash.
pub fn oauth1_me_header(base: &str, consumer: (&str, &str), token: (&str, &str), nonce: &str) -> String {
    oauth1_header("GET", &format!("{base}/api/v1/me"), consumer, Some(token), &[], nonce)
}
