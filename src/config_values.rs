//! Reading one setting's value: durations, sizes, addresses, IP ranges,
//! URLs, media types, and the one-line explanation of a TOML error. Each
//! refusal names the key and shows a value that would be taken.

use super::{ConfigError, KEYS, err};
use ipnet::IpNet;
use std::net::SocketAddr;
use std::time::Duration;
use url::Url;

pub(super) fn toml_string(raw: &str) -> String {
    toml::Value::String(raw.to_string()).to_string()
}

/// One line: where the error is (with the offending line, which names the
/// key) and what is wrong.
pub(super) fn explain_toml_error(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().replace('\n', " ");
    let msg = if msg.starts_with("unknown field") { format!("{msg} (allowed keys: {})", KEYS.join(", ")) } else { msg };
    match e.span() {
        Some(span) => {
            let line_no = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let line = text.lines().nth(line_no - 1).unwrap_or_default().trim();
            format!("line {line_no} `{line}`: {msg}")
        }
        None => msg,
    }
}

pub(super) fn duration(key: &str, value: Option<String>, default: &str) -> Result<Duration, ConfigError> {
    let d = duration_or_zero(key, value, default)?;
    if d.is_zero() {
        return Err(err(format!("{key}: must be longer than zero")));
    }
    Ok(d)
}

/// A duration that may be zero (`0s`: the thing it allows is off).
pub(super) fn duration_or_zero(key: &str, value: Option<String>, default: &str) -> Result<Duration, ConfigError> {
    let text = value.unwrap_or_else(|| default.to_string());
    humantime::parse_duration(&text).map_err(|e| {
        err(format!("{key}: {text:?} is not a duration ({e}); write for example \"30s\", \"15m\", \"12h\""))
    })
}

pub(super) fn addr(key: &str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| {
        err(format!(
            "{key}: {value:?} is not an address; write IP:PORT, for example \"127.0.0.1:8443\" or \"[::]:443\""
        ))
    })
}

/// A list of IP addresses and CIDR ranges.
pub(super) fn nets(key: &str, list: Vec<String>) -> Result<Vec<IpNet>, ConfigError> {
    list.iter()
        .map(|p| {
            p.parse::<IpNet>().or_else(|_| p.parse::<std::net::IpAddr>().map(IpNet::from)).map_err(|_| {
                err(format!("{key}: {p:?} is not an IP address or CIDR range (for example \"10.0.0.0/8\")"))
            })
        })
        .collect()
}

/// A size setting written as a number of bytes or as text; kept as text
/// until `size` reads it, so that both forms get the same message.
pub(super) fn size_setting<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a size: a number of bytes or text like \"32MiB\"")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
    }
    d.deserialize_any(Visitor)
}

/// redb's page cache when `store_cache_size` is not set. redb's own default
/// is 1 GiB, which a long-running server fills with every page it ever
/// reads; the operating system's page cache keeps the file's pages anyway,
/// so this cache needs only the hot ones (the tables every request reads:
/// tokens, grants, members).
pub const DEFAULT_STORE_CACHE_SIZE: usize = 32 * 1024 * 1024;

/// The memory for remembered API answers when `api_cache_size` is not
/// set: a few hundred pages of posts, and nothing until they are read.
pub const DEFAULT_API_CACHE_SIZE: usize = 4 * 1024 * 1024;

/// The largest upload when `max_upload` is not set.
pub const DEFAULT_MAX_UPLOAD: u64 = 25 * MIB;

/// The media types uploads may be when `upload_types` is not set: images
/// (not SVG, which can carry script), PDF, plain text and CSV,
/// OpenDocument and Office Open XML documents, and zip archives.
pub const DEFAULT_UPLOAD_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/zip",
];

/// `upload_types`: `type/subtype` names in lower case.
pub(super) fn media_types(value: Option<Vec<String>>) -> Result<Vec<String>, ConfigError> {
    let Some(list) = value else {
        return Ok(DEFAULT_UPLOAD_TYPES.iter().map(|t| t.to_string()).collect());
    };
    let token = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$&-^_.+".contains(&b))
    };
    for t in &list {
        if !t.split_once('/').is_some_and(|(a, b)| token(a) && token(b)) {
            return Err(err(format!(
                "upload_types: {t:?} is not a media type; write them in lower case, such as \"image/png\""
            )));
        }
    }
    Ok(list)
}

pub(super) const KIB: u64 = 1024;
pub(super) const MIB: u64 = 1024 * KIB;
pub(super) const GIB: u64 = 1024 * MIB;

/// Reads a size: `33554432`, `"32MiB"`, `"512 KiB"`, `"1GiB"`, `"64MB"`
/// (KB, MB, GB are powers of 1000), within `min..=max` bytes.
pub(super) fn size(key: &str, value: Option<String>, default: u64, min: u64, max: u64) -> Result<u64, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    let bad = || {
        err(format!(
            "{key}: {text:?} is not a size; write a number of bytes or a number with a unit, \
             for example \"32MiB\" (units B, KiB, MiB, GiB, KB, MB, GB)"
        ))
    };
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let unit = match unit.trim() {
        "" | "B" => 1,
        "KiB" => KIB,
        "MiB" => MIB,
        "GiB" => GIB,
        "KB" | "kB" => 1000,
        "MB" => 1000 * 1000,
        "GB" => 1000 * 1000 * 1000,
        _ => return Err(bad()),
    };
    let bytes = number.checked_mul(unit).ok_or_else(bad)?;
    if bytes < min || bytes > max {
        return Err(err(format!(
            "{key}: {text:?} is out of range; allowed {} to {}",
            show_size(min as usize),
            show_size(max as usize)
        )));
    }
    Ok(bytes)
}

/// A size as `size` reads it back: the largest binary unit that divides it.
pub(super) fn show_size(bytes: usize) -> String {
    let b = bytes as u64;
    match b {
        0 => "0".to_string(),
        b if b % GIB == 0 => format!("{}GiB", b / GIB),
        b if b % MIB == 0 => format!("{}MiB", b / MIB),
        b if b % KIB == 0 => format!("{}KiB", b / KIB),
        b => b.to_string(),
    }
}

/// An optional http(s) URL for people to read (empty: none).
pub(super) fn web_url(key: &str, v: Option<String>) -> Result<Option<Url>, ConfigError> {
    let Some(text) = v.filter(|t| !t.trim().is_empty()) else { return Ok(None) };
    match Url::parse(text.trim()) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => Ok(Some(u)),
        _ => Err(err(format!(
            "{key}: {text:?} is not an http or https URL; write for example \"https://example.org/policy\""
        ))),
    }
}

pub(super) fn in_range(key: &str, v: u32, min: u32, max: u32) -> Result<u32, ConfigError> {
    if v < min || v > max {
        return Err(err(format!("{key}: {v} is out of range; allowed {min}..={max}")));
    }
    Ok(v)
}
