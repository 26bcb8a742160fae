//! The pages' language (issue 16, item 2): the member's own choice on
//! `/account` over the browser's `Accept-Language` over `site_language`;
//! `<html lang>` says which; error pages too, with the site's name.

use crate::harness::*;

fn page(c: &reqwest::blocking::Client, s: &Server, path: &str, accept: Option<&str>) -> (u16, String) {
    let mut r = c.get(s.url(path));
    if let Some(a) = accept {
        r = r.header("Accept-Language", a);
    }
    let r = r.send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

fn lang_of(html: &str) -> &str {
    let from = html.find("<html lang=\"").unwrap_or_else(|| panic!("no lang in {html}")) + 12;
    html[from..].split('"').next().unwrap()
}

#[test]
fn accept_language_picks_dutch_and_the_lang_attribute_follows() {
    let s = Server::start_with(&[("LATCHKEY_SITE_NAME", "Voorbeeldgemeenschap")]);
    let c = s.client();
    let (_, en) = page(&c, &s, "/login", None);
    assert_eq!(lang_of(&en), "en");
    assert!(en.contains("<title>Sign in · Voorbeeldgemeenschap</title>"), "{en}");
    let (_, nl) = page(&c, &s, "/login", Some("nl-BE,nl;q=0.9,en;q=0.5"));
    assert_eq!(lang_of(&nl), "nl");
    assert!(nl.contains("<title>Inloggen · Voorbeeldgemeenschap</title>"), "{nl}");
    assert!(nl.contains("Inloggen bij <span id=\"signin-site\">Voorbeeldgemeenschap</span>"), "{nl}");
    assert!(nl.contains(">Gebruikersnaam</label>") && nl.contains(">Wachtwoord</label>"), "{nl}");
    assert!(!nl.contains("Username"), "no English left on the Dutch page");
    // q-values decide, not the order; a language the pages lack is skipped.
    let (_, q) = page(&c, &s, "/login", Some("de;q=1, en;q=0.4, nl;q=0.8"));
    assert_eq!(lang_of(&q), "nl");
    let (_, q) = page(&c, &s, "/login", Some("nl;q=0.2, en"));
    assert_eq!(lang_of(&q), "en");

    // Error pages: Dutch, with the site's name, not the product's.
    let (st, missing) = page(&c, &s, "/no/such/page", Some("nl"));
    assert_eq!(st, 404);
    assert_eq!(lang_of(&missing), "nl");
    assert!(missing.contains("<title>Pagina niet gevonden · Voorbeeldgemeenschap</title>"), "{missing}");
    assert!(missing.contains("Fout 404") && missing.contains("Naar de startpagina"), "{missing}");
    assert!(!missing.contains(">latchkey<"), "{missing}");
    let (st, missing) = page(&c, &s, "/no/such/page", None);
    assert_eq!(st, 404);
    assert!(missing.contains("<title>Page not found · Voorbeeldgemeenschap</title>"), "{missing}");

    // A refusal a member reads on the authorization page is theirs too;
    // the protocol's own JSON stays English.
    let (st, refused) = page(&c, &s, "/oauth2/authorize?client_id=nobody&response_type=code", Some("nl"));
    assert_eq!(st, 400);
    assert!(refused.contains("Onbekende app"), "{refused}");
}

#[test]
fn the_members_choice_overrides_the_browser_and_is_audited() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    let (_, account) = page(&admin, &s, "/account", Some("nl"));
    assert_eq!(lang_of(&account), "nl");
    assert!(account.contains("<option value=\"\" selected>De taal van mijn browser</option>"), "{account}");
    // Dates the Dutch way: "1 december 2026 14:05 UTC" (a month name, no comma).
    let since = account.split("Lid sinds</dt><dd><time").nth(1).unwrap().split("</time>").next().unwrap();
    assert!(since.contains(" UTC") && !since.contains(','), "{since}");
    let token = csrf(&account);

    // English chosen: it wins over the browser's Dutch.
    let r = admin
        .post(s.url("/account/language"))
        .header("Accept-Language", "nl")
        .form(&[("csrf", token.as_str()), ("language", "en")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).ends_with("/account?language=1"), "{}", location(&r));
    let (_, html) = page(&admin, &s, "/account?language=1", Some("nl"));
    assert_eq!(lang_of(&html), "en");
    assert!(html.contains("Your language is saved."), "{html}");
    assert!(html.contains("<option value=\"en\" lang=\"en\" selected>English</option>"), "{html}");
    let (_, apps) = page(&admin, &s, "/account/applications", Some("nl"));
    assert_eq!(lang_of(&apps), "en");
    let (_, dash) = page(&admin, &s, "/admin", Some("nl"));
    assert_eq!(lang_of(&dash), "en");
    assert!(dash.contains(">Dashboard</a>"), "the admin console follows the choice");

    // Dutch chosen: the browser's English does not matter.
    let r = admin
        .post(s.url("/account/language"))
        .header("Accept-Language", "en")
        .form(&[("csrf", token.as_str()), ("language", "nl")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = page(&admin, &s, "/account?language=1", Some("en"));
    assert_eq!(lang_of(&html), "nl");
    assert!(html.contains("Je taal is opgeslagen."), "{html}");
    let (_, dash) = page(&admin, &s, "/admin", None);
    assert_eq!(lang_of(&dash), "nl");
    assert!(dash.contains(">Overzicht</a>") && dash.contains("In één oogopslag"), "{dash}");

    // Refused: a language the pages do not have, and a missing token.
    let r =
        admin.post(s.url("/account/language")).form(&[("csrf", token.as_str()), ("language", "tlh")]).send().unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("Deze taal is niet beschikbaar"));
    let r = admin.post(s.url("/account/language")).form(&[("csrf", "x"), ("language", "en")]).send().unwrap();
    assert_eq!(r.status(), 403);

    // Back to the browser's language.
    admin.post(s.url("/account/language")).form(&[("csrf", token.as_str()), ("language", "")]).send().unwrap();
    let (_, back) = page(&admin, &s, "/account", Some("en-GB"));
    assert_eq!(lang_of(&back), "en");

    // Each change is in the audit log, by the member.
    let (_, log) = page(&admin, &s, "/admin/audit?action=account.language", None);
    assert_eq!(log.matches("<td>account.language</td>").count(), 3, "{log}");
    assert!(log.contains("<td>user:1:root</td>"), "{log}");
    for change in ["browser -&#62; en", "en -&#62; nl", "nl -&#62; browser"] {
        assert!(log.contains(change), "{change} in {log}");
    }
}

#[test]
fn site_language_is_the_fallback() {
    let s = Server::start_with(&[("LATCHKEY_SITE_LANGUAGE", "nl")]);
    let c = s.client();
    let (_, html) = page(&c, &s, "/login", None);
    assert_eq!(lang_of(&html), "nl");
    assert!(html.contains("<title>Inloggen · latchkey</title>"), "{html}");
    let (_, html) = page(&c, &s, "/login", Some("fr-FR, de;q=0.8"));
    assert_eq!(lang_of(&html), "nl", "no language the pages have: the site's");
    let (_, html) = page(&c, &s, "/login", Some("en-US"));
    assert_eq!(lang_of(&html), "en", "the browser's, when the pages have it");
    let (st, html) = page(&c, &s, "/reset?token=nope", None);
    assert_eq!(st, 400);
    assert!(html.contains("Deze link is niet geldig"), "{html}");
}

/// The refusal of the plain-HTTP listener is made before the pages'
/// middleware: a page in the visitor's language (the browser's, then the
/// site's) with the site's name; the protocols' answers stay English.
#[test]
fn the_https_required_page_is_in_the_visitors_language_with_the_sites_name() {
    let http_port = free_port();
    let s = Server::start_with(&[
        ("LATCHKEY_HTTP", &format!("127.0.0.1:{http_port}")),
        ("LATCHKEY_SITE_NAME", "Voorbeeldgemeenschap"),
    ]);
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = |p: &str| format!("http://127.0.0.1:{http_port}{p}");
    let get = |p: &str, accept: Option<&str>| {
        let mut r = http.get(url(p));
        if let Some(a) = accept {
            r = r.header("Accept-Language", a);
        }
        let r = r.send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let (st, nl) = get("/login", Some("nl-NL,nl;q=0.9"));
    assert_eq!(st, 403);
    assert_eq!(lang_of(&nl), "nl");
    assert!(nl.contains("Deze pagina is alleen via HTTPS bereikbaar"), "{nl}");
    assert!(nl.contains("· Voorbeeldgemeenschap</title>"), "{nl}");
    assert!(!nl.contains("latchkey") && !nl.contains("served over HTTPS"), "{nl}");
    let (st, en) = get("/admin", None);
    assert_eq!(st, 403);
    assert_eq!(lang_of(&en), "en");
    assert!(en.contains("This page is served over HTTPS only") && en.contains("Voorbeeldgemeenschap"), "{en}");
    // Machine answers keep their English and their form.
    let r = http.post(url("/oauth2/token")).header("Accept-Language", "nl").send().unwrap();
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().unwrap();
    assert!(e["error_description"].as_str().unwrap().contains("served over HTTPS only"), "{e}");
    let r = http.get(url("/api/v1/me")).header("Accept-Language", "nl").send().unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (403, "application/problem+json"));

    // No browser preference: the site's language.
    let port2 = free_port();
    let s2 = Server::start_with(&[("LATCHKEY_HTTP", &format!("127.0.0.1:{port2}")), ("LATCHKEY_SITE_LANGUAGE", "nl")]);
    let r = http.get(format!("http://127.0.0.1:{port2}/login")).send().unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("Gebruik het https://-adres"));
    drop((s, s2));
}

