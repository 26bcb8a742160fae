//! Friends: asking a member to be friends, accepting (asking back),
//! cancelling, refusing and unfriending, the lists of friends and requests,
//! and what friendship lets a member see: `friends` posts, and shares only
//! with their original.

use super::SocialError;
use super::access::{Viewer, sees_post_of, sees_share};
use crate::clock::Timestamp;
use crate::ids::{GroupId, UserId};
use crate::store::page::Page;
use crate::store::social::Access;
use crate::store::social::friends::{self as stored, List};
use crate::store::social::groups::{self, Group, Membership};
use crate::store::social::posts::{self, Post};
use crate::store::{StoreError, Tables, WriteTransaction, users};

/// Where two members stand, seen from the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    None,
    /// The first asked the second.
    Requested,
    /// The second asked the first.
    Pending,
    Friends,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::None => "none",
            State::Requested => "requested",
            State::Pending => "pending",
            State::Friends => "friends",
        }
    }
}

/// Where the caller stands with another member, and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Friendship {
    pub user: UserId,
    pub state: State,
    pub since: Option<Timestamp>,
}

/// Where `me` stands with `other`.
pub fn relation(tx: &impl Tables, me: UserId, other: UserId) -> Result<Friendship, StoreError> {
    let (state, since) = if let Some(t) = stored::since(tx, me, other)? {
        (State::Friends, Some(t))
    } else if let Some(t) = stored::requested(tx, me, other)? {
        (State::Requested, Some(t))
    } else if let Some(t) = stored::requested(tx, other, me)? {
        (State::Pending, Some(t))
    } else {
        (State::None, None)
    };
    Ok(Friendship { user: other, state, since })
}

/// A member who may be befriended: there, enabled, and not oneself.
fn other(tx: &impl Tables, me: UserId, other: UserId) -> Result<(), SocialError> {
    if users::get(tx, other)?.is_none_or(|u| u.disabled) {
        return Err(SocialError::NotFound("member"));
    }
    if me == other {
        return Err(SocialError::invalid("id", "you cannot be your own friend"));
    }
    Ok(())
}

/// Asks `target` to be friends, or accepts their request; asking again, or
/// asking a friend, changes nothing.
pub fn befriend(
    tx: &WriteTransaction,
    actor: UserId,
    target: UserId,
    now: Timestamp,
) -> Result<Friendship, SocialError> {
    other(tx, actor, target)?;
    match relation(tx, actor, target)?.state {
        State::Friends | State::Requested => {}
        State::Pending => stored::befriend(tx, actor, target, now)?,
        State::None => stored::request(tx, actor, target, now)?,
    }
    Ok(relation(tx, actor, target)?)
}

/// Cancels the caller's request, refuses `target`'s, or ends the
/// friendship; with none of them, changes nothing.
pub fn unfriend(tx: &WriteTransaction, actor: UserId, target: UserId) -> Result<(), SocialError> {
    other(tx, actor, target)?;
    stored::unfriend(tx, actor, target)?;
    stored::withdraw(tx, actor, target)?;
    stored::withdraw(tx, target, actor)?;
    Ok(())
}

/// A page of the member's friends or requests (others' ids with the time),
/// leaving out disabled members.
pub fn list(
    tx: &impl Tables,
    user: UserId,
    which: List,
    after: Option<u64>,
    limit: usize,
) -> Result<Page<(UserId, Timestamp)>, SocialError> {
    Ok(stored::page(tx, user, which, after, limit, |u| Ok(users::get(tx, u)?.is_some_and(|u| !u.disabled)))?)
}

/// Whether the viewer sees a post, friendship and shares included: the
/// whole rule, of which `access::sees_post` is the part without them.
pub fn sees(
    tx: &impl Tables,
    p: &Post,
    group: Option<&Group>,
    v: Viewer,
    membership: Option<&Membership>,
) -> Result<bool, StoreError> {
    if !sees_post_of(p, group, v, membership, is_friend(tx, p, v)?) {
        return Ok(false);
    }
    let Some(original) = p.shared.filter(|_| v.user != Some(p.author)) else { return Ok(true) };
    let seen = match posts::get(tx, original)? {
        None => None,
        Some(o) => {
            let (g, m) = place(tx, o.group, v)?;
            Some(sees_post_of(&o, g.as_ref(), v, m.as_ref(), is_friend(tx, &o, v)?))
        }
    };
    Ok(sees_share(p, v, seen))
}

/// Whether the viewer is a friend of the post's author, looked up only for
/// a `friends` post.
fn is_friend(tx: &impl Tables, p: &Post, v: Viewer) -> Result<bool, StoreError> {
    match v.user {
        Some(u) if p.access == Access::Friends && u != p.author => Ok(stored::since(tx, u, p.author)?.is_some()),
        _ => Ok(false),
    }
}

fn place(tx: &impl Tables, g: Option<GroupId>, v: Viewer) -> Result<(Option<Group>, Option<Membership>), StoreError> {
    let Some(g) = g else { return Ok((None, None)) };
    let m = match v.user {
        Some(u) => groups::membership(tx, g, u)?,
        None => None,
    };
    Ok((groups::get(tx, g)?, m))
}
