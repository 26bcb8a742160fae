//! The site's identity as set on `/admin/settings`: one row per setting
//! (`site_name`, `site_logo`, `accent_color`) in `site_settings`. A row
//! overrides the configuration file's value; no row means the file's value
//! (or the default) is in force. Setting and resetting are audited in the
//! same transaction, with the old and the new value.

use super::audit::{self, Who};
use super::codec::{Record, decode, encode};
use super::schema::SITE_SETTINGS;
use super::{At, ReadableTable, StoreError, Tables, WriteTransaction};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::site::{Accent, Key, Logo};
use serde::{Deserialize, Serialize};

/// One value set on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    pub value: String,
    /// The audit actor who set it.
    pub by: String,
    pub at: Timestamp,
    /// For a logo: its content type, extension and hash when it was set,
    /// so pages need not read the file.
    pub logo: Option<(String, String, String)>,
}

impl Record for Setting {
    const KIND: &'static str = "site setting";
    const VERSION: u8 = 1;
}

/// Where an effective value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Default,
    File,
    Page,
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::Default => "the default",
            Source::File => "the configuration file",
            Source::Page => "this page",
        }
    }
}

/// The identity in force: the page's values over the file's.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub name: String,
    pub logo: Option<Logo>,
    pub accent: Option<Accent>,
    /// Where `name`, `logo` and `accent` come from, in that order.
    pub sources: [Source; 3],
}

impl Site {
    /// The file's identity alone (what pages show if the store cannot be read).
    pub fn from_config(config: &Config) -> Site {
        let from = |set: bool| if set { Source::File } else { Source::Default };
        Site {
            name: config.site_name.clone(),
            logo: config.site_logo.clone(),
            accent: config.accent_color,
            sources: [
                from(config.site_name != crate::site::DEFAULT_NAME),
                from(config.site_logo.is_some()),
                from(config.accent_color.is_some()),
            ],
        }
    }
}

pub fn get(tx: &impl Tables, key: Key) -> Result<Option<Setting>, StoreError> {
    const OP: &str = "site.get";
    let t = tx.table(&SITE_SETTINGS).during(OP)?;
    let v = t.get(key.as_str()).at(OP, &SITE_SETTINGS)?;
    v.map(|v| decode(v.value())).transpose()
}

/// The identity in force: three point reads.
pub fn effective(tx: &impl Tables, config: &Config) -> Result<Site, StoreError> {
    let mut site = Site::from_config(config);
    if let Some(s) = get(tx, Key::SiteName)? {
        site.name = s.value;
        site.sources[0] = Source::Page;
    }
    if let Some(s) = get(tx, Key::SiteLogo)? {
        site.logo = s.logo.and_then(|(ct, ext, hash)| {
            let known = crate::site::sniff_type(&ct, &ext)?;
            Some(Logo { file: s.value.clone(), content_type: known.0, ext: known.1, hash })
        });
        site.sources[1] = Source::Page;
    }
    if let Some(s) = get(tx, Key::AccentColor)? {
        site.accent = Accent::parse(&s.value).ok();
        site.sources[2] = Source::Page;
    }
    Ok(site)
}

/// Stores a value set on the page (already checked), with the audit event
/// `site.setting` (`old -> new`). Returns whether anything changed.
pub fn set(tx: &WriteTransaction, config: &Config, key: Key, setting: Setting, who: &Who) -> Result<bool, StoreError> {
    const OP: &str = "site.set";
    let old = shown(tx, config, key)?;
    if get(tx, key)?.is_some_and(|s| s.value == setting.value && s.logo == setting.logo) {
        return Ok(false);
    }
    let at = setting.at;
    tx.table(&SITE_SETTINGS).during(OP)?.insert(key.as_str(), encode(&setting)?.as_slice()).at(OP, &SITE_SETTINGS)?;
    let new = shown(tx, config, key)?;
    audit::record(tx, at, who, "site.setting", key.as_str(), &format!("{old} -> {new}"))?;
    Ok(true)
}

