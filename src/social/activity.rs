//! Activity: every post, comment and new member in a group leaves an entry
//! in the group's river, moves the group's activity count (a member's
//! unread count is that minus their read mark), and writes the push
//! outbox row, all in the transaction of the change itself. Reading a
//! river shows each viewer only the entries whose item they may see.

use super::SocialError;
use super::access::{Viewer, sees_file, sees_post};
use crate::clock::Timestamp;
use crate::ids::{ActivityId, CommentId, EventId, FileId, GroupId, PostId, UserId};
use crate::store::key::Key;
use crate::store::page::Page;
use crate::store::schema::ACTIVITY;
use crate::store::social::activity::{self as stored, Activity, What};
use crate::store::social::groups::{self, Joining};
use crate::store::social::{comments, files, posts};
use crate::store::{ReadableTable, StoreError, Tables, WriteTransaction};

/// How many entries one page may look at in one group before it answers
/// with what it found and a cursor to go on from.
const BUDGET: usize = 500;

/// What an activity entry is about; the fields that do not apply stay `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct About {
    pub post: Option<PostId>,
    pub comment: Option<CommentId>,
    pub event: Option<EventId>,
    pub file: Option<FileId>,
}

/// Records an entry. The actor's own entry does not count as unread for
/// them: their read mark moves with it.
pub fn record(
    tx: &WriteTransaction,
    group: GroupId,
    what: What,
    actor: UserId,
    about: About,
    now: Timestamp,
) -> Result<Activity, StoreError> {
    let About { post, comment, event, file } = about;
    let a =
        stored::insert(tx, Activity { id: ActivityId(0), group, what, actor, post, comment, at: now, event, file })?;
    let mut c = groups::counts(tx, group)?;
    c.activity += 1;
    groups::put_counts(tx, group, &c)?;
    if let Some(mut m) = groups::membership(tx, group, actor)?.filter(|m| m.is_member()) {
        m.read_mark += 1;
        groups::put_membership(tx, &m)?;
    }
    Ok(a)
}

/// Whether the viewer may see this entry's item.
pub(crate) fn sees(
    tx: &impl Tables,
    a: &Activity,
    viewer: Viewer,
    group: &groups::Group,
    member: bool,
) -> Result<bool, StoreError> {
    if let Some(c) = a.comment {
        match comments::get(tx, c)? {
            Some(c) if !c.hidden => {}
            _ => return Ok(false),
        }
    }
    if let Some(e) = a.event {
        return super::events::sees(tx, e, viewer);
    }
    if let Some(f) = a.file {
        let Some(file) = files::get(tx, f)? else { return Ok(false) };
        let m = match viewer.user {
            Some(u) => groups::membership(tx, group.id, u)?,
            None => None,
        };
        return Ok(sees_file(&file, Some(group), viewer, m.as_ref()));
    }
    match a.post {
        Some(p) => {
            let Some(post) = posts::get(tx, p)? else { return Ok(false) };
            let m = match viewer.user {
                Some(u) => groups::membership(tx, group.id, u)?,
                None => None,
            };
            Ok(sees_post(&post, Some(group), viewer, m.as_ref()))
        }
        // Who joined: as visible as the member list.
        None => Ok(group.membership == Joining::Open || member),
    }
}

/// Whether member `user` may see entry `a` (the push worker's check before
/// it notifies them): a member of the group who can see the entry's item.
pub fn member_sees(tx: &impl Tables, a: &Activity, user: UserId) -> Result<bool, StoreError> {
    let Some(group) = groups::get(tx, a.group)? else { return Ok(false) };
    let member = groups::membership(tx, a.group, user)?.is_some_and(|m| m.is_member());
    Ok(member && sees(tx, a, Viewer::member(user), &group, member)?)
}

/// A member's unread entries over all their groups (the push badge).
pub fn total_unread(tx: &impl Tables, user: UserId) -> Result<u64, StoreError> {
    let mut n = 0u64;
    for gid in groups::groups_of(tx, user)? {
        if let Some(m) = groups::membership(tx, gid, user)?.filter(|m| m.is_member()) {
            n += groups::counts(tx, gid)?.activity.saturating_sub(m.read_mark);
        }
    }
    Ok(n)
}

