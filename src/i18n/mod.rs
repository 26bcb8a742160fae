//! The pages' words: one message catalogue (Fluent, `i18n/<lang>.ftl`,
//! compiled in with `include_str!`), the languages a page can be in, the
//! choice among them (`Accept-Language`), and dates and numbers written
//! the language's way.
//!
//! How to use it from a page:
//!
//! - The catalogue is loaded once (`Catalogue::load`) into `App`; every
//!   page's `Chrome` carries a `Tr` (the catalogue and the visitor's
//!   language) as `c.t`.
//! - In a template: `{{ c.t.t("login-title") }}`, with variables
//!   `{{ c.t.t1("consent-title", "app", name) }}`, `t2`, `t3` (names are
//!   the Fluent `$variables`); numbers as `{{ c.t.num(n) }}`, times as
//!   `{{ c.t.when(ts) }}` (seconds since 1970, UTC). Output is escaped by
//!   askama as usual.
//! - In Rust: `v.tr().t("key")` on a `Visitor`, or `Text::key("key")` for
//!   a text that is rendered later (page errors, notices).
//! - A new message goes into `i18n/en.ftl` and `i18n/nl.ftl` under the
//!   same key with the same variables; `cargo test --lib i18n` checks
//!   both files, and that every template's words go through the catalogue.
//!
//! Fluent, not a hand-made lookup: plural rules per language (`{ $n -> [one]
//! ... *[other] ... }`), variables, and a checked syntax. The catalogue is
//! a value held by `App`, not a global. Numbers shown through a message are
//! written with the language's thousands separator (a formatter per bundle).

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// A language the pages can be shown in. Append a variant (and its
/// `.ftl` file) to add one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Nl,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Nl];

    /// The BCP 47 tag (also what `<html lang>` says and what is stored).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
        }
    }

    /// The language's own name for itself (for the language select).
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Nl => "Nederlands",
        }
    }

    /// The catalogue file's text.
    pub fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("en.ftl"),
            Lang::Nl => include_str!("nl.ftl"),
        }
    }

    /// A tag's language (`nl-BE` -> `nl`), if it is one the pages have.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    fn thousands(self) -> char {
        match self {
            Lang::En => ',',
            Lang::Nl => '.',
        }
    }
}

/// The best language the pages have for an `Accept-Language` header:
/// ranges by their q-value (highest first, ties in the order given),
/// `q=0` meaning "not this one"; `nl-BE` counts as `nl`. `None` when none
/// of them is one the pages have (`*` too: the site's language follows).
pub fn negotiate(header: &str) -> Option<Lang> {
    let mut ranges: Vec<(u16, usize, &str)> = Vec::new();
    for (i, part) in header.split(',').enumerate().take(32) {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim();
        if tag.is_empty() {
            continue;
        }
        let mut q = 1000u16;
        for p in pieces {
            if let Some((k, v)) = p.split_once('=') {
                if k.trim().eq_ignore_ascii_case("q") {
                    q = parse_q(v.trim()).unwrap_or(0);
                }
            }
        }
        if q > 0 {
            ranges.push((q, i, tag));
        }
    }
    ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.into_iter().find_map(|(_, _, tag)| Lang::parse(tag))
}

/// A q-value (`0`, `0.5`, `1.000`) in thousandths; `None` if malformed.
fn parse_q(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut f = 0u16;
    for (i, b) in frac.bytes().enumerate() {
        f += u16::from(b - b'0') * [100, 10, 1][i];
    }
    if whole == 1000 && f > 0 { None } else { Some(whole + f) }
}

/// A number with the language's thousands separator ("12,345" / "12.345").
pub fn group_digits(lang: Lang, n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(lang.thousands());
        }
        out.push(c);
    }
    out
}

