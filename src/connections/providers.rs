//! Remote providers: what an admin fills in (`NewProvider`), its
//! validation into the stored `Provider` (URLs by the outbound rule, the
//! secret sealed), and the admin's operations on them, each audited.
//! An OIDC provider from a discovery URL arrives here with its endpoints
//! already read (`connect::discovery` fetches the document).

use super::{ConnectionError, invalid};
use crate::app::App;
use crate::auth::sealing::context;
use crate::clock::rfc3339;
use crate::ids::ProviderId;
use crate::outbound::target;
use crate::store::audit::{self, Who};
use crate::store::connections::{
    self, Connection, OAuth1Endpoints, OAuth1Signature, OAuth2Endpoints, Oidc, Provider, ProviderKind, TokenAuth,
};
use serde::{Deserialize, Serialize};

/// The OAuth 2.0 callback on this server (DESIGN.md "Connections").
pub const CALLBACK_PATH: &str = "/account/connections/callback";
/// The OAuth 1.0a callback.
pub const CALLBACK_PATH_OAUTH1: &str = "/account/connections/callback/oauth1";

/// What an admin fills in (the page and `latchkey provider add`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct NewProvider {
    pub name: String,
    /// `oidc`, `oauth2` or `oauth1`.
    pub protocol: String,
    /// OIDC: where the endpoints were read from.
    #[serde(default)]
    pub discovery_url: Option<String>,
    /// OIDC: the issuer and key set (from discovery).
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub jwks_uri: Option<String>,
    #[serde(default)]
    pub iss_parameter_supported: bool,
    #[serde(default)]
    pub authorize_url: String,
    /// OAuth 2.0.
    #[serde(default)]
    pub token_url: String,
    #[serde(default)]
    pub userinfo_url: Option<String>,
    #[serde(default)]
    pub revocation_url: Option<String>,
    /// `client_secret_basic` (default) or `client_secret_post`.
    #[serde(default)]
    pub token_auth: Option<String>,
    /// OAuth 1.0a.
    #[serde(default)]
    pub request_url: String,
    #[serde(default)]
    pub access_url: String,
    /// OAuth 1.0a: `HMAC-SHA1` (default), `HMAC-SHA256` or `RSA-SHA1`.
    #[serde(default)]
    pub signature_method: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub api_base: String,
    #[serde(default)]
    pub sign_in: bool,
    #[serde(default = "yes")]
    pub member_connect: bool,
}

fn yes() -> bool {
    true
}

/// A provider as the command line and the admin pages show it (never the
/// secret).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProviderView {
    pub id: String,
    pub name: String,
    pub protocol: String,
    pub issuer: Option<String>,
    pub discovery_url: Option<String>,
    pub authorize_url: String,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub revocation_url: Option<String>,
    pub jwks_uri: Option<String>,
    pub request_url: Option<String>,
    pub access_url: Option<String>,
    pub signature_method: Option<String>,
    /// RSA-SHA1: the public key (PEM) to register at the service.
    pub rsa_public_key: Option<String>,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub api_base: String,
    pub member_connect: bool,
    pub sign_in: bool,
    pub disabled: bool,
    pub created_at: String,
    /// The callback URL to register at the provider.
    pub callback_url: String,
}

impl ProviderView {
    pub fn new(p: &Provider, public_url: &str) -> ProviderView {
        let o2 = p.kind.oauth2();
        let oidc = p.kind.oidc();
        let o1 = p.kind.oauth1();
        let path = if o1.is_some() { CALLBACK_PATH_OAUTH1 } else { CALLBACK_PATH };
        ProviderView {
            id: p.id.to_string(),
            name: p.name.clone(),
            protocol: p.kind.label().into(),
            issuer: oidc.map(|o| o.issuer.clone()),
            discovery_url: oidc.and_then(|o| o.discovery_url.clone()),
            authorize_url: p.authorize_url.clone(),
            token_url: o2.map(|e| e.token_url.clone()),
            userinfo_url: o2.and_then(|e| e.userinfo_url.clone()),
            revocation_url: o2.and_then(|e| e.revocation_url.clone()),
            jwks_uri: oidc.map(|o| o.jwks_uri.clone()),
            request_url: o1.map(|e| e.request_url.clone()),
            access_url: o1.map(|e| e.access_url.clone()),
            signature_method: o1.map(|e| e.signature_method.as_str().to_string()),
            rsa_public_key: o1.and_then(|e| e.rsa_public_key_pem.clone()),
            client_id: p.client_id.clone(),
            scopes: p.scopes.clone(),
            api_base: p.api_base.clone(),
            member_connect: p.member_connect,
            sign_in: p.sign_in,
            disabled: p.disabled,
            created_at: rfc3339(p.created_at),
            callback_url: callback_url(public_url, path),
        }
    }
}

