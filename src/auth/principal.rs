//! Who acts on an API call, whatever the protocol: a member through an
//! application (three-legged OAuth 1.0a or an OAuth 2.0 user token), or an
//! application on its own (two-legged OAuth 1.0a, client credentials), with
//! the grant's scopes. Both protocols' checks produce one; every API
//! operation takes one.

use crate::clock::Timestamp;
use crate::ids::{ClientId, GrantId};
use crate::scopes::ScopeSet;
use crate::store::users::User;

/// How the caller proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// An opaque OAuth 2.0 bearer token.
    OAuth2,
    /// An RFC 9068 JWT access token.
    OAuth2Jwt,
    /// An OAuth 1.0a signed request.
    OAuth1,
}

#[derive(Debug, Clone)]
pub struct Principal {
    /// The member the call acts for; `None` for an application's own call.
    pub member: Option<User>,
    pub client: ClientId,
    /// The application's public name for itself: its OAuth 2.0 `client_id`
    /// or OAuth 1.0a consumer key.
    pub client_key: String,
    pub grant: GrantId,
    pub scopes: ScopeSet,
    pub protocol: Protocol,
    /// When the token was issued (now, for a two-legged signed call).
    pub issued_at: Timestamp,
    /// When it expires; `None` for tokens valid until revoked.
    pub expires_at: Option<Timestamp>,
}

/// Why a principal may not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this needs the {0} scope")]
    MissingScope(String),
    #[error("this needs a member's token, not an application's")]
    NotAMember,
}

impl Principal {
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// Refused unless the grant holds `scope`.
    pub fn require(&self, scope: &str) -> Result<(), Refusal> {
        if self.has(scope) { Ok(()) } else { Err(Refusal::MissingScope(scope.to_string())) }
    }

    /// The member behind the call; refused for an application's own call.
    pub fn member(&self) -> Result<&User, Refusal> {
        self.member.as_ref().ok_or(Refusal::NotAMember)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(member: Option<User>, scopes: &str) -> Principal {
        Principal {
            member,
            client: ClientId(1),
            client_key: "app".into(),
            grant: GrantId(2),
            scopes: ScopeSet::parse(scopes).unwrap(),
            protocol: Protocol::OAuth1,
            issued_at: 0,
            expires_at: None,
        }
    }

    #[test]
    fn scopes_and_member_are_required_explicitly() {
        let app_only = principal(None, "profile");
        assert_eq!(app_only.require("profile"), Ok(()));
        assert_eq!(app_only.require("applications"), Err(Refusal::MissingScope("applications".into())));
        assert_eq!(app_only.member().unwrap_err(), Refusal::NotAMember);
    }
}
