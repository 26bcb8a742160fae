//! The redb store: open and migrate the one database file, MVCC reads, and
//! writes through a single writer thread with group commit.
//!
//! `write` hands a closure to the writer. The writer takes every closure that
//! is waiting, runs them in one transaction and commits once with
//! `Durability::Immediate`, so many concurrent writers share one fsync. A
//! closure that fails leaves no trace: the transaction is aborted and the
//! others are run again without it. Nothing is acknowledged before the commit
//! that holds it is on disk.

pub mod audit;
pub mod backups;
pub mod blobs;
pub mod clients;
pub mod codec;
pub mod connections;
pub mod grants;
pub mod key;
pub mod keys;
pub mod languages;
pub mod links;
pub mod memo;
mod migrate;
pub mod oauth1;
pub mod page;
pub mod push;
pub mod push_credentials;
pub mod schema;
pub mod sessions;
pub mod site;
pub mod snapshot;
pub mod social;
pub mod stats;
pub mod users;
mod writer;

pub use crate::ids::{AuditId, ClientId, GrantId, UserId};
pub use migrate::{CURRENT as SCHEMA_VERSION, Plan, plan, version as schema_version};
pub use redb::{ReadTransaction, ReadableTable, WriteTransaction};
pub use writer::WriterStats;

use redb::ReadableDatabase;

use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// redb failed. `op` is the store function (`grants.revoke`) and `table`
    /// the table it was working on, each empty when not known.
    #[error("storage error{}: {message}", place(op, table))]
    Storage { op: &'static str, table: &'static str, message: String },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("the database {0} is in use by another process (is the server running?)")]
    Locked(String),
    #[error("the database was written by a newer latchkey (schema {found}); this one knows up to {known}")]
    TooNew { found: u32, known: u32 },
    #[error("the store is closed")]
    Closed,
    #[error("internal error: {0}")]
    Internal(String),
}

/// ` in OP (table T)`, each part only when it is known.
fn place(op: &str, table: &str) -> String {
    let mut out = String::new();
    if !op.is_empty() {
        out.push_str(" in ");
        out.push_str(op);
    }
    if !table.is_empty() {
        out.push_str(" (table ");
        out.push_str(table);
        out.push(')');
    }
    out
}

impl StoreError {
    /// A storage error not tied to an operation or table yet.
    pub fn storage(message: impl Into<String>) -> StoreError {
        StoreError::Storage { op: "", table: "", message: message.into() }
    }

    /// Fills in the operation and table of a storage error where they are
    /// not known yet (the innermost name wins); other errors pass unchanged.
    pub fn within(self, op: &'static str, table: &'static str) -> StoreError {
        match self {
            StoreError::Storage { op: o, table: t, message } => StoreError::Storage {
                op: if o.is_empty() { op } else { o },
                table: if t.is_empty() { table } else { t },
                message,
            },
            e => e,
        }
    }
}

/// Names the store operation and the table of a failed redb call:
/// `t.remove(k).at("grants.revoke", &TOKENS_BY_GRANT)?`.
pub trait At<T> {
    fn at<K: redb::Key + 'static, V: redb::Value + 'static>(
        self,
        op: &'static str,
        table: &'static redb::TableDefinition<'static, K, V>,
    ) -> Result<T, StoreError>;

    /// Names the operation of a failure that belongs to no table.
    fn during(self, op: &'static str) -> Result<T, StoreError>;
}

impl<T, E: Into<StoreError>> At<T> for Result<T, E> {
    fn at<K: redb::Key + 'static, V: redb::Value + 'static>(
        self,
        op: &'static str,
        table: &'static redb::TableDefinition<'static, K, V>,
    ) -> Result<T, StoreError> {
        self.map_err(|e| e.into().within(op, redb::TableHandle::name(table)))
    }

