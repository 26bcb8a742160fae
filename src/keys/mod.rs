//! JWT signing keys: making them, publishing their public halves as a JWKS
//! (RFC 7517, RFC 8037), signing ID tokens and `at+jwt` access tokens, and
//! verifying those tokens again, plus the OpenID Connect `at_hash`/`c_hash`.
//!
//! A key is plain data (`SigningKey`) so the store can keep it and rotation
//! can keep old keys published until their tokens expire; everything here
//! derives what it needs from the PKCS#8 bytes on demand. Time comes in as a
//! parameter: the verifier never reads the clock.
//!
//! `signer` holds a parsed key ready to sign; `keyring` is the set in use
//! (loaded from the store at start, rotated by `latchkey keys rotate`).

pub mod jwk;
pub mod keyring;
pub mod signer;
pub mod vapid;

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair, Ed25519KeyPair, KeyPair,
    RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey,
};
use rsa::pkcs8::EncodePrivateKey;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

/// RSA keys are made at the size RFC 7518 §3.3 requires as a minimum; it is
/// only offered for old clients, so bigger keys would just be slower.
const RSA_BITS: usize = 2048;

/// The JWS algorithms latchkey signs with (RFC 7518, RFC 8037). The variant
/// names are the JWA identifiers, which is also how they are stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    /// Ed25519: small keys, fast, deterministic signatures. The default.
    #[default]
    EdDSA,
    /// ECDSA on P-256 with SHA-256, for clients without Ed25519.
    ES256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, the one algorithm every OpenID
    /// Connect client must support.
    RS256,
}

impl Algorithm {
    pub const ALL: [Algorithm; 3] = [Self::EdDSA, Self::ES256, Self::RS256];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EdDSA => "EdDSA",
            Self::ES256 => "ES256",
            Self::RS256 => "RS256",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| KeyError::UnknownAlgorithm(s.chars().take(16).collect()))
    }
}

/// What went wrong with a key or a token. `is_invalid_token` separates a bad
/// token (the caller answers `invalid_token`) from a server-side problem.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("unknown signing algorithm '{0}' (expected EdDSA, ES256 or RS256)")]
    UnknownAlgorithm(String),
    #[error("could not generate a {0} key")]
    Generate(Algorithm),
    #[error("signing key {kid} does not hold a valid {alg} PKCS#8 private key")]
    BadKey { kid: String, alg: Algorithm },
    #[error("could not sign the token: {0}")]
    Encode(String),
    #[error("the token is not a well-formed JWS")]
    Malformed,
    #[error("the token header uses a critical extension this server does not understand")]
    CriticalHeader,
    #[error("the token header names no key (kid)")]
    MissingKid,
    #[error("the token was signed with a key this server does not have")]
    UnknownKid,
    #[error("the token's algorithm is not its key's algorithm")]
    AlgorithmMismatch,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token has the wrong type (typ)")]
    WrongType,
    #[error("the token has no expiry (exp)")]
    MissingExpiry,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was issued by someone else")]
    WrongIssuer,
    #[error("the token is meant for someone else (aud)")]
    WrongAudience,
}

impl KeyError {
    /// True when the token, not the server, is at fault.
    pub fn is_invalid_token(&self) -> bool {
        !matches!(self, Self::UnknownAlgorithm(_) | Self::Generate(_) | Self::BadKey { .. } | Self::Encode(_))
    }
}

/// A signing key as stored: the private key in PKCS#8 DER, whatever the
/// algorithm, so one field serves all three.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKey {
    pub kid: String,
    pub alg: Algorithm,
    pub private_der: Vec<u8>,
    /// Unix seconds; rotation picks the newest key per algorithm.
    pub created_at: i64,
}