/// `public_url` + `path`, without a doubled slash.
pub fn callback_url(public_url: &str, path: &str) -> String {
    format!("{}{path}", public_url.trim_end_matches('/'))
}

fn url(field: &'static str, raw: &str, allow_private: bool) -> Result<String, ConnectionError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(invalid(field, "is required"));
    }
    let u = target::check_url(raw, allow_private).map_err(|e| invalid(field, format!("{raw}: {e}")))?;
    if u.fragment().is_some() {
        return Err(invalid(field, format!("{raw}: must not have a #fragment")));
    }
    Ok(u.to_string())
}

fn optional_url(
    field: &'static str,
    raw: Option<&str>,
    allow_private: bool,
) -> Result<Option<String>, ConnectionError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => url(field, r, allow_private).map(Some),
        None => Ok(None),
    }
}

/// Validates `new` into a provider (id 0, secret not sealed yet). URLs
/// must be `https` (or `http` with `outbound_allow_private`); their hosts
/// are checked against private addresses when called.
pub fn validate(new: &NewProvider, allow_private: bool, now: i64) -> Result<Provider, ConnectionError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(invalid("name", "must be 1 to 60 characters"));
    }
    if name.parse::<u64>().is_ok() {
        return Err(invalid("name", "must not be a number (numbers name providers by id)"));
    }
    let client_id = new.client_id.trim();
    if client_id.is_empty() || client_id.len() > 500 {
        return Err(invalid("client_id", "is required (at most 500 characters)"));
    }
    if new.client_secret.is_empty() && new.protocol != "oauth2" && new.protocol != "oidc" {
        return Err(invalid("client_secret", "is required"));
    }
    if new.client_secret.len() > 4096 {
        return Err(invalid("client_secret", "is too long"));
    }
    let mut scopes: Vec<String> =
        new.scopes.iter().flat_map(|s| s.split_whitespace()).map(str::to_string).collect::<Vec<_>>();
    scopes.dedup();
    if scopes.iter().any(|s| s.chars().any(|c| !('\x21'..='\x7e').contains(&c) || c == '"' || c == '\\')) {
        return Err(invalid("scopes", "scope names are printable ASCII without quotes or backslashes"));
    }
    let api_base = url("api_base", &new.api_base, allow_private)?;
    if url::Url::parse(&api_base).is_ok_and(|u| u.query().is_some()) {
        return Err(invalid("api_base", "must not have a query"));
    }
    let authorize_url = url("authorize_url", &new.authorize_url, allow_private)?;
    let token_auth = match new.token_auth.as_deref().map(str::trim).unwrap_or("") {
        "" | "client_secret_basic" => TokenAuth::ClientSecretBasic,
        "client_secret_post" => TokenAuth::ClientSecretPost,
        other => {
            return Err(invalid("token_auth", format!("{other:?}: write client_secret_basic or client_secret_post")));
        }
    };
    let endpoints = |allow: bool| -> Result<OAuth2Endpoints, ConnectionError> {
        Ok(OAuth2Endpoints {
            token_url: url("token_url", &new.token_url, allow)?,
            userinfo_url: optional_url("userinfo_url", new.userinfo_url.as_deref(), allow)?,
            revocation_url: optional_url("revocation_url", new.revocation_url.as_deref(), allow)?,
            token_auth,
        })
    };
    let kind = match new.protocol.trim() {
        "oidc" => {
            let issuer = new.issuer.as_deref().map(str::trim).filter(|i| !i.is_empty());
            let issuer = issuer.ok_or_else(|| invalid("issuer", "is required for OpenID Connect"))?;
            // The issuer is compared as a string, exactly as the provider wrote it.
            target::check_url(issuer, allow_private).map_err(|e| invalid("issuer", format!("{issuer}: {e}")))?;
            let jwks = new.jwks_uri.as_deref().unwrap_or("");
            if !scopes.iter().any(|s| s == "openid") {
                scopes.insert(0, "openid".into());
            }
            ProviderKind::Oidc(Oidc {
                issuer: issuer.to_string(),
                jwks_uri: url("jwks_uri", jwks, allow_private)?,
                discovery_url: optional_url("discovery_url", new.discovery_url.as_deref(), allow_private)?,
                iss_parameter_supported: new.iss_parameter_supported,
                endpoints: endpoints(allow_private)?,
            })
        }
        "oauth2" => ProviderKind::OAuth2(endpoints(allow_private)?),
        "oauth1" => {
            let method = match new.signature_method.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
                None => OAuth1Signature::HmacSha1,
                Some(m) => OAuth1Signature::parse(m).ok_or_else(|| {
                    invalid("signature_method", format!("{m:?}: write HMAC-SHA1, HMAC-SHA256 or RSA-SHA1"))
                })?,
            };
            ProviderKind::OAuth1(OAuth1Endpoints {
                request_url: url("request_url", &new.request_url, allow_private)?,
                access_url: url("access_url", &new.access_url, allow_private)?,
                signature_method: method,
                sealed_rsa_key: None,
                rsa_public_key_pem: None,
            })
        }
        other => return Err(invalid("protocol", format!("{other:?}: write oidc, oauth2 or oauth1"))),
    };
    if new.sign_in && kind.oidc().is_none() {
        return Err(invalid("sign_in", "only an OpenID Connect provider can sign members in"));
    }
    if kind.oauth2().is_some() && new.client_secret.is_empty() {
        return Err(invalid("client_secret", "is required"));
    }
    Ok(Provider {
        id: ProviderId(0),
        name: name.to_string(),
        kind,
        authorize_url,
        client_id: client_id.to_string(),
        sealed_secret: vec![],
        scopes,
        api_base,
        member_connect: new.member_connect,
        sign_in: new.sign_in,
        disabled: false,
        created_at: now,
    })
}

