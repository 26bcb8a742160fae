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

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<Thing>(&[]).is_err());
        assert!(decode::<Thing>(&[2, 0xff, 0xff, 0xff]).is_err());
        assert!(decode::<Thing>(&[9, 1, 2]).is_err());
    }
}
