//! Sharing: re-posting a post the member can see on their own stream, with
//! an optional comment (the share's body). A share of a share points at the
//! original; a share is never wider than its original
//! (`access::share_levels`), and others see it only with its original
//! (`access::sees_share`).

use super::access::{Viewer, share_levels};
use super::posts::PostView;
use super::{LIMITS, SocialError, text};
use crate::clock::Timestamp;
use crate::ids::{PostId, UserId};
use crate::store::WriteTransaction;
use crate::store::social::Access;
use crate::store::social::posts::{self as stored, Kind, Post, PostCounts};

fn names(levels: &[Access]) -> String {
    levels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
}

/// Whether `access` is allowed on a share of a post at `original`.
fn check_level(original: Access, access: Access) -> Result<(), SocialError> {
    let levels = share_levels(original);
    if levels.contains(&access) {
        return Ok(());
    }
    Err(SocialError::invalid(
        "access",
        format!("a share of a {} post may be {} only: never wider than the original", original.as_str(), names(levels)),
    ))
}

/// Shares the post `id` on the actor's own stream. Default access: the
/// original's.
pub fn share(
    tx: &WriteTransaction,
    actor: UserId,
    id: PostId,
    body: Option<&str>,
    access: Option<&str>,
    now: Timestamp,
) -> Result<PostView, SocialError> {
    let viewer = Viewer::member(actor);
    let (p, _) = super::posts::seen(tx, id, viewer)?;
    let original = match p.shared {
        None => p,
        // The sharer may see their own share of an original they no longer can.
        Some(o) => super::posts::seen(tx, o, viewer)?.0,
    };
    let levels = share_levels(original.access);
    if levels.is_empty() {
        return Err(SocialError::Forbidden(
            "a post for a group's members stays in its group: it cannot be shared".into(),
        ));
    }
    let access = match access {
        None => levels[0],
        Some(a) => {
            let a =
                Access::parse(a).ok_or_else(|| SocialError::invalid("access", format!("must be {}", names(levels))))?;
            check_level(original.access, a)?;
            a
        }
    };
    let body = match body {
        None => String::new(),
        Some(b) => text::block("body", b, LIMITS.body, false)?,
    };
    let post = Post {
        id: PostId(0),
        group: None,
        author: actor,
        kind: Kind::Status,
        title: String::new(),
        body,
        tags: vec![],
        access,
        created_at: now,
        updated_at: now,
        hidden: false,
        attachments: vec![],
        shared: Some(original.id),
        revision: 0,
    };
    let post = stored::insert(tx, post)?;
    Ok(PostView { post, counts: PostCounts::default(), liked_by_me: false, attachments: vec![] })
}

/// A changed share keeps within its original's level (while the original
/// is there); any other post passes.
pub fn check_update(tx: &WriteTransaction, p: &Post) -> Result<(), SocialError> {
    let Some(o) = p.shared else { return Ok(()) };
    match stored::get(tx, o)? {
        Some(original) => check_level(original.access, p.access),
        None => Ok(()),
    }
}
