//! Members' avatars: an uploaded PNG, JPEG or WebP is decoded under limits
//! (so a decompression bomb is refused, not rendered), turned upright by
//! its EXIF orientation, centre-cropped and scaled to a 256x256 PNG, and
//! stored as a blob (`store::blobs`). Only the pixels survive the
//! re-encoding: no EXIF, GPS position, ICC profile or comment leaks out.
//! The blob is on disk before the member record names it; a blob no
//! member uses any more is removed after the commit that let it go.

use crate::app::App;
use crate::store::audit::{self, Who};
use crate::store::blobs::{self, Blobs, Owner};
use crate::store::users::{self, User};
use crate::store::{StoreError, UserId};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The largest upload accepted (the body or the multipart field).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// The side of the square avatar that is stored and served.
pub const SIDE: u32 = 256;
/// The widest or tallest image decoded.
const MAX_DIMENSION: u32 = 8192;
/// The most memory the decoded pixels may take (about 16 megapixels of RGBA).
const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;

/// Decoding is CPU and memory heavy: two at a time at most, so a burst of
/// uploads cannot take every core or hundreds of megabytes. A process-wide
/// limit (not per `App`) because it guards the machine, not a data directory.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Serialises putting a blob and committing its reference against removing
/// an unreferenced one (shared with uploaded files: see `blobs::REFS_LOCK`).
use crate::store::blobs::REFS_LOCK as BLOB_REFS;

#[derive(Debug, thiserror::Error)]
pub enum AvatarError {
    /// The bytes are not a picture this server reads, or one too large in
    /// pixels; the message says which, for a person.
    #[error("{0}")]
    Unusable(String),
    #[error("the member is disabled or gone")]
    Gone,
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn unusable(message: impl Into<String>) -> AvatarError {
    AvatarError::Unusable(message.into())
}

/// The bytes of an uploaded picture as the stored avatar: a `SIDE` x `SIDE`
/// PNG of its centre, upright. Blocking and CPU-bound.
pub fn render(bytes: &[u8]) -> Result<Vec<u8>, AvatarError> {
    let mut reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| AvatarError::Internal(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) => {}
        _ => return Err(unusable("is not a PNG, JPEG or WebP image")),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let too_big =
        || unusable(format!("is too large: at most {MAX_DIMENSION}x{MAX_DIMENSION} pixels and about 16 megapixels"));
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => too_big(),
        e => unusable(format!("could not be read as an image: {e}")),
    })?;
    // The header's size is checked before a single pixel is decoded.
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(too_big());
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => too_big(),
        e => unusable(format!("could not be decoded: {e}")),
    })?;
    img.apply_orientation(orientation);
    if img.width() == 0 || img.height() == 0 {
        return Err(unusable("has no pixels"));
    }
    let square = img.resize_to_fill(SIDE, SIDE, image::imageops::FilterType::CatmullRom);
    let square = if square.color().has_alpha() {
        DynamicImage::ImageRgba8(square.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(square.to_rgb8())
    };
    let mut out = Cursor::new(Vec::new());
    square.write_to(&mut out, ImageFormat::Png).map_err(|e| AvatarError::Internal(e.to_string()))?;
    Ok(out.into_inner())
}

/// The public address of an avatar blob.
pub fn url(app: &App, sha: &[u8; 32]) -> String {
    app.config.url(&format!("avatars/{}.png", blobs::hex(sha)))
}

fn blobs_of(app: &App) -> Blobs {
    Blobs::in_data_dir(&app.config.data_dir)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AvatarError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AvatarError::Internal(e.to_string()))
}

