//! The registry's error: a field an admin got wrong (named, for the form
//! and the command line), an application that is not there, or the store.
//!
//! What is wrong with a field is a [`Problem`]: a stable variant with its
//! variables, so that the admin pages put it into the reader's words
//! (`web::admin::clients`), while its `Display` stays the English that the
//! JSON API and the command line print.

use crate::oauth1::signature::{RsaKeyError, UnknownSignatureMethod};
use crate::push::apns_cert::CertError;
use crate::scopes::ScopeError;
use crate::store::StoreError;
use crate::uri::redirect::RedirectError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{field}: {problem}")]
    Invalid { field: &'static str, problem: Problem },
    #[error("there is no application {0:?}")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a field of an application's registration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("must be 1 to 100 characters")]
    NameLength,
    #[error("must be an http or https URL")]
    NotHttpUrl,
    #[error("{0:?} is not an origin")]
    NotOrigin(String),
    #[error("{0:?} must be scheme://host[:port] only")]
    OriginNotBare(String),
    #[error("register OAuth 2.0, OAuth 1.0a, or both")]
    NoProtocol,
    #[error("{0:?} is not a grant type; allowed: {allowed}", allowed = super::applications::GRANT_TYPES.join(", "))]
    UnknownGrant(String),
    #[error("a public client has no secret, so it cannot use client_credentials")]
    PublicClientCredentials,
    #[error("authorization_code and implicit need at least one redirect URI")]
    RedirectNeeded,
    /// A redirect URI or callback that cannot be registered.
    #[error("{0}: {1}")]
    Uri(String, RedirectError),
    #[error("{0}")]
    Scope(ScopeError),
    #[error("{0:?}: write opaque or jwt")]
    TokenFormat(String),
    #[error("{0:?}: write EdDSA, ES256 or RS256")]
    SigningAlg(String),
    #[error("must be between 1 second and 365 days")]
    Lifetime,
    #[error("a public client has no secret to rotate")]
    NoSecret,
    #[error("the protocols cannot change; register a new application for another one")]
    ProtocolsFixed,
    #[error("the client type cannot change; register a new application")]
    ClientTypeFixed,
    #[error("{0}")]
    RsaKey(RsaKeyError),
    #[error("{0}")]
    SignatureMethod(UnknownSignatureMethod),
    #[error("RSA-SHA1 needs the consumer's RSA public key (PEM)")]
    RsaKeyNeeded,
    #[error("an RSA public key is used only with RSA-SHA1; allow RSA-SHA1 too")]
    RsaKeyUnused,
    #[error("a consumer needs at least one scope")]
    NoScope,
    #[error("must be between 1 second and 10 years (or left out: until revoked)")]
    ConsumerLifetime,
    /// A push credential the push layer could not read, in its words.
    #[error("{0}")]
    PushCredential(String),
    /// An APNs certificate and key that cannot be used.
    #[error("{0}")]
    ApnsCertificate(CertError),
}
