//! HTTPS out of the box. With no certificate configured, latchkey keeps a
//! small private CA in `DATA_DIR/tls/` (made once, ten years) and issues
//! itself a 90-day server certificate for `localhost`, `127.0.0.1`, `::1`
//! and the host of the public URL, renewed 30 days before it expires, while
//! running too. Trusting `tls/ca.pem` once makes every renewal trusted. The
//! CA carries critical Name Constraints for exactly those names, so trusting
//! it cannot be abused to vouch for any other site; a CA without them (made
//! by an older latchkey) or one that does not cover a changed public URL is
//! replaced at start. A configured PEM certificate and key are used as given
//! and re-read on the same schedule, so an outside renewal needs no restart.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
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

/// One name the CA may vouch for: a DNS name (and the names under it) or an
/// address range, as the address and mask bytes X.509 stores.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Permitted {
    Dns(String),
    Ip(Vec<u8>),
}

impl Permitted {
    fn ip(addr: std::net::IpAddr, prefix: u32) -> Permitted {
        let mut bytes = match addr {
            std::net::IpAddr::V4(a) => a.octets().to_vec(),
            std::net::IpAddr::V6(a) => a.octets().to_vec(),
        };
        let mask: Vec<u8> = (0..bytes.len() as u32)
            .map(|i| {
                let ones = prefix.saturating_sub(i * 8).min(8);
                if ones == 0 { 0 } else { 0xffu8 << (8 - ones) }
            })
            .collect();
        bytes.extend(mask);
        Permitted::Ip(bytes)
    }

    fn subtree(&self) -> GeneralSubtree {
        match self {
            Permitted::Dns(name) => GeneralSubtree::DnsName(name.clone()),
            Permitted::Ip(b) => {
                let half = b.len() / 2;
                match (<[u8; 4]>::try_from(&b[..half]), <[u8; 4]>::try_from(&b[half..])) {
                    (Ok(addr), Ok(mask)) => GeneralSubtree::IpAddress(CidrSubnet::V4(addr, mask)),
                    _ => {
                        let mut addr = [0u8; 16];
                        let mut mask = [0u8; 16];
                        addr.copy_from_slice(&b[..16]);
                        mask.copy_from_slice(&b[16..32]);
                        GeneralSubtree::IpAddress(CidrSubnet::V6(addr, mask))
                    }
                }
            }
        }
    }
}

/// What the CA's Name Constraints permit: `localhost`, the loopback ranges
/// 127.0.0.0/8 and ::1/128, and the public URL's host (a DNS name, or one
/// address as a /32 or /128).
fn permitted(config: &Config) -> Vec<Permitted> {
    let mut out = vec![
        Permitted::Dns("localhost".into()),
        Permitted::ip(std::net::Ipv4Addr::new(127, 0, 0, 0).into(), 8),
        Permitted::ip(std::net::Ipv6Addr::LOCALHOST.into(), 128),
    ];
    for name in names(config) {
        let p = match name.parse::<std::net::IpAddr>() {
            Ok(addr) if addr.is_loopback() => continue,
            Ok(addr) => Permitted::ip(addr, if addr.is_ipv4() { 32 } else { 128 }),
            Err(_) => Permitted::Dns(name.to_ascii_lowercase()),
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Whether the CA certificate in `pem` has critical Name Constraints that
/// permit every name in `wanted` and exclude nothing.
fn ca_covers(pem: &[u8], wanted: &[Permitted]) -> bool {
    use x509_parser::extensions::GeneralName;
    let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(pem) else {
        return false;
    };
    let Ok(cert) = pem.parse_x509() else {
        return false;
    };
    let Ok(Some(nc)) = cert.name_constraints() else {
        return false;
    };
    if !nc.critical || nc.value.excluded_subtrees.as_ref().is_some_and(|e| !e.is_empty()) {
        return false;
    }
    let have: Vec<Permitted> = nc
        .value
        .permitted_subtrees
        .iter()
        .flatten()
        .filter_map(|s| match s.base {
            GeneralName::DNSName(n) => Some(Permitted::Dns(n.to_ascii_lowercase())),
            GeneralName::IPAddress(b) => Some(Permitted::Ip(b.to_vec())),
            _ => None,
        })
        .collect();
    wanted.iter().all(|w| have.contains(w))
}

fn ca_params(config: &Config, now: OffsetDateTime) -> Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "latchkey local CA");
    dn.push(DnType::OrganizationName, "latchkey");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    // rcgen marks the extension critical, as RFC 5280 section 4.2.1.10 asks.
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted(config).iter().map(Permitted::subtree).collect(),
        excluded_subtrees: vec![],
    });
    p.not_before = now - Duration::days(1);
    p.not_after = now + Duration::days(365 * CA_YEARS);
    Ok(p)
}

