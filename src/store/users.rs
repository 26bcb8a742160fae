//! Members: the `users` table and its username index.

use super::codec::{Record, decode, encode};
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
}

impl Record for User {
    const KIND: &'static str = "user";
    const VERSION: u8 = 1;
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
    put(tx, &user)?;
    Ok(user)
}

/// Replaces a stored user (the username never changes here).
pub fn put(tx: &WriteTransaction, user: &User) -> Result<(), StoreError> {
    const OP: &str = "users.put";
    tx.table(&USERS).during(OP)?.insert(user.id.0, encode(user)?.as_slice()).at(OP, &USERS)?;
    Ok(())
}

pub fn delete(tx: &WriteTransaction, user: &User) -> Result<(), StoreError> {
    const OP: &str = "users.delete";
    tx.table(&USERS).during(OP)?.remove(user.id.0).at(OP, &USERS)?;
    tx.table(&USERS_BY_NAME).during(OP)?.remove(name_key(&user.username).as_str()).at(OP, &USERS_BY_NAME)?;
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
