//! Taking a backup: the database copied from one read snapshot
//! (`store::snapshot`), the data directory's keys (`secret.key`, `tls/`),
//! its `latchkey.toml` when there is one, and every blob the snapshot
//! refers to, packed into one archive (`ops::archive`), written to a
//! temporary file, synced and renamed into place with mode 0600: it holds
//! every secret the server has. The JWT signing keys are rows of the
//! database (sealed with `secret.key`), so they come with it.
//!
//! The same function serves `latchkey backup FILE` (in the running server,
//! over the management socket, or offline) and the schedule (`backup_dir`),
//! which also deletes the oldest scheduled backups beyond `backup_keep`.
//! Each backup is audited (`backup.create`) and recorded as the last one
//! for the dashboard.

use super::archive::{self, ArchiveWriter};
use crate::app::App;
use crate::store::audit::{self, Who};
use crate::store::backups::{self, LastBackup};
use crate::store::blobs::{self, Blobs};
use crate::store::{StoreError, snapshot};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// What a backup wrote, as the command line prints it.
#[derive(Debug, Clone, Serialize)]
pub struct BackupView {
    pub file: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the archive file (what `sha256sum FILE` prints).
    pub sha256: String,
    pub created_at: String,
    pub latchkey_version: String,
    pub schema_version: u32,
    /// Files in the archive besides its manifest, blobs included.
    pub files: usize,
    pub blobs: usize,
    /// Blobs the database refers to whose files were already missing from
    /// `files/` (a damaged data directory): the backup holds the rest and
    /// says which, rather than never succeeding again.
    pub missing_blobs: Vec<String>,
}

/// The names scheduled backups get, `latchkey-20261201T030000Z.tar.gz`:
/// sorting by name sorts by time.
const PREFIX: &str = "latchkey-";
const SUFFIX: &str = ".tar.gz";

/// How often a snapshot is taken again when a blob it refers to went away
/// before it was copied (its last user was removed in between).
const ATTEMPTS: usize = 5;

enum Failed {
    /// A blob of the snapshot is gone: take a new snapshot.
    BlobGone,
    Other(String),
}

impl From<std::io::Error> for Failed {
    fn from(e: std::io::Error) -> Failed {
        Failed::Other(e.to_string())
    }
}

impl From<StoreError> for Failed {
    fn from(e: StoreError) -> Failed {
        Failed::Other(e.to_string())
    }
}

/// A file beside `dest` that nobody else writes: `.NAME.RANDOM.what`.
fn beside(dest: &Path, what: &str) -> PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.{:016x}.{what}", rand::random::<u64>()))
}

/// Writes `File` and hashes what goes through, so the archive's checksum
/// needs no second read.
struct HashingFile {
    file: std::io::BufWriter<std::fs::File>,
    sha: Sha256,
    len: u64,
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.sha.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The small files of the data directory a restore needs besides the
/// database: (name in the archive, path). Temporary files are left out.
fn key_files(data_dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = vec![];
    for name in ["secret.key", "latchkey.toml"] {
        let p = data_dir.join(name);
        if p.is_file() {
            out.push((name.to_string(), p));
        }
    }
    let tls = data_dir.join("tls");
    if tls.is_dir() {
        let mut names = vec![];
        for entry in std::fs::read_dir(&tls)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && !name.ends_with(".tmp") && archive::allowed_path(&format!("tls/{name}"))
            {
                names.push(name);
            }
        }
        names.sort();
        out.extend(names.into_iter().map(|n| (format!("tls/{n}"), tls.join(&n))));
    }
    Ok(out)
}

/// One attempt: snapshot, pack, sync, rename. Blocking.
fn attempt(app: &App, dest: &Path, created_at: &str, mtime: u64) -> Result<BackupView, Failed> {
    let data_dir = &app.config.data_dir;
    let db_copy = beside(dest, "redb");
    let packed = beside(dest, "tmp");
    let result = (|| {
        let copied = snapshot::copy_to(&app.store, &db_copy)?;
        let file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&packed)?;
        let out = HashingFile { file: std::io::BufWriter::new(file), sha: Sha256::new(), len: 0 };
        let mut w = ArchiveWriter::new(out, mtime);
        w.add_file("latchkey.redb", &db_copy)?;
        for (name, path) in key_files(data_dir)? {
            // Read whole: a key file is small, and the certificate may be
            // renewed meanwhile (the old or the new one is fine, not a mix).
            w.add_bytes(&name, &std::fs::read(&path)?)?;
        }
        let store_blobs = Blobs::in_data_dir(data_dir);
        let mut missing = vec![];
        for sha in &copied.blobs {
            let name = blobs::hex(sha);
            match w.add_file(&format!("files/{}/{name}", &name[..2]), &store_blobs.path(sha)) {
                // Deleted since the snapshot (its last user went): a new
                // snapshot will not name it. Still in use: the file was lost
                // before this backup began, and no snapshot will find it.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if app.store.read(|tx| blobs::is_referenced(tx, sha))? {
                        missing.push(name);
                    } else {
                        return Err(Failed::BlobGone);
                    }
                }
                r => r?,
            }
        }
        let (manifest, out) = w.finish(env!("CARGO_PKG_VERSION"), copied.schema_version, created_at)?;
        let HashingFile { file, sha, len } = out;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&packed, dest)?;
        if let Some(dir) = dest.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(BackupView {
            file: dest.display().to_string(),
            size: len,
            sha256: blobs::hex(&sha.finalize().into()),
            created_at: created_at.into(),
            latchkey_version: manifest.latchkey_version,
            schema_version: manifest.schema_version,
            files: manifest.files.len(),
            blobs: copied.blobs.len() - missing.len(),
            missing_blobs: missing,
        })
    })();
    let _ = std::fs::remove_file(&db_copy);
    if result.is_err() {
        let _ = std::fs::remove_file(&packed);
    }
    result
}

