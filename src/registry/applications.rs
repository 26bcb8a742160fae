//! The application registry's operations: register (OAuth 2.0, OAuth 1.0a
//! or both in one application), rotate the secrets, disable and enable,
//! delete (with every grant and token), and client authentication. The admin
//! pages, the command line and the management socket all call these.

use super::consumers::{self, ConsumerView, NewConsumer};
use super::grants::Reason;
use crate::app::App;
use crate::auth::secrets;
use crate::clock::rfc3339;
use crate::keys::Algorithm;
use crate::scopes::ScopeSet;
use crate::store::audit::{self, Who};
use crate::store::clients::{self, Client, OAuth1App, OAuth2App, TokenFormat};
use crate::store::{ClientId, StoreError, grants};
use crate::uri::redirect;
use serde::{Deserialize, Serialize};

pub const GRANT_TYPES: &[&str] = &["authorization_code", "implicit", "password", "client_credentials", "refresh_token"];

pub use super::error::{ClientError, Problem};

fn invalid(field: &'static str, problem: Problem) -> ClientError {
    ClientError::Invalid { field, problem }
}

/// What an admin fills in to register an application.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewClient {
    pub name: String,
    /// Register the OAuth 2.0 side. Without `oauth1` it is always registered.
    #[serde(default = "yes")]
    pub oauth2: bool,
    /// Register an OAuth 1.0a consumer (too, or alone when `oauth2` is false).
    #[serde(default)]
    pub oauth1: Option<NewConsumer>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub homepage: String,
    #[serde(default)]
    pub logo_url: String,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub public: bool,
    /// Empty: authorization_code and refresh_token.
    #[serde(default)]
    pub grants: Vec<String>,
    /// Empty: openid profile email offline_access read for OAuth 2.0, and
    /// read write push for an OAuth 1.0a consumer. Given: both.
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub token_format: Option<String>,
    #[serde(default)]
    pub signing_alg: Option<String>,
    #[serde(default)]
    pub access_ttl: Option<u64>,
    #[serde(default)]
    pub refresh_ttl: Option<u64>,
    /// PKCE is always required of public clients; `false` lets a
    /// confidential client skip it.
    #[serde(default = "yes")]
    pub pkce_required: bool,
    #[serde(default)]
    pub pkce_plain_allowed: bool,
    #[serde(default)]
    pub first_party: bool,
    #[serde(default)]
    pub cors_origins: Vec<String>,
    #[serde(default)]
    pub introspect_any: bool,
}

fn yes() -> bool {
    true
}

/// Credentials shown once, right after registration or rotation: the
/// OAuth 2.0 pair, the OAuth 1.0a pair, or both.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// None for a public client (and for an application without OAuth 2.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_secret: Option<String>,
    pub application: ClientView,
}

/// An application as the command line and the admin pages show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClientView {
    pub id: String,
    /// `oauth2`, `oauth1`: what the application speaks.
    #[serde(default)]
    pub protocols: Vec<String>,
    /// Empty for an application without OAuth 2.0.
    pub client_id: String,
    pub name: String,
    pub description: String,
    pub homepage: String,
    pub public: bool,
    pub redirect_uris: Vec<String>,
    pub grants: Vec<String>,
    pub scopes: String,
    pub token_format: String,
    pub signing_alg: String,
    pub pkce_required: bool,
    pub first_party: bool,
    pub cors_origins: Vec<String>,
    pub enabled: bool,
    pub created_at: String,
    #[serde(default)]
    pub oauth1: Option<ConsumerView>,
}

