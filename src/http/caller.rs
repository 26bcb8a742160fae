//! Who is calling the API: the `Caller` extractor, which checks either
//! protocol's credentials and yields a `Principal`. An OAuth 2.0 bearer
//! token from the `Authorization` header (RFC 6750 §2.1), a form body
//! (§2.2, on requests with a form-encoded body), or from the query
//! (§2.3) only when `bearer_in_query` is configured. A missing or dead
//! token is a 401 with `WWW-Authenticate: Bearer`; a missing scope a 403.
//!
//! Or an OAuth 1.0a signed request (RFC 5849 §3): an `OAuth` Authorization
//! header, or the protocol parameters in the query or a form body. It acts
//! with the scopes of the member's grant, or, signed with the consumer alone
//! by a consumer registered for two-legged requests, as the application
//! itself. Its refusals carry the Problem Reporting extension's
//! `oauth_problem` in the body and in `WWW-Authenticate: OAuth ...`.
//! A form body that was read to check a signature or find a token is handed
//! on to the route unchanged.

use crate::app::App;
use crate::auth::principal::{Principal, Protocol, Refusal};
use crate::oauth1::flow as oauth1_flow;
use crate::oauth1::params::is_oauth_scheme;
use crate::oauth1::problem::{Failure, Problem, Report};
use crate::oauth1::verify::{self, Credential, Expect, Incoming};
use crate::oauth2::error::{ErrorResponse, OAuthError};
use crate::oauth2::tokens::{self, AccessInfo};
use crate::store::users::User;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;

/// The largest form body read to check an OAuth 1.0a signature.
const MAX_SIGNED_BODY: usize = 1024 * 1024;

/// Largest form body read for an `access_token` parameter (RFC 6750 §2.2).
const MAX_BEARER_BODY: usize = 64 * 1024;

#[derive(Debug)]
pub struct BearerError {
    pub inner: ErrorResponse,
    pub scope: Option<String>,
    realm: String,
    /// An OAuth 1.0a caller's problem report.
    oauth1: Option<Box<Report>>,
}

impl std::fmt::Display for BearerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.inner)
    }
}

impl BearerError {
    /// No token at all (RFC 6750 §3.1: 401 with no error code).
    fn no_credentials(&self) -> bool {
        self.inner.error == OAuthError::InvalidRequest && self.inner.description.is_empty()
    }
}

impl ResponseError for BearerError {
    fn status_code(&self) -> StatusCode {
        if let Some(r) = &self.oauth1 {
            return StatusCode::from_u16(r.status).unwrap_or(StatusCode::UNAUTHORIZED);
        }
        if self.no_credentials() {
            return StatusCode::UNAUTHORIZED;
        }
        StatusCode::from_u16(self.inner.status()).unwrap_or(StatusCode::UNAUTHORIZED)
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(r) = &self.oauth1 {
            return oauth1_problem(r, &self.realm);
        }
        let challenge = if self.no_credentials() {
            // No credentials at all: RFC 6750 §3.1 says no error code.
            crate::oauth2::error::bearer_challenge(&self.realm)
        } else {
            self.inner.www_authenticate_with_scope(&self.realm, self.scope.as_deref())
        };
        let status = self.status_code();
        HttpResponse::build(status)
            .insert_header(("WWW-Authenticate", challenge))
            .insert_header(("Cache-Control", "no-store"))
            .content_type("application/problem+json")
            .body(
                serde_json::json!({
                    "type": "about:blank",
                    "title": status.canonical_reason().unwrap_or("Unauthorized"),
                    "status": status.as_u16(),
                    "detail": if self.inner.description.is_empty() {
                        "This API needs an access token (Authorization: Bearer ...).".to_string()
                    } else {
                        self.inner.description.clone()
                    },
                })
                .to_string(),
            )
    }
}

