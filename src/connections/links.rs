//! Sign-in links: which member a remote identity (provider, subject) signs
//! in as. A link is made only for a member who proved the account (signed
//! in with their password, or was signed in already), never by e-mail; it
//! can be removed while the member keeps another way to sign in.

use super::ConnectionError;
use crate::app::App;
use crate::auth::secrets;
use crate::ids::{ProviderId, UserId};
use crate::store::audit::{self, Who};
use crate::store::connections::{self, PendingIdentity, SignInLink};
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

/// How long a proven identity waits for its member to sign in.
pub const IDENTITY_TTL: i64 = 900;

/// Keeps a proven identity for linking; the handle to put in the form.
pub async fn hold_identity(
    app: &App,
    provider: ProviderId,
    subject: &str,
    remote_user: &str,
    browser: &str,
    return_to: &str,
) -> Result<String, ConnectionError> {
    let handle = secrets::token();
    let digest = secrets::digest(&handle);
    let p = PendingIdentity {
        provider,
        subject: subject.to_string(),
        remote_user: remote_user.to_string(),
        browser: secrets::digest(browser),
        return_to: return_to.to_string(),
        expires_at: app.now() + IDENTITY_TTL,
    };
    app.store.write(move |tx| connections::put_identity(tx, &digest, &p)).await?;
    Ok(handle)
}

/// The identity held under `handle`, if it is live and this is the
/// browser that proved it.
pub fn held_identity(app: &App, handle: &str, browser: Option<&str>) -> Result<PendingIdentity, ConnectionError> {
    let gone = || ConnectionError::Refused("this sign-in has expired or was used already; please start again".into());
    if handle.is_empty() || handle.len() > 200 {
        return Err(gone());
    }
    let digest = secrets::digest(handle);
    let now = app.now();
    let p = app.store.read(|tx| connections::get_identity(tx, &digest, now))?.ok_or_else(gone)?;
    match browser {
        Some(b) if secrets::constant_time_eq(&secrets::digest(b), &p.browser) => Ok(p),
        _ => Err(gone()),
    }
}

/// Links the held identity to `user` and forgets it (single use).
pub async fn link_held(
    app: &App,
    handle: &str,
    p: &PendingIdentity,
    user: UserId,
    who: Who,
) -> Result<SignInLink, ConnectionError> {
    let l = link(app, p.provider, &p.subject, &p.remote_user, user, who).await?;
    let digest = secrets::digest(handle);
    app.store.write(move |tx| connections::delete_identity(tx, &digest)).await?;
    Ok(l)
}

/// Removes the expired held identities.
pub async fn sweep(app: &App) -> Result<usize, ConnectionError> {
    let now = app.now();
    Ok(app.store.write(move |tx| connections::sweep_identities(tx, now)).await?)
}

/// With open registration: creates a new member (no password; they sign
/// in with the held identity, and may set a password later through a
/// reset link) linked to the held identity, and forgets it. Counts
/// against the address's sign-in attempts like `/register`. Audited as
/// `user.create`, `user.signup` and `signin_link.create`.
pub async fn register_held(
    app: &App,
    handle: &str,
    held: &PendingIdentity,
    username: &str,
    email: &str,
    ip: std::net::IpAddr,
) -> Result<crate::store::users::User, ConnectionError> {
    use crate::accounts::members;
    if app.config.registration != crate::config::Registration::Open {
        return Err(ConnectionError::Refused("this site does not take sign-ups".into()));
    }
    app.limiter.attempt_from(ip).map_err(|r| {
        ConnectionError::Refused(format!("too many attempts; try again in {} minute(s)", r.0.div_ceil(60)))
    })?;
    let username = username.trim().to_string();
    let words = |e: members::MemberError| ConnectionError::Refused(e.to_string());
    members::check_username(&username).map_err(words)?;
    members::check_email(email.trim()).map_err(words)?;
    let now = app.now();
    let display: String = held.remote_user.chars().filter(|c| !c.is_control()).take(100).collect();
    let user = crate::store::users::User {
        id: UserId(0),
        display_name: if display.trim().is_empty() { username.clone() } else { display },
        username,
        email: email.trim().to_string(),
        password_hash: String::new(),
        admin: false,
        disabled: false,
        created_at: now,
        password_changed_at: now,
        revision: 0,
        bio: String::new(),
        avatar: None,
    };
    let digest = secrets::digest(handle);
    let held = held.clone();
    let anon = Who::anonymous(ip.to_string());
    app.store
        .write(move |tx| {
            if connections::link(tx, held.provider, &held.subject)?.is_some() {
                return Err(ConnectionError::Refused("this remote account is linked already".into()));
            }
            let user = members::insert(tx, &user, &anon, now).map_err(|e| match e {
                members::MemberError::Store(e) => ConnectionError::Store(e),
                e => ConnectionError::Refused(e.to_string()),
            })?;
            let l = SignInLink {
                provider: held.provider,
                subject: held.subject.clone(),
                user: user.id,
                remote_user: held.remote_user.clone(),
                created_at: now,
                last_used: Some(now),
            };
            connections::put_link(tx, &l)?;
            connections::delete_identity(tx, &digest)?;
            let who = Who::user(user.id, &user.username, anon.ip.clone());
            let how = format!("open registration, signed in with provider {}", held.provider);
            audit::record(tx, now, &who, "user.signup", &user.username, &how)?;
            let detail = format!("provider {}, remote {}", held.provider, held.remote_user);
            audit::record(tx, now, &who, "signin_link.create", &format!("user:{}", user.id), &detail)?;
            Ok(user)
        })
        .await
}