impl From<&Client> for ClientView {
    fn from(c: &Client) -> Self {
        let o = c.oauth2.as_ref();
        let mut protocols = vec![];
        if c.oauth2.is_some() {
            protocols.push("oauth2".to_string());
        }
        if c.oauth1.is_some() {
            protocols.push("oauth1".to_string());
        }
        ClientView {
            id: c.id.to_string(),
            protocols,
            client_id: o.map(|o| o.client_id.clone()).unwrap_or_default(),
            name: c.name.clone(),
            description: c.description.clone(),
            homepage: c.homepage.clone(),
            public: c.is_public(),
            redirect_uris: o.map(|o| o.redirect_uris.clone()).unwrap_or_default(),
            grants: o.map(|o| o.grants.clone()).unwrap_or_default(),
            scopes: c.scopes.to_string(),
            token_format: match o.map(|o| o.token_format) {
                Some(TokenFormat::Jwt) => "jwt".into(),
                _ => "opaque".into(),
            },
            signing_alg: o.map(|o| o.signing_alg.clone()).unwrap_or_default(),
            pkce_required: o.is_some_and(|o| o.pkce_required),
            first_party: c.first_party,
            cors_origins: o.map(|o| o.cors_origins.clone()).unwrap_or_default(),
            enabled: c.enabled,
            created_at: rfc3339(c.created_at),
            oauth1: c.oauth1.as_ref().map(ConsumerView::from),
        }
    }
}

fn check_url(field: &'static str, v: &str) -> Result<(), ClientError> {
    if v.is_empty() {
        return Ok(());
    }
    match url::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(()),
        _ => Err(invalid(field, Problem::NotHttpUrl)),
    }
}

fn check_origin(o: &str) -> Result<(), ClientError> {
    let u = url::Url::parse(o).map_err(|_| invalid("cors_origins", Problem::NotOrigin(o.to_string())))?;
    if u.origin().ascii_serialization() != o.trim_end_matches('/') {
        return Err(invalid("cors_origins", Problem::OriginNotBare(o.to_string())));
    }
    Ok(())
}

/// Validates what every application has, whatever its protocols.
fn check_common(new: &NewClient) -> Result<(), ClientError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid("name", Problem::NameLength));
    }
    check_url("homepage", new.homepage.trim())?;
    check_url("logo_url", new.logo_url.trim())?;
    if !new.oauth2 && new.oauth1.is_none() {
        return Err(invalid("protocols", Problem::NoProtocol));
    }
    Ok(())
}

/// Validates `new` into the stored OAuth 2.0 settings (without identifiers).
fn settings(new: &NewClient) -> Result<(OAuth2App, ScopeSet), ClientError> {
    let mut grants: Vec<String> = if new.grants.is_empty() {
        vec!["authorization_code".into(), "refresh_token".into()]
    } else {
        new.grants.iter().map(|g| g.trim().to_string()).collect()
    };
    grants.sort();
    grants.dedup();
    for g in &grants {
        if !GRANT_TYPES.contains(&g.as_str()) {
            return Err(invalid("grants", Problem::UnknownGrant(g.clone())));
        }
    }
    if new.public && grants.iter().any(|g| g == "client_credentials") {
        return Err(invalid("grants", Problem::PublicClientCredentials));
    }
    let needs_redirect = grants.iter().any(|g| g == "authorization_code" || g == "implicit");
    let redirect_uris: Vec<String> =
        new.redirect_uris.iter().map(|u| u.trim().to_string()).filter(|u| !u.is_empty()).collect();
    if needs_redirect && redirect_uris.is_empty() {
        return Err(invalid("redirect_uris", Problem::RedirectNeeded));
    }
    for u in &redirect_uris {
        redirect::validate_registered(u).map_err(|e| invalid("redirect_uris", Problem::Uri(u.clone(), e)))?;
    }
    let scope_text = if new.scopes.is_empty() {
        "openid profile email offline_access read".to_string()
    } else {
        new.scopes.join(" ")
    };
    let scopes = ScopeSet::parse(&scope_text).map_err(|e| invalid("scopes", Problem::Scope(e)))?.expand();
    let token_format = match new.token_format.as_deref().unwrap_or("opaque") {
        "opaque" => TokenFormat::Opaque,
        "jwt" => TokenFormat::Jwt,
        other => {
            return Err(invalid("token_format", Problem::TokenFormat(other.to_string())));
        }
    };
    let alg_text = new.signing_alg.clone().unwrap_or_else(|| "EdDSA".into());
    let alg: Algorithm = alg_text.parse().map_err(|_| invalid("signing_alg", Problem::SigningAlg(alg_text.clone())))?;
    for (field, ttl) in [("access_ttl", new.access_ttl), ("refresh_ttl", new.refresh_ttl)] {
        if ttl.is_some_and(|t| t == 0 || t > 365 * 86_400) {
            return Err(invalid(field, Problem::Lifetime));
        }
    }
    for o in &new.cors_origins {
        check_origin(o.trim())?;
    }
    Ok((
        OAuth2App {
            client_id: String::new(),
            secret_digest: None,
            redirect_uris,
            grants,
            token_format,
            signing_alg: alg.to_string(),
            access_ttl: new.access_ttl,
            refresh_ttl: new.refresh_ttl,
            pkce_required: new.public || new.pkce_required,
            pkce_plain_allowed: new.pkce_plain_allowed,
            cors_origins: new.cors_origins.iter().map(|o| o.trim().trim_end_matches('/').to_string()).collect(),
            introspect_any: new.introspect_any,
        },
        scopes,
    ))
}

