//! OpenID Connect discovery: the provider's configuration read from its
//! `/.well-known/openid-configuration`, its issuer checked against the URL
//! it came from (OIDC Discovery §4.3), and a provider registered with what
//! it says.

use super::{FlowError, get_json};
use crate::app::App;
use crate::connections::providers::{self, NewProvider};
use crate::outbound::target;
use crate::store::audit::Who;
use crate::store::connections::Provider;

const WELL_KNOWN: &str = "/.well-known/openid-configuration";

/// What a discovery document says that latchkey uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    pub discovery_url: String,
    pub issuer: String,
    pub authorize_url: String,
    pub token_url: String,
    pub userinfo_url: Option<String>,
    pub revocation_url: Option<String>,
    pub jwks_uri: String,
    pub iss_parameter_supported: bool,
    /// `client_secret_post` when the provider does not take Basic.
    pub token_auth: Option<String>,
}

/// The document's URL for what an admin typed: the issuer, or the
/// document's own URL.
pub fn document_url(raw: &str) -> String {
    let raw = raw.trim();
    if raw.contains("/.well-known/") { raw.to_string() } else { format!("{}{WELL_KNOWN}", raw.trim_end_matches('/')) }
}

/// Reads `v` as discovery document fetched from `url`.
pub fn parse(url: &str, v: &serde_json::Value) -> Result<Discovered, FlowError> {
    let bad = |m: String| FlowError::Remote(format!("The discovery document at {url} {m}"));
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string).filter(|s| !s.is_empty());
    let need = |k: &str| text(k).ok_or_else(|| bad(format!("has no {k}")));
    let issuer = need("issuer")?;
    if let Some(prefix) = url.strip_suffix(WELL_KNOWN) {
        if issuer.trim_end_matches('/') != prefix.trim_end_matches('/') {
            return Err(bad(format!("names the issuer {issuer}, not {prefix}")));
        }
    }
    let methods: Vec<String> = v
        .get("token_endpoint_auth_methods_supported")
        .and_then(|m| m.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let post_only = !methods.is_empty()
        && !methods.iter().any(|m| m == "client_secret_basic")
        && methods.iter().any(|m| m == "client_secret_post");
    Ok(Discovered {
        discovery_url: url.to_string(),
        issuer,
        authorize_url: need("authorization_endpoint")?,
        token_url: need("token_endpoint")?,
        userinfo_url: text("userinfo_endpoint"),
        revocation_url: text("revocation_endpoint"),
        jwks_uri: need("jwks_uri")?,
        iss_parameter_supported: v
            .get("authorization_response_iss_parameter_supported")
            .and_then(|b| b.as_bool())
            .unwrap_or(false),
        token_auth: post_only.then(|| "client_secret_post".to_string()),
    })
}

/// Fetches and reads a provider's discovery document.
pub async fn discover(app: &App, raw: &str) -> Result<Discovered, FlowError> {
    let url = document_url(raw);
    target::check_url(&url, app.config.outbound_allow_private)
        .map_err(|e| FlowError::Refused(format!("The discovery URL {url} {e}")))?;
    let v = get_json(app, &format!("Reading the discovery document {url}"), &url, false).await?;
    parse(&url, &v)
}

/// Registers a provider; an OIDC one with a discovery URL gets its issuer
/// and endpoints from the document (fields given by hand are kept).
pub async fn add(app: &App, mut new: NewProvider, who: Who) -> Result<Provider, FlowError> {
    let discovery = new.discovery_url.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
    if let Some(raw) = discovery {
        new.protocol = "oidc".into();
        let d = discover(app, &raw).await?;
        let keep = |given: &str, found: String| if given.trim().is_empty() { found } else { given.to_string() };
        new.discovery_url = Some(d.discovery_url);
        new.issuer = Some(d.issuer);
        new.jwks_uri = Some(d.jwks_uri);
        new.iss_parameter_supported = d.iss_parameter_supported;
        new.authorize_url = keep(&new.authorize_url, d.authorize_url);
        new.token_url = keep(&new.token_url, d.token_url);
        new.userinfo_url = new.userinfo_url.filter(|u| !u.trim().is_empty()).or(d.userinfo_url);
        new.revocation_url = new.revocation_url.filter(|u| !u.trim().is_empty()).or(d.revocation_url);
        new.token_auth = new.token_auth.filter(|t| !t.trim().is_empty()).or(d.token_auth);
    }
    Ok(providers::add(app, new, who).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_url_is_found_from_the_issuer() {
        assert_eq!(document_url("https://id.example/"), "https://id.example/.well-known/openid-configuration");
        assert_eq!(
            document_url("https://id.example/t/.well-known/openid-configuration"),
            "https://id.example/t/.well-known/openid-configuration"
        );
    }

    #[test]
    fn a_document_must_name_its_own_issuer_and_endpoints() {
        let url = "https://id.example/.well-known/openid-configuration";
        let doc = serde_json::json!({
            "issuer": "https://id.example",
            "authorization_endpoint": "https://id.example/auth",
            "token_endpoint": "https://id.example/token",
            "jwks_uri": "https://id.example/jwks",
            "revocation_endpoint": "https://id.example/revoke",
            "authorization_response_iss_parameter_supported": true,
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        });
        let d = parse(url, &doc).unwrap();
        assert_eq!(d.issuer, "https://id.example");
        assert_eq!(d.revocation_url.as_deref(), Some("https://id.example/revoke"));
        assert!(d.iss_parameter_supported);
        assert_eq!(d.token_auth.as_deref(), Some("client_secret_post"));
        let mut other = doc.clone();
        other["issuer"] = "https://evil.example".into();
        assert!(matches!(parse(url, &other), Err(FlowError::Remote(m)) if m.contains("evil")));
        let mut missing = doc;
        missing.as_object_mut().unwrap().remove("jwks_uri");
        assert!(matches!(parse(url, &missing), Err(FlowError::Remote(m)) if m.contains("jwks_uri")));
    }
}
