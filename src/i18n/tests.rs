//! The catalogue's own checks: every language has exactly English's keys
//! with the same variables; every template's words go through the
//! catalogue (no literal text where a person reads it), and every key the
//! templates and the pages' Rust name exists.

use super::*;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn tr(lang: Lang) -> Tr {
    Tr::new(Arc::new(Catalogue::load().unwrap()), lang)
}

fn collect_vars(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for el in &p.elements {
        if let PatternElement::Placeable { expression } = el {
            collect_expr(expression, out);
        }
    }
}

fn collect_expr(e: &Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        Expression::Inline(i) => collect_inline(i, out),
        Expression::Select { selector, variants } => {
            collect_inline(selector, out);
            for v in variants {
                collect_vars(&v.value, out);
            }
        }
    }
}

fn collect_inline(i: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match i {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => collect_expr(expression, out),
        _ => {}
    }
}

/// Key -> the variables its message uses.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let res = FluentResource::try_new(lang.source().to_string()).unwrap_or_else(|(_, e)| panic!("{lang:?}: {e:?}"));
    let mut out = BTreeMap::new();
    for e in res.entries() {
        if let Entry::Message(m) = e {
            let mut vars = BTreeSet::new();
            if let Some(p) = &m.value {
                collect_vars(p, &mut vars);
            }
            assert!(out.insert(m.id.name.to_string(), vars).is_none(), "{lang:?}: {} twice", m.id.name);
        }
    }
    out
}

#[test]
fn every_language_has_exactly_englishs_keys_and_variables() {
    let en = messages(Lang::En);
    assert!(en.len() > 100, "the English catalogue is the full one");
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
        let other = messages(lang);
        let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
        assert!(extra.is_empty(), "{lang:?} has keys English does not: {extra:?}");
        for (k, vars) in &en {
            assert_eq!(&other[k], vars, "{lang:?}: the variables of {k} differ from English's");
        }
    }
    // And the check itself sees a difference.
    let a = messages(Lang::En);
    let mut b = a.clone();
    b.insert("login-heading".into(), BTreeSet::from(["site".to_string()]));
    assert_ne!(a, b);
}

#[test]
fn the_catalogue_loads_and_formats_both_languages() {
    let (en, nl) = (tr(Lang::En), tr(Lang::Nl));
    assert_eq!(en.t("login-submit"), "Sign in");
    assert_eq!(nl.t("login-submit"), "Inloggen");
    assert_eq!(en.t1("open-reports", "n", 1u64), "1 open report");
    assert_eq!(en.t1("open-reports", "n", 12_345u64), "12,345 open reports");
    assert_eq!(nl.t1("open-reports", "n", 1u64), "1 open melding");
    assert_eq!(nl.t1("open-reports", "n", 12_345u64), "12.345 open meldingen");
    assert_eq!(en.num(1_234_567u64), "1,234,567");
    assert_eq!(nl.num(1_234_567u64), "1.234.567");
    assert_eq!(nl.num(-999i64), "-999");
    // 2026-12-01 14:05 UTC
    let ts = 1_796_133_900i64;
    assert_eq!(en.when(ts), "1 December 2026, 14:05 UTC");
    assert_eq!(nl.when(ts), "1 december 2026 14:05 UTC");
    assert_eq!(nl.day(ts), "1 december 2026");
    assert_eq!(en.scope("posts:read"), "Read posts, comments and tags that you can see");
    assert_eq!(nl.scope("offline_access"), "Toegang tot je account houden terwijl je de app niet gebruikt");
    assert_eq!(en.t("no-such-key"), "no-such-key", "a missing key shows itself, not nothing");
    assert_eq!(en.t_or("Some words from below"), "Some words from below");
    assert_eq!(nl.t_or("login-submit"), "Inloggen");
    let text = Text::key("notice-grant-revoked").with("id", "4").num("n", 1);
    assert_eq!(nl.text(&text), "Toegang 4 is ingetrokken, met 1 token.");
}

