//! The application registry: one record per application, whichever
//! protocols it speaks, found by id or by its public identifier.

use super::codec::{Record, Revised, decode, decode_old, revise};
use super::schema::{CLIENT_KEYS, CLIENTS};
use super::{At, ClientId, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use crate::clock::Timestamp;
use crate::scopes::ScopeSet;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenFormat {
    Opaque,
    Jwt,
}

/// The OAuth 2.0 side of an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuth2App {
    pub client_id: String,
    /// SHA-256 of the secret; `None` for a public client.
    pub secret_digest: Option<[u8; 32]>,
    pub redirect_uris: Vec<String>,
    /// Wire names: authorization_code, implicit, password, client_credentials, refresh_token.
    pub grants: Vec<String>,
    pub token_format: TokenFormat,
    /// Wire name of the JWT signing algorithm: EdDSA, ES256 or RS256.
    pub signing_alg: String,
    pub access_ttl: Option<u64>,
    pub refresh_ttl: Option<u64>,
    pub pkce_required: bool,
    pub pkce_plain_allowed: bool,
    pub cors_origins: Vec<String>,
    /// May introspect tokens issued to other applications.
    pub introspect_any: bool,
}

/// The OAuth 1.0a side of an application (a consumer, RFC 5849).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuth1App {
    pub consumer_key: String,
    /// The consumer secret, sealed (see `auth::sealing`) with the consumer
    /// key as context: HMAC needs it back, so a digest would not do.
    pub sealed_secret: Vec<u8>,
    /// The registered callback URL, or `oob`.
    pub callback: String,
    /// RFC 5849 without `oauth_verifier`: the original OAuth 1.0 flow, only
    /// for consumers registered as such.
    pub legacy_1_0: bool,
    /// Wire names: HMAC-SHA1, HMAC-SHA256, RSA-SHA1, PLAINTEXT.
    pub signature_methods: Vec<String>,
    /// PEM, for RSA-SHA1.
    pub rsa_public_key: Option<String>,
    /// May sign with the consumer credentials alone, acting as itself.
    pub two_legged: bool,
    /// What the consumer may be granted, space-separated as registered
    /// (shorthands kept, e.g. `read write push`).
    #[serde(deserialize_with = "crate::scopes::lenient")]
    pub scopes: ScopeSet,
    /// Access-token lifetime in seconds; `None`: valid until revoked.
    pub token_ttl: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub description: String,
    pub homepage: String,
    pub logo_url: String,
    /// Concrete scopes this application may be granted over OAuth 2.0 (for an
    /// OAuth 1.0a-only application, its consumer's).
    #[serde(deserialize_with = "crate::scopes::lenient")]
    pub scopes: ScopeSet,
    pub first_party: bool,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub oauth2: Option<OAuth2App>,
    pub oauth1: Option<OAuth1App>,
    /// Grows with every stored change (see `codec::Revised`); 0 until stored.
    pub revision: u64,
}

/// A client as version 2 wrote it: before revisions.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub(crate) struct ClientV2 {
    pub(crate) id: ClientId,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) homepage: String,
    pub(crate) logo_url: String,
    pub(crate) scopes: String,
    pub(crate) first_party: bool,
    pub(crate) enabled: bool,
    pub(crate) created_at: Timestamp,
    pub(crate) oauth2: Option<OAuth2App>,
    pub(crate) oauth1: Option<OAuth1App>,
}

/// A client as version 1 wrote it: before OAuth 1.0a consumers.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct ClientV1 {
    id: ClientId,
    name: String,
    description: String,
    homepage: String,
    logo_url: String,
    scopes: String,
    first_party: bool,
    enabled: bool,
    created_at: Timestamp,
    oauth2: Option<OAuth2App>,
}

