//! `/admin/audit`: the audit log, filtered by actor, action, target and
//! time, paged, and exported as CSV or JSON lines.

use super::when;
use crate::http::page_error::PageError;
use crate::http::visitor::Admin;
use crate::store::AuditId;
use crate::store::audit::{self, AuditEvent, Filter};
use crate::web::Chrome;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const PAGE: usize = 50;
const EXPORT_MAX: usize = 100_000;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/audit", web::get().to(show)).route("/admin/audit/export", web::get().to(export));
}

#[derive(Deserialize, Default, Clone)]
struct Query {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    target: String,
    /// `YYYY-MM-DD` (UTC), inclusive.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    before: Option<u64>,
    #[serde(default)]
    format: String,
}

fn day(text: &str, end: bool) -> Result<Option<i64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(text.trim(), &fmt).map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD)"))?;
    let t = if end { d.with_hms(23, 59, 59) } else { d.with_hms(0, 0, 0) }.map_err(|e| e.to_string())?;
    Ok(Some(t.assume_utc().unix_timestamp()))
}

fn filter(q: &Query) -> Result<Filter, String> {
    Ok(Filter {
        actor: q.actor.trim().to_string(),
        action: q.action.trim().to_string(),
        target: q.target.trim().to_string(),
        from: day(&q.from, false)?,
        to: day(&q.to, true)?,
    })
}

struct Row {
    id: u64,
    at: (String, String),
    e: AuditEvent,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditView {
    c: Chrome,
    actor: String,
    action: String,
    target: String,
    from: String,
    to: String,
    error: Option<String>,
    rows: Vec<Row>,
    next: Option<String>,
    export_query: String,
}

fn query_string(q: &Query) -> String {
    serde_urlencoded::to_string([
        ("actor", q.actor.as_str()),
        ("action", q.action.as_str()),
        ("target", q.target.as_str()),
        ("from", q.from.as_str()),
        ("to", q.to.as_str()),
    ])
    .unwrap_or_default()
}

async fn show(v: Admin, q: web::Query<Query>) -> Result<HttpResponse, PageError> {
    let (rows, error) = match filter(&q) {
        Ok(f) => (v.app.store.read(|tx| audit::search(tx, &f, q.before.map(AuditId), PAGE + 1))?, None),
        Err(e) => (vec![], Some(e)),
    };
    let more = rows.len() > PAGE;
    let rows: Vec<Row> = rows.into_iter().take(PAGE).map(|(id, e)| Row { id: id.0, at: when(e.at), e }).collect();
    let next = (more && !rows.is_empty())
        .then(|| format!("{}&before={}", query_string(&q), rows.last().map(|r| r.id).unwrap_or(0)));
    let view = AuditView {
        c: v.chrome("Audit log", false),
        actor: q.actor.clone(),
        action: q.action.clone(),
        target: q.target.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        error,
        rows,
        next,
        export_query: query_string(&q),
    };
    Ok(v.render(if view.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK }, &view))
}

fn csv_field(s: &str) -> String {
    // Also defuses spreadsheet formulas (a leading = + - @).
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

async fn export(v: Admin, q: web::Query<Query>) -> Result<HttpResponse, PageError> {
    let f = filter(&q).map_err(|e| PageError::new(StatusCode::BAD_REQUEST, "The filter is not valid", e))?;
    let rows = v.app.store.read(|tx| audit::search(tx, &f, None, EXPORT_MAX))?;
    let (body, content_type, ext) = match q.format.as_str() {
        "csv" => {
            let mut out = String::from("id,time,actor,action,target,ip,detail\n");
            for (id, e) in &rows {
                let line = [
                    id.0.to_string(),
                    crate::clock::rfc3339(e.at),
                    e.actor.clone(),
                    e.action.clone(),
                    e.target.clone(),
                    e.ip.clone(),
                    e.detail.clone(),
                ]
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(",");
                out.push_str(&line);
                out.push('\n');
            }
            (out, "text/csv; charset=utf-8", "csv")
        }
        "jsonl" | "" => {
            let mut out = String::new();
            for (id, e) in &rows {
                let line = serde_json::json!({
                    "id": id.0, "time": crate::clock::rfc3339(e.at), "actor": e.actor, "action": e.action,
                    "target": e.target, "ip": e.ip, "detail": e.detail,
                });
                out.push_str(&line.to_string());
                out.push('\n');
            }
            (out, "application/x-ndjson", "jsonl")
        }
        other => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "Unknown export format",
                format!("{other:?}: choose csv or jsonl"),
            ));
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"latchkey-audit.{ext}\"")))
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }

    #[test]
    fn days_are_checked() {
        assert_eq!(day("", false).unwrap(), None);
        assert_eq!(day("1970-01-02", false).unwrap(), Some(86_400));
        assert_eq!(day("1970-01-01", true).unwrap(), Some(86_399));
        assert!(day("yesterday", false).is_err());
    }
}