/// Stores each changed value (see [`set`]) in one transaction; returns
/// how many changed.
pub fn apply(
    tx: &WriteTransaction,
    config: &Config,
    settings: &[(Key, Setting)],
    who: &Who,
) -> Result<usize, StoreError> {
    let mut changed = 0;
    for (key, setting) in settings {
        changed += usize::from(set(tx, config, *key, setting.clone(), who)?);
    }
    Ok(changed)
}

/// Removes the page's value, so the file's is in force again; audited.
/// Returns whether there was one.
pub fn reset(tx: &WriteTransaction, config: &Config, key: Key, who: &Who, now: Timestamp) -> Result<bool, StoreError> {
    const OP: &str = "site.reset";
    let old = shown(tx, config, key)?;
    let gone = tx.table(&SITE_SETTINGS).during(OP)?.remove(key.as_str()).at(OP, &SITE_SETTINGS)?.is_some();
    if gone {
        let new = shown(tx, config, key)?;
        audit::record(tx, now, who, "site.reset", key.as_str(), &format!("{old} -> {new} (the file's value)"))?;
    }
    Ok(gone)
}

/// A setting's value in force, as the audit log writes it.
fn shown(tx: &impl Tables, config: &Config, key: Key) -> Result<String, StoreError> {
    let site = effective(tx, config)?;
    Ok(match key {
        Key::SiteName => format!("{:?}", site.name),
        Key::SiteLogo => site.logo.map_or("(none)".into(), |l| l.file),
        Key::AccentColor => site.accent.map_or("(default)".into(), |a| a.hex()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn config() -> Config {
        Config::resolve("/tmp/x".into(), crate::config::Settings::from_toml("site_name = \"From File\"").unwrap())
            .unwrap()
    }

    #[test]
    fn the_page_overrides_the_file_until_reset_and_both_are_audited() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let c = config();
        let site = store.read(|tx| effective(tx, &c)).unwrap();
        assert_eq!((site.name.as_str(), site.sources), ("From File", [Source::File, Source::Default, Source::Default]));
        let c2 = c.clone();
        let changed = store
            .write_blocking(move |tx| {
                let s = |v: &str| Setting { value: v.into(), by: "cli".into(), at: 100, logo: None };
                let a = set(tx, &c2, Key::SiteName, s("Example Community"), &Who::cli())?;
                let b = set(tx, &c2, Key::AccentColor, s("#aa3300"), &Who::cli())?;
                let again = set(tx, &c2, Key::SiteName, s("Example Community"), &Who::cli())?;
                Ok::<_, StoreError>((a, b, again))
            })
            .unwrap();
        assert_eq!(changed, (true, true, false));
        let site = store.read(|tx| effective(tx, &c)).unwrap();
        assert_eq!(site.name, "Example Community");
        assert_eq!(site.accent.map(|a| a.hex()).as_deref(), Some("#aa3300"));
        assert_eq!(site.sources, [Source::Page, Source::Default, Source::Page]);
        let c2 = c.clone();
        let gone = store.write_blocking(move |tx| reset(tx, &c2, Key::SiteName, &Who::cli(), 200)).unwrap();
        assert!(gone);
        assert_eq!(store.read(|tx| effective(tx, &c)).unwrap().name, "From File");
        let log = store.read(|tx| audit::recent(tx, None, 10)).unwrap();
        let lines: Vec<_> = log.iter().map(|(_, e)| format!("{} {} {}", e.action, e.target, e.detail)).collect();
        assert_eq!(
            lines,
            [
                "site.reset site_name \"Example Community\" -> \"From File\" (the file's value)",
                "site.setting accent_color (default) -> #aa3300",
                "site.setting site_name \"From File\" -> \"Example Community\"",
            ]
        );
    }

    #[test]
    fn a_setting_s_bytes_are_frozen() {
        let s = Setting { value: "x".into(), by: "cli".into(), at: 1, logo: None };
        let bytes = encode(&s).unwrap();
        assert_eq!(bytes, [1, 1, b'x', 3, b'c', b'l', b'i', 2, 0]);
        assert_eq!(decode::<Setting>(&bytes).unwrap(), s);
    }
}
