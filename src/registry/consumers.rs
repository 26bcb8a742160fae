//! The OAuth 1.0a side of a registration: what an admin fills in for a
//! consumer, its validation into the stored `OAuth1App`, the consumer key
//! and sealed secret, and how the command line and the pages show it.
//! `clients` registers and rotates; this file knows the consumer's rules.

use super::error::{ClientError, Problem};
use crate::auth::sealing::{SealError, Sealer, context};
use crate::auth::secrets;
use crate::oauth1::signature::{self, SignatureMethod};
use crate::scopes::ScopeSet;
use crate::store::clients::OAuth1App;
use crate::uri::{callback, redirect};
use serde::{Deserialize, Serialize};

/// The scopes a consumer gets when none are named.
pub const DEFAULT_SCOPES: &str = "read write push";

/// What an admin fills in to register an OAuth 1.0a consumer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct NewConsumer {
    /// A callback URL or `oob` (the default).
    #[serde(default)]
    pub callback: Option<String>,
    /// Empty: HMAC-SHA1 (and RSA-SHA1 when a public key is given).
    #[serde(default)]
    pub signature_methods: Vec<String>,
    /// PEM text of the consumer's RSA public key, for RSA-SHA1.
    #[serde(default)]
    pub rsa_public_key: Option<String>,
    #[serde(default)]
    pub two_legged: bool,
    /// The original OAuth 1.0 flow, without `oauth_verifier`.
    #[serde(default)]
    pub legacy_1_0: bool,
    /// Access-token lifetime in seconds; none: valid until revoked.
    #[serde(default)]
    pub token_ttl: Option<u64>,
}

/// A consumer as the command line and the admin pages show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConsumerView {
    pub consumer_key: String,
    pub callback: String,
    /// `1.0a`, or `1.0` for a legacy consumer.
    pub revision: String,
    pub signature_methods: Vec<String>,
    pub rsa_public_key: bool,
    pub two_legged: bool,
    pub scopes: String,
    pub token_ttl: Option<u64>,
}

impl From<&OAuth1App> for ConsumerView {
    fn from(o: &OAuth1App) -> Self {
        ConsumerView {
            consumer_key: o.consumer_key.clone(),
            callback: o.callback.clone(),
            revision: if o.legacy_1_0 { "1.0" } else { "1.0a" }.into(),
            signature_methods: o.signature_methods.clone(),
            rsa_public_key: o.rsa_public_key.is_some(),
            two_legged: o.two_legged,
            scopes: o.scopes.to_string(),
            token_ttl: o.token_ttl,
        }
    }
}

fn invalid(field: &'static str, problem: Problem) -> ClientError {
    ClientError::Invalid { field, problem }
}

/// Validates `new` (with the registration's `scopes`, empty for the
/// default) into a consumer without key or secret.
pub fn settings(new: &NewConsumer, scopes: &[String]) -> Result<OAuth1App, ClientError> {
    let callback = new.callback.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or(callback::OOB);
    // `callback::validate_registered`, keeping the redirect rule's reason.
    if callback != callback::OOB {
        redirect::validate_registered(callback)
            .map_err(|e| invalid("callback", Problem::Uri(callback.to_string(), e)))?;
    }
    let pem = new.rsa_public_key.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if let Some(pem) = pem {
        signature::validate_rsa_public_key_pem(pem).map_err(|e| invalid("rsa_public_key", Problem::RsaKey(e)))?;
    }
    let mut methods: Vec<SignatureMethod> = if new.signature_methods.is_empty() {
        let mut m = vec![SignatureMethod::HmacSha1];
        m.extend(pem.map(|_| SignatureMethod::RsaSha1));
        m
    } else {
        new.signature_methods
            .iter()
            .map(|m| {
                m.trim().parse().map_err(|e: signature::UnknownSignatureMethod| {
                    invalid("signature_methods", Problem::SignatureMethod(e))
                })
            })
            .collect::<Result<_, _>>()?
    };
    methods.sort_by_key(|m| SignatureMethod::ALL.iter().position(|a| a == m));
    methods.dedup();
    match (methods.contains(&SignatureMethod::RsaSha1), pem.is_some()) {
        (true, false) => return Err(invalid("rsa_public_key", Problem::RsaKeyNeeded)),
        (false, true) => {
            return Err(invalid("signature_methods", Problem::RsaKeyUnused));
        }
        _ => {}
    }
    let scope_text = if scopes.is_empty() { DEFAULT_SCOPES.to_string() } else { scopes.join(" ") };
    let scopes = ScopeSet::parse(&scope_text).map_err(|e| invalid("scopes", Problem::Scope(e)))?;
    if scopes.is_empty() {
        return Err(invalid("scopes", Problem::NoScope));
    }
    if new.token_ttl.is_some_and(|t| t == 0 || t > 10 * 365 * 86_400) {
        return Err(invalid("token_ttl", Problem::ConsumerLifetime));
    }
    Ok(OAuth1App {
        consumer_key: String::new(),
        sealed_secret: vec![],
        callback: callback.to_string(),
        legacy_1_0: new.legacy_1_0,
        signature_methods: methods.iter().map(|m| m.as_str().to_string()).collect(),
        rsa_public_key: pem.map(str::to_string),
        two_legged: new.two_legged,
        scopes,
        token_ttl: new.token_ttl,
    })
}

