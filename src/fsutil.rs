//! Files in the data directory are the owner's alone (0600): the database,
//! the at-rest key and the TLS keys and certificates. These helpers write a
//! file that way atomically, and tighten one left looser by an older version.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Owner read and write, nothing for anyone else.
pub const PRIVATE: u32 = 0o600;

/// Writes `contents` to `path` with mode 0600: to a temporary file beside it,
/// synced, then renamed over `path` (and the directory synced), so a crash
/// leaves the old file or the new one, never a partial one.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(PRIVATE).open(&tmp)?;
    // A temporary file left by a crash keeps its old mode; `mode` applies only on creation.
    f.set_permissions(std::fs::Permissions::from_mode(PRIVATE))?;
    f.write_all(contents)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Makes an empty file at `path` with mode 0600 unless one is there, so that
/// whoever opens it next finds it private from the start.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(PRIVATE).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Takes away any group or other permission from an existing file.
pub fn restrict(path: &Path) -> std::io::Result<()> {
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn writes_replaces_and_restricts() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.pem");
        write_private(&p, b"one").unwrap();
        assert_eq!(mode(&p), 0o600);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(mode(&p), 0o600, "the replacement is private whatever the old file was");
        assert!(!d.path().join("a.pem.tmp").exists());

        let q = d.path().join("b");
        create_private(&q).unwrap();
        assert_eq!(mode(&q), 0o600);
        std::fs::write(&q, b"kept").unwrap();
        create_private(&q).unwrap();
        assert_eq!(std::fs::read(&q).unwrap(), b"kept", "an existing file is left as it is");

        std::fs::set_permissions(&q, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict(&q).unwrap();
        assert_eq!(mode(&q), 0o600);
    }
}