/// Keeps private key bytes out of logs.
impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("private_der", &format_args!("<{} bytes>", self.private_der.len()))
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// The public half in the shape each JWK and each verifier needs.
enum PublicKey {
    Ed25519(Vec<u8>),
    /// The uncompressed SEC1 point, `0x04 || x || y`.
    P256(Vec<u8>),
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

impl SigningKey {
    /// Makes a fresh key. Ed25519 and P-256 come from ring; RSA from the
    /// `rsa` crate, because ring cannot generate RSA keys.
    pub fn generate(alg: Algorithm, kid: impl Into<String>, created_at: i64) -> Result<SigningKey, KeyError> {
        let rng = SystemRandom::new();
        let failed = |_| KeyError::Generate(alg);
        let private_der = match alg {
            Algorithm::EdDSA => Ed25519KeyPair::generate_pkcs8(&rng).map_err(failed)?.as_ref().to_vec(),
            Algorithm::ES256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(failed)?.as_ref().to_vec()
            }
            Algorithm::RS256 => {
                // rsa 0.9 takes a rand_core 0.6 RNG: the OS generator from its re-export.
                let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS)
                    .map_err(|_| KeyError::Generate(alg))?;
                key.to_pkcs8_der().map_err(|_| KeyError::Generate(alg))?.as_bytes().to_vec()
            }
        };
        Ok(SigningKey { kid: kid.into(), alg, private_der, created_at })
    }

    fn bad_key(&self) -> KeyError {
        KeyError::BadKey { kid: self.kid.clone(), alg: self.alg }
    }

    /// The PKCS#1 `RSAPrivateKey` inside the PKCS#8 wrapper, where the
    /// modulus and the public exponent are. No bignum parsing needed:
    /// PKCS#8 just carries it as an octet string.
    fn rsa_pkcs1(&self) -> Result<&[u8], KeyError> {
        let info = rsa::pkcs8::PrivateKeyInfo::try_from(self.private_der.as_slice()).map_err(|_| self.bad_key())?;
        if info.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(self.bad_key());
        }
        Ok(info.private_key)
    }

    fn public_key(&self) -> Result<PublicKey, KeyError> {
        match self.alg {
            Algorithm::EdDSA => Ed25519KeyPair::from_pkcs8_maybe_unchecked(&self.private_der)
                .map(|pair| PublicKey::Ed25519(pair.public_key().as_ref().to_vec()))
                .map_err(|_| self.bad_key()),
            Algorithm::ES256 => {
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &self.private_der, &SystemRandom::new())
                    .map(|pair| PublicKey::P256(pair.public_key().as_ref().to_vec()))
                    .map_err(|_| self.bad_key())
            }
            Algorithm::RS256 => {
                let key = rsa::pkcs1::RsaPrivateKey::try_from(self.rsa_pkcs1()?).map_err(|_| self.bad_key())?;
                Ok(PublicKey::Rsa { n: key.modulus.as_bytes().to_vec(), e: key.public_exponent.as_bytes().to_vec() })
            }
        }
    }

    /// The public JWK: OKP/Ed25519 (RFC 8037 §2), EC/P-256 or RSA
    /// (RFC 7518 §6), each with `kid`, `alg` and `use: "sig"`.
    pub fn public_jwk(&self) -> Result<Value, KeyError> {
        let mut jwk = match self.public_key()? {
            PublicKey::Ed25519(x) => json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&x)}),
            PublicKey::P256(point) => {
                let (x, y) = split_point(&point).ok_or_else(|| self.bad_key())?;
                json!({"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y)})
            }
            PublicKey::Rsa { n, e } => json!({"kty": "RSA", "n": b64(&n), "e": b64(&e)}),
        };
        jwk["kid"] = json!(self.kid);
        jwk["alg"] = json!(self.alg.as_str());
        jwk["use"] = json!("sig");
        Ok(jwk)
    }

    /// Signs `claims` as a compact JWS with header `{alg, kid, typ}`;
    /// `header_typ` is `"JWT"` for ID tokens and `"at+jwt"` for RFC 9068
    /// access tokens. Parses the key first: what signs often keeps a
    /// [`signer::Signer`] instead.
    pub fn sign(&self, header_typ: &str, claims: &impl Serialize) -> Result<String, KeyError> {
        signer::Signer::new(self)?.sign(header_typ, claims)
    }
}

