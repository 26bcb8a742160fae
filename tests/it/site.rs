//! The site's identity (issue 16, item 1) and the dashboard's charts (item
//! 3): from the configuration file, overridden and reset on
//! `/admin/settings`, audited; shown in titles, headers, the sign-in page,
//! the consent question and OpenID discovery.

use crate::harness::*;

/// The smallest bytes the server takes for a PNG (it checks the signature).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn get(c: &reqwest::blocking::Client, s: &Server, path: &str) -> (u16, String) {
    let r = c.get(s.url(path)).send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?} in {text}")) + start.len();
    text[from..].split(end).next().unwrap()
}

#[test]
fn the_identity_comes_from_the_file_then_the_settings_page_and_is_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("logo.png"), PNG).unwrap();
    let mut s = Server::start_in(
        &dir,
        &[
            ("LATCHKEY_SITE_NAME", "Example Community"),
            ("LATCHKEY_SITE_LOGO", "logo.png"),
            ("LATCHKEY_POLICY_URL", "https://example.org/policy"),
            ("LATCHKEY_DOCUMENTATION_URL", "https://example.org/docs"),
        ],
    );
    assert!(s.banner.contains("site: Example Community"), "{}", s.banner);
    let anon = s.client();
    let (_, login) = get(&anon, &s, "/login");
    assert!(login.contains("<title>Sign in · Example Community</title>"), "{login}");
    assert!(login.contains("Sign in to <span id=\"signin-site\">Example Community</span>"), "{login}");
    assert!(login.contains("<span id=\"site-name\">Example Community</span>"), "{login}");
    assert!(!login.contains("/site/accent."), "no accent set, no accent stylesheet");

    // The logo: a hashed path, cached for a year, its own bytes and type.
    let logo = between(&login, "<img src=\"", "\"").to_string();
    assert!(logo.starts_with("/site/logo.") && logo.ends_with(".png"), "{logo}");
    let r = anon.get(s.url(&logo)).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(r.bytes().unwrap().as_ref(), PNG);
    assert_eq!(anon.get(s.url("/site/logo.000000000000.png")).send().unwrap().headers()["cache-control"], "no-cache");

    // OpenID discovery names the policy and the documentation.
    let meta: serde_json::Value = anon.get(s.url("/.well-known/openid-configuration")).send().unwrap().json().unwrap();
    assert_eq!(meta["op_policy_uri"], "https://example.org/policy");
    assert_eq!(meta["service_documentation"], "https://example.org/docs");

    // The setup link the command line prints names the site.
    let out = s.cli(&["setup"], None);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.starts_with("Open this one-time link within the hour to create the first admin of Example Community:"),
        "{text}"
    );
    s.setup_link = text.lines().nth(1).map(|l| l.trim().to_string());

    let admin = setup_admin(&s, "root");
    let (st, page) = get(&admin, &s, "/admin/settings");
    assert_eq!(st, 200);
    assert_eq!(page.matches("In force from the configuration file.").count(), 2, "{page}");
    assert_eq!(page.matches("In force from the default.").count(), 1, "{page}");
    assert!(!page.contains("id=\"reset-"), "nothing to reset yet");
    let token = csrf(&page);

    // Refusals: each next to its field, nothing stored, nothing audited.
    let r = admin
        .post(s.url("/admin/settings"))
        .form(&[("csrf", token.as_str()), ("site_name", " "), ("site_logo", "../secret.key"), ("accent_color", "blue")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().unwrap();
    for id in ["site_name-error", "site_logo-error", "accent_color-error"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
    }
    assert!(html.contains("is not a colour") && html.contains("inside the data directory"), "{html}");
    std::fs::write(dir.join("notes.txt"), "hello").unwrap();
    let r = admin
        .post(s.url("/admin/settings"))
        .form(&[("csrf", token.as_str()), ("site_name", "X"), ("site_logo", "notes.txt"), ("accent_color", "")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("not a PNG, JPEG or WebP picture"));
    // Without the form's token: refused.
    let r = admin
        .post(s.url("/admin/settings"))
        .form(&[("csrf", "forged"), ("site_name", "Forged"), ("site_logo", ""), ("accent_color", "")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let (_, audit) = get(&admin, &s, "/admin/audit?action=site.");
    assert!(!audit.contains("site.setting"), "{audit}");

    // Saved: the page's values win over the file's.
    let r = admin
        .post(s.url("/admin/settings"))
        .form(&[
            ("csrf", token.as_str()),
            ("site_name", "Photo Club & Friends"),
            ("site_logo", "logo.png"),
            ("accent_color", "#AA3300"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), s.url("/admin/settings?done=saved"));
    let (_, page) = get(&admin, &s, "/admin/settings?done=saved");
    assert!(page.contains("The settings were saved."), "{page}");
    assert_eq!(page.matches("In force from this page.").count(), 2, "{page}");
    assert!(page.contains("id=\"reset-site_name\"") && !page.contains("id=\"reset-site_logo\""), "{page}");
    assert!(page.contains("<title>Site settings · Photo Club &#38; Friends</title>"), "{page}");
    assert!(page.contains("href=\"/site/accent.aa3300.css\""), "{page}");
    let r = anon.get(s.url("/site/accent.aa3300.css")).send().unwrap();
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(r.text().unwrap(), ":root{--accent:#aa3300;--accent-fg:#ffffff;}\n");
    assert_eq!(anon.get(s.url("/site/accent.zzzzzz.css")).send().unwrap().status(), 404);
    let (_, login) = get(&anon, &s, "/login");
    assert!(login.contains("Sign in to <span id=\"signin-site\">Photo Club &#38; Friends</span>"), "{login}");

    // Audited with the old and the new value; the unchanged logo is not.
    let (_, audit) = get(&admin, &s, "/admin/audit?action=site.");
    assert!(audit.contains("&#34;Example Community&#34; -&#62; &#34;Photo Club &#38; Friends&#34;"), "{audit}");
    assert!(audit.contains("(default) -&#62; #aa3300"), "{audit}");
    assert_eq!(audit.matches("site.setting").count(), 2, "{audit}");

    // The consent question names the site.
    let out = s.cli(
        &["client", "add", "--json", "--name", "Photo Printer", "--public", "--redirect-uri", "http://127.0.0.1/cb"],
        None,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let client: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let q = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", client["client_id"].as_str().unwrap()),
        ("redirect_uri", "http://127.0.0.1/cb"),
        ("scope", "profile"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();
    let (st, consent) = get(&admin, &s, &format!("/oauth2/authorize?{q}"));
    assert_eq!(st, 200, "{consent}");
    assert!(
        consent.contains("Allow <span id=\"app-name\">Photo Printer</span> to use your account at <span id=\"consent-site\">Photo Club &#38; Friends</span>?"),
        "{consent}"
    );

    // Reset: the file's name is in force again, and that is audited too.
    let r = admin
        .post(s.url("/admin/settings/reset"))
        .form(&[("csrf", token.as_str()), ("key", "site_name")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, page) = get(&admin, &s, "/admin/settings?done=reset");
    assert!(page.contains("The file&#39;s value is in force again."), "{page}");
    assert!(page.contains("<span id=\"site-name\">Example Community</span>"), "{page}");
    let (_, audit) = get(&admin, &s, "/admin/audit?action=site.reset");
    assert!(audit.contains("(the file&#39;s value)"), "{audit}");
    let r =
        admin.post(s.url("/admin/settings/reset")).form(&[("csrf", token.as_str()), ("key", "nope")]).send().unwrap();
    assert_eq!(r.status(), 400);
}

#[test]
fn the_dashboard_charts_what_happened_from_the_counters() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    add_member(&s, "mia");
    let (_, dash) = get(&admin, &s, "/admin");
    assert!(dash.contains("Tokens issued per hour, last 7 days: nothing counted yet."), "{dash}");
    assert!(dash.contains("<title id=\"chart-tokens-t\">"), "{dash}");

    // Two tokens, three failed sign-ins.
    let (id, secret) = register(&s, &["--name", "Phone", "--grant", "password", "--scope", "profile"]);
    let secret = secret.unwrap();
    password_token(&s, &id, &secret, "mia");
    password_token(&s, &id, &secret, "mia");
    for _ in 0..3 {
        assert_eq!(sign_in(&s, &s.client(), "mia", "wrong password!", "/account").status(), 401);
    }
    let (st, dash) = get(&admin, &s, "/admin");
    assert_eq!(st, 200);
    assert!(dash.contains("id=\"count-tokens\">2<"), "{dash}");
    assert!(dash.contains("id=\"count-failures\">3<"), "{dash}");
    assert!(dash.contains("2 OAuth 2.0, 0 OAuth 1.0a in all; the busiest hour"), "{dash}");
    assert!(dash.contains("3 failures, 0 lock-outs in all"), "{dash}");
    assert!(dash.contains("Active grants, last 30 days: 1 now"), "{dash}");
    // Drawn: bars for the hour, the line's one point; no script, no style attribute.
    let tokens = between(&dash, "<svg", "</svg>");
    assert_eq!(tokens.matches("<rect").count(), 1, "{tokens}");
    assert!(!dash.contains(" style=\"") && !dash.contains("<script>"), "{dash}");
    assert!(dash.contains("<summary>The figures by day</summary>"));
}
