//! `/admin`: counts (with the open reports waiting for a moderator),
//! charts (tokens issued, sign-in failures and lock-outs, active grants),
//! the last backup (or a hint to make one), push notifications (waiting,
//! the last failure), and the latest audit events.
//! Every figure is a point or range read by key (`store::stats`, the
//! tables' lengths, the newest audit rows): none grows with the audit log.

use super::charts::{Chart, Drawn, Kind, Series};
use super::when;
use crate::clock::Timestamp;
use crate::http::page_error::PageError;
use crate::http::visitor::Admin;
use crate::store::audit::{self, AuditEvent};
use crate::store::stats::{self, DAY, HOUR};
use crate::store::{self, StoreError, Tables, schema};
use crate::web::Chrome;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(show));
}

/// The last backup as the dashboard shows it.
pub struct Backup {
    pub at: super::When,
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
    pub at: super::When,
    pub e: AuditEvent,
}

/// Every figure the dashboard shows, read in one read transaction by key
/// (no scan grows with the audit log); `benches/dashboard.rs` times it.
pub struct Figures {
    pub members: u64,
    pub applications: u64,
    pub grants: u64,
    pub tokens_24h: u64,
    pub failures_24h: u64,
    pub groups: u64,
    pub open_reports: u64,
    pub last_backup: Option<Backup>,
    pub recent: Vec<Event>,
    pub charts: Vec<Chart>,
    /// Push: activity entries not yet fanned out, deliveries waiting, and
    /// devices (the tables' lengths).
    pub push_outbox: u64,
    pub push_pending: u64,
    pub push_devices: u64,
}

/// Reads the dashboard's figures as of `now`.
pub fn read(tx: &impl Tables, now: Timestamp) -> Result<Figures, StoreError> {
    let day_ago = stats::floor(now, HOUR) - 23 * HOUR;
    let next_hour = stats::floor(now, HOUR) + HOUR;
    Ok(Figures {
        members: store::count(tx, &schema::USERS)?,
        applications: store::count(tx, &schema::CLIENTS)?,
        grants: store::count(tx, &schema::GRANTS)?,
        tokens_24h: stats::sum(tx, stats::TOKENS_OAUTH2, day_ago, next_hour)?
            + stats::sum(tx, stats::TOKENS_OAUTH1, day_ago, next_hour)?,
        failures_24h: stats::sum(tx, stats::SIGNIN_FAILURES, day_ago, next_hour)?,
        groups: store::count(tx, &schema::GROUPS)?,
        open_reports: crate::store::social::reports::open_count(tx)?,
        last_backup: crate::store::backups::last(tx)?.map(|b| Backup {
            at: when(b.at),
            size: readable_size(b.size),
            file: b.file,
            scheduled: b.scheduled,
        }),
        recent: audit::recent(tx, None, 15)?.into_iter().map(|(_, e)| Event { at: when(e.at), e }).collect(),
        charts: charts(tx, now)?,
        push_outbox: store::count(tx, &schema::OUTBOX)?,
        push_pending: store::count(tx, &schema::PUSH_DELIVERIES)?,
        push_devices: store::count(tx, &schema::PUSH_SUBSCRIPTIONS)?,
    })
}

