//! Secrets made here: random tokens from the OS CSPRNG, their SHA-256
//! digests (what the store keeps), and constant-time comparison.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 256 random bits as URL-safe base64 (43 characters).
pub fn token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::SysRng.try_fill_bytes(&mut b).expect("the operating system's random number generator failed");
    URL_SAFE_NO_PAD.encode(b)
}

pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// A short random id for logs (not a secret, so the fast thread-local
/// generator, not a system call per request).
pub fn request_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, token());
        assert_eq!(digest(&a), digest(&a));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