fn format_en(v: &FluentValue, _: &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String> {
    format_number(Lang::En, v)
}

fn format_nl(v: &FluentValue, _: &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String> {
    format_number(Lang::Nl, v)
}

/// Whole numbers get the language's separator; others are left to Fluent.
fn format_number(lang: Lang, v: &FluentValue) -> Option<String> {
    match v {
        FluentValue::Number(n) if n.value.fract() == 0.0 && n.value.abs() < 1e15 => {
            Some(group_digits(lang, n.value as i128))
        }
        _ => None,
    }
}

type Bundle = FluentBundle<FluentResource>;

/// Every language's messages, parsed once.
pub struct Catalogue {
    bundles: Vec<(Lang, Bundle)>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue").field("languages", &self.bundles.len()).finish()
    }
}

impl Catalogue {
    /// Parses the compiled-in catalogue files. An error names the file and
    /// what is wrong (the tests load it, so a bad file fails them first).
    pub fn load() -> Result<Catalogue, String> {
        let mut bundles = Vec::new();
        for lang in Lang::ALL {
            let res = FluentResource::try_new(lang.source().to_string())
                .map_err(|(_, errs)| format!("i18n/{}.ftl: {errs:?}", lang.code()))?;
            let id: unic_langid::LanguageIdentifier =
                lang.code().parse().map_err(|e| format!("language tag {}: {e}", lang.code()))?;
            let mut b = FluentBundle::new_concurrent(vec![id]);
            // Pages are not mixed-direction text: no isolation marks.
            b.set_use_isolating(false);
            b.set_formatter(Some(match lang {
                Lang::En => format_en,
                Lang::Nl => format_nl,
            }));
            b.add_resource(res).map_err(|errs| format!("i18n/{}.ftl: {errs:?}", lang.code()))?;
            bundles.push((lang, b));
        }
        Ok(Catalogue { bundles })
    }

    fn bundle(&self, lang: Lang) -> Option<&Bundle> {
        self.bundles.iter().find(|(l, _)| *l == lang).map(|(_, b)| b)
    }

    /// One message in `lang` (English if that language lacks it; the key
    /// itself, logged, if no language has it: the tests keep that from
    /// happening).
    pub fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
        for l in [lang, Lang::En] {
            let Some(b) = self.bundle(l) else { continue };
            let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else { continue };
            let mut errors = Vec::new();
            let s = b.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, lang = l.code(), ?errors, "a message did not format cleanly");
            }
            return s.into_owned();
        }
        tracing::warn!(key, "no such message in the catalogue");
        key.to_string()
    }

    /// Whether English has this key.
    pub fn has(&self, key: &str) -> bool {
        self.bundle(Lang::En).is_some_and(|b| b.has_message(key))
    }

    /// The keys of one language's file, in file order.
    pub fn keys(lang: Lang) -> Vec<String> {
        let Ok(res) = FluentResource::try_new(lang.source().to_string()) else { return Vec::new() };
        res.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }
}

/// A value passed to a message: text or a whole number.
pub trait Arg {
    fn value(&self) -> FluentValue<'static>;
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn value(&self) -> FluentValue<'static> {
                FluentValue::from(*self as f64)
            }
        }
    )*};
}
number_arg!(i64, u64, usize, u32, i32, u16, u8);

impl Arg for str {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.to_string())
    }
}

impl Arg for String {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.clone())
    }
}

impl<T: Arg + ?Sized> Arg for &T {
    fn value(&self) -> FluentValue<'static> {
        (**self).value()
    }
}

/// A text that is put into words later, in the reader's language: a
/// catalogue key with its variables, or words that are already final
/// (a name, or a protocol's own English description).
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    Key(&'static str, Vec<(&'static str, TextArg)>),
    Raw(String),
}

/// A variable of a `Text`.
#[derive(Debug, Clone, PartialEq)]
pub enum TextArg {
    Str(String),
    Num(i64),
}

impl Text {
    pub fn key(key: &'static str) -> Text {
        Text::Key(key, Vec::new())
    }

    /// Adds a text variable.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Text {
        if let Text::Key(_, args) = &mut self {
            args.push((name, TextArg::Str(value.into())));
        }
        self
    }

    /// Adds a number variable (plural forms, thousands separators).
    pub fn num(mut self, name: &'static str, value: i64) -> Text {
        if let Text::Key(_, args) = &mut self {
            args.push((name, TextArg::Num(value)));
        }
        self
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::Raw(s)
    }
}

/// The catalogue and the language of one page: what templates call.
#[derive(Clone)]
pub struct Tr {
    catalogue: Arc<Catalogue>,
    pub lang: Lang,
}

impl Tr {
    pub fn new(catalogue: Arc<Catalogue>, lang: Lang) -> Tr {
        Tr { catalogue, lang }
    }

    /// The language tag, for `<html lang>`.
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn t(&self, key: &str) -> String {
        self.catalogue.format(self.lang, key, None)
    }

