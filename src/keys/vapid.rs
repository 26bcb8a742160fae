//! The server's VAPID key (RFC 8292): a P-256 key pair made on first start
//! and kept in `DATA_DIR/vapid.key` (PKCS#8, mode 0600), whose public half
//! browsers get from `GET /api/v1/push/vapid-public-key` as the
//! `applicationServerKey`; every Web Push request carries a short ES256 JWT
//! signed with it, for the push service's origin.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use std::path::Path;

/// The file the key lives in, under the data directory.
pub const FILE: &str = "vapid.key";

pub struct VapidKey {
    pair: EcdsaKeyPair,
}

#[derive(Debug, thiserror::Error)]
#[error("VAPID key {path}: {message}")]
pub struct VapidError {
    pub path: String,
    pub message: String,
}

impl VapidKey {
    /// Reads the key from the data directory, making it on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<VapidKey, VapidError> {
        let path = data_dir.join(FILE);
        let err = |message: String| VapidError { path: path.display().to_string(), message };
        let der = match std::fs::read(&path) {
            Ok(der) => {
                crate::fsutil::restrict(&path).map_err(|e| err(format!("cannot restrict its permissions: {e}")))?;
                der
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                    .map_err(|_| err("cannot make a key".into()))?;
                crate::fsutil::write_private(&path, doc.as_ref()).map_err(|e| err(format!("cannot write: {e}")))?;
                doc.as_ref().to_vec()
            }
            Err(e) => return Err(err(format!("cannot read: {e}"))),
        };
        Self::from_pkcs8(&der).map_err(err)
    }

    pub fn from_pkcs8(der: &[u8]) -> Result<VapidKey, String> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &SystemRandom::new())
            .map_err(|e| format!("not a P-256 PKCS#8 key: {e}"))?;
        Ok(VapidKey { pair })
    }

    /// The public key, uncompressed (65 bytes).
    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// The public key as browsers take it: base64url without padding.
    pub fn public_key_b64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.public_key())
    }

    /// The `Authorization` header for a request to `audience` (the push
    /// service's origin, `https://host[:port]`), valid until `expires`
    /// (Unix seconds; at most 24 hours ahead, RFC 8292 §2).
    pub fn authorization(&self, audience: &str, subject: &str, expires: i64) -> Result<String, String> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": audience, "exp": expires, "sub": subject });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{header}.{claims}");
        let sig = self.pair.sign(&SystemRandom::new(), input.as_bytes()).map_err(|_| "cannot sign".to_string())?;
        Ok(format!("vapid t={input}.{}, k={}", URL_SAFE_NO_PAD.encode(sig.as_ref()), self.public_key_b64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    #[test]
    fn made_once_kept_and_signing_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let a = VapidKey::load_or_create(dir.path()).unwrap();
        let b = VapidKey::load_or_create(dir.path()).unwrap();
        assert_eq!(a.public_key(), b.public_key(), "the second start reads the same key");
        assert_eq!(a.public_key().len(), 65);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        let h = a.authorization("https://push.example", "https://latchkey.example/", 1_800_000_000).unwrap();
        let rest = h.strip_prefix("vapid t=").unwrap();
        let (jwt, k) = rest.split_once(", k=").unwrap();
        assert_eq!(k, a.public_key_b64());
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, a.public_key()).verify(input.as_bytes(), &sig).unwrap();
        let claims = URL_SAFE_NO_PAD.decode(input.split('.').nth(1).unwrap()).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap();
        assert_eq!(claims["aud"], "https://push.example");
        assert_eq!(claims["exp"], 1_800_000_000);
    }
}
