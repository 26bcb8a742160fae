//! Headless Chromium on the pages of issue 16 items 1 and 3: the dashboard
//! with its charts and the site settings page, with a site name, a logo and
//! an accent colour, at 1280 and 360 px. Screenshots go to
//! `target/screenshots/`; no element's text may overflow its box (an
//! element whose content is wider than it and that does not scroll it is
//! reported).

use crate::browser::{browser, shot, start_driver, tools};
use crate::harness::*;
use crate::webdriver::Browser;

/// Elements whose content is wider than their box without a scroll bar to
/// show it: `tag#id.class (scrollWidth > clientWidth)`. Boxes that scroll
/// (`overflow-x: auto`), form fields (they scroll their own text) and SVG
/// (drawn to its viewBox) are fine.
pub const OVERFLOWING: &str = r#"
const out = [];
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('svg') || el.clientWidth === 0 || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) continue;
  const style = getComputedStyle(el);
  if (style.overflowX === 'auto' || style.overflowX === 'scroll') continue;
  if (el.closest('.table-wrap') && el.tagName !== 'DIV') continue;
  if (el.scrollWidth > el.clientWidth + 1) {
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
  }
}
return out;
"#;

fn check_widths(b: &Browser, name: &str) {
    for (w, label) in [(1280, "desktop"), (360, "phone")] {
        b.resize(w, 900);
        shot(b, &format!("{name}-{label}"));
        let page = b.execute("return document.documentElement.scrollWidth").as_u64().unwrap();
        assert!(page <= w as u64, "{name} at {w} px: the page is {page} px wide");
        let over = b.execute(OVERFLOWING);
        assert_eq!(over.as_array().map(Vec::len), Some(0), "{name} at {w} px: text overflows {over}");
    }
    b.resize(1280, 900);
}

/// A real 64×64 PNG in the accent's colour.
fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(64, 64, image::Rgba([0xaa, 0x33, 0x00, 0xff]));
    let mut out = std::io::Cursor::new(vec![]);
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn browser_site_identity_dashboard_and_settings_fit_both_widths() {
    let Some((chromium, driver_path)) = tools() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("logo.png"), png()).unwrap();
    let s = Server::start_in(
        &dir,
        &[("LATCHKEY_SITE_NAME", "Example Community of Very Long Names"), ("LATCHKEY_SITE_LOGO", "logo.png")],
    );
    setup_admin(&s, "root");
    add_member(&s, "mia");
    // Something to chart: tokens and failed sign-ins.
    let (id, secret) = register(&s, &["--name", "Phone", "--grant", "password", "--scope", "profile"]);
    let secret = secret.unwrap();
    for _ in 0..3 {
        password_token(&s, &id, &secret, "mia");
    }
    for _ in 0..2 {
        sign_in(&s, &s.client(), "mia", "not the password", "/account");
    }

    let driver = start_driver(&driver_path);
    let profile = tempfile::tempdir().unwrap();
    let b = browser(&chromium, &driver, &s.dir, profile.path(), 1280, 900);
    b.goto(&s.url("/login?return_to=/admin"));
    assert_eq!(b.title(), "Sign in · Example Community of Very Long Names");
    assert_eq!(b.text("#signin-site"), "Example Community of Very Long Names");
    let logo_loaded = b.execute("const i = document.querySelector('.brand img'); return i.complete && i.naturalWidth");
    assert_eq!(logo_loaded.as_u64(), Some(64), "the logo loads under the CSP");
    check_widths(&b, "60-site-sign-in");
    b.fill("#username", "root");
    b.fill("#password", PASSWORD);
    b.click("button[type=submit].primary");
    b.find("#count-members");
    assert_eq!(b.text("#count-tokens"), "3");
    assert_eq!(b.text("#count-failures"), "2");
    let bars = b.execute("return document.querySelectorAll('#chart-tokens svg rect').length");
    assert_eq!(bars.as_u64(), Some(1));
    let label = b.execute("return document.querySelector('#chart-tokens svg title').textContent");
    assert_eq!(label.as_str(), Some("Tokens issued per hour, last 7 days"));
    // The bars take the accent's colour from the stylesheet.
    let fill = b.execute("return getComputedStyle(document.querySelector('#chart-tokens rect')).fill");
    assert_eq!(fill.as_str(), Some("rgb(36, 86, 199)"), "the default accent");
    check_widths(&b, "61-admin-dashboard-charts");
    for (w, label) in [(1280, "desktop"), (360, "phone")] {
        b.resize(w, 900);
        b.execute("document.getElementById('charts-h').scrollIntoView()");
        shot(&b, &format!("61-admin-dashboard-charts-{label}-scrolled"));
    }
    b.resize(1280, 900);

    // Settings: a new accent colour, then the page and the charts use it.
    b.goto(&s.url("/admin/settings"));
    check_widths(&b, "62-admin-settings");
    b.fill("#accent_color", "not a colour");
    b.click("#save-settings");
    b.find("#accent_color-error");
    check_widths(&b, "63-admin-settings-error");
    b.fill("#accent_color", "#aa3300");
    b.click("#save-settings");
    b.find("#settings-notice");
    assert!(b.exists_id("reset-accent_color"));
    b.goto(&s.url("/admin"));
    let fill = b.execute("return getComputedStyle(document.querySelector('#chart-tokens rect')).fill");
    assert_eq!(fill.as_str(), Some("rgb(170, 51, 0)"), "the accent from the settings");
    assert!(b.console().iter().all(|m| !m.contains("Content Security Policy")), "{:?}", b.console());
}