    /// A catalogue key's message, or the text itself when it is no key
    /// (words from a lower layer that has no catalogue).
    pub fn t_or(&self, key_or_text: &str) -> String {
        if self.catalogue.has(key_or_text) { self.t(key_or_text) } else { key_or_text.to_string() }
    }

    fn with(&self, key: &str, pairs: &[(&str, FluentValue<'static>)]) -> String {
        let mut args = FluentArgs::new();
        for (k, v) in pairs {
            args.set(k.to_string(), v.clone());
        }
        self.catalogue.format(self.lang, key, Some(&args))
    }

    pub fn t1(&self, key: &str, a: &str, av: impl Arg) -> String {
        self.with(key, &[(a, av.value())])
    }

    pub fn t2(&self, key: &str, a: &str, av: impl Arg, b: &str, bv: impl Arg) -> String {
        self.with(key, &[(a, av.value()), (b, bv.value())])
    }

    /// Three variables: the name-value pairs in a row, as templates write
    /// them (`c.t.t3("key", "id", id, "n", n, "m", m)`).
    #[allow(clippy::too_many_arguments)]
    pub fn t3(&self, key: &str, a: &str, av: impl Arg, b: &str, bv: impl Arg, c: &str, cv: impl Arg) -> String {
        self.with(key, &[(a, av.value()), (b, bv.value()), (c, cv.value())])
    }

    /// A message with text variables already in words.
    pub fn with_pairs(&self, key: &str, pairs: &[(&str, &str)]) -> String {
        let pairs: Vec<(&str, FluentValue<'static>)> =
            pairs.iter().map(|(k, v)| (*k, FluentValue::from(v.to_string()))).collect();
        self.with(key, &pairs)
    }

    /// A `Text` in this language.
    pub fn text(&self, text: &Text) -> String {
        match text {
            Text::Raw(s) => s.clone(),
            Text::Key(key, args) => {
                let pairs: Vec<(&str, FluentValue<'static>)> = args
                    .iter()
                    .map(|(k, v)| {
                        let v = match v {
                            TextArg::Str(s) => FluentValue::from(s.clone()),
                            TextArg::Num(n) => FluentValue::from(*n as f64),
                        };
                        (*k, v)
                    })
                    .collect();
                self.with(key, &pairs)
            }
        }
    }

    /// What a scope lets an application do (`scope-<name>`, `:` as `-`).
    pub fn scope(&self, name: &str) -> String {
        self.t(&format!("scope-{}", name.replace(':', "-")))
    }

    /// A whole number with the language's thousands separator.
    pub fn num(&self, n: impl Arg) -> String {
        match n.value() {
            FluentValue::Number(n) => group_digits(self.lang, n.value as i128),
            other => format!("{other:?}"),
        }
    }

    /// A moment (seconds since 1970) in UTC, written the language's way:
    /// "1 December 2026, 14:05 UTC", "1 december 2026 14:05 UTC".
    pub fn when(&self, ts: impl Arg) -> String {
        let FluentValue::Number(n) = ts.value() else { return String::new() };
        let Ok(t) = time::OffsetDateTime::from_unix_timestamp(n.value as i64) else { return String::new() };
        let month = self.t(&format!("month-{}", u8::from(t.month())));
        let hm = format!("{:02}:{:02}", t.hour(), t.minute());
        // Day and year as text: no thousands separator in "2026".
        self.with(
            "date-time",
            &[
                ("day", FluentValue::from(t.day().to_string())),
                ("month", FluentValue::from(month)),
                ("year", FluentValue::from(t.year().to_string())),
                ("time", FluentValue::from(hm)),
            ],
        )
    }

    /// A day without the time: "1 December 2026", "1 december 2026".
    pub fn day(&self, ts: impl Arg) -> String {
        let FluentValue::Number(n) = ts.value() else { return String::new() };
        let Ok(t) = time::OffsetDateTime::from_unix_timestamp(n.value as i64) else { return String::new() };
        let month = self.t(&format!("month-{}", u8::from(t.month())));
        self.with(
            "date-day",
            &[
                ("day", FluentValue::from(t.day().to_string())),
                ("month", FluentValue::from(month)),
                ("year", FluentValue::from(t.year().to_string())),
            ],
        )
    }
}

/// A moment for a page (seconds since 1970): shown as
/// `{{ c.t.when(stamp) }}`; on its own it writes itself in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(pub i64);

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::clock::human(self.0))
    }
}

impl Arg for Stamp {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.0 as f64)
    }
}