/// latchkey's key pair for an OAuth 1.0a provider that signs with
/// RSA-SHA1: (PKCS#8 DER private key, PEM public key), made by
/// `oauth1::client::generate_rsa_key` (2048 bits).
async fn rsa_key_pair(p: &Provider) -> Result<Option<(Vec<u8>, String)>, ConnectionError> {
    match p.kind.oauth1() {
        Some(o) if o.signature_method == OAuth1Signature::RsaSha1 => {
            // A prime search (100 to 500 ms): off the async workers, like
            // the password hashes.
            let pair = tokio::task::spawn_blocking(crate::oauth1::client::generate_rsa_key)
                .await
                .map_err(|e| ConnectionError::Internal(e.to_string()))?
                .map_err(ConnectionError::Internal)?;
            Ok(Some((pair.private_der, pair.public_pem)))
        }
        _ => Ok(None),
    }
}

/// Validates and stores a new provider, its secret sealed; audited.
pub async fn add(app: &App, new: NewProvider, who: Who) -> Result<Provider, ConnectionError> {
    let now = app.now();
    let draft = validate(&new, app.config.outbound_allow_private, now)?;
    let key_pair = rsa_key_pair(&draft).await?;
    let sealer = app.sealer.clone();
    let secret = new.client_secret.clone();
    app.store
        .write(move |tx| {
            let mut p = draft.clone();
            if connections::provider_by_name(tx, &p.name)?.is_some() {
                return Err(invalid("name", format!("a provider named {:?} exists already", p.name)));
            }
            p.id = connections::new_provider_id(tx)?;
            p.sealed_secret = sealer.seal(&context::provider_secret(p.id.0), &secret)?;
            if let (ProviderKind::OAuth1(o), Some((der, pem))) = (&mut p.kind, &key_pair) {
                o.sealed_rsa_key = Some(sealer.seal_bytes(&context::provider_rsa_key(p.id.0), der)?);
                o.rsa_public_key_pem = Some(pem.clone());
            }
            connections::put_provider(tx, &p)?;
            audit::record(tx, now, &who, "provider.create", &p.name, &format!("id {} {}", p.id, p.kind.label()))?;
            Ok(p)
        })
        .await
}

/// The provider a person names: by numeric id or by name.
pub fn lookup(tx: &impl crate::store::Tables, key: &str) -> Result<Option<Provider>, crate::store::StoreError> {
    match key.trim().parse::<u64>() {
        Ok(n) => connections::get_provider(tx, ProviderId(n)),
        Err(_) => connections::provider_by_name(tx, key),
    }
}

pub fn find(app: &App, key: &str) -> Result<Provider, ConnectionError> {
    app.store.read(|tx| lookup(tx, key))?.ok_or_else(|| ConnectionError::NotFound(format!("provider {key:?}")))
}

pub fn get(app: &App, id: ProviderId) -> Result<Option<Provider>, ConnectionError> {
    Ok(app.store.read(|tx| connections::get_provider(tx, id))?)
}

pub fn list(app: &App) -> Result<Vec<Provider>, ConnectionError> {
    Ok(app.store.read(connections::providers)?)
}

