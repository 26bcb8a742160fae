//! OAuth 1.0a signatures (RFC 5849 §3.4, §3.6): the percent-encoding, the
//! signature base string and its parts, and signing and verifying with the
//! HMAC-SHA1, HMAC-SHA256, RSA-SHA1 and PLAINTEXT methods. Pure functions: the
//! caller collects the parameters (see `params`) and looks up the secrets.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use subtle::ConstantTimeEq;

/// Smallest RSA modulus accepted for RSA-SHA1. Older OAuth 1.0a clients still
/// ship 1024-bit keys; anything shorter is factorable by hobbyists.
pub const MIN_RSA_BITS: usize = 1024;

/// Percent-encodes per RFC 5849 §3.6: every UTF-8 byte outside the RFC 3986
/// unreserved set becomes `%XX` with uppercase hex. This is neither
/// form-encoding (`+` for space) nor what most URL libraries produce, which is
/// why it is written out here.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    percent_encode_into(&mut out, s);
    out
}

/// [`percent_encode`], appending to `out`.
pub fn percent_encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut plain = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if !is_unreserved(b) {
            // A run of unreserved (ASCII) bytes ends on a character boundary.
            if plain < i {
                out.push_str(&s[plain..i]);
            }
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
            plain = i + 1;
        }
    }
    out.push_str(&s[plain..]);
}

/// The RFC 3986 unreserved set, which §3.6 leaves as it is.
pub fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The base string URI of §3.4.1.2: scheme and host in lowercase, the port only
/// when it is not the scheme's default, the path as the URL carries it, and
/// neither query nor fragment (the query travels in the parameters instead).
pub fn base_string_uri(url: &url::Url) -> String {
    let scheme = url.scheme().to_ascii_lowercase();
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    // `Url` already leaves out the scheme's default port (80 for http, 443
    // for https) even when the request spelled it, as §3.4.1.2 requires.
    let port = url.port().map(|port| format!(":{port}")).unwrap_or_default();
    let path = match url.path() {
        "" => "/",
        path => path,
    };
    format!("{scheme}://{host}{port}{path}")
}

/// Normalises the request parameters per §3.4.1.3.2: encode each name and
/// value, sort by encoded name and then encoded value (byte order), and join as
/// `name=value` with `&`. The caller must already have left out
/// `oauth_signature` (and `realm`).
pub fn normalize_parameters(pairs: &[(String, String)]) -> String {
    // Every name and value encoded into one buffer, then the pairs sorted as
    // ranges of it: two allocations instead of two per parameter.
    let mut encoded = String::new();
    let mut ranges = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        let start = encoded.len();
        percent_encode_into(&mut encoded, name);
        let mid = encoded.len();
        percent_encode_into(&mut encoded, value);
        ranges.push((start, mid, encoded.len()));
    }
    // Sorting the encoded forms, not the decoded ones, is what the RFC asks
    // for; the two orders differ, e.g. `/` (`%2F`) sorts before `.` once encoded.
    let part = |(start, mid, end): (usize, usize, usize)| (&encoded[start..mid], &encoded[mid..end]);
    ranges.sort_unstable_by(|a, b| part(*a).cmp(&part(*b)));
    let mut out = String::with_capacity(encoded.len() + 2 * pairs.len());
    for (i, r) in ranges.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        let (name, value) = part(r);
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The signature base string of §3.4.1.1: the uppercased method, the base
/// string URI and the normalised parameters, each encoded, joined with `&`.
pub fn signature_base_string(method: &str, base_uri: &str, normalized: &str) -> String {
    let mut out = String::with_capacity(method.len() + 2 * (base_uri.len() + normalized.len()));
    if method.bytes().any(|b| b.is_ascii_lowercase()) {
        percent_encode_into(&mut out, &method.to_ascii_uppercase());
    } else {
        percent_encode_into(&mut out, method);
    }
    out.push('&');
    percent_encode_into(&mut out, base_uri);
    out.push('&');
    percent_encode_into(&mut out, normalized);
    out
}

