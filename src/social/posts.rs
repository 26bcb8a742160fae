//! Posts: write one on your own stream or in a group you are a member of,
//! change or delete it (its author or a group admin), like it, find posts
//! by group, author, tag, time and words, and the tag list.

use super::access::{Viewer, edits_post, writes_in};
use super::activity::About;
use super::{Expected, SocialError, activity, check_revision, text};
use crate::clock::Timestamp;
use crate::ids::{FileId, GroupId, PostId, UserId};
use crate::store::page::{Order, Page};
use crate::store::schema::{LIKES, POST_COUNTS, POSTS, POSTS_BY_AUTHOR, POSTS_BY_GROUP, POSTS_BY_TAG};
use crate::store::social::activity::What;
use crate::store::social::groups::{self, Group, Membership};
use crate::store::social::posts::{self as stored, Kind, Post, PostCounts};
use crate::store::social::{Access, Step, comments, index_ids, scan, table_ids};
use crate::store::{StoreError, Tables, WriteTransaction};
use std::collections::HashMap;

/// How many posts one page of a filtered list may look at.
const BUDGET: usize = 2_000;

/// A post as one viewer sees it.
#[derive(Debug, Clone)]
pub struct PostView {
    pub post: Post,
    pub counts: PostCounts,
    pub liked_by_me: bool,
    /// The attached files this viewer can see.
    pub attachments: Vec<FileId>,
}

/// A new post, or changes to one, as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct PostInput {
    pub kind: Option<String>,
    pub group: Option<GroupId>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub tags: Option<Vec<String>>,
    pub access: Option<String>,
    /// Files to attach (replacing those attached), each one the author
    /// can see.
    pub attachments: Option<Vec<FileId>>,
}

/// The filters of `GET /posts`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub group: Option<GroupId>,
    pub author: Option<UserId>,
    pub tag: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub q: Option<String>,
}

/// The group of a post and the viewer's membership of it.
struct Place {
    group: Option<Group>,
    membership: Option<Membership>,
}

fn place(tx: &impl Tables, group: Option<GroupId>, viewer: Viewer) -> Result<Place, StoreError> {
    let Some(g) = group else { return Ok(Place { group: None, membership: None }) };
    let membership = match viewer.user {
        Some(u) => groups::membership(tx, g, u)?,
        None => None,
    };
    Ok(Place { group: groups::get(tx, g)?, membership })
}

fn view(tx: &impl Tables, post: Post, viewer: Viewer) -> Result<PostView, StoreError> {
    let counts = stored::counts(tx, post.id)?;
    let liked_by_me = match viewer.user {
        Some(u) => stored::likes(tx, post.id, u)?,
        None => false,
    };
    let attachments = super::files::visible_attachments(tx, viewer, &post.attachments)?;
    Ok(PostView { post, counts, liked_by_me, attachments })
}

/// A post the viewer can see, with its place.
fn visible(tx: &impl Tables, id: PostId, viewer: Viewer) -> Result<(Post, Place), SocialError> {
    let Some(p) = stored::get(tx, id)? else { return Err(SocialError::NotFound("post")) };
    let at = place(tx, p.group, viewer)?;
    if !super::friends::sees(tx, &p, at.group.as_ref(), viewer, at.membership.as_ref())? {
        return Err(SocialError::NotFound("post"));
    }
    Ok((p, at))
}

pub fn get(tx: &impl Tables, id: PostId, viewer: Viewer) -> Result<PostView, SocialError> {
    let (p, _) = visible(tx, id, viewer)?;
    Ok(view(tx, p, viewer)?)
}

/// A post the viewer can see, for the comment and report operations.
pub fn seen(tx: &impl Tables, id: PostId, viewer: Viewer) -> Result<(Post, Option<Membership>), SocialError> {
    let (p, at) = visible(tx, id, viewer)?;
    Ok((p, at.membership))
}

fn parse_access(v: &str) -> Result<Access, SocialError> {
    Access::parse(v).ok_or_else(|| SocialError::invalid("access", "must be public, members, friends, group or private"))
}