/// Writes a backup of the whole data directory to `dest` (an absolute path
/// whose directory exists; an existing file is not replaced), records it
/// and audits it.
pub async fn create(app: &App, dest: &Path, scheduled: bool, who: Who) -> Result<BackupView, String> {
    let shown = dest.display();
    if !dest.is_absolute() {
        return Err(format!("{shown}: the backup file must be given as an absolute path"));
    }
    match dest.parent() {
        Some(dir) if dir.is_dir() => {}
        _ => return Err(format!("{shown}: its directory does not exist")),
    }
    if dest.exists() {
        return Err(format!("{shown} exists already; choose a new name (a backup never replaces a file)"));
    }
    let now = app.now();
    let created_at = crate::clock::rfc3339(now);
    let (a, d, c) = (app.clone(), dest.to_path_buf(), created_at.clone());
    let view = tokio::task::spawn_blocking(move || {
        for _ in 0..ATTEMPTS {
            match attempt(&a, &d, &c, now.max(0) as u64) {
                Err(Failed::BlobGone) => continue,
                Err(Failed::Other(e)) => return Err(format!("cannot write the backup {}: {e}", d.display())),
                Ok(v) => return Ok(v),
            }
        }
        Err(format!("cannot write the backup {}: files kept being removed while it was taken; try again", d.display()))
    })
    .await
    .map_err(|e| format!("the backup stopped unexpectedly: {e}"))??;
    let last = LastBackup { at: now, size: view.size, file: view.file.clone(), scheduled };
    if !view.missing_blobs.is_empty() {
        tracing::warn!(missing = ?view.missing_blobs, "backup: files the database refers to are missing from files/");
    }
    let detail = format!(
        "{} bytes, sha256 {}{}{}",
        view.size,
        view.sha256,
        if scheduled { ", scheduled" } else { "" },
        if view.missing_blobs.is_empty() {
            String::new()
        } else {
            format!(", {} blobs missing from files/", view.missing_blobs.len())
        }
    );
    let file = view.file.clone();
    app.store
        .write(move |tx| {
            backups::record(tx, &last)?;
            audit::record(tx, now, &who, "backup.create", &file, &detail)?;
            Ok::<_, StoreError>(())
        })
        .await
        .map_err(|e| format!("the backup {shown} was written, but recording it failed: {e}"))?;
    Ok(view)
}

/// The scheduled backups in `dir`, oldest first.
fn scheduled_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with(PREFIX) && name.ends_with(SUFFIX) {
            out.push(dir.join(name));
        }
    }
    out.sort();
    Ok(out)
}

/// The time a scheduled backup's name carries.
fn taken_at(path: &Path) -> Option<i64> {
    let name = path.file_name()?.to_str()?;
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let t = time::PrimitiveDateTime::parse(stamp, format).ok()?;
    Some(t.assume_utc().unix_timestamp())
}

