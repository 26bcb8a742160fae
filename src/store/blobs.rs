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
use crate::ids::FileId;
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
    /// An uploaded file's content.
    File(FileId),
    /// An uploaded image's preview.
    Preview(FileId),
}

/// Serialises putting a blob and committing its reference against removing
/// an unreferenced one: without it, a removal that found no reference could
/// delete a file that an upload of the same bytes has just been promised.
/// Process-wide because the blob directory is shared by every kind of owner
/// (avatars, files, previews); it is held for a rename and a commit only.
pub static REFS_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl Owner {
    fn tag(&self) -> (u8, u64) {
        match self {
            Owner::Avatar(u) => (1, u.0),
            Owner::File(f) => (2, f.0),
            Owner::Preview(f) => (3, f.0),
        }
    }

    fn from_tag(tag: u8, id: u64) -> Option<Owner> {
        match tag {
            1 => Some(Owner::Avatar(UserId(id))),
            2 => Some(Owner::File(FileId(id))),
            3 => Some(Owner::Preview(FileId(id))),
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

    /// Makes the fan-out directory of `sha` (and the root), with their
    /// entries synced.
    fn ensure_dir(&self, sha: &[u8; 32]) -> std::io::Result<PathBuf> {
        let path = self.path(sha);
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        if !dir.is_dir() {
            let new_root = !self.root.is_dir();
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
            sync_dir(&self.root)?;
            if new_root {
                if let Some(parent) = self.root.parent() {
                    sync_dir(parent)?;
                }
            }
        }
        Ok(dir)
    }

    /// Starts a blob whose bytes arrive in pieces (an upload): they go to a
    /// temporary file in the blob directory, hashed on the way, and only
    /// [`Staged::finish`] and [`Blobs::settle`] give it its name. Blocking.
    pub fn stage(&self) -> std::io::Result<Staged> {
        let tmp_dir = self.root.join("tmp");
        if !tmp_dir.is_dir() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&tmp_dir)?;
        }
        let path = tmp_dir.join(format!(".tmp-{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>()));
        let file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
        Ok(Staged { file: Some(file), path, hasher: Sha256::new(), size: 0 })
    }

    /// Gives a finished staged blob its name (the rename is atomic, and
    /// the directory is synced): from here on a record may name it. When
    /// the same bytes are stored already, the staged copy is dropped.
    /// Blocking; run under [`REFS_LOCK`] with the commit that refers to it.
    pub fn settle(&self, staged: Finished) -> std::io::Result<[u8; 32]> {
        let path = self.path(&staged.sha);
        if path.is_file() {
            let _ = std::fs::remove_file(&staged.path);
            return Ok(staged.sha);
        }
        let dir = self.ensure_dir(&staged.sha)?;
        let moved = std::fs::rename(&staged.path, &path).and_then(|()| sync_dir(&dir));
        if moved.is_err() {
            let _ = std::fs::remove_file(&staged.path);
        }
        moved.map(|()| staged.sha)
    }

    /// Removes the temporary files that an interrupted upload (a crash)
    /// left behind; no record ever names one. Returns how many went.
    pub fn sweep_staged(&self) -> std::io::Result<usize> {
        let dir = self.root.join("tmp");
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut n = 0;
        for e in entries {
            let e = e?;
            if e.file_name().to_string_lossy().starts_with(".tmp-") {
                std::fs::remove_file(e.path())?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// The digest of every blob stored (for the start-up sweep).
    pub fn stored(&self) -> std::io::Result<Vec<[u8; 32]>> {
        let mut out = vec![];
        let dirs = match std::fs::read_dir(&self.root) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for dir in dirs {
            let dir = dir?;
            let fan = dir.file_name();
            if fan.len() != 2 || !dir.file_type()?.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(dir.path())? {
                let name = f?.file_name();
                if let Some(sha) = name.to_str().and_then(parse_hex) {
                    out.push(sha);
                }
            }
        }
        Ok(out)
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

/// A blob being written: a temporary file and the digest of what went in.
/// Dropped before `finish`, the file is removed.
#[derive(Debug)]
pub struct Staged {
    file: Option<std::fs::File>,
    path: PathBuf,
    hasher: Sha256,
    size: u64,
}

/// A staged blob whose bytes are all on disk (synced), not yet named.
/// Dropped before [`Blobs::settle`], the file is removed.
#[derive(Debug)]
pub struct Finished {
    path: PathBuf,
    pub sha: [u8; 32],
    pub size: u64,
}

impl Staged {
    /// Appends bytes. Blocking.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let Some(f) = self.file.as_mut() else { return Err(std::io::Error::other("the blob is finished")) };
        f.write_all(bytes)?;
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Where the bytes are, to read them back before the blob is settled
    /// (an image is checked and re-encoded from here).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Syncs the bytes to disk. Blocking.
    pub fn finish(mut self) -> std::io::Result<Finished> {
        let f = self.file.take().ok_or_else(|| std::io::Error::other("the blob is finished"))?;
        f.sync_all()?;
        drop(f);
        let sha: [u8; 32] = std::mem::take(&mut self.hasher).finalize().into();
        let path = std::mem::take(&mut self.path);
        Ok(Finished { path, sha, size: self.size })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Finished {
    /// Where the bytes are until the blob is settled.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Finished {
    fn drop(&mut self) {
        // After `settle` the path is gone (renamed), and this finds nothing.
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
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
    fn a_staged_blob_is_named_only_when_settled_and_never_twice() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::in_data_dir(dir.path());
        let mut s = blobs.stage().unwrap();
        s.write(b"hel").unwrap();
        s.write(b"lo").unwrap();
        assert_eq!(s.size(), 5);
        let f = s.finish().unwrap();
        assert_eq!(f.sha, digest(b"hello"));
        assert!(!blobs.path(&f.sha).exists(), "no name before it is settled");
        let staged_at = f.path().to_path_buf();
        let sha = blobs.settle(f).unwrap();
        assert!(!staged_at.exists());
        assert_eq!(blobs.read(&sha).unwrap().as_deref(), Some(&b"hello"[..]));
        // The same bytes again: one file, the second copy dropped.
        let mut again = blobs.stage().unwrap();
        again.write(b"hello").unwrap();
        let again = again.finish().unwrap();
        let at = again.path().to_path_buf();
        assert_eq!(blobs.settle(again).unwrap(), sha);
        assert!(!at.exists());
        // An abandoned upload leaves nothing once dropped; a crash's leftovers are swept.
        let mut gone = blobs.stage().unwrap();
        gone.write(b"half").unwrap();
        let at = gone.path().to_path_buf();
        drop(gone);
        assert!(!at.exists());
        let crashed = blobs.stage().unwrap();
        std::mem::forget(crashed);
        assert_eq!(blobs.sweep_staged().unwrap(), 1);
        assert_eq!(blobs.stored().unwrap(), [sha], "the temporary directory holds no blob");
        assert_eq!(std::fs::read_dir(dir.path().join("files/tmp")).unwrap().count(), 0);
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
        assert_eq!(&ref_key(&[9; 32], Owner::File(FileId(3)))[32..], &[2, 0, 0, 0, 0, 0, 0, 0, 3]);
        assert_eq!(&ref_key(&[9; 32], Owner::Preview(FileId(3)))[32..], &[3, 0, 0, 0, 0, 0, 0, 0, 3]);
    }
}
