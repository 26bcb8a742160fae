//! Tokens signed by someone else: a compact JWS checked against a JSON Web
//! Key set (RFC 7515, RFC 7517, RFC 7518, RFC 8037), as an OpenID provider
//! publishes at its `jwks_uri`. ring does the arithmetic.
//!
//! Only asymmetric algorithms are known here (never `none`, never a MAC:
//! a key set is public, so a MAC keyed with it proves nothing). The key is
//! chosen by the header's `kid` (any fitting key when there is none), and
//! must fit the algorithm: its `kty`/`crv`, its `alg` when it names one,
//! and `use` `sig` when it says. What the claims must say is the caller's
//! business; this returns them once the signature holds.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{
    self, ECDSA_P256_SHA256_FIXED, ECDSA_P384_SHA384_FIXED, ED25519, RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde_json::{Map, Value};

/// The algorithms a remote token may be signed with.
pub const ALGORITHMS: &[&str] = &["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwkError {
    #[error("it is not a signed JWT")]
    Malformed,
    #[error("it is signed with {0}, which latchkey does not accept")]
    Algorithm(String),
    #[error("its header names a critical extension latchkey does not understand")]
    Critical,
    #[error("it is signed with a key the provider does not publish")]
    NoKey,
    #[error("its signature does not verify with the provider's keys")]
    BadSignature,
}

/// A token's header, read before anything is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
}

/// The header of `token`, refusing unknown algorithms and critical
/// extensions.
pub fn header(token: &str) -> Result<Header, JwkError> {
    let first = token.split('.').next().ok_or(JwkError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD.decode(first).map_err(|_| JwkError::Malformed)?;
    let v: Map<String, Value> = serde_json::from_slice(&bytes).map_err(|_| JwkError::Malformed)?;
    let alg = v.get("alg").and_then(Value::as_str).ok_or(JwkError::Malformed)?;
    if !ALGORITHMS.contains(&alg) {
        return Err(JwkError::Algorithm(alg.chars().take(16).collect()));
    }
    if v.contains_key("crit") {
        return Err(JwkError::Critical);
    }
    let kid = match v.get("kid") {
        None => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => return Err(JwkError::Malformed),
    };
    Ok(Header { alg: alg.to_string(), kid })
}

/// Whether `set` holds a key that could have signed a token with `header`.
pub fn has_key(set: &Value, header: &Header) -> bool {
    candidates(set, header).next().is_some()
}

/// Checks `token`'s signature with the fitting key of `set` and returns its
/// claims (a JSON object).
pub fn verify(token: &str, set: &Value) -> Result<Map<String, Value>, JwkError> {
    let h = header(token)?;
    let mut parts = token.split('.');
    let (Some(head), Some(payload), Some(sig), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwkError::Malformed);
    };
    let signature = URL_SAFE_NO_PAD.decode(sig).map_err(|_| JwkError::Malformed)?;
    let message = &token.as_bytes()[..head.len() + 1 + payload.len()];
    let mut any = false;
    for key in candidates(set, &h) {
        any = true;
        if key_verifies(key, &h.alg, message, &signature) {
            let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| JwkError::Malformed)?;
            return serde_json::from_slice(&bytes).map_err(|_| JwkError::Malformed);
        }
    }
    Err(if any { JwkError::BadSignature } else { JwkError::NoKey })
}