    fn during(self, op: &'static str) -> Result<T, StoreError> {
        self.map_err(|e| e.into().within(op, ""))
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::storage(e.to_string())
            }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::StorageError,
    redb::TableError,
    redb::TransactionError,
    redb::CommitError,
    redb::DatabaseError,
    redb::SetDurabilityError
);

/// Opens tables in either kind of transaction, so that one reader per
/// record serves both a read and the read half of a write. A failure names
/// the table.
pub trait Tables {
    type Table<'t, K: redb::Key + 'static, V: redb::Value + 'static>: ReadableTable<K, V>
    where
        Self: 't;

    fn table<'t, K: redb::Key + 'static, V: redb::Value + 'static>(
        &'t self,
        def: &'static redb::TableDefinition<'static, K, V>,
    ) -> Result<Self::Table<'t, K, V>, StoreError>;
}

impl Tables for ReadTransaction {
    type Table<'t, K: redb::Key + 'static, V: redb::Value + 'static> = redb::ReadOnlyTable<K, V>;

    fn table<'t, K: redb::Key + 'static, V: redb::Value + 'static>(
        &'t self,
        def: &'static redb::TableDefinition<'static, K, V>,
    ) -> Result<Self::Table<'t, K, V>, StoreError> {
        self.open_table(*def).at("", def)
    }
}

impl Tables for WriteTransaction {
    type Table<'t, K: redb::Key + 'static, V: redb::Value + 'static> = redb::Table<'t, K, V>;

    fn table<'t, K: redb::Key + 'static, V: redb::Value + 'static>(
        &'t self,
        def: &'static redb::TableDefinition<'static, K, V>,
    ) -> Result<Self::Table<'t, K, V>, StoreError> {
        self.open_table(*def).at("", def)
    }
}

/// A handle to the database; cheap to clone, closed when the last clone is
/// dropped or `close` is called.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: Arc<redb::Database>,
    writer: Mutex<Option<writer::Writer>>,
    generation: writer::Generation,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Ok(mut w) = self.writer.lock() {
            if let Some(w) = w.take() {
                w.shutdown();
            }
        }
    }
}

