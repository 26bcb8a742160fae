//! Moderation: members report posts and comments; site admins (in the
//! console) hide, show again or delete groups, posts and comments, and
//! dismiss reports. Every action is in the audit log, in the transaction
//! of the change.

use super::access::Viewer;
use super::{SocialError, text};
use crate::clock::Timestamp;
use crate::ids::{CommentId, GroupId, PostId, ReportId, UserId};
use crate::store::audit::{self, Who};
use crate::store::page::Page;
use crate::store::social::reports::{self, Report, Target};
use crate::store::social::{comments, groups, posts};
use crate::store::{Tables, WriteTransaction};

/// Something a moderator acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Group(GroupId),
    Post(PostId),
    Comment(CommentId),
}

impl Item {
    /// How the audit log and the console name it.
    pub fn label(self) -> String {
        match self {
            Item::Group(id) => format!("group:{id}"),
            Item::Post(id) => format!("post:{id}"),
            Item::Comment(id) => format!("comment:{id}"),
        }
    }

    /// The post or comment a report can name; `None` for a group.
    pub fn target(self) -> Option<Target> {
        match self {
            Item::Group(_) => None,
            Item::Post(id) => Some(Target::Post(id)),
            Item::Comment(id) => Some(Target::Comment(id)),
        }
    }
}

impl From<Target> for Item {
    fn from(t: Target) -> Item {
        match t {
            Target::Post(id) => Item::Post(id),
            Target::Comment(id) => Item::Comment(id),
        }
    }
}

/// A member reports a post or comment they can see. Reporting the same
/// thing again while the first report is open changes nothing.
pub fn report(
    tx: &WriteTransaction,
    actor: UserId,
    target: Target,
    reason: &str,
    now: Timestamp,
) -> Result<Report, SocialError> {
    let viewer = Viewer::member(actor);
    match target {
        Target::Post(p) => {
            super::posts::seen(tx, p, viewer)?;
        }
        Target::Comment(c) => {
            super::comments::get(tx, c, viewer)?;
        }
    }
    let reason = text::block("reason", reason, text::LIMITS.reason, true)?;
    if let Some(open) = reports::open_for(tx, target)?.into_iter().find(|r| r.reporter == actor) {
        return Ok(open);
    }
    Ok(reports::insert(
        tx,
        Report { id: ReportId(0), target, reporter: actor, reason, created_at: now, resolved_at: None, revision: 0 },
    )?)
}

/// Closes the open reports of a post or comment (a moderator dealt with it).
fn resolve(tx: &WriteTransaction, target: Target, now: Timestamp) -> Result<(), SocialError> {
    for mut r in reports::open_for(tx, target)? {
        r.resolved_at = Some(now);
        reports::put(tx, &mut r)?;
    }
    Ok(())
}

/// The posts and comments that go when `item` is deleted: itself, a
/// post's comments, a top-level comment's replies, everything in a group.
/// Read before the delete, so that their open reports can be closed with
/// it instead of waiting in the queue for content that is gone.
fn contents(tx: &WriteTransaction, item: Item) -> Result<Vec<Target>, SocialError> {
    let of_post = |p: PostId| -> Result<Vec<Target>, SocialError> {
        let mut out = vec![Target::Post(p)];
        out.extend(comments::of_post(tx, p)?.into_iter().map(|c| Target::Comment(c.id)));
        Ok(out)
    };
    Ok(match item {
        Item::Group(g) => {
            let mut out = vec![];
            for p in posts::ids_in_group(tx, g)? {
                out.extend(of_post(p)?);
            }
            out
        }
        Item::Post(p) => of_post(p)?,
        Item::Comment(id) => {
            let mut out = vec![Target::Comment(id)];
            if let Some(c) = comments::get(tx, id)?.filter(|c| c.parent.is_none()) {
                let replies = comments::of_post(tx, c.post)?.into_iter().filter(|r| r.parent == Some(id));
                out.extend(replies.map(|r| Target::Comment(r.id)));
            }
            out
        }
    })
}

/// Hides an item from everyone but the console, or shows it again.
pub fn set_hidden(
    tx: &WriteTransaction,
    item: Item,
    hidden: bool,
    who: &Who,
    now: Timestamp,
) -> Result<(), SocialError> {
    match item {
        Item::Group(id) => {
            let mut g = groups::get(tx, id)?.ok_or(SocialError::NotFound("group"))?;
            g.hidden = hidden;
            groups::put(tx, &mut g)?;
        }
        Item::Post(id) => {
            let mut p = posts::get(tx, id)?.ok_or(SocialError::NotFound("post"))?;
            p.hidden = hidden;
            posts::put(tx, &mut p)?;
        }
        Item::Comment(id) => {
            let mut c = comments::get(tx, id)?.ok_or(SocialError::NotFound("comment"))?;
            c.hidden = hidden;
            comments::put(tx, &mut c)?;
        }
    }
    if let (true, Some(t)) = (hidden, item.target()) {
        resolve(tx, t, now)?;
    }
    let action = if hidden { "moderation.hide" } else { "moderation.show" };
    audit::record(tx, now, who, action, &item.label(), "")?;
    Ok(())
}

/// Deletes an item for good (a group with everything in it).
pub fn delete(tx: &WriteTransaction, item: Item, who: &Who, now: Timestamp) -> Result<(), SocialError> {
    let gone = contents(tx, item)?;
    match item {
        Item::Group(id) => {
            groups::get(tx, id)?.ok_or(SocialError::NotFound("group"))?;
            super::groups::remove_everything(tx, id)?;
        }
        Item::Post(id) => {
            posts::get(tx, id)?.ok_or(SocialError::NotFound("post"))?;
            super::posts::remove(tx, id)?;
        }
        Item::Comment(id) => {
            let c = comments::get(tx, id)?.ok_or(SocialError::NotFound("comment"))?;
            super::comments::remove(tx, &c)?;
        }
    }
    for t in gone {
        resolve(tx, t, now)?;
    }
    audit::record(tx, now, who, "moderation.delete", &item.label(), "")?;
    Ok(())
}

/// Closes a report without acting on its target.
pub fn dismiss(tx: &WriteTransaction, id: ReportId, who: &Who, now: Timestamp) -> Result<(), SocialError> {
    let mut r = reports::get(tx, id)?.ok_or(SocialError::NotFound("report"))?;
    if r.resolved_at.is_none() {
        r.resolved_at = Some(now);
        reports::put(tx, &mut r)?;
        audit::record(tx, now, who, "moderation.dismiss", &format!("report:{id}"), "")?;
    }
    Ok(())
}

/// Closes every open report of a post or comment without acting on it;
/// how many there were. Each is audited as `dismiss` does.
pub fn dismiss_all(tx: &WriteTransaction, target: Target, who: &Who, now: Timestamp) -> Result<usize, SocialError> {
    let open = reports::open_for(tx, target)?;
    for r in &open {
        dismiss(tx, r.id, who, now)?;
    }
    Ok(open.len())
}

/// Reports for the console, newest first; open ones only unless `all`.
pub fn reports_page(
    tx: &impl Tables,
    all: bool,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Page<Report>, SocialError> {
    Ok(reports::page(tx, after, limit, |r| Ok((all || r.resolved_at.is_none()).then_some(r)))?)
}
