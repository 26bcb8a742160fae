//! Uploaded images: decoded under limits (a decompression bomb is refused
//! from its header, never rendered), stored without their metadata, and
//! given a small preview once, at upload.
//!
//! PNG, JPEG and WebP are re-encoded from their pixels (turned upright by
//! their EXIF orientation first), so no EXIF, GPS position, XMP, ICC
//! profile or text chunk survives. A GIF is rewritten block by block,
//! keeping its frames and loop count and dropping comments and
//! application data, so an animation stays one. Blocking and CPU-bound:
//! run off the async threads.

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::{BufReader, Cursor};
use std::path::Path;

/// The widest or tallest image accepted.
pub const MAX_DIMENSION: u32 = 12_000;
/// The most memory an image's decoded pixels may take (about 40
/// megapixels of RGB).
pub const MAX_DECODED_BYTES: u64 = 128 * 1024 * 1024;
/// The longest side of a preview.
pub const PREVIEW_SIDE: u32 = 512;

/// Why an image was refused; the message is for a person.
#[derive(Debug, thiserror::Error)]
pub enum ImageRefusal {
    #[error("{0}")]
    Unusable(String),
    #[error("cannot read or write the image: {0}")]
    Io(#[from] std::io::Error),
}

fn unusable(m: impl Into<String>) -> ImageRefusal {
    ImageRefusal::Unusable(m.into())
}

/// An image as it is stored: its bytes without metadata, and its preview
/// (PNG when it has transparency, else JPEG).
#[derive(Debug)]
pub struct Cleaned {
    pub bytes: Vec<u8>,
    pub preview: Vec<u8>,
}

fn too_big() -> ImageRefusal {
    unusable(format!("is too large: at most {MAX_DIMENSION}x{MAX_DIMENSION} pixels and about 40 megapixels"))
}

/// Decodes the image at `path` under the limits, upright.
fn decode(path: &Path, format: ImageFormat) -> Result<DynamicImage, ImageRefusal> {
    let mut reader = ImageReader::new(BufReader::new(std::fs::File::open(path)?));
    reader.set_format(format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
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
    Ok(img)
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, ImageRefusal> {
    let mut out = Cursor::new(Vec::new());
    let failed = |e: image::ImageError| unusable(format!("could not be stored: {e}"));
    match format {
        ImageFormat::Jpeg => {
            let rgb = img.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&rgb).map_err(failed)?;
        }
        ImageFormat::WebP => {
            let rgba = DynamicImage::ImageRgba8(img.to_rgba8());
            rgba.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out)).map_err(failed)?;
        }
        _ => img.write_to(&mut out, ImageFormat::Png).map_err(failed)?,
    }
    Ok(out.into_inner())
}

fn preview(img: &DynamicImage) -> Result<Vec<u8>, ImageRefusal> {
    let small = if img.width() > PREVIEW_SIDE || img.height() > PREVIEW_SIDE {
        img.resize(PREVIEW_SIDE, PREVIEW_SIDE, image::imageops::FilterType::Triangle)
    } else {
        img.clone()
    };
    if small.color().has_alpha() {
        encode(&DynamicImage::ImageRgba8(small.to_rgba8()), ImageFormat::Png)
    } else {
        encode(&small, ImageFormat::Jpeg)
    }
}

/// The stored form and preview of the image of `content_type` at `path`;
/// `None` for a type that is not an image this server reads.
pub fn clean(path: &Path, content_type: &str) -> Result<Option<Cleaned>, ImageRefusal> {
    let format = match content_type {
        "image/png" => ImageFormat::Png,
        "image/jpeg" => ImageFormat::Jpeg,
        "image/webp" => ImageFormat::WebP,
        "image/gif" => ImageFormat::Gif,
        _ => return Ok(None),
    };
    let img = decode(path, format)?;
    let preview = preview(&img)?;
    let bytes = match format {
        ImageFormat::Gif => strip_gif(&std::fs::read(path)?)?,
        _ => encode(&img, format)?,
    };
    Ok(Some(Cleaned { bytes, preview }))
}

