//! Sign-in links: which member a remote identity (provider, subject) signs
//! in as. A link is made only for a member who proved the account (signed
//! in with their password, or was signed in already), never by e-mail; it
//! can be removed while the member keeps another way to sign in.

use super::ConnectionError;
use crate::app::App;
use crate::ids::{ProviderId, UserId};
use crate::store::audit::{self, Who};
use crate::store::connections::{self, SignInLink};
use crate::store::users;

/// The member a remote identity signs in as, if linked.
pub fn find(app: &App, provider: ProviderId, subject: &str) -> Result<Option<SignInLink>, ConnectionError> {
    Ok(app.store.read(|tx| connections::link(tx, provider, subject))?)
}

pub fn of_user(app: &App, user: UserId) -> Result<Vec<SignInLink>, ConnectionError> {
    Ok(app.store.read(|tx| connections::links_of_user(tx, user))?)
}

/// Links a remote identity to `user`; refused when it is linked to another
/// member already. Audited as `signin_link.create`.
pub async fn link(
    app: &App,
    provider: ProviderId,
    subject: &str,
    remote_user: &str,
    user: UserId,
    who: Who,
) -> Result<SignInLink, ConnectionError> {
    let now = app.now();
    let l = SignInLink {
        provider,
        subject: subject.to_string(),
        user,
        remote_user: remote_user.to_string(),
        created_at: now,
        last_used: None,
    };
    app.store
        .write(move |tx| {
            if let Some(old) = connections::link(tx, provider, &l.subject)? {
                if old.user != user {
                    return Err(ConnectionError::Refused(
                        "this remote account signs in to another member of this site already".into(),
                    ));
                }
                return Ok(old);
            }
            connections::put_link(tx, &l)?;
            let detail = format!("provider {provider}, remote {}", l.remote_user);
            audit::record(tx, now, &who, "signin_link.create", &format!("user:{user}"), &detail)?;
            Ok(l.clone())
        })
        .await
}

/// Notes that a link signed someone in.
pub async fn used(app: &App, provider: ProviderId, subject: &str) -> Result<(), ConnectionError> {
    let now = app.now();
    let subject = subject.to_string();
    app.store
        .write(move |tx| {
            if let Some(mut l) = connections::link(tx, provider, &subject)? {
                l.last_used = Some(now);
                connections::put_link(tx, &l)?;
            }
            Ok(())
        })
        .await
}

/// Removes one of the member's links, unless it is their last way to sign
/// in (no password and no other link). Audited as `signin_link.delete`.
pub async fn unlink(
    app: &App,
    user: UserId,
    provider: ProviderId,
    subject: &str,
    who: Who,
) -> Result<SignInLink, ConnectionError> {
    let now = app.now();
    let subject = subject.to_string();
    app.store
        .write(move |tx| {
            let missing = || ConnectionError::NotFound("such linked account".into());
            let l = connections::link(tx, provider, &subject)?.filter(|l| l.user == user).ok_or_else(missing)?;
            let member = users::get(tx, user)?.ok_or_else(missing)?;
            let others = connections::links_of_user(tx, user)?.len().saturating_sub(1);
            if member.password_hash.is_empty() && others == 0 {
                return Err(ConnectionError::Refused(
                    "this is your only way to sign in: set a password or link another account first".into(),
                ));
            }
            connections::delete_link(tx, provider, &subject)?;
            let detail = format!("provider {provider}, remote {}", l.remote_user);
            audit::record(tx, now, &who, "signin_link.delete", &format!("user:{user}"), &detail)?;
            Ok(l)
        })
        .await
}
