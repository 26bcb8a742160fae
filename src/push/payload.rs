//! What a notification carries (DESIGN.md "Push"): `title` and `body` in
//! the site's language, `badge` (the member's total unread), `group`,
//! `item` and `url`. It is built at send time for one member, only from
//! what that member may see; a `private` item never gets this far (the
//! worker drops entries about one), and the body is cut to stay well
//! inside every service's size limit.

use super::words::{self, fill};
use crate::ids::UserId;
use crate::store::social::Access;
use crate::store::social::activity::{Activity, What};
use crate::store::social::{comments, groups, posts};
use crate::store::{StoreError, Tables};
use serde::Serialize;

/// The most characters of an item's title quoted in a notification.
pub const MAX_QUOTE: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payload {
    pub title: String,
    pub body: String,
    pub badge: u64,
    pub group: String,
    /// The post the entry is about (a comment's post), or the group.
    pub item: String,
    pub url: String,
}

fn quote(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(MAX_QUOTE).collect();
    if one_line.chars().count() > MAX_QUOTE {
        out.push('…');
    }
    out
}

/// The item's headline: a post's title, or the start of its body.
fn headline(p: &posts::Post) -> String {
    quote(if p.title.trim().is_empty() { &p.body } else { &p.title })
}

/// The notification of entry `a` for `user`, or `None` when there is
/// nothing that may be said (the group or the item is gone, or the item is
/// private). `url` makes a path absolute on the site.
pub fn build(
    tx: &impl Tables,
    a: &Activity,
    user: UserId,
    language: &str,
    url: impl Fn(&str) -> String,
) -> Result<Option<Payload>, StoreError> {
    let Some(group) = groups::get(tx, a.group)? else { return Ok(None) };
    let w = words::of(language);
    let post = match a.post {
        Some(p) => match posts::get(tx, p)? {
            Some(p) if p.access != Access::Private && !p.hidden => Some(p),
            _ => return Ok(None),
        },
        None => None,
    };
    if let Some(c) = a.comment {
        if comments::get(tx, c)?.is_none_or(|c| c.hidden) {
            return Ok(None);
        }
    }
    let group_name = quote(&group.name);
    let title = fill(w.title(a.what), &[("group", &group_name)]);
    let body = match (a.what, &post) {
        (What::PostCreated, Some(p)) => headline(p),
        (What::CommentAdded, Some(p)) => fill(w.comment_on, &[("title", &headline(p))]),
        (What::MemberJoined, _) => {
            let name = crate::store::users::get(tx, a.actor)?.map(|u| u.display_name).unwrap_or_default();
            fill(w.joined, &[("name", &quote(&name))])
        }
        _ => String::new(),
    };
    let (item, path) = match &post {
        Some(p) => (p.id.to_string(), format!("/api/v1/posts/{}", p.id)),
        None => (group.id.to_string(), format!("/api/v1/groups/{}", group.id)),
    };
    let badge = crate::social::activity::total_unread(tx, user)?;
    Ok(Some(Payload { title, body, badge, group: group.id.to_string(), item, url: url(&path) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_one_line_and_short() {
        assert_eq!(quote("a\n b\tc"), "a b c");
        let long = "x".repeat(MAX_QUOTE + 5);
        assert_eq!(quote(&long).chars().count(), MAX_QUOTE + 1);
    }
}
