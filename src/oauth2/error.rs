//! OAuth 2.0 error codes and the three ways they reach a client: a JSON body
//! (RFC 6749 §5.2), query or fragment parameters on a redirect (§4.1.2.1,
//! §4.2.2.1), and a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3).
//! No HTTP types here: endpoints turn `status()` and the rendered values into
//! a response.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An RFC error code. `Display` is the code exactly as it goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum OAuthError {
    // RFC 6749 §4.1.2.1 and §5.2
    #[error("invalid_request")]
    InvalidRequest,
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant")]
    InvalidGrant,
    #[error("unauthorized_client")]
    UnauthorizedClient,
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("invalid_scope")]
    InvalidScope,
    #[error("access_denied")]
    AccessDenied,
    #[error("unsupported_response_type")]
    UnsupportedResponseType,
    #[error("server_error")]
    ServerError,
    #[error("temporarily_unavailable")]
    TemporarilyUnavailable,
    // OpenID Connect Core §3.1.2.6
    #[error("login_required")]
    LoginRequired,
    #[error("consent_required")]
    ConsentRequired,
    #[error("interaction_required")]
    InteractionRequired,
    #[error("request_not_supported")]
    RequestNotSupported,
    #[error("request_uri_not_supported")]
    RequestUriNotSupported,
    // RFC 6750 §3.1
    #[error("invalid_token")]
    InvalidToken,
    #[error("insufficient_scope")]
    InsufficientScope,
    // RFC 7009 §2.2.1
    #[error("unsupported_token_type")]
    UnsupportedTokenType,
}

impl OAuthError {
    /// Every code, for tests and documentation.
    pub const ALL: [OAuthError; 18] = [
        Self::InvalidRequest,
        Self::InvalidClient,
        Self::InvalidGrant,
        Self::UnauthorizedClient,
        Self::UnsupportedGrantType,
        Self::InvalidScope,
        Self::AccessDenied,
        Self::UnsupportedResponseType,
        Self::ServerError,
        Self::TemporarilyUnavailable,
        Self::LoginRequired,
        Self::ConsentRequired,
        Self::InteractionRequired,
        Self::RequestNotSupported,
        Self::RequestUriNotSupported,
        Self::InvalidToken,
        Self::InsufficientScope,
        Self::UnsupportedTokenType,
    ];

    /// The RFC string, e.g. `"invalid_grant"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::UnsupportedTokenType => "unsupported_token_type",
        }
    }

    /// The HTTP status when the error is the response itself (token,
    /// revocation, introspection, userinfo and the API). RFC 6749 §5.2 says
    /// 400 unless stated; 401 for a failed client authentication and for a
    /// bad bearer token (RFC 6750 §3.1), 403 for a token that lacks scope.
    /// `server_error` and `temporarily_unavailable` were coined for redirects,
    /// where no status can be sent; as a direct response they mean 500 and
    /// 503, which is what a client's retry logic expects.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidClient | Self::InvalidToken => 401,
            Self::InsufficientScope => 403,
            Self::ServerError => 500,
            Self::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }
}

impl FromStr for OAuthError {
    type Err = UnknownErrorCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|e| e.code() == s).ok_or(UnknownErrorCode)
    }
}

/// The string is not one of the codes this server knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown OAuth error code")]
pub struct UnknownErrorCode;

impl Serialize for OAuthError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for OAuthError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An error as it is sent: the code, a human-readable description for the
/// client's developer, and optionally a page explaining it.
///
/// The fields are public for convenience; every rendering below sanitizes
/// them, so no caller can put a quote or a control character on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    pub error: OAuthError,
    pub description: String,
    pub uri: Option<String>,
}

impl ErrorResponse {
    pub fn new(error: OAuthError, description: impl Into<String>) -> Self {
        Self { error, description: description.into(), uri: None }
    }

