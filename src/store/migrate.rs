//! Schema version and the migration ladder, run at every open.

use super::{StoreError, schema};
use redb::{Database, ReadableTable, WriteTransaction};

/// The schema this binary writes.
pub const CURRENT: u32 = 1;

/// `LADDER[i]` takes a file from version `i + 1` to `i + 2`.
type Step = fn(&WriteTransaction) -> Result<(), StoreError>;

const LADDER: &[Step] = &[];

const _: () = assert!(LADDER.len() as u32 == CURRENT - 1);

const KEY: &str = "schema_version";

pub fn run(db: &Database) -> Result<(), StoreError> {
    let tx = db.begin_write()?;
    schema::create_all(&tx)?;
    let found = {
        let meta = tx.open_table(schema::META)?;
        let v = meta.get(KEY)?;
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
        tx.open_table(schema::META)?.insert(KEY, CURRENT.to_be_bytes().as_slice())?;
    }
    tx.commit()?;
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
