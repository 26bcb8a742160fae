//! Errors that explain themselves: the OAuth Problem Reporting extension
//! (oauth_problem, oauth_problem_advice, oauth_parameters_absent, ...), with
//! 400 versus 401 as RFC 5849 §3.2 assigns them. Pure: the endpoints render a
//! `Report` as a form-encoded body, the API as problem+json, and both put the
//! problem in `WWW-Authenticate: OAuth realm="...", oauth_problem="..."`.

use super::signature::percent_encode;
use std::fmt;

/// The `oauth_problem` values this server reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    VersionRejected,
    ParameterAbsent,
    ParameterRejected,
    TimestampRefused,
    NonceUsed,
    SignatureMethodRejected,
    SignatureInvalid,
    ConsumerKeyUnknown,
    ConsumerKeyRejected,
    TokenRejected,
    TokenExpired,
    TokenRevoked,
    VerifierInvalid,
    /// The member has not decided yet (the extension's `permission_unknown`).
    PermissionUnknown,
    PermissionDenied,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::VersionRejected => "version_rejected",
            Problem::ParameterAbsent => "parameter_absent",
            Problem::ParameterRejected => "parameter_rejected",
            Problem::TimestampRefused => "timestamp_refused",
            Problem::NonceUsed => "nonce_used",
            Problem::SignatureMethodRejected => "signature_method_rejected",
            Problem::SignatureInvalid => "signature_invalid",
            Problem::ConsumerKeyUnknown => "consumer_key_unknown",
            Problem::ConsumerKeyRejected => "consumer_key_rejected",
            Problem::TokenRejected => "token_rejected",
            Problem::TokenExpired => "token_expired",
            Problem::TokenRevoked => "token_revoked",
            Problem::VerifierInvalid => "verifier_invalid",
            Problem::PermissionUnknown => "permission_unknown",
            Problem::PermissionDenied => "permission_denied",
        }
    }

    /// RFC 5849 §3.2: a malformed request (unsupported parameter or
    /// signature method, a missing or duplicated parameter) is 400; bad
    /// credentials (consumer key, token, signature, nonce) are 401.
    pub fn status(self) -> u16 {
        match self {
            Problem::VersionRejected
            | Problem::ParameterAbsent
            | Problem::ParameterRejected
            | Problem::SignatureMethodRejected => 400,
            Problem::TimestampRefused
            | Problem::NonceUsed
            | Problem::SignatureInvalid
            | Problem::ConsumerKeyUnknown
            | Problem::ConsumerKeyRejected
            | Problem::TokenRejected
            | Problem::TokenExpired
            | Problem::TokenRevoked
            | Problem::VerifierInvalid
            | Problem::PermissionUnknown
            | Problem::PermissionDenied => 401,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with its advice and the extension's extra parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub problem: Problem,
    pub status: u16,
    /// Words for the client's developer (`oauth_problem_advice`).
    pub advice: String,
    /// `oauth_parameters_absent`, `oauth_acceptable_timestamps`, ... in order.
    pub extra: Vec<(&'static str, String)>,
}

/// Why a request failed: a problem the client can fix, or the server
/// being unable to answer just now (never a 500).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Problem(Report),
    Unavailable,
}

impl From<Report> for Failure {
    fn from(r: Report) -> Self {
        Failure::Problem(r)
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "OAuth 1.0a request failed");
        Failure::Unavailable
    }
}

impl From<crate::auth::sealing::SealError> for Failure {
    fn from(e: crate::auth::sealing::SealError) -> Self {
        tracing::error!(error = %e, "OAuth 1.0a secret could not be used");
        Failure::Unavailable
    }
}

/// A list of parameter names as the extension writes it: each
/// percent-encoded, joined with `&`.
fn name_list(names: &[&str]) -> String {
    names.iter().map(|n| percent_encode(n)).collect::<Vec<_>>().join("&")
}

