//! Content-addressed blobs: files under `DATA_DIR/files/`, each named by
//! the SHA-256 of its bytes (`files/ab/ab12…`, two hex digits of fan-out so
//! no directory grows without bound), and the `blob_refs` table that says
//! who uses which blob.
//!
//! A blob is written to a temporary file, fsync-ed, renamed into place and
//! its directory fsync-ed *before* the transaction that refers to it
//! commits, so a crash can leave an unreferenced blob behind but never a
//! record that points at a partial or missing file. A blob is removed only
//! after the commit that dropped its last reference (see `is_referenced`).
//! Identical bytes share one file; the references keep count of the users.

use super::schema::BLOB_REFS;
use super::{At, ReadableTable, StoreError, Tables, UserId, WriteTransaction};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The directory of blobs in a data directory.
#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
}

/// What refers to a blob. The variant's tag is part of the stored key, so
/// new kinds of owners go at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The member's avatar.
    Avatar(UserId),
}

impl Owner {
    fn tag(&self) -> (u8, u64) {
        match self {
            Owner::Avatar(u) => (1, u.0),
        }
    }

    fn from_tag(tag: u8, id: u64) -> Option<Owner> {
        match tag {
            1 => Some(Owner::Avatar(UserId(id))),
            _ => None,
        }
    }
}

/// `sha256 (32) ++ owner tag (1) ++ owner id (8, big-endian)`: every
/// reference to one blob is one range.
fn ref_key(sha: &[u8; 32], owner: Owner) -> [u8; 41] {
    let (tag, id) = owner.tag();
    let mut k = [0u8; 41];
    k[..32].copy_from_slice(sha);
    k[32] = tag;
    k[33..].copy_from_slice(&id.to_be_bytes());
    k
}

/// The blob's name: its SHA-256 in lower-case hex.
pub fn hex(sha: &[u8; 32]) -> String {
    sha.iter().map(|b| format!("{b:02x}")).collect()
}