impl Store {
    /// Opens (or creates) the database file with the default cache size
    /// (config `store_cache_size`) and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_cache(path, crate::config::DEFAULT_STORE_CACHE_SIZE)
    }

    /// Opens (or creates) the database file, with at most `cache_size`
    /// bytes of redb's read cache and write buffer, and brings its schema
    /// up to date. A file in redb 2's file format is first upgraded in place.
    pub fn open_with_cache(path: &Path, cache_size: usize) -> Result<Store, StoreError> {
        // A file from a newer latchkey is refused before anything opens it
        // for writing: redb's open alone may rewrite its header. Other
        // plans (and a file that cannot be read) go on to the real open,
        // which converts, repairs or reports.
        match migrate::plan(path) {
            Ok(Plan::TooNew { found }) => return Err(StoreError::TooNew { found, known: migrate::CURRENT }),
            Err(e @ StoreError::Locked(_)) => return Err(e),
            _ => {}
        }
        // Private before redb writes a byte; a file an older latchkey made
        // 0644 (or a format upgrade rewrote) is tightened once it is open.
        let private = |r: std::io::Result<()>| {
            r.map_err(|e| StoreError::storage(format!("cannot make {} private: {e}", path.display())))
        };
        private(crate::fsutil::create_private(path))?;
        let create = || redb::Database::builder().set_cache_size(cache_size).create(path);
        let db = match create() {
            Err(redb::DatabaseError::UpgradeRequired(found)) => {
                upgrade_file_format(path, found)?;
                create()
            }
            opened => opened,
        };
        let db = db.map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked(path.display().to_string()),
            e => StoreError::Storage { op: "open", table: "", message: format!("cannot open {}: {e}", path.display()) },
        })?;
        private(crate::fsutil::restrict(path))?;
        migrate::run(&db)?;
        let db = Arc::new(db);
        let writer = writer::Writer::start(db.clone());
        let generation = writer.generation();
        Ok(Store { inner: Arc::new(Inner { db, writer: Mutex::new(Some(writer)), generation }) })
    }

    /// Runs `f` on a consistent snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&ReadTransaction) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let tx = self.inner.db.begin_read().during("begin read")?;
        f(&tx)
    }

    fn submit<T, E, F>(&self, f: F) -> Result<tokio::sync::oneshot::Receiver<writer::Outcome>, E>
    where
        F: Fn(&WriteTransaction) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let guard = self.inner.writer.lock().map_err(|_| StoreError::Closed)?;
        let w = guard.as_ref().ok_or(StoreError::Closed)?;
        Ok(w.submit(f)?)
    }

    /// Runs `f` in the next group commit and returns once it is durable. `f`
    /// may be run more than once (when another closure in its batch fails),
    /// so it must only act through the transaction it is given.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: Fn(&WriteTransaction) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let rx = self.submit(f)?;
        writer::unpack(rx.await.unwrap_or(writer::Outcome::closed()))
    }

    /// `write` for code that is not async (the command line, benchmarks).
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: Fn(&WriteTransaction) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let rx = self.submit(f)?;
        writer::unpack(rx.blocking_recv().unwrap_or(writer::Outcome::closed()))
    }

    /// Finishes every write already handed in, then stops the writer. Later
    /// writes fail with `StoreError::Closed`; the file is closed when the
    /// last handle is dropped.
    pub fn close(&self) {
        let w = self.inner.writer.lock().ok().and_then(|mut w| w.take());
        if let Some(w) = w {
            w.shutdown();
        }
    }

    /// The commits made since the store was opened, read without a lock: an
    /// answer computed from a snapshot opened after this call is current
    /// for as long as this number stays the same (see [`memo::Memo`]).
    pub fn generation(&self) -> u64 {
        self.inner.generation.get()
    }

    /// The number of commits the writer has made, for metrics and benchmarks.
    pub fn commits(&self) -> u64 {
        self.stats().commits
    }

    /// What the writer has done so far (zeros once the store is closed).
    pub fn stats(&self) -> WriterStats {
        self.inner.writer.lock().ok().and_then(|w| w.as_ref().map(|w| w.stats())).unwrap_or_default()
    }
}

/// redb 3 and later read only file format v3; latchkey data directories made
/// while it used redb 2 hold a v2 file. redb 2.6's `Database::upgrade`
/// converts it in place, changing only redb's own bookkeeping (header and
/// allocator state); the one value encoding redb 3 changed, tuples of
/// variable width, is in no latchkey table. redb 4 then opens it as any other.
fn upgrade_file_format(path: &Path, found: u8) -> Result<(), StoreError> {
    let failed = |e: &dyn std::fmt::Display| {
        StoreError::storage(format!(
            "{} is in redb file format v{found}, which this latchkey cannot read, and upgrading it failed: {e}",
            path.display()
        ))
    };
    tracing::info!(file = %path.display(), from = found, to = 3, "upgrading the database file format");
    let mut db = redb2::Database::open(path).map_err(|e| match e {
        redb2::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked(path.display().to_string()),
        e => failed(&e),
    })?;
    db.upgrade().map_err(|e| failed(&e))?;
    Ok(())
}

/// Opens the file alone and runs redb's integrity check (repairing the
/// allocator state if it must). Used by tests and `latchkey check`.
pub fn check_integrity(path: &Path) -> Result<bool, StoreError> {
    let mut db = redb::Database::create(path).during("check integrity")?;
    db.check_integrity().during("check integrity")
}

/// How many rows a table holds, without reading them.
pub fn count<K: redb::Key + 'static, V: redb::Value + 'static>(
    tx: &impl Tables,
    table: &'static redb::TableDefinition<'static, K, V>,
) -> Result<u64, StoreError> {
    use redb::ReadableTableMetadata;
    tx.table(table)?.len().at("store.count", table)
}

