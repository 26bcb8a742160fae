//! A consistent copy of the database while the server keeps serving: every
//! table of the catalogue (`schema::each_table`) copied, inside one read
//! transaction, into a fresh redb file. A read transaction is one MVCC
//! snapshot, so the copy holds exactly the commits made before it began,
//! whatever the writer does meanwhile. The live file is never copied byte
//! for byte: a copy taken while the writer commits could mix two states.
//!
//! The same snapshot says which blobs (`DATA_DIR/files/`) the copy refers
//! to, so a backup takes exactly those.

use super::schema::{self, BLOB_REFS, EachTable};
use super::{At, ReadTransaction, ReadableTable, Store, StoreError, Tables, WriteTransaction};
use redb::TableDefinition;
use std::path::Path;

/// What a snapshot copied.
#[derive(Debug, Clone)]
pub struct Copied {
    /// The schema version of the copy (the live file's).
    pub schema_version: u32,
    /// Tables and rows copied.
    pub tables: usize,
    pub rows: u64,
    /// The distinct blobs the copy refers to, in digest order.
    pub blobs: Vec<[u8; 32]>,
}

struct Copier<'a> {
    from: &'a ReadTransaction,
    to: &'a WriteTransaction,
    tables: usize,
    rows: u64,
}

impl EachTable for Copier<'_> {
    type Error = StoreError;

    fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: &'static TableDefinition<'static, K, V>,
    ) -> Result<(), StoreError> {
        const OP: &str = "snapshot.copy";
        let from = self.from.open_table(*def).at(OP, def)?;
        let mut to = self.to.open_table(*def).at(OP, def)?;
        for row in from.iter().at(OP, def)? {
            let (k, v) = row.at(OP, def)?;
            to.insert(k.value(), v.value()).at(OP, def)?;
            self.rows += 1;
        }
        self.tables += 1;
        Ok(())
    }
}

/// Copies the whole database, as of one moment, into a new redb file at
/// `dest` (mode 0600; it must not exist), committed durably.
pub fn copy_to(store: &Store, dest: &Path) -> Result<Copied, StoreError> {
    const OP: &str = "snapshot";
    let failed = |e: &dyn std::fmt::Display| StoreError::Storage {
        op: OP,
        table: "",
        message: format!("cannot write the copy {}: {e}", dest.display()),
    };
    if dest.exists() {
        return Err(failed(&"the file exists already"));
    }
    crate::fsutil::create_private(dest).map_err(|e| failed(&e))?;
    let target = redb::Database::create(dest).map_err(|e| failed(&e))?;
    store.read(|snapshot| {
        let tx = target.begin_write().during(OP)?;
        let mut copy = Copier { from: snapshot, to: &tx, tables: 0, rows: 0 };
        schema::each_table(&mut copy)?;
        let (tables, rows) = (copy.tables, copy.rows);
        tx.commit().during(OP)?;
        Ok(Copied {
            schema_version: super::schema_version(snapshot)?.unwrap_or(super::SCHEMA_VERSION),
            tables,
            rows,
            blobs: referenced_blobs(snapshot)?,
        })
    })
}

/// Every blob some record refers to, once each.
pub fn referenced_blobs(tx: &impl Tables) -> Result<Vec<[u8; 32]>, StoreError> {
    const OP: &str = "snapshot.blobs";
    let refs = tx.table(&BLOB_REFS).during(OP)?;
    let mut out: Vec<[u8; 32]> = vec![];
    for row in refs.iter().at(OP, &BLOB_REFS)? {
        let (k, _) = row.at(OP, &BLOB_REFS)?;
        let Some(sha) = k.value().get(..32).and_then(|s| <[u8; 32]>::try_from(s).ok()) else {
            return Err(StoreError::Corrupt("a blob reference is too short".into()));
        };
        // References are sorted by digest first: one blob's are together.
        if out.last() != Some(&sha) {
            out.push(sha);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::blobs::{self, Owner};
    use crate::store::{UserId, audit, next_id};
    use redb::ReadableDatabase;

    fn names(tx: &ReadTransaction) -> Vec<String> {
        let mut n: Vec<String> = tx.list_tables().unwrap().map(|h| redb::TableHandle::name(&h).to_string()).collect();
        n.sort();
        n
    }

    /// The copy has every table the live file has (after `create_all` and
    /// every migration), with every row. A table made anywhere but missing
    /// from the catalogue list fails here.
    #[test]
    fn a_copy_has_every_table_and_row_of_the_live_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("live.redb")).unwrap();
        store
            .write_blocking(|tx| {
                for i in 0..50 {
                    audit::record(tx, i, &audit::Who::system(), "test.row", &format!("t{i}"), "")?;
                }
                blobs::add_ref(tx, &[7; 32], Owner::Avatar(UserId(1)))?;
                blobs::add_ref(tx, &[7; 32], Owner::Avatar(UserId(2)))?;
                blobs::add_ref(tx, &[3; 32], Owner::Avatar(UserId(3)))?;
                next_id(tx, "seq:test")
            })
            .unwrap();
        let dest = dir.path().join("copy.redb");
        let copied = copy_to(&store, &dest).unwrap();
        assert_eq!(copied.schema_version, crate::store::SCHEMA_VERSION);
        assert_eq!(copied.blobs, [[3; 32], [7; 32]], "each blob once, in order");
        let live = store.read(|tx| Ok(names(tx))).unwrap();
        assert_eq!(copied.tables, live.len(), "every table of the live file is in the catalogue: {live:?}");

        let copy = redb::ReadOnlyDatabase::open(&dest).unwrap();
        let ctx = copy.begin_read().unwrap();
        assert_eq!(names(&ctx), live, "the copy has the same tables");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);
        let recent = audit::recent(&ctx, None, 100).unwrap();
        assert_eq!(recent.len(), 50);
        assert_eq!(crate::store::schema_version(&ctx).unwrap(), Some(crate::store::SCHEMA_VERSION));
        assert!(matches!(copy_to(&store, &dest), Err(StoreError::Storage { .. })), "an existing file is not replaced");
    }

    /// Writes that commit while the copy runs are not in it, and the ones
    /// before it all are.
    #[test]
    fn the_copy_is_one_moment() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("live.redb")).unwrap();
        let writer = {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..300 {
                    store
                        .write_blocking(move |tx| audit::record(tx, i, &audit::Who::system(), "test.row", "", ""))
                        .unwrap();
                }
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
        let before = store.read(|tx| crate::store::count(tx, &schema::AUDIT)).unwrap();
        let copied = copy_to(&store, &dir.path().join("copy.redb")).unwrap();
        writer.join().unwrap();
        let copy = redb::ReadOnlyDatabase::open(dir.path().join("copy.redb")).unwrap();
        let n = crate::store::count(&copy.begin_read().unwrap(), &schema::AUDIT).unwrap();
        assert!(n >= before, "everything committed before the copy is in it ({n} < {before})");
        assert!(copied.rows > 0);
        // The ids in the copy are a prefix of the live ones: no gap, no mix.
        let ids: Vec<u64> =
            audit::recent(&copy.begin_read().unwrap(), None, usize::MAX).unwrap().iter().map(|(id, _)| id.0).collect();
        let expected: Vec<u64> = (1..=n).rev().collect();
        assert_eq!(ids, expected);
    }
}
