//! Reads files out of Swagger UI's zip archive (the constant that the
//! `utoipa-swagger-ui-vendored` crate carries). Used by the build script,
//! which keeps only the files `/api/doc` serves (gzip-compressed), so the
//! 4 MiB archive never reaches the binary; compiled into the crate for its
//! tests only. It needs nothing but `std` and `flate2`.

use std::io::Read;

/// The files of the archive's `dist/` that the page uses.
pub const FROM_ARCHIVE: &[&str] =
    &["swagger-ui-bundle.js", "swagger-ui.css", "index.css", "favicon-32x32.png", "oauth2-redirect.html"];

/// Reads the files named `wanted` in the archive's `*/dist/` folder: a
/// zip's central directory, then each entry, stored or deflated, checked
/// against its CRC-32. The archive is a constant of the build, so this is
/// only as general as that archive needs.
pub fn read_dist(zip: &[u8], wanted: &[&'static str]) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
    let u16_at = |at: usize| zip.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let u32_at = |at: usize| zip.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let bad = |what: &str| format!("the Swagger UI archive is damaged: {what}");
    // The end-of-central-directory record: the last of its signature.
    let end = (0..zip.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(i) == Some(0x0605_4b50))
        .ok_or_else(|| bad("no end of central directory"))?;
    let count = u16_at(end + 10).ok_or_else(|| bad("entry count"))?;
    let mut at = u32_at(end + 16).ok_or_else(|| bad("directory offset"))?;
    let mut out = vec![];
    for _ in 0..count {
        if u32_at(at) != Some(0x0201_4b50) {
            return Err(bad("directory entry"));
        }
        let field = |off: usize| u16_at(at + off).ok_or_else(|| bad("directory entry"));
        let (method, name_len, extra_len, comment_len) = (field(10)?, field(28)?, field(30)?, field(32)?);
        let crc = u32_at(at + 16).ok_or_else(|| bad("crc"))? as u32;
        let size = u32_at(at + 20).ok_or_else(|| bad("size"))?;
        let full = u32_at(at + 24).ok_or_else(|| bad("size"))?;
        let local = u32_at(at + 42).ok_or_else(|| bad("offset"))?;
        let name = zip.get(at + 46..at + 46 + name_len).ok_or_else(|| bad("name"))?;
        at += 46 + name_len + extra_len + comment_len;
        let name = String::from_utf8_lossy(name);
        let Some(want) = name.split_once("/dist/").and_then(|(_, f)| wanted.iter().find(|w| **w == f)) else {
            continue;
        };
        if u32_at(local) != Some(0x0403_4b50) {
            return Err(bad("local header"));
        }
        let data_at = local + 30 + u16_at(local + 26).unwrap_or(0) + u16_at(local + 28).unwrap_or(0);
        let data = zip.get(data_at..data_at + size).ok_or_else(|| bad("data"))?;
        let bytes = match method {
            0 => data.to_vec(),
            8 => {
                let mut v = Vec::with_capacity(full);
                flate2::read::DeflateDecoder::new(data).read_to_end(&mut v).map_err(|e| bad(&e.to_string()))?;
                v
            }
            m => return Err(bad(&format!("compression method {m}"))),
        };
        let mut check = flate2::Crc::new();
        check.update(&bytes);
        if bytes.len() != full || check.sum() != crc {
            return Err(bad(&format!("{want} does not match its checksum")));
        }
        out.push((*want, bytes));
    }
    match wanted.iter().find(|w| !out.iter().any(|(n, _)| n == *w)) {
        Some(missing) => Err(bad(&format!("no {missing}"))),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip of one stored file `x/dist/a.txt`, with the CRC-32 given.
    fn one_file_zip(data: &[u8], crc: u32) -> Vec<u8> {
        let name = b"x/dist/a.txt";
        let n = name.len() as u16;
        let len = data.len() as u32;
        let mut z = vec![];
        z.extend(0x0403_4b50u32.to_le_bytes());
        z.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method 0, time, date
        z.extend(crc.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(n.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z.extend(name);
        z.extend(data);
        let directory = z.len() as u32;
        z.extend(0x0201_4b50u32.to_le_bytes());
        z.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // versions, flags, method 0, time, date
        z.extend(crc.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(n.to_le_bytes());
        z.extend([0; 12]); // extra, comment, disk, attributes
        z.extend(0u32.to_le_bytes()); // the local header's offset
        z.extend(name);
        let size = z.len() as u32 - directory;
        z.extend(0x0605_4b50u32.to_le_bytes());
        z.extend([0, 0, 0, 0, 1, 0, 1, 0]);
        z.extend(size.to_le_bytes());
        z.extend(directory.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z
    }

    #[test]
    fn a_damaged_archive_is_refused_not_a_panic() {
        let mut crc = flate2::Crc::new();
        crc.update(b"hello");
        let good = one_file_zip(b"hello", crc.sum());
        assert_eq!(read_dist(&good, &["a.txt"]), Ok(vec![("a.txt", b"hello".to_vec())]));
        let err = read_dist(&one_file_zip(b"hellO", crc.sum()), &["a.txt"]).unwrap_err();
        assert!(err.contains("checksum"), "{err}");
        assert!(read_dist(&good, &["b.txt"]).unwrap_err().contains("no b.txt"));
        for cut in 0..good.len() {
            assert!(read_dist(&good[..cut], &["a.txt"]).is_err(), "cut at {cut}");
        }
        let archive = utoipa_swagger_ui_vendored::SWAGGER_UI_VENDORED;
        assert!(read_dist(&archive[..archive.len() / 2], FROM_ARCHIVE).is_err());
        let whole = read_dist(archive, FROM_ARCHIVE).expect("the vendored archive reads");
        let mut names = whole.iter().map(|(n, _)| *n).collect::<Vec<_>>();
        names.sort();
        let mut wanted = FROM_ARCHIVE.to_vec();
        wanted.sort();
        assert_eq!(names, wanted);
    }
}