/// The application form's refusals come from the registry as reasons, not
/// words: the page says them in the reader's language, the command line
/// keeps its English.
#[test]
fn a_refused_application_form_is_in_dutch_and_the_command_line_stays_english() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    let (st, form) = page(&admin, &s, "/admin/clients/new", Some("nl"));
    assert_eq!(st, 200);
    let token = csrf(&form);
    let post = |body: &[(&str, &str)]| {
        let r = admin.post(s.url("/admin/clients/new")).header("Accept-Language", "nl").form(body).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let base = [
        ("csrf", token.as_str()),
        ("name", "Tuinclub"),
        ("oauth2", "1"),
        ("client_type", "confidential"),
        ("grant", "authorization_code"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut b: Vec<(&str, &str)> = base.to_vec();
        b.extend_from_slice(extra);
        post(&b)
    };
    let (st, html) = with(&[("redirect_uris", "http://example.com/cb")]);
    assert_eq!(st, 400);
    assert_eq!(lang_of(&html), "nl");
    assert!(
        html.contains("http mag alleen voor een loopback-adres (127.0.0.1, [::1] of localhost); gebruik https voor http://example.com/cb"),
        "{html}"
    );
    assert!(!html.contains("is allowed only"), "{html}");
    let (st, html) = with(&[("redirect_uris", "https://tuin.example/cb"), ("scopes", "openid gardening")]);
    assert_eq!(st, 400);
    assert!(html.contains("Onbekende scope: gardening."), "{html}");
    let (st, html) = with(&[("redirect_uris", "https://tuin.example/cb"), ("access_ttl", "99999999")]);
    assert_eq!(st, 400);
    assert!(html.contains("Kies tussen 1 seconde en 365 dagen."), "{html}");
    // In English the same reason has English words.
    let r = admin
        .post(s.url("/admin/clients/new"))
        .header("Accept-Language", "en")
        .form(&[base.as_slice(), &[("redirect_uris", "http://example.com/cb")]].concat())
        .send()
        .unwrap();
    assert!(r.text().unwrap().contains("http is allowed only for a loopback address"));

    // The audit log's filter, refused in Dutch too.
    let (st, log) = page(&admin, &s, "/admin/audit?from=gisteren", Some("nl"));
    assert_eq!(st, 400);
    assert!(log.contains("„gisteren” is geen datum: schrijf hem als JJJJ-MM-DD"), "{log}");

    // A moderation refusal names the thing in Dutch.
    let (st, gone) = page(&admin, &s, "/admin/content/post/999/delete", Some("nl"));
    assert_eq!(st, 404);
    assert!(gone.contains("Niet gevonden: bericht") && gone.contains("Dit bestaat niet (bericht)"), "{gone}");
    let (st, gone) = page(&admin, &s, "/admin/groups/999/delete", Some("nl"));
    assert_eq!(st, 404);
    assert!(gone.contains("Niet gevonden: groep"), "{gone}");

    // The command line prints the registry's English.
    let out = s.cli(&["client", "add", "--name", "Tuinclub", "--redirect-uri", "http://example.com/cb"], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("redirect_uris: http://example.com/cb: http is allowed only for a loopback address"), "{err}");
}
