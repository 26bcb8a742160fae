//! HTTP/2 to APNs, which speaks nothing else: TLS connections negotiated
//! as `h2` by ALPN, kept open and shared by every notification in flight
//! (Apple asks providers to keep their connections rather than open one
//! per notification), and opened again when the server has closed them.
//! With token keys there is one connection per host (`api.push.apple.com`,
//! `api.sandbox.push.apple.com`), shared by every application; with a
//! certificate the connection presents it, so there is one per host and
//! certificate, keyed by the chain's fingerprint: a replaced certificate
//! simply gets new connections. The TLS settings made per certificate
//! are kept for at most `IDENTITIES` certificates, the least recently
//! used going first, with their connections.
//!
//! It is built on the `h2` crate directly, over tokio-rustls with ring,
//! rather than through reqwest: the reqwest in the tree is built without
//! HTTP/2 (turning it on would also reach the test suite's clients), and
//! `h2` 0.3 is in the binary already for the server's own HTTP/2.
//!
//! Connections obey the outbound rule (`target`): the host is resolved and
//! every address checked before connecting. The trusted roots are the
//! system's plus `outbound_ca_file`, as for the other push services.
//! `apns_connect_to` (tests only: it needs `outbound_allow_private`)
//! connects to another address while keeping Apple's host names for TLS
//! and `:authority`, so a fake APNs on loopback sees what Apple would.

use super::apns_cert::{Fingerprint, Identity};
use super::target;
use crate::config::Config;
use bytes::Bytes;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The longest answer body read (Apple's are a few dozen bytes of JSON).
const MAX_ANSWER: usize = 16 * 1024;
/// Certificates whose TLS settings and connections are kept.
pub const IDENTITIES: usize = 32;

/// What APNs answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<String>,
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostError {
    /// The network, the connection or a timeout: worth another try.
    Retry(String),
    /// The server refused the client certificate in the TLS handshake:
    /// trying again will not help until the admin replaces it.
    Refused(String),
}

impl std::fmt::Display for PostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PostError::Retry(e) | PostError::Refused(e) => f.write_str(e),
        }
    }
}

/// The TLS alerts a server sends about the certificate its client
/// presented (RFC 8446 §6.2), as rustls writes them ("received fatal
/// alert: BadCertificate"); h2 keeps only the text of a connection's
/// error, so the text is what is read.
const CERTIFICATE_ALERTS: &[rustls::AlertDescription] = &[
    rustls::AlertDescription::BadCertificate,
    rustls::AlertDescription::UnsupportedCertificate,
    rustls::AlertDescription::CertificateRevoked,
    rustls::AlertDescription::CertificateExpired,
    rustls::AlertDescription::CertificateUnknown,
    rustls::AlertDescription::UnknownCA,
    rustls::AlertDescription::AccessDenied,
    rustls::AlertDescription::CertificateRequired,
];

/// Whether `error` is the server refusing the client certificate.
pub fn certificate_refused(error: &str) -> bool {
    CERTIFICATE_ALERTS.iter().any(|a| error.contains(&rustls::Error::AlertReceived(*a).to_string()))
}

