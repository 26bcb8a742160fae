//! HTTPS out of the box. With no certificate configured, latchkey keeps a
//! small private CA in `DATA_DIR/tls/` (made once, ten years) and issues
//! itself a 90-day server certificate for `localhost`, `127.0.0.1`, `::1`
//! and the host of the public URL, renewed 30 days before it expires, while
//! running too. Trusting `tls/ca.pem` once makes every renewal trusted. A
//! configured PEM certificate and key are used as given and re-read on the
//! same schedule, so an outside renewal needs no restart.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use time::{Duration, OffsetDateTime};

const LEAF_DAYS: i64 = 90;
const RENEW_BEFORE_DAYS: i64 = 30;
const CA_YEARS: i64 = 10;

/// Where the self-signed material lives.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("tls")
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct LeafInfo {
    names: Vec<String>,
    not_after: i64,
}

/// The names the self-signed certificate must cover.
pub fn names(config: &Config) -> Vec<String> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    if let Some(host) = config.public_url.host_str() {
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        if !names.contains(&host) {
            names.push(host);
        }
    }
    names
}

fn write_private(path: &Path, contents: &str) -> Result<()> {
    crate::fsutil::write_private(path, contents.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}

fn ca_params(now: OffsetDateTime) -> Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "latchkey local CA");
    dn.push(DnType::OrganizationName, "latchkey");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    p.not_before = now - Duration::days(1);
    p.not_after = now + Duration::days(365 * CA_YEARS);
    Ok(p)
}

/// Makes (or keeps) the CA and a current server certificate; returns whether
/// a new server certificate was issued.
pub fn ensure_self_signed(config: &Config, now: OffsetDateTime) -> Result<bool> {
    let dir = dir(&config.data_dir);
    crate::app::ensure_private_dir(&dir)?;
    let ca_key_path = dir.join("ca-key.pem");
    let ca_path = dir.join("ca.pem");
    let ca_key = if ca_key_path.is_file() && ca_path.is_file() {
        KeyPair::from_pem(&std::fs::read_to_string(&ca_key_path)?).context("tls/ca-key.pem is damaged")?
    } else {
        let key = KeyPair::generate()?;
        let ca = ca_params(now)?.self_signed(&key)?;
        write_private(&ca_key_path, &key.serialize_pem())?;
        write_private(&ca_path, &ca.pem())?;
        key
    };
    let wanted = names(config);
    let info_path = dir.join("cert.json");
    let info: Option<LeafInfo> = std::fs::read(&info_path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let fresh = info
        .is_some_and(|i| i.names == wanted && i.not_after - now.unix_timestamp() > RENEW_BEFORE_DAYS * 86_400)
        && dir.join("cert.pem").is_file()
        && dir.join("key.pem").is_file();
    if fresh {
        return Ok(false);
    }
    // The issuer is rebuilt from the stored key and the fixed name; only its
    // name and key matter for signing.
    let issuer = Issuer::new(ca_params(now)?, &ca_key);
    let mut p = CertificateParams::new(wanted.clone())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, wanted.last().cloned().unwrap_or_else(|| "localhost".into()));
    p.distinguished_name = dn;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    p.not_before = now - Duration::days(1);
    p.not_after = now + Duration::days(LEAF_DAYS);
    let key = KeyPair::generate()?;
    let not_after = p.not_after.unix_timestamp();
    let cert = p.signed_by(&key, &issuer)?;
    write_private(&dir.join("key.pem"), &key.serialize_pem())?;
    write_private(&dir.join("cert.pem"), &cert.pem())?;
    write_private(&info_path, &serde_json::to_string(&LeafInfo { names: wanted, not_after })?)?;
    Ok(true)
}

fn load(cert: &Path, key: &Path) -> Result<Arc<CertifiedKey>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("cannot read certificate {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert.display()))?;
    if chain.is_empty() {
        bail!("{} holds no certificate", cert.display());
    }
    let key =
        PrivateKeyDer::from_pem_file(key).with_context(|| format!("cannot read private key {}", key.display()))?;
    let signing =
        rustls::crypto::ring::sign::any_supported_type(&key).context("the private key's type is not supported")?;
    Ok(Arc::new(CertifiedKey::new(chain, signing)))
}

/// Hands out the current certificate; swapped in place on renewal.
#[derive(Debug)]
pub struct Certificates {
    current: RwLock<Arc<CertifiedKey>>,
    files: (PathBuf, PathBuf),
    self_signed: bool,
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| c.clone())
    }
}

impl Certificates {
    pub fn open(config: &Config, now: OffsetDateTime) -> Result<Arc<Certificates>> {
        let (files, self_signed) = match (&config.tls_cert, &config.tls_key) {
            (Some(c), Some(k)) => ((c.clone(), k.clone()), false),
            _ => {
                ensure_self_signed(config, now)?;
                let d = dir(&config.data_dir);
                ((d.join("cert.pem"), d.join("key.pem")), true)
            }
        };
        let current = load(&files.0, &files.1)?;
        Ok(Arc::new(Certificates { current: RwLock::new(current), files, self_signed }))
    }

    /// Renews the self-signed certificate when due, or re-reads configured
    /// files; keeps serving the old one if anything fails.
    pub fn refresh(&self, config: &Config, now: OffsetDateTime) -> Result<()> {
        if self.self_signed && !ensure_self_signed(config, now)? {
            return Ok(());
        }
        let fresh = load(&self.files.0, &self.files.1)?;
        if let Ok(mut c) = self.current.write() {
            *c = fresh;
        }
        Ok(())
    }

    pub fn server_config(self: &Arc<Self>) -> Result<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(cfg)
    }
}

/// base64(SHA-256(SubjectPublicKeyInfo)) of the self-signed server key: the
/// pin Chromium's `--ignore-certificate-errors-spki-list` takes, so a browser
/// test trusts exactly this certificate.
pub fn spki_pin(data_dir: &Path) -> Result<String> {
    use base64::Engine;
    use rcgen::PublicKeyData;
    use sha2::Digest;
    let key = KeyPair::from_pem(&std::fs::read_to_string(dir(data_dir).join("key.pem"))?)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(key.subject_public_key_info())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Settings};

    fn config(dir: &Path) -> Config {
        let s = Settings { public_url: Some("https://auth.example.org".into()), ..Default::default() };
        Config::resolve(dir.to_path_buf(), s).unwrap()
    }

    #[test]
    fn made_once_reused_and_renewed_when_due() {
        let d = tempfile::tempdir().unwrap();
        let c = config(d.path());
        let now = OffsetDateTime::now_utc();
        assert!(ensure_self_signed(&c, now).unwrap());
        let first = std::fs::read(dir(d.path()).join("cert.pem")).unwrap();
        let ca = std::fs::read(dir(d.path()).join("ca.pem")).unwrap();
        assert!(!ensure_self_signed(&c, now + Duration::days(30)).unwrap(), "still fresh");
        assert!(ensure_self_signed(&c, now + Duration::days(61)).unwrap(), "renewed before expiry");
        assert_ne!(first, std::fs::read(dir(d.path()).join("cert.pem")).unwrap());
        assert_eq!(ca, std::fs::read(dir(d.path()).join("ca.pem")).unwrap(), "the CA stays");
        let info: LeafInfo = serde_json::from_slice(&std::fs::read(dir(d.path()).join("cert.json")).unwrap()).unwrap();
        assert!(info.names.contains(&"auth.example.org".to_string()));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir(d.path()).join("key.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let certs = Certificates::open(&c, now).unwrap();
        certs.server_config().unwrap();
        assert_eq!(spki_pin(d.path()).unwrap().len(), 44);
    }
}