/// The readiness probe's write: the time of the probe, in `meta`.
pub fn probe(tx: &WriteTransaction, now: crate::clock::Timestamp) -> Result<(), StoreError> {
    const OP: &str = "probe";
    tx.table(&schema::META).during(OP)?.insert("ready:probe", now.to_be_bytes().as_slice()).at(OP, &schema::META)?;
    Ok(())
}

/// Takes the next value of an id sequence kept in `meta`.
pub fn next_id(tx: &WriteTransaction, sequence: &str) -> Result<u64, StoreError> {
    const OP: &str = "next_id";
    let mut meta = tx.table(&schema::META).during(OP)?;
    let next = match meta.get(sequence).at(OP, &schema::META)? {
        Some(v) => {
            let b: [u8; 8] = v.value().try_into().map_err(|_| StoreError::Corrupt(format!("sequence {sequence}")))?;
            u64::from_be_bytes(b) + 1
        }
        None => 1,
    };
    meta.insert(sequence, next.to_be_bytes().as_slice()).at(OP, &schema::META)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum TestError {
        #[error("refused")]
        Refused,
        #[error(transparent)]
        Store(#[from] StoreError),
    }

    fn put(store: &Store, key: &'static str, fail: bool) -> Result<u64, TestError> {
        store.write_blocking(move |tx| {
            let mut t = tx.open_table(schema::META).map_err(StoreError::from)?;
            t.insert(key, b"v".as_slice()).map_err(StoreError::from)?;
            drop(t);
            if fail {
                return Err(TestError::Refused);
            }
            Ok(next_id(tx, "seq:test")?)
        })
    }

    fn has(store: &Store, key: &str) -> bool {
        store.read(|tx| Ok(tx.open_table(schema::META)?.get(key)?.is_some())).unwrap()
    }

    #[test]
    fn failed_closure_leaves_no_trace_and_others_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let handles: Vec<_> = (0..32)
            .map(|i| {
                let s = store.clone();
                let key: &'static str = Box::leak(format!("k{i}").into_boxed_str());
                std::thread::spawn(move || (key, i % 3 == 0, put(&s, key, i % 3 == 0)))
            })
            .collect();
        let mut ids = vec![];
        for h in handles {
            let (key, fail, r) = h.join().unwrap();
            if fail {
                assert!(matches!(r, Err(TestError::Refused)));
                assert!(!has(&store, key), "{key} should not exist");
            } else {
                ids.push(r.unwrap());
                assert!(has(&store, key));
            }
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 21, "every successful write got its own id");
    }

    #[test]
    fn panicking_closure_is_an_error_and_writer_survives() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let r: Result<(), StoreError> = store.write_blocking(|_tx| panic!("boom"));
        assert!(matches!(r, Err(StoreError::Internal(_))));
        put(&store, "after", false).unwrap();
        assert!(has(&store, "after"));
    }

    #[test]
    fn closed_store_refuses_writes_and_reopens_with_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let store = Store::open(&path).unwrap();
        put(&store, "kept", false).unwrap();
        store.close();
        assert!(matches!(put(&store, "late", false), Err(TestError::Store(StoreError::Closed))));
        drop(store);
        let store = Store::open(&path).unwrap();
        assert!(has(&store, "kept"));
    }

    #[test]
    fn the_file_is_made_private_and_an_old_one_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let store = Store::open(&path).unwrap();
        put(&store, "kept", false).unwrap();
        assert_eq!(mode(&path), 0o600);
        drop(store);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(mode(&path), 0o600, "a file an older latchkey made 0644 is tightened at open");
        assert!(has(&store, "kept"));
    }

    /// A file as latchkey left it while it used redb 2 (file format v2),
    /// written with redb 2.6 itself: the schema version, a string key, an
    /// integer value and a unit value, as the real tables have.
    fn redb2_file(path: &Path) {
        const META: redb2::TableDefinition<&str, &[u8]> = redb2::TableDefinition::new("meta");
        const USERS_BY_NAME: redb2::TableDefinition<&str, u64> = redb2::TableDefinition::new("users_by_name");
        const TOKENS_BY_GRANT: redb2::TableDefinition<&[u8], ()> = redb2::TableDefinition::new("tokens_by_grant");
        let db = redb2::Database::create(path).unwrap();
        let tx = db.begin_write().unwrap();
        let mut meta = tx.open_table(META).unwrap();
        meta.insert("schema_version", migrate::CURRENT.to_be_bytes().as_slice()).unwrap();
        meta.insert("seq:users", 7u64.to_be_bytes().as_slice()).unwrap();
        drop(meta);
        tx.open_table(USERS_BY_NAME).unwrap().insert("alice", 7).unwrap();
        tx.open_table(TOKENS_BY_GRANT).unwrap().insert([1u8; 40].as_slice(), ()).unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn redb2_file_is_upgraded_in_place_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        redb2_file(&path);
        assert!(
            matches!(redb::Database::create(&path), Err(redb::DatabaseError::UpgradeRequired(2))),
            "redb 4 alone refuses the file"
        );
        for round in 0..2 {
            let store = Store::open(&path).unwrap();
            store
                .read(|tx| {
                    let meta = tx.open_table(schema::META)?;
                    let version = meta.get("schema_version")?.map(|v| v.value().to_vec());
                    assert_eq!(version, Some(migrate::CURRENT.to_be_bytes().to_vec()), "round {round}");
                    assert_eq!(tx.open_table(schema::USERS_BY_NAME)?.get("alice")?.map(|v| v.value()), Some(7));
                    assert!(tx.open_table(schema::TOKENS_BY_GRANT)?.get([1u8; 40].as_slice())?.is_some());
                    // The tables the old file lacked were made by the migration.
                    assert!(redb::ReadableTableMetadata::is_empty(&tx.open_table(schema::SIGNING_KEYS)?)?);
                    Ok(())
                })
                .unwrap();
            let before = store.write_blocking(|tx| next_id(tx, "seq:users")).unwrap();
            assert_eq!(before, 8 + round, "the id sequence goes on");
            drop(store);
        }
        assert!(check_integrity(&path).unwrap());
    }

    #[test]
    fn redb2_file_in_use_is_locked_not_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        redb2_file(&path);
        let old = redb2::Database::open(&path).unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::Locked(_))));
        drop(old);
        Store::open(&path).unwrap();
    }

    #[test]
    fn storage_errors_name_the_operation_and_the_table() {
        let e = StoreError::storage("boom").within("grants.revoke", "tokens_by_grant");
        assert_eq!(e.to_string(), "storage error in grants.revoke (table tokens_by_grant): boom");
        // The innermost name wins; parts not known are left out.
        assert_eq!(
            e.within("outer", "other").to_string(),
            "storage error in grants.revoke (table tokens_by_grant): boom"
        );
        assert_eq!(StoreError::storage("boom").within("commit", "").to_string(), "storage error in commit: boom");
        assert_eq!(StoreError::storage("boom").within("", "users").to_string(), "storage error (table users): boom");
        assert_eq!(StoreError::storage("boom").to_string(), "storage error: boom");
        assert!(matches!(StoreError::Closed.within("x", "y"), StoreError::Closed));

        // A real failure: a table opened with the wrong types.
        const WRONG: redb::TableDefinition<u64, u64> = redb::TableDefinition::new("users");
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let e = store.read(|tx| tx.table(&WRONG).during("users.get").map(|_| ())).unwrap_err();
        let StoreError::Storage { op, table, .. } = &e else { panic!("{e:?}") };
        assert_eq!((*op, *table), ("users.get", "users"));
        assert!(e.to_string().starts_with("storage error in users.get (table users): "), "{e}");
    }

    #[test]
    fn second_open_of_same_file_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let _store = Store::open(&path).unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::Locked(_))));
    }
}
