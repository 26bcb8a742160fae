//! The admin console: dashboard, members, audit log (and applications and
//! tokens). Every handler takes `Admin` or `AdminForm` (http::visitor), so
//! every page is refused with a 403 page to members who are not admins; every change goes through the same operations as the command
//! line, which write the audit log.

pub mod audit;
pub mod clients;
pub mod dashboard;
pub mod tokens;
pub mod users;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(dashboard::routes)
        .configure(users::routes)
        .configure(audit::routes)
        .configure(tokens::routes)
        .configure(clients::routes);
}

/// When a grant was last used, or `None` ("never") when it has not been
/// used since it was made (its last-used time is still its creation time).
pub fn used(created_at: i64, last_used: i64) -> Option<(String, String)> {
    (last_used > created_at).then(|| when(last_used))
}

/// `(RFC 3339, readable)` for a `<time>` element.
pub fn when(ts: i64) -> (String, String) {
    (crate::clock::rfc3339(ts), crate::clock::human(ts))
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
