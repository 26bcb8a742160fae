//! Encryption at rest for the secrets that must stay recoverable: OAuth 1.0a
//! consumer secrets and token secrets, which HMAC needs in the clear, and
//! the private halves of the JWT signing keys. One
//! 256-bit key lives in `DATA_DIR/secret.key` (mode 0600), made on first use.
//! Values are sealed with ChaCha20-Poly1305 under a fresh random nonce, and
//! each is bound (as associated data) to what it is the secret of, so a
//! sealed value copied onto another record does not open there.
//!
//! Sealed format: a version byte (1), the 12-byte nonce, then the ciphertext
//! with its 16-byte tag.

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const FORMAT: u8 = 1;
const KEY_LEN: usize = 32;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SealError {
    #[error("the secret key {path}: {message}")]
    Key { path: String, message: String },
    #[error("a sealed secret could not be opened (damaged, or sealed with another secret.key)")]
    Open,
    #[error("the system random generator failed")]
    Random,
}

/// The at-rest key, read or made the first time a secret is sealed or opened.
pub struct Sealer {
    path: PathBuf,
    key: OnceLock<LessSafeKey>,
}

impl Sealer {
    /// Does not touch the disk; the key file is read or made on first use.
    pub fn new(path: PathBuf) -> Sealer {
        Sealer { path, key: OnceLock::new() }
    }

    /// `DATA_DIR/secret.key`.
    pub fn in_data_dir(data_dir: &Path) -> Sealer {
        Sealer::new(data_dir.join("secret.key"))
    }

    fn key(&self) -> Result<&LessSafeKey, SealError> {
        if let Some(k) = self.key.get() {
            return Ok(k);
        }
        let raw = load_or_create(&self.path)?;
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &raw).map_err(|_| self.key_error("unusable key"))?;
        // Another thread may have won the race; both read the same file.
        Ok(self.key.get_or_init(|| LessSafeKey::new(unbound)))
    }

    fn key_error(&self, message: &str) -> SealError {
        SealError::Key { path: self.path.display().to_string(), message: message.to_string() }
    }

    /// Encrypts `secret`, bound to `context` (for example the consumer key).
    pub fn seal(&self, context: &[u8], secret: &str) -> Result<Vec<u8>, SealError> {
        self.seal_bytes(context, secret.as_bytes())
    }

    /// Decrypts what `seal` made with the same `context`.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<String, SealError> {
        String::from_utf8(self.open_bytes(context, sealed)?).map_err(|_| SealError::Open)
    }

    /// `seal` for a secret that is not text (a private key's DER).
    pub fn seal_bytes(&self, context: &[u8], secret: &[u8]) -> Result<Vec<u8>, SealError> {
        let key = self.key()?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| SealError::Random)?;
        let mut body = secret.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(context), &mut body)
            .map_err(|_| SealError::Open)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + body.len());
        out.push(FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Decrypts what `seal_bytes` made with the same `context`.
    pub fn open_bytes(&self, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let key = self.key()?;
        let (&format, rest) = sealed.split_first().ok_or(SealError::Open)?;
        if format != FORMAT || rest.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Open)?;
        let mut body = body.to_vec();
        let plain = key.open_in_place(nonce, Aad::from(context), &mut body).map_err(|_| SealError::Open)?;
        Ok(plain.to_vec())
    }
}

/// What each kind of sealed secret is bound to (its associated data).
pub mod context {
    fn join(kind: &[u8], id: &[u8]) -> Vec<u8> {
        [kind, b"\0", id].concat()
    }

    /// An OAuth 1.0a consumer secret, bound to its consumer key.
    pub fn consumer_secret(consumer_key: &str) -> Vec<u8> {
        join(b"oauth1 consumer secret", consumer_key.as_bytes())
    }

    /// A request token's secret, bound to the token's digest.
    pub fn request_token(digest: &[u8; 32]) -> Vec<u8> {
        join(b"oauth1 request token", digest)
    }

    /// An access token's secret, bound to the token's digest.
    pub fn access_token(digest: &[u8; 32]) -> Vec<u8> {
        join(b"oauth1 access token", digest)
    }

    /// The token response kept on a rotated OAuth 2.0 refresh token for the
    /// client's retry within the reuse grace, bound to that token's digest.
    pub fn refresh_replay(digest: &[u8; 32]) -> Vec<u8> {
        join(b"oauth2 refresh replay", digest)
    }

