//! Collecting the parameters of an OAuth 1.0a request (RFC 5849 §3.4.1.3,
//! §3.5): parsing the `OAuth` Authorization header and form-encoded query
//! strings and bodies, and assembling them into the one list that is signed,
//! with the `oauth_*` protocol parameters picked out. Pure: the caller hands
//! in the header, the query and (only for form-encoded bodies) the body.

use super::signature::{normalize_parameters, percent_encode};

/// Why the parameters of a request could not be collected. Each message is
/// meant to be shown to the developer of the client app as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("the Authorization header does not use the OAuth scheme")]
    NotOAuthScheme,
    #[error("malformed OAuth Authorization header: {0}")]
    MalformedHeader(&'static str),
    #[error("invalid percent-encoding {0:?}: a `%` must be followed by two hexadecimal digits")]
    BadPercentEncoding(String),
    #[error("a percent-encoded parameter does not decode to valid UTF-8")]
    InvalidUtf8,
    #[error(
        "parameter {0:?} is sent more than once; OAuth protocol parameters and Authorization header parameters must appear exactly once (RFC 5849 §3.1)"
    )]
    Duplicate(String),
}

/// True when the header value uses the `OAuth` auth-scheme (case-insensitive),
/// so that a caller can tell it apart from `Bearer` before parsing it.
pub fn is_oauth_scheme(value: &str) -> bool {
    split_scheme(value).is_some()
}

/// Returns what follows the `OAuth` scheme name, or `None` for another scheme.
fn split_scheme(value: &str) -> Option<&str> {
    let value = value.trim_start_matches(is_ows);
    let end = value.find(is_ows).unwrap_or(value.len());
    let (scheme, rest) = value.split_at(end);
    scheme.eq_ignore_ascii_case("OAuth").then_some(rest)
}

fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// RFC 7230 token characters, which is what a parameter name may use before
/// percent-decoding.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Parses an `Authorization: OAuth ...` value (§3.5.1) into decoded pairs in
/// the order sent, without `realm`. Values must be quoted; names and values
/// are percent-decoded per §3.6, where `+` is a literal plus. Any parameter
/// sent twice in the header is an error.
pub fn parse_authorization_header(value: &str) -> Result<Vec<(String, String)>, ParamError> {
    let mut rest = split_scheme(value).ok_or(ParamError::NotOAuthScheme)?;
    let mut pairs = Vec::new();
    let mut seen_realm = false;
    loop {
        // Empty list elements (",,") are allowed by the HTTP list syntax.
        rest = rest.trim_start_matches(|c| is_ows(c) || c == ',');
        if rest.is_empty() {
            break;
        }
        let name_end = rest.find(|c| !is_tchar(c)).unwrap_or(rest.len());
        let (raw_name, after_name) = rest.split_at(name_end);
        if raw_name.is_empty() {
            return Err(ParamError::MalformedHeader("expected a parameter name (name=\"value\")"));
        }
        let after_eq = after_name
            .trim_start_matches(is_ows)
            .strip_prefix('=')
            .ok_or(ParamError::MalformedHeader("each parameter needs `=` and a quoted value (name=\"value\")"))?;
        let quoted = after_eq
            .trim_start_matches(is_ows)
            .strip_prefix('"')
            .ok_or(ParamError::MalformedHeader("parameter values must be in double quotes (name=\"value\")"))?;
        // Values are percent-encoded, so they never need a quoted-pair; a
        // backslash is just an unencoded character.
        let close = quoted
            .find('"')
            .ok_or(ParamError::MalformedHeader("a quoted value is missing its closing double quote"))?;
        let (raw_value, after_value) = quoted.split_at(close);
        rest = after_value[1..].trim_start_matches(is_ows);
        if !rest.is_empty() && !rest.starts_with(',') {
            return Err(ParamError::MalformedHeader("parameters must be separated by commas"));
        }

        let name = percent_decode(raw_name, false)?;
        let value = percent_decode(raw_value, false)?;
        if name == "realm" {
            if seen_realm {
                return Err(ParamError::Duplicate(name));
            }
            seen_realm = true;
            continue;
        }
        if pairs.iter().any(|(seen, _)| *seen == name) {
            return Err(ParamError::Duplicate(name));
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Parses a query string or an `application/x-www-form-urlencoded` body into
/// decoded pairs, keeping order, repeated names and empty values (`a` and `a=`
/// both give `("a", "")`). `+` is a space; `%2B` is a plus.
pub fn parse_form_urlencoded(input: &str) -> Result<Vec<(String, String)>, ParamError> {
    input
        .split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            Ok((percent_decode(name, true)?, percent_decode(value, true)?))
        })
        .collect()
}

/// Decodes `%XX` escapes (either case) and, for form encoding, `+` as space.
/// Anything else passes through, since clients differ in what they bother to
/// encode and the signature is computed over the decoded text anyway.
fn percent_decode(input: &str, plus_is_space: bool) -> Result<String, ParamError> {
    let needs_decoding = input.contains('%') || (plus_is_space && input.contains('+'));
    if !needs_decoding {
        return Ok(input.to_owned());
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let digits = bytes.get(i + 1..i + 3);
                let byte = digits
                    .and_then(|d| std::str::from_utf8(d).ok())
                    .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|d| u8::from_str_radix(d, 16).ok())
                    .ok_or_else(|| ParamError::BadPercentEncoding(escape_excerpt(&bytes[i..])))?;
                out.push(byte);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| ParamError::InvalidUtf8)
}