/// Checks `signature` over `message` with a public key as [`PublicKey`]
/// holds it: ring's verifiers, for exactly the key's algorithm.
fn signature_ok(key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    match key {
        PublicKey::Ed25519(x) => UnparsedPublicKey::new(&ED25519, x).verify(message, signature).is_ok(),
        PublicKey::P256(point) => {
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point).verify(message, signature).is_ok()
        }
        PublicKey::Rsa { n, e } => {
            RsaPublicKeyComponents { n, e }.verify(&RSA_PKCS1_2048_8192_SHA256, message, signature).is_ok()
        }
    }
}

fn split_point(point: &[u8]) -> Option<(&[u8], &[u8])> {
    match point {
        [0x04, xy @ ..] if xy.len() == 64 => Some(xy.split_at(32)),
        _ => None,
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh key id: 128 random bits, base64url, so ids never collide across
/// rotations and reveal nothing about when or how a key was made.
pub fn generate_kid() -> String {
    b64(&rand::random::<[u8; 16]>())
}

/// The key new tokens of `alg` are signed with: the newest one. Older keys
/// stay in the list (and in the JWKS) until their tokens have expired.
pub fn newest(keys: &[SigningKey], alg: Algorithm) -> Option<&SigningKey> {
    keys.iter().filter(|k| k.alg == alg).max_by(|a, b| (a.created_at, &a.kid).cmp(&(b.created_at, &b.kid)))
}

/// The document served at `/oauth2/jwks`: `{"keys": [...]}`.
pub fn jwks(keys: &[SigningKey]) -> Result<Value, KeyError> {
    let keys = keys.iter().map(SigningKey::public_jwk).collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "keys": keys }))
}

/// What `verify` checks besides the signature. Every field is explicit so a
/// caller cannot forget one by relying on a default.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// Unix seconds, from the caller's clock.
    pub now: i64,
    /// The `iss` the token must carry: this server's public URL.
    pub issuer: &'a str,
    /// When set, `aud` must be this string or an array containing it.
    pub audience: Option<&'a str>,
    /// When set, the header `typ` must be this (RFC 9068 §4: resource servers
    /// must insist on `at+jwt`, so an ID token cannot pass as an access
    /// token). Compared case-insensitively, `application/` optional
    /// (RFC 7515 §4.1.9).
    pub typ: Option<&'a str>,
    /// Seconds of clock skew forgiven on `exp` and `nbf`.
    pub leeway: i64,
}

/// The parts of the header this verifier looks at before trusting anything.
#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
    crit: Option<Value>,
}

/// Verifies a compact JWS issued by this server and returns its claims.
///
/// The key is chosen by the header's `kid` among `keys`, and the token must
/// use exactly that key's algorithm: `none`, HMAC with a public key as the
/// secret, or any other algorithm the token asks for is refused before a
/// signature is even looked at.
pub fn verify(token: &str, keys: &[SigningKey], options: &VerifyOptions<'_>) -> Result<Value, KeyError> {
    verify_cached(token, &PublicKeys::new(keys), options)
}

/// The public halves of signing keys, derived once: deriving them costs more
/// than checking a signature, and the API checks one per request.
#[derive(Default)]
pub struct PublicKeys {
    keys: Vec<(String, Algorithm, PublicKey)>,
}

impl PublicKeys {
    /// Keys whose public half cannot be derived are left out (and so refuse
    /// every token that names them).
    pub fn new(keys: &[SigningKey]) -> PublicKeys {
        PublicKeys {
            keys: keys.iter().filter_map(|k| k.public_key().ok().map(|p| (k.kid.clone(), k.alg, p))).collect(),
        }
    }
}

