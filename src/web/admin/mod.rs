//! The admin console: dashboard, members, audit log (and applications and
//! tokens). Every page is refused with a 403 page to members who are not
//! admins; every change goes through the same operations as the command
//! line, which write the audit log.

pub mod audit;
pub mod clients;
pub mod dashboard;
pub mod tokens;
pub mod users;

use super::Visitor;
use crate::http::page_error::PageError;
use actix_web::{HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(dashboard::routes)
        .configure(users::routes)
        .configure(audit::routes)
        .configure(tokens::routes)
        .configure(clients::routes);
}

/// `Ok(None)` for an admin; `Ok(Some(redirect))` to sign in first; a 403
/// page for a member who is not an admin.
pub fn gate(v: &Visitor, here: &str) -> Result<Option<HttpResponse>, PageError> {
    match &v.active {
        None => Ok(Some(v.to_login(here))),
        Some(a) if a.user.admin => Ok(None),
        Some(_) => Err(PageError::forbidden("This page is for the site's admins.")),
    }
}

/// `(RFC 3339, readable)` for a `<time>` element.
pub fn when(ts: i64) -> (String, String) {
    (crate::clock::rfc3339(ts), crate::clock::human(ts))
}
