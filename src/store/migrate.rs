//! Schema version and the migration ladder, run at every open.

use super::{At, StoreError, Tables, schema};
use redb::{Database, ReadableTable, WriteTransaction};

/// The schema this binary writes.
pub const CURRENT: u32 = 1;

/// `LADDER[i]` takes a file from version `i + 1` to `i + 2`.
type Step = fn(&WriteTransaction) -> Result<(), StoreError>;

const LADDER: &[Step] = &[];

const _: () = assert!(LADDER.len() as u32 == CURRENT - 1);

const KEY: &str = "schema_version";

pub fn run(db: &Database) -> Result<(), StoreError> {
    const OP: &str = "migrate";
    let tx = db.begin_write().during(OP)?;
    schema::create_all(&tx).during(OP)?;
    let found = {
        let meta = tx.table(&schema::META).during(OP)?;
        let v = meta.get(KEY).at(OP, &schema::META)?;
        match v {
            None => None,
            Some(v) => Some(u32::from_be_bytes(
                v.value().try_into().map_err(|_| StoreError::Corrupt("schema version".into()))?,
            )),
        }
    };
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