/// The offending escape for an error message: the `%` and at most two
/// following characters, so that a hostile input is not echoed back whole.
fn escape_excerpt(from_percent: &[u8]) -> String {
    String::from_utf8_lossy(from_percent).chars().take(3).collect()
}

/// Builds an `OAuth` Authorization header value (§3.5.1) from decoded pairs;
/// the counterpart of [`parse_authorization_header`], for clients and tests.
pub fn authorization_header(realm: Option<&str>, pairs: &[(&str, &str)]) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(pairs.len() + 1);
    if let Some(realm) = realm {
        parts.push(format!("realm=\"{}\"", percent_encode(realm)));
    }
    parts.extend(pairs.iter().map(|(name, value)| format!("{}=\"{}\"", percent_encode(name), percent_encode(value))));
    format!("OAuth {}", parts.join(", "))
}

/// The protocol parameters this server may require, by name.
pub mod names {
    pub const CONSUMER_KEY: &str = "oauth_consumer_key";
    pub const TOKEN: &str = "oauth_token";
    pub const SIGNATURE_METHOD: &str = "oauth_signature_method";
    pub const SIGNATURE: &str = "oauth_signature";
    pub const TIMESTAMP: &str = "oauth_timestamp";
    pub const NONCE: &str = "oauth_nonce";
    pub const CALLBACK: &str = "oauth_callback";
    pub const VERIFIER: &str = "oauth_verifier";
    pub const VERSION: &str = "oauth_version";
}

/// Every parameter of one request, gathered from the Authorization header,
/// the URI query and a form-encoded body (§3.4.1.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestParams {
    /// Everything that is signed: all pairs except `realm` and
    /// `oauth_signature`, in the order collected.
    signed: Vec<(String, String)>,
    /// The `oauth_*` pairs of `signed` (which by §3.1 occur once each), as
    /// indexes sorted by name.
    protocol: Vec<usize>,
    /// `oauth_signature`, which is not signed.
    signature: Option<String>,
}

impl RequestParams {
    /// Parses and assembles the three sources. Pass `header` only for an
    /// `OAuth` Authorization header (see [`is_oauth_scheme`]), `query` without
    /// the `?`, and `form_body` only when the content type is
    /// `application/x-www-form-urlencoded`; other bodies are never signed.
    pub fn collect(header: Option<&str>, query: Option<&str>, form_body: Option<&str>) -> Result<Self, ParamError> {
        let mut pairs = header.map(parse_authorization_header).transpose()?.unwrap_or_default();
        for source in [query, form_body].into_iter().flatten() {
            pairs.extend(parse_form_urlencoded(source)?);
        }
        Self::from_sources(pairs)
    }

