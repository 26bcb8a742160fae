//! A fake APNs on loopback for the APNs tests: HTTP/2 over TLS (ALPN
//! `h2`) with a certificate for Apple's two host names from a test CA
//! (the server trusts it through `outbound_ca_file`; `apns_connect_to`
//! sends the connections here). A client may present a certificate from
//! the same CA, as apps present Apple's: then the fake takes the request
//! as certificate-based and wants no `authorization` header; without one
//! it verifies the provider JWT's ES256 signature with the test key's
//! public half. It checks `:authority` against the TLS server name, the
//! `apns-*` headers and the payload, and answers as scripted per device.

use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;

pub const KEY_ID: &str = "ABC123DEFG";
pub const TEAM: &str = "TEAM123456";
pub const TOPIC: &str = "org.example.pusher";

/// One request the fake APNs took.
#[derive(Debug, Clone)]
pub struct Got {
    pub device: String,
    /// `:authority`, which the fake checked against the TLS server name.
    pub host: String,
    pub jwt: String,
    /// The subject CN of the client certificate the connection presented.
    pub client: Option<String>,
    pub status: u16,
    pub payload: Value,
    pub at: Instant,
}

/// Status, reason, `Retry-After`.
pub type Scripted = (u16, &'static str, Option<&'static str>);

#[derive(Default)]
pub struct State {
    script: BTreeMap<String, VecDeque<Scripted>>,
    /// Provider tokens the fake has called expired; refused from then on.
    expired: Vec<String>,
    /// TLS connections accepted: server name, and the client certificate's CN.
    pub connections: Vec<(String, Option<String>)>,
    /// TLS handshakes that failed (a client certificate the CA did not sign).
    pub refused: Vec<String>,
    pub got: Vec<Got>,
    problems: Vec<String>,
}

pub struct Apns {
    pub port: u16,
    pub state: Arc<Mutex<State>>,
    pub dir: tempfile::TempDir,
    /// The application's `.p8` key (EC P-256, PKCS#8 PEM).
    pub key_pem: String,
    ca: rcgen::Issuer<'static, rcgen::KeyPair>,
}

fn ca() -> (rcgen::Issuer<'static, rcgen::KeyPair>, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    ca.distinguished_name.push(rcgen::DnType::CommonName, "Fake APNs test CA");
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    (rcgen::Issuer::new(ca, ca_key), ca_pem)
}

fn tls(issuer: &rcgen::Issuer<'_, rcgen::KeyPair>, ca_pem: &str) -> rustls::ServerConfig {
    use rustls_pki_types::pem::PemObject;
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf =
        rcgen::CertificateParams::new(vec!["api.push.apple.com".to_string(), "api.sandbox.push.apple.com".to_string()])
            .unwrap()
            .signed_by(&leaf_key, issuer)
            .unwrap();
    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls_pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap()).unwrap();
    // A client certificate is optional (token keys present none), and
    // checked against the test CA when there is one.
    let clients = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(clients)
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

/// The subject CN of a DER certificate.
fn common_name(der: &[u8]) -> String {
    let (_, c) = x509_parser::parse_x509_certificate(der).unwrap();
    c.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok()).unwrap_or_default().to_string()
}

pub fn at(ts: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(ts).unwrap()
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

impl Apns {
    pub fn start() -> Apns {
        let dir = tempfile::tempdir().unwrap();
        let (ca, ca_pem) = ca();
        let config = tls(&ca, &ca_pem);
        std::fs::write(dir.path().join("ca.pem"), ca_pem).unwrap();
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let (st, pk) = (state.clone(), pair.public_key_raw().to_vec());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(serve(listener, config, st, pk));
        });
        Apns { port, state, dir, key_pem: pair.serialize_pem(), ca }
    }

    /// A client certificate from the fake's CA, as Apple issues them (CN
    /// "Apple Push Services: <topic>", client authentication), for `key`,
    /// valid from `from` to `to` (seconds since 1970); as PEM.
    pub fn client_certificate(&self, key: &rcgen::KeyPair, cn: &str, from: i64, to: i64) -> String {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        p.not_before = at(from);
        p.not_after = at(to);
        p.signed_by(key, &self.ca).unwrap().pem()
    }

    pub fn script(&self, device: &str, answers: &[Scripted]) {
        self.state.lock().unwrap().script.insert(device.into(), answers.iter().copied().collect());
    }

    pub fn got(&self) -> Vec<Got> {
        let st = self.state.lock().unwrap();
        assert!(st.problems.is_empty(), "the fake APNs saw bad requests: {:#?}", st.problems);
        st.got.clone()
    }

    pub fn wait_for(&self, what: &str, done: impl Fn(&[Got]) -> bool) -> Vec<Got> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let r = self.got();
            if done(&r) {
                return r;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; got {r:#?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The provider JWT: ES256 with the application's key, `kid` the
    /// key id, `iss` the team, `iat` within a minute of now.
    fn check_jwt(public: &[u8], jwt: &str) -> Result<(), String> {
        let key = jsonwebtoken::DecodingKey::from_ec_der(public);
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        v.validate_exp = false;
        v.required_spec_claims.clear();
        v.set_issuer(&[TEAM]);
        let d = jsonwebtoken::decode::<Value>(jwt, &key, &v).map_err(|e| format!("JWT: {e}"))?;
        if d.header.kid.as_deref() != Some(KEY_ID) {
            return Err(format!("kid {:?}", d.header.kid));
        }
        let iat = d.claims["iat"].as_i64().unwrap_or_default();
        if (unix_now() - iat).abs() > 60 {
            return Err(format!("iat {iat}, now {}", unix_now()));
        }
        Ok(())
    }
}

async fn serve(listener: TcpListener, config: rustls::ServerConfig, st: Arc<Mutex<State>>, public: Vec<u8>) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    loop {
        let Ok((tcp, _)) = listener.accept().await else { continue };
        let (acceptor, st, public) = (acceptor.clone(), st.clone(), public.clone());
        tokio::spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(tls) => tls,
                Err(e) => {
                    st.lock().unwrap().refused.push(e.to_string());
                    return;
                }
            };
            let sni = tls.get_ref().1.server_name().unwrap_or_default().to_string();
            let client = tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| common_name(c));
            st.lock().unwrap().connections.push((sni.clone(), client.clone()));
            let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
            if alpn.as_deref() != Some(b"h2") {
                st.lock().unwrap().problems.push(format!("ALPN {alpn:?}"));
            }
            let Ok(mut conn) = h2::server::handshake(tls).await else { return };
            while let Some(Ok((req, respond))) = conn.accept().await {
                let (st, public, sni, client) = (st.clone(), public.clone(), sni.clone(), client.clone());
                tokio::spawn(async move {
                    let _ = answer(req, respond, &st, &public, &sni, client).await;
                });
            }
        });
    }
}

