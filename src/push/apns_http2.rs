//! HTTP/2 to APNs, which speaks nothing else: one TLS connection per host
//! (`api.push.apple.com`, `api.sandbox.push.apple.com`), negotiated as
//! `h2` by ALPN, kept open and shared by every notification in flight
//! (Apple asks providers to keep their connections rather than open one
//! per notification), and opened again when the server has closed it.
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

use super::target;
use crate::config::Config;
use bytes::Bytes;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The longest answer body read (Apple's are a few dozen bytes of JSON).
const MAX_ANSWER: usize = 16 * 1024;

/// What APNs answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<String>,
}

/// The connections; clones share them.
#[derive(Clone)]
pub struct Client {
    tls: tokio_rustls::TlsConnector,
    allow_private: bool,
    connect_to: Option<SocketAddr>,
    open: Arc<tokio::sync::Mutex<HashMap<String, h2::client::SendRequest<Bytes>>>>,
}

impl Client {
    /// The client, built once when the worker starts.
    pub fn build(config: &Config) -> Result<Client, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(super::client::roots(config.outbound_ca_file.as_deref())?)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Client {
            tls: tokio_rustls::TlsConnector::from(Arc::new(tls)),
            allow_private: config.outbound_allow_private,
            // The configuration refuses it without outbound_allow_private;
            // checked again here so that no other path can set it.
            connect_to: config.apns_connect_to.filter(|_| config.outbound_allow_private),
            open: Arc::default(),
        })
    }

    /// A new connection to `host`, its driver running in the background.
    async fn connect(&self, host: &str) -> Result<h2::client::SendRequest<Bytes>, String> {
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
        let tls = self.tls.connect(name, tcp).await.map_err(|e| format!("TLS with {host}: {e}"))?;
        if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
            return Err(format!("{host} did not agree to HTTP/2"));
        }
        let (send, connection) =
            h2::client::handshake(tls).await.map_err(|e| format!("HTTP/2 with {host}: {}", super::error_chain(&e)))?;
        let host = host.to_string();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(host, error = %e, "push: an APNs connection ended");
            }
        });
        Ok(send)
    }

    /// The open connection to `host` once it has room for one more
    /// stream, or a new one when it has been closed. New connections are
    /// made under the lock, so that a round of deliveries opens one.
    async fn ready(&self, host: &str) -> Result<h2::client::SendRequest<Bytes>, String> {
        let cached = self.open.lock().await.get(host).cloned();
        if let Some(c) = cached {
            if let Ok(c) = c.ready().await {
                return Ok(c);
            }
        }
        let mut open = self.open.lock().await;
        if let Some(c) = open.get(host).cloned() {
            if let Ok(c) = c.ready().await {
                return Ok(c);
            }
            open.remove(host);
        }
        let c = self.connect(host).await?;
        open.insert(host.to_string(), c.clone());
        drop(open);
        c.ready().await.map_err(|e| format!("HTTP/2 with {host}: {e}"))
    }

    /// One `POST` of `body` to `url` (an `https` URL on an APNs host) with
    /// `headers`, within the push client's timeout.
    pub async fn post(&self, url: &str, headers: &[(&'static str, String)], body: Vec<u8>) -> Result<Reply, String> {
        tokio::time::timeout(super::client::TIMEOUT, self.exchange(url, headers, body))
            .await
            .map_err(|_| format!("APNs did not answer within {}s", super::client::TIMEOUT.as_secs()))?
    }

    async fn exchange(&self, url: &str, headers: &[(&'static str, String)], body: Vec<u8>) -> Result<Reply, String> {
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
        let mut send = self.ready(&host).await?;
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
            assert!(c.post(url, &[], vec![]).await.is_err(), "{url}");
        }
    }

    #[tokio::test]
    async fn the_outbound_rule_holds_for_apns_hosts() {
        // A name that resolves to loopback is refused before any connection.
        let c = Client::build(&config("")).unwrap();
        let e = c.post("https://localhost/3/device/ab", &[], vec![]).await.unwrap_err();
        assert!(e.contains("not public"), "{e}");
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
}
