//! APNs with a certificate: the application's "Apple Push Notification
//! service SSL" client certificate (PEM, possibly with its chain) and its
//! private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC), presented in the TLS
//! handshake instead of a provider JWT.
//!
//! This file reads and checks what the admin pastes: the key must be the
//! certificate's (rustls compares the key's public half with the
//! certificate's, as it would before presenting them), the certificate
//! must be valid now by the server's clock and usable for client
//! authentication. The result is an [`Identity`], ready for a TLS client
//! configuration, with what the admin page shows (subject CN, expiry) and
//! a fingerprint that names the identity's own TLS connections.
//!
//! Pure rules (no store, no network), so it sits with the vocabulary at
//! the bottom of the layers, where the registry's refusals can name
//! [`CertError`].

use crate::clock::{Timestamp, human};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

/// The most PEM text taken per field (a certificate and two
/// intermediates are about 6 KB).
pub const MAX_PEM: usize = 64 * 1024;
/// The most certificates in a chain.
pub const MAX_CHAIN: usize = 8;

/// What the admin enters: the certificate (with its chain, if any), the
/// key, and the topic. The key may instead be in the certificate's text,
/// as `openssl pkcs12 -nodes` writes both into one file.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    pub certificate: String,
    pub key: String,
    pub topic: String,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate").field("topic", &self.topic).finish_non_exhaustive()
    }
}

/// Why a certificate and key were refused. The English is what the
/// command line and logs say; the admin pages use the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("no certificate: paste the certificate as PEM (-----BEGIN CERTIFICATE-----)")]
    NoCertificate,
    #[error("the certificate cannot be read: {0}")]
    Unreadable(String),
    #[error("no private key: paste the certificate's private key as PEM")]
    NoKey,
    #[error("the private key is encrypted; export it without a password (openssl pkcs12 -nodes)")]
    EncryptedKey,
    #[error("the private key is not one TLS can use (RSA of 2048 bits or more, EC P-256 or P-384, Ed25519)")]
    UnsupportedKey,
    #[error("the private key does not belong to the certificate")]
    KeyMismatch,
    #[error("the certificate is not for client authentication (it is not an APNs certificate)")]
    NotClientCertificate,
    #[error("the certificate is not valid before {}", human(*.0))]
    NotYetValid(Timestamp),
    #[error("the certificate expired on {}", human(*.0))]
    Expired(Timestamp),
    #[error("topic must be the app's bundle id")]
    Topic,
}

/// The SHA-256 of the chain as presented: names an identity's connections.
pub type Fingerprint = [u8; 32];

/// A checked certificate and key, ready for TLS.
#[derive(Clone)]
pub struct Identity {
    pub certified: Arc<CertifiedKey>,
    pub fingerprint: Fingerprint,
    /// The certificate's subject CN (Apple's: "Apple Push Services: <bundle id>").
    pub subject: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    pub topic: String,
    /// The chain as PEM, the client certificate first: what is stored.
    pub chain_pem: String,
    /// The key as PEM, in its own format: what is stored sealed.
    pub key_pem: String,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("subject", &self.subject)
            .field("not_after", &self.not_after)
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl Certificate {
    /// Reads and checks what the admin entered, at `now`: the key is the
    /// certificate's, the certificate is for client authentication and
    /// valid now, the topic looks like a bundle id.
    pub fn check(&self, now: Timestamp) -> Result<Identity, CertError> {
        let key = if self.key.trim().is_empty() { &self.certificate } else { &self.key };
        let id = Identity::read(&self.certificate, key, &self.topic)?;
        if now < id.not_before {
            return Err(CertError::NotYetValid(id.not_before));
        }
        if now > id.not_after {
            return Err(CertError::Expired(id.not_after));
        }
        Ok(id)
    }
}

impl Identity {
    /// Reads a chain and key (as stored, or as entered): no check of time,
    /// which the caller makes against its clock.
    pub fn read(chain: &str, key: &str, topic: &str) -> Result<Identity, CertError> {
        let topic = topic.trim();
        if topic.is_empty() || topic.len() > 255 || topic.contains(char::is_whitespace) {
            return Err(CertError::Topic);
        }
        if chain.len() > MAX_PEM || key.len() > MAX_PEM {
            return Err(CertError::Unreadable(format!("more than {} KiB of text", MAX_PEM / 1024)));
        }
        let certs = certificates(chain)?;
        let key = private_key(key)?;
        let key_pem = pem_text(key_label(&key), key.secret_der());
        let signing = rustls::crypto::ring::default_provider()
            .key_provider
            .load_private_key(key)
            .map_err(|_| CertError::UnsupportedKey)?;
        // The client certificate is the one the key belongs to, wherever
        // it is in the text; the others follow in their order.
        let leaf = (0..certs.len())
            .find(|&i| CertifiedKey::new(vec![certs[i].clone()], signing.clone()).keys_match().is_ok())
            .ok_or(CertError::KeyMismatch)?;
        let mut chain: Vec<CertificateDer<'static>> = vec![certs[leaf].clone()];
        chain.extend(certs.iter().enumerate().filter(|(i, _)| *i != leaf).map(|(_, c)| c.clone()));
        let (subject, not_before, not_after) = describe(&chain[0])?;
        let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
        for c in &chain {
            digest.update(&(c.len() as u64).to_be_bytes());
            digest.update(c);
        }
        let mut fingerprint = [0u8; 32];
        fingerprint.copy_from_slice(digest.finish().as_ref());
        let chain_pem = chain.iter().map(|c| pem_text("CERTIFICATE", c)).collect::<String>();
        Ok(Identity {
            certified: Arc::new(CertifiedKey::new(chain, signing)),
            fingerprint,
            subject,
            not_before,
            not_after,
            topic: topic.to_string(),
            chain_pem,
            key_pem,
        })
    }
}

/// Every certificate in `text` (other text, such as openssl's "Bag
/// Attributes", is skipped).
fn certificates(text: &str) -> Result<Vec<CertificateDer<'static>>, CertError> {
    let mut out = vec![];
    for c in CertificateDer::pem_slice_iter(text.as_bytes()) {
        out.push(c.map_err(|e| CertError::Unreadable(e.to_string()))?);
        if out.len() > MAX_CHAIN {
            return Err(CertError::Unreadable(format!("more than {MAX_CHAIN} certificates")));
        }
    }
    if out.is_empty() {
        return Err(CertError::NoCertificate);
    }
    Ok(out)
}