    /// Assembles already-decoded pairs (header pairs without `realm`). An
    /// `oauth_*` name seen twice, in one source or across sources, is
    /// [`ParamError::Duplicate`] (the first one repeated is named); other
    /// names may repeat.
    pub fn from_sources(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Self, ParamError> {
        let mut signed: Vec<(String, String)> = pairs.into_iter().collect();
        let mut seen = std::collections::HashSet::new();
        if let Some((name, _)) = signed.iter().find(|(n, _)| n.starts_with("oauth_") && !seen.insert(n.as_str())) {
            return Err(ParamError::Duplicate(name.clone()));
        }
        let signature = signed.iter().position(|(n, _)| n == names::SIGNATURE).map(|i| signed.remove(i).1);
        let mut protocol: Vec<usize> = (0..signed.len()).filter(|&i| signed[i].0.starts_with("oauth_")).collect();
        protocol.sort_unstable_by(|a, b| signed[*a].0.cmp(&signed[*b].0));
        Ok(RequestParams { signed, protocol, signature })
    }

    /// The value of one `oauth_*` parameter, if it was sent.
    pub fn protocol(&self, name: &str) -> Option<&str> {
        if name == names::SIGNATURE {
            return self.signature.as_deref();
        }
        let i = self.protocol.binary_search_by(|i| self.signed[*i].0.as_str().cmp(name)).ok()?;
        Some(self.signed[self.protocol[i]].1.as_str())
    }

    /// The `oauth_signature` sent, decoded; it is not part of the signed text.
    pub fn signature(&self) -> Option<&str> {
        self.signature.as_deref()
    }

    /// Which of `required` were not sent at all, in the order given; feeds
    /// the `oauth_parameters_absent` problem report. A parameter sent with an
    /// empty value counts as present: the RFC lets a client send an empty
    /// `oauth_token`, and an empty value fails its own check later.
    pub fn missing<'a>(&self, required: &[&'a str]) -> Vec<&'a str> {
        required.iter().copied().filter(|name| self.protocol(name).is_none()).collect()
    }

    /// The pairs that are signed (all but `realm` and `oauth_signature`).
    pub fn signed_pairs(&self) -> &[(String, String)] {
        &self.signed
    }

    /// The normalised parameter string of §3.4.1.3.2.
    pub fn normalized(&self) -> String {
        normalize_parameters(&self.signed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth1::signature::{base_string_uri, signature_base_string};
    use rand::{RngExt, SeedableRng};

    fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    const RFC_HEADER: &str = "OAuth realm=\"Example\",\n        \
        oauth_consumer_key=\"9djdj82h48djs9d2\",\n        \
        oauth_token=\"kkk9d7dh3k39sjv7\",\n        \
        oauth_signature_method=\"HMAC-SHA1\",\n        \
        oauth_timestamp=\"137131201\",\n        \
        oauth_nonce=\"7d8f3e4a\",\n        \
        oauth_signature=\"djosJKDKJSD8743243%2Fjdk33klY%3D\"";

    #[test]
    fn rfc_3_4_1_example_end_to_end() {
        // The request of RFC 5849 §3.4.1.1 and §3.4.1.3.1. HTTP folding is
        // undone by the HTTP layer; the header arrives on one line.
        let header = RFC_HEADER.replace("\n        ", " ");
        let url = url::Url::parse("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
        let params = RequestParams::collect(Some(&header), url.query(), Some("c2&a3=2+q")).unwrap();

        // The decoded table of §3.4.1.3.1, in collection order.
        assert_eq!(
            params.signed_pairs(),
            owned(&[
                ("oauth_consumer_key", "9djdj82h48djs9d2"),
                ("oauth_token", "kkk9d7dh3k39sjv7"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "137131201"),
                ("oauth_nonce", "7d8f3e4a"),
                ("b5", "=%3D"),
                ("a3", "a"),
                ("c@", ""),
                ("a2", "r b"),
                ("c2", ""),
                ("a3", "2 q"),
            ])
        );
        assert_eq!(params.signature(), Some("djosJKDKJSD8743243/jdk33klY="));
        assert_eq!(params.protocol(names::CONSUMER_KEY), Some("9djdj82h48djs9d2"));
        assert_eq!(params.protocol("realm"), None);

        let normalized = params.normalized();
        assert_eq!(
            normalized,
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2\
             &oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1\
             &oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7"
        );
        assert_eq!(
            signature_base_string("POST", &base_string_uri(&url), &normalized),
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da\
             %26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2\
             %26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1\
             %26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
        );
    }

    #[test]
    fn header_parsing_accepts_the_usual_spellings() {
        let expected = owned(&[("oauth_token", "a b"), ("x", "")]);
        for header in [
            "OAuth oauth_token=\"a%20b\", x=\"\"",
            "oauth oauth_token=\"a%20b\",x=\"\"",
            "OAUTH   oauth_token = \"a%20b\" ,\tx=\"\" ,",
            "  OAuth oauth_token=\"a%20b\",, x=\"\"",
            "OAuth realm=\"r\", oauth_token=\"a%20b\", x=\"\"",
        ] {
            assert_eq!(parse_authorization_header(header), Ok(expected.clone()), "{header}");
        }
        assert_eq!(parse_authorization_header("OAuth"), Ok(vec![]));
        assert_eq!(parse_authorization_header("OAuth realm=\"only\""), Ok(vec![]));
        // §3.6 encoding, not form encoding: `+` stays a plus.
        assert_eq!(
            parse_authorization_header("OAuth oauth_signature=\"ab+c/d=\""),
            Ok(owned(&[("oauth_signature", "ab+c/d=")]))
        );
        // Lowercase escapes, UTF-8 and an encoded name.
        assert_eq!(parse_authorization_header("OAuth n%c3%bc=\"%e2%82%ac%F0%9F%98%80\""), Ok(owned(&[("nü", "€😀")])));
    }

    #[test]
    fn header_parsing_rejects_malformed_input() {
        for (header, expected) in [
            ("Bearer abc", ParamError::NotOAuthScheme),
            ("OAuthx a=\"b\"", ParamError::NotOAuthScheme),
            ("", ParamError::NotOAuthScheme),
            ("OAuth a=b", ParamError::MalformedHeader("parameter values must be in double quotes (name=\"value\")")),
            ("OAuth a", ParamError::MalformedHeader("each parameter needs `=` and a quoted value (name=\"value\")")),
            ("OAuth a=\"b", ParamError::MalformedHeader("a quoted value is missing its closing double quote")),
            ("OAuth a=\"b\" c=\"d\"", ParamError::MalformedHeader("parameters must be separated by commas")),
            ("OAuth =\"b\"", ParamError::MalformedHeader("expected a parameter name (name=\"value\")")),
            ("OAuth a=\"%zz\"", ParamError::BadPercentEncoding("%zz".into())),
            ("OAuth a=\"%4\"", ParamError::BadPercentEncoding("%4".into())),
            ("OAuth a=\"%\"", ParamError::BadPercentEncoding("%".into())),
            ("OAuth a=\"%C3\"", ParamError::InvalidUtf8),
            ("OAuth a=\"%FF%FE\"", ParamError::InvalidUtf8),
            ("OAuth a=\"1\", a=\"1\"", ParamError::Duplicate("a".into())),
            ("OAuth a=\"1\", a=\"2\"", ParamError::Duplicate("a".into())),
            ("OAuth a%3D=\"1\", a%3d=\"2\"", ParamError::Duplicate("a=".into())),
            ("OAuth realm=\"a\", realm=\"b\"", ParamError::Duplicate("realm".into())),
        ] {
            assert_eq!(parse_authorization_header(header), Err(expected), "{header}");
        }
        // A multi-byte character right after `%` must not split a char.
        assert!(matches!(parse_authorization_header("OAuth a=\"%€\""), Err(ParamError::BadPercentEncoding(_))));
        assert!(is_oauth_scheme("oAuTh x=\"1\""));
        assert!(!is_oauth_scheme("Basic Zm9v"));
    }

    #[test]
    fn form_parsing_keeps_order_repeats_and_empties() {
        assert_eq!(
            parse_form_urlencoded("b=2&a=1&a=&a&c=x=y&&d=%2B+%20"),
            Ok(owned(&[("b", "2"), ("a", "1"), ("a", ""), ("a", ""), ("c", "x=y"), ("d", "+  "),]))
        );
        assert_eq!(parse_form_urlencoded(""), Ok(vec![]));
        assert_eq!(
            parse_form_urlencoded("q=caf%c3%a9+%E2%82%AC&%F0%9F%98%80=~"),
            Ok(owned(&[("q", "café €"), ("😀", "~")]))
        );
        assert_eq!(parse_form_urlencoded("a=%zz"), Err(ParamError::BadPercentEncoding("%zz".into())));
        assert_eq!(parse_form_urlencoded("a=%C3%28"), Err(ParamError::InvalidUtf8));
        assert_eq!(parse_form_urlencoded("ok=1&bad=%2"), Err(ParamError::BadPercentEncoding("%2".into())));
    }

    #[test]
    fn plus_and_percent20_sign_identically() {
        // A form `+` is a space and is signed as %20, like an encoded space;
        // an encoded plus is signed as %2B.
        let plus = RequestParams::collect(None, Some("q=a+b"), None).unwrap();
        let pct = RequestParams::collect(None, Some("q=a%20b"), None).unwrap();
        let literal = RequestParams::collect(None, Some("q=a%2Bb"), None).unwrap();
        assert_eq!(plus.normalized(), "q=a%20b");
        assert_eq!(pct.normalized(), plus.normalized());
        assert_eq!(literal.normalized(), "q=a%2Bb");
    }

    #[test]
    fn encoding_edge_cases_in_the_normalized_string() {
        let params = RequestParams::collect(
            Some("OAuth oauth_nonce=\"n~1\", oauth_consumer_key=\"k\""),
            Some("z=%e2%82%ac&e=&e=&r=%3A%2F%3F%23%5B%5D%40&t=~&a=b&a=A"),
            Some("m=%C3%BC&m=%F0%9F%98%80"),
        )
        .unwrap();
        assert_eq!(
            params.normalized(),
            "a=A&a=b&e=&e=&m=%C3%BC&m=%F0%9F%98%80&oauth_consumer_key=k&oauth_nonce=n~1\
             &r=%3A%2F%3F%23%5B%5D%40&t=~&z=%E2%82%AC"
        );
    }

    #[test]
    fn protocol_parameters_must_be_unique_across_sources() {
        let header = "OAuth oauth_consumer_key=\"k\", oauth_nonce=\"n\"";
        for (query, body, dup) in [
            (Some("oauth_nonce=m"), None, "oauth_nonce"),
            (None, Some("oauth_consumer_key=k"), "oauth_consumer_key"),
            (Some("oauth_signature=x"), Some("oauth_signature=x"), "oauth_signature"),
            (Some("oauth_extra=1&oauth_extra=1"), None, "oauth_extra"),
        ] {
            assert_eq!(
                RequestParams::collect(Some(header), query, body),
                Err(ParamError::Duplicate(dup.into())),
                "{query:?} {body:?}"
            );
        }
        // Non-protocol names may repeat across and within sources.
        let ok = RequestParams::collect(Some(header), Some("a=1&a=2"), Some("a=3")).unwrap();
        assert_eq!(ok.signed_pairs().iter().filter(|(n, _)| n == "a").count(), 3);
        // Protocol parameters may come from the query or body instead.
        let body_only =
            RequestParams::collect(None, Some("oauth_token=t"), Some("oauth_consumer_key=k&oauth_signature=s%3D"))
                .unwrap();
        assert_eq!(body_only.protocol(names::TOKEN), Some("t"));
        assert_eq!(body_only.signature(), Some("s="));
        assert_eq!(body_only.normalized(), "oauth_consumer_key=k&oauth_token=t");
        assert_eq!(
            body_only.missing(&[names::CONSUMER_KEY, names::TOKEN, names::SIGNATURE, names::NONCE]),
            vec![names::NONCE]
        );
    }

    #[test]
    fn missing_reports_absent_required_parameters() {
        let params = RequestParams::collect(
            Some("OAuth oauth_consumer_key=\"k\", oauth_token=\"\", oauth_signature=\"s\""),
            None,
            None,
        )
        .unwrap();
        let required = [
            names::CONSUMER_KEY,
            names::TOKEN,
            names::SIGNATURE_METHOD,
            names::SIGNATURE,
            names::TIMESTAMP,
            names::NONCE,
        ];
        assert_eq!(params.missing(&required), vec![names::SIGNATURE_METHOD, names::TIMESTAMP, names::NONCE]);
        assert_eq!(params.missing(&[names::CONSUMER_KEY]), Vec::<&str>::new());
        // oauth_signature is a protocol parameter but is never signed.
        assert!(params.signed_pairs().iter().all(|(n, _)| n != "oauth_signature"));
    }

    #[test]
    fn parse_errors_propagate_from_every_source() {
        assert_eq!(RequestParams::collect(Some("Bearer x"), None, None), Err(ParamError::NotOAuthScheme));
        assert_eq!(
            RequestParams::collect(None, Some("a=%g0"), None),
            Err(ParamError::BadPercentEncoding("%g0".into()))
        );
        assert_eq!(RequestParams::collect(None, None, Some("a=%FF")), Err(ParamError::InvalidUtf8));
    }

    #[test]
    fn authorization_header_round_trips() {
        let pairs = [
            ("oauth_callback", "http://printer.example.com/ready?x=1&y=a b"),
            ("oauth_signature", "74KNZJeDHnMBp0EMJ9ZHt/XKycU="),
            ("ü", "\"quoted\", €"),
        ];
        let header = authorization_header(Some("Photos"), &pairs);
        assert!(header.starts_with("OAuth realm=\"Photos\", oauth_callback=\"http%3A%2F%2F"));
        assert!(header.contains("oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\""));
        let parsed = parse_authorization_header(&header).unwrap();
        let expected: Vec<(String, String)> = owned(&pairs);
        assert_eq!(parsed, expected);
    }

    /// Random and garbage input never panics, and whatever the parsers
    /// accept survives a re-encode and re-parse unchanged.
    #[test]
    fn parsers_survive_random_input() {
        const ALPHABET: &[&str] = &[
            "O", "A", "u", "t", "h", "OAuth ", "oauth_", "a", "Z", "0", "9", "=", "\"", ",", " ", "\t", "%", "%2",
            "%C3", "%BC", "%e2%82", "%zz", "+", "&", "\\", "ü", "€", "😀", "\n", "realm", "\u{0}",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5849);
        let mut accepted = 0usize;
        for round in 0..20_000 {
            let input: String = if round % 4 == 0 {
                let bytes: Vec<u8> = (0..rng.random_range(0..48)).map(|_| rng.random()).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                let prefix = if round % 2 == 0 { "OAuth " } else { "" };
                let body: String =
                    (0..rng.random_range(0..24)).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())]).collect();
                format!("{prefix}{body}")
            };

            if let Ok(pairs) = parse_authorization_header(&input) {
                accepted += 1;
                let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                let again = parse_authorization_header(&authorization_header(None, &borrowed));
                assert_eq!(again.as_ref(), Ok(&pairs), "{input:?}");
            }
            if let Ok(pairs) = parse_form_urlencoded(&input) {
                let encoded: Vec<String> =
                    pairs.iter().map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v))).collect();
                let again = parse_form_urlencoded(&encoded.join("&"));
                // Empty-named, empty-valued pairs ("=") re-encode to "=",
                // which the parser keeps, so the round trip is exact.
                assert_eq!(again.as_ref(), Ok(&pairs), "{input:?}");
            }
            let _ = RequestParams::collect(Some(&input), Some(&input), Some(&input));
        }
        // The alphabet is biased so that a fair share of inputs parse; if none
        // did, the round-trip assertions above would prove nothing.
        assert!(accepted > 100, "only {accepted} headers parsed");
    }
}
