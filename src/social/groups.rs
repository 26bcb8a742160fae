//! Groups and membership: create, change and delete a group (its admins),
//! join an open group or ask to join a closed one, approve, remove,
//! promote, leave (never the last admin).

use super::access::{Viewer, sees_group};
use super::activity::About;
use super::{Expected, SocialError, activity, check_revision, text};
use crate::clock::Timestamp;
use crate::ids::{GroupId, UserId};
use crate::store::page::{Order, Page};
use crate::store::social::activity::What;
use crate::store::social::groups::{self as stored, Group, GroupCounts, Joining, Membership, Role, State};
use crate::store::social::{Access, Step, posts, scan, table_ids};
use crate::store::{Tables, WriteTransaction, users};

/// A group as one viewer sees it.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub group: Group,
    pub counts: GroupCounts,
    /// The viewer's membership or request.
    pub mine: Option<Membership>,
}

impl GroupView {
    /// Entries the viewer has not read; `None` unless they are a member.
    pub fn unread(&self) -> Option<u64> {
        self.mine.filter(|m| m.is_member()).map(|m| self.counts.activity.saturating_sub(m.read_mark))
    }
}

/// A new group, or changes to one, as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub membership: Option<String>,
    pub access: Option<String>,
}

fn joining(v: &str) -> Result<Joining, SocialError> {
    match v {
        "open" => Ok(Joining::Open),
        "closed" => Ok(Joining::Closed),
        _ => Err(SocialError::invalid("membership", "must be \"open\" or \"closed\"")),
    }
}

fn listing(v: &str) -> Result<Access, SocialError> {
    match v {
        "public" => Ok(Access::Public),
        "members" => Ok(Access::Members),
        _ => Err(SocialError::invalid("access", "a group is listed to \"public\" or \"members\"")),
    }
}

/// Applies the input to `g`, collecting every field's complaint.
fn apply(g: &mut Group, input: &GroupInput) -> Result<(), SocialError> {
    let mut errors = vec![];
    let mut take = |r: Result<(), SocialError>| {
        if let Err(SocialError::Invalid(e)) = r {
            errors.extend(e);
        }
    };
    if let Some(n) = &input.name {
        take(text::line("name", n, text::LIMITS.group_name, true).map(|n| g.name = n));
    }
    if let Some(d) = &input.description {
        take(text::block("description", d, text::LIMITS.group_description, false).map(|d| g.description = d));
    }
    if let Some(m) = &input.membership {
        take(joining(m).map(|m| g.membership = m));
    }
    if let Some(a) = &input.access {
        take(listing(a).map(|a| g.access = a));
    }
    if errors.is_empty() { Ok(()) } else { Err(SocialError::Invalid(errors)) }
}

fn view_of(tx: &impl Tables, group: Group, viewer: Viewer) -> Result<GroupView, SocialError> {
    let counts = stored::counts(tx, group.id)?;
    let mine = match viewer.user {
        Some(u) => stored::membership(tx, group.id, u)?,
        None => None,
    };
    Ok(GroupView { group, counts, mine })
}

/// A group the viewer can see.
pub fn visible(tx: &impl Tables, id: GroupId, viewer: Viewer) -> Result<Group, SocialError> {
    stored::get(tx, id)?.filter(|g| sees_group(g, viewer)).ok_or(SocialError::NotFound("group"))
}

pub fn get(tx: &impl Tables, id: GroupId, viewer: Viewer) -> Result<GroupView, SocialError> {
    let g = visible(tx, id, viewer)?;
    view_of(tx, g, viewer)
}

/// The groups the viewer can see (or only their own, with `mine`), oldest
/// first, those whose name or description holds `q`.
pub fn list(
    tx: &impl Tables,
    viewer: Viewer,
    mine: bool,
    q: Option<&str>,
    after: Option<u64>,
    limit: usize,
) -> Result<Page<GroupView>, SocialError> {
    let q = q.map(str::to_lowercase);
    let matches = |g: &Group| {
        q.as_deref().is_none_or(|q| g.name.to_lowercase().contains(q) || g.description.to_lowercase().contains(q))
    };
    if mine {
        let Some(user) = viewer.user else { return Ok(Page { items: vec![], next: None }) };
        let ids = stored::groups_of(tx, user)?.into_iter().map(|g| g.0).filter(move |g| after.is_none_or(|a| *g > a));
        return Ok(scan(ids.map(Ok), limit, 1000, |id| {
            Ok(match stored::get(tx, GroupId(id))? {
                Some(g) if sees_group(&g, viewer) && matches(&g) => {
                    Step::Take(view_of(tx, g, viewer).map_err(store_only)?)
                }
                _ => Step::Skip,
            })
        })?);
    }
    let t = tx.table(&crate::store::schema::GROUPS)?;
    Ok(scan(table_ids(&t, after, Order::Ascending)?, limit, 1000, |id| {
        Ok(match stored::get(tx, GroupId(id))? {
            Some(g) if sees_group(&g, viewer) && matches(&g) => Step::Take(view_of(tx, g, viewer).map_err(store_only)?),
            _ => Step::Skip,
        })
    })?)
}

