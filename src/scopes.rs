//! The scope catalogue: every scope an application can ask for, with the
//! words the consent page shows for it, the `read` and `write` shorthands,
//! and `ScopeSet`, the parsed, validated set carried by clients, grants and
//! tokens of both OAuth 1.0a and OAuth 2.0.
//!
//! A set keeps the shorthands as written (so a registration of
//! `read write push` reads back the same way), and every comparison expands
//! them first, so no caller can forget to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub name: &'static str,
    /// Plain words completing "This app wants to ...", for the consent page.
    pub description: &'static str,
}

const fn scope(name: &'static str, description: &'static str) -> Scope {
    Scope { name, description }
}

/// Every concrete scope, in the order the consent page lists them: who you
/// are first, then what the app may read, then what it may change.
pub const SCOPES: &[Scope] = &[
    scope("openid", "Sign you in with your account"),
    scope("profile", "See your name and profile"),
    scope("email", "See your email address"),
    scope("offline_access", "Keep access to your account while you are not using the app"),
    scope("users:read", "See other members' names and profiles"),
    scope("groups:read", "See groups and who is in them"),
    scope("posts:read", "Read posts, comments and tags that you can see"),
    scope("events:read", "See events and who is going"),
    scope("files:read", "See and download files that you can see"),
    scope("activity:read", "See new activity in your groups and mark it as read"),
    scope("profile:write", "Change your profile, picture and password"),
    scope("groups:write", "Create and manage groups, and join or leave them for you"),
    scope("posts:write", "Write, edit and delete posts and comments, and like posts, as you"),
    scope("events:write", "Create and edit events, and sign you up for them"),
    scope("files:write", "Upload, change and delete files and folders"),
    scope("push", "Send notifications to your phone or browser"),
    scope("applications", "See and revoke the apps that have access to your account"),
    scope("connections", "See the accounts at other sites you connected, and use them for you"),
];

/// Shorthands (DESIGN.md "Scope shorthands"): `read` is every `:read` scope
/// plus `profile`; `write` is every `:write` scope. Their members are derived
/// from `SCOPES` by suffix, so a new `:read` or `:write` scope joins them
/// without anyone remembering to.
pub const SHORTHANDS: &[Scope] =
    &[scope("read", "Read everything that you can see"), scope("write", "Change everything that you can change")];

/// The catalogue and the shorthands, in that order: a scope's place here is
/// its bit in a [`ScopeSet`].
fn all() -> impl Iterator<Item = &'static Scope> {
    SCOPES.iter().chain(SHORTHANDS)
}

const _: () = assert!(SCOPES.len() + SHORTHANDS.len() <= 64, "a ScopeSet is one u64");

/// The bit of a catalogue name, or `None` for a name the catalogue lacks.
fn bit(name: &str) -> Option<u64> {
    all().position(|s| s.name == name).map(|i| 1 << i)
}

/// The concrete scopes a catalogue name stands for, as bits: itself, or a
/// shorthand's members.
fn members(bit: u64) -> u64 {
    let shorthand = |suffix: &str| {
        SCOPES
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name.ends_with(suffix) || (suffix == ":read" && s.name == "profile"))
            .fold(0, |acc, (i, _)| acc | 1 << i)
    };
    let concrete = (1u64 << SCOPES.len()) - 1;
    if bit & concrete != 0 {
        return bit;
    }
    match SHORTHANDS.get(bit.trailing_zeros() as usize - SCOPES.len()).map(|s| s.name) {
        Some("read") => shorthand(":read"),
        Some("write") => shorthand(":write"),
        _ => 0,
    }
}

/// Why a scope string was refused. Messages go into an `invalid_scope`
/// `error_description`, so they stay inside its character set: only
/// characters that passed the RFC 6749 §3.3 check are ever echoed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("scope contains a character that RFC 6749 section 3.3 does not allow")]
    InvalidCharacter,
    #[error("unknown scope '{0}'")]
    Unknown(String),
}

/// A set of known scopes: one bit per catalogue entry (shorthands too, kept
/// as written), so a check on the hot path is a mask, not a lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ScopeSet {
    bits: u64,
}

impl ScopeSet {
    /// Parses a space-separated `scope` parameter (RFC 6749 §3.3). Extra
    /// spaces are tolerated; an empty string is the empty set, and the caller
    /// decides what an absent scope means. Character rules are checked on the
    /// whole string before any name is looked up, so an error never echoes a
    /// forbidden character.
    pub fn parse(text: &str) -> Result<Self, ScopeError> {
        if !text.bytes().all(|b| b == b' ' || is_scope_byte(b)) {
            return Err(ScopeError::InvalidCharacter);
        }
        let mut bits = 0;
        for token in text.split(' ').filter(|token| !token.is_empty()) {
            bits |= bit(token).ok_or_else(|| ScopeError::Unknown(token.to_owned()))?;
        }
        Ok(Self { bits })
    }

