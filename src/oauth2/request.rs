//! Reading OAuth 2.0 requests: form bodies (RFC 6749 §3.2: form-encoded,
//! every parameter at most once) and client authentication (§2.3.1: HTTP
//! Basic or the body, never both; `none` for public clients).

use super::error::{ErrorResponse, OAuthError};
use crate::app::App;
use crate::registry::applications as registry;
use crate::store::clients::{self, Client};
use base64::Engine;
use std::collections::HashMap;

/// The parameters of one request, each present at most once.
#[derive(Debug, Default, Clone)]
pub struct Params(HashMap<String, String>);

fn bad(description: impl Into<String>) -> ErrorResponse {
    ErrorResponse::new(OAuthError::InvalidRequest, description)
}

impl Params {
    /// Parses `application/x-www-form-urlencoded`; a repeated parameter is
    /// an error (RFC 6749 §3.1, §3.2).
    pub fn parse(body: &[u8]) -> Result<Params, ErrorResponse> {
        let mut map = HashMap::new();
        for (k, v) in url::form_urlencoded::parse(body) {
            if map.insert(k.to_string(), v.to_string()).is_some() {
                return Err(bad(format!("the parameter {k:?} appears more than once")));
            }
        }
        // Empty values count as absent (RFC 6749 §3.1).
        map.retain(|_, v: &mut String| !v.is_empty());
        Ok(Params(map))
    }

    /// From a body, checking its content type first.
    pub fn from_form(content_type: Option<&str>, body: &[u8]) -> Result<Params, ErrorResponse> {
        let ok = content_type
            .and_then(|c| c.split(';').next())
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
        if !ok {
            return Err(bad("the body must be application/x-www-form-urlencoded"));
        }
        Params::parse(body)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn require(&self, name: &str) -> Result<&str, ErrorResponse> {
        self.get(name).ok_or_else(|| bad(format!("the parameter {name:?} is missing")))
    }

    pub fn merge_missing(&mut self, other: &Params) {
        for (k, v) in &other.0 {
            self.0.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

fn invalid_client(basic: bool) -> ErrorResponse {
    let mut e = ErrorResponse::new(OAuthError::InvalidClient, "client authentication failed");
    if basic {
        e = e.with_uri("https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1");
    }
    e
}

/// `Authorization: Basic` credentials, form-urldecoded per §2.3.1.
fn basic(header: Option<&str>) -> Result<Option<(String, String)>, ErrorResponse> {
    let Some(h) = header else { return Ok(None) };
    // Auth schemes are case-insensitive (RFC 7235 §2.1).
    let Some(b64) = h.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic")).map(|(_, rest)| rest)
    else {
        return Ok(None);
    };
    let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|_| invalid_client(true))?;
    let text = String::from_utf8(raw).map_err(|_| invalid_client(true))?;
    let (id, secret) = text.split_once(':').ok_or_else(|| invalid_client(true))?;
    let dec = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.to_string()).unwrap_or_default()
    };
    Ok(Some((dec(id), dec(secret))))
}

/// Who is calling the token, revocation or introspection endpoint.
pub struct ClientAuth {
    pub client: Client,
    /// Whether a secret was presented and matched (false for public clients).
    pub confidential: bool,
    /// Whether HTTP Basic was used (for the 401's `WWW-Authenticate`).
    pub basic: bool,
}

pub fn authenticate(app: &App, authorization: Option<&str>, p: &Params) -> Result<ClientAuth, ErrorResponse> {
    let from_header = basic(authorization)?;
    let in_body = p.get("client_secret").is_some();
    if from_header.is_some() && in_body {
        return Err(bad("use one client authentication method, not two"));
    }
    let (id, secret, is_basic) = match from_header {
        Some((id, secret)) => {
            if p.get("client_id").is_some_and(|b| b != id) {
                return Err(bad("client_id in the body differs from the one in Authorization"));
            }
            (id, Some(secret), true)
        }
        None => (
            p.get("client_id").ok_or_else(|| invalid_client(false))?.to_string(),
            p.get("client_secret").map(str::to_string),
            false,
        ),
    };
    let client = app
        .store
        .read(|tx| clients::by_key(tx, &id))
        .map_err(|_| ErrorResponse::new(OAuthError::ServerError, "the store did not answer"))?
        .filter(|c| c.oauth2.is_some())
        .ok_or_else(|| invalid_client(is_basic))?;
    let confidential = match (&secret, client.is_public()) {
        (Some(s), false) => {
            if !registry::secret_matches(&client, s) {
                return Err(invalid_client(is_basic));
            }
            true
        }
        (None, true) => false,
        (Some(_), true) => return Err(invalid_client(is_basic)),
        (None, false) => return Err(invalid_client(is_basic)),
    };
    if !client.enabled {
        return Err(ErrorResponse::new(OAuthError::UnauthorizedClient, "this application is disabled"));
    }
    Ok(ClientAuth { client, confidential, basic: is_basic })
}

/// Refuses grant types the application was not registered for.
pub fn allow_grant(client: &Client, grant: &str) -> Result<(), ErrorResponse> {
    let allowed = client.oauth2.as_ref().is_some_and(|o| o.grants.iter().any(|g| g == grant));
    if allowed {
        Ok(())
    } else {
        Err(ErrorResponse::new(
            OAuthError::UnauthorizedClient,
            format!("this application may not use the {grant} grant"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_content_types() {
        assert!(Params::parse(b"a=1&a=2").is_err());
        let p = Params::parse(b"a=1&b=&c=x%20y").unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert_eq!(p.get("c"), Some("x y"));
        assert!(Params::from_form(Some("application/json"), b"{}").is_err());
        assert!(Params::from_form(None, b"a=1").is_err());
        assert!(Params::from_form(Some("application/x-www-form-urlencoded; charset=UTF-8"), b"a=1").is_ok());
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let h = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("my%20id:s%3Acret"));
        assert_eq!(basic(Some(&h)).unwrap(), Some(("my id".into(), "s:cret".into())));
        assert!(basic(Some("Basic !!!")).is_err());
        assert_eq!(basic(Some("Bearer x")).unwrap(), None);
        let upper = format!("BASIC {}", base64::engine::general_purpose::STANDARD.encode("a:b"));
        assert_eq!(basic(Some(&upper)).unwrap(), Some(("a".into(), "b".into())), "schemes are case-insensitive");
    }
}
