//! Comments: on a post the commenter can see (in a group, only its members
//! comment), with one level of replies; changed by their author, deleted by
//! their author, the post's author or an admin of the group.

use super::access::{Viewer, deletes_comment, edits_comment, writes_in};
use super::activity::About;
use super::{Expected, SocialError, activity, check_revision, text};
use crate::clock::Timestamp;
use crate::ids::{CommentId, PostId, UserId};
use crate::store::page::{Order, Page};
use crate::store::schema::COMMENTS_BY_POST;
use crate::store::social::activity::What;
use crate::store::social::comments::{self as stored, Comment};
use crate::store::social::posts::{self as posts_store, Post};
use crate::store::social::{Access, Step, groups, index_ids, scan};
use crate::store::{Tables, WriteTransaction};

/// The comments of a post the viewer can see, oldest first, replies among
/// them in the order they were written.
pub fn list(
    tx: &impl Tables,
    viewer: Viewer,
    post: PostId,
    after: Option<u64>,
    limit: usize,
) -> Result<Page<Comment>, SocialError> {
    super::posts::seen(tx, post, viewer)?;
    let t = tx.table(&COMMENTS_BY_POST)?;
    Ok(scan(index_ids(&t, &stored::post_prefix(post), after, Order::Ascending)?, limit, 10_000, |id| {
        Ok(match stored::get(tx, CommentId(id))? {
            Some(c) if !c.hidden => Step::Take(c),
            _ => Step::Skip,
        })
    })?)
}

/// A comment whose post the viewer can see.
fn visible(
    tx: &impl Tables,
    id: CommentId,
    viewer: Viewer,
) -> Result<(Comment, Post, Option<groups::Membership>), SocialError> {
    let Some(c) = stored::get(tx, id)?.filter(|c| !c.hidden) else { return Err(SocialError::NotFound("comment")) };
    let (p, m) = super::posts::seen(tx, c.post, viewer).map_err(|e| match e {
        SocialError::NotFound(_) => SocialError::NotFound("comment"),
        e => e,
    })?;
    Ok((c, p, m))
}

pub fn get(tx: &impl Tables, id: CommentId, viewer: Viewer) -> Result<Comment, SocialError> {
    Ok(visible(tx, id, viewer)?.0)
}

pub fn create(
    tx: &WriteTransaction,
    actor: UserId,
    post: PostId,
    body: &str,
    parent: Option<CommentId>,
    now: Timestamp,
) -> Result<Comment, SocialError> {
    let viewer = Viewer::member(actor);
    let (p, m) = super::posts::seen(tx, post, viewer)?;
    let group = match p.group {
        Some(g) => groups::get(tx, g)?,
        None => None,
    };
    if !writes_in(group.as_ref(), m.as_ref()) {
        return Err(SocialError::Forbidden("only members of the group may comment here".into()));
    }
    let body = text::block("body", body, text::LIMITS.comment, true)?;
    if let Some(parent) = parent {
        match stored::get(tx, parent)? {
            Some(c) if c.post == post && c.parent.is_none() && !c.hidden => {}
            Some(c) if c.post == post && !c.hidden => {
                return Err(SocialError::invalid("parent", "replies go one level deep: answer the top-level comment"));
            }
            _ => return Err(SocialError::invalid("parent", "is not a comment on this post")),
        }
    }
    let c = stored::insert(
        tx,
        Comment {
            id: CommentId(0),
            post,
            parent,
            author: actor,
            body,
            created_at: now,
            updated_at: now,
            hidden: false,
            revision: 0,
        },
    )?;
    let mut counts = posts_store::counts(tx, post)?;
    counts.comments += 1;
    posts_store::put_counts(tx, post, &counts)?;
    if let Some(g) = p.group.filter(|_| p.access != Access::Private) {
        activity::record(
            tx,
            g,
            What::CommentAdded,
            actor,
            About { post: Some(post), comment: Some(c.id), ..About::default() },
            now,
        )?;
    }
    Ok(c)
}

pub fn update(
    tx: &WriteTransaction,
    actor: UserId,
    id: CommentId,
    body: Option<&str>,
    expected: &Expected,
    now: Timestamp,
) -> Result<Comment, SocialError> {
    let viewer = Viewer::member(actor);
    let (mut c, _, _) = visible(tx, id, viewer)?;
    if !edits_comment(&c, viewer) {
        return Err(SocialError::Forbidden("only its author may change a comment".into()));
    }
    check_revision(expected, c.revision)?;
    if let Some(b) = body {
        let b = text::block("body", b, text::LIMITS.comment, true)?;
        if b != c.body {
            c.body = b;
            c.updated_at = now;
            stored::put(tx, &mut c)?;
        }
    }
    Ok(c)
}

pub fn delete(tx: &WriteTransaction, actor: UserId, id: CommentId, expected: &Expected) -> Result<(), SocialError> {
    let viewer = Viewer::member(actor);
    let (c, p, m) = visible(tx, id, viewer)?;
    if !deletes_comment(&c, &p, viewer, m.as_ref()) {
        return Err(SocialError::Forbidden(
            "only its author, the post's author or an admin of the group may delete a comment".into(),
        ));
    }
    check_revision(expected, c.revision)?;
    remove(tx, &c)
}

/// Removes a comment with its replies and counts them off the post.
pub fn remove(tx: &WriteTransaction, c: &Comment) -> Result<(), SocialError> {
    let mut gone = vec![c.clone()];
    if c.parent.is_none() {
        gone.extend(stored::of_post(tx, c.post)?.into_iter().filter(|r| r.parent == Some(c.id)));
    }
    for r in &gone {
        stored::delete(tx, r)?;
    }
    let mut counts = posts_store::counts(tx, c.post)?;
    counts.comments = counts.comments.saturating_sub(gone.len() as u64);
    posts_store::put_counts(tx, c.post, &counts)?;
    Ok(())
}
