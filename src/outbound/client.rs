//! The HTTP client for calls to push services: rustls with ring (no
//! OpenSSL), the system's roots plus `outbound_ca_file`, a timeout, and
//! the resolver of `target`, so that every connection goes to an address
//! that passed the outbound rule.

use super::target::CheckedResolver;
use crate::config::Config;
use std::sync::Arc;
use std::time::Duration;

/// How long one call to a push service may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// The trusted roots: the system's, and the configured extra bundle.
/// The system's roots plus those of `outbound_ca_file`: what every
/// outbound TLS connection trusts (reqwest's here, APNs' HTTP/2 in push).
pub fn roots(ca_file: Option<&std::path::Path>) -> Result<rustls::RootCertStore, String> {
    let mut store = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system certificate rustls cannot use is skipped, as browsers do.
        let _ = store.add(cert);
    }
    if let Some(path) = ca_file {
        use rustls_pki_types::pem::PemObject;
        let bad = |e: &dyn std::fmt::Display| format!("outbound_ca_file {}: {e}", path.display());
        for cert in rustls_pki_types::CertificateDer::pem_file_iter(path).map_err(|e| bad(&e))? {
            store.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
        }
    }
    Ok(store)
}

/// The client, built once when the worker starts.
pub fn build(config: &Config) -> Result<reqwest::Client, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots(config.outbound_ca_file.as_deref())?)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .dns_resolver(Arc::new(CheckedResolver { allow_private: config.outbound_allow_private }))
        .https_only(!config.outbound_allow_private)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("latchkey/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| super::error_chain(&e))
}
