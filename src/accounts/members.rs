//! Member operations: create, change password, disable, delete, sign in.
//! The pages, the command line and the management socket all call these.

use crate::app::App;
use crate::auth::passwords::{self, PasswordError};
use crate::clock::rfc3339;
use crate::registry::grants::{self as registry, Reason};
use crate::store::audit::{self, Who};
use crate::store::links::{self, Link, Purpose};
use crate::store::users::{self, User};
use crate::store::{StoreError, UserId, sessions, stats};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("the username {0:?} is already taken")]
    Taken(String),
    #[error("there is no member named {0:?}")]
    NotFound(String),
    #[error("that would leave the site without an enabled admin")]
    LastAdmin,
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<PasswordError> for MemberError {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::Hashing(m) => MemberError::Internal(m),
            e => MemberError::Invalid { field: "password", message: e.to_string() },
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> MemberError {
    MemberError::Invalid { field, message: message.into() }
}

pub fn check_username(name: &str) -> Result<(), MemberError> {
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if name.len() < 2 || name.len() > 32 {
        return Err(invalid("username", "must be 2 to 32 characters long"));
    }
    if !ok_chars || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(invalid(
            "username",
            "may hold letters, digits, '.', '-' and '_', and must start with a letter or digit",
        ));
    }
    Ok(())
}

pub fn check_email(email: &str) -> Result<(), MemberError> {
    if email.is_empty() {
        return Ok(());
    }
    let parts: Vec<&str> = email.split('@').collect();
    let ok = email.len() <= 254
        && parts.len() == 2
        && !parts[0].is_empty()
        && parts[1].contains('.')
        && !parts[1].starts_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(invalid("email", "is not an e-mail address"));
    }
    Ok(())
}