/// A public identifier: 128 random bits, URL-safe.
fn new_client_id() -> String {
    format!("lk_{}", &secrets::token()[..22])
}

fn sealing(e: crate::auth::sealing::SealError) -> ClientError {
    ClientError::Internal(e.to_string())
}

/// The consumer part of a registration, with its key and sealed secret;
/// returns the secret to show once.
fn new_consumer(app: &App, new: &NewConsumer, scopes: &[String]) -> Result<(OAuth1App, String), ClientError> {
    let mut o = consumers::settings(new, scopes)?;
    o.consumer_key = consumers::new_consumer_key();
    let (secret, sealed) = consumers::new_secret(&app.sealer, &o.consumer_key).map_err(sealing)?;
    o.sealed_secret = sealed;
    Ok((o, secret))
}

pub async fn register(app: &App, new: NewClient, who: Who) -> Result<Credentials, ClientError> {
    check_common(&new)?;
    let oauth2 = if new.oauth2 { Some(settings(&new)?) } else { None };
    let oauth1 = new.oauth1.as_ref().map(|c| new_consumer(app, c, &new.scopes)).transpose()?;
    let secret = oauth2.as_ref().and_then(|_| (!new.public).then(secrets::token));
    let (oauth2, scopes) = match oauth2 {
        Some((mut o, scopes)) => {
            o.client_id = new_client_id();
            o.secret_digest = secret.as_deref().map(secrets::digest);
            (Some(o), scopes)
        }
        None => (None, oauth1.as_ref().map(|(o, _)| o.scopes.expand()).unwrap_or_default()),
    };
    let (oauth1, consumer_secret) = oauth1.map_or((None, None), |(o, s)| (Some(o), Some(s)));
    let client = Client {
        id: ClientId(0),
        name: new.name.trim().to_string(),
        description: new.description.trim().to_string(),
        homepage: new.homepage.trim().to_string(),
        logo_url: new.logo_url.trim().to_string(),
        scopes,
        first_party: new.first_party,
        enabled: true,
        created_at: app.now(),
        oauth2,
        oauth1,
        revision: 0,
    };
    let now = app.now();
    let client = app
        .store
        .write(move |tx| {
            let c = clients::insert(tx, client.clone())?;
            audit::record(tx, now, &who, "client.create", &c.name, &format!("id {}", c.id))?;
            Ok::<_, StoreError>(c)
        })
        .await?;
    Ok(Credentials {
        client_id: client.oauth2.as_ref().map(|o| o.client_id.clone()),
        client_secret: secret,
        consumer_key: client.oauth1.as_ref().map(|o| o.consumer_key.clone()),
        consumer_secret,
        application: ClientView::from(&client),
    })
}

/// Finds an application by its `client_id`, consumer key or numeric id.
pub fn find(app: &App, key: &str) -> Result<Client, ClientError> {
    app.store.read(|tx| lookup(tx, key))?.ok_or_else(|| ClientError::NotFound(key.to_string()))
}

/// The application a person or a client names: by its numeric id, its
/// OAuth 2.0 `client_id` or its OAuth 1.0a consumer key.
pub fn lookup(tx: &impl crate::store::Tables, key: &str) -> Result<Option<Client>, StoreError> {
    match key.parse::<u64>() {
        Ok(n) => clients::get(tx, ClientId(n)),
        Err(_) => clients::by_key(tx, key),
    }
}

pub fn list(app: &App) -> Result<Vec<Client>, ClientError> {
    Ok(app.store.read(clients::list)?)
}