/// A connection's stream with the bytes read ahead of h2 given back first.
struct Prefixed<S> {
    prefix: Vec<u8>,
    inner: S,
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Prefixed<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if self.prefix.is_empty() {
            return std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        }
        let n = self.prefix.len().min(buf.remaining());
        buf.put_slice(&self.prefix[..n]);
        self.prefix.drain(..n);
        std::task::Poll::Ready(Ok(()))
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Prefixed<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// How long a new connection that presented a certificate waits for the
/// server to refuse it before speaking.
const VERDICT: Duration = Duration::from_secs(1);

/// An open connection's key: the host, and the certificate it presents.
type Open = (String, Option<Fingerprint>);

/// The TLS settings per certificate, with when each was last used.
#[derive(Default)]
struct Identities {
    connectors: HashMap<Fingerprint, (tokio_rustls::TlsConnector, u64)>,
    uses: u64,
}

/// The connections; clones share them.
#[derive(Clone)]
pub struct Client {
    /// Without a client certificate (token keys).
    tls: tokio_rustls::TlsConnector,
    roots: Arc<rustls::RootCertStore>,
    allow_private: bool,
    connect_to: Option<SocketAddr>,
    identities: Arc<Mutex<Identities>>,
    open: Arc<tokio::sync::Mutex<HashMap<Open, h2::client::SendRequest<Bytes>>>>,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl Client {
    /// The client, built once when the worker starts.
    pub fn build(config: &Config) -> Result<Client, String> {
        let roots = Arc::new(super::client::roots(config.outbound_ca_file.as_deref())?);
        let mut tls = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots.clone())
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Client {
            tls: tokio_rustls::TlsConnector::from(Arc::new(tls)),
            roots,
            allow_private: config.outbound_allow_private,
            // The configuration refuses it without outbound_allow_private;
            // checked again here so that no other path can set it.
            connect_to: config.apns_connect_to.filter(|_| config.outbound_allow_private),
            identities: Arc::default(),
            open: Arc::default(),
        })
    }