/// A signature method as named in `oauth_signature_method`. HMAC-SHA256 is not
/// in RFC 5849 but is the common extension clients offer instead of SHA-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureMethod {
    HmacSha1,
    HmacSha256,
    RsaSha1,
    Plaintext,
}

impl SignatureMethod {
    /// Every method, in the order a discovery document would list them.
    pub const ALL: [SignatureMethod; 4] =
        [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256, SignatureMethod::RsaSha1, SignatureMethod::Plaintext];

    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha1 => "HMAC-SHA1",
            SignatureMethod::HmacSha256 => "HMAC-SHA256",
            SignatureMethod::RsaSha1 => "RSA-SHA1",
            SignatureMethod::Plaintext => "PLAINTEXT",
        }
    }
}

impl fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `oauth_signature_method` named a method this server does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unsupported oauth_signature_method {0:?}; use one of HMAC-SHA1, HMAC-SHA256, RSA-SHA1, PLAINTEXT (names are case-sensitive)"
)]
pub struct UnknownSignatureMethod(pub String);

impl FromStr for SignatureMethod {
    type Err = UnknownSignatureMethod;

    /// Exact match: the RFC gives the names in uppercase and does not make
    /// them case-insensitive, so `hmac-sha1` is a client bug worth reporting.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SignatureMethod::ALL
            .into_iter()
            .find(|method| method.as_str() == s)
            .ok_or_else(|| UnknownSignatureMethod(s.to_owned()))
    }
}

/// The shared-secret key of §3.4.2 and §3.4.4: both secrets encoded, joined
/// with `&`, which stays even when either secret is empty.
pub fn signing_key(consumer_secret: &str, token_secret: &str) -> String {
    format!("{}&{}", percent_encode(consumer_secret), percent_encode(token_secret))
}

/// Signs with a shared-secret method and returns the value for
/// `oauth_signature` (before header encoding). `None` for RSA-SHA1, which
/// needs the client's private key and is never computed by the server.
pub fn sign(method: SignatureMethod, base_string: &str, consumer_secret: &str, token_secret: &str) -> Option<String> {
    let key = signing_key(consumer_secret, token_secret);
    match method {
        SignatureMethod::HmacSha1 | SignatureMethod::HmacSha256 => {
            Some(BASE64.encode(hmac_digest(method, &key, base_string)?))
        }
        SignatureMethod::Plaintext => Some(key),
        SignatureMethod::RsaSha1 => None,
    }
}

fn hmac_digest(method: SignatureMethod, key: &str, text: &str) -> Option<Vec<u8>> {
    fn digest<M: Mac + hmac::digest::KeyInit>(key: &str, text: &str) -> Option<Vec<u8>> {
        let mut mac = <M as Mac>::new_from_slice(key.as_bytes()).ok()?;
        mac.update(text.as_bytes());
        Some(mac.finalize().into_bytes().to_vec())
    }
    match method {
        SignatureMethod::HmacSha1 => digest::<Hmac<sha1::Sha1>>(key, text),
        SignatureMethod::HmacSha256 => digest::<Hmac<sha2::Sha256>>(key, text),
        SignatureMethod::RsaSha1 | SignatureMethod::Plaintext => None,
    }
}

/// Checks `signature` (the decoded `oauth_signature`) against the request.
/// Shared-secret methods compare in constant time so that the time taken says
/// nothing about how much of a forged signature was right. RSA-SHA1 uses the
/// consumer's registered public key; a missing or unreadable key, or a
/// signature that is not base64, is simply a failed verification.
pub fn verify(
    method: SignatureMethod,
    base_string: &str,
    signature: &str,
    consumer_secret: &str,
    token_secret: &str,
    rsa_public_key_pem: Option<&str>,
) -> bool {
    match method {
        SignatureMethod::HmacSha1 | SignatureMethod::HmacSha256 => {
            let key = signing_key(consumer_secret, token_secret);
            let (Some(expected), Ok(given)) = (hmac_digest(method, &key, base_string), BASE64.decode(signature)) else {
                return false;
            };
            bool::from(expected.ct_eq(&given))
        }
        SignatureMethod::Plaintext => {
            let expected = signing_key(consumer_secret, token_secret);
            bool::from(expected.as_bytes().ct_eq(signature.as_bytes()))
        }
        SignatureMethod::RsaSha1 => rsa_public_key_pem.is_some_and(|pem| verify_rsa_sha1(base_string, signature, pem)),
    }
}

