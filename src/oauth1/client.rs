//! The client's side of RFC 5849, for Rust callers (the tests, the
//! benchmark, an application): an HMAC-SHA1 `Authorization` header built
//! from the same pure functions the server verifies with.

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