#[derive(Template)]
#[template(path = "admin_dashboard.html")]
struct DashboardView {
    c: Chrome,
    f: Figures,
    /// Whether `backup_dir` is set (the hint differs).
    backups_scheduled: bool,
    charts: Vec<Drawn>,
    /// The last push failure since the start (service, message).
    push_last_error: Option<(&'static str, String)>,
}

async fn show(v: Admin) -> Result<HttpResponse, PageError> {
    let mut f = v.app.store.read(|tx| read(tx, v.app.now()))?;
    let t = v.tr();
    let mut charts = std::mem::take(&mut f.charts);
    // Titles and series names are catalogue keys until here.
    for ch in &mut charts {
        ch.title = t.t(&ch.title);
        for s in &mut ch.series {
            s.name = t.t(&s.name);
        }
    }
    let charts = charts.iter().map(|ch| ch.draw_in(&t)).collect();
    let view = DashboardView {
        c: v.chrome("admin-dashboard", false),
        f,
        backups_scheduled: v.app.config.backup.is_some(),
        charts,
        push_last_error: v.app.metrics.last_push_error(),
    };
    Ok(v.render(StatusCode::OK, &view))
}

/// Hours in the hourly charts: the last 7 days, this hour included.
const HOURS: usize = 7 * 24;
/// Days in the active grants chart, today included.
const DAYS: usize = 30;

/// The dashboard's charts (titles and series names as catalogue keys),
/// read from `stats` by key: one range of at most
/// 168 rows per hourly series, 30 for the daily one.
pub fn charts(tx: &impl Tables, now: Timestamp) -> Result<Vec<Chart>, StoreError> {
    let from = stats::floor(now, HOUR) - (HOURS as i64 - 1) * HOUR;
    let hourly = |metric: &str, name: &str| -> Result<Series, StoreError> {
        let values = stats::series(tx, metric, from, HOUR, HOURS)?.into_iter().map(Option::unwrap_or_default).collect();
        Ok(Series { name: name.into(), values })
    };
    let chart = |id: &str, title: &str, kind, start, step, series| Chart {
        id: id.into(),
        title: title.into(),
        kind,
        start,
        step,
        series,
    };
    let (grants_from, grants) = active_grants(tx, now)?;
    let mut out = vec![
        chart(
            "chart-tokens",
            "chart-tokens-title",
            Kind::Bars,
            from,
            HOUR,
            vec![hourly(stats::TOKENS_OAUTH2, "chart-oauth2")?, hourly(stats::TOKENS_OAUTH1, "chart-oauth1")?],
        ),
        chart(
            "chart-signins",
            "chart-signins-title",
            Kind::Bars,
            from,
            HOUR,
            vec![hourly(stats::SIGNIN_FAILURES, "chart-failures")?, hourly(stats::LOCKOUTS, "chart-lockouts")?],
        ),
        chart("chart-grants", "chart-grants-title", Kind::Line, grants_from, DAY, vec![grants]),
    ];
    out.push(deliveries(tx, from)?);
    Ok(out)
}

/// Active grants on each of the last 30 days: the day's last snapshot (see
/// `stats::snapshot`), a day without one carrying the day before's
/// forward, and today's the live count.
fn active_grants(tx: &impl Tables, now: Timestamp) -> Result<(Timestamp, Series), StoreError> {
    let from = stats::floor(now, DAY) - (DAYS as i64 - 1) * DAY;
    let mut carried = stats::last_before(tx, stats::ACTIVE_GRANTS, from)?.unwrap_or(0);
    let mut values: Vec<u64> = stats::series(tx, stats::ACTIVE_GRANTS, from, DAY, DAYS)?
        .into_iter()
        .map(|v| {
            carried = v.unwrap_or(carried);
            carried
        })
        .collect();
    if let Some(today) = values.last_mut() {
        *today = store::count(tx, &schema::GRANTS)?;
    }
    Ok((from, Series { name: "chart-active-grants".into(), values }))
}

/// Push deliveries by outcome, per hour over the same 7 days: the push
/// worker counts each attempt's outcome (`stats::PUSH_*`) in the
/// transaction that records it.
fn deliveries(tx: &impl Tables, from: Timestamp) -> Result<Chart, StoreError> {
    /// (metric, legend) of each outcome.
    const OUTCOMES: &[(&str, &str)] = &[
        (stats::PUSH_DELIVERED, "chart-delivered"),
        (stats::PUSH_RETRIED, "chart-to-retry"),
        (stats::PUSH_GONE, "chart-device-gone"),
        (stats::PUSH_FAILED, "chart-refused"),
        (stats::PUSH_EXPIRED, "chart-gave-up"),
    ];
    let mut series = vec![];
    for (metric, name) in OUTCOMES {
        let values = stats::series(tx, metric, from, HOUR, HOURS)?.into_iter().map(Option::unwrap_or_default).collect();
        series.push(Series { name: (*name).into(), values });
    }
    Ok(Chart {
        id: "chart-deliveries".into(),
        title: "chart-deliveries-title".into(),
        kind: Kind::Bars,
        start: from,
        step: HOUR,
        series,
    })
}