    pub fn with_uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }

    pub fn status(&self) -> u16 {
        self.error.status()
    }

    /// The RFC 6749 §5.2 body:
    /// `{"error": ..., "error_description": ..., "error_uri": ...}`, leaving
    /// out an empty description and a missing URI.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({"error": self.error}))
    }

    /// The parameters for an error redirect from the authorization endpoint
    /// (RFC 6749 §4.1.2.1). The caller adds `state` and the RFC 9207 `iss`,
    /// then hands them to `redirect::append_params`.
    pub fn redirect_params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![("error", self.error.code().to_owned())];
        let description = sanitize_description(&self.description);
        if !description.is_empty() {
            params.push(("error_description", description.into_owned()));
        }
        if let Some(uri) = self.sanitized_uri() {
            params.push(("error_uri", uri.into_owned()));
        }
        params
    }

    /// A `WWW-Authenticate` value for a protected resource (RFC 6750 §3):
    /// `Bearer realm="...", error="...", error_description="..."`.
    pub fn www_authenticate(&self, realm: &str) -> String {
        self.www_authenticate_with_scope(realm, None)
    }

    /// As `www_authenticate`, adding the `scope` attribute RFC 6750 §3 offers
    /// for `insufficient_scope`, so the client knows what to ask for.
    pub fn www_authenticate_with_scope(&self, realm: &str, scope: Option<&str>) -> String {
        let mut out = bearer_challenge(realm);
        push_param(&mut out, "error", self.error.code());
        let description = sanitize_description(&self.description);
        if !description.is_empty() {
            push_param(&mut out, "error_description", &description);
        }
        if let Some(uri) = self.sanitized_uri() {
            push_param(&mut out, "error_uri", &uri);
        }
        if let Some(scope) = scope {
            push_param(&mut out, "scope", &sanitize_description(scope));
        }
        out
    }

    /// `error_uri` allows %x21 / %x23-5B / %x5D-7E (RFC 6749 §5.2); a value
    /// with anything else is a programming error, and dropping it is safer
    /// than emitting a broken header.
    fn sanitized_uri(&self) -> Option<Cow<'_, str>> {
        let uri = self.uri.as_deref()?;
        let ok = !uri.is_empty() && uri.bytes().all(|b| is_description_byte(b) && b != b' ');
        ok.then_some(Cow::Borrowed(uri))
    }
}

impl From<OAuthError> for ErrorResponse {
    fn from(error: OAuthError) -> Self {
        Self::new(error, String::new())
    }
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.description.is_empty() {
            write!(f, "{}", self.error)
        } else {
            write!(f, "{}: {}", self.error, self.description)
        }
    }
}

impl std::error::Error for ErrorResponse {}

impl Serialize for ErrorResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let description = sanitize_description(&self.description);
        let uri = self.sanitized_uri();
        let len = 1 + usize::from(!description.is_empty()) + usize::from(uri.is_some());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("error", self.error.code())?;
        if !description.is_empty() {
            map.serialize_entry("error_description", &description)?;
        }
        if let Some(uri) = uri {
            map.serialize_entry("error_uri", &uri)?;
        }
        map.end()
    }
}

/// The challenge for a request that carried no credentials at all: RFC 6750
/// §3.1 says it SHOULD NOT include an error code then.
pub fn bearer_challenge(realm: &str) -> String {
    let mut out = String::from("Bearer");
    out.push_str(" realm=\"");
    push_quoted(&mut out, realm);
    out.push('"');
    out
}

fn push_param(out: &mut String, name: &str, value: &str) {
    out.push_str(", ");
    out.push_str(name);
    out.push_str("=\"");
    push_quoted(out, value);
    out.push('"');
}

/// Writes the inside of an RFC 9110 quoted-string: `"` and `\` are escaped;
/// control characters and non-ASCII, which a header value cannot carry
/// safely, become `?`.
fn push_quoted(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
}

/// RFC 6749 §5.2 limits `error_description` (and RFC 6750 the header
/// attribute) to %x20-21 / %x23-5B / %x5D-7E: printable ASCII without `"`
/// and `\`. Descriptions are written by us but may quote client input, so
/// map the rest onto the nearest allowed character instead of failing.
pub fn sanitize_description(text: &str) -> Cow<'_, str> {
    if text.bytes().all(is_description_byte) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '"' => '\'',
                '\\' => '/',
                c if c.is_whitespace() => ' ',
                c if c.is_ascii() && is_description_byte(c as u8) => c,
                _ => '?',
            })
            .collect(),
    )
}