/// An OAuth 1.0a refusal on the API: problem+json like every API error,
/// with the report's parameters as members and the problem in the challenge.
fn oauth1_problem(r: &Report, realm: &str) -> HttpResponse {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Unauthorized"),
        "status": status.as_u16(),
        "detail": if r.advice.is_empty() { r.problem.to_string() } else { r.advice.clone() },
    });
    for (name, value) in r.pairs() {
        body[name] = value.into();
    }
    let mut b = HttpResponse::build(status);
    if matches!(status.as_u16(), 401 | 403) {
        b.insert_header(("WWW-Authenticate", r.challenge(realm)));
    }
    b.insert_header(("Cache-Control", "no-store")).content_type("application/problem+json").body(body.to_string())
}

/// A caller whose token or signature checked out: the `Principal`, and
/// how to word a refusal in the protocol it used.
pub struct Caller {
    pub principal: Principal,
    realm: String,
}

impl std::ops::Deref for Caller {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl Caller {
    fn error(&self, error: OAuthError, description: &str, scope: Option<&str>) -> BearerError {
        BearerError {
            inner: ErrorResponse::new(error, description),
            scope: scope.map(str::to_string),
            realm: self.realm.clone(),
            oauth1: (self.principal.protocol == Protocol::OAuth1)
                .then(|| Box::new(Report::new(Problem::PermissionDenied, description).with_status(error.status()))),
        }
    }

    /// The principal's refusal in the caller's protocol: 403
    /// `insufficient_scope`, or `permission_denied` for OAuth 1.0a.
    pub fn refuse(&self, r: Refusal) -> BearerError {
        let scope = match &r {
            Refusal::MissingScope(s) => Some(s.as_str()),
            Refusal::NotAMember => None,
        };
        self.error(OAuthError::InsufficientScope, &r.to_string(), scope)
    }

    /// Refused unless the token holds `scope`.
    pub fn require(&self, scope: &str) -> Result<(), BearerError> {
        self.principal.require(scope).map_err(|r| self.refuse(r))
    }

    /// The member behind the token; refused for an application's own token.
    pub fn member(&self) -> Result<&User, BearerError> {
        self.principal.member().map_err(|r| self.refuse(r))
    }
}

/// The principal of an OAuth 2.0 access token, `None` when the member is
/// disabled or gone.
fn oauth2_principal(mut info: AccessInfo) -> Option<Principal> {
    let member = acting_member(info.user, info.member.take())?;
    Some(Principal {
        member,
        client: info.client,
        client_key: info.client_id,
        grant: info.grant,
        scopes: info.scopes,
        protocol: if info.jwt { Protocol::OAuth2Jwt } else { Protocol::OAuth2 },
        issued_at: info.issued_at,
        expires_at: info.expires_at,
    })
}

/// The bearer token of the request, if it carries one. An `Authorization`
/// header of another scheme (`Basic ...`, or a bare value) is no bearer
/// credential at all: RFC 6750 §3.1 answers "an unsupported authentication
/// method" with a plain 401 challenge, not a 400. A `Bearer` header with
/// nothing after it is malformed (400 `invalid_request`).
fn bearer_from(req: &HttpRequest, allow_query: bool) -> Result<Option<String>, ErrorResponse> {
    let header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .filter(|h| h.split(' ').next().is_some_and(|scheme| scheme.eq_ignore_ascii_case("bearer")));
    let from_query = allow_query
        .then(|| {
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.to_string())
        })
        .flatten();
    match (header, from_query) {
        (Some(_), Some(_)) => Err(ErrorResponse::new(OAuthError::InvalidRequest, "send the token in one place only")),
        (Some(h), None) => match h.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
                Ok(Some(token.trim().to_string()))
            }
            _ => Err(ErrorResponse::new(
                OAuthError::InvalidRequest,
                "the Bearer scheme needs a token: \"Authorization: Bearer <token>\"",
            )),
        },
        (None, q) => Ok(q),
    }
}

