//! One-time sign-in links: an application the member uses asks for one
//! (`POST /api/v1/me/login-link`) to hand the member over to the pages
//! already signed in. Valid five minutes, used once, stored as a digest in
//! the one-time link table; following one starts a browser session in the
//! same transaction that uses it up. A disabled member's link does nothing.

use super::sessions;
use crate::app::App;
use crate::auth::secrets;
use crate::clock::Timestamp;
use crate::store::audit::{self, Who};
use crate::store::links::{self, Link, Purpose};
use crate::store::users::{self, User};
use crate::store::{StoreError, UserId};

pub const LIFETIME_SECS: i64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("this sign-in link is not valid: it was used already, has expired, or its member cannot sign in")]
    Bad,
    #[error("the member is disabled or gone")]
    Gone,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A fresh link for the member `id`, asked for by the application `by`
/// (for the audit record). Returns its URL and when it expires.
pub async fn issue(app: &App, id: UserId, by: &str, who: Who) -> Result<(String, Timestamp), LinkError> {
    let token = secrets::token();
    let digest = secrets::digest(&token);
    let now = app.now();
    let expires_at = now + LIFETIME_SECS;
    let by = by.to_string();
    app.store
        .write(move |tx| {
            let Some(u) = users::get(tx, id)?.filter(|u| !u.disabled) else {
                return Ok(Err(LinkError::Gone));
            };
            links::put(tx, &digest, &Link { purpose: Purpose::SignIn(id), created_at: now, expires_at })?;
            audit::record(tx, now, &who, "user.login_link", &u.username, &format!("issued to {by}"))?;
            Ok::<_, StoreError>(Ok(()))
        })
        .await??;
    Ok((app.config.url(&format!("login/link?token={token}")), expires_at))
}

/// The member a link would sign in, if it is valid and they may sign in
/// (the link stays unused).
pub fn peek(app: &App, token: &str) -> Result<Option<User>, StoreError> {
    let digest = secrets::digest(token);
    let now = app.now();
    app.store.read(|tx| match links::peek(tx, &digest, now)? {
        Some(Link { purpose: Purpose::SignIn(id), .. }) => Ok(users::get(tx, id)?.filter(|u| !u.disabled)),
        _ => Ok(None),
    })
}

/// Uses the link: it is gone, and a new session for its member is stored
/// in the same transaction. Returns the member and the session cookie.
pub async fn redeem(app: &App, token: &str, ip: String) -> Result<(User, String), LinkError> {
    let digest = secrets::digest(token);
    let now = app.now();
    let id = peek(app, token)?.ok_or(LinkError::Bad)?.id;
    // The cookie value is made once, outside the closure, which may run again.
    let (cookie, key, session) = sessions::fresh(id, now);
    let user = app
        .store
        .write(move |tx| {
            // A refusal is an `Err`: the transaction is dropped, so a link
            // of another kind that was taken here is not used up.
            match links::take(tx, &digest, now)? {
                Some(Link { purpose: Purpose::SignIn(of), .. }) if of == id => {}
                _ => return Err(LinkError::Bad),
            }
            let u = users::get(tx, id)?.filter(|u| !u.disabled).ok_or(LinkError::Bad)?;
            crate::store::sessions::put(tx, &key, &mut session.clone())?;
            let who = Who::user(u.id, &u.username, ip.clone());
            audit::record(tx, now, &who, "login.success", &u.username, "one-time sign-in link")?;
            Ok(u)
        })
        .await?;
    Ok((user, cookie))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;

    #[tokio::test]
    async fn a_link_signs_in_once_and_not_for_a_disabled_member() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(1_700_000_000));
        let id = app.add_test_member("lin").await;
        let (url, expires_at) = issue(&app, id, "Phone", Who::system()).await.unwrap();
        assert_eq!(expires_at, 1_700_000_000 + LIFETIME_SECS);
        let token = url.split("token=").nth(1).unwrap().to_string();
        assert_eq!(peek(&app, &token).unwrap().map(|u| u.id), Some(id));
        let (u, cookie) = redeem(&app, &token, "192.0.2.1".into()).await.unwrap();
        assert_eq!(u.id, id);
        assert!(sessions::resolve(&app, &cookie).await.unwrap().is_some(), "the session is live");
        assert!(matches!(redeem(&app, &token, "192.0.2.1".into()).await, Err(LinkError::Bad)), "used once");

        let (url, _) = issue(&app, id, "Phone", Who::system()).await.unwrap();
        let token = url.split("token=").nth(1).unwrap().to_string();
        crate::accounts::members::set_disabled(&app, "lin", true, Who::system()).await.unwrap();
        assert!(peek(&app, &token).unwrap().is_none());
        assert!(matches!(redeem(&app, &token, "192.0.2.1".into()).await, Err(LinkError::Bad)));
        assert!(matches!(issue(&app, id, "Phone", Who::system()).await, Err(LinkError::Gone)));
    }
}