/// One group's visible entries older than `before`, newest first: up to
/// `limit`, and the id of the last entry looked at when there may be more.
fn scan_group(
    tx: &impl Tables,
    viewer: Viewer,
    group: &groups::Group,
    before: Option<u64>,
    limit: usize,
) -> Result<(Vec<Activity>, Option<u64>), StoreError> {
    let member = match viewer.user {
        Some(u) => groups::membership(tx, group.id, u)?.is_some_and(|m| m.is_member()),
        None => false,
    };
    let t = tx.table(&ACTIVITY)?;
    let lo = Key::new().u64(group.id.0).u64(0);
    let hi = Key::new().u64(group.id.0).u64(before.unwrap_or(u64::MAX));
    let mut out = vec![];
    let mut last = None;
    for (looked, row) in t.range(lo.as_slice()..hi.as_slice())?.rev().enumerate() {
        if out.len() == limit || looked == BUDGET {
            return Ok((out, last));
        }
        let (_, v) = row?;
        let a: Activity = crate::store::codec::decode(v.value())?;
        last = Some(a.id.0);
        if sees(tx, &a, viewer, group, member)? {
            out.push(a);
        }
    }
    Ok((out, None))
}

/// Merges the pages of several groups' rivers: the newest `limit` entries
/// that are known to be complete, and where to go on.
fn merge(parts: Vec<(Vec<Activity>, Option<u64>)>, limit: usize) -> Page<Activity> {
    let floor = parts.iter().filter_map(|(_, stop)| *stop).max();
    let mut all: Vec<Activity> =
        parts.into_iter().flat_map(|(items, _)| items).filter(|a| floor.is_none_or(|f| a.id.0 >= f)).collect();
    all.sort_by_key(|a| std::cmp::Reverse(a.id));
    let cut = all.len() > limit;
    all.truncate(limit);
    let next = if cut { all.last().map(|a| a.id.0) } else { floor };
    Page { items: all, next: next.map(|n| n.to_be_bytes().to_vec()) }
}

/// A group's river, newest first.
pub fn group_river(
    tx: &impl Tables,
    viewer: Viewer,
    id: GroupId,
    before: Option<u64>,
    limit: usize,
) -> Result<Page<Activity>, SocialError> {
    let g = super::groups::visible(tx, id, viewer)?;
    Ok(merge(vec![scan_group(tx, viewer, &g, before, limit)?], limit))
}

/// The river of every group the member is in, newest first.
pub fn my_river(
    tx: &impl Tables,
    user: UserId,
    before: Option<u64>,
    limit: usize,
) -> Result<Page<Activity>, SocialError> {
    let viewer = Viewer::member(user);
    let mut parts = vec![];
    for gid in groups::groups_of(tx, user)? {
        let Some(g) = groups::get(tx, gid)?.filter(|g| super::access::sees_group(g, viewer)) else { continue };
        if !groups::membership(tx, gid, user)?.is_some_and(|m| m.is_member()) {
            continue;
        }
        parts.push(scan_group(tx, viewer, &g, before, limit)?);
    }
    Ok(merge(parts, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(id: u64) -> Activity {
        Activity {
            id: ActivityId(id),
            group: GroupId(1),
            what: What::MemberJoined,
            actor: UserId(1),
            post: None,
            comment: None,
            at: 0,
            event: None,
            file: None,
        }
    }

    #[test]
    fn merged_rivers_never_skip_an_entry() {
        // Group one is complete; group two stopped (its budget) at 6, so
        // entries below 6 are not known yet and wait for the next page.
        let p = merge(vec![(vec![a(9), a(4), a(2)], None), (vec![a(8), a(7)], Some(6))], 10);
        assert_eq!(p.items.iter().map(|a| a.id.0).collect::<Vec<_>>(), [9, 8, 7]);
        assert_eq!(p.next, Some(6u64.to_be_bytes().to_vec()));
        // Over the limit: cut at the last entry returned.
        let p = merge(vec![(vec![a(9), a(4)], None), (vec![a(8), a(7)], None)], 3);
        assert_eq!(p.items.iter().map(|a| a.id.0).collect::<Vec<_>>(), [9, 8, 7]);
        assert_eq!(p.next, Some(7u64.to_be_bytes().to_vec()));
        let p = merge(vec![(vec![a(3)], None)], 3);
        assert_eq!(p.next, None);
    }
}
