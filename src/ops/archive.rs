//! The backup archive: a gzip-compressed tar file holding the files of a
//! data directory, then `manifest.json` (latchkey and schema version, when
//! it was made, every file's path, size and SHA-256) and last
//! `manifest.sha256`, the SHA-256 of the manifest. Since the manifest names
//! every file's digest, that one value covers the whole archive; it is
//! written as `sha256sum` writes it, so `sha256sum -c` checks an unpacked
//! archive by hand.
//!
//! Reading (`unpack`) writes the files into a fresh directory and only then
//! trusts them: the checksum, the versions, and every file's size and
//! digest must match the manifest, no file may be missing or extra, and
//! only the paths a data directory has are accepted (no `..`, no links).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// The archive layout this binary writes and reads.
pub const FORMAT: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
pub const CHECKSUM: &str = "manifest.sha256";
/// The manifest of a data directory is small; anything far bigger is not one.
const MAX_MANIFEST: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub latchkey_version: String,
    pub schema_version: u32,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{0}")]
    Io(String),
    /// The bytes are not what was written: a damaged or altered file.
    #[error("the backup is damaged: {0}")]
    Damaged(String),
    /// Made by a newer latchkey (or a newer archive layout).
    #[error("the backup was made by a newer latchkey: {0}")]
    TooNew(String),
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A reader that hashes and counts what passes through it.
struct Hashing<R> {
    inner: R,
    sha: Sha256,
    len: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
}

/// Writes an archive to `out`, one file at a time.
pub struct ArchiveWriter<W: Write> {
    tar: tar::Builder<flate2::write::GzEncoder<W>>,
    files: Vec<FileEntry>,
    mtime: u64,
}

impl<W: Write> ArchiveWriter<W> {
    /// `mtime` (Unix seconds) goes on every entry, so that an unpacked
    /// archive shows when the backup was made.
    pub fn new(out: W, mtime: u64) -> ArchiveWriter<W> {
        // Fast compression: a database is mostly small records and empty
        // pages, which compress well at any level.
        let gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
        ArchiveWriter { tar: tar::Builder::new(gz), files: vec![], mtime }
    }

    fn header(&self, size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o600);
        h.set_mtime(self.mtime);
        h.set_entry_type(tar::EntryType::Regular);
        h
    }

    /// Adds `bytes` as `path`.
    pub fn add_bytes(&mut self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        let mut h = self.header(bytes.len() as u64);
        self.tar.append_data(&mut h, path, bytes)?;
        self.files.push(FileEntry { path: path.into(), size: bytes.len() as u64, sha256: hex(&Sha256::digest(bytes)) });
        Ok(())
    }

    /// Adds the file at `src` as `path`, streaming it. The file must not
    /// change while it is read (the database copy and blobs never do).
    pub fn add_file(&mut self, path: &str, src: &Path) -> std::io::Result<()> {
        let file = std::fs::File::open(src)?;
        let size = file.metadata()?.len();
        let mut h = self.header(size);
        let mut reader = Hashing { inner: file.take(size), sha: Sha256::new(), len: 0 };
        self.tar.append_data(&mut h, path, &mut reader)?;
        if reader.len != size {
            return Err(std::io::Error::other(format!("{} changed while it was read", src.display())));
        }
        self.files.push(FileEntry { path: path.into(), size, sha256: hex(&reader.sha.finalize()) });
        Ok(())
    }

    /// Writes the manifest and its checksum, ends the archive and returns
    /// the manifest and the writer it wrote to (flushed, not synced).
    pub fn finish(
        mut self,
        latchkey_version: &str,
        schema_version: u32,
        created_at: &str,
    ) -> std::io::Result<(Manifest, W)> {
        let manifest = Manifest {
            format: FORMAT,
            latchkey_version: latchkey_version.into(),
            schema_version,
            created_at: created_at.into(),
            files: std::mem::take(&mut self.files),
        };
        let mut text = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
        text.push(b'\n');
        let sum = format!("{}  {MANIFEST}\n", hex(&Sha256::digest(&text)));
        for (path, bytes) in [(MANIFEST, text.as_slice()), (CHECKSUM, sum.as_bytes())] {
            let mut h = self.header(bytes.len() as u64);
            self.tar.append_data(&mut h, path, bytes)?;
        }
        let gz = self.tar.into_inner()?;
        let mut out = gz.finish()?;
        out.flush()?;
        Ok((manifest, out))
    }
}

/// Whether `path` is one a data directory holds: `latchkey.redb`,
/// `secret.key`, `latchkey.toml`, a file right under `tls/`, or a blob
/// `files/ab/ab…` named by its digest.
pub fn allowed_path(path: &str) -> bool {
    let plain = |s: &str| !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0']);
    match path.split('/').collect::<Vec<_>>().as_slice() {
        ["latchkey.redb" | "secret.key" | "latchkey.toml"] => true,
        ["tls", name] => plain(name),
        ["files", fan, name] => {
            crate::store::blobs::parse_hex(name).is_some() && name.get(..2) == Some(*fan) && plain(fan)
        }
        _ => false,
    }
}