/// A `SocialError` inside a scan that can only be the store's.
fn store_only(e: SocialError) -> crate::store::StoreError {
    match e {
        SocialError::Store(e) => e,
        other => crate::store::StoreError::Internal(other.to_string()),
    }
}

/// Creates a group; its creator is its first admin.
pub fn create(
    tx: &WriteTransaction,
    actor: UserId,
    input: &GroupInput,
    now: Timestamp,
) -> Result<GroupView, SocialError> {
    let mut g = Group {
        id: GroupId(0),
        name: String::new(),
        description: String::new(),
        membership: Joining::Open,
        access: Access::Public,
        created_by: actor,
        created_at: now,
        updated_at: now,
        hidden: false,
        revision: 0,
    };
    if input.name.is_none() {
        return Err(SocialError::invalid("name", "is required"));
    }
    apply(&mut g, input)?;
    let g = stored::insert(tx, g)?;
    let m =
        Membership { group: g.id, user: actor, role: Role::Admin, state: State::Member, joined_at: now, read_mark: 0 };
    stored::put_membership(tx, &m)?;
    view_of(tx, g, Viewer::member(actor))
}

/// The viewer's membership when they are an admin of the group.
fn admin_of(tx: &impl Tables, g: &Group, actor: UserId) -> Result<Membership, SocialError> {
    match stored::membership(tx, g.id, actor)? {
        Some(m) if m.is_admin() => Ok(m),
        _ => Err(SocialError::Forbidden("only an admin of this group may do this".into())),
    }
}

pub fn update(
    tx: &WriteTransaction,
    actor: UserId,
    id: GroupId,
    input: &GroupInput,
    expected: &Expected,
    now: Timestamp,
) -> Result<GroupView, SocialError> {
    let viewer = Viewer::member(actor);
    let mut g = visible(tx, id, viewer)?;
    admin_of(tx, &g, actor)?;
    check_revision(expected, g.revision)?;
    let before = g.clone();
    apply(&mut g, input)?;
    if g != before {
        g.updated_at = now;
        stored::put(tx, &mut g)?;
    }
    view_of(tx, g, viewer)
}

/// Deletes a group with its posts, their comments and likes, its activity
/// and its memberships.
pub fn delete(tx: &WriteTransaction, actor: UserId, id: GroupId, expected: &Expected) -> Result<(), SocialError> {
    let g = visible(tx, id, Viewer::member(actor))?;
    admin_of(tx, &g, actor)?;
    check_revision(expected, g.revision)?;
    remove_everything(tx, id)
}

/// What deleting a group removes, for its admins and for moderators.
pub fn remove_everything(tx: &WriteTransaction, id: GroupId) -> Result<(), SocialError> {
    for p in posts::ids_in_group(tx, id)? {
        super::posts::remove(tx, p)?;
    }
    super::events::remove_in_group(tx, id)?;
    crate::store::social::activity::delete_group(tx, id)?;
    super::files::remove_place(tx, crate::store::social::files::Place::Group(id))?;
    stored::delete(tx, id)?;
    Ok(())
}

/// The members of a group, by member id. Requests are listed to the
/// group's admins, and each requester sees their own. A closed group's
/// members are listed to its members only.
pub fn members(
    tx: &impl Tables,
    viewer: Viewer,
    id: GroupId,
    after: Option<u64>,
    limit: usize,
) -> Result<Page<Membership>, SocialError> {
    let g = visible(tx, id, viewer)?;
    let mine = match viewer.user {
        Some(u) => stored::membership(tx, id, u)?,
        None => None,
    };
    let is_member = mine.is_some_and(|m| m.is_member());
    if g.membership == Joining::Closed && !is_member {
        return Ok(Page { items: mine.into_iter().collect(), next: None });
    }
    let admin = mine.is_some_and(|m| m.is_admin());
    let t = tx.table(&crate::store::schema::MEMBERS)?;
    let prefix = crate::store::key::Key::new().u64(id.0).into_vec();
    Ok(scan(crate::store::social::index_ids(&t, &prefix, after, Order::Ascending)?, limit, 10_000, |user| {
        Ok(match stored::membership(tx, id, UserId(user))? {
            Some(m) if m.is_member() || admin || viewer.user == Some(m.user) => Step::Take(m),
            _ => Step::Skip,
        })
    })?)
}

/// What `put_member` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// A new membership or request.
    Created,
    /// An existing one, changed or as it was.
    Updated,
}