impl FromRequest for Caller {
    type Error = BearerError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let app = req.app_data::<web::Data<App>>().map(|a| a.get_ref().clone());
        let req = req.clone();
        let header = req.headers().get("authorization").and_then(|v| v.to_str().ok());
        if header.is_some_and(is_oauth_scheme) || (header.is_none() && signed_query(req.query_string())) {
            let body = verify::is_form(&req).then(|| tee(payload));
            return Box::pin(oauth1_caller(app, req, body));
        }
        // RFC 6750 §2.2: a form body may carry the token instead of the header.
        let form_body = (!req.headers().contains_key("authorization")
            && req.method() != actix_web::http::Method::GET
            && req
                .headers()
                .get("content-type")
                .and_then(|c| c.to_str().ok())
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")))
        .then(|| tee(payload));
        Box::pin(async move {
            let realm = "latchkey".to_string();
            let fail = |inner: ErrorResponse| BearerError { inner, scope: None, realm: realm.clone(), oauth1: None };
            let app = app.ok_or_else(no_state)?;
            let mut token = bearer_from(&req, app.config.bearer_in_query).map_err(fail)?;
            if let Some(teed) = form_body {
                let bytes = read_teed(teed, MAX_BEARER_BODY).await.map_err(|e| {
                    let advice = match e {
                        BodyError::Unreadable => "the body could not be read",
                        BodyError::TooLarge => "the body is too large",
                    };
                    fail(ErrorResponse::new(OAuthError::InvalidRequest, advice))
                })?;
                // Signed with OAuth 1.0a in the body alone.
                if form_has_signature(&bytes) {
                    return oauth1_verified(Some(app), req, Some(bytes)).await;
                }
                let from_body: Vec<String> = url::form_urlencoded::parse(&bytes)
                    .filter(|(k, _)| k == "access_token")
                    .map(|(_, v)| v.to_string())
                    .collect();
                match (from_body.len(), &token) {
                    (0, _) => {}
                    (1, None) => token = from_body.into_iter().next(),
                    _ => {
                        return Err(fail(ErrorResponse::new(
                            OAuthError::InvalidRequest,
                            "send the token in one place only",
                        )));
                    }
                }
            }
            let token = token.ok_or_else(|| fail(ErrorResponse::new(OAuthError::InvalidRequest, "")))?;
            let info = tokens::check_access(&app, &token)
                .map_err(|_| fail(ErrorResponse::new(OAuthError::TemporarilyUnavailable, "try again")))?
                .ok_or_else(|| {
                    fail(ErrorResponse::new(
                        OAuthError::InvalidToken,
                        "the access token is unknown, expired or revoked",
                    ))
                })?;
            let principal = oauth2_principal(info)
                .ok_or_else(|| fail(ErrorResponse::new(OAuthError::InvalidToken, "the member is disabled or gone")))?;
            app.usage.saw(principal.grant, app.now());
            Ok(Caller { principal, realm })
        })
    }
}

/// The member a token acts for: `Some(None)` for the application itself,
/// `None` when the member is disabled or gone.
fn acting_member(user: Option<crate::ids::UserId>, member: Option<User>) -> Option<Option<User>> {
    match (user, member) {
        (None, _) => Some(None),
        (Some(_), Some(u)) if !u.disabled => Some(Some(u)),
        (Some(_), _) => None,
    }
}

/// Whether the query carries OAuth 1.0a protocol parameters.
fn signed_query(query: &str) -> bool {
    query.split('&').any(|p| p.starts_with("oauth_signature=") || p.starts_with("oauth_consumer_key="))
}

fn form_has_signature(body: &[u8]) -> bool {
    body.split(|b| *b == b'&').any(|p| p.starts_with(b"oauth_signature=") || p.starts_with(b"oauth_consumer_key="))
}

type BodyStream = std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, actix_web::error::PayloadError>>>>;

/// Takes the request body to read it here, and leaves in its place a body
/// that yields what is sent down the returned channel, so that the route
/// after this extractor still reads the whole form.
fn tee(payload: &mut Payload) -> (Payload, tokio::sync::oneshot::Sender<Bytes>) {
    let original = payload.take();
    let (tx, rx) = tokio::sync::oneshot::channel::<Bytes>();
    let replay: BodyStream = Box::pin(futures_util::stream::once(async move { Ok(rx.await.unwrap_or_default()) }));
    *payload = Payload::from(replay);
    (original, tx)
}