fn is_gzip(path: &Path) -> std::io::Result<bool> {
    let mut magic = [0u8; 2];
    let mut f = std::fs::File::open(path)?;
    let n = f.read(&mut magic)?;
    Ok(n == 2 && magic == [0x1f, 0x8b])
}

/// `major.minor.patch` as numbers; anything after `-` or `+` ignored.
fn version_tuple(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??, parts.next().flatten().unwrap_or(0)))
}

/// Whether `found` is a newer latchkey version than `ours`; an unreadable
/// version counts as newer (it is not one this binary wrote).
pub fn newer_version(found: &str, ours: &str) -> bool {
    match (version_tuple(found), version_tuple(ours)) {
        (Some(f), Some(o)) => f > o,
        _ => true,
    }
}

/// Unpacks the archive at `archive` into `into` (which must exist and be
/// empty), checking everything against the manifest. Files are made 0600
/// and directories 0700. On any error `into` may hold partial files: the
/// caller removes it.
pub fn unpack(
    archive: &Path,
    into: &Path,
    latchkey_version: &str,
    schema_version: u32,
) -> Result<Manifest, ArchiveError> {
    let io = |e: std::io::Error| ArchiveError::Io(format!("cannot read {}: {e}", archive.display()));
    let damaged = |e: std::io::Error| ArchiveError::Damaged(e.to_string());
    let source = std::fs::File::open(archive).map_err(io)?;
    let source = std::io::BufReader::new(source);
    let mut stream: Box<dyn Read> =
        if is_gzip(archive).map_err(io)? { Box::new(flate2::read::GzDecoder::new(source)) } else { Box::new(source) };
    let mut seen: Vec<FileEntry> = vec![];
    let (mut manifest_bytes, mut checksum_bytes) = (None, None);
    {
        let mut tar = tar::Archive::new(&mut stream);
        for entry in tar.entries().map_err(damaged)? {
            let mut entry = entry.map_err(damaged)?;
            let path = entry.path().map_err(damaged)?.to_string_lossy().into_owned();
            if entry.header().entry_type() != tar::EntryType::Regular {
                return Err(ArchiveError::Damaged(format!("{path} is not a plain file")));
            }
            if path == MANIFEST || path == CHECKSUM {
                if entry.size() > MAX_MANIFEST {
                    return Err(ArchiveError::Damaged(format!("{path} is far too large")));
                }
                let mut bytes = vec![];
                entry.read_to_end(&mut bytes).map_err(damaged)?;
                if path == MANIFEST {
                    manifest_bytes = Some(bytes)
                } else {
                    checksum_bytes = Some(bytes)
                }
                continue;
            }
            if !allowed_path(&path) {
                return Err(ArchiveError::Damaged(format!("{path:?} is not a file a data directory holds")));
            }
            if seen.iter().any(|f| f.path == path) {
                return Err(ArchiveError::Damaged(format!("{path} is in the archive twice")));
            }
            let dest = into.join(&path);
            if let Some(dir) = dest.parent() {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|e| ArchiveError::Io(format!("cannot create {}: {e}", dir.display())))?;
            }
            let write_err = |e: std::io::Error| ArchiveError::Io(format!("cannot write {}: {e}", dest.display()));
            let mut out =
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&dest).map_err(write_err)?;
            let mut reader = Hashing { inner: &mut entry, sha: Sha256::new(), len: 0 };
            // A read error is damage; a write error is the disk's.
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = reader.read(&mut buf).map_err(damaged)?;
                if n == 0 {
                    break;
                }
                out.write_all(&buf[..n]).map_err(write_err)?;
            }
            out.sync_all().map_err(write_err)?;
            seen.push(FileEntry { path, size: reader.len, sha256: hex(&reader.sha.finalize()) });
        }
    }
    // The rest of the stream: gzip's own length and CRC come after the tar's end.
    std::io::copy(&mut stream, &mut std::io::sink()).map_err(damaged)?;

    let (Some(manifest_bytes), Some(checksum_bytes)) = (manifest_bytes, checksum_bytes) else {
        return Err(ArchiveError::Damaged(format!(
            "it has no {MANIFEST} and {CHECKSUM} (is it a latchkey backup, and complete?)"
        )));
    };
    let expected = String::from_utf8_lossy(&checksum_bytes);
    let expected = expected.split_whitespace().next().unwrap_or_default();
    if expected != hex(&Sha256::digest(&manifest_bytes)) {
        return Err(ArchiveError::Damaged(format!("{MANIFEST} does not match its checksum in {CHECKSUM}")));
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| ArchiveError::Damaged(format!("{MANIFEST} cannot be read: {e}")))?;
    if manifest.format > FORMAT {
        return Err(ArchiveError::TooNew(format!(
            "archive format {} (this latchkey reads up to {FORMAT}); restore it with latchkey {} or later",
            manifest.format, manifest.latchkey_version
        )));
    }
    if manifest.schema_version > schema_version || newer_version(&manifest.latchkey_version, latchkey_version) {
        return Err(ArchiveError::TooNew(format!(
            "latchkey {} with schema {}, and this is latchkey {latchkey_version} with schema {schema_version}; \
             restore it with latchkey {} or later",
            manifest.latchkey_version, manifest.schema_version, manifest.latchkey_version
        )));
    }
    for want in &manifest.files {
        match seen.iter().find(|f| f.path == want.path) {
            None => return Err(ArchiveError::Damaged(format!("{} is missing", want.path))),
            Some(got) if got != want => {
                return Err(ArchiveError::Damaged(format!(
                    "{} does not match the manifest ({} bytes, SHA-256 {}; expected {} bytes, {})",
                    want.path, got.size, got.sha256, want.size, want.sha256
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.iter().find(|f| !manifest.files.iter().any(|w| w.path == f.path)) {
        return Err(ArchiveError::Damaged(format!("{} is not in the manifest", extra.path)));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn sample(dir: &Path) -> PathBuf {
        let blob = crate::store::blobs::hex(&crate::store::blobs::digest(b"blob"));
        let path = dir.join("a.tar.gz");
        let mut w = ArchiveWriter::new(std::fs::File::create(&path).unwrap(), 1_700_000_000);
        // Bytes that do not compress, so that every byte of the archive
        // carries content (in a run of equal bytes, a damaged back-reference
        // can decode to the very same bytes).
        let noise: Vec<u8> = (0..3125u32).flat_map(|i| crate::store::blobs::digest(&i.to_be_bytes())).collect();
        w.add_bytes("latchkey.redb", &noise).unwrap();
        w.add_bytes("secret.key", &[1u8; 32]).unwrap();
        w.add_bytes("tls/ca.pem", b"---").unwrap();
        w.add_bytes(&format!("files/{}/{blob}", &blob[..2]), b"blob").unwrap();
        w.finish("0.1.0", 3, "2026-12-01T00:00:00Z").unwrap();
        path
    }

    #[test]
    fn an_archive_unpacks_to_what_was_put_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let into = dir.path().join("out");
        std::fs::create_dir(&into).unwrap();
        let m = unpack(&path, &into, "0.1.0", 3).unwrap();
        assert_eq!(m.files.len(), 4);
        assert_eq!(m.schema_version, 3);
        assert_eq!(std::fs::read(into.join("secret.key")).unwrap(), [1u8; 32]);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(into.join("tls/ca.pem")).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(into.join("tls")).unwrap().permissions().mode() & 0o777, 0o700);
    }

    #[test]
    fn a_newer_archive_is_refused_by_an_older_binary() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        for (version, schema) in [("0.0.9", 3), ("0.1.0", 2)] {
            let into = tempfile::tempdir().unwrap();
            let e = unpack(&path, into.path(), version, schema).unwrap_err();
            assert!(matches!(e, ArchiveError::TooNew(_)), "{e}");
            assert!(e.to_string().contains("newer latchkey"), "{e}");
        }
    }

    #[test]
    fn damaged_content_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let good = std::fs::read(&path).unwrap();
        for at in [good.len() / 3, good.len() / 2, good.len() - 12] {
            let mut bad = good.clone();
            bad[at] ^= 0x40;
            std::fs::write(&path, &bad).unwrap();
            let into = tempfile::tempdir().unwrap();
            let e = unpack(&path, into.path(), "0.1.0", 3).map(|_| format!("byte {at}")).unwrap_err();
            assert!(matches!(e, ArchiveError::Damaged(_)), "byte {at}: {e}");
        }
        std::fs::write(&path, &good[..good.len() / 2]).unwrap();
        let into = tempfile::tempdir().unwrap();
        assert!(matches!(unpack(&path, into.path(), "0.1.0", 3), Err(ArchiveError::Damaged(_))), "cut short");
    }

    #[test]
    fn only_data_directory_paths_are_accepted() {
        let blob = crate::store::blobs::hex(&[0xab; 32]);
        for ok in ["latchkey.redb", "secret.key", "latchkey.toml", "tls/ca.pem", &format!("files/ab/{blob}")] {
            assert!(allowed_path(ok), "{ok}");
        }
        for no in [
            "../secret.key",
            "/etc/passwd",
            "tls/../../x",
            "tls/sub/x",
            "files/cd/{blob}",
            &format!("files/cd/{blob}"),
            "files/ab/ab",
            "other",
            "",
        ] {
            assert!(!allowed_path(no), "{no}");
        }
        assert!(newer_version("0.2.0", "0.1.9") && newer_version("1.0.0-rc1", "0.9.0") && newer_version("x", "0.1.0"));
        assert!(!newer_version("0.1.0", "0.1.0") && !newer_version("0.0.9", "0.1.0"));
    }
}