/// `verify` with the public keys already derived.
pub fn verify_cached(token: &str, keys: &PublicKeys, options: &VerifyOptions<'_>) -> Result<Value, KeyError> {
    let (signed, signature) = token.rsplit_once('.').ok_or(KeyError::Malformed)?;
    let header = parse_header(token)?;
    // RFC 7515 §4.1.11: a recipient that does not understand a critical
    // extension must reject the token; we understand none.
    if header.crit.is_some() {
        return Err(KeyError::CriticalHeader);
    }
    let kid = header.kid.ok_or(KeyError::MissingKid)?;
    let (_, alg, public) = keys.keys.iter().find(|(k, _, _)| *k == kid).ok_or(KeyError::UnknownKid)?;
    if header.alg != alg.as_str() {
        return Err(KeyError::AlgorithmMismatch);
    }
    if let Some(expected) = options.typ {
        match header.typ.as_deref() {
            Some(typ) if media_type_eq(typ, expected) => {}
            _ => return Err(KeyError::WrongType),
        }
    }

    // The signature over `header.payload` (RFC 7515 §5.2), before the
    // payload is even decoded; then the claims, with the caller's clock.
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| KeyError::Malformed)?;
    if !signature_ok(public, signed.as_bytes(), &signature) {
        return Err(KeyError::BadSignature);
    }
    let payload = signed.split_once('.').map(|(_, p)| p).ok_or(KeyError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| KeyError::Malformed)?;
    let claims: Value = serde_json::from_slice(&bytes).map_err(|_| KeyError::Malformed)?;
    check_claims(&claims, options)?;
    Ok(claims)
}

fn parse_header(token: &str) -> Result<RawHeader, KeyError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(KeyError::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| KeyError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| KeyError::Malformed)
}

fn media_type_eq(actual: &str, expected: &str) -> bool {
    fn short(t: &str) -> String {
        let t = t.to_ascii_lowercase();
        match t.strip_prefix("application/") {
            Some(rest) => rest.to_owned(),
            None => t,
        }
    }
    short(actual) == short(expected)
}

fn check_claims(claims: &Value, options: &VerifyOptions<'_>) -> Result<(), KeyError> {
    if !claims.is_object() {
        return Err(KeyError::Malformed);
    }
    let exp = numeric_date(claims, "exp")?.ok_or(KeyError::MissingExpiry)?;
    // RFC 7519 §4.1.4: the current time must be *before* exp.
    if options.now >= exp.saturating_add(options.leeway) {
        return Err(KeyError::Expired);
    }
    if let Some(nbf) = numeric_date(claims, "nbf")? {
        if options.now.saturating_add(options.leeway) < nbf {
            return Err(KeyError::NotYetValid);
        }
    }
    if claims.get("iss").and_then(Value::as_str) != Some(options.issuer) {
        return Err(KeyError::WrongIssuer);
    }
    if let Some(expected) = options.audience {
        let ok = match claims.get("aud") {
            Some(Value::String(aud)) => aud == expected,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(expected)),
            _ => false,
        };
        if !ok {
            return Err(KeyError::WrongAudience);
        }
    }
    Ok(())
}

/// A NumericDate claim (RFC 7519 §2), which may be fractional; fractions are
/// dropped, erring towards expiring early.
fn numeric_date(claims: &Value, name: &str) -> Result<Option<i64>, KeyError> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or(KeyError::Malformed),
    }
}

/// The `at_hash` claim of an ID token (OpenID Connect Core §3.1.3.6).
pub fn at_hash(alg: Algorithm, access_token: &str) -> String {
    token_hash(alg, access_token)
}

/// The `c_hash` claim of an ID token (OpenID Connect Core §3.3.2.11).
pub fn c_hash(alg: Algorithm, code: &str) -> String {
    token_hash(alg, code)
}

