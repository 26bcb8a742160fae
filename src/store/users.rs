//! Members: the `users` table and its username index, and the public
//! search over them.

use super::codec::{Record, Revised, decode, decode_old, revise};
use super::schema::{USERS, USERS_BY_NAME};
use super::{At, ReadableTable, StoreError, Tables, UserId, WriteTransaction, next_id};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: String,
    /// PHC string (argon2id).
    pub password_hash: String,
    pub admin: bool,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub password_changed_at: Timestamp,
    /// Grows with every stored change (see `codec::Revised`); 0 until stored.
    pub revision: u64,
    /// A few lines about the member, shown on their public profile.
    pub bio: String,
    /// The SHA-256 of the avatar blob (`store::blobs`), a 256x256 PNG.
    pub avatar: Option<[u8; 32]>,
}

/// A user as version 2 wrote it: before the profile fields (bio, avatar).
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub(crate) struct UserV2 {
    pub(crate) id: UserId,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) email: String,
    pub(crate) password_hash: String,
    pub(crate) admin: bool,
    pub(crate) disabled: bool,
    pub(crate) created_at: Timestamp,
    pub(crate) password_changed_at: Timestamp,
    pub(crate) revision: u64,
}

/// A user as version 1 wrote it: before revisions.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub(crate) struct UserV1 {
    pub(crate) id: UserId,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) email: String,
    pub(crate) password_hash: String,
    pub(crate) admin: bool,
    pub(crate) disabled: bool,
    pub(crate) created_at: Timestamp,
    pub(crate) password_changed_at: Timestamp,
}

impl Record for User {
    const KIND: &'static str = "user";
    const VERSION: u8 = 3;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        let v2 = match version {
            1 => {
                let v1: UserV1 = decode_old(Self::KIND, version, body)?;
                UserV2 {
                    id: v1.id,
                    username: v1.username,
                    display_name: v1.display_name,
                    email: v1.email,
                    password_hash: v1.password_hash,
                    admin: v1.admin,
                    disabled: v1.disabled,
                    created_at: v1.created_at,
                    password_changed_at: v1.password_changed_at,
                    revision: 1,
                }
            }
            2 => decode_old(Self::KIND, version, body)?,
            v => return Err(StoreError::Corrupt(format!("user record has unknown version {v}"))),
        };
        Ok(User {
            id: v2.id,
            username: v2.username,
            display_name: v2.display_name,
            email: v2.email,
            password_hash: v2.password_hash,
            admin: v2.admin,
            disabled: v2.disabled,
            created_at: v2.created_at,
            password_changed_at: v2.password_changed_at,
            revision: v2.revision,
            bio: String::new(),
            avatar: None,
        })
    }
}