impl Report {
    pub fn new(problem: Problem, advice: impl Into<String>) -> Report {
        Report { problem, status: problem.status(), advice: advice.into(), extra: vec![] }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Report {
        self.extra.push((name, value.into()));
        self
    }

    pub fn with_advice(mut self, advice: impl Into<String>) -> Report {
        self.advice = advice.into();
        self
    }

    pub fn with_status(mut self, status: u16) -> Report {
        self.status = status;
        self
    }

    /// `parameter_absent` naming every missing parameter.
    pub fn absent(names: &[&str]) -> Report {
        Report::new(Problem::ParameterAbsent, format!("this request needs {}", names.join(", ")))
            .with("oauth_parameters_absent", name_list(names))
    }

    /// `parameter_rejected` naming the parameter and why.
    pub fn rejected(name: &str, advice: impl Into<String>) -> Report {
        Report::new(Problem::ParameterRejected, advice).with("oauth_parameters_rejected", name_list(&[name]))
    }

    /// `timestamp_refused` with the window the server would accept now.
    pub fn timestamp(now: i64, window: i64) -> Report {
        Report::new(
            Problem::TimestampRefused,
            format!(
                "oauth_timestamp must be within {window} seconds of the server's clock ({now}); check the client's clock"
            ),
        )
        .with("oauth_acceptable_timestamps", format!("{}-{}", (now - window).max(0), now + window))
    }

    /// `version_rejected`: only 1.0 exists.
    pub fn version() -> Report {
        Report::new(Problem::VersionRejected, "oauth_version must be 1.0 (or left out)")
            .with("oauth_acceptable_versions", "1.0-1.0")
    }

    /// Every parameter of the report, `oauth_problem` first.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("oauth_problem", self.problem.as_str().to_string())];
        out.extend(self.extra.iter().cloned());
        if !self.advice.is_empty() {
            out.push(("oauth_problem_advice", self.advice.clone()));
        }
        out
    }

    /// The `application/x-www-form-urlencoded` body of an endpoint's error.
    pub fn form_body(&self) -> String {
        self.pairs().iter().map(|(n, v)| format!("{n}={}", percent_encode(v))).collect::<Vec<_>>().join("&")
    }

    /// The `WWW-Authenticate` challenge: the realm and the problem (its
    /// advice may be long and stays in the body).
    pub fn challenge(&self, realm: &str) -> String {
        format!("OAuth realm=\"{}\", oauth_problem=\"{}\"", realm.replace(['"', '\\'], ""), self.problem.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_rfc_5849_3_2() {
        assert_eq!(Problem::ParameterAbsent.status(), 400);
        assert_eq!(Problem::SignatureMethodRejected.status(), 400);
        assert_eq!(Problem::VersionRejected.status(), 400);
        assert_eq!(Problem::SignatureInvalid.status(), 401);
        assert_eq!(Problem::NonceUsed.status(), 401);
        assert_eq!(Problem::TokenRevoked.status(), 401);
        assert_eq!(Problem::ConsumerKeyUnknown.to_string(), "consumer_key_unknown");
    }

    #[test]
    fn form_body_and_challenge() {
        let r = Report::absent(&["oauth_nonce", "oauth_timestamp"]);
        assert_eq!(
            r.form_body(),
            "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_nonce%26oauth_timestamp\
             &oauth_problem_advice=this%20request%20needs%20oauth_nonce%2C%20oauth_timestamp"
        );
        let parsed: Vec<(String, String)> =
            url::form_urlencoded::parse(r.form_body().as_bytes()).into_owned().collect();
        assert_eq!(parsed[1], ("oauth_parameters_absent".into(), "oauth_nonce&oauth_timestamp".into()));
        assert_eq!(r.status, 400);

        let t = Report::timestamp(1000, 300);
        assert_eq!(t.extra, vec![("oauth_acceptable_timestamps", "700-1300".to_string())]);
        assert_eq!(t.challenge("https://x/"), "OAuth realm=\"https://x/\", oauth_problem=\"timestamp_refused\"");
        let base = "GET&https%3A%2F%2Fx%2Fa&b%3D1";
        let s = Report::new(Problem::SignatureInvalid, base);
        let parsed: Vec<(String, String)> =
            url::form_urlencoded::parse(s.form_body().as_bytes()).into_owned().collect();
        assert_eq!(parsed[1], ("oauth_problem_advice".into(), base.into()), "the base string survives encoding");
        assert_eq!(
            Report::version().form_body(),
            "oauth_problem=version_rejected&oauth_acceptable_versions=1.0-1.0&oauth_problem_advice=oauth_version%20must%20be%201.0%20%28or%20left%20out%29"
        );
    }
}