async fn update(
    app: &App,
    key: &str,
    who: Who,
    action: &'static str,
    change: impl Fn(&mut Client) + Send + 'static,
) -> Result<Client, ClientError> {
    let id = find(app, key)?.id;
    let now = app.now();
    let key = key.to_string();
    app.store
        .write(move |tx| {
            let mut c = clients::get(tx, id)?.ok_or_else(|| ClientError::NotFound(key.clone()))?;
            change(&mut c);
            clients::put(tx, &mut c)?;
            audit::record(tx, now, &who, action, &c.name, &format!("id {}", c.id))?;
            Ok(c)
        })
        .await
}

/// New secrets: the confidential OAuth 2.0 client secret and the OAuth 1.0a
/// consumer secret, whichever the application has. The old ones stop
/// working at once (a consumer's access tokens stay valid: they have their
/// own secrets).
pub async fn rotate_secret(app: &App, key: &str, who: Who) -> Result<Credentials, ClientError> {
    let client = find(app, key)?;
    let confidential = client.oauth2.is_some() && !client.is_public();
    if !confidential && client.oauth1.is_none() {
        return Err(invalid("client", Problem::NoSecret));
    }
    let secret = confidential.then(secrets::token);
    let digest = secret.as_deref().map(secrets::digest);
    let consumer = match &client.oauth1 {
        Some(o) => Some(consumers::new_secret(&app.sealer, &o.consumer_key).map_err(sealing)?),
        None => None,
    };
    let sealed = consumer.as_ref().map(|(_, sealed)| sealed.clone());
    let client = update(app, key, who, "client.rotate_secret", move |c| {
        if let (Some(o), Some(d)) = (c.oauth2.as_mut(), digest) {
            o.secret_digest = Some(d);
        }
        if let (Some(o), Some(s)) = (c.oauth1.as_mut(), &sealed) {
            o.sealed_secret = s.clone();
        }
    })
    .await?;
    Ok(Credentials {
        client_id: client.oauth2.as_ref().map(|o| o.client_id.clone()),
        client_secret: secret,
        consumer_key: client.oauth1.as_ref().map(|o| o.consumer_key.clone()),
        consumer_secret: consumer.map(|(s, _)| s),
        application: ClientView::from(&client),
    })
}

pub async fn set_enabled(app: &App, key: &str, enabled: bool, who: Who) -> Result<Client, ClientError> {
    let action = if enabled { "client.enable" } else { "client.disable" };
    update(app, key, who, action, move |c| c.enabled = enabled).await
}

/// Deletes the application with every grant and token; returns it and how
/// many grants and tokens went with it.
pub async fn delete(app: &App, key: &str, who: Who) -> Result<(Client, usize, usize), ClientError> {
    let id = find(app, key)?.id;
    let now = app.now();
    let key = key.to_string();
    app.store
        .write(move |tx| {
            let c = clients::get(tx, id)?.ok_or_else(|| ClientError::NotFound(key.clone()))?;
            let mut n_grants = 0;
            let mut n_tokens = 0;
            for g in grants::for_client(tx, id)? {
                n_tokens += super::grants::revoke(tx, g.id, now, &who, Reason::Deleted)?.unwrap_or(0);
                n_grants += 1;
            }
            clients::delete(tx, &c)?;
            crate::store::push_credentials::remove(tx, c.id)?;
            let detail = format!("id {}, {n_grants} grants and {n_tokens} tokens removed", c.id);
            audit::record(tx, now, &who, "client.delete", &c.name, &detail)?;
            Ok((c, n_grants, n_tokens))
        })
        .await
}

/// Whether `secret` is this confidential client's secret (constant time).
pub fn secret_matches(client: &Client, secret: &str) -> bool {
    match client.oauth2.as_ref().and_then(|o| o.secret_digest) {
        Some(d) => secrets::constant_time_eq(&d, &secrets::digest(secret)),
        None => false,
    }
}