#[test]
fn every_scope_has_words_in_every_language() {
    for lang in Lang::ALL {
        let t = tr(lang);
        for s in crate::scopes::SCOPES.iter().chain(crate::scopes::SHORTHANDS) {
            let key = format!("scope-{}", s.name.replace(':', "-"));
            assert!(t.catalogue.has(&key), "{key}");
            if lang == Lang::En {
                assert_eq!(t.scope(s.name), s.description, "English matches scopes.rs");
            }
        }
    }
}

#[test]
fn the_site_languages_the_configuration_takes_are_the_pages_languages() {
    let pages: Vec<&str> = Lang::ALL.iter().map(|l| l.code()).collect();
    assert_eq!(pages, crate::config::SITE_LANGUAGES);
}

#[test]
fn accept_language_is_read_by_q_value() {
    assert_eq!(negotiate("nl"), Some(Lang::Nl));
    assert_eq!(negotiate("nl-BE,nl;q=0.9,en;q=0.8"), Some(Lang::Nl));
    assert_eq!(negotiate("de-DE, en;q=0.5, nl;q=0.7"), Some(Lang::Nl), "the highest q the pages have");
    assert_eq!(negotiate("en;q=0.3, NL-be;q=0.4"), Some(Lang::Nl));
    assert_eq!(negotiate("fr, de"), None);
    assert_eq!(negotiate("*"), None);
    assert_eq!(negotiate("nl;q=0, en"), Some(Lang::En), "q=0 is a refusal");
    assert_eq!(negotiate("nl;q=1.5, en"), Some(Lang::En), "a malformed q counts as 0");
    assert_eq!(negotiate("en;q=0.500, nl;q=0.5"), Some(Lang::En), "ties keep the header's order");
    assert_eq!(negotiate(""), None);
    assert_eq!(negotiate(" , ;q=1"), None);
    assert_eq!(Lang::parse("nl_NL"), Some(Lang::Nl));
    assert_eq!(Lang::parse("english"), None);
}

/// Words that may stand in a template as they are: protocol and product
/// names, formats, symbols' neighbours.
const ALLOWED: &[&str] = &[
    "OAuth 2.0",
    "OAuth 1.0a",
    "OAuth 2.0 / OpenID Connect",
    "OAuth 2.0 client_id",
    "OAuth 2.0 client_secret",
    "JWT (RFC 9068)",
    "client_id",
    "FCM",
    "IP",
    "CSV",
    "(YYYY-MM-DD)",
    "/api",
    "#2456c7",
    "APNs",
    "HMAC-SHA1",
    "HMAC-SHA256",
    "RSA-SHA1",
    "(OAuth 1.0a",
];

/// Attributes a person reads (or a screen reader says).
const READ_ATTRIBUTES: &[&str] = &["alt", "title", "aria-label", "placeholder"];

/// The words of a template that do not go through the catalogue: text
/// between tags and read attributes, with `{{ }}` and `{% %}` taken out.
fn literal_words(template: &str) -> Vec<String> {
    let mut s = String::with_capacity(template.len());
    // Template code becomes a marker, so that quotes inside it do not
    // end attribute values.
    let mut rest = template;
    while let Some(i) = rest.find(['{']) {
        s.push_str(&rest[..i]);
        let tail = &rest[i..];
        let close = if tail.starts_with("{{") {
            "}}"
        } else if tail.starts_with("{%") {
            "%}"
        } else if tail.starts_with("{#") {
            "#}"
        } else {
            s.push('{');
            rest = &tail[1..];
            continue;
        };
        match tail.find(close) {
            Some(j) => {
                s.push('\u{1}');
                rest = &tail[j + 2..];
            }
            None => {
                rest = "";
            }
        }
    }
    s.push_str(rest);
    let mut found = Vec::new();
    let mut check = |text: &str| {
        for piece in text.split('\u{1}') {
            let piece = piece.split_whitespace().collect::<Vec<_>>().join(" ");
            let piece = piece.trim_matches(|c: char| !(c.is_alphanumeric() || "()/#".contains(c))).to_string();
            if piece.chars().any(char::is_alphabetic) && !ALLOWED.contains(&piece.as_str()) {
                found.push(piece);
            }
        }
    };
    let mut inside_code = false;
    let mut pos = 0;
    while let Some(lt) = s[pos..].find('<') {
        let text = &s[pos..pos + lt];
        if !inside_code {
            check(text);
        }
        let start = pos + lt;
        let Some(gt) = s[start..].find('>') else { break };
        let tag = &s[start + 1..start + gt];
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '!').collect();
        match name.as_str() {
            "code" | "script" | "style" => inside_code = true,
            "/code" | "/script" | "/style" => inside_code = false,
            _ => {}
        }
        let is_button_input =
            name == "input" && ["type=\"submit\"", "type=\"button\"", "type=\"reset\""].iter().any(|t| tag.contains(t));
        for attr in READ_ATTRIBUTES.iter().chain(if is_button_input { &["value"][..] } else { &[][..] }) {
            let pat = format!(" {attr}=\"");
            let mut from = 0;
            while let Some(a) = tag[from..].find(&pat) {
                let v0 = from + a + pat.len();
                let Some(v1) = tag[v0..].find('"') else { break };
                check(&tag[v0..v0 + v1]);
                from = v0 + v1;
            }
        }
        pos = start + gt + 1;
    }
    if !inside_code {
        check(&s[pos..]);
    }
    found
}