/// `PUT /groups/{id}/members/{user}`: the actor joins an open group or asks
/// to join a closed one (for themselves), or, as a group admin, approves a
/// request; `role` changes a member's role (group admins only).
pub fn put_member(
    tx: &WriteTransaction,
    actor: UserId,
    id: GroupId,
    target: UserId,
    role: Option<&str>,
    now: Timestamp,
) -> Result<(Membership, Joined), SocialError> {
    let viewer = Viewer::member(actor);
    let g = visible(tx, id, viewer)?;
    let role = role
        .map(|r| match r {
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            _ => Err(SocialError::invalid("role", "must be \"admin\" or \"member\"")),
        })
        .transpose()?;
    let existing = stored::membership(tx, id, target)?;
    let actor_admin = stored::membership(tx, id, actor)?.is_some_and(|m| m.is_admin());
    if role.is_some() && !actor_admin {
        return Err(SocialError::Forbidden("only an admin of this group may change roles".into()));
    }
    let counts = stored::counts(tx, id)?;
    let mut m = match existing {
        Some(m) => m,
        None if target == actor => Membership {
            group: id,
            user: actor,
            role: Role::Member,
            state: if g.membership == Joining::Open { State::Member } else { State::Requested },
            joined_at: now,
            read_mark: counts.activity,
        },
        None if actor_admin => {
            return Err(SocialError::Conflict(
                "this member has not asked to join; they join or ask themselves, and you approve".into(),
            ));
        }
        None => return Err(SocialError::Forbidden("you may only join a group yourself".into())),
    };
    let created = existing.is_none();
    let was_member = existing.is_some_and(|e| e.is_member());
    if m.state == State::Requested && target != actor {
        if !actor_admin {
            return Err(SocialError::Forbidden("only an admin of this group may approve a request".into()));
        }
        m.state = State::Member;
        m.joined_at = now;
        m.read_mark = counts.activity;
    }
    if let Some(r) = role {
        if !m.is_member() {
            return Err(SocialError::Conflict("approve the request before giving a role".into()));
        }
        if m.role == Role::Admin && r == Role::Member {
            last_admin_check(tx, id, target)?;
        }
        m.role = r;
    }
    if Some(m) != existing {
        stored::put_membership(tx, &m)?;
    }
    if m.is_member() && !was_member {
        activity::record(tx, id, What::MemberJoined, target, About::default(), now)?;
        m = stored::membership(tx, id, target)?.unwrap_or(m);
    }
    Ok((m, if created { Joined::Created } else { Joined::Updated }))
}

fn last_admin_check(tx: &impl Tables, id: GroupId, leaving: UserId) -> Result<(), SocialError> {
    let others = stored::members(tx, id)?.iter().filter(|m| m.is_admin() && m.user != leaving).count();
    if others == 0 {
        return Err(SocialError::Conflict(
            "the group's last admin cannot leave or step down; make another member admin first, or delete the group"
                .into(),
        ));
    }
    Ok(())
}

/// `DELETE /groups/{id}/members/{user}`: the actor leaves (or withdraws a
/// request), or a group admin removes a member or refuses a request.
pub fn remove_member(tx: &WriteTransaction, actor: UserId, id: GroupId, target: UserId) -> Result<(), SocialError> {
    let viewer = Viewer::member(actor);
    visible(tx, id, viewer)?;
    if target != actor {
        let admin = stored::membership(tx, id, actor)?.is_some_and(|m| m.is_admin());
        if !admin {
            return Err(SocialError::Forbidden("only an admin of this group may remove others".into()));
        }
    }
    let Some(m) = stored::membership(tx, id, target)? else { return Err(SocialError::NotFound("member")) };
    if m.is_admin() {
        last_admin_check(tx, id, target)?;
    }
    stored::remove_membership(tx, id, target)?;
    Ok(())
}

/// The member a path names that exists and is not disabled.
pub fn live_user(tx: &impl Tables, id: UserId) -> Result<UserId, SocialError> {
    match users::get(tx, id)? {
        Some(u) if !u.disabled => Ok(u.id),
        _ => Err(SocialError::NotFound("member")),
    }
}

/// Marks the group's activity read for the member.
pub fn mark_read(tx: &WriteTransaction, actor: UserId, id: GroupId) -> Result<(), SocialError> {
    visible(tx, id, Viewer::member(actor))?;
    let Some(mut m) = stored::membership(tx, id, actor)?.filter(|m| m.is_member()) else {
        return Err(SocialError::Forbidden("only members of the group have activity to read".into()));
    };
    let counts = stored::counts(tx, id)?;
    if m.read_mark != counts.activity {
        m.read_mark = counts.activity;
        stored::put_membership(tx, &m)?;
    }
    Ok(())
}
