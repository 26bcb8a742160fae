//! Schema version and the migration ladder, run at every open; and `plan`,
//! which says what an open would do to a file without writing to it (for
//! `latchkey check`, and so that a file from a newer latchkey is refused
//! before anything opens it for writing).

use super::{At, StoreError, Tables, schema};
use redb::{Database, ReadableDatabase, ReadableTable, WriteTransaction};
use std::path::Path;

/// The schema this binary writes.
pub const CURRENT: u32 = 4;

/// `LADDER[i]` takes a file from version `i + 1` to `i + 2`.
type Step = fn(&WriteTransaction) -> Result<(), StoreError>;

const LADDER: &[Step] = &[v1_to_v2, v2_to_v3, v3_to_v4];

/// Schema 4: the tables of the social API's second part (events and
/// enrollments, files and folders, friends, the feed). `create_all` made
/// them empty; posts written before carry no attachments and share nothing
/// (their record's version 1 is read as such).
fn v3_to_v4(_tx: &WriteTransaction) -> Result<(), StoreError> {
    Ok(())
}

/// Schema 3: the social tables (groups, members, posts, comments, likes,
/// tags, activity, the push outbox, reports and their indexes by target
/// and of the open ones). `create_all` made them empty;
/// there is nothing to move.
fn v2_to_v3(_tx: &WriteTransaction) -> Result<(), StoreError> {
    Ok(())
}

/// Schema 2: indexes of grants by application, of tokens and OAuth 1.0a
/// request tokens by expiry, and of OAuth 1.0a tombstones by time (the
/// tables exist already: `create_all` ran).
fn v1_to_v2(tx: &WriteTransaction) -> Result<(), StoreError> {
    let (grants, tokens) = super::grants::index_v2(tx)?;
    let oauth1 = super::oauth1::index_v2(tx)?;
    tracing::info!(grants, tokens, oauth1, "indexed grants by application and tokens by expiry");
    Ok(())
}

const _: () = assert!(LADDER.len() as u32 == CURRENT - 1);

const KEY: &str = "schema_version";

/// The schema version a file records; `None` in a new file.
pub fn version(tx: &impl Tables) -> Result<Option<u32>, StoreError> {
    const OP: &str = "migrate.version";
    let meta = tx.table(&schema::META).during(OP)?;
    let v = meta.get(KEY).at(OP, &schema::META)?;
    match v {
        None => Ok(None),
        Some(v) => Ok(Some(u32::from_be_bytes(
            v.value().try_into().map_err(|_| StoreError::Corrupt("schema version".into()))?,
        ))),
    }
}

/// What opening the file at `path` would do, found without writing to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// No database yet: a start creates one at the current schema.
    Create,
    /// In redb 2's file format: a start converts the file, then migrates it
    /// (its schema cannot be read before the conversion).
    ConvertFormat { format: u8 },
    /// Not closed cleanly (the process was killed): a start repairs redb's
    /// bookkeeping first, then migrates as needed; the schema cannot be read
    /// before the repair.
    Repair,
    /// At schema `found`: a start runs the steps up to the current schema
    /// (none when it is current).
    Migrate { found: u32 },
    /// Written by a newer latchkey: refused, and left as it is.
    TooNew { found: u32 },
}

impl Plan {
    /// The migration steps a start would run, as "1 -> 2" strings.
    pub fn steps(&self) -> Vec<String> {
        let from = match self {
            Plan::Migrate { found } => *found,
            _ => return vec![],
        };
        (from..CURRENT).map(|v| format!("{v} -> {}", v + 1)).collect()
    }
}

/// Looks at the file at `path` through a read-only handle, which redb
/// never writes through (it refuses a file that needs repair rather than
/// repairing it). `StoreError::Locked` while a server has it open.
pub fn plan(path: &Path) -> Result<Plan, StoreError> {
    const OP: &str = "migrate.plan";
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Plan::Create),
        Ok(m) if m.len() == 0 => return Ok(Plan::Create),
        _ => {}
    }
    let db = match redb::ReadOnlyDatabase::open(path) {
        Ok(db) => db,
        Err(redb::DatabaseError::DatabaseAlreadyOpen) => return Err(StoreError::Locked(path.display().to_string())),
        Err(redb::DatabaseError::UpgradeRequired(format)) => return Ok(Plan::ConvertFormat { format }),
        Err(redb::DatabaseError::RepairAborted) => return Ok(Plan::Repair),
        Err(e) => {
            return Err(StoreError::Storage {
                op: OP,
                table: "",
                message: format!("cannot read {}: {e}", path.display()),
            });
        }
    };
    let tx = db.begin_read().during(OP)?;
    // A file made by a crash before its first commit has no tables yet.
    let found = match tx.open_table(schema::META) {
        Err(redb::TableError::TableDoesNotExist(_)) => None,
        Err(e) => return Err(StoreError::from(e).within(OP, "meta")),
        Ok(_) => version(&tx)?,
    };
    Ok(match found {
        None => Plan::Create,
        Some(v) if v > CURRENT => Plan::TooNew { found: v },
        Some(v) => Plan::Migrate { found: v },
    })
}

