//! `latchkey restore FILE`: a backup back into a data directory that does
//! not exist or is empty, with the server stopped. The archive is unpacked
//! into a new directory beside the target and checked whole (`archive::
//! unpack`: checksum, versions, every file) and its database opened
//! read-only; only then is that directory renamed into place, so a refused
//! or interrupted restore leaves the target as it was.

use super::archive::{self, ArchiveError, Manifest};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(
        "{0} is not empty; restore needs a data directory that does not exist or is empty \
         (move the old one aside, or pick another --data-dir)"
    )]
    NotEmpty(String),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{0}")]
    Io(String),
}

/// What was restored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Restored {
    pub data_dir: String,
    pub created_at: String,
    pub latchkey_version: String,
    pub schema_version: u32,
    pub files: usize,
}

fn io(what: &str, path: &Path) -> impl Fn(std::io::Error) -> RestoreError {
    let place = format!("{what} {}", path.display());
    move |e| RestoreError::Io(format!("{place}: {e}"))
}

/// Syncs `dir` and every directory under it (files are synced by
/// `archive::unpack`).
fn sync_dirs(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_dirs(&entry.path())?;
        }
    }
    std::fs::File::open(dir)?.sync_all()
}

/// Restores the backup `archive` into `data_dir`. The caller has made
/// sure no server runs there (a running server's directory is not empty
/// either, so this is refused anyway).
pub fn restore(archive_path: &Path, data_dir: &Path) -> Result<Restored, RestoreError> {
    let existed = match std::fs::read_dir(data_dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(RestoreError::NotEmpty(data_dir.display().to_string()));
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(io("cannot read", data_dir)(e)),
    };
    if !archive_path.is_file() {
        return Err(RestoreError::Io(format!("{}: no such backup file", archive_path.display())));
    }
    let target = std::path::absolute(data_dir).map_err(io("cannot resolve", data_dir))?;
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
    std::fs::create_dir_all(&parent).map_err(io("cannot create", &parent))?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let staging = parent.join(format!(".{name}.restore-{:016x}", rand::random::<u64>()));
    std::fs::create_dir(&staging).map_err(io("cannot create", &staging))?;
    let result = (|| {
        std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o700))
            .map_err(io("cannot restrict", &staging))?;
        let manifest: Manifest =
            archive::unpack(archive_path, &staging, env!("CARGO_PKG_VERSION"), crate::store::SCHEMA_VERSION)?;
        // The database must be one this binary can open: readable, and not
        // from a newer schema than the manifest said.
        let db = staging.join("latchkey.redb");
        match crate::store::plan(&db) {
            Ok(crate::store::Plan::TooNew { found }) => {
                return Err(ArchiveError::TooNew(format!("its database is at schema {found}")).into());
            }
            Ok(_) => {}
            Err(e) => return Err(ArchiveError::Damaged(format!("its database cannot be read: {e}")).into()),
        }
        // The files were synced as they were written; their names must be
        // on disk too before the folder takes the target's name.
        sync_dirs(&staging).map_err(io("cannot sync", &staging))?;
        // Into place in one step: an empty target goes, the new one takes its name.
        if existed {
            std::fs::remove_dir(&target).map_err(io("cannot replace", &target))?;
        }
        std::fs::rename(&staging, &target).map_err(io("cannot move the restored files to", &target))?;
        std::fs::File::open(&parent).and_then(|d| d.sync_all()).map_err(io("cannot sync", &parent))?;
        Ok(Restored {
            data_dir: target.display().to_string(),
            created_at: manifest.created_at,
            latchkey_version: manifest.latchkey_version,
            schema_version: manifest.schema_version,
            files: manifest.files.len(),
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}