fn verify_rsa_sha1(base_string: &str, signature: &str, pem: &str) -> bool {
    let Ok(key) = parse_rsa_public_key(pem) else {
        return false;
    };
    let Ok(raw) = BASE64.decode(signature) else {
        return false;
    };
    let Ok(signature) = rsa::pkcs1v15::Signature::try_from(raw.as_slice()) else {
        return false;
    };
    rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(key).verify(base_string.as_bytes(), &signature).is_ok()
}

/// Why a consumer's RSA public key was refused at registration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RsaKeyError {
    #[error("this is a private key; register only the public key (\"BEGIN PUBLIC KEY\" or \"BEGIN RSA PUBLIC KEY\")")]
    PrivateKey,
    #[error(
        "expected a PEM RSA public key starting with \"-----BEGIN PUBLIC KEY-----\" or \"-----BEGIN RSA PUBLIC KEY-----\""
    )]
    NotPem,
    #[error("the PEM block could not be read as an RSA public key: {0}")]
    Invalid(String),
    #[error("the RSA key is {bits} bits; at least {MIN_RSA_BITS} bits are required")]
    TooShort { bits: usize },
}

/// Reads a PEM RSA public key in either the SubjectPublicKeyInfo form
/// (`BEGIN PUBLIC KEY`, what `openssl rsa -pubout` writes) or the PKCS#1 form
/// (`BEGIN RSA PUBLIC KEY`), and refuses keys below [`MIN_RSA_BITS`].
pub fn parse_rsa_public_key(pem: &str) -> Result<RsaPublicKey, RsaKeyError> {
    let pem = pem.trim();
    let key = if pem.contains("PRIVATE KEY-----") {
        return Err(RsaKeyError::PrivateKey);
    } else if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
        RsaPublicKey::from_pkcs1_pem(pem).map_err(|e| RsaKeyError::Invalid(e.to_string()))?
    } else if pem.starts_with("-----BEGIN PUBLIC KEY-----") {
        RsaPublicKey::from_public_key_pem(pem).map_err(|e| RsaKeyError::Invalid(e.to_string()))?
    } else {
        return Err(RsaKeyError::NotPem);
    };
    let bits = key.n().bits();
    if bits < MIN_RSA_BITS {
        return Err(RsaKeyError::TooShort { bits });
    }
    Ok(key)
}