/// Makes `bytes` (an uploaded picture) the member's avatar. The old one's
/// blob goes if nobody else uses it.
pub async fn set(app: &App, id: UserId, bytes: Vec<u8>, who: Who) -> Result<User, AvatarError> {
    let png = {
        let _permit = DECODING.acquire().await.map_err(|e| AvatarError::Internal(e.to_string()))?;
        blocking(move || render(&bytes)).await??
    };
    let blobs = blobs_of(app);
    let guard = BLOB_REFS.lock().await;
    let store = blobs.clone();
    let sha = blocking(move || store.put(&png))
        .await?
        .map_err(|e| AvatarError::Internal(format!("cannot store the avatar: {e}")))?;
    let now = app.now();
    let outcome = app
        .store
        .write(move |tx| {
            let Some(mut u) = users::get(tx, id)?.filter(|u| !u.disabled) else {
                return Ok(Err(AvatarError::Gone));
            };
            let old = u.avatar.replace(sha);
            if old != Some(sha) {
                if let Some(old) = &old {
                    blobs::remove_ref(tx, old, Owner::Avatar(id))?;
                }
                blobs::add_ref(tx, &sha, Owner::Avatar(id))?;
                users::put(tx, &mut u)?;
                audit::record(tx, now, &who, "user.avatar", &u.username, &format!("set {}", blobs::hex(&sha)))?;
            }
            Ok::<_, StoreError>(Ok((u, old.filter(|o| *o != sha))))
        })
        .await;
    drop(guard);
    let (user, old) = match outcome {
        Ok(Ok(done)) => done,
        // Nothing refers to the new blob: it goes again (unless it was
        // someone else's already).
        Ok(Err(e)) => {
            collect(app, sha).await;
            return Err(e);
        }
        Err(e) => {
            collect(app, sha).await;
            return Err(e.into());
        }
    };
    if let Some(old) = old {
        collect(app, old).await;
    }
    Ok(user)
}

/// Takes the member's avatar away (nothing changes when they had none).
pub async fn remove(app: &App, id: UserId, who: Who) -> Result<User, AvatarError> {
    let now = app.now();
    let (user, old) = app
        .store
        .write(move |tx| {
            let Some(mut u) = users::get(tx, id)?.filter(|u| !u.disabled) else {
                return Ok(Err(AvatarError::Gone));
            };
            let old = u.avatar.take();
            if let Some(old) = &old {
                blobs::remove_ref(tx, old, Owner::Avatar(id))?;
                users::put(tx, &mut u)?;
                audit::record(tx, now, &who, "user.avatar", &u.username, "removed")?;
            }
            Ok::<_, StoreError>(Ok((u, old)))
        })
        .await??;
    if let Some(old) = old {
        collect(app, old).await;
    }
    Ok(user)
}

/// Removes the blob `sha` if nothing refers to it any more; run after the
/// commit that dropped a reference. A failure only leaves a file behind,
/// so it is logged, not returned.
pub async fn collect(app: &App, sha: [u8; 32]) {
    let _guard = BLOB_REFS.lock().await;
    match app.store.read(|tx| blobs::is_referenced(tx, &sha)) {
        Ok(false) => {
            let blobs = blobs_of(app);
            match blocking(move || blobs.remove(&sha)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(blob = %blobs::hex(&sha), error = %e, "cannot remove an unused blob"),
                Err(e) => tracing::warn!(blob = %blobs::hex(&sha), error = %e, "cannot remove an unused blob"),
            }
        }
        Ok(true) => {}
        Err(e) => tracing::warn!(blob = %blobs::hex(&sha), error = %e, "cannot check whether a blob is used"),
    }
}

