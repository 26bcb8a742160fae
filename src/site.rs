//! The site's own identity: its name, its logo (a picture file in the data
//! directory) and its accent colour, with the rules every value must meet,
//! whether it comes from the configuration file or the `/admin/settings`
//! page. Pure: no store, no HTTP.

use sha2::{Digest, Sha256};
use std::path::Path;

/// The name when nothing sets one.
pub const DEFAULT_NAME: &str = "latchkey";
/// The longest site name, in characters: it has to fit a phone's header.
pub const NAME_MAX: usize = 60;
/// The largest logo file.
pub const LOGO_MAX_BYTES: u64 = 512 * 1024;

/// A setting of the site's identity, by the name the file and the page use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    SiteName,
    SiteLogo,
    AccentColor,
}

impl Key {
    pub const ALL: [Key; 3] = [Key::SiteName, Key::SiteLogo, Key::AccentColor];

    pub fn as_str(self) -> &'static str {
        match self {
            Key::SiteName => "site_name",
            Key::SiteLogo => "site_logo",
            Key::AccentColor => "accent_color",
        }
    }

    pub fn parse(s: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A site name: trimmed, 1 to [`NAME_MAX`] characters, no control characters.
pub fn name(raw: &str) -> Result<String, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err("write a name (it appears in every page's header and title)".into());
    }
    if t.chars().count() > NAME_MAX {
        return Err(format!("use at most {NAME_MAX} characters"));
    }
    if t.chars().any(char::is_control) {
        return Err("use one line without control characters".into());
    }
    Ok(t.to_string())
}

/// An accent colour, `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accent(pub [u8; 3]);

impl Accent {
    /// Accepts `#rrggbb` (any case); writes it back in lower case.
    pub fn parse(raw: &str) -> Result<Accent, String> {
        let t = raw.trim();
        let hex = t.strip_prefix('#').filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(hex) = hex else {
            return Err(format!("{t:?} is not a colour; write it as # and six hex digits, like #2456c7"));
        };
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
        Ok(Accent([byte(0), byte(2), byte(4)]))
    }

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0[0], self.0[1], self.0[2])
    }

    /// The text colour on the accent: black or white, whichever contrasts
    /// more (WCAG relative luminance).
    pub fn foreground(self) -> &'static str {
        let lin = |c: u8| {
            let s = c as f64 / 255.0;
            if s <= 0.039_28 { s / 12.92 } else { ((s + 0.055) / 1.055).powf(2.4) }
        };
        let l = 0.2126 * lin(self.0[0]) + 0.7152 * lin(self.0[1]) + 0.0722 * lin(self.0[2]);
        // Contrast with white (1.05 / (l + 0.05)) against contrast with black ((l + 0.05) / 0.05).
        if 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 { "#ffffff" } else { "#000000" }
    }

    /// The stylesheet that sets it: the page's own stylesheet reads
    /// `--accent` and `--accent-fg`, so no inline style is needed.
    pub fn stylesheet(self) -> String {
        format!(":root{{--accent:{};--accent-fg:{};}}\n", self.hex(), self.foreground())
    }
}

/// A logo that was read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// The file name as set: relative to the data directory.
    pub file: String,
    pub content_type: &'static str,
    pub ext: &'static str,
    /// The first 12 hex digits of the SHA-256 of the bytes: part of the URL.
    pub hash: String,
}

impl Logo {
    /// `/site/logo.<hash>.<ext>`.
    pub fn path(&self) -> String {
        format!("/site/logo.{}.{}", self.hash, self.ext)
    }
}

/// The picture type of a file by its first bytes: PNG, JPEG or WebP (SVG
/// could carry script, so it is refused).
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
    }
}

/// A stored content type and extension, if it is one [`sniff`] gives.
pub fn sniff_type(content_type: &str, ext: &str) -> Option<(&'static str, &'static str)> {
    [("image/png", "png"), ("image/jpeg", "jpg"), ("image/webp", "webp")]
        .into_iter()
        .find(|(c, e)| *c == content_type && *e == ext)
}