/// The first private key in `text`: PKCS#8, PKCS#1 (RSA) or SEC1 (EC).
fn private_key(text: &str) -> Result<PrivateKeyDer<'static>, CertError> {
    match PrivateKeyDer::from_pem_slice(text.as_bytes()) {
        Ok(k) => Ok(k),
        // PKCS#8 encrypted, or the old OpenSSL "Proc-Type: 4,ENCRYPTED".
        Err(pem::Error::NoItemsFound) if text.contains("ENCRYPTED PRIVATE KEY") || text.contains(",ENCRYPTED") => {
            Err(CertError::EncryptedKey)
        }
        Err(pem::Error::NoItemsFound) => Err(CertError::NoKey),
        Err(e) => Err(CertError::Unreadable(e.to_string())),
    }
}

fn key_label(k: &PrivateKeyDer<'_>) -> &'static str {
    match k {
        PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
        PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
        _ => "PRIVATE KEY",
    }
}

/// PEM text of `der`, 64 characters a line.
fn pem_text(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The client certificate's subject CN (its whole subject when it has no
/// CN) and validity; refused when its extended key usage leaves out
/// client authentication.
fn describe(der: &CertificateDer<'_>) -> Result<(String, Timestamp, Timestamp), CertError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| CertError::Unreadable(e.to_string()))?;
    if let Ok(Some(eku)) = cert.extended_key_usage() {
        if !eku.value.client_auth && !eku.value.any {
            return Err(CertError::NotClientCertificate);
        }
    }
    let subject = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| cert.subject().to_string());
    let v = cert.validity();
    Ok((subject, v.not_before.timestamp(), v.not_after.timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = 1_782_900_000; // 2026-07-01 10:00 UTC
    const DAY: i64 = 86_400;
    const RSA: &str = include_str!("../../tests/fixtures/fcm/key.pem");

    fn ca() -> rcgen::Issuer<'static, rcgen::KeyPair> {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.distinguished_name.push(rcgen::DnType::CommonName, "Test WWDR CA");
        rcgen::Issuer::new(p, key)
    }

    fn at(ts: Timestamp) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp(ts).unwrap()
    }

    /// A client certificate for `key`, as Apple makes them: CN "Apple Push
    /// Services: <bundle id>", client authentication, a year long.
    fn client(key: &rcgen::KeyPair, issuer: &rcgen::Issuer<'_, rcgen::KeyPair>, from: Timestamp) -> String {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, "Apple Push Services: org.example.app");
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        p.not_before = at(from);
        p.not_after = at(from + 365 * DAY);
        p.signed_by(key, issuer).unwrap().pem()
    }

    fn input(certificate: &str, key: &str) -> Certificate {
        Certificate { certificate: certificate.into(), key: key.into(), topic: "org.example.app".into() }
    }

    #[test]
    fn an_rsa_certificate_with_its_chain_is_read_in_every_key_format() {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        let issuer = ca();
        let key = rcgen::KeyPair::from_pem(RSA).unwrap();
        let leaf = client(&key, &issuer, NOW - DAY);
        // The chain as openssl writes it, with the CA in front and bag
        // attributes around: the client certificate is still found.
        let ca_pem = rcgen::CertificateParams::new(Vec::<String>::new())
            .unwrap()
            .self_signed(&rcgen::KeyPair::generate().unwrap())
            .unwrap()
            .pem();
        let chain = format!("Bag Attributes\n    friendlyName: CA\n{ca_pem}Bag Attributes\n    localKeyID: 01\n{leaf}");
        let pkcs1 = rsa::RsaPrivateKey::from_pkcs8_pem(RSA).unwrap().to_pkcs1_pem(Default::default()).unwrap();
        for k in [RSA.to_string(), pkcs1.to_string()] {
            let id = input(&chain, &k).check(NOW).unwrap();
            assert_eq!(id.subject, "Apple Push Services: org.example.app");
            assert_eq!((id.not_before, id.not_after), (NOW - DAY, NOW + 364 * DAY));
            assert_eq!(id.certified.cert.len(), 2);
            assert!(id.chain_pem.starts_with(&leaf), "the client certificate first: {}", id.chain_pem);
            assert_eq!(id.certified.keys_match(), Ok(()));
            assert_eq!(Identity::read(&id.chain_pem, &id.key_pem, &id.topic).unwrap().fingerprint, id.fingerprint);
        }
        assert!(Identity::read(&chain, &pkcs1, "t").unwrap().key_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        // Both in one text, as `openssl pkcs12 -nodes` writes them.
        let both = input(&format!("{leaf}{RSA}"), " ").check(NOW).unwrap();
        assert_eq!(both.certified.cert.len(), 1);
        // Another chain is another identity.
        assert_ne!(both.fingerprint, input(&chain, RSA).check(NOW).unwrap().fingerprint);
    }

    #[test]
    fn ec_keys_in_pkcs8_and_sec1() {
        use p256::pkcs8::DecodePrivateKey;
        let issuer = ca();
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let leaf = client(&key, &issuer, NOW - DAY);
        let sec1 =
            p256::SecretKey::from_pkcs8_pem(&key.serialize_pem()).unwrap().to_sec1_pem(Default::default()).unwrap();
        assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"));
        for k in [key.serialize_pem(), sec1.to_string()] {
            assert_eq!(input(&leaf, &k).check(NOW).unwrap().subject, "Apple Push Services: org.example.app");
        }
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        let issuer = ca();
        let key = rcgen::KeyPair::from_pem(RSA).unwrap();
        let leaf = client(&key, &issuer, NOW - DAY);
        let other = rcgen::KeyPair::generate().unwrap().serialize_pem();
        assert_eq!(input(&leaf, &other).check(NOW).unwrap_err(), CertError::KeyMismatch);
        assert_eq!(input("hello", RSA).check(NOW).unwrap_err(), CertError::NoCertificate);
        assert_eq!(input(RSA, RSA).check(NOW).unwrap_err(), CertError::NoCertificate, "a key is not a certificate");
        assert_eq!(input(&leaf, "").check(NOW).unwrap_err(), CertError::NoKey);
        assert_eq!(input(&leaf, &leaf).check(NOW).unwrap_err(), CertError::NoKey);
        let bad = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
        assert!(matches!(input(bad, RSA).check(NOW), Err(CertError::Unreadable(_))));
        let junk = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(input(junk, RSA).check(NOW), Err(CertError::KeyMismatch | CertError::Unreadable(_))));
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(input(&leaf, encrypted).check(NOW).unwrap_err(), CertError::EncryptedKey);
        let unusable = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert_eq!(input(&leaf, unusable).check(NOW).unwrap_err(), CertError::UnsupportedKey);
        assert_eq!(Certificate { topic: "a b".into(), ..input(&leaf, RSA) }.check(NOW).unwrap_err(), CertError::Topic);
        assert!(matches!(input(&"x".repeat(MAX_PEM + 1), RSA).check(NOW), Err(CertError::Unreadable(_))));

        // Valid from a day ago for a year: checked against the clock given.
        assert_eq!(input(&leaf, RSA).check(NOW - 2 * DAY).unwrap_err(), CertError::NotYetValid(NOW - DAY));
        let e = input(&leaf, RSA).check(NOW + 365 * DAY).unwrap_err();
        assert_eq!(e, CertError::Expired(NOW + 364 * DAY));
        assert_eq!(e.to_string(), "the certificate expired on 2027-06-30 10:00 UTC");

        // A server certificate is not an APNs certificate.
        let mut p = rcgen::CertificateParams::new(vec!["example.org".to_string()]).unwrap();
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        p.not_before = at(NOW - DAY);
        p.not_after = at(NOW + DAY);
        let server = p.signed_by(&key, &issuer).unwrap().pem();
        assert_eq!(input(&server, RSA).check(NOW).unwrap_err(), CertError::NotClientCertificate);
    }

    #[test]
    fn the_key_is_never_in_debug_output() {
        let issuer = ca();
        let key = rcgen::KeyPair::from_pem(RSA).unwrap();
        let i = input(&client(&key, &issuer, NOW - DAY), RSA);
        assert!(!format!("{i:?}").contains("PRIVATE"));
        assert!(!format!("{:?}", i.check(NOW).unwrap()).contains("PRIVATE"));
    }
}
