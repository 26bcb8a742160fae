//! What an uploaded file is, from its first bytes: the client's
//! `Content-Type` and the file name's extension are never believed (the
//! extension only tells CSV from other plain text). Markup (HTML, SVG, XML)
//! is recognised as such, so that an allow-list without it refuses it.

/// How many leading bytes `sniff` wants to see.
pub const HEAD: usize = 64 * 1024;

/// The media type of a file that starts with `head` and is called `name`.
pub fn sniff(head: &[u8], name: &str) -> &'static str {
    const ODF: &[(&str, &str)] = &[
        ("application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text"),
        ("application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.spreadsheet"),
        ("application/vnd.oasis.opendocument.presentation", "application/vnd.oasis.opendocument.presentation"),
    ];
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return "image/png";
    }
    if head.starts_with(&[0xff, 0xd8, 0xff]) {
        return "image/jpeg";
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return "image/gif";
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return "image/webp";
    }
    if head.starts_with(b"%PDF-") {
        return "application/pdf";
    }
    if head.starts_with(b"PK\x03\x04") {
        // OpenDocument: an uncompressed first entry `mimetype` holding the type.
        if head.get(30..38) == Some(b"mimetype") {
            for (t, name) in ODF {
                if head.get(38..38 + t.len()) == Some(t.as_bytes()) {
                    return name;
                }
            }
        }
        // Office Open XML: `[Content_Types].xml` and the part folders' names.
        if contains(head, b"[Content_Types].xml") {
            if contains(head, b"word/") {
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
            }
            if contains(head, b"xl/") {
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            }
            if contains(head, b"ppt/") {
                return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
            }
        }
        return "application/zip";
    }
    if is_text(head) {
        let text = String::from_utf8_lossy(head).to_ascii_lowercase();
        let start = text.trim_start_matches('\u{feff}').trim_start();
        if start.starts_with('<') || text.contains("<script") || text.contains("<html") || text.contains("<svg") {
            return if text.contains("<svg") {
                "image/svg+xml"
            } else if start.starts_with("<?xml") && !text.contains("<html") {
                "application/xml"
            } else {
                "text/html"
            };
        }
        return if name.to_ascii_lowercase().ends_with(".csv") { "text/csv" } else { "text/plain" };
    }
    "application/octet-stream"
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// UTF-8 (a character cut at the end of the head is allowed) without NUL
/// or other control characters than tab, line breaks and form feed.
fn is_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() && head.len() - e.valid_up_to() < 4 => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
}

/// Whether files of this type are shown in the browser (`inline`) rather
/// than downloaded: images (not SVG, which can hold script) and PDF only.
pub fn inline(content_type: &str) -> bool {
    matches!(content_type, "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "application/pdf")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes_not_the_name() {
        let cases: &[(&[u8], &str, &str)] = &[
            (b"\x89PNG\r\n\x1a\n....", "x.txt", "image/png"),
            (b"\xff\xd8\xff\xe0", "x.png", "image/jpeg"),
            (b"GIF89a..", "x", "image/gif"),
            (b"RIFF\0\0\0\0WEBPVP8 ", "x", "image/webp"),
            (b"%PDF-1.7\n", "x.pdf", "application/pdf"),
            (b"PK\x03\x04 just a zip", "x.docx", "application/zip"),
            (
                b"PK\x03\x04..[Content_Types].xml....word/document.xml",
                "x.zip",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (b"hello, world\n", "notes.txt", "text/plain"),
            (b"a,b\n1,2\n", "table.CSV", "text/csv"),
            (b"  <!doctype html><p>hi", "x.txt", "text/html"),
            (b"plain text then <script>alert(1)</script>", "x.txt", "text/html"),
            (b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>", "x.png", "image/svg+xml"),
            (b"<?xml version=\"1.0\"?><a/>", "x", "application/xml"),
            (b"\x7fELF\x02\x01", "x.txt", "application/octet-stream"),
            (b"text with a \0 NUL", "x.txt", "application/octet-stream"),
            (b"caf\xc3", "x.txt", "text/plain"),
        ];
        for (head, name, want) in cases {
            assert_eq!(sniff(head, name), *want, "{:?}", String::from_utf8_lossy(head));
        }
        let mut odt = b"PK\x03\x04".to_vec();
        odt.resize(30, 0);
        odt.extend(b"mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(sniff(&odt, "x"), "application/vnd.oasis.opendocument.text");
        assert!(inline("image/png") && inline("application/pdf"));
        assert!(!inline("image/svg+xml") && !inline("text/html") && !inline("text/plain"));
    }
}