    /// Reads a set as stored: known names are kept, anything else (a scope a
    /// later version added, or one removed since) is dropped rather than
    /// refused, so a stored record never becomes unreadable over its scopes.
    /// Requests go through the strict [`ScopeSet::parse`].
    pub fn parse_lenient(text: &str) -> Self {
        Self { bits: text.split(' ').filter_map(bit).fold(0, |a, b| a | b) }
    }

    /// The same set with every shorthand replaced by its members.
    pub fn expand(&self) -> ScopeSet {
        let bits = (0..64).map(|i| 1u64 << i).filter(|b| self.bits & b != 0).fold(0, |a, b| a | members(b));
        Self { bits }
    }

    /// Does this set grant `scope`? A shorthand is granted when all its
    /// members are. Unknown names are never granted.
    pub fn contains(&self, scope: &str) -> bool {
        let Some(b) = bit(scope) else {
            return false;
        };
        let wanted = members(b);
        self.expand().bits & wanted == wanted
    }

    /// Is everything in `self` also granted by `other`? (Requested scopes
    /// against a client's registration, or a refresh against its grant.)
    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.expand().bits & !other.expand().bits == 0
    }

    /// The concrete scopes both sets grant, e.g. what a client asked for cut
    /// down to what it is registered for.
    pub fn intersection(&self, other: &ScopeSet) -> ScopeSet {
        Self { bits: self.expand().bits & other.expand().bits }
    }

    /// Everything either set grants, as written (shorthands kept).
    pub fn union(&self, other: &ScopeSet) -> ScopeSet {
        Self { bits: self.bits | other.bits }
    }

    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    pub fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    /// The names as written, in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        let mut names: Vec<&'static str> =
            all().enumerate().filter(|(i, _)| self.bits & 1 << i != 0).map(|(_, s)| s.name).collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// What the consent page lists: one line per concrete scope granted, in
    /// catalogue order, so a member sees exactly what `read` stands for.
    pub fn descriptions(&self) -> Vec<&'static Scope> {
        let expanded = self.expand().bits;
        SCOPES.iter().enumerate().filter(|(i, _)| expanded & 1 << i != 0).map(|(_, s)| s).collect()
    }
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
fn is_scope_byte(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(s)?;
        }
        Ok(())
    }
}

