//! A member's own profile as the API changes it (display name, e-mail, bio,
//! with `If-Match` on the record's revision), their password change through
//! an application, and the public side: one member's profile and the
//! search over enabled members. The rules for each text field live here, so
//! the API and any page say the same thing about bad input.

use super::members::{self, LoginError};
use crate::app::App;
use crate::auth::passwords;
use crate::ids::GrantId;
use crate::registry::grants::{self as registry, Reason};
use crate::store::audit::{self, Who};
use crate::store::links::{self, Purpose};
use crate::store::page::{Order, Page};
use crate::store::users::{self, User};
use crate::store::{StoreError, UserId, grants, sessions};

pub const DISPLAY_NAME_MAX: usize = 100;
pub const BIO_MAX: usize = 500;
/// The longest search text; longer matches nobody's name anyway.
pub const QUERY_MAX: usize = 64;

/// One field a client got wrong, in words for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem { field, message: message.into() }
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{} fields are not valid", .0.len())]
    Invalid(Vec<Problem>),
    /// `If-Match` named another revision; nothing was changed.
    #[error("the profile changed since it was read")]
    Stale,
    /// The member was disabled or deleted meanwhile.
    #[error("the member is disabled or gone")]
    Gone,
    #[error("too many attempts; try again in {0} seconds")]
    Limited(u64),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Characters that reorder text on screen (bidi embeddings, overrides and
/// isolates): in a name they make one member look like another.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// A single-line text field: trimmed, at most `max` characters, no control
/// or bidi-control characters.
pub fn check_line(field: &'static str, value: &str, max: usize) -> Result<String, Problem> {
    let v = value.trim();
    if v.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(problem(field, "must not hold control characters (line breaks, tabs, direction marks)"));
    }
    if v.chars().count() > max {
        return Err(problem(field, format!("must be at most {max} characters")));
    }
    Ok(v.to_string())
}

/// A multi-line text field: line breaks (`\n`, `\r\n` becomes `\n`) are
/// allowed, other control characters are not; at most `max` characters.
pub fn check_text(field: &'static str, value: &str, max: usize) -> Result<String, Problem> {
    let v = value.replace("\r\n", "\n");
    let v = v.trim();
    if v.chars().any(|c| (c.is_control() && c != '\n') || is_bidi_control(c)) {
        return Err(problem(field, "must not hold control characters other than line breaks"));
    }
    if v.chars().count() > max {
        return Err(problem(field, format!("must be at most {max} characters")));
    }
    Ok(v.to_string())
}

/// What a member asks to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub bio: Option<String>,
}

impl Changes {
    /// Every field checked; all the problems at once, so a client fixes
    /// them in one go.
    pub fn check(self) -> Result<Changes, Vec<Problem>> {
        let mut problems = vec![];
        let mut keep = |r: Result<String, Problem>| match r {
            Ok(v) => Some(v),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        let display_name = self.display_name.and_then(|d| {
            keep(
                check_line("display_name", &d, DISPLAY_NAME_MAX)
                    .and_then(|d| if d.is_empty() { Err(problem("display_name", "must not be empty")) } else { Ok(d) }),
            )
        });
        let email = self.email.and_then(|e| {
            keep(check_line("email", &e, 254).and_then(|e| {
                members::check_email(&e).map(|()| e).map_err(|m| match m {
                    members::MemberError::Invalid { message, .. } => problem("email", message),
                    other => problem("email", other.to_string()),
                })
            }))
        });
        let bio = self.bio.and_then(|b| keep(check_text("bio", &b, BIO_MAX)));
        if problems.is_empty() { Ok(Changes { display_name, email, bio }) } else { Err(problems) }
    }
}

/// Which stored revisions a write may replace: `None` for any (no
/// `If-Match`, or `*`), else one of these (an empty list matches none).
pub type Expected = Option<Vec<u64>>;

/// Applies checked-or-not `changes` to the member `id`, if the stored
/// revision is one `expected` allows. Returns the member as stored (its
/// revision is the new `ETag`; unchanged when nothing changed).
pub async fn update(
    app: &App,
    id: UserId,
    changes: Changes,
    expected: Expected,
    who: Who,
) -> Result<User, ProfileError> {
    let changes = changes.check().map_err(ProfileError::Invalid)?;
    let now = app.now();
    // A refusal is `Ok(Err(..))`: nothing was written, and the rest of the
    // group-commit batch need not run again.
    app.store
        .write(move |tx| {
            let Some(mut u) = users::get(tx, id)?.filter(|u| !u.disabled) else {
                return Ok(Err(ProfileError::Gone));
            };
            if expected.as_ref().is_some_and(|revs| !revs.contains(&u.revision)) {
                return Ok(Err(ProfileError::Stale));
            }
            let mut changed = vec![];
            let mut set = |name: &'static str, field: &mut String, value: &Option<String>| {
                if let Some(v) = value.as_ref().filter(|v| *v != field) {
                    field.clone_from(v);
                    changed.push(name);
                }
            };
            set("display_name", &mut u.display_name, &changes.display_name);
            set("email", &mut u.email, &changes.email);
            set("bio", &mut u.bio, &changes.bio);
            if !changed.is_empty() {
                users::put(tx, &mut u)?;
                audit::record(tx, now, &who, "user.profile", &u.username, &format!("changed {}", changed.join(", ")))?;
            }
            Ok::<_, StoreError>(Ok(u))
        })
        .await?
}

