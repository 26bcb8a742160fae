//! The client's side of RFC 5849, for Rust callers (the tests, the
//! benchmark, an application) and for latchkey itself as a consumer of
//! remote services (connections): `Authorization` headers signed with
//! HMAC-SHA1, HMAC-SHA256 or RSA-SHA1 from the same pure functions the
//! server verifies with, RSA key pairs for RSA-SHA1, and the reading of the
//! temporary- and token-credentials answers. Pure: no I/O.

use super::params::authorization_header;
use super::signature::{SignatureMethod, normalize_parameters, sign, signature_base_string};

/// A signed `Authorization: OAuth …` value. `url` is the endpoint's public
/// URL without a query; `token` is the token and its secret (none for the
/// temporary-credentials request); `extra` are more `oauth_*` parameters
/// such as `oauth_callback` or `oauth_verifier`; `nonce` must be new for
/// every request.
pub fn hmac_sha1_header(
    method: &str,
    url: &str,
    consumer: (&str, &str),
    token: Option<(&str, &str)>,
    extra: &[(&str, &str)],
    timestamp: u64,
    nonce: &str,
) -> String {
    hmac_sha1_header_for_query(method, url, &[], consumer, token, extra, timestamp, nonce)
}

/// [`hmac_sha1_header`] for a request whose URL carries `query` (decoded
/// name/value pairs): they are signed (RFC 5849 §3.4.1.3.1) but travel in
/// the URL, not in the header.
#[allow(clippy::too_many_arguments)]
pub fn hmac_sha1_header_for_query(
    method: &str,
    url: &str,
    query: &[(&str, &str)],
    consumer: (&str, &str),
    token: Option<(&str, &str)>,
    extra: &[(&str, &str)],
    timestamp: u64,
    nonce: &str,
) -> String {
    let mut params: Vec<(String, String)> = vec![
        ("oauth_consumer_key".into(), consumer.0.into()),
        ("oauth_nonce".into(), nonce.into()),
        ("oauth_signature_method".into(), "HMAC-SHA1".into()),
        ("oauth_timestamp".into(), timestamp.to_string()),
        ("oauth_version".into(), "1.0".into()),
    ];
    if let Some((t, _)) = token {
        params.push(("oauth_token".into(), t.into()));
    }
    params.extend(extra.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    let mut signed = params.clone();
    signed.extend(query.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    let base_string = signature_base_string(method, url, &normalize_parameters(&signed));
    let token_secret = token.map(|(_, s)| s).unwrap_or("");
    let signature = sign(SignatureMethod::HmacSha1, &base_string, consumer.1, token_secret).unwrap_or_default();
    params.push(("oauth_signature".into(), signature));
    let pairs: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    authorization_header(None, &pairs)
}

/// What signs a request latchkey sends as a consumer: a shared-secret
/// method with the consumer secret, or RSA-SHA1 with the private key
/// latchkey generated for that provider.
pub enum Signer<'a> {
    /// HMAC-SHA1, HMAC-SHA256 (or PLAINTEXT) with the consumer secret.
    Secret { method: SignatureMethod, consumer_secret: &'a str },
    /// RSA-SHA1 (PKCS#1 v1.5 over SHA-1) with the consumer's private key.
    Rsa(&'a rsa::RsaPrivateKey),
}

impl Signer<'_> {
    /// The `oauth_signature_method` this signer produces.
    pub fn method(&self) -> SignatureMethod {
        match self {
            Signer::Secret { method, .. } => *method,
            Signer::Rsa(_) => SignatureMethod::RsaSha1,
        }
    }

    /// Signs a base string with the token secret (RSA-SHA1 ignores it).
    fn sign(&self, base_string: &str, token_secret: &str) -> Result<String, SignError> {
        match self {
            Signer::Secret { method, consumer_secret } => {
                sign(*method, base_string, consumer_secret, token_secret).ok_or(SignError::NeedsPrivateKey)
            }
            Signer::Rsa(key) => {
                use base64::Engine as _;
                use rsa::signature::{SignatureEncoding, Signer as _};
                let signer = rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new((*key).clone());
                let signature = signer.try_sign(base_string.as_bytes()).map_err(|e| SignError::Rsa(e.to_string()))?;
                Ok(base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()))
            }
        }
    }
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("RSA-SHA1 needs the consumer's private key")]
    NeedsPrivateKey,
    #[error("RSA-SHA1 signing failed: {0}")]
    Rsa(String),
    #[error("the request's query or form body is not valid percent-encoding: {0}")]
    Params(#[from] super::params::ParamError),
}

/// One request to sign: the method, the full URL (its query is signed, per
/// RFC 5849 §3.4.1.3.1) and the decoded pairs of an
/// `application/x-www-form-urlencoded` body (empty for any other body,
/// which is not signed).
pub struct Outgoing<'a> {
    pub method: &'a str,
    pub url: &'a url::Url,
    pub form: &'a [(String, String)],
}