impl Revised for User {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

/// The index key: usernames are unique regardless of case.
pub fn name_key(username: &str) -> String {
    username.to_lowercase()
}

pub fn get(tx: &impl Tables, id: UserId) -> Result<Option<User>, StoreError> {
    const OP: &str = "users.get";
    tx.table(&USERS).during(OP)?.get(id.0).at(OP, &USERS)?.map(|v| decode(v.value())).transpose()
}

pub fn by_name(tx: &impl Tables, username: &str) -> Result<Option<User>, StoreError> {
    const OP: &str = "users.by_name";
    let names = tx.table(&USERS_BY_NAME).during(OP)?;
    match names.get(name_key(username).as_str()).at(OP, &USERS_BY_NAME)?.map(|v| UserId(v.value())) {
        Some(id) => get(tx, id),
        None => Ok(None),
    }
}

/// Gives the user a new id and stores it. The caller has checked the name is free.
pub fn insert(tx: &WriteTransaction, mut user: User) -> Result<User, StoreError> {
    const OP: &str = "users.insert";
    user.id = UserId(next_id(tx, UserId::SEQUENCE)?);
    let mut names = tx.table(&USERS_BY_NAME).during(OP)?;
    names.insert(name_key(&user.username).as_str(), user.id.0).at(OP, &USERS_BY_NAME)?;
    put(tx, &mut user)?;
    Ok(user)
}

/// Replaces a stored user (the username never changes here), with the next
/// revision when it changed.
pub fn put(tx: &WriteTransaction, user: &mut User) -> Result<(), StoreError> {
    const OP: &str = "users.put";
    let mut t = tx.table(&USERS).during(OP)?;
    let stored = t.get(user.id.0).at(OP, &USERS)?.map(|v| v.value().to_vec());
    if let Some(bytes) = revise(stored.as_deref(), user)? {
        t.insert(user.id.0, bytes.as_slice()).at(OP, &USERS)?;
    }
    Ok(())
}

pub fn delete(tx: &WriteTransaction, user: &User) -> Result<(), StoreError> {
    const OP: &str = "users.delete";
    tx.table(&USERS).during(OP)?.remove(user.id.0).at(OP, &USERS)?;
    tx.table(&USERS_BY_NAME).during(OP)?.remove(name_key(&user.username).as_str()).at(OP, &USERS_BY_NAME)?;
    // Their devices and push preferences go with them.
    super::push::delete_for_user(tx, user.id)?;
    // Their connections (tokens) and sign-in links too.
    super::connections::delete_for_user(tx, user.id)?;
    Ok(())
}

/// Every member in id order.
pub fn list(tx: &impl Tables) -> Result<Vec<User>, StoreError> {
    const OP: &str = "users.list";
    let mut out = vec![];
    for row in tx.table(&USERS).during(OP)?.iter().at(OP, &USERS)? {
        let (_, v) = row.at(OP, &USERS)?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

/// Whether an enabled admin exists.
pub fn admin_exists(tx: &impl Tables) -> Result<bool, StoreError> {
    Ok(list(tx)?.iter().any(|u| u.admin && !u.disabled))
}

/// A page of members in id order, after the cursor `after`; `keep` filters
/// and shapes each member.
pub fn page<T>(
    tx: &impl Tables,
    after: Option<&[u8]>,
    limit: usize,
    order: super::page::Order,
    mut keep: impl FnMut(User) -> Result<Option<T>, StoreError>,
) -> Result<super::page::Page<T>, StoreError> {
    let t = tx.table(&USERS)?;
    super::page::by_id(&t, after, limit, order, |_, v| keep(decode(v)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::codec::encode;

    fn v1() -> UserV1 {
        UserV1 {
            id: UserId(3),
            username: "alice".into(),
            display_name: "Alice".into(),
            email: "alice@example.org".into(),
            password_hash: "$argon2id$x".into(),
            admin: true,
            disabled: false,
            created_at: 1_700_000_000,
            password_changed_at: 1_700_000_100,
        }
    }

    #[test]
    fn a_version_1_user_reads_at_revision_1() {
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_stdvec(&v1()).unwrap());
        let u: User = decode(&bytes).unwrap();
        assert_eq!((u.id, u.username.as_str(), u.display_name.as_str()), (UserId(3), "alice", "Alice"));
        assert_eq!((u.email.as_str(), u.password_hash.as_str()), ("alice@example.org", "$argon2id$x"));
        assert!(u.admin && !u.disabled);
        assert_eq!((u.created_at, u.password_changed_at), (1_700_000_000, 1_700_000_100));
        assert_eq!(u.revision, 1);
        assert_eq!((u.bio.as_str(), u.avatar), ("", None));
        let again = encode(&u).unwrap();
        assert_eq!(again[0], User::VERSION);
        assert_eq!(decode::<User>(&again).unwrap(), u);
        assert!(decode::<User>(&[1, 0xff]).is_err());
    }

    #[test]
    fn a_version_2_user_keeps_its_revision_and_has_no_profile_yet() {
        let v = v1();
        let v2 = UserV2 {
            id: v.id,
            username: v.username,
            display_name: v.display_name,
            email: v.email,
            password_hash: v.password_hash,
            admin: v.admin,
            disabled: v.disabled,
            created_at: v.created_at,
            password_changed_at: v.password_changed_at,
            revision: 7,
        };
        let mut bytes = vec![2u8];
        bytes.extend(postcard::to_stdvec(&v2).unwrap());
        let u: User = decode(&bytes).unwrap();
        assert_eq!((u.id, u.username.as_str(), u.email.as_str()), (UserId(3), "alice", "alice@example.org"));
        assert_eq!((u.revision, u.bio.as_str(), u.avatar), (7, "", None));
        assert!(decode::<User>(&[2, 0xff]).is_err());
        assert!(decode::<User>(&[9]).is_err(), "an unknown version is an error, not a panic");
    }

    #[test]
    fn put_counts_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let v = v1();
        let new = User {
            id: UserId(0),
            username: v.username,
            display_name: v.display_name,
            email: v.email,
            password_hash: v.password_hash,
            admin: v.admin,
            disabled: v.disabled,
            created_at: v.created_at,
            password_changed_at: v.password_changed_at,
            revision: 0,
            bio: String::new(),
            avatar: None,
        };
        let u = store.write_blocking(move |tx| insert(tx, new.clone())).unwrap();
        assert_eq!(u.revision, 1);
        let id = u.id;
        let revisions = store
            .write_blocking(move |tx| {
                let mut u = get(tx, id)?.ok_or(StoreError::Closed)?;
                u.disabled = true;
                put(tx, &mut u)?;
                let changed = u.revision;
                put(tx, &mut u)?;
                let unchanged = u.revision;
                // A stale copy still gets the next revision after the stored one.
                let mut stale = User { display_name: "A.".into(), revision: 1, ..u.clone() };
                put(tx, &mut stale)?;
                Ok::<_, StoreError>((changed, unchanged, stale.revision))
            })
            .unwrap();
        assert_eq!(revisions, (2, 2, 3));
        assert_eq!(store.read(|tx| get(tx, id)).unwrap().unwrap().revision, 3);
    }

    /// The stored bytes of a user record, frozen: reordering a field must
    /// fail here rather than misread every existing file.
    #[test]
    fn stored_bytes_are_stable() {
        let u = User {
            id: UserId(3),
            username: "al".into(),
            display_name: "Al".into(),
            email: "a@x".into(),
            password_hash: "h".into(),
            admin: true,
            disabled: false,
            created_at: 100,
            password_changed_at: 200,
            revision: 2,
            bio: "b".into(),
            avatar: Some([7; 32]),
        };
        let bytes = encode(&u).unwrap();
        let mut want = vec![3, 3, 2, 97, 108, 2, 65, 108, 3, 97, 64, 120, 1, 104, 1, 0, 200, 1, 144, 3, 2, 1, 98, 1];
        want.extend([7; 32]);
        assert_eq!(bytes, want);
        assert_eq!(decode::<User>(&bytes).unwrap(), u);
        assert_eq!(name_key("Al"), "al");
    }
}