impl Record for Client {
    const KIND: &'static str = "client";
    const VERSION: u8 = 3;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => {
                let v1: ClientV1 = postcard::from_bytes(body)
                    .map_err(|e| StoreError::Corrupt(format!("cannot decode client v1: {e}")))?;
                Ok(Client {
                    id: v1.id,
                    name: v1.name,
                    description: v1.description,
                    homepage: v1.homepage,
                    logo_url: v1.logo_url,
                    scopes: ScopeSet::parse_lenient(&v1.scopes),
                    first_party: v1.first_party,
                    enabled: v1.enabled,
                    created_at: v1.created_at,
                    oauth2: v1.oauth2,
                    oauth1: None,
                    revision: 1,
                })
            }
            2 => {
                let v2: ClientV2 = decode_old(Self::KIND, version, body)?;
                Ok(Client {
                    id: v2.id,
                    name: v2.name,
                    description: v2.description,
                    homepage: v2.homepage,
                    logo_url: v2.logo_url,
                    scopes: ScopeSet::parse_lenient(&v2.scopes),
                    first_party: v2.first_party,
                    enabled: v2.enabled,
                    created_at: v2.created_at,
                    oauth2: v2.oauth2,
                    oauth1: v2.oauth1,
                    revision: 1,
                })
            }
            v => Err(StoreError::Corrupt(format!("client record has unknown version {v}"))),
        }
    }
}

