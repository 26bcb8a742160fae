//! Redirect URIs: which ones an application may register (RFC 6749 §3.1.2,
//! RFC 8252 for native apps), whether a requested `redirect_uri` matches a
//! registered one, and how response parameters are added to it. Pure string
//! and URL rules, no I/O.
//!
//! Matching is exact string comparison (RFC 6749 §3.1.2.3 with the OAuth 2.0
//! Security BCP's advice against any looser pattern), with the single
//! exception RFC 8252 §7.3 requires: a native app listening on a loopback IP
//! literal picks its port at run time, so the port is ignored there.

use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Schemes that are never redirect targets, named so the refusal can say
/// why instead of falling through to the generic custom-scheme rule.
const FORBIDDEN_SCHEMES: &[&str] = &[
    "javascript",
    "data",
    "file",
    "vbscript",
    "blob",
    "about",
    "filesystem",
    "view-source",
    "ftp",
    "ws",
    "wss",
    "mailto",
    "tel",
];

/// The loopback origins that get the any-port exception, written exactly as
/// a client must write them: RFC 8252 §7.3 speaks of IP literals, and §8.3
/// advises against `localhost` because it may resolve elsewhere.
const LOOPBACK_PREFIXES: &[&str] = &["http://127.0.0.1", "http://[::1]"];

/// Why a redirect URI cannot be registered. The messages are shown to the
/// admin in the console and the command line, so they say what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectError {
    #[error("a redirect URI must not be empty")]
    Empty,
    #[error(
        "a redirect URI must be written in ASCII without spaces or control characters; percent-encode anything else"
    )]
    Characters,
    #[error("\"{0}\" is not an absolute URI (it needs a scheme such as https://)")]
    NotAbsolute(String),
    #[error("a redirect URI must not contain a fragment (the part after #) (RFC 6749 §3.1.2)")]
    Fragment,
    #[error("a redirect URI must not contain a user name or password")]
    UserInfo,
    #[error("the {0}: scheme cannot be used for a redirect URI")]
    ForbiddenScheme(String),
    #[error("http is allowed only for a loopback address (127.0.0.1, [::1] or localhost); use https for \"{0}\"")]
    InsecureHttp(String),
    #[error(
        "the custom scheme {0}: must be a reverse domain name you control, such as com.example.app:/callback (RFC 8252 §7.1)"
    )]
    CustomSchemeWithoutDot(String),
}

/// Checks a redirect URI an admin wants to register for an application.
///
/// Accepted: `https` URIs; `http` only on a loopback host (for native apps,
/// RFC 8252 §7.3); private-use schemes containing a dot, i.e. a reverse
/// domain name (RFC 8252 §7.1). Always refused: relative URIs, fragments,
/// user info, and schemes that run code or read local data.
pub fn validate_registered(uri: &str) -> Result<(), RedirectError> {
    if uri.is_empty() {
        return Err(RedirectError::Empty);
    }
    // The URL parser silently strips surrounding whitespace and embedded tabs
    // and newlines; a registered string that differs from what the parser saw
    // could never match a request exactly, so refuse it up front.
    if !uri.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(RedirectError::Characters);
    }
    let url = Url::parse(uri).map_err(|_| RedirectError::NotAbsolute(uri.to_owned()))?;
    let scheme = url.scheme();
    if FORBIDDEN_SCHEMES.contains(&scheme) {
        return Err(RedirectError::ForbiddenScheme(scheme.to_owned()));
    }
    // Checked on the raw string: the parser reports "#" with nothing after it
    // as an empty fragment, but being explicit costs nothing.
    if uri.contains('#') || url.fragment().is_some() {
        return Err(RedirectError::Fragment);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RedirectError::UserInfo);
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback_host(&url) => Ok(()),
        "http" => Err(RedirectError::InsecureHttp(uri.to_owned())),
        custom if custom.contains('.') => Ok(()),
        custom => Err(RedirectError::CustomSchemeWithoutDot(custom.to_owned())),
    }
}

fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip == Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == Ipv6Addr::LOCALHOST,
        Some(Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// Does the `redirect_uri` of a request match one of the application's
/// registered URIs?
///
/// Exact, case-sensitive string comparison, so `https://example.com/cb` and
/// `https://example.com/cb/` are different URIs and no normalisation can be
/// used to smuggle in another host. The only exception is RFC 8252 §7.3: a
/// registered `http://127.0.0.1…` or `http://[::1]…` URI matches a request
/// that differs from it only in the port.
pub fn matches(registered: &[String], requested: &str) -> bool {
    registered.iter().any(|r| r == requested || loopback_matches(r, requested))
}

fn loopback_matches(registered: &str, requested: &str) -> bool {
    match (split_loopback(registered), split_loopback(requested)) {
        (Some((reg_origin, reg_rest)), Some((req_origin, req_rest))) => {
            reg_origin == req_origin && reg_rest == req_rest && !req_rest.contains('#')
        }
        _ => false,
    }
}

/// Splits `http://127.0.0.1:PORT/rest` into the origin without the port and
/// `/rest`, working on the raw string so that the comparison stays exact.
/// Anything after the host other than a valid port and then a path, a query
/// or nothing (e.g. `http://127.0.0.1@evil.example/`, or
/// `http://127.0.0.1:80.evil.example/`) is not a loopback URI at all.
fn split_loopback(uri: &str) -> Option<(&'static str, &str)> {
    let origin = LOOPBACK_PREFIXES.iter().copied().find(|prefix| uri.starts_with(prefix))?;
    let mut rest = &uri[origin.len()..];
    if let Some(after_colon) = rest.strip_prefix(':') {
        let digits = after_colon.bytes().take_while(u8::is_ascii_digit).count();
        let port = &after_colon[..digits];
        if port.is_empty() || port.len() > 5 || port.parse::<u16>().is_err() {
            return None;
        }
        rest = &after_colon[digits..];
    }
    if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') { Some((origin, rest)) } else { None }
}

/// Adds response parameters to a redirect URI, form-urlencoded as RFC 6749
/// Appendix B requires.
///
/// With `fragment == false` (authorization code responses and errors) the
/// parameters join the query, keeping any query the client registered
/// (RFC 6749 §3.1.2 says it must be retained). With `fragment == true`
/// (implicit responses, §4.2.2) they become the fragment; any fragment
/// already there is replaced, because the client parses the whole fragment
/// as the response.
pub fn append_params<I, K, V>(uri: &str, params: I, fragment: bool) -> String
where
    I: IntoIterator,
    I::Item: std::borrow::Borrow<(K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let (base, existing_fragment) = match uri.split_once('#') {
        Some((base, frag)) => (base, Some(frag)),
        None => (uri, None),
    };
    if encoded.is_empty() {
        return uri.to_owned();
    }
    let mut out = String::with_capacity(uri.len() + encoded.len() + 1);
    out.push_str(base);
    if fragment {
        out.push('#');
        out.push_str(&encoded);
        return out;
    }
    match base.find('?') {
        None => out.push('?'),
        Some(q) if base.len() == q + 1 || base.ends_with('&') => {}
        Some(_) => out.push('&'),
    }
    out.push_str(&encoded);
    if let Some(frag) = existing_fragment {
        out.push('#');
        out.push_str(frag);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(uris: &[&str]) -> Vec<String> {
        uris.iter().map(|u| (*u).to_owned()).collect()
    }

    #[test]
    fn https_is_accepted() {
        for ok in [
            "https://example.com/cb",
            "https://example.com/cb?tenant=a&x=1",
            "https://example.com:8443/oauth/callback",
            "https://192.0.2.10/cb",
            "https://example.com",
        ] {
            assert_eq!(validate_registered(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1/cb",
            "http://127.0.0.1:8080/cb",
            "http://[::1]/cb",
            "http://[::1]:49152/cb",
            "http://localhost/cb",
            "http://localhost:3000/cb",
        ] {
            assert_eq!(validate_registered(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://example.com/cb",
            "http://127.0.0.2/cb",
            "http://10.0.0.1/cb",
            "http://localhost.evil.example/cb",
            "http://evil.example/127.0.0.1",
        ] {
            assert!(matches!(validate_registered(bad), Err(RedirectError::InsecureHttp(_))), "{bad}");
        }
    }

    #[test]
    fn private_use_schemes_need_a_dot() {
        assert_eq!(validate_registered("com.example.app:/callback"), Ok(()));
        assert_eq!(validate_registered("com.example.app://callback"), Ok(()));
        assert_eq!(validate_registered("myapp://callback"), Err(RedirectError::CustomSchemeWithoutDot("myapp".into())));
        let msg = validate_registered("myapp:/cb").unwrap_err().to_string();
        assert!(msg.contains("reverse domain name"), "{msg}");
    }

    #[test]
    fn dangerous_schemes_are_refused_by_name() {
        for (uri, scheme) in [
            ("javascript:alert(document.cookie)", "javascript"),
            ("JavaScript:alert(1)", "javascript"),
            ("data:text/html,<script>alert(1)</script>", "data"),
            ("file:///etc/passwd", "file"),
            ("vbscript:msgbox", "vbscript"),
            ("blob:https://example.com/uuid", "blob"),
        ] {
            let err = validate_registered(uri).unwrap_err();
            assert_eq!(err, RedirectError::ForbiddenScheme(scheme.into()), "{uri}");
            assert!(err.to_string().contains(&format!("{scheme}:")));
        }
    }

    #[test]
    fn structural_refusals() {
        assert_eq!(validate_registered(""), Err(RedirectError::Empty));
        assert!(matches!(validate_registered("/relative/cb"), Err(RedirectError::NotAbsolute(_))));
        assert!(matches!(validate_registered("example.com/cb"), Err(RedirectError::NotAbsolute(_))));
        assert_eq!(validate_registered("https://example.com/cb#frag"), Err(RedirectError::Fragment));
        assert_eq!(validate_registered("https://example.com/cb#"), Err(RedirectError::Fragment));
        assert_eq!(validate_registered("https://user:pw@example.com/cb"), Err(RedirectError::UserInfo));
        assert_eq!(validate_registered("https://example.com@evil.example/cb"), Err(RedirectError::UserInfo));
        for bad in [
            " https://example.com/cb",
            "https://example.com/cb ",
            "https://example.com/c\tb",
            "https://example.com/cb\n",
            "https://example.com/caf\u{e9}",
        ] {
            assert_eq!(validate_registered(bad), Err(RedirectError::Characters), "{bad:?}");
        }
    }

    #[test]
    fn exact_match_only() {
        let r = reg(&["https://example.com/cb", "com.example.app:/callback"]);
        assert!(matches(&r, "https://example.com/cb"));
        assert!(matches(&r, "com.example.app:/callback"));
        for bad in [
            "https://example.com/cb/",
            "https://example.com/c",
            "https://example.com/cb?x=1",
            "https://example.com/cb#x",
            "https://example.com/CB",
            "HTTPS://example.com/cb",
            "https://EXAMPLE.com/cb",
            "https://example.com:443/cb",
            "https://example.com:8443/cb",
            "https://example.com.evil.example/cb",
            "https://evil.example/https://example.com/cb",
            "https://example.com@evil.example/cb",
            "https://evil.example@example.com/cb",
            "https://example.com%2F@evil.example/cb",
            "https://example.com/cb/../cb",
            "http://example.com/cb",
            "https://example.com/cb ",
            "",
        ] {
            assert!(!matches(&r, bad), "{bad}");
        }
        assert!(!matches(&[], "https://example.com/cb"));
    }

    #[test]
    fn registered_query_must_match_exactly() {
        let r = reg(&["https://example.com/cb?tenant=a"]);
        assert!(matches(&r, "https://example.com/cb?tenant=a"));
        assert!(!matches(&r, "https://example.com/cb?tenant=b"));
        assert!(!matches(&r, "https://example.com/cb?tenant=a&x=1"));
        assert!(!matches(&r, "https://example.com/cb"));
    }

    #[test]
    fn loopback_ip_literals_match_any_port() {
        let r = reg(&["http://127.0.0.1/cb", "http://[::1]:8080/native?x=1"]);
        assert!(matches(&r, "http://127.0.0.1/cb"));
        assert!(matches(&r, "http://127.0.0.1:49152/cb"));
        assert!(matches(&r, "http://127.0.0.1:1/cb"));
        assert!(matches(&r, "http://127.0.0.1:65535/cb"));
        assert!(matches(&r, "http://[::1]/native?x=1"));
        assert!(matches(&r, "http://[::1]:5000/native?x=1"));
        // Everything but the port is still compared exactly.
        for bad in [
            "http://127.0.0.1:5000/cb/",
            "http://127.0.0.1:5000/other",
            "http://127.0.0.1:5000/cb?x=1",
            "http://127.0.0.1:5000/cb#frag",
            "http://127.0.0.1:65536/cb",
            "http://127.0.0.1:/cb",
            "http://127.0.0.1:123456/cb",
            "http://127.0.0.1:80.evil.example/cb",
            "http://127.0.0.1:80@evil.example/cb",
            "http://127.0.0.1@evil.example/cb",
            "http://127.0.0.1.evil.example/cb",
            "https://127.0.0.1:5000/cb",
            "http://[::1]:5000/cb",
            "http://127.0.0.1:5000/native?x=1",
            "http://[::1]:5000/native",
            "http://localhost:5000/cb",
        ] {
            assert!(!matches(&r, bad), "{bad}");
        }
    }

    #[test]
    fn localhost_gets_no_port_exception() {
        let r = reg(&["http://localhost:3000/cb"]);
        assert!(matches(&r, "http://localhost:3000/cb"));
        assert!(!matches(&r, "http://localhost:3001/cb"));
        assert!(!matches(&r, "http://localhost/cb"));
        assert!(!matches(&r, "http://127.0.0.1:3000/cb"));
    }

    #[test]
    fn https_loopback_gets_no_port_exception() {
        let r = reg(&["https://127.0.0.1:8443/cb"]);
        assert!(!matches(&r, "https://127.0.0.1:9443/cb"));
    }

    #[test]
    fn append_to_uri_without_query() {
        let out = append_params("https://example.com/cb", [("code", "abc"), ("state", "x y&z=1")], false);
        assert_eq!(out, "https://example.com/cb?code=abc&state=x+y%26z%3D1");
    }

    #[test]
    fn append_keeps_existing_query() {
        let params = [("code", "abc")];
        assert_eq!(
            append_params("https://example.com/cb?tenant=a", params, false),
            "https://example.com/cb?tenant=a&code=abc"
        );
        assert_eq!(append_params("https://example.com/cb?", params, false), "https://example.com/cb?code=abc");
        assert_eq!(append_params("https://example.com/cb?a=1&", params, false), "https://example.com/cb?a=1&code=abc");
        assert_eq!(append_params("com.example.app:/callback", params, false), "com.example.app:/callback?code=abc");
    }

    #[test]
    fn append_encodes_everything_that_needs_it() {
        let out = append_params("https://example.com/cb", [("error_description", "Ünïcode, #hash & 100% /?")], false);
        assert_eq!(out, "https://example.com/cb?error_description=%C3%9Cn%C3%AFcode%2C+%23hash+%26+100%25+%2F%3F");
        // Round-trips through a form parser.
        let url = Url::parse(&out).unwrap();
        let (k, v) = url.query_pairs().next().unwrap();
        assert_eq!((k.as_ref(), v.as_ref()), ("error_description", "Ünïcode, #hash & 100% /?"));
    }

    #[test]
    fn append_to_fragment_for_implicit() {
        let owned =
            vec![("access_token".to_owned(), "t/k+n".to_owned()), ("token_type".to_owned(), "Bearer".to_owned())];
        assert_eq!(
            append_params("https://example.com/cb?tenant=a", &owned, true),
            "https://example.com/cb?tenant=a#access_token=t%2Fk%2Bn&token_type=Bearer"
        );
        assert_eq!(append_params("https://example.com/cb#old", [("a", "1")], true), "https://example.com/cb#a=1");
    }

    #[test]
    fn append_query_before_a_fragment() {
        assert_eq!(
            append_params("https://example.com/cb#keep", [("a", "1")], false),
            "https://example.com/cb?a=1#keep"
        );
    }

    #[test]
    fn append_nothing_changes_nothing() {
        let none: [(&str, &str); 0] = [];
        assert_eq!(append_params("https://example.com/cb", none, false), "https://example.com/cb");
    }
}