/// Changes an application's settings. Identifiers and secrets stay; a
/// protocol cannot be added or removed here, nor a client's type changed
/// (that changes its credentials: register a new application instead).
pub async fn edit(app: &App, key: &str, new: NewClient, who: Who) -> Result<Client, ClientError> {
    check_common(&new)?;
    let old = find(app, key)?;
    if old.oauth2.is_some() != new.oauth2 || old.oauth1.is_some() != new.oauth1.is_some() {
        return Err(invalid("protocols", Problem::ProtocolsFixed));
    }
    let oauth2 = match (&old.oauth2, new.oauth2) {
        (Some(o), true) => {
            if old.is_public() != new.public {
                return Err(invalid("client_type", Problem::ClientTypeFixed));
            }
            let (mut fresh, scopes) = settings(&new)?;
            fresh.client_id = o.client_id.clone();
            fresh.secret_digest = o.secret_digest;
            Some((fresh, scopes))
        }
        _ => None,
    };
    let oauth1 = match (&old.oauth1, &new.oauth1) {
        (Some(o), Some(c)) => {
            let mut fresh = super::consumers::settings(c, &new.scopes)?;
            fresh.consumer_key = o.consumer_key.clone();
            fresh.sealed_secret = o.sealed_secret.clone();
            Some(fresh)
        }
        _ => None,
    };
    let scopes = match &oauth2 {
        Some((_, s)) => s.clone(),
        None => oauth1.as_ref().map(|o| o.scopes.expand()).unwrap_or_default(),
    };
    let mut client = old.clone();
    client.name = new.name.trim().to_string();
    client.description = new.description.trim().to_string();
    client.homepage = new.homepage.trim().to_string();
    client.logo_url = new.logo_url.trim().to_string();
    client.first_party = new.first_party;
    client.scopes = scopes;
    client.oauth2 = oauth2.map(|(o, _)| o);
    client.oauth1 = oauth1;
    let now = app.now();
    app.store
        .write(move |tx| {
            let mut client = client.clone();
            clients::put(tx, &mut client)?;
            audit::record(tx, now, &who, "client.update", &client.name, &format!("id {}", client.id))?;
            Ok::<_, StoreError>(client)
        })
        .await
        .map_err(ClientError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;
    use crate::store::audit::AuditEvent;
    use crate::store::grants::{Grant, Token, TokenKind};
    use crate::store::{GrantId, UserId};

    const NOW: i64 = 1_700_000_000;

    fn new_client(v: serde_json::Value) -> NewClient {
        serde_json::from_value(v).unwrap()
    }

    fn last_audit(app: &App) -> AuditEvent {
        app.store.read(|tx| audit::recent(tx, None, 1)).unwrap().remove(0).1
    }

    #[tokio::test]
    async fn registers_both_protocols_in_one_application() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(NOW));
        let new = new_client(serde_json::json!({
            "name": " Photo Printer ",
            "oauth1": { "callback": "https://printer.example/ready" },
            "redirect_uris": ["https://printer.example/cb"],
            "scopes": ["read"],
        }));
        let creds = register(&app, new, Who::cli()).await.unwrap();
        let (id, key) = (creds.client_id.clone().unwrap(), creds.consumer_key.clone().unwrap());
        assert!(creds.client_secret.is_some() && creds.consumer_secret.is_some());
        assert_eq!(creds.application.name, "Photo Printer");
        assert_eq!(creds.application.protocols, ["oauth2", "oauth1"]);
        let by_id = find(&app, &id).unwrap();
        assert_eq!(find(&app, &key).unwrap().id, by_id.id, "one application, two identifiers");
        assert_eq!(find(&app, &by_id.id.to_string()).unwrap().id, by_id.id);
        assert_eq!(by_id.created_at, NOW);
        assert!(secret_matches(&by_id, creds.client_secret.as_deref().unwrap()));
        let e = last_audit(&app);
        assert_eq!((e.action.as_str(), e.target.as_str(), e.actor.as_str()), ("client.create", "Photo Printer", "cli"));

        let oauth1_only = new_client(serde_json::json!({ "name": "Desk", "oauth2": false, "oauth1": {} }));
        let creds = register(&app, oauth1_only, Who::cli()).await.unwrap();
        assert!(creds.client_id.is_none() && creds.client_secret.is_none() && creds.consumer_key.is_some());
        assert!(matches!(
            register(&app, new_client(serde_json::json!({ "name": "" })), Who::cli()).await,
            Err(ClientError::Invalid { field: "name", .. })
        ));
    }

    #[tokio::test]
    async fn rotating_replaces_the_secrets_and_disabling_is_audited() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(NOW));
        let new = new_client(serde_json::json!({ "name": "Tally", "oauth1": {}, "grants": ["client_credentials"] }));
        let old = register(&app, new, Who::cli()).await.unwrap();
        let id = old.client_id.clone().unwrap();
        let fresh = rotate_secret(&app, &id, Who::cli()).await.unwrap();
        assert_eq!(fresh.client_id, old.client_id, "identifiers stay");
        assert_eq!(fresh.consumer_key, old.consumer_key);
        assert_ne!(fresh.client_secret, old.client_secret);
        assert_ne!(fresh.consumer_secret, old.consumer_secret);
        let c = find(&app, &id).unwrap();
        assert!(secret_matches(&c, fresh.client_secret.as_deref().unwrap()));
        assert!(!secret_matches(&c, old.client_secret.as_deref().unwrap()), "the old secret stops working");
        assert_eq!(last_audit(&app).action, "client.rotate_secret");

        assert!(!set_enabled(&app, &id, false, Who::cli()).await.unwrap().enabled);
        assert!(!find(&app, &id).unwrap().enabled);
        assert_eq!(last_audit(&app).action, "client.disable");
        assert!(set_enabled(&app, &id, true, Who::cli()).await.unwrap().enabled);
        assert!(matches!(set_enabled(&app, "lk_none", true, Who::cli()).await, Err(ClientError::NotFound(_))));
    }

    #[tokio::test]
    async fn deleting_removes_the_grants_and_their_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(NOW));
        let new =
            new_client(serde_json::json!({ "name": "Gone", "grants": ["client_credentials"], "scopes": ["read"] }));
        let id = register(&app, new, Who::cli()).await.unwrap().client_id.unwrap();
        let client = find(&app, &id).unwrap().id;
        let other = new_client(serde_json::json!({ "name": "Stays", "grants": ["client_credentials"] }));
        let other = find(&app, &register(&app, other, Who::cli()).await.unwrap().client_id.unwrap()).unwrap().id;
        let token = |grant: GrantId, client| Token {
            kind: TokenKind::Access,
            grant,
            client,
            user: Some(UserId(7)),
            scopes: ScopeSet::parse("profile").unwrap(),
            issued_at: NOW,
            expires_at: Some(NOW + 60),
            redirect_uri: None,
            pkce: None,
            nonce: None,
            auth_time: NOW,
            used_at: None,
            secret: None,
            replay: None,
        };
        let kept = app
            .store
            .write(move |tx| {
                for (n, (user, c)) in
                    [(Some(UserId(7)), client), (None, client), (Some(UserId(7)), other)].iter().enumerate()
                {
                    let g = Grant {
                        id: GrantId(0),
                        client: *c,
                        user: *user,
                        scopes: ScopeSet::parse("profile").unwrap(),
                        created_at: NOW,
                        last_used: NOW,
                        revision: 0,
                    };
                    let g = grants::insert(tx, g)?;
                    grants::put_token(tx, &[n as u8; 32], &token(g.id, *c))?;
                }
                Ok::<_, StoreError>(grants::find(tx, Some(UserId(7)), other)?.map(|g| g.id))
            })
            .await
            .unwrap()
            .unwrap();
        let (gone, n_grants, n_tokens) = delete(&app, &id, Who::cli()).await.unwrap();
        assert_eq!((gone.name.as_str(), n_grants, n_tokens), ("Gone", 2, 2));
        assert!(matches!(find(&app, &id), Err(ClientError::NotFound(_))));
        let left = app.store.read(grants::list).unwrap();
        assert_eq!(left.iter().map(|g| g.id).collect::<Vec<_>>(), [kept], "the other application's grant stays");
        assert!(app.store.read(|tx| grants::token(tx, &[0; 32])).unwrap().is_none());
        assert!(app.store.read(|tx| grants::token(tx, &[1; 32])).unwrap().is_none());
        assert!(app.store.read(|tx| grants::token(tx, &[2; 32])).unwrap().is_some());
        let e = last_audit(&app);
        assert_eq!((e.action.as_str(), e.target.as_str()), ("client.delete", "Gone"));
        assert!(e.detail.ends_with("2 grants and 2 tokens removed"), "{}", e.detail);
    }
}
