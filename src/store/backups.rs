//! The last backup made (by hand or on schedule), kept in `meta` so the
//! admin dashboard can say when it was and how big, without looking at
//! files it may not be able to see.

use super::codec::{Record, decode, encode};
use super::schema::META;
use super::{At, ReadableTable, StoreError, Tables, WriteTransaction};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

const KEY: &str = "backup:last";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastBackup {
    pub at: Timestamp,
    /// The archive's size in bytes.
    pub size: u64,
    /// Where it was written.
    pub file: String,
    /// Made by the schedule (`backup_dir`), not by hand.
    pub scheduled: bool,
}

impl Record for LastBackup {
    const KIND: &'static str = "last backup";
    const VERSION: u8 = 1;
}

pub fn record(tx: &WriteTransaction, last: &LastBackup) -> Result<(), StoreError> {
    const OP: &str = "backups.record";
    tx.table(&META).during(OP)?.insert(KEY, encode(last)?.as_slice()).at(OP, &META)?;
    Ok(())
}

pub fn last(tx: &impl Tables) -> Result<Option<LastBackup>, StoreError> {
    const OP: &str = "backups.last";
    let meta = tx.table(&META).during(OP)?;
    let v = meta.get(KEY).at(OP, &META)?;
    v.map(|v| decode(v.value())).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn the_last_backup_is_kept_and_its_bytes_are_frozen() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        assert_eq!(store.read(last).unwrap(), None);
        let b = LastBackup { at: 1_700_000_000, size: 4096, file: "/b/x.tar.gz".into(), scheduled: true };
        let c = b.clone();
        store.write_blocking(move |tx| record(tx, &c)).unwrap();
        assert_eq!(store.read(last).unwrap(), Some(b.clone()));
        let bytes = encode(&b).unwrap();
        assert_eq!(bytes[0], 1);
        assert_eq!(decode::<LastBackup>(&bytes).unwrap(), b);
        assert_eq!(&bytes[..4], &[1, 0x80, 0xc4, 0x9f], "version, then the time as a zig-zag varint");
    }
}