/// The signed `Authorization: OAuth …` value for `request`: the protocol
/// parameters `oauth_consumer_key`, `oauth_signature_method`,
/// `oauth_timestamp`, `oauth_nonce`, `oauth_token` (when `token` is given)
/// and `extra` (`oauth_callback`, `oauth_verifier`, `oauth_version`, as the
/// caller needs), signed together with the query and the form body.
pub fn authorization(
    request: &Outgoing<'_>,
    consumer_key: &str,
    signer: &Signer<'_>,
    token: Option<(&str, &str)>,
    extra: &[(&str, &str)],
    timestamp: u64,
    nonce: &str,
) -> Result<String, SignError> {
    let method_name = signer.method().as_str();
    let timestamp = timestamp.to_string();
    let mut params: Vec<(&str, &str)> = vec![
        ("oauth_consumer_key", consumer_key),
        ("oauth_signature_method", method_name),
        ("oauth_timestamp", &timestamp),
        ("oauth_nonce", nonce),
    ];
    if let Some((t, _)) = token {
        params.push(("oauth_token", t));
    }
    params.extend_from_slice(extra);
    let mut signed: Vec<(String, String)> = params.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    if let Some(query) = request.url.query() {
        signed.extend(super::params::parse_form_urlencoded(query)?);
    }
    signed.extend(request.form.iter().cloned());
    let base_string = signature_base_string(
        request.method,
        &super::signature::base_string_uri(request.url),
        &normalize_parameters(&signed),
    );
    let signature = signer.sign(&base_string, token.map(|(_, s)| s).unwrap_or(""))?;
    params.push(("oauth_signature", &signature));
    Ok(authorization_header(None, &params))
}

/// A fresh RSA key pair for a provider that wants RSA-SHA1: the private key
/// as PKCS#8 (PEM and DER; either is sealed at rest) and the public key as
/// a SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`), which the admin
/// registers at the remote service.
pub struct RsaKeyPair {
    pub private_pem: String,
    pub private_der: Vec<u8>,
    pub public_pem: String,
}

/// The size of the keys [`generate_rsa_key`] makes.
pub const RSA_BITS: usize = 2048;

/// Generates an [`RSA_BITS`]-bit key pair from the system's random source.
/// Slow (tens to hundreds of milliseconds): call it off the async threads.
pub fn generate_rsa_key() -> Result<RsaKeyPair, String> {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS).map_err(|e| e.to_string())?;
    let private_pem = private.to_pkcs8_pem(LineEnding::LF).map_err(|e| e.to_string())?.to_string();
    let private_der = private.to_pkcs8_der().map_err(|e| e.to_string())?.as_bytes().to_vec();
    let public_pem = public_pem_of(&private)?;
    Ok(RsaKeyPair { private_pem, private_der, public_pem })
}

/// Reads a private key kept as PKCS#8 DER.
pub fn read_rsa_private_key_der(der: &[u8]) -> Result<rsa::RsaPrivateKey, String> {
    use rsa::pkcs8::DecodePrivateKey;
    rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|e| format!("the stored RSA private key is unreadable: {e}"))
}

/// Reads a private key kept by [`generate_rsa_key`] (PKCS#8 PEM).
pub fn read_rsa_private_key(pem: &str) -> Result<rsa::RsaPrivateKey, String> {
    use rsa::pkcs8::DecodePrivateKey;
    rsa::RsaPrivateKey::from_pkcs8_pem(pem.trim()).map_err(|e| format!("the stored RSA private key is unreadable: {e}"))
}

/// The public half of `key` as a `BEGIN PUBLIC KEY` PEM.
pub fn public_pem_of(key: &rsa::RsaPrivateKey) -> Result<String, String> {
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    key.to_public_key().to_public_key_pem(LineEnding::LF).map_err(|e| e.to_string())
}