/// A GIF without comment, plain-text and application blocks, except the
/// loop count (NETSCAPE2.0 / ANIMEXTS1.0): header, screen, colour tables,
/// graphic controls and frames are copied as they are.
pub fn strip_gif(gif: &[u8]) -> Result<Vec<u8>, ImageRefusal> {
    let broken = || unusable("is not a well-formed GIF");
    let take = |at: usize, n: usize| gif.get(at..at + n).ok_or_else(broken);
    let table = |flags: u8| if flags & 0x80 != 0 { 3usize << ((flags & 7) + 1) } else { 0 };
    // Sub-blocks from `at` to their terminator; returns the end.
    let blocks = |mut at: usize| -> Result<usize, ImageRefusal> {
        loop {
            let n = *gif.get(at).ok_or_else(broken)? as usize;
            at += 1 + n;
            if n == 0 {
                return Ok(at);
            }
            if at > gif.len() {
                return Err(broken());
            }
        }
    };
    let screen = take(0, 13)?;
    let mut at = 13 + table(screen[10]);
    let mut out = take(0, at)?.to_vec();
    loop {
        match *gif.get(at).ok_or_else(broken)? {
            0x3b => {
                out.push(0x3b);
                return Ok(out);
            }
            0x2c => {
                let descriptor = take(at, 10)?;
                let data = at + 10 + table(descriptor[9]) + 1;
                let end = blocks(data)?;
                out.extend_from_slice(take(at, end - at)?);
                at = end;
            }
            0x21 => {
                let label = *gif.get(at + 1).ok_or_else(broken)?;
                let end = blocks(at + 2)?;
                let app = gif.get(at + 3..at + 14);
                let keep = label == 0xf9 || (label == 0xff && matches!(app, Some(b"NETSCAPE2.0" | b"ANIMEXTS1.0")));
                if keep {
                    out.extend_from_slice(take(at, end - at)?);
                }
                at = end;
            }
            _ => return Err(broken()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn write(dir: &Path, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.join("upload");
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// A 1000x500 JPEG with an EXIF block saying "turn 90 degrees" and a
    /// position.
    fn jpeg_with_exif() -> Vec<u8> {
        let img = RgbImage::from_fn(1000, 500, |x, _| if x < 500 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
        let mut jpeg = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img).write_to(&mut jpeg, ImageFormat::Jpeg).unwrap();
        let jpeg = jpeg.into_inner();
        let secret = b"GPS 52.3731N 4.8922E at home\0";
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

    #[test]
    fn a_photo_loses_its_metadata_and_gets_an_upright_preview() {
        let dir = tempfile::tempdir().unwrap();
        let jpeg = jpeg_with_exif();
        assert!(jpeg.windows(8).any(|w| w == b"GPS 52.3"));
        let c = clean(&write(dir.path(), &jpeg), "image/jpeg").unwrap().unwrap();
        for bytes in [&c.bytes, &c.preview] {
            assert!(!bytes.windows(4).any(|w| w == b"GPS " || w == b"Exif"), "no metadata survives");
        }
        let stored = image::load_from_memory(&c.bytes).unwrap();
        assert_eq!((stored.width(), stored.height()), (500, 1000), "turned upright");
        let p = image::load_from_memory(&c.preview).unwrap();
        assert_eq!((p.width(), p.height()), (256, 512), "bounded, aspect kept");
        assert!(clean(&write(dir.path(), b"%PDF-1.4"), "application/pdf").unwrap().is_none());
    }

    #[test]
    fn bombs_and_junk_are_refused_before_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let mut png = Cursor::new(Vec::new());
        DynamicImage::ImageLuma8(image::GrayImage::new(1, 1)).write_to(&mut png, ImageFormat::Png).unwrap();
        let mut bomb = png.into_inner();
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        match clean(&write(dir.path(), &bomb), "image/png") {
            Err(ImageRefusal::Unusable(m)) => assert!(m.contains("too large") || m.contains("read"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(clean(&write(dir.path(), b"GIF89a junk"), "image/gif"), Err(ImageRefusal::Unusable(_))));
    }

    #[test]
    fn a_gif_keeps_its_frames_and_loses_its_comments() {
        let dir = tempfile::tempdir().unwrap();
        // Two frames that loop, from the encoder; then a comment and an XMP
        // block put in after the screen and its colour table.
        let mut gif = vec![];
        {
            let mut enc = image::codecs::gif::GifEncoder::new(&mut gif);
            enc.set_repeat(image::codecs::gif::Repeat::Infinite).unwrap();
            for shade in [0u8, 255] {
                let frame = image::RgbaImage::from_pixel(2, 1, image::Rgba([shade, 0, 0, 255]));
                enc.encode_frame(image::Frame::new(frame)).unwrap();
            }
        }
        let table = if gif[10] & 0x80 != 0 { 3usize << ((gif[10] & 7) + 1) } else { 0 };
        let at = 13 + table;
        let mut extra = b"\x21\xfe\x0bsecret here\x00".to_vec();
        extra.extend(b"\x21\xff\x0bXMP DataXMP\x04<gps\x00");
        gif.splice(at..at, extra);
        assert!(image::load_from_memory(&gif).is_ok());
        let c = clean(&write(dir.path(), &gif), "image/gif").unwrap().unwrap();
        assert!(!c.bytes.windows(6).any(|w| w == b"secret" || w == b"XMP Da"));
        assert!(c.bytes.windows(11).any(|w| w == b"NETSCAPE2.0"));
        let img = image::load_from_memory(&c.bytes).unwrap();
        assert_eq!((img.width(), img.height()), (2, 1));
        let frames =
            image::AnimationDecoder::into_frames(image::codecs::gif::GifDecoder::new(Cursor::new(&c.bytes)).unwrap());
        assert_eq!(frames.count(), 2, "still an animation");
    }
}