/// A consumer key: 128 random bits, URL-safe, told apart from client ids.
pub fn new_consumer_key() -> String {
    format!("lkc_{}", &secrets::token()[..22])
}

/// A fresh consumer secret and its sealed form for `consumer_key`.
pub fn new_secret(sealer: &Sealer, consumer_key: &str) -> Result<(String, Vec<u8>), SealError> {
    let secret = secrets::token();
    let sealed = sealer.seal(&context::consumer_secret(consumer_key), &secret)?;
    Ok((secret, sealed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<OAuth1App, ClientError>) -> &'static str {
        match r {
            Err(ClientError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_are_oob_hmac_sha1_and_read_write_push() {
        let o = settings(&NewConsumer::default(), &[]).unwrap();
        assert_eq!(o.callback, "oob");
        assert_eq!(o.signature_methods, vec!["HMAC-SHA1"]);
        assert_eq!(o.scopes.to_string(), "push read write");
        assert!(!o.legacy_1_0 && !o.two_legged && o.rsa_public_key.is_none() && o.token_ttl.is_none());
        let v = ConsumerView::from(&o);
        assert_eq!(v.revision, "1.0a");
    }

    #[test]
    fn methods_keys_callbacks_and_scopes_are_checked() {
        use rsa::pkcs8::{EncodePublicKey, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let pem = key.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
        let with_key = NewConsumer { rsa_public_key: Some(pem.clone()), ..Default::default() };
        assert_eq!(settings(&with_key, &[]).unwrap().signature_methods, vec!["HMAC-SHA1", "RSA-SHA1"]);
        let all = NewConsumer {
            signature_methods: vec!["PLAINTEXT".into(), "RSA-SHA1".into(), "HMAC-SHA256".into(), "HMAC-SHA1".into()],
            rsa_public_key: Some(pem),
            callback: Some("https://printer.example.com/ready".into()),
            ..Default::default()
        };
        let o = settings(&all, &["read".into()]).unwrap();
        assert_eq!(o.signature_methods, vec!["HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "PLAINTEXT"]);
        assert_eq!(o.scopes.to_string(), "read");

        let bad = |n: NewConsumer| field(settings(&n, &[]));
        assert_eq!(
            bad(NewConsumer { signature_methods: vec!["RSA-SHA1".into()], ..Default::default() }),
            "rsa_public_key"
        );
        assert_eq!(
            bad(NewConsumer { signature_methods: vec!["MD5".into()], ..Default::default() }),
            "signature_methods"
        );
        assert_eq!(bad(NewConsumer { rsa_public_key: Some("nope".into()), ..Default::default() }), "rsa_public_key");
        assert_eq!(
            bad(NewConsumer { callback: Some("http://evil.example/cb".into()), ..Default::default() }),
            "callback"
        );
        assert_eq!(bad(NewConsumer { token_ttl: Some(0), ..Default::default() }), "token_ttl");
        assert_eq!(field(settings(&NewConsumer::default(), &["nonsense".into()])), "scopes");
    }

    #[test]
    fn keys_and_sealed_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let sealer = Sealer::in_data_dir(dir.path());
        let key = new_consumer_key();
        assert!(key.starts_with("lkc_") && key.len() == 26);
        let (secret, sealed) = new_secret(&sealer, &key).unwrap();
        assert_eq!(sealer.open(&context::consumer_secret(&key), &sealed).unwrap(), secret);
        assert!(sealer.open(&context::consumer_secret("lkc_other"), &sealed).is_err());
    }
}