impl FromStr for ScopeSet {
    type Err = ScopeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ScopeSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ScopeSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The lenient reading of a stored set, for `#[serde(deserialize_with)]` on
/// the scope fields of stored records (see [`ScopeSet::parse_lenient`]);
/// `ScopeSet`'s own `Deserialize` stays strict, for anything a caller sends.
pub fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ScopeSet, D::Error> {
    let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
    Ok(ScopeSet::parse_lenient(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn set(text: &str) -> ScopeSet {
        ScopeSet::parse(text).unwrap()
    }

    #[test]
    fn catalogue_is_well_formed() {
        let mut seen = BTreeSet::new();
        for s in SCOPES.iter().chain(SHORTHANDS) {
            assert!(seen.insert(s.name), "duplicate scope {}", s.name);
            assert!(s.name.bytes().all(is_scope_byte), "{}", s.name);
            assert!(!s.description.is_empty());
            assert!(s.description.is_ascii());
        }
        for name in [
            "profile",
            "profile:write",
            "users:read",
            "groups:read",
            "groups:write",
            "posts:read",
            "posts:write",
            "events:read",
            "events:write",
            "files:read",
            "files:write",
            "activity:read",
            "push",
            "applications",
            "connections",
            "openid",
            "email",
            "offline_access",
        ] {
            assert!(SCOPES.iter().any(|s| s.name == name), "{name} missing");
        }
        assert_eq!(SCOPES.len(), 18);
    }

    #[test]
    fn parse_sorts_and_dedups() {
        let s = set("posts:read  openid posts:read profile ");
        assert_eq!(s.to_string(), "openid posts:read profile");
        assert_eq!(s.len(), 3);
        assert_eq!(set("").to_string(), "");
        assert!(set("   ").is_empty());
    }

    #[test]
    fn unknown_scope_is_named() {
        let err = ScopeSet::parse("profile admin posts:read").unwrap_err();
        assert_eq!(err, ScopeError::Unknown("admin".into()));
        assert_eq!(err.to_string(), "unknown scope 'admin'");
        // Scope names are case-sensitive.
        assert!(ScopeSet::parse("Profile").is_err());
    }

    #[test]
    fn rfc6749_character_rules() {
        for bad in ["profile\"", "pro\\file", "profile\tpush", "profile\npush", "caf\u{e9}"] {
            assert_eq!(ScopeSet::parse(bad), Err(ScopeError::InvalidCharacter), "{bad:?}");
        }
        // Allowed punctuation just makes an unknown name.
        assert_eq!(ScopeSet::parse("a!#[]~"), Err(ScopeError::Unknown("a!#[]~".into())));
    }

    #[test]
    fn shorthands_expand() {
        assert_eq!(
            set("read").expand().to_string(),
            "activity:read events:read files:read groups:read posts:read profile users:read"
        );
        assert_eq!(
            set("write").expand().to_string(),
            "events:write files:write groups:write posts:write profile:write"
        );
        assert_eq!(set("read write push openid").expand().len(), 7 + 5 + 2);
        // Shorthands are kept as written until expanded.
        assert_eq!(set("write read push").to_string(), "push read write");
    }

    #[test]
    fn contains_sees_through_shorthands() {
        let s = set("read push");
        assert!(s.contains("posts:read"));
        assert!(s.contains("profile"));
        assert!(s.contains("push"));
        assert!(s.contains("read"));
        assert!(!s.contains("posts:write"));
        assert!(!s.contains("write"));
        assert!(!s.contains("openid"));
        assert!(!s.contains("nonsense"));
        // All members of a shorthand make the shorthand.
        let all_writes = set("write").expand();
        assert!(all_writes.contains("write"));
    }

    #[test]
    fn subset_sees_through_shorthands() {
        let registered = set("read write push");
        assert!(set("posts:read posts:write").is_subset(&registered));
        assert!(set("read").is_subset(&registered));
        assert!(set("").is_subset(&registered));
        assert!(!set("openid").is_subset(&registered));
        assert!(!set("applications").is_subset(&registered));
        assert!(set("read").expand().is_subset(&set("read")));
        assert!(!set("read").is_subset(&set("posts:read")));
    }

    #[test]
    fn intersection_is_concrete() {
        let asked = set("read openid applications");
        let registered = set("posts:read groups:read openid write");
        assert_eq!(asked.intersection(&registered).to_string(), "groups:read openid posts:read");
        assert!(set("push").intersection(&set("read")).is_empty());
    }

    #[test]
    fn union_keeps_shorthands() {
        assert_eq!(set("read").union(&set("push openid")).to_string(), "openid push read");
    }

    #[test]
    fn descriptions_follow_catalogue_order() {
        let lines: Vec<_> = set("write profile openid").descriptions().into_iter().map(|s| s.name).collect();
        assert_eq!(
            lines,
            ["openid", "profile", "profile:write", "groups:write", "posts:write", "events:write", "files:write"]
        );
        assert_eq!(set("profile").descriptions()[0].description, "See your name and profile");
    }

    #[test]
    fn serde_as_a_string() {
        let s = set("push read");
        assert_eq!(serde_json::to_value(&s).unwrap(), "push read");
        let back: ScopeSet = serde_json::from_value("read  push".into()).unwrap();
        assert_eq!(back, s);
        assert!(serde_json::from_value::<ScopeSet>("read nope".into()).is_err());
        assert_eq!("openid".parse::<ScopeSet>().unwrap(), set("openid"));
    }

    #[test]
    fn lenient_parse_drops_what_is_unknown() {
        assert_eq!(ScopeSet::parse_lenient("read  nope push Profile"), set("push read"));
        assert_eq!(ScopeSet::parse_lenient("caf\u{e9} \"x openid"), set("openid"));
        assert!(ScopeSet::parse_lenient("").is_empty());
        // The strict parse still refuses the same text.
        assert_eq!(ScopeSet::parse("read nope"), Err(ScopeError::Unknown("nope".into())));
        #[derive(Deserialize)]
        struct Stored {
            #[serde(deserialize_with = "lenient")]
            scopes: ScopeSet,
        }
        let bytes = postcard::to_stdvec(&("read tomorrow:scope",)).unwrap();
        let back: Stored = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back.scopes, set("read"));
        // A set is stored as the string it replaces: the same bytes.
        assert_eq!(postcard::to_stdvec(&set("read push")).unwrap(), postcard::to_stdvec("push read").unwrap());
    }
}
