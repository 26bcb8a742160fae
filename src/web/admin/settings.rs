//! `/admin/settings`: the site's name, logo and accent colour. A value
//! saved here is stored in the database and overrides the configuration
//! file's (`site_name`, `site_logo`, `accent_color`) until it is reset to
//! the file's; the page says where each value in force comes from. Every
//! change is audited with its old and new value (`store::site`).

use crate::http::page_error::PageError;
use crate::http::visitor::{Admin, AdminForm};
use crate::site::{self, Key};
use crate::store::site::{self as stored, Setting, Site, Source};
use crate::web::Chrome;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/settings", web::get().to(show))
        .route("/admin/settings", web::post().to(save))
        .route("/admin/settings/reset", web::post().to(reset));
}

/// The catalogue keys of the page's words that are not field values.
mod words {
    pub const TITLE: &str = "settings-title";
    pub const SAVED: &str = "settings-saved";
    pub const UNCHANGED: &str = "settings-unchanged";
    pub const RESET: &str = "settings-reset";
    pub const NOT_SAVED: &str = "settings-not-saved";
}

/// The catalogue key of "in force from ..." for a source.
fn source_key(s: Source) -> &'static str {
    match s {
        Source::Default => "settings-from-default",
        Source::File => "settings-from-file",
        Source::Page => "settings-from-page",
    }
}