/// Checks the fields of a post as they will be stored.
fn check(p: &mut Post, input: &PostInput) -> Result<(), SocialError> {
    let mut errors = vec![];
    let mut take = |r: Result<(), SocialError>| {
        if let Err(SocialError::Invalid(e)) = r {
            errors.extend(e);
        }
    };
    if let Some(t) = &input.title {
        take(text::line("title", t, text::LIMITS.title, false).map(|t| p.title = t));
    }
    if let Some(b) = &input.body {
        take(text::block("body", b, text::LIMITS.body, false).map(|b| p.body = b));
    }
    if let Some(t) = &input.tags {
        take(text::tags(t).map(|t| p.tags = t));
    }
    if let Some(a) = &input.access {
        take(parse_access(a).map(|a| p.access = a));
    }
    if errors.is_empty() {
        match p.kind {
            Kind::Status if !p.title.is_empty() => {
                errors.push(("title", "a status has no title; use kind \"article\"".into()))
            }
            Kind::Article if p.title.is_empty() => errors.push(("title", "an article needs a title".into())),
            _ => {}
        }
        if p.body.is_empty() && p.shared.is_none() {
            errors.push(("body", "must not be empty".into()));
        }
        if p.access == Access::Group && p.group.is_none() {
            errors.push(("access", "\"group\" needs a group; use members or private on your own stream".into()));
        }
        if p.access == Access::Friends && p.group.is_some() {
            errors
                .push(("access", "\"friends\" is for your own stream; in a group use group, members or public".into()));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(SocialError::Invalid(errors)) }
}

/// Whether a post leaves activity in its group: only where the group's
/// members may see it.
fn shows_in_group(p: &Post) -> Option<GroupId> {
    p.group.filter(|_| p.access != Access::Private && !p.hidden)
}

pub fn create(
    tx: &WriteTransaction,
    actor: UserId,
    input: &PostInput,
    now: Timestamp,
) -> Result<PostView, SocialError> {
    let viewer = Viewer::member(actor);
    let kind = match input.kind.as_deref() {
        None | Some("status") => Kind::Status,
        Some("article") => Kind::Article,
        Some(_) => return Err(SocialError::invalid("kind", "must be \"status\" or \"article\"")),
    };
    let at = place(tx, input.group, viewer)?;
    if input.group.is_some() {
        let g = at.group.as_ref().filter(|g| super::access::sees_group(g, viewer));
        if g.is_none() {
            return Err(SocialError::invalid("group", "there is no such group that you can see"));
        }
        if !writes_in(g, at.membership.as_ref()) {
            return Err(SocialError::Forbidden("only members of the group may post in it".into()));
        }
    }
    let mut p = Post {
        id: PostId(0),
        group: input.group,
        author: actor,
        kind,
        title: String::new(),
        body: String::new(),
        tags: vec![],
        access: if input.group.is_some() { Access::Group } else { Access::Members },
        created_at: now,
        updated_at: now,
        hidden: false,
        attachments: vec![],
        shared: None,
        revision: 0,
    };
    check(&mut p, input)?;
    if let Some(a) = &input.attachments {
        p.attachments = super::files::check_attachments(tx, actor, a)?;
    }
    let p = stored::insert(tx, p)?;
    if let Some(g) = shows_in_group(&p) {
        activity::record(tx, g, What::PostCreated, actor, About { post: Some(p.id), ..About::default() }, now)?;
    }
    Ok(view(tx, p, viewer)?)
}

pub fn update(
    tx: &WriteTransaction,
    actor: UserId,
    id: PostId,
    input: &PostInput,
    expected: &Expected,
    now: Timestamp,
) -> Result<PostView, SocialError> {
    let viewer = Viewer::member(actor);
    let (mut p, at) = visible(tx, id, viewer)?;
    if !edits_post(&p, viewer, at.membership.as_ref()) {
        return Err(SocialError::Forbidden("only the author or an admin of the group may change this post".into()));
    }
    if input.kind.as_deref().is_some_and(|k| k != p.kind.as_str()) {
        return Err(SocialError::invalid("kind", "a post keeps its kind"));
    }
    if input.group.is_some_and(|g| Some(g) != p.group) {
        return Err(SocialError::invalid("group", "a post stays in its group"));
    }
    check_revision(expected, p.revision)?;
    let before = p.clone();
    check(&mut p, input)?;
    super::shares::check_update(tx, &p)?;
    if let Some(a) = &input.attachments {
        p.attachments = super::files::check_attachments(tx, p.author, a)?;
    }
    if p != before {
        p.updated_at = now;
        stored::put(tx, &mut p)?;
    }
    Ok(view(tx, p, viewer)?)
}

pub fn delete(tx: &WriteTransaction, actor: UserId, id: PostId, expected: &Expected) -> Result<(), SocialError> {
    let viewer = Viewer::member(actor);
    let (p, at) = visible(tx, id, viewer)?;
    if !edits_post(&p, viewer, at.membership.as_ref()) {
        return Err(SocialError::Forbidden("only the author or an admin of the group may delete this post".into()));
    }
    check_revision(expected, p.revision)?;
    remove(tx, id)
}

/// Removes a post with its comments and likes.
pub fn remove(tx: &WriteTransaction, id: PostId) -> Result<(), SocialError> {
    for c in comments::of_post(tx, id)? {
        comments::delete(tx, &c)?;
    }
    stored::delete(tx, id)?;
    Ok(())
}

/// Likes or unlikes a post; doing it twice changes nothing.
pub fn like(
    tx: &WriteTransaction,
    actor: UserId,
    id: PostId,
    like: bool,
    now: Timestamp,
) -> Result<PostView, SocialError> {
    let viewer = Viewer::member(actor);
    let (p, _) = visible(tx, id, viewer)?;
    stored::set_like(tx, id, actor, like, now)?;
    Ok(view(tx, p, viewer)?)
}

/// The posts the viewer can see that pass the filter, newest first.
pub fn list(
    tx: &impl Tables,
    viewer: Viewer,
    f: &Filter,
    after: Option<u64>,
    limit: usize,
) -> Result<Page<PostView>, SocialError> {
    let mut places: HashMap<Option<GroupId>, Place> = HashMap::new();
    if let Some(g) = f.group {
        // The group read once, for the check and for its posts' place.
        let group = super::groups::visible(tx, g, viewer)?;
        let membership = match viewer.user {
            Some(u) => groups::membership(tx, g, u)?,
            None => None,
        };
        places.insert(Some(g), Place { group: Some(group), membership });
    }
    let tag = f.tag.as_deref().map(text::tag).transpose()?;
    let q = f.q.as_deref().map(str::to_lowercase).filter(|q| !q.is_empty());
    // Opened once for the page, not once per post.
    let (posts_t, counts_t, likes_t) = (tx.table(&POSTS)?, tx.table(&POST_COUNTS)?, tx.table(&LIKES)?);
    let mut visit = |id: u64| -> Result<Step<PostView>, StoreError> {
        let Some(p) = stored::get_in(&posts_t, PostId(id))? else { return Ok(Step::Skip) };
        if let Some(since) = f.since {
            // Ids follow commit order, which may trail the clock by a moment.
            if p.created_at < since - 60 {
                return Ok(Step::Stop);
            }
            if p.created_at < since {
                return Ok(Step::Skip);
            }
        }
        let matches = f.until.is_none_or(|u| p.created_at <= u)
            && f.group.is_none_or(|g| p.group == Some(g))
            && f.author.is_none_or(|a| p.author == a)
            && tag.as_ref().is_none_or(|t| p.tags.contains(t))
            && q.as_deref().is_none_or(|q| p.title.to_lowercase().contains(q) || p.body.to_lowercase().contains(q));
        if !matches {
            return Ok(Step::Skip);
        }
        let at = match places.entry(p.group) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(place(tx, p.group, viewer)?),
        };
        if !super::friends::sees(tx, &p, at.group.as_ref(), viewer, at.membership.as_ref())? {
            return Ok(Step::Skip);
        }
        let counts = stored::counts_in(&counts_t, p.id)?;
        // No like to look up on a post nobody likes (most of a page).
        let liked_by_me = match viewer.user {
            Some(u) if counts.likes > 0 => stored::likes_in(&likes_t, p.id, u)?,
            _ => false,
        };
        let attachments = super::files::visible_attachments(tx, viewer, &p.attachments)?;
        Ok(Step::Take(PostView { post: p, counts, liked_by_me, attachments }))
    };
    let page = if let Some(g) = f.group {
        let t = tx.table(&POSTS_BY_GROUP)?;
        scan(index_ids(&t, &stored::group_prefix(g), after, Order::Descending)?, limit, BUDGET, &mut visit)?
    } else if let Some(a) = f.author {
        let t = tx.table(&POSTS_BY_AUTHOR)?;
        scan(index_ids(&t, &stored::author_prefix(a), after, Order::Descending)?, limit, BUDGET, &mut visit)?
    } else if let Some(tag) = &tag {
        let t = tx.table(&POSTS_BY_TAG)?;
        scan(index_ids(&t, &stored::tag_prefix(tag), after, Order::Descending)?, limit, BUDGET, &mut visit)?
    } else {
        let t = tx.table(&POSTS)?;
        scan(table_ids(&t, after, Order::Descending)?, limit, BUDGET, &mut visit)?
    };
    Ok(page)
}

/// Tags starting with `q`, in name order, with how many posts the viewer's
/// kind (member, or application on its own) can see carry them.
pub fn tags(
    tx: &impl Tables,
    viewer: Viewer,
    q: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<crate::store::social::posts::TagPage, SocialError> {
    let prefix = q.trim().trim_start_matches('#').to_lowercase();
    let member = viewer.user.is_some();
    Ok(stored::tags(tx, &prefix, after, limit, |c| {
        let n = if member { c.members } else { c.public };
        (n > 0).then_some(n)
    })?)
}