/// Changes the member's password when `current` is right. A wrong one
/// counts against the sign-in limits like a failed sign-in (it is a
/// password guess all the same). Every browser session of the member ends,
/// and every grant but `keep` (the application asking), with their tokens,
/// and any unused sign-in link. Returns how many grants and tokens ended.
pub async fn change_password(
    app: &App,
    user: &User,
    current: &str,
    new: String,
    keep: Option<GrantId>,
    ip: std::net::IpAddr,
    who: Who,
) -> Result<(usize, usize), ProfileError> {
    let checked = match members::authenticate(app, &user.username, current, ip).await {
        Ok(u) => u,
        Err(LoginError::Wrong) => {
            return Err(ProfileError::Invalid(vec![problem("current_password", "is not your current password")]));
        }
        Err(LoginError::Limited(s)) => return Err(ProfileError::Limited(s)),
        Err(LoginError::Store(e)) => return Err(e.into()),
    };
    if let Err(e) = passwords::check_policy(&new, &checked.username) {
        return Err(ProfileError::Invalid(vec![problem("new_password", e.to_string())]));
    }
    if new == current {
        return Err(ProfileError::Invalid(vec![problem("new_password", "is the same as the current one")]));
    }
    let hash = app.passwords.hash(new).await.map_err(|e| ProfileError::Internal(e.to_string()))?;
    let now = app.now();
    let id = checked.id;
    let checked_hash = checked.password_hash;
    app.store
        .write(move |tx| {
            let Some(mut u) = users::get(tx, id)?.filter(|u| !u.disabled) else {
                return Ok(Err(ProfileError::Gone));
            };
            // Someone changed it between the check above and now: the
            // password that was checked is no longer the current one.
            if u.password_hash != checked_hash {
                return Ok(Err(ProfileError::Invalid(vec![problem(
                    "current_password",
                    "is no longer your current password (it was just changed)",
                )])));
            }
            u.password_hash.clone_from(&hash);
            u.password_changed_at = now;
            users::put(tx, &mut u)?;
            sessions::delete_where(tx, |s| s.user == id)?;
            links::delete_where(tx, now, |l| l.purpose == Purpose::SignIn(id))?;
            let mut ended = (0, 0);
            for g in grants::for_member(tx, id)? {
                if Some(g.id) != keep {
                    if let Some(n) = registry::revoke(tx, g.id, now, &who, Reason::Security)? {
                        ended.0 += 1;
                        ended.1 += n;
                    }
                }
            }
            let detail = format!("through an application; {}, kept the caller's", registry::ended_detail(ended));
            audit::record(tx, now, &who, "user.password", &u.username, &detail)?;
            Ok::<_, StoreError>(Ok(ended))
        })
        .await?
}

