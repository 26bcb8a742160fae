//! OAuth 1.0a callbacks: what a consumer may register, and whether the
//! `oauth_callback` of a temporary-credentials request fits its registration.
//! Pure rules, no I/O.
//!
//! The callback must match the registered one in scheme, host, port and path;
//! only the query may differ (clients carry their own state there). Two
//! exceptions for desktop applications: a registered custom scheme (a reverse
//! domain name, as for OAuth 2.0) works like any other URI, and a registered
//! loopback callback (`http://127.0.0.1`, `http://[::1]`, `http://localhost`)
//! matches on any port, since such an application picks its port at run
//! time. `oob` (out of band) must be used on both sides or on neither.

use crate::uri::redirect;
use url::{Host, Url};

/// The out-of-band callback value (RFC 5849 §2.1), case-sensitive.
pub const OOB: &str = "oob";

/// Why a callback was refused; the message goes into `oauth_problem_advice`
/// or is shown to the admin registering the consumer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("{0}")]
    Registration(String),
    #[error("this consumer registered the out-of-band callback; send oauth_callback=oob")]
    OobRegistered,
    #[error("this consumer registered a callback URL ({0}), so oob is not allowed; send a callback that matches it")]
    OobNotRegistered(String),
    #[error("oauth_callback must be an absolute URI or oob")]
    NotAUri,
    #[error("oauth_callback must not have a fragment (#...) or a user name or password")]
    Extra,
    #[error(
        "oauth_callback must not contain spaces, control characters or any of < > \" \\ ^ ` {{ }} |; percent-encode them"
    )]
    Characters,
    #[error(
        "oauth_callback's {part} differs from the registered callback ({registered}); scheme, host, port and path must match, only the query may differ"
    )]
    Mismatch { part: &'static str, registered: String },
}

/// Checks a callback an admin registers: `oob`, or a URI by the rules OAuth
/// 2.0 redirect URIs follow (https, http on loopback, or a custom scheme
/// named by a reverse domain name).
pub fn validate_registered(callback: &str) -> Result<(), CallbackError> {
    if callback == OOB {
        return Ok(());
    }
    redirect::validate_registered(callback).map_err(|e| CallbackError::Registration(e.to_string()))
}

fn is_loopback(url: &Url) -> bool {
    url.scheme() == "http"
        && match url.host() {
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            Some(Host::Domain(name)) => name == "localhost",
            None => false,
        }
}