fn check_display_name(name: &str) -> Result<(), MemberError> {
    if name.chars().count() > 100 || name.chars().any(|c| c.is_control()) {
        return Err(invalid("display_name", "must be at most 100 printable characters"));
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewMember {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub admin: bool,
}

/// What a member looks like to the command line and the admin pages.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct MemberView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub admin: bool,
    pub disabled: bool,
    pub created_at: String,
}

impl From<&User> for MemberView {
    fn from(u: &User) -> Self {
        MemberView {
            id: u.id.to_string(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            admin: u.admin,
            disabled: u.disabled,
            created_at: rfc3339(u.created_at),
        }
    }
}

/// Validates `new` and hashes its password (outside any transaction).
pub async fn prepare(app: &App, new: &NewMember) -> Result<User, MemberError> {
    let username = new.username.trim().to_string();
    check_username(&username)?;
    check_email(new.email.trim())?;
    check_display_name(new.display_name.trim())?;
    passwords::check_policy(&new.password, &username)?;
    let hash = app.passwords.hash(new.password.clone()).await?;
    let now = app.now();
    let display_name = match new.display_name.trim() {
        "" => username.clone(),
        d => d.to_string(),
    };
    Ok(User {
        id: UserId(0),
        username,
        display_name,
        email: new.email.trim().to_string(),
        password_hash: hash,
        admin: new.admin,
        disabled: false,
        created_at: now,
        password_changed_at: now,
        revision: 0,
        bio: String::new(),
        avatar: None,
    })
}

/// Inserts a prepared member in `tx` after checking the name is free.
pub fn insert(tx: &crate::store::WriteTransaction, user: &User, who: &Who, now: i64) -> Result<User, MemberError> {
    if users::by_name(tx, &user.username)?.is_some() {
        return Err(MemberError::Taken(user.username.clone()));
    }
    let user = users::insert(tx, user.clone())?;
    let what = if user.admin { "admin" } else { "member" };
    audit::record(tx, now, who, "user.create", &user.username, what)?;
    Ok(user)
}

pub async fn create(app: &App, new: NewMember, who: Who) -> Result<User, MemberError> {
    let user = prepare(app, &new).await?;
    let now = app.now();
    app.store.write(move |tx| insert(tx, &user, &who, now)).await
}

pub fn list(app: &App) -> Result<Vec<User>, MemberError> {
    Ok(app.store.read(users::list)?)
}

pub fn find(app: &App, username: &str) -> Result<User, MemberError> {
    app.store.read(|tx| users::by_name(tx, username))?.ok_or_else(|| MemberError::NotFound(username.to_string()))
}

fn load(tx: &crate::store::WriteTransaction, username: &str) -> Result<User, MemberError> {
    users::by_name(tx, username)?.ok_or_else(|| MemberError::NotFound(username.to_string()))
}

/// Whether someone other than `except` is an enabled admin.
fn other_admin_exists(tx: &crate::store::WriteTransaction, except: UserId) -> Result<bool, MemberError> {
    Ok(users::list(tx)?.iter().any(|u| u.id != except && u.admin && !u.disabled))
}

/// Sets a new password and ends every session of the member except `keep`,
/// and every token of every application the member authorized.
pub async fn set_password(
    app: &App,
    username: &str,
    password: String,
    who: Who,
    keep: Option<[u8; 32]>,
) -> Result<User, MemberError> {
    let user = find(app, username)?;
    passwords::check_policy(&password, &user.username)?;
    let hash = app.passwords.hash(password).await?;
    let now = app.now();
    let name = user.username.clone();
    app.store
        .write(move |tx| {
            let mut u = load(tx, &name)?;
            u.password_hash = hash.clone();
            u.password_changed_at = now;
            users::put(tx, &mut u)?;
            let id = u.id;
            let kept = keep;
            sessions::delete_where_keyed(tx, |k, s| s.user == id && Some(k) != kept.as_ref())?;
            links::delete_where(tx, now, |l| l.purpose == Purpose::SignIn(id))?;
            let ended = registry::end_member_tokens(tx, id, now, &who)?;
            audit::record(tx, now, &who, "user.password", &u.username, &registry::ended_detail(ended))?;
            Ok(u)
        })
        .await
}

/// Makes or unmakes an admin; the last enabled admin stays one.
pub async fn set_admin(app: &App, username: &str, admin: bool, who: Who) -> Result<User, MemberError> {
    let now = app.now();
    let name = username.to_string();
    app.store
        .write(move |tx| {
            let mut u = load(tx, &name)?;
            if !admin && u.admin && !u.disabled && !other_admin_exists(tx, u.id)? {
                return Err(MemberError::LastAdmin);
            }
            u.admin = admin;
            users::put(tx, &mut u)?;
            let action = if admin { "user.admin.grant" } else { "user.admin.revoke" };
            audit::record(tx, now, &who, action, &u.username, "")?;
            Ok(u)
        })
        .await
}

/// How long a password-reset link works.
pub const RESET_LINK_SECS: i64 = 24 * 3600;

/// A one-time link that lets the member choose a new password (an admin
/// hands it over; nothing is mailed). Older reset links of the member stop
/// working.
pub async fn password_reset_link(app: &App, username: &str, who: Who) -> Result<String, MemberError> {
    let user = find(app, username)?;
    let token = crate::auth::secrets::token();
    let digest = crate::auth::secrets::digest(&token);
    let now = app.now();
    let id = user.id;
    let name = user.username.clone();
    app.store
        .write(move |tx| {
            links::delete_where(tx, now, |l| l.purpose == Purpose::PasswordReset(id))?;
            links::put(
                tx,
                &digest,
                &Link { purpose: Purpose::PasswordReset(id), created_at: now, expires_at: now + RESET_LINK_SECS },
            )?;
            audit::record(tx, now, &who, "user.password_reset_link", &name, "one-time link issued")?;
            Ok::<_, MemberError>(())
        })
        .await?;
    Ok(app.config.url(&format!("reset?token={token}")))
}

/// The member a valid reset link is for.
pub fn reset_link_user(app: &App, token: &str) -> Result<Option<User>, MemberError> {
    let digest = crate::auth::secrets::digest(token);
    let now = app.now();
    Ok(app.store.read(|tx| match links::peek(tx, &digest, now)? {
        Some(Link { purpose: Purpose::PasswordReset(id), .. }) => users::get(tx, id),
        _ => Ok(None),
    })?)
}

/// Uses a reset link: sets the password and ends every session and every
/// application token of the member.
pub async fn reset_password(app: &App, token: &str, password: String, ip: String) -> Result<User, MemberError> {
    let Some(user) = reset_link_user(app, token)? else {
        return Err(invalid("token", "this link is not valid: it was used already or has expired"));
    };
    passwords::check_policy(&password, &user.username)?;
    let hash = app.passwords.hash(password).await?;
    let digest = crate::auth::secrets::digest(token);
    let now = app.now();
    app.store
        .write(move |tx| {
            match links::take(tx, &digest, now)? {
                Some(Link { purpose: Purpose::PasswordReset(id), .. }) if id == user.id => {}
                _ => return Err(invalid("token", "this link is not valid: it was used already or has expired")),
            }
            let mut u = users::get(tx, user.id)?.ok_or_else(|| MemberError::NotFound(user.username.clone()))?;
            u.password_hash = hash.clone();
            u.password_changed_at = now;
            users::put(tx, &mut u)?;
            sessions::delete_where(tx, |s| s.user == u.id)?;
            let id = u.id;
            links::delete_where(tx, now, |l| l.purpose == Purpose::SignIn(id))?;
            let who = Who::user(u.id, &u.username, ip.clone());
            let ended = registry::end_member_tokens(tx, u.id, now, &who)?;
            audit::record(tx, now, &who, "user.password_reset", &u.username, &registry::ended_detail(ended))?;
            Ok(u)
        })
        .await
}

pub async fn set_disabled(app: &App, username: &str, disabled: bool, who: Who) -> Result<User, MemberError> {
    let now = app.now();
    let name = username.to_string();
    app.store
        .write(move |tx| {
            let mut u = load(tx, &name)?;
            if disabled && u.admin && !other_admin_exists(tx, u.id)? {
                return Err(MemberError::LastAdmin);
            }
            u.disabled = disabled;
            users::put(tx, &mut u)?;
            let mut detail = String::new();
            if disabled {
                let id = u.id;
                sessions::delete_where(tx, |s| s.user == id)?;
                detail = registry::ended_detail(registry::end_member_tokens(tx, id, now, &who)?);
            }
            let action = if disabled { "user.disable" } else { "user.enable" };
            audit::record(tx, now, &who, action, &u.username, &detail)?;
            Ok(u)
        })
        .await
}

pub async fn delete(app: &App, username: &str, who: Who) -> Result<User, MemberError> {
    let now = app.now();
    let name = username.to_string();
    let user = app
        .store
        .write(move |tx| {
            let u = load(tx, &name)?;
            if u.admin && !u.disabled && !other_admin_exists(tx, u.id)? {
                return Err(MemberError::LastAdmin);
            }
            users::delete(tx, &u)?;
            if let Some(sha) = &u.avatar {
                crate::store::blobs::remove_ref(tx, sha, crate::store::blobs::Owner::Avatar(u.id))?;
            }
            let id = u.id;
            sessions::delete_where(tx, |s| s.user == id)?;
            // Out of every group (member counts stay right); what they wrote
            // stays, under their id, for the groups' history.
            for g in crate::store::social::groups::groups_of(tx, id)? {
                crate::store::social::groups::remove_membership(tx, g, id)?;
            }
            // Out of every event (enrolled counts stay right); no calendar feed.
            for e in crate::store::social::events::of_member(tx, id)? {
                crate::store::social::events::unenroll(tx, e, id)?;
            }
            crate::store::social::calendar::revoke(tx, id)?;
            for g in crate::store::grants::for_member(tx, id)? {
                registry::revoke(tx, g.id, now, &who, Reason::Deleted)?;
            }
            audit::record(tx, now, &who, "user.delete", &u.username, "")?;
            Ok(u)
        })
        .await?;
    if let Some(sha) = user.avatar {
        super::avatars::collect(app, sha).await;
    }
    Ok(user)
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong username or password")]
    Wrong,
    #[error("too many attempts; try again in {0} seconds")]
    Limited(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a username and password, applying the rate limits and writing the
/// outcome to the audit log. A disabled member fails like a wrong password.
pub async fn authenticate(app: &App, username: &str, password: &str, ip: std::net::IpAddr) -> Result<User, LoginError> {
    let username = username.trim();
    let now = app.now();
    let anon = Who::anonymous(ip.to_string());
    if let Err(r) = app.limiter.attempt_from(ip) {
        return Err(LoginError::Limited(r.0));
    }
    let delay = app.limiter.check_user(username, ip).map_err(|r| LoginError::Limited(r.0))?;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let user = if username.is_empty() || username.len() > 64 {
        None
    } else {
        app.store.read(|tx| users::by_name(tx, username))?
    };
    let ok = app.passwords.verify(password.to_string(), user.as_ref().map(|u| u.password_hash.clone())).await;
    match user {
        Some(u) if ok && !u.disabled => {
            app.limiter.succeeded(username, ip);
            Ok(u)
        }
        other => {
            let reason = match &other {
                None => "unknown username",
                Some(u) if u.disabled => "member is disabled",
                Some(_) => "wrong password",
            };
            let locked = app.limiter.failed(username, ip);
            app.metrics.signin_failed();
            let target = username.chars().take(64).collect::<String>();
            app.store
                .write(move |tx| {
                    audit::record(tx, now, &anon, "login.failure", &target, reason)?;
                    stats::bump(tx, stats::SIGNIN_FAILURES, now, 1)?;
                    if locked {
                        audit::record(tx, now, &anon, "login.lockout", &target, "too many failures")?;
                        stats::bump(tx, stats::LOCKOUTS, now, 1)?;
                    }
                    Ok::<_, StoreError>(())
                })
                .await?;
            Err(LoginError::Wrong)
        }
    }
}