/// The bytes to serve at `/avatars/{sha}.png`: only a blob that is an
/// enabled member's avatar (blobs hold other things, which this address
/// must never hand out).
pub async fn served(app: &App, sha: [u8; 32]) -> Result<Option<Vec<u8>>, AvatarError> {
    let shown = app.store.read(|tx| {
        for owner in blobs::owners(tx, &sha)? {
            let Owner::Avatar(id) = owner else { continue };
            if users::get(tx, id)?.is_some_and(|u| !u.disabled && u.avatar == Some(sha)) {
                return Ok(true);
            }
        }
        Ok(false)
    });
    // An unreadable reference (a newer binary's kind of owner) serves nothing.
    match shown {
        Ok(true) => {}
        Ok(false) | Err(StoreError::Corrupt(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let blobs = blobs_of(app);
    blocking(move || blobs.read(&sha)).await?.map_err(|e| AvatarError::Internal(format!("cannot read an avatar: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;
    use image::{Rgb, RgbImage};

    /// A 200x100 JPEG, red on the left and blue on the right, with an EXIF
    /// block that says "turn me 90 degrees clockwise" and holds a position.
    fn sideways_jpeg_with_exif() -> Vec<u8> {
        let img = RgbImage::from_fn(200, 100, |x, _| if x < 100 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
        let mut jpeg = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img).write_to(&mut jpeg, ImageFormat::Jpeg).unwrap();
        let jpeg = jpeg.into_inner();
        let secret = b"GPS 52.3731N 4.8922E at home\0";
        // TIFF, big-endian: IFD0 at 8 with Orientation = 6 and an ImageDescription.
        let mut tiff = vec![b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 2];
        tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        tiff.extend([0x01, 0x0e, 0, 2, 0, 0, 0, secret.len() as u8, 0, 0, 0, 38]);
        tiff.extend([0, 0, 0, 0]);
        tiff.extend(secret);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let mut out = vec![0xff, 0xd8, 0xff, 0xe1];
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend(&jpeg[2..]);
        out
    }

    fn pixel(png: &[u8], x: u32, y: u32) -> [u8; 3] {
        let img = image::load_from_memory_with_format(png, ImageFormat::Png).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (SIDE, SIDE));
        img.get_pixel(x, y).0
    }

    fn reddish(p: [u8; 3]) -> bool {
        p[0] > 200 && p[2] < 60
    }

    fn bluish(p: [u8; 3]) -> bool {
        p[2] > 200 && p[0] < 60
    }

    #[test]
    fn a_photo_is_turned_upright_cropped_and_stripped() {
        let jpeg = sideways_jpeg_with_exif();
        assert!(jpeg.windows(8).any(|w| w == b"GPS 52.3"));
        let png = render(&jpeg).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        assert!(!png.windows(4).any(|w| w == b"GPS " || w == b"Exif" || w == b"eXIf"), "no metadata survives");
        // Turned clockwise: the left (red) half is now on top.
        assert!(reddish(pixel(&png, 64, 32)) && reddish(pixel(&png, 192, 32)), "red on top");
        assert!(bluish(pixel(&png, 64, 224)) && bluish(pixel(&png, 192, 224)), "blue below");
    }

    #[test]
    fn other_formats_and_bombs_are_refused_before_decoding() {
        for junk in [&b""[..], b"GIF89a\x01\x00\x01\x00", b"hello, world", b"\x89PNG\r\n\x1a\n broken"] {
            assert!(matches!(render(junk), Err(AvatarError::Unusable(_))), "{junk:?}");
        }
        // A PNG header that claims 30000x30000 pixels: refused from its header alone.
        let mut bomb = Cursor::new(Vec::new());
        DynamicImage::ImageLuma8(image::GrayImage::new(1, 1)).write_to(&mut bomb, ImageFormat::Png).unwrap();
        let mut bomb = bomb.into_inner();
        bomb[16..20].copy_from_slice(&30_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&30_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        match render(&bomb) {
            Err(AvatarError::Unusable(m)) => assert!(m.contains("too large"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    /// The PNG chunk checksum (ISO 3309 CRC-32), so the forged header is
    /// otherwise valid.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }

    #[tokio::test]
    async fn a_replaced_avatar_is_removed_unless_someone_else_uses_it() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(1_700_000_000));
        let (a, b) = (app.add_test_member("ann").await, app.add_test_member("bob").await);
        let first = sideways_jpeg_with_exif();
        let ua = set(&app, a, first.clone(), Who::system()).await.unwrap();
        let ub = set(&app, b, first, Who::system()).await.unwrap();
        let shared = ua.avatar.unwrap();
        assert_eq!(ub.avatar, Some(shared), "the same picture is one blob");
        let blobs = blobs_of(&app);
        let other = {
            let mut png = Cursor::new(Vec::new());
            DynamicImage::ImageRgb8(RgbImage::new(300, 300)).write_to(&mut png, ImageFormat::Png).unwrap();
            png.into_inner()
        };
        let theirs = set(&app, a, other, Who::system()).await.unwrap().avatar.unwrap();
        assert!(blobs.path(&shared).is_file(), "bob still uses it");
        assert!(served(&app, shared).await.unwrap().is_some());
        let gone = remove(&app, b, Who::system()).await.unwrap();
        assert_eq!(gone.avatar, None);
        assert!(!blobs.path(&shared).exists(), "nobody uses it any more");
        assert!(served(&app, shared).await.unwrap().is_none());
        // A deleted member's avatar goes with them.
        assert!(blobs.path(&theirs).is_file());
        crate::accounts::members::delete(&app, "ann", Who::system()).await.unwrap();
        assert!(!blobs.path(&theirs).exists());
    }
}