/// Why a remote service's answer to a credentials request was refused.
/// The messages are shown to the member in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the service refused: {0}")]
    Problem(String),
    #[error("the service's answer is not form-encoded credentials")]
    NotForm,
    #[error("the service's answer has no {0}")]
    Missing(&'static str),
    #[error(
        "the service did not confirm the callback (oauth_callback_confirmed=true is missing), so it does not speak OAuth 1.0a"
    )]
    CallbackNotConfirmed,
}

/// Temporary credentials (RFC 5849 §2.1): the request token and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemporaryCredentials {
    pub token: String,
    pub secret: String,
}

/// Token credentials (RFC 5849 §2.3), with the other fields of the answer
/// (many services add `user_id`, `screen_name` and the like).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCredentials {
    pub token: String,
    pub secret: String,
    pub extra: Vec<(String, String)>,
}

impl TokenCredentials {
    fn field(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.extra.iter().find(|(k, v)| k == n && !v.is_empty()).map(|(_, v)| v.as_str()))
    }

    /// A name to show for the remote account, when the service gave one.
    pub fn remote_user(&self) -> Option<&str> {
        self.field(&["screen_name", "username", "name", "user_name", "user_id", "userid", "user_nsid"])
    }

    /// A stable identifier of the remote account, when the service gave one.
    pub fn remote_subject(&self) -> Option<&str> {
        self.field(&["user_id", "userid", "user_nsid", "id", "screen_name", "username"])
    }
}

/// Decodes a form-encoded answer body, turning an `oauth_problem` (the
/// Problem Reporting extension) into plain words.
fn answer_pairs(body: &str) -> Result<Vec<(String, String)>, AnswerError> {
    let pairs = super::params::parse_form_urlencoded(body.trim()).map_err(|_| AnswerError::NotForm)?;
    let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    if let Some(problem) = get("oauth_problem") {
        let advice = get("oauth_problem_advice").map(|a| format!(" ({a})")).unwrap_or_default();
        return Err(AnswerError::Problem(format!("{problem}{advice}")));
    }
    Ok(pairs)
}

fn take(pairs: &mut Vec<(String, String)>, name: &'static str) -> Result<String, AnswerError> {
    let i = pairs.iter().position(|(n, v)| n == name && !v.is_empty()).ok_or(AnswerError::Missing(name))?;
    Ok(pairs.remove(i).1)
}

/// Reads the answer to the temporary-credentials request. OAuth 1.0a
/// requires `oauth_callback_confirmed=true`; without it the service is an
/// OAuth 1.0 one, open to the session-fixation attack 1.0a closed, and is
/// refused.
pub fn parse_temporary_credentials(body: &str) -> Result<TemporaryCredentials, AnswerError> {
    let mut pairs = answer_pairs(body)?;
    let token = take(&mut pairs, "oauth_token")?;
    let secret = take(&mut pairs, "oauth_token_secret")?;
    if !pairs.iter().any(|(n, v)| n == "oauth_callback_confirmed" && v == "true") {
        return Err(AnswerError::CallbackNotConfirmed);
    }
    Ok(TemporaryCredentials { token, secret })
}