/// Makes (or keeps) the CA and a current server certificate; returns whether
/// a new server certificate was issued. A CA that does not constrain itself
/// to the names latchkey serves is replaced, and the server certificate with it.
pub fn ensure_self_signed(config: &Config, now: OffsetDateTime) -> Result<bool> {
    let dir = dir(&config.data_dir);
    crate::app::ensure_private_dir(&dir)?;
    let ca_key_path = dir.join("ca-key.pem");
    let ca_path = dir.join("ca.pem");
    let existing = if ca_key_path.is_file() && ca_path.is_file() {
        if ca_covers(&std::fs::read(&ca_path)?, &permitted(config)) {
            Some(KeyPair::from_pem(&std::fs::read_to_string(&ca_key_path)?).context("tls/ca-key.pem is damaged")?)
        } else {
            tracing::warn!(
                ca = %ca_path.display(),
                "the private CA is not limited to the names latchkey serves (made by an older latchkey, or the \
                 public URL changed): replacing it with a new, name-constrained CA; trust the new ca.pem again \
                 and remove the old one from your trust store"
            );
            None
        }
    } else {
        None
    };
    let new_ca = existing.is_none();
    let ca_key = match existing {
        Some(key) => key,
        None => {
            let key = KeyPair::generate()?;
            let ca = ca_params(config, now)?.self_signed(&key)?;
            write_private(&ca_key_path, &key.serialize_pem())?;
            write_private(&ca_path, &ca.pem())?;
            key
        }
    };
    let wanted = names(config);
    let info_path = dir.join("cert.json");
    let info: Option<LeafInfo> = std::fs::read(&info_path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let fresh = !new_ca
        && info.is_some_and(|i| i.names == wanted && i.not_after - now.unix_timestamp() > RENEW_BEFORE_DAYS * 86_400)
        && dir.join("cert.pem").is_file()
        && dir.join("key.pem").is_file();
    if fresh {
        return Ok(false);
    }
    // The issuer is rebuilt from the stored key and the fixed name; only its
    // name and key matter for signing.
    let issuer = Issuer::new(ca_params(config, now)?, &ca_key);
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

    fn config_for(dir: &Path, public_url: &str) -> Config {
        let s = Settings { public_url: Some(public_url.into()), ..Default::default() };
        Config::resolve(dir.to_path_buf(), s).unwrap()
    }

    /// The CA's Name Constraints as (critical, DNS names, address/mask pairs).
    fn constraints(data_dir: &Path) -> (bool, Vec<String>, Vec<Vec<u8>>) {
        use x509_parser::extensions::GeneralName;
        let pem = std::fs::read(dir(data_dir).join("ca.pem")).unwrap();
        let (_, pem) = x509_parser::pem::parse_x509_pem(&pem).unwrap();
        let cert = pem.parse_x509().unwrap();
        let nc = cert.name_constraints().unwrap().expect("the CA has Name Constraints");
        assert!(nc.value.excluded_subtrees.is_none());
        let (mut dns, mut ips) = (vec![], vec![]);
        for s in nc.value.permitted_subtrees.as_ref().unwrap() {
            match s.base {
                GeneralName::DNSName(n) => dns.push(n.to_string()),
                GeneralName::IPAddress(b) => ips.push(b.to_vec()),
                ref other => panic!("unexpected subtree {other:?}"),
            }
        }
        (nc.critical, dns, ips)
    }

    /// Whether a rustls client trusting only the CA accepts the server
    /// certificate for `name` (webpki applies the Name Constraints).
    fn accepted(data_dir: &Path, name: &str) -> bool {
        use rustls::client::danger::ServerCertVerifier;
        let d = dir(data_dir);
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_file(d.join("ca.pem")).unwrap()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build().unwrap();
        let leaf = CertificateDer::from_pem_file(d.join("cert.pem")).unwrap();
        let name = rustls_pki_types::ServerName::try_from(name.to_string()).unwrap();
        verifier.verify_server_cert(&leaf, &[], &name, &[], rustls_pki_types::UnixTime::now()).is_ok()
    }

    #[test]
    fn the_ca_may_vouch_only_for_the_names_it_issues_for() {
        let d = tempfile::tempdir().unwrap();
        ensure_self_signed(&config(d.path()), OffsetDateTime::now_utc()).unwrap();
        let (critical, dns, ips) = constraints(d.path());
        assert!(critical, "RFC 5280 4.2.1.10: the extension is critical");
        assert_eq!(dns, ["localhost", "auth.example.org"]);
        let mut loopback6 = std::net::Ipv6Addr::LOCALHOST.octets().to_vec();
        loopback6.extend([0xff; 16]);
        assert_eq!(ips, [vec![127, 0, 0, 0, 255, 0, 0, 0], loopback6]);
        for name in ["localhost", "127.0.0.1", "::1", "auth.example.org"] {
            assert!(accepted(d.path(), name), "{name}");
        }
        // Whoever holds the CA key cannot make it vouch for another site.
        let tls = dir(d.path());
        let ca_key = KeyPair::from_pem(&std::fs::read_to_string(tls.join("ca-key.pem")).unwrap()).unwrap();
        let issuer = Issuer::new(ca_params(&config(d.path()), OffsetDateTime::now_utc()).unwrap(), &ca_key);
        let mut rogue = CertificateParams::new(vec!["bank.example.com".to_string()]).unwrap();
        rogue.use_authority_key_identifier_extension = true;
        let rogue = rogue.signed_by(&KeyPair::generate().unwrap(), &issuer).unwrap();
        std::fs::write(tls.join("cert.pem"), rogue.pem()).unwrap();
        assert!(!accepted(d.path(), "bank.example.com"), "outside the Name Constraints");

        // A public URL on an address: that one address, as a /32.
        let d = tempfile::tempdir().unwrap();
        ensure_self_signed(&config_for(d.path(), "https://192.0.2.7:8443"), OffsetDateTime::now_utc()).unwrap();
        let (_, dns, ips) = constraints(d.path());
        assert_eq!(dns, ["localhost"]);
        assert!(ips.contains(&vec![192, 0, 2, 7, 255, 255, 255, 255]), "{ips:?}");
        assert!(accepted(d.path(), "192.0.2.7"));
    }

    #[test]
    fn an_unconstrained_or_outgrown_ca_is_replaced_with_its_server_certificate() {
        let d = tempfile::tempdir().unwrap();
        let c = config(d.path());
        let now = OffsetDateTime::now_utc();
        ensure_self_signed(&c, now).unwrap();
        // The CA an older latchkey made: no Name Constraints, and a server
        // certificate from it that is still fresh.
        let tls = dir(d.path());
        let old_key = KeyPair::generate().unwrap();
        let mut old = ca_params(&c, now).unwrap();
        old.name_constraints = None;
        let old_ca = old.self_signed(&old_key).unwrap();
        std::fs::write(tls.join("ca.pem"), old_ca.pem()).unwrap();
        std::fs::write(tls.join("ca-key.pem"), old_key.serialize_pem()).unwrap();
        assert!(ensure_self_signed(&c, now).unwrap(), "a new server certificate from the new CA");
        let ca = std::fs::read_to_string(tls.join("ca.pem")).unwrap();
        assert_ne!(ca, old_ca.pem());
        assert!(constraints(d.path()).0);
        assert!(accepted(d.path(), "auth.example.org"), "the new server certificate chains to the new CA");
        assert!(!ensure_self_signed(&c, now).unwrap(), "and both are kept from then on");
        assert_eq!(ca, std::fs::read_to_string(tls.join("ca.pem")).unwrap());

        // The public URL moves to a host the CA does not cover: a new CA.
        let moved = config_for(d.path(), "https://login.example.net");
        assert!(ensure_self_signed(&moved, now).unwrap());
        assert_ne!(ca, std::fs::read_to_string(tls.join("ca.pem")).unwrap());
        assert_eq!(constraints(d.path()).1, ["localhost", "login.example.net"]);
        assert!(accepted(d.path(), "login.example.net"));
        assert!(!accepted(d.path(), "auth.example.org"));
    }
}
