//! Groups, their counters and their memberships (members and join
//! requests), indexed both ways: a group's members and a member's groups.

use super::super::codec::{Record, Revised, decode, encode, revise};
use super::super::key::Key;
use super::super::schema::{GROUP_COUNTS, GROUPS, MEMBER_GROUPS, MEMBERS};
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use super::Access;
use crate::clock::Timestamp;
use crate::ids::{GroupId, UserId};
use serde::{Deserialize, Serialize};

/// How members get in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Joining {
    /// Anyone who may see the group joins at once.
    Open,
    /// Members ask; a group admin approves.
    Closed,
}

impl Joining {
    pub fn as_str(self) -> &'static str {
        match self {
            Joining::Open => "open",
            Joining::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub membership: Joining,
    /// Who sees the group in listings: `Public` or `Members`.
    pub access: Access,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Hidden by a site admin (moderation): gone for the API.
    pub hidden: bool,
    pub revision: u64,
}

impl Record for Group {
    const KIND: &'static str = "group";
    const VERSION: u8 = 1;
}

impl Revised for Group {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

/// What changes with every join and every activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCounts {
    /// Members in state `Member` (requests not counted).
    pub members: u64,
    /// How many activity entries the group has had: a member's unread count
    /// is this minus their read mark.
    pub activity: u64,
}

impl Record for GroupCounts {
    const KIND: &'static str = "group counts";
    const VERSION: u8 = 1;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Member,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    /// Asked to join a closed group; not a member yet.
    Requested,
    Member,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Requested => "requested",
            State::Member => "member",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub group: GroupId,
    pub user: UserId,
    pub role: Role,
    pub state: State,
    /// When they joined (or asked to).
    pub joined_at: Timestamp,
    /// The group's activity count when they last read it.
    pub read_mark: u64,
}

impl Record for Membership {
    const KIND: &'static str = "membership";
    const VERSION: u8 = 1;
}

impl Membership {
    pub fn is_member(&self) -> bool {
        self.state == State::Member
    }

