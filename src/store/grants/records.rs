//! The stored shapes of grants and tokens, each with the frozen older
//! versions it is read from (see `store::codec`).

use crate::clock::Timestamp;
use crate::ids::{ClientId, GrantId, UserId};
use crate::scopes::ScopeSet;
use crate::store::StoreError;
use crate::store::codec::{Record, Revised, decode_old};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub id: GrantId,
    pub client: ClientId,
    /// `None` for an application's own grant (client credentials).
    pub user: Option<UserId>,
    /// What the member consented to (stored as the space-joined string).
    #[serde(deserialize_with = "crate::scopes::lenient")]
    pub scopes: ScopeSet,
    pub created_at: Timestamp,
    pub last_used: Timestamp,
    /// Grows with every stored change (see `codec::Revised`); 0 until stored.
    pub revision: u64,
}

/// A grant as version 1 wrote it: before revisions.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub(crate) struct GrantV1 {
    pub(crate) id: GrantId,
    pub(crate) client: ClientId,
    pub(crate) user: Option<UserId>,
    pub(crate) scopes: String,
    pub(crate) created_at: Timestamp,
    pub(crate) last_used: Timestamp,
}

impl Record for Grant {
    const KIND: &'static str = "grant";
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => {
                let g: GrantV1 = decode_old(Self::KIND, version, body)?;
                Ok(Grant {
                    id: g.id,
                    client: g.client,
                    user: g.user,
                    scopes: ScopeSet::parse_lenient(&g.scopes),
                    created_at: g.created_at,
                    last_used: g.last_used,
                    revision: 1,
                })
            }
            v => Err(StoreError::Corrupt(format!("grant record has unknown version {v}"))),
        }
    }
}

impl Revised for Grant {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenKind {
    Code,
    Access,
    Refresh,
    /// OAuth 1.0a token credentials (RFC 5849 §2.3).
    OAuth1Access,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub kind: TokenKind,
    pub grant: GrantId,
    pub client: ClientId,
    pub user: Option<UserId>,
    #[serde(deserialize_with = "crate::scopes::lenient")]
    pub scopes: ScopeSet,
    pub issued_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    /// Codes: the redirect URI the code was issued for.
    pub redirect_uri: Option<String>,
    /// Codes: (method, challenge).
    pub pkce: Option<(String, String)>,
    /// Codes: the OpenID Connect nonce to put in the id_token.
    pub nonce: Option<String>,
    /// When the member authenticated (OpenID `auth_time`).
    pub auth_time: Timestamp,
    /// Codes and refresh tokens: when they were used (a second use is an attack).
    pub used_at: Option<Timestamp>,
    /// OAuth 1.0a access tokens: the token secret, sealed with the token's
    /// digest as context (see `auth::sealing`).
    pub secret: Option<Vec<u8>>,
    /// Retired refresh tokens, within the reuse grace only: the response the
    /// rotation gave, sealed, so that the client's retry gets it again.
    pub replay: Option<Replay>,
}

/// The sealed token response kept on a rotated refresh token until `until`
/// (the end of the reuse grace); the sweep removes it then, if no read has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    pub until: Timestamp,
    /// Sealed with `sealing::context::REFRESH_REPLAY` and the token's digest.
    pub sealed: Vec<u8>,
}

/// A token as version 2 wrote it: scopes as a plain string, before replays.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub(crate) struct TokenV2 {
    pub(crate) kind: TokenKind,
    pub(crate) grant: GrantId,
    pub(crate) client: ClientId,
    pub(crate) user: Option<UserId>,
    pub(crate) scopes: String,
    pub(crate) issued_at: Timestamp,
    pub(crate) expires_at: Option<Timestamp>,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) pkce: Option<(String, String)>,
    pub(crate) nonce: Option<String>,
    pub(crate) auth_time: Timestamp,
    pub(crate) used_at: Option<Timestamp>,
    pub(crate) secret: Option<Vec<u8>>,
}

/// A token as version 1 wrote it: before OAuth 1.0a token secrets.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub(crate) struct TokenV1 {
    pub(crate) kind: TokenKind,
    pub(crate) grant: GrantId,
    pub(crate) client: ClientId,
    pub(crate) user: Option<UserId>,
    pub(crate) scopes: String,
    pub(crate) issued_at: Timestamp,
    pub(crate) expires_at: Option<Timestamp>,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) pkce: Option<(String, String)>,
    pub(crate) nonce: Option<String>,
    pub(crate) auth_time: Timestamp,
    pub(crate) used_at: Option<Timestamp>,
}

impl Record for Token {
    const KIND: &'static str = "token";
    const VERSION: u8 = 3;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => {
                let t: TokenV1 = postcard::from_bytes(body)
                    .map_err(|e| StoreError::Corrupt(format!("cannot decode token v1: {e}")))?;
                Ok(Token {
                    kind: t.kind,
                    grant: t.grant,
                    client: t.client,
                    user: t.user,
                    scopes: ScopeSet::parse_lenient(&t.scopes),
                    issued_at: t.issued_at,
                    expires_at: t.expires_at,
                    redirect_uri: t.redirect_uri,
                    pkce: t.pkce,
                    nonce: t.nonce,
                    auth_time: t.auth_time,
                    used_at: t.used_at,
                    secret: None,
                    replay: None,
                })
            }
            2 => {
                let t: TokenV2 = decode_old(Self::KIND, version, body)?;
                Ok(Token {
                    kind: t.kind,
                    grant: t.grant,
                    client: t.client,
                    user: t.user,
                    scopes: ScopeSet::parse_lenient(&t.scopes),
                    issued_at: t.issued_at,
                    expires_at: t.expires_at,
                    redirect_uri: t.redirect_uri,
                    pkce: t.pkce,
                    nonce: t.nonce,
                    auth_time: t.auth_time,
                    used_at: t.used_at,
                    secret: t.secret,
                    replay: None,
                })
            }
            v => Err(StoreError::Corrupt(format!("token record has unknown version {v}"))),
        }
    }
}

impl Token {
    pub fn expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }

    /// When the sweep must look at this token: when it expires, or earlier
    /// when a kept replay runs out. This is its `TOKENS_BY_EXPIRY` time.
    pub fn sweep_at(&self) -> Option<Timestamp> {
        match (self.expires_at, self.replay.as_ref().map(|r| r.until)) {
            (Some(e), Some(r)) => Some(e.min(r)),
            (e, r) => e.or(r),
        }
    }
}
