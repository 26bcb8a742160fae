//! `/admin`: counts (with the open reports waiting for a moderator), the
//! last backup (or a hint to make one), push notifications (waiting, the
//! last failure), and the latest audit events.

use super::when;
use crate::http::page_error::PageError;
use crate::http::visitor::Admin;
use crate::store::audit::{self, AuditEvent, Filter};
use crate::store::{self, grants, schema};
use crate::web::Chrome;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(show));
}

/// The last backup as the dashboard shows it.
pub struct Backup {
    pub at: (String, String),
    pub size: String,
    pub file: String,
    pub scheduled: bool,
}

/// A size in the unit a person reads at a glance.
pub fn readable_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

pub struct Event {
    pub at: (String, String),
    pub e: AuditEvent,
}

#[derive(Template)]
#[template(path = "admin_dashboard.html")]
struct DashboardView {
    c: Chrome,
    members: u64,
    applications: u64,
    grants: u64,
    tokens_24h: usize,
    failures_24h: usize,
    groups: u64,
    open_reports: u64,
    last_backup: Option<Backup>,
    /// Whether `backup_dir` is set (the hint differs).
    backups_scheduled: bool,
    recent: Vec<Event>,
    /// Push: activity entries not yet fanned out, deliveries waiting,
    /// devices, and the last failure (service, message) since the start.
    push_outbox: u64,
    push_pending: u64,
    push_devices: u64,
    push_last_error: Option<(&'static str, String)>,
}

async fn show(v: Admin) -> Result<HttpResponse, PageError> {
    let since = v.app.now() - 86_400;
    let view = v.app.store.read(|tx| {
        let failures = Filter { action: "login.failure".into(), from: Some(since), ..Default::default() };
        Ok(DashboardView {
            c: v.chrome("Admin", false),
            members: store::count(tx, &schema::USERS)?,
            applications: store::count(tx, &schema::CLIENTS)?,
            grants: store::count(tx, &schema::GRANTS)?,
            tokens_24h: grants::tokens_issued_since(tx, since)?,
            failures_24h: audit::search(tx, &failures, None, 100_000)?.len(),
            groups: store::count(tx, &schema::GROUPS)?,
            open_reports: crate::store::social::reports::open_count(tx)?,
            last_backup: crate::store::backups::last(tx)?.map(|b| Backup {
                at: when(b.at),
                size: readable_size(b.size),
                file: b.file,
                scheduled: b.scheduled,
            }),
            backups_scheduled: v.app.config.backup.is_some(),
            recent: audit::recent(tx, None, 15)?.into_iter().map(|(_, e)| Event { at: when(e.at), e }).collect(),
            push_outbox: store::count(tx, &schema::OUTBOX)?,
            push_pending: store::count(tx, &schema::PUSH_DELIVERIES)?,
            push_devices: store::count(tx, &schema::PUSH_SUBSCRIPTIONS)?,
            push_last_error: v.app.metrics.last_push_error(),
        })
    })?;
    Ok(v.render(StatusCode::OK, &view))
}
