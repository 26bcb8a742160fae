//! Proof Key for Code Exchange (RFC 7636): the rules for a `code_verifier` and
//! a `code_challenge`, and the check that binds an authorization code to the
//! client that asked for it. Pure functions; the authorize and token endpoints
//! decide when PKCE is required.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// RFC 7636 §4.1: a verifier is 43 to 128 characters.
const MIN_LEN: usize = 43;
const MAX_LEN: usize = 128;

/// An S256 challenge is the unpadded base64url form of a 32-byte digest,
/// which is always exactly this long.
const S256_CHALLENGE_LEN: usize = 43;

/// The `code_challenge_method` parameter (RFC 7636 §4.3). The names are
/// case-sensitive on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CodeChallengeMethod {
    #[serde(rename = "S256")]
    S256,
    #[serde(rename = "plain")]
    Plain,
}

impl CodeChallengeMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

impl fmt::Display for CodeChallengeMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CodeChallengeMethod {
    type Err = PkceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "S256" => Ok(Self::S256),
            "plain" => Ok(Self::Plain),
            other => Err(PkceError::UnsupportedMethod(printable(other))),
        }
    }
}

/// Why a PKCE parameter was refused. The messages are meant for the
/// `error_description` of an `invalid_request`, so they never echo raw input
/// that could carry characters the RFC forbids there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkceError {
    #[error("code_challenge_method must be 'S256' or 'plain', not '{0}'")]
    UnsupportedMethod(String),
    #[error("{what} must be 43 to 128 characters long, got {len}")]
    Length { what: &'static str, len: usize },
    #[error("{what} may contain only letters, digits and - . _ ~")]
    Charset { what: &'static str },
    #[error("an S256 code_challenge is 43 base64url characters without padding")]
    MalformedS256,
}

/// Checks a `code_verifier` against RFC 7636 §4.1:
/// `43*128unreserved` with `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"`.
pub fn validate_verifier(verifier: &str) -> Result<(), PkceError> {
    check_unreserved("code_verifier", verifier)
}

/// Checks a `code_challenge` for the given method (RFC 7636 §4.2). A plain
/// challenge is the verifier itself, so it follows the verifier's rules; an
/// S256 challenge must look like the base64url of a SHA-256 digest, which
/// catches clients that send padded or standard base64 before they fail at
/// the token endpoint with a less helpful error.
pub fn validate_challenge(method: CodeChallengeMethod, challenge: &str) -> Result<(), PkceError> {
    check_unreserved("code_challenge", challenge)?;
    if method == CodeChallengeMethod::S256
        && (challenge.len() != S256_CHALLENGE_LEN
            || !challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(PkceError::MalformedS256);
    }
    Ok(())
}

/// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
pub fn challenge_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Does `verifier` answer `challenge`? (RFC 7636 §4.6). A malformed verifier
/// never matches, even under `plain`, so the format rules cannot be skipped by
/// registering a malformed challenge. The comparison is constant-time so that
/// timing does not reveal how much of a guess was right.
pub fn verify(method: CodeChallengeMethod, verifier: &str, challenge: &str) -> bool {
    if validate_verifier(verifier).is_err() {
        return false;
    }
    let expected = match method {
        CodeChallengeMethod::S256 => challenge_s256(verifier),
        CodeChallengeMethod::Plain => verifier.to_owned(),
    };
    expected.as_bytes().ct_eq(challenge.as_bytes()).into()
}

fn check_unreserved(what: &'static str, value: &str) -> Result<(), PkceError> {
    // Count characters, not bytes, so a non-ASCII value reports a length the
    // client recognises; the charset rule then refuses it either way.
    let len = value.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&len) {
        return Err(PkceError::Length { what, len });
    }
    if !value.bytes().all(is_unreserved) {
        return Err(PkceError::Charset { what });
    }
    Ok(())
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Keeps an echoed value short and inside the characters an OAuth error
/// description may carry (RFC 6749 §5.2).
fn printable(value: &str) -> String {
    value.chars().take(32).map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' { c } else { '?' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(challenge_s256(RFC_VERIFIER), RFC_CHALLENGE);
        assert!(verify(CodeChallengeMethod::S256, RFC_VERIFIER, RFC_CHALLENGE));
        assert!(validate_verifier(RFC_VERIFIER).is_ok());
        assert!(validate_challenge(CodeChallengeMethod::S256, RFC_CHALLENGE).is_ok());
    }

    #[test]
    fn method_names_are_case_sensitive() {
        assert_eq!("S256".parse(), Ok(CodeChallengeMethod::S256));
        assert_eq!("plain".parse(), Ok(CodeChallengeMethod::Plain));
        assert!("s256".parse::<CodeChallengeMethod>().is_err());
        assert!("PLAIN".parse::<CodeChallengeMethod>().is_err());
        assert!("".parse::<CodeChallengeMethod>().is_err());
        assert_eq!(CodeChallengeMethod::S256.to_string(), "S256");
        assert_eq!(serde_json::to_string(&CodeChallengeMethod::Plain).unwrap(), "\"plain\"");
    }

    #[test]
    fn unsupported_method_message_is_sanitized() {
        let err = "S\"512\\\n".parse::<CodeChallengeMethod>().unwrap_err();
        let msg = err.to_string();
        assert!(!msg.contains('\n') && !msg.contains('\\'));
        assert!(msg.contains("S?512??"));
    }

    #[test]
    fn wrong_verifier_is_refused() {
        let other = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj";
        assert!(!verify(CodeChallengeMethod::S256, other, RFC_CHALLENGE));
        // The challenge itself is not a verifier for it.
        assert!(!verify(CodeChallengeMethod::S256, RFC_CHALLENGE, RFC_CHALLENGE));
        // Method mismatch: a plain comparison of verifier and S256 challenge.
        assert!(!verify(CodeChallengeMethod::Plain, RFC_VERIFIER, RFC_CHALLENGE));
    }

    #[test]
    fn plain_compares_exactly() {
        assert!(verify(CodeChallengeMethod::Plain, RFC_VERIFIER, RFC_VERIFIER));
        let upper = RFC_VERIFIER.to_uppercase();
        assert!(!verify(CodeChallengeMethod::Plain, RFC_VERIFIER, &upper));
        assert!(!verify(CodeChallengeMethod::Plain, RFC_VERIFIER, ""));
    }

    #[test]
    fn verifier_length_bounds() {
        let at_min = "a".repeat(43);
        let at_max = "a".repeat(128);
        assert!(validate_verifier(&at_min).is_ok());
        assert!(validate_verifier(&at_max).is_ok());
        assert_eq!(validate_verifier(&"a".repeat(42)), Err(PkceError::Length { what: "code_verifier", len: 42 }));
        assert!(validate_verifier(&"a".repeat(129)).is_err());
        assert!(validate_verifier("").is_err());
        // A malformed verifier never verifies, even under plain.
        let short = "a".repeat(42);
        assert!(!verify(CodeChallengeMethod::Plain, &short, &short));
    }

    #[test]
    fn verifier_charset() {
        let base = "a".repeat(42);
        for ok in ['-', '.', '_', '~', 'Z', '9'] {
            assert!(validate_verifier(&format!("{base}{ok}")).is_ok(), "{ok}");
        }
        for bad in ['+', '/', '=', ' ', '%', '\u{e9}', '\0', '\n'] {
            assert!(validate_verifier(&format!("{base}{bad}")).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn s256_challenge_shape() {
        // Standard base64 alphabet or padding is a client bug worth naming.
        let padded = format!("{}=", &RFC_CHALLENGE[..42]);
        assert!(validate_challenge(CodeChallengeMethod::S256, &padded).is_err());
        let long = format!("{RFC_CHALLENGE}A");
        assert_eq!(validate_challenge(CodeChallengeMethod::S256, &long), Err(PkceError::MalformedS256));
        let tilde = format!("{}~", &RFC_CHALLENGE[..42]);
        assert_eq!(validate_challenge(CodeChallengeMethod::S256, &tilde), Err(PkceError::MalformedS256));
        // The same value is a fine plain challenge.
        assert!(validate_challenge(CodeChallengeMethod::Plain, &long).is_ok());
        assert!(validate_challenge(CodeChallengeMethod::Plain, "short").is_err());
    }

    #[test]
    fn generated_challenges_always_pass_validation() {
        for len in [43, 64, 100, 128] {
            let verifier: String = (0..len).map(|i| ['a', '-', '.', '_', '~', '7'][i % 6]).collect();
            let challenge = challenge_s256(&verifier);
            assert!(validate_challenge(CodeChallengeMethod::S256, &challenge).is_ok());
            assert!(verify(CodeChallengeMethod::S256, &verifier, &challenge));
        }
    }
}