/// Base64url of the left half of the hash of the ASCII value, with "the hash
/// algorithm used in the alg header" of the ID token.
///
/// For ES256 and RS256 that is SHA-256. `EdDSA` names no hash of its own;
/// the OpenID Connect working group settled it (connect issue #1125,
/// 25 Nov 2019, since written up in the "OpenID Connect Token Hash
/// Algorithms" implementer's guide) as the hash Ed25519 uses internally,
/// SHA-512, so the left half is 256 bits. Client libraries that check it
/// (panva's oidc-token-hash, openidconnect-rs, zitadel/oidc, Keycloak) do the
/// same; the test vector below comes from oidc-token-hash.
fn token_hash(alg: Algorithm, value: &str) -> String {
    match alg {
        Algorithm::EdDSA => b64(&Sha512::digest(value.as_bytes())[..32]),
        Algorithm::ES256 | Algorithm::RS256 => b64(&Sha256::digest(value.as_bytes())[..16]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // An independent implementation checks ours: jsonwebtoken (with its
    // RustCrypto backend) is a dev-dependency only.
    use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};

    fn jwt_alg(alg: Algorithm) -> jsonwebtoken::Algorithm {
        match alg {
            Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
            Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
            Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
        }
    }

    const ISS: &str = "https://id.example";
    /// 2100-01-01, so tokens checked by jsonwebtoken's own clock stay valid.
    const FAR: i64 = 4_102_444_800;
    const NOW: i64 = 1_700_000_000;
    #[rustfmt::skip]
    const OPTS: VerifyOptions<'static> =
        VerifyOptions { now: NOW, issuer: ISS, audience: None, typ: None, leeway: 0 };

    /// `OPTS` with one thing changed, without rustfmt's tall struct literals.
    fn opts(change: impl FnOnce(&mut VerifyOptions<'static>)) -> VerifyOptions<'static> {
        let mut o = OPTS;
        change(&mut o);
        o
    }

    /// `verify` must fail with the given variant.
    macro_rules! refuses {
        ($token:expr, $keys:expr, $opts:expr, $want:pat) => {
            let got = verify(&$token, $keys, &$opts);
            assert!(matches!(got, Err($want)), "{got:?}");
        };
    }

    fn claims() -> Value {
        json!({"iss": ISS, "sub": "42", "aud": "client-1", "exp": FAR, "iat": NOW})
    }

    fn key(alg: Algorithm) -> SigningKey {
        SigningKey::generate(alg, generate_kid(), NOW).unwrap()
    }

    fn forge(header: &Value, claims: &Value, signature: &str) -> String {
        let (h, c) = (header.to_string(), claims.to_string());
        format!("{}.{}.{signature}", b64(h.as_bytes()), b64(c.as_bytes()))
    }

    fn parts(token: &str) -> Vec<String> {
        token.split('.').map(str::to_owned).collect()
    }

    /// Everything one algorithm must do; RSA keys are slow to make, so each
    /// algorithm gets one key and one pass.
    fn round_trip(alg: Algorithm) {
        let k = key(alg);
        let one = std::slice::from_ref(&k);
        let token = k.sign("at+jwt", &claims()).unwrap();
        assert_eq!(verify(&token, one, &OPTS).unwrap(), claims());

        let header = parse_header(&token).unwrap();
        assert_eq!(header.alg, alg.as_str());
        assert_eq!(header.kid.as_deref(), Some(k.kid.as_str()));
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));

        // A tampered payload or signature is refused.
        let p = parts(&token);
        let evil = forge(&json!({}), &json!({"iss": ISS, "exp": FAR}), "");
        let evil = parts(&evil)[1].clone();
        let tampered = format!("{}.{evil}.{}", p[0], p[2]);
        refuses!(tampered, one, OPTS, KeyError::BadSignature);
        let mut sig = URL_SAFE_NO_PAD.decode(&p[2]).unwrap();
        sig[5] ^= 1;
        let bad_sig = format!("{}.{}.{}", p[0], p[1], b64(&sig));
        refuses!(bad_sig, one, OPTS, KeyError::BadSignature);

        // The published JWK alone verifies the signature, with jsonwebtoken
        // and no code of ours: the JWKS is what clients will use.
        let jwk = k.public_jwk().unwrap();
        let s = |name: &str| jwk[name].as_str().unwrap().to_owned();
        let len = |name: &str| URL_SAFE_NO_PAD.decode(s(name)).unwrap().len();
        assert_eq!((s("kid"), s("alg"), s("use")), (k.kid.clone(), alg.to_string(), "sig".into()));
        assert!(jwk.get("d").is_none(), "no private parts");
        let decoding = match alg {
            Algorithm::EdDSA => {
                assert_eq!((s("kty"), s("crv"), len("x")), ("OKP".into(), "Ed25519".into(), 32));
                DecodingKey::from_ed_components(&s("x")).unwrap()
            }
            Algorithm::ES256 => {
                assert_eq!((s("kty"), s("crv"), len("x")), ("EC".into(), "P-256".into(), 32));
                assert_eq!(len("y"), 32);
                DecodingKey::from_ec_components(&s("x"), &s("y")).unwrap()
            }
            Algorithm::RS256 => {
                // 256 octets: no leading zero octet (RFC 7518 §6.3.1.1).
                assert_eq!((s("kty"), len("n"), s("e")), ("RSA".into(), 256, "AQAB".into()));
                assert!(jwk.get("p").is_none());
                DecodingKey::from_rsa_components(&s("n"), &s("e")).unwrap()
            }
        };
        let mut validation = Validation::new(jwt_alg(alg));
        validation.set_audience(&["client-1"]);
        validation.set_issuer(&[ISS]);
        let independent = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).unwrap();
        assert_eq!(independent.claims, claims());
        assert!(jsonwebtoken::decode::<Value>(&tampered, &decoding, &validation).is_err());
        assert_eq!(jwks(one).unwrap(), json!({"keys": [jwk]}));

        // Stored and read back, it still signs tokens the original verifies.
        let back: SigningKey = serde_json::from_str(&serde_json::to_string(&k).unwrap()).unwrap();
        assert_eq!(back, k);
        assert!(verify(&back.sign("JWT", &claims()).unwrap(), one, &OPTS).is_ok());
    }

    #[test]
    fn eddsa_round_trip() {
        round_trip(Algorithm::EdDSA);
    }

    #[test]
    fn es256_round_trip() {
        round_trip(Algorithm::ES256);
    }

    #[test]
    fn rs256_round_trip() {
        round_trip(Algorithm::RS256);
    }

    #[test]
    fn key_is_chosen_by_kid() {
        let a = key(Algorithm::EdDSA);
        let b = key(Algorithm::EdDSA);
        let es = key(Algorithm::ES256);
        let keys = [a.clone(), b.clone(), es.clone()];
        for k in &keys {
            let token = k.sign("JWT", &claims()).unwrap();
            assert!(verify(&token, &keys, &OPTS).is_ok(), "{}", k.alg);
        }
        let token = a.sign("JWT", &claims()).unwrap();
        refuses!(token, &[b.clone(), es.clone()], OPTS, KeyError::UnknownKid);
        refuses!(token, &[], OPTS, KeyError::UnknownKid);
        // Another key under the same kid does not verify it.
        let mut impostor = b.clone();
        impostor.kid = a.kid.clone();
        refuses!(token, &[impostor], OPTS, KeyError::BadSignature);
        // A token whose alg is not its key's alg is refused outright.
        let es_token = es.sign("JWT", &claims()).unwrap();
        let mut renamed = a.clone();
        renamed.kid = es.kid.clone();
        refuses!(es_token, &[renamed], OPTS, KeyError::AlgorithmMismatch);
    }

    #[test]
    fn missing_kid_is_refused() {
        let token = forge(&json!({"alg": "EdDSA", "typ": "JWT"}), &claims(), "AAAA");
        refuses!(token, &[key(Algorithm::EdDSA)], OPTS, KeyError::MissingKid);
    }

    #[test]
    fn alg_none_is_refused() {
        let k = key(Algorithm::EdDSA);
        let one = std::slice::from_ref(&k);
        for sig in ["", "AAAA"] {
            let header = json!({"alg": "none", "kid": k.kid, "typ": "JWT"});
            let token = forge(&header, &claims(), sig);
            refuses!(token, one, OPTS, KeyError::AlgorithmMismatch);
        }
        // Nor does stripping the signature from a real token work.
        let p = parts(&k.sign("JWT", &claims()).unwrap());
        assert!(verify(&format!("{}.{}.", p[0], p[1]), one, &OPTS).is_err());
    }

    #[test]
    fn hmac_with_the_public_key_is_refused() {
        // The classic confusion: sign HS256 using the published key as the
        // secret, hoping the verifier takes the algorithm from the header.
        let k = key(Algorithm::EdDSA);
        let x = k.public_jwk().unwrap()["x"].as_str().unwrap().to_owned();
        let secret = EncodingKey::from_secret(&URL_SAFE_NO_PAD.decode(x).unwrap()).unwrap();
        let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some(k.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims(), &secret).unwrap();
        refuses!(token, &[k], OPTS, KeyError::AlgorithmMismatch);
    }

    #[test]
    fn malformed_tokens() {
        let k = key(Algorithm::EdDSA);
        let one = std::slice::from_ref(&k);
        let good = k.sign("JWT", &claims()).unwrap();
        let p = parts(&good);
        for bad in [
            String::new(),
            "a.b".to_owned(),
            format!("{good}.extra"),
            format!("!!.{}.{}", p[1], p[2]),
            format!("{}.{}.{}", b64(b"not json"), p[1], p[2]),
        ] {
            refuses!(bad, one, OPTS, KeyError::Malformed);
        }
        let crit = json!({"alg": "EdDSA", "kid": k.kid, "crit": ["exp"], "exp": 1});
        let token = forge(&crit, &claims(), &p[2]);
        refuses!(token, one, OPTS, KeyError::CriticalHeader);
    }

    #[test]
    fn time_issuer_audience_and_type() {
        let k = key(Algorithm::EdDSA);
        let one = std::slice::from_ref(&k);
        let with = |c: Value| k.sign("at+jwt", &c).unwrap();

        let exp_now = with(json!({"iss": ISS, "exp": NOW}));
        refuses!(exp_now, one, OPTS, KeyError::Expired);
        assert!(verify(&exp_now, one, &opts(|o| o.leeway = 30)).is_ok());
        let fractional = with(json!({"iss": ISS, "exp": NOW as f64 + 0.5}));
        refuses!(fractional, one, OPTS, KeyError::Expired);
        let no_exp = with(json!({"iss": ISS}));
        refuses!(no_exp, one, OPTS, KeyError::MissingExpiry);
        let text_exp = with(json!({"iss": ISS, "exp": "soon"}));
        refuses!(text_exp, one, OPTS, KeyError::Malformed);
        let early = with(json!({"iss": ISS, "exp": FAR, "nbf": NOW + 10}));
        refuses!(early, one, OPTS, KeyError::NotYetValid);
        assert!(verify(&early, one, &opts(|o| o.now = NOW + 10)).is_ok());

        let other_iss = with(json!({"iss": "https://evil.example", "exp": FAR}));
        refuses!(other_iss, one, OPTS, KeyError::WrongIssuer);
        let no_iss = with(json!({"exp": FAR}));
        refuses!(no_iss, one, OPTS, KeyError::WrongIssuer);

        let aud = |a: &'static str| opts(|o| o.audience = Some(a));
        let single = with(claims());
        assert!(verify(&single, one, &aud("client-1")).is_ok());
        refuses!(single, one, aud("client-2"), KeyError::WrongAudience);
        let many = with(json!({"iss": ISS, "exp": FAR, "aud": ["a", "client-2"]}));
        assert!(verify(&many, one, &aud("client-2")).is_ok());
        refuses!(many, one, aud("client-1"), KeyError::WrongAudience);
        let no_aud = with(json!({"iss": ISS, "exp": FAR}));
        refuses!(no_aud, one, aud("a"), KeyError::WrongAudience);

        let typ = |t: &'static str| opts(|o| o.typ = Some(t));
        assert!(verify(&single, one, &typ("at+jwt")).is_ok());
        assert!(verify(&single, one, &typ("application/AT+JWT")).is_ok());
        let id_token = k.sign("JWT", &claims()).unwrap();
        refuses!(id_token, one, typ("at+jwt"), KeyError::WrongType);
    }

    #[test]
    fn broken_keys_are_server_errors() {
        assert!(KeyError::BadSignature.is_invalid_token());
        assert!(!KeyError::Generate(Algorithm::RS256).is_invalid_token());
        let mut broken = key(Algorithm::ES256);
        broken.private_der = vec![0x30, 0x00];
        let err = broken.sign("JWT", &claims()).unwrap_err();
        assert!(!err.is_invalid_token(), "{err}");
        assert!(matches!(broken.public_jwk(), Err(KeyError::BadKey { .. })));
        assert!(jwks(std::slice::from_ref(&broken)).is_err());
        // A key stored under the wrong algorithm is caught, not misused.
        let mut mislabelled = key(Algorithm::EdDSA);
        mislabelled.alg = Algorithm::RS256;
        let err = mislabelled.public_jwk().unwrap_err();
        assert!(matches!(err, KeyError::BadKey { .. }), "{err}");
        assert!(mislabelled.sign("JWT", &claims()).is_err());
    }

    #[test]
    fn algorithm_names() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>().unwrap(), alg);
            assert_eq!(serde_json::to_value(alg).unwrap(), alg.as_str());
            assert_eq!(alg.to_string(), alg.as_str());
        }
        assert_eq!(Algorithm::default(), Algorithm::EdDSA);
        for bad in ["none", "HS256", "eddsa"] {
            assert!(bad.parse::<Algorithm>().is_err());
        }
    }

    #[test]
    fn debug_hides_the_private_key() {
        let k = key(Algorithm::EdDSA);
        let shown = format!("{k:?}");
        assert!(shown.contains(&k.kid) && shown.contains("bytes>"));
        assert!(!shown.contains(&format!("{:?}", &k.private_der[..8])));
    }

    #[test]
    fn kids_are_random_and_url_safe() {
        let (a, b) = (generate_kid(), generate_kid());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        assert!(URL_SAFE_NO_PAD.decode(&a).is_ok_and(|raw| raw.len() == 16));
    }

    #[test]
    fn newest_key_per_algorithm() {
        let mk = |alg, kid: &str, created_at| SigningKey { kid: kid.into(), alg, private_der: Vec::new(), created_at };
        let keys = [mk(Algorithm::EdDSA, "old", 1), mk(Algorithm::EdDSA, "new", 5), mk(Algorithm::ES256, "es", 9)];
        assert_eq!(newest(&keys, Algorithm::EdDSA).unwrap().kid, "new");
        assert_eq!(newest(&keys, Algorithm::ES256).unwrap().kid, "es");
        assert!(newest(&keys, Algorithm::RS256).is_none());
    }

    #[test]
    fn token_hash_vectors() {
        // OpenID Connect Core 1.0, Appendix A.3 and A.4 (RS256).
        let at = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
        assert_eq!(at_hash(Algorithm::RS256, at), "77QmUPtjPfzWtF2AnpK9RQ");
        let code = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk";
        assert_eq!(c_hash(Algorithm::RS256, code), "LDktKdoQak3Pk0cnXxCltA");
        // panva/oidc-token-hash README: RS256, and EdDSA with Ed25519.
        let token = "YmJiZTAwYmYtMzgyOC00NzhkLTkyOTItNjJjNDM3MGYzOWIy9sFhvH8K_x8UIHj1osisS57f5DduL-ar_qw5jl3lthwpMjm283aVMQXDmoqqqydDSqJfbhptzw8rUVwkuQbolw";
        assert_eq!(at_hash(Algorithm::RS256, token), "x7vk7f6BvQj0jQHYFIk4ag");
        assert_eq!(at_hash(Algorithm::ES256, token), "x7vk7f6BvQj0jQHYFIk4ag");
        let ed = "EGEAhGYyfuwDaVTifvrWSoD5MSy_5hZPy6I7Vm-7pTQ";
        assert_eq!(at_hash(Algorithm::EdDSA, token), ed);
    }
}