/// The short content hash used in URLs.
pub fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// A logo's file name: a plain relative path inside the data directory
/// (no `..`, not absolute).
pub fn logo_file(raw: &str) -> Result<String, String> {
    let t = raw.trim();
    let p = Path::new(t);
    if t.is_empty() {
        return Err("write the file's name in the data directory, like logo.png".into());
    }
    if p.is_absolute() || p.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
        return Err("name a file inside the data directory (a relative path without ..)".into());
    }
    Ok(t.to_string())
}

/// Reads and checks the logo `file` in `data_dir`.
pub fn load_logo(data_dir: &Path, file: &str) -> Result<Logo, String> {
    let file = logo_file(file)?;
    let bytes = read_logo(data_dir, &file)?;
    let (content_type, ext) =
        sniff(&bytes).ok_or_else(|| format!("{file} is not a PNG, JPEG or WebP picture (SVG is not accepted)"))?;
    Ok(Logo { hash: short_hash(&bytes), file, content_type, ext })
}

/// The bytes of the logo `file` (already checked by [`logo_file`]), at most
/// [`LOGO_MAX_BYTES`].
pub fn read_logo(data_dir: &Path, file: &str) -> Result<Vec<u8>, String> {
    let path = data_dir.join(file);
    let meta = std::fs::metadata(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    if meta.len() > LOGO_MAX_BYTES {
        return Err(format!("{file} is {} bytes; a logo may have at most {LOGO_MAX_BYTES}", meta.len()));
    }
    std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_short_line() {
        assert_eq!(name("  Example Community "), Ok("Example Community".into()));
        assert!(name("   ").is_err());
        assert!(name(&"x".repeat(NAME_MAX + 1)).is_err());
        assert_eq!(name(&"é".repeat(NAME_MAX)).map(|n| n.chars().count()), Ok(NAME_MAX));
        assert!(name("two\nlines").is_err());
    }

    #[test]
    fn accents_are_six_hex_digits() {
        assert_eq!(Accent::parse("#2456C7").map(Accent::hex), Ok("#2456c7".into()));
        for bad in ["2456c7", "#245", "#2456c7ff", "#zz56c7", "red", "", "#2456c7;x"] {
            assert!(Accent::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Accent([0, 0, 0]).foreground(), "#ffffff");
        assert_eq!(Accent([255, 255, 0]).foreground(), "#000000");
        assert_eq!(Accent::parse("#2456c7").unwrap().stylesheet(), ":root{--accent:#2456c7;--accent-fg:#ffffff;}\n");
    }

    #[test]
    fn logos_are_pictures_inside_the_data_directory() {
        assert!(logo_file("../secret.key").is_err());
        assert!(logo_file("/etc/passwd").is_err());
        assert_eq!(logo_file(" brand/logo.png "), Ok("brand/logo.png".into()));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(("image/png", "png")));
        assert_eq!(sniff(&[0xff, 0xd8, 0xff, 0xe0]), Some(("image/jpeg", "jpg")));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(("image/webp", "webp")));
        assert_eq!(sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), None);

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("logo.png"), b"\x89PNG\r\n\x1a\nrest").unwrap();
        std::fs::write(dir.path().join("logo.svg"), b"<svg/>").unwrap();
        let logo = load_logo(dir.path(), "logo.png").unwrap();
        assert_eq!((logo.content_type, logo.hash.len()), ("image/png", 12));
        assert_eq!(logo.path(), format!("/site/logo.{}.png", logo.hash));
        assert!(load_logo(dir.path(), "logo.svg").unwrap_err().contains("SVG"));
        assert!(load_logo(dir.path(), "missing.png").unwrap_err().contains("cannot read"));
        std::fs::write(dir.path().join("big.png"), vec![0u8; LOGO_MAX_BYTES as usize + 1]).unwrap();
        assert!(load_logo(dir.path(), "big.png").unwrap_err().contains("at most"));
    }
}
