//! Signing with keys parsed once. `SigningKey::sign` parses the PKCS#8
//! key on every call (for RSA that includes validating the key, which costs
//! more than the signature); the token endpoint signs on every request, so
//! the keyring keeps one `Signer` per active key.
//!
//! [`Signer::from_pem`] signs with a key some other service issued (an
//! FCM service account's RSA key, an APNs `.p8` key), so every JWT the
//! server makes goes through ring.

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

    /// A signer for a PEM private key: RS256 with PKCS#8 or PKCS#1 RSA,
    /// ES256 with PKCS#8 P-256 (with or without the public key inside, as
    /// Apple's `.p8` files may come). `kid` goes into the header unless it
    /// is empty.
    pub fn from_pem(alg: Algorithm, kid: &str, pem: &str) -> Result<Signer, KeyError> {
        use rustls_pki_types::PrivateKeyDer;
        use rustls_pki_types::pem::PemObject;
        let rng = SystemRandom::new();
        let bad = || KeyError::BadKey { kid: kid.to_string(), alg };
        let der = PrivateKeyDer::from_pem_slice(pem.trim().as_bytes()).map_err(|_| bad())?;
        let pair = match (alg, &der) {
            (Algorithm::RS256, PrivateKeyDer::Pkcs8(k)) => {
                Pair::Rsa(RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()).map_err(|_| bad())?)
            }
            (Algorithm::RS256, PrivateKeyDer::Pkcs1(k)) => {
                Pair::Rsa(RsaKeyPair::from_der(k.secret_pkcs1_der()).map_err(|_| bad())?)
            }
            (Algorithm::ES256, PrivateKeyDer::Pkcs8(k)) => {
                let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
                let pair = EcdsaKeyPair::from_pkcs8(alg, k.secret_pkcs8_der(), &rng).or_else(|_| {
                    // No public key in the file: derive it from the scalar.
                    use p256::pkcs8::DecodePrivateKey;
                    let secret = p256::SecretKey::from_pkcs8_der(k.secret_pkcs8_der()).map_err(|_| bad())?;
                    let public = secret.public_key().to_sec1_bytes();
                    EcdsaKeyPair::from_private_key_and_public_key(alg, &secret.to_bytes(), &public, &rng)
                        .map_err(|_| bad())
                })?;
                Pair::Ec(pair)
            }
            _ => return Err(bad()),
        };
        Ok(Signer { kid: kid.to_string(), alg, pair, rng })
    }

    /// A compact JWS with header `alg`, `kid` and `typ` (RFC 7515).
    pub fn sign(&self, typ: &str, claims: &impl Serialize) -> Result<String, KeyError> {
        #[derive(Serialize)]
        struct Header<'a> {
            alg: &'a str,
            #[serde(skip_serializing_if = "str::is_empty")]
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

    /// PEM keys as services hand them out, checked by an independent
    /// verifier (jsonwebtoken, a dev-dependency).
    #[test]
    fn pem_keys_sign_what_others_verify() {
        use jsonwebtoken::{DecodingKey, Validation, decode};
        use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let claims = serde_json::json!({"iss": "team", "iat": 1});
        let check = |token: &str, key: &DecodingKey, alg| {
            let mut v = Validation::new(alg);
            v.required_spec_claims.clear();
            v.validate_exp = false;
            decode::<serde_json::Value>(token, key, &v).map(|d| d.claims)
        };

        // ES256 with and without the public key in the PKCS#8 file.
        let secret = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let public = secret.public_key().to_public_key_pem(LineEnding::LF).unwrap();
        let decoding = DecodingKey::from_ec_pem(public.as_bytes()).unwrap();
        let with_public = secret.to_pkcs8_pem(LineEnding::LF).unwrap();
        for pem in [with_public.as_str(), &strip_public(&secret)] {
            let signer = Signer::from_pem(Algorithm::ES256, "ABC123DEFG", pem).unwrap();
            let token = signer.sign("JWT", &claims).unwrap();
            assert_eq!(check(&token, &decoding, jsonwebtoken::Algorithm::ES256).unwrap(), claims);
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(header.kid.as_deref(), Some("ABC123DEFG"));
        }

        // RS256 from PKCS#8 and PKCS#1, no kid.
        let key = SigningKey::generate(Algorithm::RS256, "k", 0).unwrap();
        let rsa = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_der(&key.private_der).unwrap();
        let pkcs8 = rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(&rsa, rsa::pkcs8::LineEnding::LF).unwrap();
        let pkcs1 = rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_pem(&rsa, rsa::pkcs8::LineEnding::LF).unwrap();
        let public =
            rsa::pkcs8::EncodePublicKey::to_public_key_pem(&rsa.to_public_key(), rsa::pkcs8::LineEnding::LF).unwrap();
        let decoding = DecodingKey::from_rsa_pem(public.as_bytes()).unwrap();
        for pem in [pkcs8.as_str(), pkcs1.as_str()] {
            let token = Signer::from_pem(Algorithm::RS256, "", pem).unwrap().sign("JWT", &claims).unwrap();
            assert_eq!(check(&token, &decoding, jsonwebtoken::Algorithm::RS256).unwrap(), claims);
            assert_eq!(jsonwebtoken::decode_header(&token).unwrap().kid, None);
        }

        // The wrong kind of key, or no key, is a clear error.
        assert!(Signer::from_pem(Algorithm::RS256, "", &with_public).is_err());
        assert!(Signer::from_pem(Algorithm::ES256, "", &pkcs8).is_err());
        assert!(Signer::from_pem(Algorithm::ES256, "", "not a key").is_err());
        assert!(Signer::from_pem(Algorithm::EdDSA, "", &with_public).is_err());
    }

    /// A PKCS#8 P-256 key without the optional public key (RFC 5915's
    /// `publicKey` left out), as some tools write `.p8` files.
    fn strip_public(secret: &p256::SecretKey) -> String {
        use base64::engine::general_purpose::STANDARD;
        // PrivateKeyInfo { version 0, id-ecPublicKey with prime256v1,
        // OCTET STRING { ECPrivateKey { version 1, privateKey } } }
        let mut ec = vec![0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20];
        ec.extend_from_slice(&secret.to_bytes());
        let mut der = vec![0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07];
        der.extend_from_slice(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08]);
        der.extend_from_slice(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27]);
        der.extend_from_slice(&ec);
        format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", STANDARD.encode(der))
    }
}