/// The keys of `set` that fit `header`: its `kid` (when it names one), the
/// algorithm's key type and curve, the key's own `alg` and `use`.
fn candidates<'a>(set: &'a Value, header: &'a Header) -> impl Iterator<Item = &'a Map<String, Value>> + 'a {
    let keys = set.get("keys").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    keys.iter().filter_map(Value::as_object).filter(move |k| {
        let s = |name: &str| k.get(name).and_then(Value::as_str);
        let kid_ok = header.kid.as_deref().is_none_or(|kid| s("kid") == Some(kid));
        let alg_ok = s("alg").is_none_or(|a| a == header.alg);
        let use_ok = s("use").is_none_or(|u| u == "sig");
        let type_ok = match header.alg.as_str() {
            "ES256" => s("kty") == Some("EC") && s("crv") == Some("P-256"),
            "ES384" => s("kty") == Some("EC") && s("crv") == Some("P-384"),
            "EdDSA" => s("kty") == Some("OKP") && s("crv") == Some("Ed25519"),
            _ => s("kty") == Some("RSA"),
        };
        kid_ok && alg_ok && use_ok && type_ok
    })
}

fn key_verifies(key: &Map<String, Value>, alg: &str, message: &[u8], sig: &[u8]) -> bool {
    let part = |name: &str| key.get(name).and_then(Value::as_str).and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
    let rsa = |params: &'static signature::RsaParameters| match (part("n"), part("e")) {
        (Some(n), Some(e)) => RsaPublicKeyComponents { n, e }.verify(params, message, sig).is_ok(),
        _ => false,
    };
    let ec = |params: &'static signature::EcdsaVerificationAlgorithm, len: usize| match (part("x"), part("y")) {
        (Some(x), Some(y)) if x.len() == len && y.len() == len => {
            let point = [&[0x04][..], &x, &y].concat();
            UnparsedPublicKey::new(params, point).verify(message, sig).is_ok()
        }
        _ => false,
    };
    match alg {
        "RS256" => rsa(&signature::RSA_PKCS1_2048_8192_SHA256),
        "RS384" => rsa(&signature::RSA_PKCS1_2048_8192_SHA384),
        "RS512" => rsa(&signature::RSA_PKCS1_2048_8192_SHA512),
        "PS256" => rsa(&signature::RSA_PSS_2048_8192_SHA256),
        "PS384" => rsa(&signature::RSA_PSS_2048_8192_SHA384),
        "PS512" => rsa(&signature::RSA_PSS_2048_8192_SHA512),
        "ES256" => ec(&ECDSA_P256_SHA256_FIXED, 32),
        "ES384" => ec(&ECDSA_P384_SHA384_FIXED, 48),
        "EdDSA" => part("x").is_some_and(|x| UnparsedPublicKey::new(&ED25519, x).verify(message, sig).is_ok()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{Algorithm, SigningKey};
    use serde_json::json;

    fn set_of(keys: &[&SigningKey]) -> Value {
        json!({"keys": keys.iter().map(|k| k.public_jwk().unwrap()).collect::<Vec<_>>()})
    }

    #[test]
    fn tokens_of_each_algorithm_verify_against_the_published_set() {
        let claims = json!({"iss": "https://op.example", "sub": "u1"});
        for alg in Algorithm::ALL {
            let k = SigningKey::generate(alg, format!("k-{alg}"), 0).unwrap();
            let other = SigningKey::generate(alg, format!("o-{alg}"), 0).unwrap();
            let set = set_of(&[&other, &k]);
            let token = k.sign("JWT", &claims).unwrap();
            assert_eq!(Value::Object(verify(&token, &set).unwrap()), claims, "{alg}");
            // The same key id in a set of another key: a bad signature.
            let mut swapped = other.public_jwk().unwrap();
            swapped["kid"] = json!(k.kid);
            assert_eq!(verify(&token, &json!({"keys": [swapped]})), Err(JwkError::BadSignature), "{alg}");
            // Not in the set at all.
            assert_eq!(verify(&token, &set_of(&[&other])), Err(JwkError::NoKey), "{alg}");
            // A tampered payload.
            let mut parts: Vec<&str> = token.split('.').collect();
            let evil = URL_SAFE_NO_PAD.encode(br#"{"iss":"https://op.example","sub":"admin"}"#);
            parts[1] = &evil;
            assert_eq!(verify(&parts.join("."), &set), Err(JwkError::BadSignature), "{alg}");
        }
    }

    /// Tokens signed by another implementation (jsonwebtoken, a
    /// dev-dependency) with algorithms latchkey never signs with itself.
    #[test]
    fn other_signers_rsa_pss_and_p384_verify() {
        use jsonwebtoken::{EncodingKey, Header as JwtHeader, encode};
        let rsa = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
        let der = rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_der(&rsa).unwrap();
        let n = URL_SAFE_NO_PAD.encode(rsa::traits::PublicKeyParts::n(&rsa).to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(rsa::traits::PublicKeyParts::e(&rsa).to_bytes_be());
        let set = json!({"keys": [{"kty": "RSA", "kid": "r1", "n": n, "e": e}]});
        for alg in [
            jsonwebtoken::Algorithm::RS384,
            jsonwebtoken::Algorithm::RS512,
            jsonwebtoken::Algorithm::PS256,
            jsonwebtoken::Algorithm::PS512,
        ] {
            let mut h = JwtHeader::new(alg);
            h.kid = Some("r1".into());
            let token = encode(&h, &json!({"sub": "x"}), &EncodingKey::from_rsa_der(der.as_bytes())).unwrap();
            assert_eq!(verify(&token, &set).unwrap()["sub"], "x", "{alg:?}");
        }

        let ec = p384_key();
        let token = encode(
            &JwtHeader::new(jsonwebtoken::Algorithm::ES384),
            &json!({"sub": "y"}),
            &EncodingKey::from_ec_der(&ec.0),
        )
        .unwrap();
        assert_eq!(verify(&token, &ec.1).unwrap()["sub"], "y");
    }

    /// A P-384 key as PKCS#8 DER and its key set, made by ring.
    fn p384_key() -> (Vec<u8>, Value) {
        use ring::signature::{ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        let rng = ring::rand::SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, der.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref();
        let (x, y) = point[1..].split_at(48);
        let jwk = json!({"kty": "EC", "crv": "P-384", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)});
        (der.as_ref().to_vec(), json!({"keys": [jwk]}))
    }

    #[test]
    fn refusals_before_any_signature() {
        let k = SigningKey::generate(Algorithm::EdDSA, "k", 0).unwrap();
        let set = set_of(&[&k]);
        let forge =
            |header: Value| format!("{}.{}.", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode("{}"));
        assert_eq!(verify(&forge(json!({"alg": "none"})), &set), Err(JwkError::Algorithm("none".into())));
        assert_eq!(verify(&forge(json!({"alg": "HS256", "kid": "k"})), &set), Err(JwkError::Algorithm("HS256".into())));
        assert_eq!(verify(&forge(json!({"alg": "EdDSA", "crit": ["b64"]})), &set), Err(JwkError::Critical));
        assert_eq!(verify(&forge(json!({"alg": "EdDSA", "kid": 7})), &set), Err(JwkError::Malformed));
        // A key of another type under the token's kid: no fitting key.
        assert_eq!(verify(&forge(json!({"alg": "RS256", "kid": "k"})), &set), Err(JwkError::NoKey));
        for junk in ["", "a", "a.b", "a.b.c.d", "!!.e30.", "e30.e30.e30"] {
            assert!(verify(junk, &set).is_err(), "{junk}");
        }
        // A key reserved for encryption, or for another algorithm, is not used.
        let token = k.sign("JWT", &json!({})).unwrap();
        let mut jwk = k.public_jwk().unwrap();
        jwk["use"] = json!("enc");
        assert_eq!(verify(&token, &json!({"keys": [jwk.clone()]})), Err(JwkError::NoKey));
        jwk["use"] = json!("sig");
        jwk["alg"] = json!("ES256");
        assert_eq!(verify(&token, &json!({"keys": [jwk]})), Err(JwkError::NoKey));
        assert!(verify(&token, &json!({})).is_err());
        assert!(verify(&token, &json!({"keys": "no"})).is_err());
    }
}