fn templates() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn the_scanner_finds_literal_words() {
    let bad = r#"<p>Hello {{ name }}</p><button aria-label="Close {{ x }}">{{ c.t.t("k") }}</button><img alt="A cat"><input type="submit" value="Send"><input type="hidden" value="x1"><code>latchkey demo</code>"#;
    assert_eq!(literal_words(bad), ["Hello", "Close", "A cat", "Send"]);
    let good = r#"<p title="{{ c.t.t("a") }}">{{ c.t.t1("b", "n", n) }} · {% if x %}<b>{{ y }}</b>{% endif %} · OAuth 2.0</p>"#;
    assert_eq!(literal_words(good), Vec::<String>::new());
}

#[test]
fn templates_have_no_words_outside_the_catalogue() {
    let ts = templates();
    assert!(ts.len() >= 30, "every template is scanned");
    let mut bad = Vec::new();
    for (name, text) in &ts {
        for w in literal_words(text) {
            bad.push(format!("{name}: {w:?}"));
        }
    }
    assert!(bad.is_empty(), "words that do not go through the catalogue:\n{}", bad.join("\n"));
}

/// Literal keys in calls like `t("key"`, `t1("key"`, `chrome("key"`,
/// `Text::key("key")`.
fn keys_named(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for call in ["t(\"", "t1(\"", "t2(\"", "t3(\"", "t_or(\"", "chrome(\"", "Text::key(\"", "with_pairs(\""] {
        let mut from = 0;
        while let Some(i) = text[from..].find(call) {
            let start = from + i + call.len();
            let Some(end) = text[start..].find('"') else { break };
            let key = &text[start..start + end];
            // `.t("..."` only: not `format!("...`, `assert!("...` and the like.
            let before = text[..from + i].chars().last();
            let word_call = !matches!(before, Some(c) if c.is_alphanumeric() || c == '_');
            if word_call && !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                out.push(key.to_string());
            }
            from = start + end;
        }
    }
    out
}

#[test]
fn every_key_the_pages_name_is_in_the_catalogue() {
    let cat = Catalogue::load().unwrap();
    let mut sources = templates();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![root.join("web"), root.join("http")];
    for f in ["oauth2/authorize.rs", "oauth1/authorize.rs"] {
        sources.push((f.into(), std::fs::read_to_string(root.join(f)).unwrap()));
    }
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                sources.push((p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut missing = Vec::new();
    let mut seen = 0;
    for (name, text) in &sources {
        // Comments show calls too (`{{ c.t.t("key") }}` in a doc comment).
        let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        for k in keys_named(&code) {
            seen += 1;
            if !cat.has(&k) {
                missing.push(format!("{name}: {k}"));
            }
        }
    }
    assert!(seen > 300, "the pages name their words by key ({seen} found)");
    assert!(missing.is_empty(), "keys not in the catalogue:\n{}", missing.join("\n"));
    for m in 1..=12 {
        assert!(cat.has(&format!("month-{m}")) && cat.has(&format!("month-short-{m}")));
    }
}
