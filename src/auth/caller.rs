//! Who is calling the API: the `Caller` extractor. An OAuth 2.0 bearer
//! token from the `Authorization` header (RFC 6750 §2.1), a form body
//! (§2.2, on requests with a form-encoded body), or from the query
//! (§2.3) only when `bearer_in_query` is configured. (OAuth 1.0a signed
//! requests join here with that issue.) A missing or dead token is a 401
//! with `WWW-Authenticate: Bearer`; a missing scope a 403.

use crate::app::App;
use crate::oauth2::error::{ErrorResponse, OAuthError};
use crate::oauth2::scopes::ScopeSet;
use crate::oauth2::tokens::{self, AccessInfo};
use crate::store::users::{self, User};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;

#[derive(Debug)]
pub struct BearerError {
    pub inner: ErrorResponse,
    pub scope: Option<String>,
    realm: String,
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
        if self.no_credentials() {
            return StatusCode::UNAUTHORIZED;
        }
        StatusCode::from_u16(self.inner.status()).unwrap_or(StatusCode::UNAUTHORIZED)
    }

    fn error_response(&self) -> HttpResponse {
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

/// A caller whose token checked out.
pub struct Caller {
    pub info: AccessInfo,
    pub user: Option<User>,
    realm: String,
}

impl Caller {
    fn error(&self, error: OAuthError, description: &str, scope: Option<&str>) -> BearerError {
        BearerError {
            inner: ErrorResponse::new(error, description),
            scope: scope.map(str::to_string),
            realm: self.realm.clone(),
        }
    }

    /// 403 `insufficient_scope` unless the token holds `scope`.
    pub fn require(&self, scope: &str) -> Result<(), BearerError> {
        let held = ScopeSet::parse(&self.info.scopes).unwrap_or_default();
        if held.contains(scope) {
            Ok(())
        } else {
            Err(self.error(OAuthError::InsufficientScope, &format!("this needs the {scope} scope"), Some(scope)))
        }
    }

    /// The member behind the token; 403 for an application's own token.
    pub fn member(&self) -> Result<&User, BearerError> {
        self.user.as_ref().ok_or_else(|| {
            self.error(OAuthError::InsufficientScope, "this needs a member's token, not an application's", None)
        })
    }
}

fn bearer_from(req: &HttpRequest, allow_query: bool) -> Result<Option<String>, ErrorResponse> {
    let header = req.headers().get("authorization").and_then(|v| v.to_str().ok());
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
                "the Authorization header must be \"Bearer <token>\"",
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
        // RFC 6750 §2.2: a form body may carry the token instead of the header.
        let form_body = (!req.headers().contains_key("authorization")
            && req.method() != actix_web::http::Method::GET
            && req
                .headers()
                .get("content-type")
                .and_then(|c| c.to_str().ok())
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")))
        .then(|| payload.take());
        Box::pin(async move {
            let realm = "latchkey".to_string();
            let fail = |inner: ErrorResponse| BearerError { inner, scope: None, realm: realm.clone() };
            let app = app.ok_or_else(|| fail(ErrorResponse::new(OAuthError::ServerError, "no state")))?;
            let mut token = bearer_from(&req, app.config.bearer_in_query).map_err(fail)?;
            if let Some(mut body) = form_body {
                use futures_util::StreamExt;
                let mut bytes = Vec::new();
                while let Some(chunk) = body.next().await {
                    let chunk = chunk.map_err(|_| {
                        fail(ErrorResponse::new(OAuthError::InvalidRequest, "the body could not be read"))
                    })?;
                    if bytes.len() + chunk.len() > 64 * 1024 {
                        return Err(fail(ErrorResponse::new(OAuthError::InvalidRequest, "the body is too large")));
                    }
                    bytes.extend_from_slice(&chunk);
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
            let user = match info.user {
                Some(id) => {
                    let u = app
                        .store
                        .read(|tx| users::get(tx, id))
                        .map_err(|_| fail(ErrorResponse::new(OAuthError::TemporarilyUnavailable, "try again")))?;
                    match u {
                        Some(u) if !u.disabled => Some(u),
                        _ => {
                            return Err(fail(ErrorResponse::new(
                                OAuthError::InvalidToken,
                                "the member is disabled or gone",
                            )));
                        }
                    }
                }
                None => None,
            };
            app.usage.saw(info.grant, app.now());
            Ok(Caller { info, user, realm })
        })
    }
}