/// Characters a URI never holds raw (RFC 3986 §2). A URL parser drops or
/// encodes them silently, so a callback holding them is refused rather than
/// checked in one form and redirected to in another.
fn raw_forbidden(c: char) -> bool {
    c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\\' | '^' | '`' | '{' | '}' | '|')
}

/// Does `requested` (the `oauth_callback` sent) fit `registered`? Gives the
/// callback as it is to be stored and redirected to: `oob`, or the parsed
/// URL serialised again, never the raw text.
pub fn check(registered: &str, requested: &str) -> Result<String, CallbackError> {
    if requested.chars().any(raw_forbidden) {
        return Err(CallbackError::Characters);
    }
    match (registered == OOB, requested == OOB) {
        (true, true) => return Ok(OOB.to_string()),
        (true, false) => return Err(CallbackError::OobRegistered),
        (false, true) => return Err(CallbackError::OobNotRegistered(registered.to_string())),
        (false, false) => {}
    }
    let reg = Url::parse(registered)
        .map_err(|_| CallbackError::Registration("the registered callback is not a URI".into()))?;
    let req = Url::parse(requested).map_err(|_| CallbackError::NotAUri)?;
    if requested.contains('#') || !req.username().is_empty() || req.password().is_some() {
        return Err(CallbackError::Extra);
    }
    let mismatch = |part| Err(CallbackError::Mismatch { part, registered: registered.to_string() });
    if reg.scheme() != req.scheme() {
        return mismatch("scheme");
    }
    if reg.host() != req.host() {
        return mismatch("host");
    }
    if reg.port_or_known_default() != req.port_or_known_default() && !is_loopback(&reg) {
        return mismatch("port");
    }
    if reg.path() != req.path() {
        return mismatch("path");
    }
    Ok(req.to_string())
}

/// The callback with `oauth_token` and `oauth_verifier` (and whatever else is
/// given) added to its query, keeping the query the client put there.
pub fn with_params(callback: &str, params: &[(&str, &str)]) -> String {
    redirect::append_params(callback, params, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_accepts_oob_and_safe_uris() {
        for ok in ["oob", "https://printer.example.com/ready", "http://127.0.0.1/cb", "com.example.app:/oauth1"] {
            assert_eq!(validate_registered(ok), Ok(()), "{ok}");
        }
        for bad in ["OOB", "", "http://printer.example.com/ready", "javascript:alert(1)", "myapp:/cb", "/relative"] {
            assert!(validate_registered(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scheme_host_port_and_path_must_match_but_the_query_may_differ() {
        let reg = "https://printer.example.com/ready";
        for ok in [
            "https://printer.example.com/ready",
            "https://printer.example.com/ready?job=7&x=%20",
            "https://PRINTER.example.com:443/ready",
        ] {
            assert!(check(reg, ok).is_ok(), "{ok}");
        }
        let part = |r: Result<String, CallbackError>| match r {
            Err(CallbackError::Mismatch { part, .. }) => part,
            other => panic!("{other:?}"),
        };
        assert_eq!(part(check(reg, "http://printer.example.com/ready")), "scheme");
        assert_eq!(part(check(reg, "https://evil.example.com/ready")), "host");
        assert_eq!(part(check(reg, "https://printer.example.com.evil.example/ready")), "host");
        assert_eq!(part(check(reg, "https://printer.example.com:8443/ready")), "port");
        assert_eq!(part(check(reg, "https://printer.example.com/ready/")), "path");
        assert_eq!(part(check(reg, "https://printer.example.com/other")), "path");
        assert_eq!(check(reg, "https://printer.example.com/ready#x"), Err(CallbackError::Extra));
        assert_eq!(check(reg, "https://u:p@printer.example.com/ready"), Err(CallbackError::Extra));
        assert_eq!(check(reg, "not-a-uri"), Err(CallbackError::NotAUri));
        // The refusal says what to do.
        let msg = check(reg, "https://printer.example.com:8443/ready").unwrap_err().to_string();
        assert!(msg.contains("port") && msg.contains(reg), "{msg}");
    }

    #[test]
    fn loopback_on_any_port_and_custom_schemes() {
        assert_eq!(
            check("http://127.0.0.1/cb", "http://127.0.0.1:51234/cb?s=1").as_deref(),
            Ok("http://127.0.0.1:51234/cb?s=1")
        );
        assert!(check("http://[::1]:8080/cb", "http://[::1]:9/cb").is_ok());
        assert!(check("http://localhost/cb", "http://localhost:3000/cb").is_ok());
        assert!(check("http://127.0.0.1/cb", "http://127.0.0.1:5/other").is_err());
        assert!(check("http://127.0.0.1/cb", "http://[::1]:5/cb").is_err());
        assert!(check("https://app.example/cb", "https://app.example:5/cb").is_err(), "only loopback");
        assert!(check("com.example.app:/oauth1", "com.example.app:/oauth1?state=2").is_ok());
        assert!(check("com.example.app:/oauth1", "com.evil.app:/oauth1").is_err());
    }

    #[test]
    fn oob_on_both_sides_or_neither() {
        assert_eq!(check("oob", "oob").as_deref(), Ok("oob"));
        assert_eq!(check("oob", "https://a.example/cb"), Err(CallbackError::OobRegistered));
        assert!(matches!(check("https://a.example/cb", "oob"), Err(CallbackError::OobNotRegistered(_))));
    }

    #[test]
    fn control_characters_and_raw_delimiters_are_refused_not_dropped() {
        let reg = "https://printer.example.com/ready";
        for bad in [
            "https://printer.example.com/ready?a=1\r\nSet-Cookie:x=y",
            "https://printer.exa\tmple.com/ready",
            "https://printer.example.com/ready?q=<script>",
            "https://printer.example.com/ready?q=\"x\"",
            "https://printer.example.com/re ady",
            "https://printer.example.com/ready?q=a|b",
            "oob\n",
        ] {
            assert_eq!(check(reg, bad), Err(CallbackError::Characters), "{bad:?}");
        }
        // What is kept is the serialised URL: the host lower-cased, the
        // default port dropped, the query as sent (already encoded).
        assert_eq!(
            check(reg, "https://PRINTER.example.com:443/ready?job=7&x=%20").as_deref(),
            Ok("https://printer.example.com/ready?job=7&x=%20")
        );
    }

    #[test]
    fn params_join_the_existing_query() {
        assert_eq!(
            with_params("https://a.example/cb?job=7", &[("oauth_token", "t"), ("oauth_verifier", "v w")]),
            "https://a.example/cb?job=7&oauth_token=t&oauth_verifier=v+w"
        );
        assert_eq!(with_params("com.example.app:/cb", &[("oauth_token", "t")]), "com.example.app:/cb?oauth_token=t");
    }
}
