//! Password hashing with argon2id. Hashing is slow on purpose, so it runs on
//! the blocking pool behind a semaphore as wide as the machine: a flood of
//! sign-in attempts queues here instead of starving every other request.

use crate::config::Argon2Params;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 1024;

#[derive(Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when the username is unknown, so that the answer
    /// takes as long as for a real member.
    dummy: Arc<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least {MIN_LENGTH} characters long")]
    TooShort,
    #[error("the password must be at most {MAX_LENGTH} characters long")]
    TooLong,
    #[error("the password must not be the username")]
    IsUsername,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// The policy: NIST SP 800-63B length rules, nothing about character classes.
pub fn check_policy(password: &str, username: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if n > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(PasswordError::IsUsername);
    }
    Ok(())
}

/// A PHC string with the configured parameters, a random salt and a random
/// output: verifying any password against it runs argon2 with the very
/// parameters a real hash has and then fails the comparison, so it costs
/// what a real member's check costs. Made without hashing: hashing a dummy
/// password at start cost a whole argon2 run (116 M instructions, 7 % of a
/// start, and 19 MiB touched) before the server could listen, and gained
/// nothing, since the output is never meant to match.
fn dummy_hash(params: &Params) -> Result<String, PasswordError> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use argon2::password_hash::{Output, ParamsString};
    let failed = |e: argon2::password_hash::Error| PasswordError::Hashing(e.to_string());
    let salt = SaltString::generate(&mut OsRng);
    let mut output = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    OsRng.fill_bytes(&mut output);
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(failed)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output).map_err(failed)?),
    };
    Ok(phc.to_string())
}

impl Passwords {
    pub fn new(p: &Argon2Params) -> Result<Passwords, PasswordError> {
        let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)
            .map_err(|e| PasswordError::Hashing(e.to_string()))?;
        let width = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let dummy = Arc::new(dummy_hash(&params)?);
        Ok(Passwords { params, permits: Arc::new(Semaphore::new(width)), dummy })
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    fn hash_now(&self, password: &str) -> Result<String, PasswordError> {
        // argon2 0.5 takes a rand_core 0.6 RNG, so the OS generator comes from
        // its own re-export rather than from rand 0.10.
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        self.argon()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| PasswordError::Hashing(e.to_string()))
    }

    fn verify_now(&self, password: &str, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            // The parameters stored in the hash are used, so a change of
            // configuration does not lock anyone out.
            Ok(h) => self.argon().verify_password(password.as_bytes(), &h).is_ok(),
            Err(_) => false,
        }
    }

    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let _permit = self.permits.acquire().await.map_err(|e| PasswordError::Hashing(e.to_string()))?;
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.hash_now(&password))
            .await
            .map_err(|e| PasswordError::Hashing(e.to_string()))?
    }

    /// Checks `password` against `phc`, or against a dummy hash when there is
    /// no member, so both cases cost the same.
    pub async fn verify(&self, password: String, phc: Option<String>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let me = self.clone();
        let real = phc.is_some();
        let phc = phc.unwrap_or_else(|| me.dummy.as_ref().clone());
        let ok = tokio::task::spawn_blocking(move || me.verify_now(&password, &phc)).await.unwrap_or(false);
        ok && real
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> Passwords {
        Passwords::new(&Argon2Params { memory_kib: 8192, iterations: 1, parallelism: 1 }).unwrap()
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let p = quick();
        let h = p.hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(p.verify("correct horse".into(), Some(h.clone())).await);
        assert!(!p.verify("wrong horse!".into(), Some(h)).await);
        assert!(!p.verify("latchkey-dummy-password".into(), None).await);
    }

    /// The dummy that an unknown username is checked against looks to
    /// argon2 exactly like a real hash: same algorithm, version, parameters,
    /// salt and output lengths. So both checks do the same work.
    #[tokio::test]
    async fn the_dummy_hash_has_the_shape_and_cost_of_a_real_one() {
        let p = quick();
        let real = p.hash("correct horse".into()).await.unwrap();
        let (real, dummy) = (PasswordHash::new(&real).unwrap(), PasswordHash::new(&p.dummy).unwrap());
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(dummy.salt.map(|s| s.len()), real.salt.map(|s| s.len()));
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        assert_ne!(quick().dummy, p.dummy, "a random salt and output each time");
        assert!(!p.verify_now("latchkey-dummy-password", &p.dummy.clone()));
    }

    #[test]
    fn policy() {
        assert!(matches!(check_policy("short", "bob"), Err(PasswordError::TooShort)));
        assert!(matches!(check_policy("Alice12345", "alice12345"), Err(PasswordError::IsUsername)));
        assert!(check_policy("a long passphrase", "bob").is_ok());
    }
}