impl Revised for Client {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

impl Client {
    pub fn is_public(&self) -> bool {
        self.oauth2.as_ref().is_some_and(|o| o.secret_digest.is_none())
    }
}

pub fn get(tx: &impl Tables, id: ClientId) -> Result<Option<Client>, StoreError> {
    const OP: &str = "clients.get";
    tx.table(&CLIENTS).during(OP)?.get(id.0).at(OP, &CLIENTS)?.map(|v| decode(v.value())).transpose()
}

/// By OAuth 2.0 `client_id` or OAuth 1.0a consumer key.
pub fn by_key(tx: &impl Tables, key: &str) -> Result<Option<Client>, StoreError> {
    const OP: &str = "clients.by_key";
    let id = tx.table(&CLIENT_KEYS).during(OP)?.get(key).at(OP, &CLIENT_KEYS)?.map(|v| ClientId(v.value()));
    match id {
        Some(id) => get(tx, id),
        None => Ok(None),
    }
}

fn keys_of(c: &Client) -> Vec<String> {
    let oauth2 = c.oauth2.iter().map(|o| o.client_id.clone());
    oauth2.chain(c.oauth1.iter().map(|o| o.consumer_key.clone())).collect()
}

pub fn insert(tx: &WriteTransaction, mut client: Client) -> Result<Client, StoreError> {
    const OP: &str = "clients.insert";
    client.id = ClientId(next_id(tx, ClientId::SEQUENCE)?);
    let mut keys = tx.table(&CLIENT_KEYS).during(OP)?;
    for k in keys_of(&client) {
        keys.insert(k.as_str(), client.id.0).at(OP, &CLIENT_KEYS)?;
    }
    drop(keys);
    put(tx, &mut client)?;
    Ok(client)
}

/// Replaces a stored client (its identifiers never change here), with the
/// next revision when it changed.
pub fn put(tx: &WriteTransaction, client: &mut Client) -> Result<(), StoreError> {
    const OP: &str = "clients.put";
    let mut t = tx.table(&CLIENTS).during(OP)?;
    let stored = t.get(client.id.0).at(OP, &CLIENTS)?.map(|v| v.value().to_vec());
    if let Some(bytes) = revise(stored.as_deref(), client)? {
        t.insert(client.id.0, bytes.as_slice()).at(OP, &CLIENTS)?;
    }
    Ok(())
}

pub fn delete(tx: &WriteTransaction, client: &Client) -> Result<(), StoreError> {
    const OP: &str = "clients.delete";
    tx.table(&CLIENTS).during(OP)?.remove(client.id.0).at(OP, &CLIENTS)?;
    let mut keys = tx.table(&CLIENT_KEYS).during(OP)?;
    for k in keys_of(client) {
        keys.remove(k.as_str()).at(OP, &CLIENT_KEYS)?;
    }
    Ok(())
}

pub fn list(tx: &impl Tables) -> Result<Vec<Client>, StoreError> {
    const OP: &str = "clients.list";
    let t = tx.table(&CLIENTS).during(OP)?;
    let mut out = vec![];
    for row in t.iter().at(OP, &CLIENTS)? {
        out.push(decode(row.at(OP, &CLIENTS)?.1.value())?);
    }
    Ok(out)
}

/// A page of applications, newest first, after the cursor `after`; `keep`
/// filters and shapes each one.
pub fn page<T>(
    tx: &impl Tables,
    after: Option<&[u8]>,
    limit: usize,
    order: super::page::Order,
    mut keep: impl FnMut(Client) -> Result<Option<T>, StoreError>,
) -> Result<super::page::Page<T>, StoreError> {
    let t = tx.table(&CLIENTS)?;
    super::page::by_id(&t, after, limit, order, |_, v| keep(decode(v)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::codec::encode;

    fn oauth2() -> OAuth2App {
        OAuth2App {
            client_id: "lk_abc".into(),
            secret_digest: Some([7; 32]),
            redirect_uris: vec!["https://app.example/cb".into()],
            grants: vec!["authorization_code".into()],
            token_format: TokenFormat::Opaque,
            signing_alg: "EdDSA".into(),
            access_ttl: Some(60),
            refresh_ttl: None,
            pkce_required: true,
            pkce_plain_allowed: false,
            cors_origins: vec![],
            introspect_any: false,
        }
    }

    #[test]
    fn a_version_1_record_reads_as_an_application_without_a_consumer() {
        let old = ClientV1 {
            id: ClientId(4),
            name: "Old app".into(),
            description: "d".into(),
            homepage: "https://app.example".into(),
            logo_url: String::new(),
            scopes: "openid profile".into(),
            first_party: true,
            enabled: false,
            created_at: 1_700_000_000,
            oauth2: Some(oauth2()),
        };
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_stdvec(&old).unwrap());
        let c: Client = decode(&bytes).unwrap();
        assert_eq!(c.id, ClientId(4));
        assert_eq!(c.name, "Old app");
        assert_eq!(c.scopes.to_string(), "openid profile");
        assert!(c.first_party && !c.enabled);
        assert_eq!(c.created_at, 1_700_000_000);
        assert_eq!(c.oauth2, Some(oauth2()));
        assert_eq!(c.oauth1, None);
        assert_eq!(c.revision, 1);
        // Written back, it is a current-version record that reads the same.
        let again = encode(&c).unwrap();
        assert_eq!(again[0], Client::VERSION);
        assert_eq!(decode::<Client>(&again).unwrap(), c);
        // Garbage under version 1 is an error, not a panic.
        assert!(decode::<Client>(&[1, 0xff]).is_err());
        assert!(decode::<Client>(&[Client::VERSION + 1, 0]).is_err());
    }

    #[test]
    fn a_version_2_client_reads_at_revision_1() {
        let old = ClientV2 {
            id: ClientId(6),
            name: "App".into(),
            description: "d".into(),
            homepage: "https://app.example".into(),
            logo_url: "https://app.example/logo.png".into(),
            scopes: "read".into(),
            first_party: false,
            enabled: true,
            created_at: 1_700_000_000,
            oauth2: Some(oauth2()),
            oauth1: None,
        };
        let mut bytes = vec![2u8];
        bytes.extend(postcard::to_stdvec(&old).unwrap());
        let c: Client = decode(&bytes).unwrap();
        assert_eq!((c.id, c.name.as_str(), c.description.as_str()), (ClientId(6), "App", "d"));
        assert_eq!((c.homepage.as_str(), c.logo_url.as_str()), ("https://app.example", "https://app.example/logo.png"));
        assert_eq!(
            (c.scopes.to_string().as_str(), c.first_party, c.enabled, c.created_at),
            ("read", false, true, 1_700_000_000)
        );
        assert_eq!((c.oauth2, c.oauth1.is_none(), c.revision), (Some(oauth2()), true, 1));
        assert!(decode::<Client>(&[2, 0xff]).is_err());
    }

    #[test]
    fn both_identifiers_are_indexed() {
        let mut c = Client {
            id: ClientId(1),
            name: "n".into(),
            description: String::new(),
            homepage: String::new(),
            logo_url: String::new(),
            scopes: ScopeSet::default(),
            first_party: false,
            enabled: true,
            created_at: 0,
            oauth2: Some(oauth2()),
            oauth1: None,
            revision: 1,
        };
        assert_eq!(keys_of(&c), vec!["lk_abc".to_string()]);
        c.oauth1 = Some(OAuth1App {
            consumer_key: "lkc_x".into(),
            sealed_secret: vec![1, 2],
            callback: "oob".into(),
            legacy_1_0: false,
            signature_methods: vec!["HMAC-SHA1".into()],
            rsa_public_key: None,
            two_legged: false,
            scopes: ScopeSet::parse("read write push").unwrap(),
            token_ttl: None,
        });
        assert_eq!(keys_of(&c), vec!["lk_abc".to_string(), "lkc_x".to_string()]);
        assert_eq!(decode::<Client>(&encode(&c).unwrap()).unwrap(), c);
    }

    /// The stored bytes of an application record and its enum, frozen:
    /// reordering a field or a variant must fail here rather than misread
    /// every existing file.
    #[test]
    fn stored_bytes_are_stable() {
        let c = Client {
            id: ClientId(1),
            name: "n".into(),
            description: "d".into(),
            homepage: "h".into(),
            logo_url: "l".into(),
            scopes: ScopeSet::parse("push").unwrap(),
            first_party: true,
            enabled: false,
            created_at: 5,
            oauth2: Some(OAuth2App {
                client_id: "c".into(),
                secret_digest: Some([7; 32]),
                redirect_uris: vec!["r".into()],
                grants: vec!["g".into()],
                token_format: TokenFormat::Jwt,
                signing_alg: "E".into(),
                access_ttl: Some(60),
                refresh_ttl: None,
                pkce_required: true,
                pkce_plain_allowed: false,
                cors_origins: vec!["o".into()],
                introspect_any: true,
            }),
            oauth1: Some(OAuth1App {
                consumer_key: "k".into(),
                sealed_secret: vec![1, 2],
                callback: "oob".into(),
                legacy_1_0: false,
                signature_methods: vec!["m".into()],
                rsa_public_key: Some("p".into()),
                two_legged: true,
                scopes: ScopeSet::parse("read").unwrap(),
                token_ttl: Some(9),
            }),
            revision: 3,
        };
        let bytes = encode(&c).unwrap();
        assert_eq!(
            bytes,
            [
                3, 1, 1, 110, 1, 100, 1, 104, 1, 108, 4, 112, 117, 115, 104, 1, 0, 10, 1, 1, 99, 1, 7, 7, 7, 7, 7, 7,
                7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 1, 114, 1, 1, 103, 1,
                1, 69, 1, 60, 0, 1, 0, 1, 1, 111, 1, 1, 1, 107, 2, 1, 2, 3, 111, 111, 98, 0, 1, 1, 109, 1, 1, 112, 1,
                4, 114, 101, 97, 100, 1, 9, 3
            ]
        );
        assert_eq!(decode::<Client>(&bytes).unwrap(), c);
        // Bytes whose scopes are not in today's vocabulary ("s", "r") still
        // read, with those scopes dropped.
        let unknown = [
            3, 1, 1, 110, 1, 100, 1, 104, 1, 108, 1, 115, 1, 0, 10, 1, 1, 99, 1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
            7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 1, 114, 1, 1, 103, 1, 1, 69, 1, 60, 0, 1, 0, 1,
            1, 111, 1, 1, 1, 107, 2, 1, 2, 3, 111, 111, 98, 0, 1, 1, 109, 1, 1, 112, 1, 1, 114, 1, 9, 3,
        ];
        let mut dropped = c.clone();
        dropped.scopes = ScopeSet::default();
        dropped.oauth1.as_mut().unwrap().scopes = ScopeSet::default();
        assert_eq!(decode::<Client>(&unknown).unwrap(), dropped);
        assert_eq!(postcard::to_stdvec(&[TokenFormat::Opaque, TokenFormat::Jwt]).unwrap(), [0, 1]);
    }
}