    /// The TLS settings that present `identity` (made once and kept), or
    /// the shared ones without a certificate; and the certificates dropped
    /// to make room, whose connections go too.
    fn connector(&self, identity: Option<&Identity>) -> Result<(tokio_rustls::TlsConnector, Vec<Fingerprint>), String> {
        let Some(id) = identity else { return Ok((self.tls.clone(), vec![])) };
        let mut ids = self.identities.lock().unwrap_or_else(|e| e.into_inner());
        ids.uses += 1;
        let now = ids.uses;
        if let Some((c, used)) = ids.connectors.get_mut(&id.fingerprint) {
            *used = now;
            return Ok((c.clone(), vec![]));
        }
        let mut tls = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(self.roots.clone())
            .with_client_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(id.certified.clone())));
        tls.alpn_protocols = vec![b"h2".to_vec()];
        let c = tokio_rustls::TlsConnector::from(Arc::new(tls));
        let mut dropped = vec![];
        while ids.connectors.len() >= IDENTITIES {
            let Some(oldest) = ids.connectors.iter().min_by_key(|(_, (_, used))| *used).map(|(f, _)| *f) else {
                break;
            };
            ids.connectors.remove(&oldest);
            dropped.push(oldest);
        }
        ids.connectors.insert(id.fingerprint, (c.clone(), now));
        Ok((c, dropped))
    }

    /// A new connection to `host`, its driver running in the background;
    /// `presented`: the TLS settings present a client certificate.
    async fn connect(
        &self,
        host: &str,
        tls: &tokio_rustls::TlsConnector,
        presented: bool,
    ) -> Result<h2::client::SendRequest<Bytes>, String> {
        let addrs = match self.connect_to {
            Some(a) => vec![a],
            None => target::resolve(host, 443, self.allow_private).await.map_err(|e| format!("{host} {e}"))?,
        };
        let tcp = tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(&addrs[..]))
            .await
            .map_err(|_| format!("connecting to {host} timed out"))?
            .map_err(|e| format!("cannot connect to {host}: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let name = rustls_pki_types::ServerName::try_from(host.to_string())
            .map_err(|_| format!("{host} is not a host name"))?;
        let tls = tls.connect(name, tcp).await.map_err(|e| format!("TLS with {host}: {e}"))?;
        if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
            return Err(format!("{host} did not agree to HTTP/2"));
        }
        // In TLS 1.3 the server judges a client certificate after the
        // handshake has ended for the client, and says no with an alert
        // and a close. Anything written before reading that verdict races
        // the close (a reset then loses the alert), so a connection that
        // presented a certificate first reads, for a moment, what the
        // server says unasked: its refusal, or its HTTP/2 SETTINGS, which
        // h2 is given back.
        let mut prefix = vec![];
        let mut tls = tls;
        if presented {
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 4096];
            match tokio::time::timeout(VERDICT, tls.read(&mut buf)).await {
                Ok(Ok(0)) => return Err(format!("TLS with {host}: the server closed the connection")),
                Ok(Ok(n)) => prefix.extend_from_slice(&buf[..n]),
                Ok(Err(e)) => return Err(format!("TLS with {host}: {e}")),
                // Silent: it waits for our preface, as HTTP/2 allows.
                Err(_) => {}
            }
        }
        let (send, connection) = h2::client::handshake(Prefixed { prefix, inner: tls })
            .await
            .map_err(|e| format!("HTTP/2 with {host}: {}", super::error_chain(&e)))?;
        let host = host.to_string();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(host, error = %e, "push: an APNs connection ended");
            }
        });
        Ok(send)
    }

    /// The open connection to `host` presenting `identity` once it has
    /// room for one more stream, or a new one when it has been closed. New
    /// connections are made under the lock, so that a round of deliveries
    /// opens one.
    async fn ready(&self, host: &str, identity: Option<&Identity>) -> Result<h2::client::SendRequest<Bytes>, String> {
        let key: Open = (host.to_string(), identity.map(|i| i.fingerprint));
        let (tls, dropped) = self.connector(identity)?;
        if dropped.is_empty() {
            let cached = self.open.lock().await.get(&key).cloned();
            if let Some(c) = cached {
                if let Ok(c) = c.ready().await {
                    return Ok(c);
                }
            }
        }
        let mut open = self.open.lock().await;
        open.retain(|(_, f), _| f.is_none_or(|f| !dropped.contains(&f)));
        if let Some(c) = open.get(&key).cloned() {
            if let Ok(c) = c.ready().await {
                return Ok(c);
            }
            open.remove(&key);
        }
        let c = self.connect(host, &tls, identity.is_some()).await?;
        open.insert(key, c.clone());
        drop(open);
        c.ready().await.map_err(|e| format!("HTTP/2 with {host}: {e}"))
    }

    /// One `POST` of `body` to `url` (an `https` URL on an APNs host) with
    /// `headers`, over a connection that presents `identity` when there is
    /// one, within the push client's timeout.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
        identity: Option<&Identity>,
    ) -> Result<Reply, PostError> {
        let answer = tokio::time::timeout(super::client::TIMEOUT, self.exchange(url, headers, body, identity))
            .await
            .map_err(|_| format!("APNs did not answer within {}s", super::client::TIMEOUT.as_secs()));
        match answer.and_then(|r| r) {
            Ok(r) => Ok(r),
            Err(e) if identity.is_some() && certificate_refused(&e) => {
                Err(PostError::Refused(format!("APNs refused the application's certificate: {e}")))
            }
            Err(e) => Err(PostError::Retry(e)),
        }
    }

    async fn exchange(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
        identity: Option<&Identity>,
    ) -> Result<Reply, String> {
        let parsed = url::Url::parse(url).map_err(|_| format!("{url} is not a URL"))?;
        let host = match (parsed.scheme(), parsed.host_str()) {
            ("https", Some(h)) if parsed.port().is_none() => h.to_string(),
            _ => return Err(format!("{url} is not an https URL on the default port")),
        };
        let mut request = http::Request::builder().method(http::Method::POST).uri(url);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let request = request
            .header("content-type", "application/json")
            .header("content-length", body.len())
            .body(())
            .map_err(|e| format!("cannot make the request: {e}"))?;
        let failed = |e: h2::Error| format!("HTTP/2 with {host}: {}", super::error_chain(&e));
        let mut send = self.ready(&host, identity).await?;
        let (answer, mut stream) = send.send_request(request, false).map_err(failed)?;
        stream.send_data(Bytes::from(body), true).map_err(failed)?;
        let answer = answer.await.map_err(failed)?;
        let status = answer.status().as_u16();
        let retry_after = answer.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut incoming = answer.into_body();
        let mut body = vec![];
        while let Some(chunk) = incoming.data().await {
            let chunk = chunk.map_err(failed)?;
            let _ = incoming.flow_control().release_capacity(chunk.len());
            body.extend_from_slice(&chunk[..chunk.len().min(MAX_ANSWER - body.len())]);
            if body.len() >= MAX_ANSWER {
                break;
            }
        }
        Ok(Reply { status, body, retry_after })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        let dir = std::env::temp_dir();
        crate::config::Config::resolve(dir, crate::config::Settings::from_toml(extra).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn only_https_urls_on_the_default_port_are_posted_to() {
        let c = Client::build(&config("")).unwrap();
        for url in ["http://api.push.apple.com/3/device/ab", "https://api.push.apple.com:8443/3/device/ab", "nope"] {
            assert!(c.post(url, &[], vec![], None).await.is_err(), "{url}");
        }
    }

    #[tokio::test]
    async fn the_outbound_rule_holds_for_apns_hosts() {
        // A name that resolves to loopback is refused before any connection.
        let c = Client::build(&config("")).unwrap();
        let e = c.post("https://localhost/3/device/ab", &[], vec![], None).await.unwrap_err();
        assert!(matches!(&e, PostError::Retry(m) if m.contains("not public")), "{e}");
    }

    #[test]
    fn connect_to_needs_outbound_allow_private() {
        let c = Client::build(&config("outbound_allow_private = true\napns_connect_to = \"127.0.0.1:9\"")).unwrap();
        assert_eq!(c.connect_to, Some("127.0.0.1:9".parse().unwrap()));
        assert!(
            crate::config::Config::resolve(
                std::env::temp_dir(),
                crate::config::Settings::from_toml("apns_connect_to = \"127.0.0.1:9\"").unwrap()
            )
            .is_err()
        );
    }

    #[test]
    fn certificate_refusals_are_told_from_other_tls_errors() {
        // As the connection's error reaches a request: rustls's words,
        // through tokio-rustls and h2.
        let alert = |a| format!("HTTP/2 with api.push.apple.com: {}", rustls::Error::AlertReceived(a));
        for a in CERTIFICATE_ALERTS {
            assert!(certificate_refused(&alert(*a)), "{a:?}");
        }
        assert_eq!(alert(rustls::AlertDescription::CertificateExpired).split(": ").last(), Some("CertificateExpired"));
        for other in [
            alert(rustls::AlertDescription::HandshakeFailure),
            alert(rustls::AlertDescription::InternalError),
            "cannot connect to api.push.apple.com: connection refused".to_string(),
            "TLS with api.push.apple.com: invalid peer certificate: UnknownIssuer".to_string(),
        ] {
            assert!(!certificate_refused(&other), "{other}");
        }
    }

    #[test]
    fn certificates_get_their_own_tls_settings_kept_for_a_bounded_number() {
        let c = Client::build(&config("")).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let identity = |n: usize| {
            let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            p.distinguished_name.push(rcgen::DnType::CommonName, format!("Apple Push Services: app{n}"));
            let cert = p.self_signed(&key).unwrap().pem();
            Identity::read(&cert, &key.serialize_pem(), "org.example.app").unwrap()
        };
        assert!(c.connector(None).unwrap().1.is_empty());
        let first = identity(0);
        assert!(c.connector(Some(&first)).unwrap().1.is_empty());
        assert_eq!(c.identities.lock().unwrap().connectors.len(), 1);
        assert!(c.connector(Some(&first)).unwrap().1.is_empty(), "kept, not made again");
        assert_eq!(c.identities.lock().unwrap().connectors.len(), 1);
        let others: Vec<Identity> = (1..=IDENTITIES).map(identity).collect();
        let mut dropped = vec![];
        for other in &others {
            // The first stays in use, so it is not the one to go.
            c.connector(Some(&first)).unwrap();
            dropped.extend(c.connector(Some(other)).unwrap().1);
        }
        assert_eq!(c.identities.lock().unwrap().connectors.len(), IDENTITIES);
        assert_eq!(dropped, [others[0].fingerprint], "the least recently used");
        assert!(c.identities.lock().unwrap().connectors.contains_key(&first.fingerprint));
    }
}
