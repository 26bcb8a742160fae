//! `/admin/audit`: the audit log, filtered by actor, action, target and
//! time, paged by keyset (newest first, `?cursor=&limit=`), and exported as
//! CSV or JSON lines, streamed a chunk at a time.

use super::when;
use crate::http::page::PageQuery;
use crate::http::page_error::PageError;
use crate::http::visitor::Admin;
use crate::i18n::Text;
use crate::store::AuditId;
use crate::store::audit::{self, AuditEvent, Filter};
use crate::store::page::is_id_cursor;
use crate::web::Chrome;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const PAGE: usize = 50;
/// Events per read transaction while exporting.
const EXPORT_CHUNK: usize = 500;

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
    /// `newest` (the default) or `oldest` first.
    #[serde(default)]
    order: String,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<String>,
    #[serde(default)]
    format: String,
}

/// A day of the filter; a refusal is a catalogue text, in the reader's
/// words on the page.
fn day(text: &str, end: bool) -> Result<Option<i64>, Text> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let not_a_date = || Text::key("audit-bad-date").with("value", text.trim());
    let d = time::Date::parse(text.trim(), &fmt).map_err(|_| not_a_date())?;
    let t = if end { d.with_hms(23, 59, 59) } else { d.with_hms(0, 0, 0) }.map_err(|_| not_a_date())?;
    Ok(Some(t.assume_utc().unix_timestamp()))
}

fn filter(q: &Query) -> Result<Filter, Text> {
    Ok(Filter {
        actor: q.actor.trim().to_string(),
        action: q.action.trim().to_string(),
        target: q.target.trim().to_string(),
        from: day(&q.from, false)?,
        to: day(&q.to, true)?,
    })
}

struct Row {
    at: super::When,
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
    sort: super::Sort,
    sort_href: String,
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
    let pq = PageQuery { cursor: q.cursor.clone(), limit: q.limit.clone() };
    let page = pq.for_page(PAGE, is_id_cursor)?;
    let sort = super::Sort::parse(&q.order, true);
    let (rows, next, error) = match filter(&q) {
        Ok(f) => {
            let p = v.app.store.read(|tx| {
                audit::page(tx, page.after(), page.limit, sort.order(), |_, e| {
                    Ok(f.matches(&e).then(|| Row { at: when(e.at), e }))
                })
            })?;
            let filters = format!("{}&order={}", query_string(&q), sort.param());
            (p.items, super::next_query(&filters, p.next.as_deref(), &pq), None)
        }
        Err(e) => (vec![], None, Some(v.tr().text(&e))),
    };
    let view = AuditView {
        c: v.chrome("admin-audit", false),
        actor: q.actor.clone(),
        action: q.action.clone(),
        target: q.target.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        error,
        rows,
        next,
        export_query: query_string(&q),
        sort,
        sort_href: sort.toggle(&query_string(&q)),
    };
    Ok(v.render(if view.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK }, &view))
}

fn csv_field(s: &str) -> String {
    // Also defuses spreadsheet formulas (a leading = + - @).
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// One exported event: a CSV row or a JSON line.
fn line(csv: bool, id: AuditId, e: &AuditEvent) -> String {
    if csv {
        let mut line = [
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
        line.push('\n');
        line
    } else {
        let mut line = serde_json::json!({
            "id": id.0, "time": crate::clock::rfc3339(e.at), "actor": e.actor, "action": e.action,
            "target": e.target, "ip": e.ip, "detail": e.detail,
        })
        .to_string();
        line.push('\n');
        line
    }
}

/// Every matching event, newest first, streamed: one read transaction per
/// chunk of `EXPORT_CHUNK` events, so memory stays flat however long the log.
async fn export(v: Admin, q: web::Query<Query>) -> Result<HttpResponse, PageError> {
    let f =
        filter(&q).map_err(|e| PageError::new(StatusCode::BAD_REQUEST, crate::i18n::Text::key("err-bad-filter"), e))?;
    let (csv, content_type, ext) = match q.format.as_str() {
        "csv" => (true, "text/csv; charset=utf-8", "csv"),
        "jsonl" | "" => (false, "application/x-ndjson", "jsonl"),
        other => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                crate::i18n::Text::key("err-export-format"),
                crate::i18n::Text::key("err-export-format-text").with("format", format!("{other:?}")),
            ));
        }
    };
    let app = v.app.clone();
    // `Some(after)` while there is more to read.
    let chunks = futures_util::stream::unfold(Some(None::<Vec<u8>>), move |state| {
        let after = state;
        let app = app.clone();
        let f = f.clone();
        async move {
            let after = after?;
            let page = app.store.read(|tx| {
                audit::page(tx, after.as_deref(), EXPORT_CHUNK, crate::store::page::Order::Descending, |id, e| {
                    Ok(f.matches(&e).then(|| line(csv, id, &e)))
                })
            });
            match page {
                Ok(p) => Some((Ok(web::Bytes::from(p.items.concat())), p.next.map(Some))),
                Err(e) => Some((Err(actix_web::Error::from(PageError::internal(e))), None)),
            }
        }
    });
    let head = if csv { "id,time,actor,action,target,ip,detail\n" } else { "" };
    let body = futures_util::StreamExt::chain(
        futures_util::stream::once(std::future::ready(Ok::<_, actix_web::Error>(web::Bytes::from_static(
            head.as_bytes(),
        )))),
        chunks,
    );
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"latchkey-audit.{ext}\"")))
        .insert_header(("Cache-Control", "no-store"))
        .streaming(body))
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
        assert_eq!(day(" yesterday", false), Err(Text::key("audit-bad-date").with("value", "yesterday")));
        assert_eq!(day("2026-02-30", true), Err(Text::key("audit-bad-date").with("value", "2026-02-30")));
    }
}