/// For registration: is this PEM text a usable RSA-SHA1 public key?
pub fn validate_rsa_public_key_pem(pem: &str) -> Result<(), RsaKeyError> {
    parse_rsa_public_key(pem).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn percent_encode_leaves_only_unreserved_alone() {
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(percent_encode(" "), "%20");
        assert_eq!(percent_encode("+"), "%2B");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("%"), "%25");
        assert_eq!(percent_encode("!'()"), "%21%27%28%29");
        assert_eq!(percent_encode(":/?#[]@!$&'()*+,;="), "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn percent_encode_uses_utf8_bytes_and_uppercase_hex() {
        assert_eq!(percent_encode("ü"), "%C3%BC");
        assert_eq!(percent_encode("€"), "%E2%82%AC");
        assert_eq!(percent_encode("😀"), "%F0%9F%98%80");
        assert_eq!(percent_encode("\u{7f}\n"), "%7F%0A");
        // RFC 5849 §3.6 demands uppercase hex; a lowercase `%c3` would change
        // the signature.
        assert!(!percent_encode("ÿ").chars().any(|c| c.is_ascii_lowercase()));
    }

    #[test]
    fn base_string_uri_follows_3_4_1_2() {
        // Both examples from RFC 5849 §3.4.1.2.
        assert_eq!(base_string_uri(&url("http://EXAMPLE.COM:80/r%20v/X?id=123")), "http://example.com/r%20v/X");
        assert_eq!(base_string_uri(&url("https://www.example.net:8080/?q=1")), "https://www.example.net:8080/");
        assert_eq!(base_string_uri(&url("HTTPS://Example.com:443")), "https://example.com/");
        assert_eq!(base_string_uri(&url("http://example.com:443/a")), "http://example.com:443/a");
        assert_eq!(base_string_uri(&url("https://example.com:80/a")), "https://example.com:80/a");
        assert_eq!(base_string_uri(&url("https://user:pw@example.com/a/b/#frag")), "https://example.com/a/b/");
        assert_eq!(base_string_uri(&url("http://[::1]:8443/x")), "http://[::1]:8443/x");
    }

    #[test]
    fn normalization_matches_rfc_3_4_1_3_2() {
        // The decoded parameter table of RFC 5849 §3.4.1.3.1, in its order.
        let table = pairs(&[
            ("b5", "=%3D"),
            ("a3", "a"),
            ("c@", ""),
            ("a2", "r b"),
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
            ("c2", ""),
            ("a3", "2 q"),
        ]);
        assert_eq!(
            normalize_parameters(&table),
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2\
             &oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1\
             &oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7"
        );
    }

    #[test]
    fn normalization_sorts_encoded_bytes() {
        // Repeated names sort by value; empty values keep their `=`.
        assert_eq!(normalize_parameters(&pairs(&[("a", "z"), ("a", ""), ("a", "b"), ("A", "1")])), "A=1&a=&a=b&a=z");
        // Sorting happens after encoding, which differs from sorting the
        // decoded text: `.` < `/` and `u` < `ü` decoded, but `/` and `ü`
        // encode to `%2F` and `%C3%BC`, and `%` sorts before both.
        assert_eq!(
            normalize_parameters(&pairs(&[("k", "."), ("k", "/"), ("k", "~"), ("k", " ")])),
            "k=%20&k=%2F&k=.&k=~"
        );
        assert_eq!(normalize_parameters(&pairs(&[("u", "😀"), ("ü", "€")])), "%C3%BC=%E2%82%AC&u=%F0%9F%98%80");
        assert_eq!(normalize_parameters(&[]), "");
    }

    #[test]
    fn base_string_uppercases_and_encodes_each_part() {
        assert_eq!(
            signature_base_string("get", "http://example.com/a b", "x=1&y=%20"),
            "GET&http%3A%2F%2Fexample.com%2Fa%20b&x%3D1%26y%3D%2520"
        );
    }

    #[test]
    fn signature_method_names_are_exact() {
        for method in SignatureMethod::ALL {
            assert_eq!(method.as_str().parse::<SignatureMethod>(), Ok(method));
            assert_eq!(method.to_string(), method.as_str());
        }
        assert_eq!("HMAC-SHA1".parse::<SignatureMethod>(), Ok(SignatureMethod::HmacSha1));
        for bad in ["hmac-sha1", "HMAC-SHA1 ", "", "RSA-SHA256", "plaintext"] {
            let err = bad.parse::<SignatureMethod>().unwrap_err();
            assert_eq!(err, UnknownSignatureMethod(bad.to_owned()));
        }
        assert!(UnknownSignatureMethod("x".into()).to_string().contains("HMAC-SHA1"));
    }

    /// RFC 5849 §1.2, temporary credential request: HTTPS POST to
    /// photos.example.net/initiate, signed with the client secret only.
    const INITIATE_BASE: &str = "POST&https%3A%2F%2Fphotos.example.net%2Finitiate&\
        oauth_callback%3Dhttp%253A%252F%252Fprinter.example.com%252Fready%26\
        oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DwIjqoS%26\
        oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131200";

    /// RFC 5849 §1.2, protected resource request.
    const PHOTOS_BASE: &str = "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&\
        file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26\
        oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26\
        oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26\
        size%3Doriginal";

    #[test]
    fn rfc_1_2_temporary_credentials_example() {
        let params = pairs(&[
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131200"),
            ("oauth_nonce", "wIjqoS"),
            ("oauth_callback", "http://printer.example.com/ready"),
        ]);
        let base = signature_base_string(
            "POST",
            &base_string_uri(&url("https://photos.example.net/initiate")),
            &normalize_parameters(&params),
        );
        assert_eq!(base, INITIATE_BASE);

        let published = "74KNZJeDHnMBp0EMJ9ZHt/XKycU=";
        let method = SignatureMethod::HmacSha1;
        assert_eq!(sign(method, &base, "kd94hf93k423kf44", "").as_deref(), Some(published));
        assert!(verify(method, &base, published, "kd94hf93k423kf44", "", None));
        assert!(!verify(method, &base, "74KNZJeDHnMBp0EMJ9ZHt/XKycV=", "kd94hf93k423kf44", "", None));
        assert!(!verify(method, &base, published, "kd94hf93k423kf45", "", None));
        assert!(!verify(method, &base.replace("wIjqoS", "wIjqoT"), published, "kd94hf93k423kf44", "", None));
    }

    #[test]
    fn rfc_1_2_protected_resource_example() {
        let params = pairs(&[
            ("file", "vacation.jpg"),
            ("size", "original"),
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ]);
        let base = signature_base_string(
            "GET",
            &base_string_uri(&url("http://photos.example.net/photos?file=vacation.jpg&size=original")),
            &normalize_parameters(&params),
        );
        assert_eq!(base, PHOTOS_BASE);

        let published = "MdpQcU8iPSUjWoN/UDMsK2sui9I=";
        let method = SignatureMethod::HmacSha1;
        let (cs, ts) = ("kd94hf93k423kf44", "pfkkdhi9sl3r4s00");
        assert_eq!(sign(method, &base, cs, ts).as_deref(), Some(published));
        assert!(verify(method, &base, published, cs, ts, None));
        assert!(!verify(method, &base, "MdpQcU8iPSUjWoN/UDMsK2sui9J=", cs, ts, None));
        assert!(!verify(method, &base, published, cs, "pfkkdhi9sl3r4s01", None));
        assert!(!verify(method, &base, published, cs, "", None));
        assert!(!verify(method, &base, "not base64!", cs, ts, None));
        assert!(!verify(method, &base, "", cs, ts, None));
        // The same signature under another method name must not pass.
        assert!(!verify(SignatureMethod::HmacSha256, &base, published, cs, ts, None));
        assert!(!verify(SignatureMethod::RsaSha1, &base, published, cs, ts, None));
    }

    #[test]
    fn hmac_sha256_round_trip() {
        let method = SignatureMethod::HmacSha256;
        let base = PHOTOS_BASE;
        let sig = sign(method, base, "cs&€", "ts").unwrap();
        // 32 bytes of SHA-256 are 44 base64 characters with one `=`.
        assert_eq!(sig.len(), 44);
        assert!(sig.ends_with('='));
        assert!(verify(method, base, &sig, "cs&€", "ts", None));
        assert!(!verify(method, base, &sig, "cs&€", "tS", None));
        assert!(!verify(method, &base.replacen("GET", "PUT", 1), &sig, "cs&€", "ts", None));
        assert!(!verify(SignatureMethod::HmacSha1, base, &sig, "cs&€", "ts", None));
        let mut tampered = sig.into_bytes();
        tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(!verify(method, base, &tampered, "cs&€", "ts", None));
    }

    #[test]
    fn plaintext_is_the_encoded_key() {
        let method = SignatureMethod::Plaintext;
        // RFC 5849 §2.1 example: client secret "ja893SD9", no token secret;
        // the header carries "ja893SD9%26", which decodes to "ja893SD9&".
        assert_eq!(sign(method, "ignored", "ja893SD9", "").as_deref(), Some("ja893SD9&"));
        assert!(verify(method, "ignored", "ja893SD9&", "ja893SD9", "", None));
        assert!(!verify(method, "ignored", "ja893SD9%26", "ja893SD9", "", None));
        assert!(!verify(method, "ignored", "ja893SD9", "ja893SD9", "", None));
        assert!(!verify(method, "ignored", "ja893SD9&x", "ja893SD9", "", None));
        // Secrets are encoded before joining, so an `&` inside a secret cannot
        // shift the boundary between the two.
        let sig = sign(method, "", "a&b", "c").unwrap();
        assert_eq!(sig, "a%26b&c");
        assert!(verify(method, "", &sig, "a&b", "c", None));
        assert!(!verify(method, "", &sig, "a", "b&c", None));
        assert_eq!(sign(method, "", "", "").as_deref(), Some("&"));
    }

    #[test]
    fn rsa_sign_is_not_available_without_a_private_key() {
        assert_eq!(sign(SignatureMethod::RsaSha1, PHOTOS_BASE, "a", "b"), None);
        assert!(!verify(SignatureMethod::RsaSha1, PHOTOS_BASE, "AAAA", "a", "b", None));
    }

    #[test]
    fn rsa_sha1_verifies_with_spki_and_pkcs1_keys() {
        use rsa::pkcs1::EncodeRsaPublicKey;
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        use rsa::signature::{SignatureEncoding, Signer};

        let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
        let public = private.to_public_key();
        let spki = public.to_public_key_pem(LineEnding::LF).unwrap();
        let pkcs1 = public.to_pkcs1_pem(LineEnding::CRLF).unwrap();
        assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));

        let signer = rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(private.clone());
        let sig = BASE64.encode(signer.sign(PHOTOS_BASE.as_bytes()).to_bytes());
        let method = SignatureMethod::RsaSha1;

        for pem in [spki.as_str(), pkcs1.as_str()] {
            assert!(verify(method, PHOTOS_BASE, &sig, "", "", Some(pem)));
            // Surrounding whitespace from a pasted form field is tolerated.
            let padded = format!("\n  {pem}\n");
            assert!(verify(method, PHOTOS_BASE, &sig, "", "", Some(&padded)));
            assert_eq!(validate_rsa_public_key_pem(pem), Ok(()));
        }

        // A changed base string, a changed signature, a signature that is
        // not base64, and another key all fail.
        let tampered_base = PHOTOS_BASE.replace("vacation", "vacatiom");
        assert!(!verify(method, &tampered_base, &sig, "", "", Some(&spki)));
        let mut raw = BASE64.decode(&sig).unwrap();
        raw[10] ^= 1;
        assert!(!verify(method, PHOTOS_BASE, &BASE64.encode(&raw), "", "", Some(&spki)));
        assert!(!verify(method, PHOTOS_BASE, "%%%", "", "", Some(&spki)));
        assert!(!verify(method, PHOTOS_BASE, "", "", "", Some(&spki)));
        let other = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let other_pem = other.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
        assert!(!verify(method, PHOTOS_BASE, &sig, "", "", Some(&other_pem)));

        // An RSA-SHA1 signature is not an RSA-SHA256 one: signing the same
        // text with SHA-256 must not verify.
        let sha256_signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private.clone());
        let sig256 = BASE64.encode(sha256_signer.sign(PHOTOS_BASE.as_bytes()).to_bytes());
        assert!(!verify(method, PHOTOS_BASE, &sig256, "", "", Some(&spki)));

        // Garbage and private keys are refused, never a panic.
        for garbage in [
            "",
            "not a key",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN RSA PUBLIC KEY-----\n!!!!\n-----END RSA PUBLIC KEY-----",
        ] {
            assert!(!verify(method, PHOTOS_BASE, &sig, "", "", Some(garbage)));
            assert!(validate_rsa_public_key_pem(garbage).is_err());
        }
        let private_pem = private.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert_eq!(validate_rsa_public_key_pem(&private_pem), Err(RsaKeyError::PrivateKey));
        assert!(!verify(method, PHOTOS_BASE, &sig, "", "", Some(&private_pem)));
        assert_eq!(validate_rsa_public_key_pem("hello"), Err(RsaKeyError::NotPem));
    }

    #[test]
    fn rsa_keys_below_the_minimum_are_refused() {
        use rsa::pkcs8::{EncodePublicKey, LineEnding};
        let small = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 512).unwrap();
        let pem = small.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
        let err = validate_rsa_public_key_pem(&pem).unwrap_err();
        assert_eq!(err, RsaKeyError::TooShort { bits: 512 });
        assert!(err.to_string().contains("1024"));
    }
}
