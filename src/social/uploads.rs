//! An upload from bytes on disk to a file record: the API streams the body
//! into a staged blob (`store::blobs::Staged`), and this checks where it
//! goes, sniffs its type against the allow-list (`upload_types`), cleans an
//! image (metadata out, preview made once), and settles the blob (synced,
//! renamed to its digest) *before* the transaction that records it
//! commits: a crash in between leaves at most an unreferenced blob, never a
//! record without its bytes. Blobs nobody refers to any more are removed
//! after the commit that let them go.

use super::SocialError;
use super::files::{self, Content, Target};
use super::images::{self, ImageRefusal};
use super::sniff;
use crate::app::App;
use crate::ids::UserId;
use crate::store::blobs::{self, Blobs, Finished, REFS_LOCK};
use crate::store::social::files::StoredFile;
use std::io::Read;

/// Image decoding is CPU and memory heavy: two at a time at most.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Social(#[from] SocialError),
    /// The sniffed type is not on the allow-list.
    #[error("files of type {0} are not accepted here")]
    Unsupported(String),
    /// An image that cannot be used (broken, or too large in pixels).
    #[error("{0}")]
    Image(String),
    #[error("{0}")]
    Internal(String),
}

impl From<crate::store::StoreError> for UploadError {
    fn from(e: crate::store::StoreError) -> Self {
        UploadError::Social(e.into())
    }
}

pub fn blobs_of(app: &App) -> Blobs {
    Blobs::in_data_dir(&app.config.data_dir)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, UploadError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| UploadError::Internal(e.to_string()))
}

fn internal(what: &str) -> impl Fn(std::io::Error) -> UploadError + '_ {
    move |e| UploadError::Internal(format!("{what}: {e}"))
}

/// Records the upload of `staged` (all its bytes on disk, synced) by
/// `actor`, named `name` (already cleaned), at `target`.
pub async fn upload(
    app: &App,
    actor: UserId,
    target: Target,
    name: String,
    staged: Finished,
) -> Result<StoredFile, UploadError> {
    // Refused places are refused before any image work.
    app.store.read(|tx| Ok(files::check_target(tx, actor, &target)))??;
    let path = staged.path().to_path_buf();
    let head = blocking(move || {
        let mut head = Vec::with_capacity(sniff::HEAD);
        std::fs::File::open(&path)?.take(sniff::HEAD as u64).read_to_end(&mut head)?;
        Ok::<_, std::io::Error>(head)
    })
    .await?
    .map_err(internal("cannot read the upload back"))?;
    let content_type = sniff::sniff(&head, &name).to_string();
    if !app.config.upload_types.contains(&content_type) {
        return Err(UploadError::Unsupported(content_type));
    }
    let blobs = blobs_of(app);
    let (staged, preview) = {
        let _permit = DECODING.acquire().await.map_err(|e| UploadError::Internal(e.to_string()))?;
        let (path, ct, b) = (staged.path().to_path_buf(), content_type.clone(), blobs.clone());
        let cleaned = blocking(move || -> Result<_, ImageRefusal> {
            let Some(c) = images::clean(&path, &ct)? else { return Ok(None) };
            let mut s = b.stage()?;
            s.write(&c.bytes)?;
            Ok(Some((s.finish()?, c.preview)))
        })
        .await?;
        match cleaned {
            Ok(None) => (staged, None),
            Ok(Some((clean, preview))) => (clean, Some(preview)),
            Err(ImageRefusal::Unusable(m)) => return Err(UploadError::Image(format!("The image {m}."))),
            Err(ImageRefusal::Io(e)) => return Err(UploadError::Internal(format!("cannot clean an image: {e}"))),
        }
    };
    let size = staged.size;
    let guard = REFS_LOCK.lock().await;
    let b = blobs.clone();
    let (sha, preview) = blocking(move || {
        let sha = b.settle(staged)?;
        let preview = preview.map(|p| b.put(&p)).transpose()?;
        Ok::<_, std::io::Error>((sha, preview))
    })
    .await?
    .map_err(internal("cannot store the file"))?;
    let content = Content { name, size, content_type, sha256: sha, preview };
    let now = app.now();
    let c = content.clone();
    let outcome = super::write(&app.store, move |tx| files::create(tx, actor, &target, &c, now)).await;
    drop(guard);
    if outcome.is_err() {
        collect(app, [Some(sha), preview].into_iter().flatten().collect()).await;
    }
    Ok(outcome?)
}

/// Removes each blob that nothing refers to any more; run after the commit
/// that dropped a reference. A failure only leaves a file behind, so it is
/// logged, not returned.
pub async fn collect(app: &App, shas: Vec<[u8; 32]>) {
    let _guard = REFS_LOCK.lock().await;
    for sha in shas {
        match app.store.read(|tx| blobs::is_referenced(tx, &sha)) {
            Ok(false) => {
                let b = blobs_of(app);
                match blocking(move || b.remove(&sha)).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::warn!(blob = %blobs::hex(&sha), error = %e, "cannot remove an unused blob"),
                    Err(e) => tracing::warn!(blob = %blobs::hex(&sha), error = %e, "cannot remove an unused blob"),
                }
            }
            Ok(true) => {}
            Err(e) => tracing::warn!(blob = %blobs::hex(&sha), error = %e, "cannot check whether a blob is used"),
        }
    }
}

/// At start, before any request: removes the temporary files of uploads a
/// crash cut short, and the blobs nothing refers to (one settled just
/// before a crash, before its record committed; the files of a deleted
/// group). Returns how many of each went.
pub async fn sweep(app: &App) -> Result<(usize, usize), UploadError> {
    let _guard = REFS_LOCK.lock().await;
    let b = blobs_of(app);
    let (staged, stored) = blocking(move || Ok::<_, std::io::Error>((b.sweep_staged()?, b.stored()?)))
        .await?
        .map_err(internal("cannot read the blob directory"))?;
    // One read transaction for the whole directory, not one per blob.
    let unused = app.store.read(|tx| {
        let mut unused = vec![];
        for sha in stored {
            if !blobs::is_referenced(tx, &sha)? {
                unused.push(sha);
            }
        }
        Ok(unused)
    })?;
    let n = unused.len();
    let b = blobs_of(app);
    blocking(move || unused.iter().try_for_each(|sha| b.remove(sha).map(|_| ())))
        .await?
        .map_err(internal("cannot remove an unused blob"))?;
    Ok((staged, n))
}