    pub fn is_admin(&self) -> bool {
        self.state == State::Member && self.role == Role::Admin
    }
}

pub fn get(tx: &impl Tables, id: GroupId) -> Result<Option<Group>, StoreError> {
    const OP: &str = "groups.get";
    tx.table(&GROUPS).during(OP)?.get(id.0).at(OP, &GROUPS)?.map(|v| decode(v.value())).transpose()
}

/// Stores a new group under a new id.
pub fn insert(tx: &WriteTransaction, mut group: Group) -> Result<Group, StoreError> {
    group.id = GroupId(next_id(tx, GroupId::SEQUENCE)?);
    put(tx, &mut group)?;
    Ok(group)
}

/// Replaces a stored group, with the next revision when it changed.
pub fn put(tx: &WriteTransaction, group: &mut Group) -> Result<(), StoreError> {
    const OP: &str = "groups.put";
    let mut t = tx.table(&GROUPS).during(OP)?;
    let stored = t.get(group.id.0).at(OP, &GROUPS)?.map(|v| v.value().to_vec());
    if let Some(bytes) = revise(stored.as_deref(), group)? {
        t.insert(group.id.0, bytes.as_slice()).at(OP, &GROUPS)?;
    }
    Ok(())
}

/// Removes the group, its counters and every membership. Its posts and
/// activity are the caller's to remove first.
pub fn delete(tx: &WriteTransaction, id: GroupId) -> Result<(), StoreError> {
    const OP: &str = "groups.delete";
    for m in members(tx, id)? {
        remove_membership(tx, id, m.user)?;
    }
    tx.table(&GROUPS).during(OP)?.remove(id.0).at(OP, &GROUPS)?;
    tx.table(&GROUP_COUNTS).during(OP)?.remove(id.0).at(OP, &GROUP_COUNTS)?;
    Ok(())
}

pub fn counts(tx: &impl Tables, id: GroupId) -> Result<GroupCounts, StoreError> {
    const OP: &str = "groups.counts";
    Ok(tx
        .table(&GROUP_COUNTS)
        .during(OP)?
        .get(id.0)
        .at(OP, &GROUP_COUNTS)?
        .map(|v| decode(v.value()))
        .transpose()?
        .unwrap_or_default())
}

pub fn put_counts(tx: &WriteTransaction, id: GroupId, counts: &GroupCounts) -> Result<(), StoreError> {
    const OP: &str = "groups.put_counts";
    tx.table(&GROUP_COUNTS).during(OP)?.insert(id.0, encode(counts)?.as_slice()).at(OP, &GROUP_COUNTS)?;
    Ok(())
}

fn member_key(group: GroupId, user: UserId) -> Key {
    Key::new().u64(group.0).u64(user.0)
}

pub fn membership(tx: &impl Tables, group: GroupId, user: UserId) -> Result<Option<Membership>, StoreError> {
    const OP: &str = "groups.membership";
    tx.table(&MEMBERS)
        .during(OP)?
        .get(member_key(group, user).as_slice())
        .at(OP, &MEMBERS)?
        .map(|v| decode(v.value()))
        .transpose()
}

/// Stores a membership and its index entry, keeping the member count right.
pub fn put_membership(tx: &WriteTransaction, m: &Membership) -> Result<(), StoreError> {
    const OP: &str = "groups.put_membership";
    let before = membership(tx, m.group, m.user)?;
    tx.table(&MEMBERS)
        .during(OP)?
        .insert(member_key(m.group, m.user).as_slice(), encode(m)?.as_slice())
        .at(OP, &MEMBERS)?;
    tx.table(&MEMBER_GROUPS)
        .during(OP)?
        .insert(Key::new().u64(m.user.0).u64(m.group.0).as_slice(), ())
        .at(OP, &MEMBER_GROUPS)?;
    let was = before.is_some_and(|b| b.is_member());
    if was != m.is_member() {
        let mut c = counts(tx, m.group)?;
        c.members = if m.is_member() { c.members + 1 } else { c.members.saturating_sub(1) };
        put_counts(tx, m.group, &c)?;
    }
    Ok(())
}

pub fn remove_membership(
    tx: &WriteTransaction,
    group: GroupId,
    user: UserId,
) -> Result<Option<Membership>, StoreError> {
    const OP: &str = "groups.remove_membership";
    let removed = tx
        .table(&MEMBERS)
        .during(OP)?
        .remove(member_key(group, user).as_slice())
        .at(OP, &MEMBERS)?
        .map(|v| decode::<Membership>(v.value()))
        .transpose()?;
    tx.table(&MEMBER_GROUPS)
        .during(OP)?
        .remove(Key::new().u64(user.0).u64(group.0).as_slice())
        .at(OP, &MEMBER_GROUPS)?;
    if removed.is_some_and(|m| m.is_member()) {
        let mut c = counts(tx, group)?;
        c.members = c.members.saturating_sub(1);
        put_counts(tx, group, &c)?;
    }
    Ok(removed)
}

/// Every membership and request of a group, in member id order.
pub fn members(tx: &impl Tables, group: GroupId) -> Result<Vec<Membership>, StoreError> {
    const OP: &str = "groups.members";
    let prefix = Key::new().u64(group.0).into_vec();
    let mut end = prefix.clone();
    super::super::key::increment(&mut end);
    let t = tx.table(&MEMBERS).during(OP)?;
    let mut out = vec![];
    for row in t.range(prefix.as_slice()..end.as_slice()).at(OP, &MEMBERS)? {
        let (_, v) = row.at(OP, &MEMBERS)?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

/// The ids of a member's groups (requests too), in group id order.
pub fn groups_of(tx: &impl Tables, user: UserId) -> Result<Vec<GroupId>, StoreError> {
    const OP: &str = "groups.groups_of";
    let prefix = Key::new().u64(user.0).into_vec();
    let mut end = prefix.clone();
    super::super::key::increment(&mut end);
    let t = tx.table(&MEMBER_GROUPS).during(OP)?;
    let mut out = vec![];
    for row in t.range(prefix.as_slice()..end.as_slice()).at(OP, &MEMBER_GROUPS)? {
        let (k, _) = row.at(OP, &MEMBER_GROUPS)?;
        out.push(GroupId(
            super::super::key::u64_at(k.value(), 8).ok_or_else(|| StoreError::Corrupt("member_groups key".into()))?,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn group() -> Group {
        Group {
            id: GroupId(0),
            name: "Gardeners".into(),
            description: "Soil".into(),
            membership: Joining::Closed,
            access: Access::Public,
            created_by: UserId(1),
            created_at: 10,
            updated_at: 10,
            hidden: false,
            revision: 0,
        }
    }

    #[test]
    fn memberships_keep_the_member_count_and_both_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let g = store.write_blocking(|tx| insert(tx, group())).unwrap();
        let id = g.id;
        store
            .write_blocking(move |tx| {
                let m = |user, state| Membership {
                    group: id,
                    user: UserId(user),
                    role: Role::Member,
                    state,
                    joined_at: 1,
                    read_mark: 0,
                };
                put_membership(tx, &m(1, State::Member))?;
                put_membership(tx, &m(2, State::Requested))?;
                put_membership(tx, &m(2, State::Requested))?;
                put_membership(tx, &m(3, State::Member))?;
                remove_membership(tx, id, UserId(3))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let (c, ms, mine) =
            store.read(|tx| Ok((counts(tx, id)?, members(tx, id)?, groups_of(tx, UserId(2))?))).unwrap();
        assert_eq!(c.members, 1);
        assert_eq!(
            ms.iter().map(|m| (m.user.0, m.state)).collect::<Vec<_>>(),
            [(1, State::Member), (2, State::Requested)]
        );
        assert_eq!(mine, [id]);
        store.write_blocking(move |tx| delete(tx, id)).unwrap();
        let (g, mine) = store.read(|tx| Ok((get(tx, id)?, groups_of(tx, UserId(1))?))).unwrap();
        assert!(g.is_none() && mine.is_empty());
    }

    /// The stored bytes of a group, frozen: a field change must come with a
    /// new version and an upgrade, not misread existing files.
    #[test]
    fn stored_bytes_are_stable() {
        let g = Group { id: GroupId(2), revision: 1, ..group() };
        let bytes = encode(&g).unwrap();
        assert_eq!(bytes[..3], [1, 2, 9]);
        assert_eq!(decode::<Group>(&bytes).unwrap(), g);
        let m = Membership {
            group: GroupId(1),
            user: UserId(2),
            role: Role::Admin,
            state: State::Member,
            joined_at: 5,
            read_mark: 3,
        };
        assert_eq!(encode(&m).unwrap(), [1, 1, 2, 1, 1, 10, 3]);
    }
}
