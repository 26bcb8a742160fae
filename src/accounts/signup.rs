//! Sign-up: members creating their own account on `/register`, as the
//! `registration` setting allows, and the invite links admins hand out,
//! which open the page whatever that setting says. An invite works once,
//! for seven days; it is used up in the same transaction that creates the
//! member and starts their first session.

use super::members::{self, MemberError, NewMember};
use super::sessions;
use crate::app::App;
use crate::auth::secrets;
use crate::config::Registration;
use crate::store::audit::{self, Who};
use crate::store::links::{self, Link, Purpose};
use crate::store::users::User;
use crate::store::{StoreError, UserId};

pub const INVITE_LIFETIME_SECS: i64 = 7 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("registration is closed")]
    Closed,
    #[error("this invite link is not valid: it was used already or has expired")]
    BadInvite,
    #[error("too many attempts; try again in {0} seconds")]
    Limited(u64),
    #[error(transparent)]
    Member(#[from] MemberError),
}

impl From<StoreError> for SignUpError {
    fn from(e: StoreError) -> Self {
        SignUpError::Member(e.into())
    }
}

/// A new invite link from the admin `by`; its URL is shown once.
pub async fn invite(app: &App, by: UserId, who: Who) -> Result<String, StoreError> {
    let token = secrets::token();
    let digest = secrets::digest(&token);
    let now = app.now();
    app.store
        .write(move |tx| {
            let link = Link { purpose: Purpose::Invite(by), created_at: now, expires_at: now + INVITE_LIFETIME_SECS };
            links::put(tx, &digest, &link)?;
            audit::record(tx, now, &who, "user.invite", "", "one-time invite link issued (7 days)")?;
            Ok::<_, StoreError>(())
        })
        .await?;
    let q = serde_urlencoded::to_string([("invite", token.as_str())]).unwrap_or_default();
    Ok(app.config.url(&format!("register?{q}")))
}

/// Whether `token` is an invite that still works.
pub fn invite_is_valid(app: &App, token: &str) -> Result<bool, StoreError> {
    let digest = secrets::digest(token);
    let now = app.now();
    Ok(app.store.read(|tx| links::peek(tx, &digest, now))?.is_some_and(|l| matches!(l.purpose, Purpose::Invite(_))))
}

/// Whether someone may sign up: with a working invite always, without one
/// only when registration is open.
pub fn may_sign_up(app: &App, invite: Option<&str>) -> Result<bool, StoreError> {
    match invite {
        Some(t) => invite_is_valid(app, t),
        None => Ok(app.config.registration == Registration::Open),
    }
}

/// Creates the member `new` (never an admin) from the sign-up page and
/// starts their session: returns the member and the session cookie.
/// Attempts count against the sign-in limit of the client's address, so
/// the page cannot be used to make accounts (or probe names) in bulk.
pub async fn sign_up(
    app: &App,
    mut new: NewMember,
    invite: Option<&str>,
    ip: std::net::IpAddr,
) -> Result<(User, String), SignUpError> {
    if !may_sign_up(app, invite)? {
        return Err(if invite.is_some() { SignUpError::BadInvite } else { SignUpError::Closed });
    }
    app.limiter.attempt_from(ip).map_err(|r| SignUpError::Limited(r.0))?;
    new.admin = false;
    let prepared = members::prepare(app, &new).await?;
    let invite = invite.map(secrets::digest);
    let now = app.now();
    let anon = Who::anonymous(ip.to_string());
    // The session's id is made once: the closure may run again.
    let (cookie, key, session) = sessions::fresh(UserId(0), now);
    let user = app
        .store
        .write(move |tx| {
            // Refusals are `Err`s so the invite taken here is not used up.
            let how = match &invite {
                None => "open registration".to_string(),
                Some(digest) => match links::take(tx, digest, now)? {
                    Some(Link { purpose: Purpose::Invite(by), .. }) => format!("invited by user {by}"),
                    _ => return Err(SignUpError::BadInvite),
                },
            };
            let user = members::insert(tx, &prepared, &anon, now)?;
            let mut s = session.clone();
            s.user = user.id;
            crate::store::sessions::put(tx, &key, &mut s)?;
            let who = Who::user(user.id, &user.username, anon.ip.clone());
            audit::record(tx, now, &who, "user.signup", &user.username, &how)?;
            audit::record(tx, now, &who, "login.success", &user.username, "after signing up")?;
            Ok(user)
        })
        .await?;
    Ok((user, cookie))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;

    fn new(name: &str) -> NewMember {
        NewMember {
            username: name.into(),
            display_name: String::new(),
            email: format!("{name}@example.org"),
            password: "a long enough password".into(),
            admin: true,
        }
    }

    #[tokio::test]
    async fn closed_registration_takes_only_invites_once() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(1_700_000_000));
        assert_eq!(app.config.registration, Registration::Closed);
        let ip: std::net::IpAddr = "192.0.2.9".parse().unwrap();
        assert!(matches!(sign_up(&app, new("nia"), None, ip).await, Err(SignUpError::Closed)));
        let admin = app.add_test_member("root").await;
        let url = invite(&app, admin, Who::system()).await.unwrap();
        let token = url.split("invite=").nth(1).unwrap().to_string();
        assert!(invite_is_valid(&app, &token).unwrap());
        // A name that is taken refuses the sign-up and leaves the invite unused.
        assert!(matches!(sign_up(&app, new("root"), Some(&token), ip).await, Err(SignUpError::Member(_))));
        let (u, cookie) = sign_up(&app, new("nia"), Some(&token), ip).await.unwrap();
        assert!(!u.admin, "a sign-up never makes an admin");
        assert_eq!(sessions::resolve(&app, &cookie).await.unwrap().unwrap().user.id, u.id);
        assert!(matches!(sign_up(&app, new("noa"), Some(&token), ip).await, Err(SignUpError::BadInvite)));
    }
}
