//! The admin console: dashboard, members, audit log, applications and
//! tokens, and moderation (groups, posts and comments). Every handler takes `Admin` or `AdminForm` (http::visitor), so
//! every page is refused with a 403 page to members who are not admins; every change goes through the same operations as the command
//! line, which write the audit log.

pub mod audit;
pub mod charts;
pub mod client_problems;
pub mod clients;
pub mod content;
pub mod dashboard;
pub mod groups;
pub mod providers;
pub mod push;
pub mod settings;
pub mod tokens;
pub mod users;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(dashboard::routes)
        .configure(users::routes)
        .configure(audit::routes)
        .configure(tokens::routes)
        .configure(clients::routes)
        .configure(groups::routes)
        .configure(content::routes)
        .configure(settings::routes)
        .configure(push::routes)
        .configure(providers::routes);
}

/// A moderation action refused, as a page.
pub fn refused(e: crate::social::SocialError) -> crate::http::page_error::PageError {
    use crate::http::page_error::PageError;
    use crate::social::SocialError;
    use actix_web::http::StatusCode;
    match e {
        SocialError::NotFound(what) => PageError::new(
            StatusCode::NOT_FOUND,
            crate::i18n::Text::key("err-no-such").with("what", thing(what)),
            crate::i18n::Text::key("err-no-such-text").with("what", thing(what)),
        ),
        SocialError::Forbidden(why) | SocialError::Conflict(why) | SocialError::ConflictOf(_, why) => PageError::new(
            StatusCode::CONFLICT,
            crate::i18n::Text::key("err-not-possible"),
            crate::web::setup::capitalise(&why),
        ),
        SocialError::Invalid(_) | SocialError::Stale => PageError::new(
            StatusCode::BAD_REQUEST,
            crate::i18n::Text::key("err-not-possible"),
            crate::web::setup::capitalise(&e.to_string()),
        ),
        SocialError::Store(e) => e.into(),
    }
}

/// The kind of thing a `SocialError::NotFound` names, as the code the
/// catalogue chooses its word by (`push subscription` ->
/// `push_subscription`): `err-no-such` selects on it.
fn thing(what: &str) -> String {
    what.replace(' ', "_")
}

/// A short, one-line excerpt of a text for a list: white space collapsed,
/// cut at a word (or, in a very long word, anywhere) after about `max`
/// characters, with an ellipsis when cut. Askama escapes it in the page.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let at_word = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end_matches([' ', ',', '.', ';', ':']))
}

/// The order of an admin list by its date column (`?order=newest` or
/// `?order=oldest`); the lists are keyed by ids that grow with time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub newest_first: bool,
}

impl Sort {
    pub fn parse(raw: &str, newest_first_by_default: bool) -> Sort {
        Sort {
            newest_first: match raw {
                "newest" => true,
                "oldest" => false,
                _ => newest_first_by_default,
            },
        }
    }

    pub fn order(self) -> crate::store::page::Order {
        if self.newest_first { crate::store::page::Order::Descending } else { crate::store::page::Order::Ascending }
    }

    pub fn param(self) -> &'static str {
        if self.newest_first { "newest" } else { "oldest" }
    }

    /// `aria-sort` of the date column.
    pub fn aria(self) -> &'static str {
        if self.newest_first { "descending" } else { "ascending" }
    }

    /// The query of the date column's header link: the same filters, the
    /// other order, from the first page.
    pub fn toggle(self, filters: &str) -> String {
        let other = if self.newest_first { "oldest" } else { "newest" };
        if filters.is_empty() { format!("order={other}") } else { format!("{filters}&order={other}") }
    }
}

/// When a grant was last used, or `None` ("never") when it has not been
/// used since it was made (its last-used time is still its creation time).
pub fn used(created_at: i64, last_used: i64) -> Option<(String, crate::i18n::Stamp)> {
    (last_used > created_at).then(|| when(last_used))
}

/// A `<time>` element's `(datetime, moment)`.
pub type When = (String, crate::i18n::Stamp);

/// `(RFC 3339, the moment)` for a `<time>` element; the page writes the
/// moment in its language (`c.t.when`).
pub fn when(ts: i64) -> (String, crate::i18n::Stamp) {
    (crate::clock::rfc3339(ts), crate::i18n::Stamp(ts))
}

/// The query of the next page of a list: its filters (already encoded),
/// the cursor the store gave, and the limit the admin asked for, if any.
pub fn next_query(filters: &str, next: Option<&[u8]>, asked: &crate::http::page::PageQuery) -> Option<String> {
    let mut pairs = vec![("cursor", crate::http::page::cursor(next?))];
    if let Some(l) = asked.limit.as_deref().filter(|l| !l.trim().is_empty()) {
        pairs.push(("limit", l.trim().to_string()));
    }
    let tail = serde_urlencoded::to_string(pairs).unwrap_or_default();
    Some(if filters.is_empty() { tail } else { format!("{filters}&{tail}") })
}

#[cfg(test)]
mod tests {
    #[test]
    fn access_levels_and_joining_have_words() {
        let cat = crate::i18n::Catalogue::load().unwrap();
        for a in crate::store::social::Access::NAMES {
            assert!(cat.has(&format!("access-{a}")), "{a}");
        }
        for j in ["open", "closed"] {
            assert!(cat.has(&format!("joining-{j}")), "{j}");
        }
    }

    /// Every kind of thing `social` says it did not find has its own word
    /// in every language (the select's fallback would show the code).
    #[test]
    fn every_thing_not_found_has_a_word_in_every_language() {
        use crate::i18n::{Catalogue, Lang, Text, Tr};
        let t = |lang| Tr::new(std::sync::Arc::new(Catalogue::load().unwrap()), lang);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![root.join("social"), root.join("push"), root.join("web"), root.join("api")];
        let mut things = std::collections::BTreeSet::new();
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    for piece in text.split("NotFound(\"").skip(1) {
                        things.insert(piece.split('"').next().unwrap().to_string());
                    }
                }
            }
        }
        assert!(things.len() >= 8 && things.contains("push subscription"), "{things:?}");
        let (en, nl) = (t(Lang::En), t(Lang::Nl));
        for what in &things {
            let code = super::thing(what);
            let title = |t: &Tr| t.text(&Text::key("err-no-such").with("what", code.as_str()));
            assert_eq!(title(&en), format!("No such {what}"));
            assert!(!title(&nl).contains(&code) && !title(&nl).contains(what.as_str()), "no Dutch word for {what}");
            let text = nl.text(&Text::key("err-no-such-text").with("what", code.as_str()));
            assert!(!text.contains(&code) && !text.contains(what.as_str()), "{text}");
        }
        assert_eq!(nl.text(&Text::key("err-no-such").with("what", "post")), "Niet gevonden: bericht");
    }

    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(super::excerpt("  a\n\nb  c ", 20), "a b c");
        assert_eq!(super::excerpt("one two three four", 12), "one two…");
        assert_eq!(super::excerpt(&"x".repeat(30), 10), format!("{}…", "x".repeat(10)));
        assert_eq!(super::excerpt("héllo wörld ünïcode", 9), "héllo…");
    }
}