/// One field as the page shows it.
struct Field {
    key: &'static str,
    value: String,
    /// Where the value comes from (a catalogue key).
    source: &'static str,
    /// Whether "reset to the file's value" applies.
    overridden: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsView {
    c: Chrome,
    /// Name, logo and accent colour.
    fields: Vec<Field>,
    /// The logo in force, to preview.
    logo_path: Option<String>,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

impl SettingsView {
    fn any_overridden(&self) -> bool {
        self.fields.iter().any(|f| f.overridden)
    }
}

#[derive(Deserialize)]
struct Posted {
    csrf: String,
    #[serde(default)]
    site_name: String,
    #[serde(default)]
    site_logo: String,
    #[serde(default)]
    accent_color: String,
}
crate::has_csrf!(Posted);

#[derive(Deserialize)]
struct ResetForm {
    csrf: String,
    key: String,
}
crate::has_csrf!(ResetForm);

#[derive(Deserialize)]
struct Shown {
    #[serde(default)]
    done: String,
}

/// A refusal of `site`'s rules (shared with the configuration file, whose
/// errors stay English) in the page's language; a file's own error (its
/// path, the system's words) is shown as it is.
fn refusal(v: &Admin, e: &str) -> String {
    refusal_in(&v.tr(), e)
}

fn refusal_in(t: &crate::i18n::Tr, e: &str) -> String {
    let key = match e {
        e if e.starts_with("write a name") => "settings-err-name-empty",
        e if e.starts_with("use at most") => return t.t1("settings-err-name-long", "max", site::NAME_MAX),
        e if e.starts_with("use one line") => "settings-err-name-line",
        e if e.contains("is not a colour") => "settings-err-accent",
        e if e.starts_with("write the file's name") => "settings-err-logo-name",
        e if e.starts_with("name a file inside") => "settings-err-logo-inside",
        e => return e.to_string(),
    };
    t.t(key)
}

fn field(key: Key, value: String, source: Source) -> Field {
    Field { key: key.as_str(), value, source: source_key(source), overridden: source == Source::Page, error: None }
}

fn view(v: &Admin, site: &Site, notice: Option<&'static str>) -> SettingsView {
    SettingsView {
        c: v.chrome(words::TITLE, false),
        fields: vec![
            field(Key::SiteName, site.name.clone(), site.sources[0]),
            field(Key::SiteLogo, site.logo.as_ref().map(|l| l.file.clone()).unwrap_or_default(), site.sources[1]),
            field(Key::AccentColor, site.accent.map(|a| a.hex()).unwrap_or_default(), site.sources[2]),
        ],
        logo_path: site.logo.as_ref().map(|l| l.path()),
        notice,
        error: None,
    }
}

async fn show(v: Admin, q: web::Query<Shown>) -> Result<HttpResponse, PageError> {
    let notice = match q.done.as_str() {
        "saved" => Some(words::SAVED),
        "unchanged" => Some(words::UNCHANGED),
        "reset" => Some(words::RESET),
        _ => None,
    };
    Ok(v.render(StatusCode::OK, &view(&v, &v.site(), notice)))
}

/// The posted values, checked: the settings to store (only those that
/// differ from the value in force), or the page again with each problem
/// next to its field.
fn checked(v: &Admin, site: &Site, f: &Posted) -> Result<Vec<(Key, Setting)>, Box<SettingsView>> {
    let now = v.app.now();
    let by = v.who().actor;
    let setting = |value: String, logo| Setting { value, by: by.clone(), at: now, logo };
    let mut page = view(v, site, None);
    let mut out = vec![];
    let [name, logo_field, accent_field] = &mut page.fields[..] else {
        return Err(Box::new(page));
    };
    match site::name(&f.site_name) {
        Ok(n) if n == site.name => {}
        Ok(n) => out.push((Key::SiteName, setting(n, None))),
        Err(e) => name.error = Some(refusal(v, &e)),
    }
    name.value = f.site_name.clone();
    let logo = f.site_logo.trim();
    if logo != logo_field.value {
        if logo.is_empty() {
            out.push((Key::SiteLogo, setting(String::new(), None)));
        } else {
            match site::load_logo(&v.app.config.data_dir, logo) {
                Ok(l) => {
                    let meta = (l.content_type.to_string(), l.ext.to_string(), l.hash.clone());
                    out.push((Key::SiteLogo, setting(l.file, Some(meta))));
                }
                Err(e) => logo_field.error = Some(refusal(v, &e)),
            }
        }
    }
    logo_field.value = f.site_logo.clone();
    let accent = f.accent_color.trim();
    if !accent.eq_ignore_ascii_case(&accent_field.value) {
        if accent.is_empty() {
            out.push((Key::AccentColor, setting(String::new(), None)));
        } else {
            match site::Accent::parse(accent) {
                Ok(a) => out.push((Key::AccentColor, setting(a.hex(), None))),
                Err(e) => accent_field.error = Some(refusal(v, &e)),
            }
        }
    }
    accent_field.value = f.accent_color.clone();
    if page.fields.iter().any(|f| f.error.is_some()) {
        page.error = Some(words::NOT_SAVED);
        return Err(Box::new(page));
    }
    Ok(out)
}

async fn save(AdminForm(v, f): AdminForm<Posted>) -> Result<HttpResponse, PageError> {
    let site = v.site();
    let settings = match checked(&v, &site, &f) {
        Ok(s) => s,
        Err(page) => return Ok(v.render(StatusCode::BAD_REQUEST, page.as_ref())),
    };
    let (config, who) = (v.app.config.clone(), v.who());
    let changed = v.app.store.write(move |tx| stored::apply(tx, &config, &settings, &who)).await?;
    Ok(v.redirect(if changed > 0 { "/admin/settings?done=saved" } else { "/admin/settings?done=unchanged" }))
}

async fn reset(AdminForm(v, f): AdminForm<ResetForm>) -> Result<HttpResponse, PageError> {
    let key = Key::parse(&f.key).ok_or_else(|| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            crate::i18n::Text::key("err-not-possible"),
            crate::i18n::Text::key("err-no-setting").with("key", f.key.clone()),
        )
    })?;
    let (config, who, now) = (v.app.config.clone(), v.who(), v.app.now());
    v.app.store.write(move |tx| stored::reset(tx, &config, key, &who, now)).await?;
    Ok(v.redirect("/admin/settings?done=reset"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_rules_refusals_are_in_the_pages_language() {
        let c = std::sync::Arc::new(crate::i18n::Catalogue::load().unwrap());
        let nl = crate::i18n::Tr::new(c, crate::i18n::Lang::Nl);
        let dir = tempfile::tempdir().unwrap();
        let refusals = [
            crate::site::name("  ").unwrap_err(),
            crate::site::name(&"x".repeat(crate::site::NAME_MAX + 1)).unwrap_err(),
            crate::site::name("two\nlines").unwrap_err(),
            crate::site::Accent::parse("blue").unwrap_err(),
            crate::site::load_logo(dir.path(), "").unwrap_err(),
            crate::site::load_logo(dir.path(), "../secret.key").unwrap_err(),
        ];
        for e in refusals {
            let shown = super::refusal_in(&nl, &e);
            assert_ne!(shown, e, "{e} has Dutch words");
        }
        assert_eq!(super::refusal_in(&nl, "cannot read /x: gone"), "cannot read /x: gone");
    }
}
