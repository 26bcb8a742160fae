//! `latchkey healthcheck`: one `GET /healthz` to this machine's own HTTPS
//! listener, for a container's health check (the runtime image has no curl
//! and no shell). Exit 0 when it answers 200, 1 otherwise, 2 when the
//! configuration is bad. It opens no database, so it runs beside the server.

use super::{Cli, load_config};
use crate::config::Settings;
use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Default, clap::Args)]
pub struct HealthcheckArgs {
    /// The HTTPS listener to ask (config `https`), as given to `serve`.
    #[arg(long, value_name = "ADDR")]
    pub https: Option<String>,
}

pub fn run(cli: &Cli, args: &HealthcheckArgs) -> ExitCode {
    let config = match load_config(cli, Settings { https: args.https.clone(), ..Default::default() }) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("latchkey: {e}");
            return ExitCode::from(2);
        }
    };
    let addr = local(config.https);
    match probe(addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("latchkey: unhealthy: {e}");
            ExitCode::from(1)
        }
    }
}

/// The listener's address as this machine reaches it: loopback when it
/// listens on every address.
fn local(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(a) if a.is_unspecified() => SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port()),
        IpAddr::V6(a) if a.is_unspecified() => SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port()),
        _ => addr,
    }
}

fn probe(addr: SocketAddr) -> Result<(), String> {
    let tcp = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let timeouts = tcp.set_read_timeout(Some(TIMEOUT)).and_then(|()| tcp.set_write_timeout(Some(TIMEOUT)));
    timeouts.map_err(|e| e.to_string())?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(OwnListener(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let failed = |e: std::io::Error| format!("GET https://{addr}/healthz failed: {e}");
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").map_err(failed)?;
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 4096 {
        let n = tls.read(&mut buf).map_err(failed)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let status = text.lines().next().unwrap_or_default();
    if status.starts_with("HTTP/1.1 200 ") {
        Ok(())
    } else {
        Err(format!("GET https://{addr}/healthz answered {status:?}"))
    }
}

/// Accepts whatever certificate the listener shows (the handshake's
/// signatures are still checked). The probe authenticates no one on
/// purpose: it connects over loopback to the server beside it, sends no
/// credential and learns one status code, as `curl -k` would. Checking the
/// certificate would need a trust anchor the probe does not have for a
/// configured certificate (a distroless image carries no roots that rustls
/// reads here), and would make "healthy" depend on the probe's view of a
/// certificate the server renews on its own schedule.
#[derive(Debug)]
struct OwnListener(Arc<CryptoProvider>);

impl ServerCertVerifier for OwnListener {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_on_every_address_is_asked_on_loopback() {
        let at = |s: &str| local(s.parse().unwrap()).to_string();
        assert_eq!(at("0.0.0.0:8443"), "127.0.0.1:8443");
        assert_eq!(at("[::]:443"), "[::1]:443");
        assert_eq!(at("127.0.0.1:9000"), "127.0.0.1:9000");
        assert_eq!(at("192.0.2.7:8443"), "192.0.2.7:8443");
    }

    #[test]
    fn nothing_listening_is_unhealthy_with_the_reason() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let e = probe(SocketAddr::from(([127, 0, 0, 1], port))).unwrap_err();
        assert!(e.contains("cannot connect"), "{e}");
    }
}