fn is_description_byte(b: u8) -> bool {
    matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_rfc_strings() {
        let expected = [
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
            "access_denied",
            "unsupported_response_type",
            "server_error",
            "temporarily_unavailable",
            "login_required",
            "consent_required",
            "interaction_required",
            "request_not_supported",
            "request_uri_not_supported",
            "invalid_token",
            "insufficient_scope",
            "unsupported_token_type",
        ];
        for (e, code) in OAuthError::ALL.into_iter().zip(expected) {
            assert_eq!(e.code(), code);
            assert_eq!(e.to_string(), code);
            assert_eq!(code.parse::<OAuthError>(), Ok(e));
            assert_eq!(serde_json::to_value(e).unwrap(), code);
            assert_eq!(serde_json::from_value::<OAuthError>(code.into()).unwrap(), e);
        }
        assert!("Invalid_Request".parse::<OAuthError>().is_err());
        assert!(serde_json::from_value::<OAuthError>("nope".into()).is_err());
    }

    #[test]
    fn statuses() {
        for e in OAuthError::ALL {
            let expected = match e {
                OAuthError::InvalidClient | OAuthError::InvalidToken => 401,
                OAuthError::InsufficientScope => 403,
                OAuthError::ServerError => 500,
                OAuthError::TemporarilyUnavailable => 503,
                _ => 400,
            };
            assert_eq!(ErrorResponse::from(e).status(), expected, "{e}");
        }
        assert_eq!(OAuthError::InvalidGrant.status(), 400);
        assert_eq!(OAuthError::InvalidScope.status(), 400);
    }

    #[test]
    fn json_body() {
        let e = ErrorResponse::new(OAuthError::InvalidGrant, "the code has expired");
        assert_eq!(
            e.to_json(),
            serde_json::json!({"error": "invalid_grant", "error_description": "the code has expired"})
        );
        let bare = ErrorResponse::from(OAuthError::InvalidClient);
        assert_eq!(bare.to_json(), serde_json::json!({"error": "invalid_client"}));
        let with_uri = ErrorResponse::new(OAuthError::InvalidRequest, "x").with_uri("https://example.com/e");
        assert_eq!(with_uri.to_json()["error_uri"], "https://example.com/e");
        // Serializing the struct directly gives the same body.
        assert_eq!(serde_json::to_value(&with_uri).unwrap(), with_uri.to_json());
    }

    #[test]
    fn json_description_is_sanitized() {
        let e = ErrorResponse::new(OAuthError::InvalidScope, "unknown scope \"x\\y\"\n\u{e9}t\u{e9}");
        let desc = e.to_json()["error_description"].as_str().unwrap().to_owned();
        assert_eq!(desc, "unknown scope 'x/y' ?t?");
        assert!(desc.bytes().all(is_description_byte));
    }

    #[test]
    fn bad_error_uri_is_dropped() {
        let e = ErrorResponse::new(OAuthError::InvalidRequest, "x").with_uri("https://example.com/a b\"");
        assert!(e.to_json().get("error_uri").is_none());
        assert!(!e.www_authenticate("api").contains("error_uri"));
        assert!(e.redirect_params().iter().all(|(k, _)| *k != "error_uri"));
    }

    #[test]
    fn redirect_params_in_order() {
        let e = ErrorResponse::new(OAuthError::AccessDenied, "the member said no");
        assert_eq!(
            e.redirect_params(),
            vec![("error", "access_denied".to_owned()), ("error_description", "the member said no".to_owned()),]
        );
        let bare = ErrorResponse::from(OAuthError::LoginRequired);
        assert_eq!(bare.redirect_params(), vec![("error", "login_required".to_owned())]);
        let url = crate::uri::redirect::append_params(
            "https://client.example/cb",
            e.redirect_params().into_iter().chain([("state", "xyz".to_owned())]),
            false,
        );
        assert_eq!(url, "https://client.example/cb?error=access_denied&error_description=the+member+said+no&state=xyz");
    }

    #[test]
    fn www_authenticate_header() {
        let e = ErrorResponse::new(OAuthError::InvalidToken, "The access token expired");
        assert_eq!(
            e.www_authenticate("example"),
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#
        );
        let scoped = ErrorResponse::new(OAuthError::InsufficientScope, "needs posts:write");
        assert_eq!(
            scoped.www_authenticate_with_scope("api", Some("posts:write")),
            r#"Bearer realm="api", error="insufficient_scope", error_description="needs posts:write", scope="posts:write""#
        );
        assert_eq!(
            ErrorResponse::from(OAuthError::InvalidToken).www_authenticate("api"),
            r#"Bearer realm="api", error="invalid_token""#
        );
    }

    #[test]
    fn www_authenticate_escapes_and_sanitizes() {
        let e = ErrorResponse::new(OAuthError::InvalidToken, "bad \"token\" \\ here\r\nX-Evil: 1");
        let header = e.www_authenticate("my \"realm\" \\ \u{e9}\n");
        assert_eq!(
            header,
            r#"Bearer realm="my \"realm\" \\ ??", error="invalid_token", error_description="bad 'token' / here  X-Evil: 1""#
        );
        assert!(!header.contains('\n') && !header.contains('\r'));
        assert!(header.is_ascii());
    }

    #[test]
    fn bare_challenge_has_no_error() {
        assert_eq!(bearer_challenge("latchkey"), r#"Bearer realm="latchkey""#);
    }

    #[test]
    fn display_for_logs() {
        let e = ErrorResponse::new(OAuthError::InvalidGrant, "code reused");
        assert_eq!(e.to_string(), "invalid_grant: code reused");
        assert_eq!(ErrorResponse::from(OAuthError::ServerError).to_string(), "server_error");
    }
}
