//! The one-time setup link that lets the owner create the first admin in the
//! browser. Valid for an hour, used once, and useless once an admin exists.

use super::members::{self, MemberError, NewMember};
use crate::app::App;
use crate::auth::secrets;
use crate::store::StoreError;
use crate::store::audit::{self, Who};
use crate::store::links::{self, Link, Purpose};
use crate::store::users::{self, User};

pub const LIFETIME_SECS: i64 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("this site already has an admin; sign in instead")]
    AdminExists,
    #[error("this setup link is not valid: it was used already, has expired, or was replaced by a newer one")]
    BadLink,
    #[error(transparent)]
    Member(#[from] MemberError),
}

impl From<StoreError> for SetupError {
    fn from(e: StoreError) -> Self {
        SetupError::Member(e.into())
    }
}

pub fn admin_exists(app: &App) -> Result<bool, StoreError> {
    app.store.read(users::admin_exists)
}

/// Makes a fresh link (older setup links stop working) and returns its URL.
pub async fn new_link(app: &App, who: Who) -> Result<String, SetupError> {
    if admin_exists(app)? {
        return Err(SetupError::AdminExists);
    }
    let token = secrets::token();
    let digest = secrets::digest(&token);
    let now = app.now();
    app.store
        .write(move |tx| {
            links::delete_where(tx, now, |l| l.purpose == Purpose::Setup)?;
            links::put(
                tx,
                &digest,
                &Link { purpose: Purpose::Setup, created_at: now, expires_at: now + LIFETIME_SECS },
            )?;
            audit::record(tx, now, &who, "setup.link", "", "one-time setup link issued")?;
            Ok::<_, StoreError>(())
        })
        .await?;
    Ok(app.config.url(&format!("setup?token={token}")))
}

pub fn link_is_valid(app: &App, token: &str) -> Result<bool, StoreError> {
    let digest = secrets::digest(token);
    let now = app.now();
    Ok(app.store.read(|tx| links::peek(tx, &digest, now))?.is_some_and(|l| l.purpose == Purpose::Setup))
}

/// Uses the link to create the first admin, all in one transaction.
pub async fn complete(app: &App, token: &str, mut new: NewMember, who: Who) -> Result<User, SetupError> {
    if admin_exists(app)? {
        return Err(SetupError::AdminExists);
    }
    if !link_is_valid(app, token)? {
        return Err(SetupError::BadLink);
    }
    new.admin = true;
    let prepared = members::prepare(app, &new).await?;
    let digest = secrets::digest(token);
    let now = app.now();
    app.store
        .write(move |tx| {
            if users::list(tx)?.iter().any(|u| u.admin && !u.disabled) {
                return Err(SetupError::AdminExists);
            }
            match links::take(tx, &digest, now)? {
                Some(l) if l.purpose == Purpose::Setup => {}
                _ => return Err(SetupError::BadLink),
            }
            let user = members::insert(tx, &prepared, &who, now)?;
            audit::record(tx, now, &who, "setup.complete", &user.username, "first admin created")?;
            Ok(user)
        })
        .await
}