/// An enabled member by id; a disabled or unknown one is `None` alike, so
/// the API cannot tell them apart.
pub fn public(app: &App, id: UserId) -> Result<Option<User>, StoreError> {
    Ok(app.store.read(|tx| users::get(tx, id))?.filter(|u| !u.disabled))
}

/// Whether `u` matches the search text `q` (lower-case already): a part of
/// the username or the display name, whatever the case.
fn matches(u: &User, q: &str) -> bool {
    q.is_empty() || u.username.to_lowercase().contains(q) || u.display_name.to_lowercase().contains(q)
}

/// Checks a search text: trimmed, lower-cased, at most [`QUERY_MAX`]
/// characters, no control characters.
pub fn check_query(q: &str) -> Result<String, Problem> {
    check_line("q", q, QUERY_MAX).map(|q| q.to_lowercase())
}

/// A page of the enabled members whose username or display name holds `q`
/// (checked by [`check_query`]), in id order. It reads the members table
/// from the cursor on: fine for a community of thousands, an index when it
/// is more.
pub fn search(app: &App, q: &str, after: Option<&[u8]>, limit: usize) -> Result<Page<User>, StoreError> {
    app.store.read(|tx| {
        users::page(tx, after, limit, Order::Ascending, |u| Ok((!u.disabled && matches(&u, q)).then_some(u)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;

    #[test]
    fn text_fields_refuse_control_characters_and_long_values() {
        assert_eq!(check_line("display_name", "  Ada  ", 10).unwrap(), "Ada");
        for bad in ["A\u{0}da", "A\nda", "A\tda", "Ada\u{202e}", "\u{7f}"] {
            assert_eq!(check_line("display_name", bad, 10).unwrap_err().field, "display_name", "{bad:?}");
        }
        assert!(check_line("x", &"é".repeat(10), 10).is_ok(), "characters are counted, not bytes");
        assert!(check_line("x", &"é".repeat(11), 10).is_err());
        assert_eq!(check_text("bio", "one\r\ntwo\n", 20).unwrap(), "one\ntwo");
        assert!(check_text("bio", "one\u{1b}[31m", 20).is_err());
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let c = Changes {
            display_name: Some("   ".into()),
            email: Some("not an address".into()),
            bio: Some("x".repeat(BIO_MAX + 1)),
        };
        let fields: Vec<_> = c.check().unwrap_err().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["display_name", "email", "bio"]);
        let ok = Changes { display_name: Some(" Ada ".into()), email: Some("".into()), bio: None }.check().unwrap();
        assert_eq!((ok.display_name.as_deref(), ok.email.as_deref(), ok.bio), (Some("Ada"), Some(""), None));
    }

    #[tokio::test]
    async fn updates_honour_the_expected_revision() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(1_700_000_000));
        let id = app.add_test_member("ada").await;
        let who = Who::system();
        let change = |d: &str| Changes { display_name: Some(d.into()), ..Default::default() };
        let u = update(&app, id, change("Ada L."), Some(vec![1]), who.clone()).await.unwrap();
        assert_eq!((u.display_name.as_str(), u.revision), ("Ada L.", 2));
        let stale = update(&app, id, change("Ada"), Some(vec![1]), who.clone()).await;
        assert!(matches!(stale, Err(ProfileError::Stale)), "{stale:?}");
        let same = update(&app, id, change("Ada L."), Some(vec![2]), who.clone()).await.unwrap();
        assert_eq!(same.revision, 2, "no change, no new revision");
        let u = update(&app, id, Changes { bio: Some("Counts.".into()), ..Default::default() }, None, who).await;
        assert_eq!(u.unwrap().revision, 3);
        let found = search(&app, &check_query(" ADA ").unwrap(), None, 10).unwrap();
        assert_eq!(found.items.len(), 1);
        assert!(search(&app, "zed", None, 10).unwrap().items.is_empty());
    }
}