async fn answer(
    req: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
    st: &Mutex<State>,
    public: &[u8],
    sni: &str,
    client: Option<String>,
) -> Result<(), h2::Error> {
    let (parts, mut body) = req.into_parts();
    let mut bytes = vec![];
    while let Some(chunk) = body.data().await {
        let chunk = chunk?;
        let _ = body.flow_control().release_capacity(chunk.len());
        bytes.extend_from_slice(&chunk);
    }
    let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let host = parts.uri.authority().map(|a| a.to_string()).unwrap_or_default();
    let device = parts.uri.path().strip_prefix("/3/device/").unwrap_or_default().to_string();
    let authorization = parts.headers.get("authorization").is_some();
    let jwt = header("authorization").strip_prefix("bearer ").unwrap_or_default().to_string();
    let payload: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let (status, reason, retry_after) = {
        let mut s = st.lock().unwrap();
        let mut problems = vec![];
        if parts.method != http::Method::POST || device.is_empty() {
            problems.push(format!("{} {}", parts.method, parts.uri));
        }
        if host != sni || !["api.push.apple.com", "api.sandbox.push.apple.com"].contains(&host.as_str()) {
            problems.push(format!(":authority {host}, TLS server name {sni}"));
        }
        match &client {
            // Certificate-based: the certificate is the credential.
            Some(cn) if authorization => problems.push(format!("an authorization header beside the certificate {cn}")),
            Some(_) => {}
            None => {
                if let Err(e) = Apns::check_jwt(public, &jwt) {
                    problems.push(e);
                }
            }
        }
        for (name, want) in [("apns-topic", TOPIC), ("apns-push-type", "alert"), ("apns-priority", "10")] {
            if header(name) != want {
                problems.push(format!("{name}: {:?}", header(name)));
            }
        }
        if header("apns-expiration").parse::<i64>().is_err() || header("apns-collapse-id").is_empty() {
            problems.push(format!("apns-expiration {:?}", header("apns-expiration")));
        }
        if !payload["aps"]["alert"]["title"].is_string() || !payload["aps"]["badge"].is_u64() {
            problems.push(format!("payload {payload}"));
        }
        s.problems.extend(problems);
        let answer = if client.is_none() && s.expired.contains(&jwt) {
            (403, "ExpiredProviderToken", None)
        } else {
            s.script.get_mut(&device).and_then(VecDeque::pop_front).unwrap_or((200, "", None))
        };
        if answer.1 == "ExpiredProviderToken" {
            s.expired.push(jwt.clone());
        }
        s.got.push(Got { device, host, jwt, client, status: answer.0, payload, at: Instant::now() });
        answer
    };
    let mut response = http::Response::builder().status(status).header("apns-id", "0000-fake");
    if let Some(r) = retry_after {
        response = response.header("retry-after", r);
    }
    let empty = status == 200;
    let mut stream = respond.send_response(response.body(()).unwrap(), empty)?;
    if !empty {
        stream.send_data(Bytes::from(json!({"reason": reason}).to_string()), true)?;
    }
    Ok(())
}

/// A device token (64 hex digits) named after its member.
pub fn device(name: &str) -> String {
    format!("{:0>64}", name.bytes().map(|b| format!("{b:02x}")).collect::<String>())
}