    /// A member's calendar feed token, bound to the token's digest.
    pub fn calendar_feed(digest: &[u8; 32]) -> Vec<u8> {
        join(b"calendar feed", digest)
    }

    /// A JWT signing key's private half, bound to its `kid`.
    pub fn signing_key(kid: &str) -> Vec<u8> {
        join(b"jwt signing key", kid.as_bytes())
    }

    /// A remote provider's client (or consumer) secret, bound to its id.
    pub fn provider_secret(provider: u64) -> Vec<u8> {
        join(b"provider secret", &provider.to_be_bytes())
    }

    /// latchkey's RSA-SHA1 private key for an OAuth 1.0a provider.
    pub fn provider_rsa_key(provider: u64) -> Vec<u8> {
        join(b"provider rsa key", &provider.to_be_bytes())
    }

    /// A connection's remote token (`access`, `refresh` or `secret`), bound
    /// to the connection's id and which token it is.
    pub fn connection_token(connection: u64, which: &str) -> Vec<u8> {
        join(b"connection token", &[&connection.to_be_bytes()[..], which.as_bytes()].concat())
    }

    /// A pending OAuth 1.0a flow's request-token secret, bound to the
    /// flow's digest.
    pub fn pending_request_secret(digest: &[u8; 32]) -> Vec<u8> {
        join(b"pending request secret", digest)
    }
}

/// Reads the key file, or makes it (owner-only, written and synced before
/// use) when there is none yet.
fn load_or_create(path: &Path) -> Result<[u8; KEY_LEN], SealError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let err = |message: String| SealError::Key { path: path.display().to_string(), message };
    match std::fs::read(path) {
        Ok(bytes) => {
            let mode = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o077).unwrap_or(0);
            if mode != 0 {
                // Tighten rather than refuse: the key must never be readable by others.
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| err(format!("cannot restrict its permissions: {e}")))?;
            }
            bytes.as_slice().try_into().map_err(|_| err(format!("must be exactly {KEY_LEN} bytes")))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; KEY_LEN];
            SystemRandom::new().fill(&mut key).map_err(|_| SealError::Random)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create its directory: {e}")))?;
            }
            let created = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path);
            match created {
                Ok(mut f) => {
                    f.write_all(&key).and_then(|()| f.sync_all()).map_err(|e| err(format!("cannot write: {e}")))?;
                    Ok(key)
                }
                // Made by someone else in the meantime: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(path),
                Err(e) => Err(err(format!("cannot create: {e}"))),
            }
        }
        Err(e) => Err(err(format!("cannot read: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn seals_opens_and_binds_to_context() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let s = Sealer::new(path.clone());
        assert!(!path.exists(), "made on first use only");
        let sealed = s.seal(b"consumer:a", "kd94hf93k423kf44").unwrap();
        assert!(path.exists());
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).unwrap().len(), 32);
        assert!(!sealed.windows(16).any(|w| w == b"kd94hf93k423kf44"), "not stored in the clear");
        assert_eq!(s.open(b"consumer:a", &sealed).unwrap(), "kd94hf93k423kf44");
        // Another record's context, a flipped bit, or a truncated value fail.
        assert!(s.open(b"consumer:b", &sealed).is_err());
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(s.open(b"consumer:a", &flipped).is_err());
        assert!(s.open(b"consumer:a", &sealed[..10]).is_err());
        assert!(s.open(b"consumer:a", &[]).is_err());
        // Two seals of one secret differ (fresh nonces).
        assert_ne!(s.seal(b"consumer:a", "x").unwrap(), s.seal(b"consumer:a", "x").unwrap());

        // A second process reads the same key; another key cannot open.
        let again = Sealer::new(path);
        assert_eq!(again.open(b"consumer:a", &sealed).unwrap(), "kd94hf93k423kf44");
        let other = Sealer::new(dir.path().join("other.key"));
        assert!(matches!(other.open(b"consumer:a", &sealed), Err(SealError::Open)));
    }

    #[test]
    fn a_bad_key_file_is_an_error_and_loose_permissions_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        std::fs::write(&path, b"short").unwrap();
        assert!(matches!(Sealer::new(path.clone()).seal(b"c", "s"), Err(SealError::Key { .. })));
        std::fs::write(&path, [7u8; 32]).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        Sealer::new(path.clone()).seal(b"c", "s").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
