//! Web Push (RFC 8030): the payload encrypted for the browser with
//! `aes128gcm` (RFC 8291, RFC 8188) and the request signed with the
//! server's VAPID key (RFC 8292). Built here on ring and p256 rather than
//! the `web-push` crate, whose `ece` and JWT backends pull in OpenSSL.
//! The answer is mapped to what the worker does next (`Outcome`).

use super::Outcome;
use crate::keys::vapid::VapidKey;
use crate::store::push::Subscription;
use hmac::{Hmac, Mac};
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::Sha256;
use std::time::Duration;

/// The record size written in the header; one record carries the payload.
const RECORD_SIZE: u32 = 4096;
/// The most a push service must accept as a message body (RFC 8030 §7.2).
pub const MAX_BODY: usize = 4096;
/// Header (salt 16, record size 4, key id length 1, key 65), delimiter and tag.
pub const OVERHEAD: usize = 16 + 4 + 1 + 65 + 1 + 16;
/// How long a push service keeps a message for an offline browser.
pub const TTL: Duration = Duration::from_secs(24 * 3600);

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// Encrypts `plaintext` for a browser whose key is `ua_public` (65 bytes)
/// with auth secret `auth`, from the sender's ephemeral key `as_secret`
/// and `salt` (RFC 8291 §3.4): the whole `aes128gcm` body.
pub fn encrypt_with(
    plaintext: &[u8],
    ua_public: &[u8],
    auth: &[u8],
    as_secret: &p256::SecretKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, String> {
    if plaintext.len() + OVERHEAD > MAX_BODY {
        return Err(format!("payload of {} bytes is too large for Web Push", plaintext.len()));
    }
    let ua = p256::PublicKey::from_sec1_bytes(ua_public).map_err(|_| "the browser's key is not a P-256 point")?;
    let as_public = as_secret.public_key().to_sec1_bytes();
    let shared = p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), ua.as_affine());
    // IKM = HKDF(auth, ecdh, "WebPush: info" || 0 || ua_public || as_public, 32)
    let prk_key = hmac(auth, &[shared.raw_secret_bytes().as_slice()]);
    let ikm = hmac(&prk_key, &[b"WebPush: info\0", ua_public, &as_public, &[1]]);
    // CEK and nonce from HKDF(salt, IKM).
    let prk = hmac(salt, &[&ikm]);
    let cek = hmac(&prk, &[b"Content-Encoding: aes128gcm\0", &[1]]);
    let nonce = hmac(&prk, &[b"Content-Encoding: nonce\0", &[1]]);
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek[..16]).map_err(|_| "bad content key")?);
    let nonce = Nonce::try_assume_unique_for_key(&nonce[..12]).map_err(|_| "bad nonce")?;
    // One record, the last: the data then the delimiter 2 (no padding).
    let mut record = Vec::with_capacity(plaintext.len() + 17);
    record.extend_from_slice(plaintext);
    record.push(2);
    key.seal_in_place_append_tag(nonce, Aad::empty(), &mut record).map_err(|_| "encryption failed")?;
    let mut body = Vec::with_capacity(86 + record.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

/// `encrypt_with` a fresh ephemeral key and salt.
pub fn encrypt(plaintext: &[u8], ua_public: &[u8], auth: &[u8]) -> Result<Vec<u8>, String> {
    let rng = SystemRandom::new();
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| "no randomness")?;
    let secret = loop {
        let mut raw = [0u8; 32];
        rng.fill(&mut raw).map_err(|_| "no randomness")?;
        if let Ok(k) = p256::SecretKey::from_slice(&raw) {
            break k;
        }
    };
    encrypt_with(plaintext, ua_public, auth, &secret, &salt)
}

/// The VAPID audience of an endpoint: its origin.
pub fn audience(endpoint: &url::Url) -> String {
    endpoint.origin().ascii_serialization()
}

/// Sends one notification; `subject` is the contact the push service may
/// use (the site's URL), `now` the Unix time for the JWT's expiry.
#[allow(clippy::too_many_arguments)]
pub async fn send(
    client: &reqwest::Client,
    vapid: &VapidKey,
    sub: &Subscription,
    payload: &[u8],
    subject: &str,
    now: i64,
    allow_private: bool,
    topic: &str,
) -> Outcome {
    let url = match super::target::check_url(&sub.address, allow_private) {
        Ok(u) => u,
        Err(e) => return Outcome::Failed(format!("the endpoint {e}")),
    };
    // An address literal never reaches the client's resolver: check it here.
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
        _ => None,
    };
    if let Some(ip) = literal.filter(|ip| !allow_private && super::target::forbidden(*ip)) {
        return Outcome::Failed(format!("the endpoint {}", super::target::TargetError::NotPublic(ip)));
    }
    let body = match encrypt(payload, &sub.p256dh, &sub.auth) {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(e),
    };
    let auth = match vapid.authorization(&audience(&url), subject, now + 12 * 3600) {
        Ok(a) => a,
        Err(e) => return Outcome::Failed(e),
    };
    let sent = client
        .post(url)
        .header("TTL", TTL.as_secs().to_string())
        .header("Content-Encoding", "aes128gcm")
        .header("Content-Type", "application/octet-stream")
        .header("Urgency", "normal")
        // The delivery's id: a resend after a crash replaces the first.
        .header("Topic", topic)
        .header("Authorization", auth)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(r) => {
            let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
            super::outcome(r.status().as_u16(), retry_after.as_deref(), now)
        }
        // The resolver refused the name (it now points inside): not worth
        // retrying, and never sent.
        Err(e) if refused_target(&e) => Outcome::Failed(super::error_chain(&e)),
        Err(e) => Outcome::Retry(super::error_chain(&e), None),
    }
}

/// Whether a client error comes from the outbound rule (`target`).
fn refused_target(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.downcast_ref::<super::target::TargetError>().is_some() {
            return true;
        }
        cause = c.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn b(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    /// RFC 8291 Appendix A.
    #[test]
    fn rfc8291_example() {
        let as_secret = p256::SecretKey::from_slice(&b("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")).unwrap();
        let ua_public = b("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
        let salt: [u8; 16] = b("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let auth = b("BTBZMqHH6r4Tts7J_aSIgg");
        let body =
            encrypt_with(b"When I grow up, I want to be a watermelon", &ua_public, &auth, &as_secret, &salt).unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn too_large_a_payload_is_refused() {
        let ua = p256::SecretKey::from_slice(&[9u8; 32]).unwrap().public_key().to_sec1_bytes();
        assert!(encrypt(&vec![b'x'; MAX_BODY - OVERHEAD], &ua, &[1; 16]).is_ok());
        assert!(encrypt(&vec![b'x'; MAX_BODY - OVERHEAD + 1], &ua, &[1; 16]).is_err());
    }

    #[test]
    fn audience_is_the_origin() {
        assert_eq!(
            audience(&"https://push.example:8443/wpush/v2/abc?x=1".parse().unwrap()),
            "https://push.example:8443"
        );
        assert_eq!(audience(&"https://fcm.googleapis.com/fcm/send/x".parse().unwrap()), "https://fcm.googleapis.com");
    }
}