/// Disables (or enables again) a provider; audited.
pub async fn set_disabled(app: &App, key: &str, disabled: bool, who: Who) -> Result<Provider, ConnectionError> {
    let id = find(app, key)?.id;
    let now = app.now();
    app.store
        .write(move |tx| {
            let mut p = connections::get_provider(tx, id)?
                .ok_or_else(|| ConnectionError::NotFound(format!("provider {id}")))?;
            p.disabled = disabled;
            connections::put_provider(tx, &p)?;
            let action = if disabled { "provider.disable" } else { "provider.enable" };
            audit::record(tx, now, &who, action, &p.name, &format!("id {}", p.id))?;
            Ok(p)
        })
        .await
}

/// Deletes a provider with its members' connections and sign-in links;
/// audited. Returns it and the connections that went (for the caller to
/// revoke remotely).
pub async fn delete(app: &App, key: &str, who: Who) -> Result<(Provider, Vec<Connection>), ConnectionError> {
    let p = find(app, key)?;
    let now = app.now();
    app.store
        .write(move |tx| {
            let conns = connections::delete_provider(tx, p.id)?
                .ok_or_else(|| ConnectionError::NotFound(format!("provider {}", p.id)))?;
            let detail = format!("id {}, {} connection(s)", p.id, conns.len());
            audit::record(tx, now, &who, "provider.delete", &p.name, &detail)?;
            Ok((p.clone(), conns))
        })
        .await
}

/// The provider's client (or consumer) secret, opened.
pub fn client_secret(app: &App, p: &Provider) -> Result<String, ConnectionError> {
    Ok(app.sealer.open(&context::provider_secret(p.id.0), &p.sealed_secret)?)
}

/// latchkey's RSA private key (PKCS#8 DER) for an RSA-SHA1 provider.
pub fn rsa_private_key(app: &App, p: &Provider) -> Result<Option<Vec<u8>>, ConnectionError> {
    match p.kind.oauth1().and_then(|o| o.sealed_rsa_key.as_ref()) {
        Some(sealed) => Ok(Some(app.sealer.open_bytes(&context::provider_rsa_key(p.id.0), sealed)?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oidc() -> NewProvider {
        NewProvider {
            name: "Remote".into(),
            protocol: "oidc".into(),
            issuer: Some("https://id.example".into()),
            jwks_uri: Some("https://id.example/jwks".into()),
            authorize_url: "https://id.example/authorize".into(),
            token_url: "https://id.example/token".into(),
            client_id: "abc".into(),
            client_secret: "s3cret".into(),
            api_base: "https://id.example/api/".into(),
            member_connect: true,
            ..Default::default()
        }
    }

    #[test]
    fn an_oidc_provider_validates_and_asks_for_openid() {
        let p = validate(&oidc(), false, 5).unwrap();
        assert_eq!(p.scopes, vec!["openid".to_string()]);
        assert_eq!(p.kind.oidc().unwrap().issuer, "https://id.example");
        assert_eq!(p.kind.oauth2().unwrap().token_auth, TokenAuth::ClientSecretBasic);
        assert_eq!(p.created_at, 5);
    }

    #[test]
    fn urls_must_be_https_unless_private_targets_are_allowed() {
        let mut n = oidc();
        n.token_url = "http://id.example/token".into();
        assert!(matches!(validate(&n, false, 0), Err(ConnectionError::Invalid { field: "token_url", .. })));
        assert!(validate(&n, true, 0).is_ok());
        n.api_base = "not a url".into();
        assert!(matches!(validate(&n, true, 0), Err(ConnectionError::Invalid { field: "api_base", .. })));
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |n: NewProvider| match validate(&n, false, 0) {
            Err(ConnectionError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(NewProvider { name: " ".into(), ..oidc() }), "name");
        assert_eq!(field(NewProvider { name: "42".into(), ..oidc() }), "name");
        assert_eq!(field(NewProvider { issuer: None, ..oidc() }), "issuer");
        assert_eq!(field(NewProvider { client_secret: String::new(), ..oidc() }), "client_secret");
        assert_eq!(field(NewProvider { protocol: "saml".into(), ..oidc() }), "protocol");
        assert_eq!(field(NewProvider { scopes: vec!["a\"b".into()], ..oidc() }), "scopes");
        let oauth2 = NewProvider { protocol: "oauth2".into(), sign_in: true, ..oidc() };
        assert_eq!(field(oauth2), "sign_in");
        let oauth1 = NewProvider {
            protocol: "oauth1".into(),
            request_url: "https://svc.example/request".into(),
            access_url: "https://svc.example/access".into(),
            signature_method: Some("PLAINTEXT".into()),
            ..oidc()
        };
        assert_eq!(field(oauth1.clone()), "signature_method");
        let p = validate(&NewProvider { signature_method: Some("hmac-sha256".into()), ..oauth1 }, false, 0).unwrap();
        assert_eq!(p.kind.oauth1().unwrap().signature_method, OAuth1Signature::HmacSha256);
    }
}