/// One run of the schedule: a backup into `backup_dir` when the newest
/// there is `backup_interval` old (or there is none), then the oldest
/// beyond `backup_keep` deleted. Looking at the folder rather than a timer
/// keeps the rhythm across restarts. Returns how many backups it wrote.
pub async fn scheduled(app: &App) -> Result<usize, String> {
    let Some(plan) = app.config.backup.clone() else {
        return Ok(0);
    };
    let now = app.now();
    let dir = plan.dir.clone();
    let existing = tokio::task::spawn_blocking(move || {
        std::fs::DirBuilder::new().recursive(true).create(&dir)?;
        scheduled_in(&dir)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("backup_dir {}: {e}", plan.dir.display()))?;
    let newest = existing.iter().rev().find_map(|p| taken_at(p));
    if newest.is_some_and(|t| now - t < plan.interval.as_secs() as i64) {
        return Ok(0);
    }
    let stamp = time::OffsetDateTime::from_unix_timestamp(now)
        .map_err(|e| e.to_string())?
        .format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"))
        .map_err(|e| e.to_string())?;
    let dest = plan.dir.join(format!("{PREFIX}{stamp}{SUFFIX}"));
    create(app, &dest, true, Who::system()).await?;
    prune(app, &plan.dir, plan.keep as usize).await?;
    Ok(1)
}

/// Deletes the oldest scheduled backups in `dir` beyond the `keep` newest;
/// each deletion is audited (`backup.delete`).
async fn prune(app: &App, dir: &Path, keep: usize) -> Result<(), String> {
    let d = dir.to_path_buf();
    let gone = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<String>> {
        let all = scheduled_in(&d)?;
        let mut gone = vec![];
        for old in all.iter().take(all.len().saturating_sub(keep)) {
            std::fs::remove_file(old)?;
            gone.push(old.display().to_string());
        }
        if !gone.is_empty() {
            std::fs::File::open(&d)?.sync_all()?;
        }
        Ok(gone)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("cannot delete old backups in {}: {e}", dir.display()))?;
    if gone.is_empty() {
        return Ok(());
    }
    let now = app.now();
    app.store
        .write(move |tx| {
            for file in &gone {
                audit::record(tx, now, &Who::system(), "backup.delete", file, "older than the newest backup_keep")?;
            }
            Ok::<_, StoreError>(())
        })
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;

    #[test]
    fn scheduled_names_sort_by_time_and_carry_it() {
        let p = Path::new("/b/latchkey-20261201T030000Z.tar.gz");
        assert_eq!(taken_at(p), Some(1_796_094_000));
        assert_eq!(taken_at(Path::new("/b/other.tar.gz")), None);
        assert_eq!(taken_at(Path::new("/b/latchkey-junk.tar.gz")), None);
    }

    #[tokio::test]
    async fn a_schedule_writes_when_due_and_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let backups = dir.path().join("backups");
        let clock = std::sync::Arc::new(FrozenClock::at(1_796_094_000));
        let mut config =
            crate::config::Config::resolve(dir.path().join("data"), crate::config::Settings::default()).unwrap();
        config.argon2 = crate::config::Argon2Params { memory_kib: 8192, iterations: 1, parallelism: 1 };
        config.backup = Some(crate::config::BackupSchedule {
            dir: backups.clone(),
            interval: std::time::Duration::from_secs(3600),
            keep: 2,
        });
        let app = App::open(config, clock.clone()).unwrap();
        app.add_test_member("ada").await;

        for step in 0..4 {
            assert_eq!(scheduled(&app).await.unwrap(), 1, "due at step {step}");
            assert_eq!(scheduled(&app).await.unwrap(), 0, "not due again at once");
            clock.advance(std::time::Duration::from_secs(3600));
        }
        let left: Vec<_> = scheduled_in(&backups).unwrap();
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(left[1].ends_with("latchkey-20261201T060000Z.tar.gz"), "{left:?}");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&left[1]).unwrap().permissions().mode() & 0o777, 0o600);
        let last = app.store.read(backups::last).unwrap().unwrap();
        assert!(last.scheduled && last.file.ends_with("060000Z.tar.gz"), "{last:?}");
        let actions: Vec<String> = app
            .store
            .read(|tx| audit::recent(tx, None, 20))
            .unwrap()
            .into_iter()
            .map(|(_, e)| e.action)
            .filter(|a| a.starts_with("backup."))
            .collect();
        assert_eq!(actions.iter().filter(|a| *a == "backup.create").count(), 4);
        assert_eq!(actions.iter().filter(|a| *a == "backup.delete").count(), 2);
        let e = create(&app, &left[1], false, Who::cli()).await.unwrap_err();
        assert!(e.contains("exists already"), "{e}");
        let e = create(&app, Path::new("relative.tar.gz"), false, Who::cli()).await.unwrap_err();
        assert!(e.contains("absolute"), "{e}");
    }

    #[tokio::test]
    async fn blobs_in_use_are_packed_and_a_lost_one_is_named_not_fatal() {
        use crate::store::blobs::Owner;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let app = App::for_tests(&data, FrozenClock::at(1_796_094_000));
        let store_blobs = Blobs::in_data_dir(&data);
        let (kept, lost) = (store_blobs.put(b"kept picture").unwrap(), blobs::digest(b"lost picture"));
        let unused = store_blobs.put(b"nobody uses me").unwrap();
        app.store
            .write(move |tx| {
                blobs::add_ref(tx, &kept, Owner::Avatar(crate::ids::UserId(1)))?;
                blobs::add_ref(tx, &lost, Owner::Avatar(crate::ids::UserId(2)))
            })
            .await
            .unwrap();
        let file = dir.path().join("b.tar.gz");
        let v = create(&app, &file, false, Who::cli()).await.unwrap();
        assert_eq!((v.blobs, v.missing_blobs.clone()), (1, vec![blobs::hex(&lost)]));
        let into = dir.path().join("unpacked");
        std::fs::create_dir(&into).unwrap();
        let m = archive::unpack(&file, &into, env!("CARGO_PKG_VERSION"), crate::store::SCHEMA_VERSION).unwrap();
        let names: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
        let kept_name = blobs::hex(&kept);
        assert!(names.contains(&format!("files/{}/{kept_name}", &kept_name[..2]).as_str()), "{names:?}");
        assert!(!names.iter().any(|n| n.contains(&blobs::hex(&unused))), "an unused file is not taken: {names:?}");
        assert_eq!(std::fs::read(into.join("files").join(&kept_name[..2]).join(&kept_name)).unwrap(), b"kept picture");
    }
}