/// Reads the answer to the token-credentials request, keeping the extra
/// fields for the remote account's name.
pub fn parse_token_credentials(body: &str) -> Result<TokenCredentials, AnswerError> {
    let mut pairs = answer_pairs(body)?;
    let token = take(&mut pairs, "oauth_token")?;
    let secret = take(&mut pairs, "oauth_token_secret")?;
    Ok(TokenCredentials { token, secret, extra: pairs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth1::params::parse_authorization_header;
    use crate::oauth1::signature::{base_string_uri, verify};

    fn header_param(header: &str, name: &str) -> String {
        let pairs = parse_authorization_header(header).unwrap();
        pairs.into_iter().find(|(n, _)| n == name).map(|(_, v)| v).unwrap_or_default()
    }

    const PRINTER: Signer<'static> =
        Signer::Secret { method: SignatureMethod::HmacSha1, consumer_secret: "kd94hf93k423kf44" };

    /// RFC 5849 §1.2, all three requests of the printer example, byte for
    /// byte: the published signatures and the header's percent-encoding.
    #[test]
    fn rfc_5849_printer_example() {
        let initiate = url::Url::parse("https://photos.example.net/initiate").unwrap();
        let header = authorization(
            &Outgoing { method: "POST", url: &initiate, form: &[] },
            "dpf43f3p2l4k3l03",
            &PRINTER,
            None,
            &[("oauth_callback", "http://printer.example.com/ready")],
            137131200,
            "wIjqoS",
        )
        .unwrap();
        assert!(header.contains("oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\""), "{header}");
        assert!(header.contains("oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\""), "{header}");
        assert!(!header.contains("oauth_version"), "{header}");

        let answer = "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true";
        let temporary = parse_temporary_credentials(answer).unwrap();
        assert_eq!(
            temporary,
            TemporaryCredentials { token: "hh5s93j4hdidpola".into(), secret: "hdhd0244k9j7ao03".into() }
        );

        let token_url = url::Url::parse("https://photos.example.net/token").unwrap();
        let header = authorization(
            &Outgoing { method: "POST", url: &token_url, form: &[] },
            "dpf43f3p2l4k3l03",
            &PRINTER,
            Some((&temporary.token, &temporary.secret)),
            &[("oauth_verifier", "hfdp7dh39dks9884")],
            137131201,
            "walatlh",
        )
        .unwrap();
        assert_eq!(header_param(&header, "oauth_signature"), "gKgrFCywp7rO0OXSjdot/IHF7IU=");
        assert_eq!(header_param(&header, "oauth_token"), "hh5s93j4hdidpola");

        let credentials =
            parse_token_credentials("oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00").unwrap();
        assert_eq!((credentials.token.as_str(), credentials.secret.as_str()), ("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"));
        assert!(credentials.extra.is_empty() && credentials.remote_user().is_none());

        // The query is signed but stays out of the header.
        let photos = url::Url::parse("http://photos.example.net/photos?file=vacation.jpg&size=original").unwrap();
        let header = authorization(
            &Outgoing { method: "GET", url: &photos, form: &[] },
            "dpf43f3p2l4k3l03",
            &PRINTER,
            Some((&credentials.token, &credentials.secret)),
            &[],
            137131202,
            "chapoH",
        )
        .unwrap();
        assert_eq!(header_param(&header, "oauth_signature"), "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
        assert!(!header.contains("vacation"));
    }

    #[test]
    fn a_form_body_is_signed_like_the_query() {
        // The same parameters in a form body give the same base string as in
        // the query (§3.4.1.3.1), so the same signature.
        let bare = url::Url::parse("https://api.example.com/post").unwrap();
        let with_query = url::Url::parse("https://api.example.com/post?status=hello%20world&a=%2B").unwrap();
        let form = vec![("status".to_string(), "hello world".to_string()), ("a".to_string(), "+".to_string())];
        let signer = Signer::Secret { method: SignatureMethod::HmacSha256, consumer_secret: "cs" };
        let sig = |url: &url::Url, form: &[(String, String)]| {
            let h =
                authorization(&Outgoing { method: "POST", url, form }, "ck", &signer, Some(("t", "ts")), &[], 1, "n")
                    .unwrap();
            header_param(&h, "oauth_signature")
        };
        assert_eq!(sig(&bare, &form), sig(&with_query, &[]));
        assert_ne!(sig(&bare, &form), sig(&bare, &[]));
        // HMAC-SHA256 verifies with the server's verifier.
        let mut signed = form.clone();
        for (n, v) in [
            ("oauth_consumer_key", "ck"),
            ("oauth_signature_method", "HMAC-SHA256"),
            ("oauth_timestamp", "1"),
            ("oauth_nonce", "n"),
            ("oauth_token", "t"),
        ] {
            signed.push((n.into(), v.into()));
        }
        let base = signature_base_string("POST", &base_string_uri(&bare), &normalize_parameters(&signed));
        assert!(verify(SignatureMethod::HmacSha256, &base, &sig(&bare, &form), "cs", "ts", None));
        // A query that is not valid percent-encoding is an error, not a panic.
        let broken = url::Url::parse("https://api.example.com/x?a=%ZZ").unwrap();
        assert!(matches!(
            authorization(&Outgoing { method: "GET", url: &broken, form: &[] }, "ck", &signer, None, &[], 1, "n"),
            Err(SignError::Params(_))
        ));
    }

    #[test]
    fn rsa_sha1_signatures_verify_with_the_servers_verifier() {
        let pair = generate_rsa_key().unwrap();
        assert!(pair.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        // What the admin pastes at the remote service is a key the server's
        // own registration accepts.
        assert_eq!(crate::oauth1::signature::validate_rsa_public_key_pem(&pair.public_pem), Ok(()));
        let key = read_rsa_private_key(&pair.private_pem).unwrap();
        assert_eq!(public_pem_of(&key).unwrap(), pair.public_pem);
        let from_der = read_rsa_private_key_der(&pair.private_der).unwrap();
        assert_eq!(public_pem_of(&from_der).unwrap(), pair.public_pem);
        assert!(read_rsa_private_key_der(b"nope").is_err());
        assert!(read_rsa_private_key("nope").is_err());

        let url = url::Url::parse("https://remote.example/api/v1/me?x=1").unwrap();
        let header = authorization(
            &Outgoing { method: "GET", url: &url, form: &[] },
            "ck",
            &Signer::Rsa(&key),
            Some(("tok", "ignored")),
            &[("oauth_version", "1.0")],
            1_700_000_000,
            "nonce1",
        )
        .unwrap();
        let mut pairs = parse_authorization_header(&header).unwrap();
        assert_eq!(header_param(&header, "oauth_signature_method"), "RSA-SHA1");
        let signature = header_param(&header, "oauth_signature");
        pairs.retain(|(n, _)| n != "oauth_signature");
        pairs.push(("x".into(), "1".into()));
        let base = signature_base_string("GET", &base_string_uri(&url), &normalize_parameters(&pairs));
        let method = SignatureMethod::RsaSha1;
        assert!(verify(method, &base, &signature, "", "", Some(&pair.public_pem)));
        // Another base string, or another key, does not verify.
        assert!(!verify(method, &base.replace("nonce1", "nonce2"), &signature, "", "", Some(&pair.public_pem)));
        let other = generate_rsa_key().unwrap();
        assert!(!verify(method, &base, &signature, "", "", Some(&other.public_pem)));
    }

    #[test]
    fn temporary_credentials_need_the_callback_confirmed() {
        assert_eq!(
            parse_temporary_credentials("oauth_token=a&oauth_token_secret=b"),
            Err(AnswerError::CallbackNotConfirmed)
        );
        assert_eq!(
            parse_temporary_credentials("oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=false"),
            Err(AnswerError::CallbackNotConfirmed)
        );
        assert_eq!(
            parse_temporary_credentials("oauth_token_secret=b&oauth_callback_confirmed=true"),
            Err(AnswerError::Missing("oauth_token"))
        );
        assert_eq!(
            parse_temporary_credentials("oauth_token=a&oauth_token_secret=&oauth_callback_confirmed=true"),
            Err(AnswerError::Missing("oauth_token_secret"))
        );
        assert_eq!(parse_temporary_credentials("%zz"), Err(AnswerError::NotForm));
        let refused =
            parse_temporary_credentials("oauth_problem=consumer_key_unknown&oauth_problem_advice=ask%20the%20admin")
                .unwrap_err();
        assert_eq!(refused, AnswerError::Problem("consumer_key_unknown (ask the admin)".into()));
        assert!(refused.to_string().contains("consumer_key_unknown"));
        // Trailing newline and `+` for space, as form encoding has it.
        let ok = parse_temporary_credentials("oauth_token=a+b&oauth_token_secret=c&oauth_callback_confirmed=true\n");
        assert_eq!(ok.unwrap().token, "a b");
    }

    #[test]
    fn token_credentials_keep_the_extra_fields() {
        let c = parse_token_credentials("oauth_token=t&oauth_token_secret=s&user_id=42&screen_name=alice").unwrap();
        assert_eq!((c.token.as_str(), c.secret.as_str()), ("t", "s"));
        assert_eq!(c.extra, vec![("user_id".into(), "42".into()), ("screen_name".into(), "alice".into())]);
        assert_eq!(c.remote_user(), Some("alice"));
        assert_eq!(c.remote_subject(), Some("42"));
        assert_eq!(parse_token_credentials("oauth_token=t"), Err(AnswerError::Missing("oauth_token_secret")));
        assert!(matches!(parse_token_credentials("oauth_problem=permission_denied"), Err(AnswerError::Problem(_))));
    }
}
