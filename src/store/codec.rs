//! Versioned value encoding: one version byte, then the postcard body. Each
//! record type names its current version and how to read older ones, so a
//! struct change never makes an old file unreadable, and a damaged value is a
//! `StoreError`, never a panic.

use super::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub trait Record: Serialize + DeserializeOwned {
    /// What this record is called in error messages.
    const KIND: &'static str;
    /// The version written today.
    const VERSION: u8;

    /// Reads a value written with an older `version`. The default knows none.
    fn upgrade(version: u8, _body: &[u8]) -> Result<Self, StoreError> {
        Err(StoreError::Corrupt(format!("{} record has unknown version {version}", Self::KIND)))
    }
}

pub fn encode<R: Record>(record: &R) -> Result<Vec<u8>, StoreError> {
    let mut out = vec![R::VERSION];
    let body =
        postcard::to_stdvec(record).map_err(|e| StoreError::Corrupt(format!("cannot encode {}: {e}", R::KIND)))?;
    out.extend_from_slice(&body);
    Ok(out)
}

pub fn decode<R: Record>(bytes: &[u8]) -> Result<R, StoreError> {
    let (&version, body) =
        bytes.split_first().ok_or_else(|| StoreError::Corrupt(format!("empty {} record", R::KIND)))?;
    if version == R::VERSION {
        postcard::from_bytes(body)
            .map_err(|e| StoreError::Corrupt(format!("cannot decode {} v{version}: {e}", R::KIND)))
    } else {
        R::upgrade(version, body)
    }
}

/// Reads the postcard body of an older version of a record (the frozen
/// struct `T` it was written as), for `Record::upgrade`.
pub fn decode_old<T: DeserializeOwned>(kind: &str, version: u8, body: &[u8]) -> Result<T, StoreError> {
    postcard::from_bytes(body).map_err(|e| StoreError::Corrupt(format!("cannot decode {kind} v{version}: {e}")))
}

/// A record rewritten in place. Its revision (the API's `ETag`) starts at 1
/// and grows by one with every stored change; the store's `put` keeps it,
/// through [`revise`], so no caller can forget.
pub trait Revised: Record {
    fn revision(&self) -> u64;
    fn set_revision(&mut self, revision: u64);
}

/// What to store for `record`, given the bytes the table holds under its key
/// now: a new record gets revision 1, a changed one the stored revision plus
/// one. `None` when nothing but the revision differs, so an unchanged put
/// writes nothing and keeps its revision. `record` is left with the revision
/// it has in the table.
pub fn revise<R: Revised>(stored: Option<&[u8]>, record: &mut R) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(stored) = stored else {
        record.set_revision(1);
        return encode(record).map(Some);
    };
    // A stored value that cannot be read is replaced, as before revisions.
    let previous = decode::<R>(stored).map(|r| r.revision()).unwrap_or(record.revision());
    record.set_revision(previous);
    if encode(record)? == stored {
        return Ok(None);
    }
    record.set_revision(previous + 1);
    encode(record).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct OldThing {
        a: u32,
    }
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Thing {
        a: u32,
        b: String,
    }
    impl Record for OldThing {
        const KIND: &'static str = "thing";
        const VERSION: u8 = 1;
    }
    impl Record for Thing {
        const KIND: &'static str = "thing";
        const VERSION: u8 = 2;
        fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
            match version {
                1 => {
                    let old: OldThing = postcard::from_bytes(body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Ok(Thing { a: old.a, b: String::new() })
                }
                v => Err(StoreError::Corrupt(format!("thing v{v}"))),
            }
        }
    }

    #[test]
    fn round_trips_and_upgrades() {
        let t = Thing { a: 7, b: "x".into() };
        assert_eq!(decode::<Thing>(&encode(&t).unwrap()).unwrap(), t);
        let old = encode(&OldThing { a: 3 }).unwrap();
        assert_eq!(decode::<Thing>(&old).unwrap(), Thing { a: 3, b: String::new() });
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Doc {
        text: String,
        revision: u64,
    }
    impl Record for Doc {
        const KIND: &'static str = "doc";
        const VERSION: u8 = 1;
    }
    impl Revised for Doc {
        fn revision(&self) -> u64 {
            self.revision
        }
        fn set_revision(&mut self, revision: u64) {
            self.revision = revision;
        }
    }

    #[test]
    fn revisions_start_at_one_and_grow_with_each_change() {
        let mut d = Doc { text: "a".into(), revision: 0 };
        let first = revise(None, &mut d).unwrap().unwrap();
        assert_eq!(d.revision, 1);
        // Unchanged: nothing to write, the revision stays (whatever the caller held).
        let mut same = Doc { text: "a".into(), revision: 7 };
        assert_eq!(revise(Some(&first), &mut same).unwrap(), None);
        assert_eq!(same.revision, 1);
        // Changed: the stored revision plus one, even from a stale copy.
        let mut changed = Doc { text: "b".into(), revision: 0 };
        let second = revise(Some(&first), &mut changed).unwrap().unwrap();
        assert_eq!(changed.revision, 2);
        assert_eq!(decode::<Doc>(&second).unwrap(), changed);
        // An unreadable stored value is replaced.
        let mut d = Doc { text: "c".into(), revision: 4 };
        assert!(revise(Some(&[1, 0xff]), &mut d).unwrap().is_some());
        assert_eq!(d.revision, 5);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<Thing>(&[]).is_err());
        assert!(decode::<Thing>(&[2, 0xff, 0xff, 0xff]).is_err());
        assert!(decode::<Thing>(&[9, 1, 2]).is_err());
    }
}
