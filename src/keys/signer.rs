//! Signing with keys parsed once. `SigningKey::sign` parses the PKCS#8
//! key on every call (for RSA that includes validating the key, which costs
//! more than the signature); the token endpoint signs on every request, so
//! the keyring keeps one `Signer` per active key.

use crate::keys::{Algorithm, KeyError, SigningKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use serde::Serialize;

enum Pair {
    Ed(Ed25519KeyPair),
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

pub struct Signer {
    pub kid: String,
    pub alg: Algorithm,
    pair: Pair,
    rng: SystemRandom,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("kid", &self.kid).field("alg", &self.alg).finish()
    }
}

impl Signer {
    pub fn new(key: &SigningKey) -> Result<Signer, KeyError> {
        let rng = SystemRandom::new();
        let der = key.private_der.as_slice();
        let bad = |_| KeyError::BadKey { kid: key.kid.clone(), alg: key.alg };
        let pair = match key.alg {
            Algorithm::EdDSA => Pair::Ed(Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(bad)?),
            Algorithm::ES256 => {
                Pair::Ec(EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng).map_err(bad)?)
            }
            Algorithm::RS256 => Pair::Rsa(RsaKeyPair::from_pkcs8(der).map_err(bad)?),
        };
        Ok(Signer { kid: key.kid.clone(), alg: key.alg, pair, rng })
    }

    /// A compact JWS with header `alg`, `kid` and `typ` (RFC 7515).
    pub fn sign(&self, typ: &str, claims: &impl Serialize) -> Result<String, KeyError> {
        #[derive(Serialize)]
        struct Header<'a> {
            alg: &'a str,
            kid: &'a str,
            typ: &'a str,
        }
        let header = serde_json::to_vec(&Header { alg: self.alg.as_str(), kid: &self.kid, typ })
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        let body = serde_json::to_vec(claims).map_err(|e| KeyError::Encode(e.to_string()))?;
        let mut out = URL_SAFE_NO_PAD.encode(header);
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(body));
        let sig = match &self.pair {
            Pair::Ed(p) => p.sign(out.as_bytes()).as_ref().to_vec(),
            Pair::Ec(p) => p
                .sign(&self.rng, out.as_bytes())
                .map_err(|_| KeyError::Encode("ECDSA signing failed".into()))?
                .as_ref()
                .to_vec(),
            Pair::Rsa(p) => {
                let mut sig = vec![0u8; p.public().modulus_len()];
                p.sign(&signature::RSA_PKCS1_SHA256, &self.rng, out.as_bytes(), &mut sig)
                    .map_err(|_| KeyError::Encode("RSA signing failed".into()))?;
                sig
            }
        };
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(sig));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{self, VerifyOptions};

    #[test]
    fn signatures_verify_with_the_published_keys() {
        for alg in [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256] {
            let key = SigningKey::generate(alg, "k1", 0).unwrap();
            let signer = Signer::new(&key).unwrap();
            let token = signer.sign("at+jwt", &serde_json::json!({"iss": "https://x", "exp": 100})).unwrap();
            let opts = VerifyOptions { now: 50, issuer: "https://x", audience: None, typ: Some("at+jwt"), leeway: 0 };
            let claims = keys::verify(&token, std::slice::from_ref(&key), &opts).unwrap();
            assert_eq!(claims["exp"], 100, "{alg:?}");
            let mut forged = token.clone();
            forged.pop();
            forged.push(if token.ends_with('A') { 'B' } else { 'A' });
            assert!(keys::verify(&forged, &[key], &opts).is_err(), "{alg:?}");
        }
    }
}
