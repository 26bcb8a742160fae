//! Browser sessions: the cookie holds only a random id; the record (keyed by
//! its digest) holds who is signed in, when, and the session's CSRF token.

use crate::app::App;
use crate::auth::secrets;
use crate::clock::Timestamp;
use crate::store::audit::{self, Who};
use crate::store::sessions::{self, Session};
use crate::store::users::{self, User};
use crate::store::{Store, StoreError, UserId, links};
use std::time::Duration;

/// `last_seen` is written at most this often, so browsing is not a write per page.
const TOUCH_EVERY: i64 = 60;

pub fn cookie_name(app: &App) -> &'static str {
    if app.config.secure_cookies() { "__Host-latchkey" } else { "latchkey" }
}

pub fn csrf_cookie_name(app: &App) -> &'static str {
    if app.config.secure_cookies() { "__Host-latchkey-csrf" } else { "latchkey-csrf" }
}

/// A live session with its member.
#[derive(Debug, Clone)]
pub struct Active {
    pub digest: [u8; 32],
    pub session: Session,
    pub user: User,
}

/// A new session for `user`, not stored yet: the cookie value, the key it
/// is stored under, and the record. For operations that start a session in
/// the same transaction as something else (a sign-in link, a sign-up).
pub fn fresh(user: UserId, now: Timestamp) -> (String, [u8; 32], Session) {
    let id = secrets::token();
    let digest = secrets::digest(&id);
    let session =
        Session { user, csrf: secrets::token(), created_at: now, last_seen: now, auth_time: now, revision: 0 };
    (id, digest, session)
}

/// Starts a session for `user` and returns the cookie value.
pub async fn start(app: &App, user: &User, who: Who) -> Result<String, StoreError> {
    let now = app.now();
    let (id, digest, session) = fresh(user.id, now);
    let name = user.username.clone();
    app.store
        .write(move |tx| {
            sessions::put(tx, &digest, &mut session.clone())?;
            audit::record(tx, now, &who, "login.success", &name, "")?;
            Ok::<_, StoreError>(())
        })
        .await?;
    Ok(id)
}

fn expired(app: &App, s: &Session, now: Timestamp) -> bool {
    now - s.last_seen >= app.config.session_idle_timeout.as_secs() as i64
        || now - s.created_at >= app.config.session_absolute_timeout.as_secs() as i64
}

/// The session behind a cookie value, if it is live and its member enabled.
pub async fn resolve(app: &App, cookie: &str) -> Result<Option<Active>, StoreError> {
    let digest = secrets::digest(cookie);
    let now = app.now();
    let found = app.store.read(|tx| {
        let Some(s) = sessions::get(tx, &digest)? else {
            return Ok(None);
        };
        let user = users::get(tx, s.user)?;
        Ok(Some((s, user)))
    })?;
    let Some((session, user)) = found else {
        return Ok(None);
    };
    let user = match user {
        Some(u) if !u.disabled && !expired(app, &session, now) => u,
        _ => {
            app.store.write(move |tx| sessions::delete(tx, &digest)).await?;
            return Ok(None);
        }
    };
    let mut session = session;
    if now - session.last_seen >= TOUCH_EVERY {
        session.last_seen = now;
        let s = session.clone();
        session.revision = app
            .store
            .write(move |tx| {
                let mut s = s.clone();
                sessions::put(tx, &digest, &mut s).map(|()| s.revision)
            })
            .await?;
    }
    Ok(Some(Active { digest, session, user }))
}

pub async fn end(app: &App, active: &Active, who: Who) -> Result<(), StoreError> {
    let digest = active.digest;
    let now = app.now();
    let name = active.user.username.clone();
    app.store
        .write(move |tx| {
            sessions::delete(tx, &digest)?;
            audit::record(tx, now, &who, "logout", &name, "")?;
            Ok::<_, StoreError>(())
        })
        .await
}

/// Removes sessions idle for `idle` or older than `absolute`, and expired
/// one-time links; run in the background.
pub async fn sweep(store: &Store, now: Timestamp, idle: Duration, absolute: Duration) -> Result<usize, StoreError> {
    let (idle, absolute) = (idle.as_secs() as i64, absolute.as_secs() as i64);
    store
        .write(move |tx| {
            let s = sessions::delete_where(tx, |s| now - s.last_seen >= idle || now - s.created_at >= absolute)?;
            let l = links::delete_where(tx, now, |_| false)?;
            Ok(s + l)
        })
        .await
}