enum BodyError {
    Unreadable,
    TooLarge,
}

/// Reads the body [`tee`] took, at most `limit` bytes, and hands a copy on
/// to the route.
async fn read_teed(
    (mut body, replay): (Payload, tokio::sync::oneshot::Sender<Bytes>),
    limit: usize,
) -> Result<Bytes, BodyError> {
    use futures_util::StreamExt;
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        if bytes.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    let bytes = bytes.freeze();
    let _ = replay.send(bytes.clone());
    Ok(bytes)
}

/// An OAuth 1.0a problem as the caller's error.
fn oauth1_error(app: &App, f: Failure) -> BearerError {
    match f {
        Failure::Problem(r) => BearerError {
            inner: ErrorResponse::new(OAuthError::InvalidToken, r.advice.clone()),
            scope: None,
            realm: verify::realm(&app.config),
            oauth1: Some(Box::new(r)),
        },
        Failure::Unavailable => BearerError {
            inner: ErrorResponse::new(OAuthError::TemporarilyUnavailable, "try again"),
            scope: None,
            realm: verify::realm(&app.config),
            oauth1: None,
        },
    }
}

fn no_state() -> BearerError {
    BearerError {
        inner: ErrorResponse::new(OAuthError::ServerError, "no state"),
        scope: None,
        realm: "latchkey".into(),
        oauth1: None,
    }
}

/// Reads the form body (if any) that is part of the signature, hands it
/// on, then checks the request.
async fn oauth1_caller(
    app: Option<App>,
    req: HttpRequest,
    body: Option<(Payload, tokio::sync::oneshot::Sender<Bytes>)>,
) -> Result<Caller, BearerError> {
    let app = app.ok_or_else(no_state)?;
    let bytes = match body {
        None => None,
        Some(teed) => Some(read_teed(teed, MAX_SIGNED_BODY).await.map_err(|e| {
            let advice = match e {
                BodyError::Unreadable => "the body could not be read",
                BodyError::TooLarge => "a signed form body may be at most 1 MiB",
            };
            oauth1_error(&app, Report::new(Problem::ParameterRejected, advice).into())
        })?),
    };
    oauth1_verified(Some(app), req, bytes).await
}

/// Verifies an OAuth 1.0a request to the API and says who is calling: the
/// member of the access token's grant, or the application itself.
async fn oauth1_verified(app: Option<App>, req: HttpRequest, body: Option<Bytes>) -> Result<Caller, BearerError> {
    let app = app.ok_or_else(no_state)?;
    let fail = |f: Failure| oauth1_error(&app, f);
    let https = crate::http::conn::of(&req, &app.config.trusted_proxies).https;
    let inc = Incoming::new(&req, https, body.as_deref()).map_err(|r| fail(r.into()))?;
    let v = verify::verify(&app, &inc, Expect::AccessToken).await.map_err(fail)?;
    let client_key = v.consumer.consumer_key.clone();
    let (grant, user, scopes, issued_at, expires_at) = match v.credential {
        Credential::Access { token } => (token.grant, token.user, token.scopes, token.issued_at, token.expires_at),
        Credential::Consumer => {
            let grant = oauth1_flow::own_grant(&app, &v.client, &v.consumer).await.map_err(fail)?;
            (grant.id, None, oauth1_flow::consumer_scopes(&v.consumer), app.now(), None)
        }
        Credential::Request { .. } => {
            return Err(fail(Report::new(Problem::TokenRejected, "this is a request token; exchange it first").into()));
        }
    };
    let member = acting_member(user, v.member)
        .ok_or_else(|| fail(Report::new(Problem::TokenRejected, "the member is disabled or gone").into()))?;
    let principal = Principal {
        member,
        client: v.client.id,
        client_key,
        grant,
        scopes,
        protocol: Protocol::OAuth1,
        issued_at,
        expires_at,
    };
    app.usage.saw(principal.grant, app.now());
    Ok(Caller { principal, realm: verify::realm(&app.config) })
}