/// A blob name back into its digest; `None` unless it is 64 lower-case
/// hex digits (so a name from a URL can never be a path).
pub fn parse_hex(name: &str) -> Option<[u8; 32]> {
    if name.len() != 64 || !name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in name.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

pub fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

impl Blobs {
    pub fn in_data_dir(data_dir: &Path) -> Blobs {
        Blobs { root: data_dir.join("files") }
    }

    pub fn path(&self, sha: &[u8; 32]) -> PathBuf {
        let name = hex(sha);
        self.root.join(&name[..2]).join(name)
    }

    /// Stores `bytes` durably and returns their digest. Blocking: call it
    /// off the async threads. Bytes already stored are not written again
    /// (the file by that name can only hold them, and was synced when made).
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<[u8; 32]> {
        let sha = digest(bytes);
        let path = self.path(&sha);
        if path.is_file() {
            return Ok(sha);
        }
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        if !dir.is_dir() {
            let new_root = !self.root.is_dir();
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
            // The new directories' entries must be on disk too.
            sync_dir(&self.root)?;
            if new_root {
                if let Some(parent) = self.root.parent() {
                    sync_dir(parent)?;
                }
            }
        }
        // A name of its own per writer: two uploads of the same bytes never
        // write into one temporary file.
        let tmp = dir.join(format!(".tmp-{}-{:016x}", hex(&sha), rand::random::<u64>()));
        let written = (|| {
            let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, &path)?;
            sync_dir(&dir)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map(|()| sha)
    }

    /// The blob's bytes, `None` when there is no such blob.
    pub fn read(&self, sha: &[u8; 32]) -> std::io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.path(sha)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes a blob; only after the commit that dropped its last
    /// reference. Returns whether there was one.
    pub fn remove(&self, sha: &[u8; 32]) -> std::io::Result<bool> {
        let path = self.path(sha);
        match std::fs::remove_file(&path) {
            Ok(()) => {
                if let Some(dir) = path.parent() {
                    sync_dir(dir)?;
                }
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Records that `owner` uses the blob `sha`.
pub fn add_ref(tx: &WriteTransaction, sha: &[u8; 32], owner: Owner) -> Result<(), StoreError> {
    const OP: &str = "blobs.add_ref";
    tx.table(&BLOB_REFS).during(OP)?.insert(ref_key(sha, owner).as_slice(), ()).at(OP, &BLOB_REFS)?;
    Ok(())
}

/// Drops `owner`'s use of the blob `sha`.
pub fn remove_ref(tx: &WriteTransaction, sha: &[u8; 32], owner: Owner) -> Result<(), StoreError> {
    const OP: &str = "blobs.remove_ref";
    tx.table(&BLOB_REFS).during(OP)?.remove(ref_key(sha, owner).as_slice()).at(OP, &BLOB_REFS)?;
    Ok(())
}

/// Everything that uses the blob `sha`.
pub fn owners(tx: &impl Tables, sha: &[u8; 32]) -> Result<Vec<Owner>, StoreError> {
    const OP: &str = "blobs.owners";
    let t = tx.table(&BLOB_REFS).during(OP)?;
    let mut out = vec![];
    for row in t.range::<&[u8]>(sha.as_slice()..).at(OP, &BLOB_REFS)? {
        let (k, _) = row.at(OP, &BLOB_REFS)?;
        let k = k.value();
        if !k.starts_with(sha) {
            break;
        }
        let owner = match (k.len(), k.get(33..41).and_then(|id| <[u8; 8]>::try_from(id).ok())) {
            (41, Some(id)) => Owner::from_tag(k[32], u64::from_be_bytes(id)),
            _ => None,
        };
        // An owner kind from a newer binary is an error here, and a use to
        // `is_referenced`: never delete what something may need.
        out.push(owner.ok_or_else(|| StoreError::Corrupt(format!("a reference to blob {} is unreadable", hex(sha))))?);
    }
    Ok(out)
}

/// Whether anything still uses the blob `sha`; an unreadable reference
/// counts as a use.
pub fn is_referenced(tx: &impl Tables, sha: &[u8; 32]) -> Result<bool, StoreError> {
    match owners(tx, sha) {
        Ok(o) => Ok(!o.is_empty()),
        Err(StoreError::Corrupt(_)) => Ok(true),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn blobs_are_named_by_their_digest_and_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::in_data_dir(dir.path());
        let sha = blobs.put(b"hello").unwrap();
        assert_eq!(hex(&sha), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assert_eq!(blobs.path(&sha), dir.path().join("files/2c").join(hex(&sha)));
        assert_eq!(blobs.put(b"hello").unwrap(), sha);
        assert_eq!(blobs.read(&sha).unwrap().as_deref(), Some(&b"hello"[..]));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("files/2c")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file stays behind");
        assert!(blobs.remove(&sha).unwrap());
        assert!(!blobs.remove(&sha).unwrap());
        assert_eq!(blobs.read(&sha).unwrap(), None);
    }

    #[test]
    fn names_parse_back_and_nothing_else_does() {
        let sha = digest(b"x");
        assert_eq!(parse_hex(&hex(&sha)), Some(sha));
        for bad in ["", "../../etc/passwd", &hex(&sha).to_uppercase(), &hex(&sha)[..63], &format!("{}0", hex(&sha))] {
            assert_eq!(parse_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn references_count_every_owner_of_one_blob_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let (a, b) = (digest(b"a"), digest(b"b"));
        store
            .write_blocking(move |tx| {
                add_ref(tx, &a, Owner::Avatar(UserId(1)))?;
                add_ref(tx, &a, Owner::Avatar(UserId(2)))?;
                add_ref(tx, &b, Owner::Avatar(UserId(1)))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let of_a = store.read(|tx| owners(tx, &a)).unwrap();
        assert_eq!(of_a, [Owner::Avatar(UserId(1)), Owner::Avatar(UserId(2))]);
        store
            .write_blocking(move |tx| {
                remove_ref(tx, &a, Owner::Avatar(UserId(1)))?;
                remove_ref(tx, &a, Owner::Avatar(UserId(2)))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert!(!store.read(|tx| is_referenced(tx, &a)).unwrap());
        assert!(store.read(|tx| is_referenced(tx, &b)).unwrap());
    }

    /// The reference key layout, frozen.
    #[test]
    fn reference_keys_are_stable() {
        let k = ref_key(&[9; 32], Owner::Avatar(UserId(258)));
        assert_eq!(&k[..32], &[9; 32]);
        assert_eq!(&k[32..], &[1, 0, 0, 0, 0, 0, 0, 1, 2]);
    }
}