pub fn run(db: &Database) -> Result<(), StoreError> {
    const OP: &str = "migrate";
    let tx = db.begin_write().during(OP)?;
    let tables_before = tx.list_tables().during(OP)?.count();
    schema::create_all(&tx).during(OP)?;
    let found = version(&tx)?;
    if found == Some(CURRENT) && tx.list_tables().during(OP)?.count() == tables_before {
        // Every table was there and the schema is current: the usual start.
        // A commit would change nothing and cost two fsyncs, which on a
        // busy disk took tens of milliseconds of a start.
        tx.abort().during(OP)?;
        return Ok(());
    }
    let from = match found {
        None => CURRENT,
        Some(v) if v > CURRENT => {
            return Err(StoreError::TooNew { found: v, known: CURRENT });
        }
        Some(v) => v,
    };
    for step in from..CURRENT {
        tracing::info!(from = step, to = step + 1, "migrating the database");
        LADDER[(step - 1) as usize](&tx)?;
    }
    if found != Some(CURRENT) {
        tx.table(&schema::META).during(OP)?.insert(KEY, CURRENT.to_be_bytes().as_slice()).at(OP, &schema::META)?;
    }
    tx.commit().during(OP)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::codec::encode;
    use crate::store::grants::{Grant, Token, TokenKind};
    use crate::store::oauth1::{Decision, RequestToken};
    use crate::store::{ClientId, GrantId, Store, UserId, grants, oauth1};
    use redb::ReadableTableMetadata;

    fn grant(id: u64, client: u64) -> Grant {
        Grant {
            id: GrantId(id),
            client: ClientId(client),
            user: Some(UserId(id)),
            scopes: crate::scopes::ScopeSet::parse("read").unwrap(),
            created_at: 1,
            last_used: 1,
            revision: 1,
        }
    }

    fn token(grant: u64, expires_at: Option<i64>) -> Token {
        Token {
            kind: TokenKind::Access,
            grant: GrantId(grant),
            client: ClientId(1),
            user: None,
            scopes: crate::scopes::ScopeSet::parse("read").unwrap(),
            issued_at: 1,
            expires_at,
            redirect_uri: None,
            pkce: None,
            nonce: None,
            auth_time: 1,
            used_at: None,
            secret: None,
            replay: None,
        }
    }

    /// A current file missing a table (one a newer schema added without a
    /// step of its own) gets it at open; one that lacks nothing is left as
    /// it is.
    #[test]
    fn a_missing_table_is_made_even_when_the_schema_is_current() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        drop(Store::open(&path).unwrap());
        {
            let db = Database::create(&path).unwrap();
            let tx = db.begin_write().unwrap();
            assert!(tx.delete_table(schema::TAGS).unwrap());
            tx.commit().unwrap();
        }
        let tags =
            |store: &Store| store.read(|tx| Ok(redb::ReadableTableMetadata::len(&tx.open_table(schema::TAGS)?)?));
        let store = Store::open(&path).unwrap();
        assert_eq!(tags(&store).unwrap(), 0, "made again, empty");
        drop(store);
        assert_eq!(tags(&Store::open(&path).unwrap()).unwrap(), 0, "and kept");
    }

    /// A file at schema 1, with rows, gets the schema 2 indexes filled.
    #[test]
    fn a_schema_1_file_gets_its_indexes_filled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let db = Database::create(&path).unwrap();
            let tx = db.begin_write().unwrap();
            // The tables of schema 1 only.
            let mut meta = tx.open_table(schema::META).unwrap();
            meta.insert(KEY, 1u32.to_be_bytes().as_slice()).unwrap();
            meta.insert(GrantId::SEQUENCE, 3u64.to_be_bytes().as_slice()).unwrap();
            let mut gs = tx.open_table(schema::GRANTS).unwrap();
            for g in [grant(1, 7), grant(2, 8), grant(3, 7)] {
                gs.insert(g.id.0, encode(&g).unwrap().as_slice()).unwrap();
            }
            let mut ts = tx.open_table(schema::TOKENS).unwrap();
            let mut by_grant = tx.open_table(schema::TOKENS_BY_GRANT).unwrap();
            for (d, t) in [([1u8; 32], token(1, Some(100))), ([2; 32], token(1, None)), ([3; 32], token(3, Some(300)))]
            {
                ts.insert(d.as_slice(), encode(&t).unwrap().as_slice()).unwrap();
                let k: Vec<u8> = t.grant.0.to_be_bytes().iter().chain(&d).copied().collect();
                by_grant.insert(k.as_slice(), ()).unwrap();
            }
            ts.insert([4u8; 32].as_slice(), [9u8, 9].as_slice()).unwrap();
            let mut rs = tx.open_table(schema::OAUTH1_REQUEST_TOKENS).unwrap();
            let r = RequestToken {
                client: ClientId(7),
                sealed_secret: vec![1],
                callback: "oob".into(),
                created_at: 10,
                expires_at: 20,
                decision: Decision::Pending,
                revision: 1,
            };
            rs.insert([5u8; 32].as_slice(), encode(&r).unwrap().as_slice()).unwrap();
            rs.insert([6u8; 32].as_slice(), [1u8, 0xff].as_slice()).unwrap();
            let mut tombstones = tx.open_table(schema::OAUTH1_REVOKED).unwrap();
            tombstones.insert([8u8; 32].as_slice(), 5).unwrap();
            tombstones.insert([9u8; 32].as_slice(), 50).unwrap();
            drop((meta, gs, ts, by_grant, rs, tombstones));
            tx.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let (version, by_client, by_expiry, requests, tombstones) = store
            .read(|tx| {
                let v = tx.open_table(schema::META)?.get(KEY)?.map(|v| v.value().to_vec());
                Ok((
                    v,
                    tx.open_table(schema::GRANTS_BY_CLIENT)?.len()?,
                    tx.open_table(schema::TOKENS_BY_EXPIRY)?.len()?,
                    tx.open_table(schema::OAUTH1_REQUESTS_BY_EXPIRY)?.len()?,
                    tx.open_table(schema::OAUTH1_REVOKED_BY_TIME)?.len()?,
                ))
            })
            .unwrap();
        assert_eq!(version, Some(CURRENT.to_be_bytes().to_vec()));
        assert_eq!(
            (by_client, by_expiry, requests, tombstones),
            (3, 2, 2, 2),
            "every grant, expiring token, request token and tombstone"
        );
        let of_7: Vec<_> = store.read(|tx| grants::for_client(tx, ClientId(7))).unwrap().iter().map(|g| g.id).collect();
        assert_eq!(of_7, [GrantId(1), GrantId(3)]);
        // The sweeps find what expired through the new indexes.
        assert_eq!(store.write_blocking(|tx| grants::sweep_expired(tx, 200)).unwrap(), 1);
        assert!(store.read(|tx| grants::token(tx, &[1; 32])).unwrap().is_none());
        assert!(store.read(|tx| grants::token(tx, &[3; 32])).unwrap().is_some());
        let swept = store.write_blocking(|tx| oauth1::sweep(tx, 15, 0, 0)).unwrap();
        assert_eq!(swept.request_tokens, 1, "the unreadable request token goes, as before; the live one stays");
        assert!(store.read(|tx| oauth1::request(tx, &[5; 32])).unwrap().is_some());
        let swept = store.write_blocking(|tx| oauth1::sweep(tx, 20, 0, 10)).unwrap();
        assert_eq!((swept.request_tokens, swept.tombstones), (1, 1));
        assert!(store.read(|tx| oauth1::revoked(tx, &[9; 32])).unwrap());
        // Opening again runs no step.
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.read(|tx| Ok(tx.open_table(schema::GRANTS_BY_CLIENT)?.len()?)).unwrap(), 3);
    }

    #[test]
    fn newer_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("db")).unwrap();
        run(&db).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(schema::META).unwrap().insert(KEY, (CURRENT + 1).to_be_bytes().as_slice()).unwrap();
        tx.commit().unwrap();
        assert!(matches!(run(&db), Err(StoreError::TooNew { .. })));
    }
}
