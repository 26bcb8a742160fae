//! Members: the `users` table and its username index.

use super::codec::{Record, decode, encode};
use super::schema::{USERS, USERS_BY_NAME};
use super::{ReadTransaction, ReadableTable, StoreError, UserId, WriteTransaction, next_id};
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
}

impl Record for User {
    const KIND: &'static str = "user";
    const VERSION: u8 = 1;
}

/// The index key: usernames are unique regardless of case.
pub fn name_key(username: &str) -> String {
    username.to_lowercase()
}

fn get_in(t: &impl ReadableTable<u64, &'static [u8]>, id: UserId) -> Result<Option<User>, StoreError> {
    t.get(id.0)?.map(|v| decode(v.value())).transpose()
}

pub fn get(tx: &ReadTransaction, id: UserId) -> Result<Option<User>, StoreError> {
    get_in(&tx.open_table(USERS)?, id)
}

pub fn get_for_update(tx: &WriteTransaction, id: UserId) -> Result<Option<User>, StoreError> {
    get_in(&tx.open_table(USERS)?, id)
}

fn id_by_name_in(t: &impl ReadableTable<&'static str, u64>, username: &str) -> Result<Option<UserId>, StoreError> {
    Ok(t.get(name_key(username).as_str())?.map(|v| UserId(v.value())))
}

pub fn by_name(tx: &ReadTransaction, username: &str) -> Result<Option<User>, StoreError> {
    match id_by_name_in(&tx.open_table(USERS_BY_NAME)?, username)? {
        Some(id) => get(tx, id),
        None => Ok(None),
    }
}

pub fn by_name_for_update(tx: &WriteTransaction, username: &str) -> Result<Option<User>, StoreError> {
    match id_by_name_in(&tx.open_table(USERS_BY_NAME)?, username)? {
        Some(id) => get_for_update(tx, id),
        None => Ok(None),
    }
}

/// Gives the user a new id and stores it. The caller has checked the name is free.
pub fn insert(tx: &WriteTransaction, mut user: User) -> Result<User, StoreError> {
    user.id = UserId(next_id(tx, UserId::SEQUENCE)?);
    tx.open_table(USERS_BY_NAME)?.insert(name_key(&user.username).as_str(), user.id.0)?;
    put(tx, &user)?;
    Ok(user)
}

/// Replaces a stored user (the username never changes here).
pub fn put(tx: &WriteTransaction, user: &User) -> Result<(), StoreError> {
    tx.open_table(USERS)?.insert(user.id.0, encode(user)?.as_slice())?;
    Ok(())
}

pub fn delete(tx: &WriteTransaction, user: &User) -> Result<(), StoreError> {
    tx.open_table(USERS)?.remove(user.id.0)?;
    tx.open_table(USERS_BY_NAME)?.remove(name_key(&user.username).as_str())?;
    Ok(())
}

fn all_in(t: &impl ReadableTable<u64, &'static [u8]>) -> Result<Vec<User>, StoreError> {
    let mut out = vec![];
    for row in t.iter()? {
        let (_, v) = row?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

/// Every member in id order.
pub fn list(tx: &ReadTransaction) -> Result<Vec<User>, StoreError> {
    all_in(&tx.open_table(USERS)?)
}

pub fn list_for_update(tx: &WriteTransaction) -> Result<Vec<User>, StoreError> {
    all_in(&tx.open_table(USERS)?)
}

/// Whether an enabled admin exists.
pub fn admin_exists(tx: &ReadTransaction) -> Result<bool, StoreError> {
    Ok(list(tx)?.iter().any(|u| u.admin && !u.disabled))
}

/// A page of members in id order, after the cursor `after`; `keep` filters
/// and shapes each member.
pub fn page<T>(
    tx: &ReadTransaction,
    after: Option<&[u8]>,
    limit: usize,
    mut keep: impl FnMut(User) -> Result<Option<T>, StoreError>,
) -> Result<super::page::Page<T>, StoreError> {
    let t = tx.open_table(USERS)?;
    super::page::by_id(&t, after, limit, super::page::Order::Ascending, |_, v| keep(decode(v)?))
}
