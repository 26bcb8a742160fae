//! What one view of `/admin` costs in reads with a large audit log: fills a
//! store with 1,000,000 audit events (and a week of counters), then times
//! the dashboard's reads (`web::admin::dashboard::read`, one read
//! transaction: table lengths, the 15 newest events, about 700 counter rows)
//! and, for comparison, the scan the old "sign-in failures in 24 h" count
//! made. Prints the figures; asserts nothing about time. Run with
//! `cargo bench --bench dashboard` (`LATCHKEY_BENCH_EVENTS=N` for another
//! size).

#![allow(clippy::unwrap_used)] // tests and benchmarks fail loudly on purpose

use latchkey::store::audit::{self, AuditEvent, Filter};
use latchkey::store::{Store, StoreError, stats};
use std::time::{Duration, Instant};

const NOW: i64 = 1_764_547_200;

fn main() {
    let events: u64 = std::env::var("LATCHKEY_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.redb")).unwrap();
    let t = Instant::now();
    let batch = 50_000;
    for start in (0..events).step_by(batch as usize) {
        let end = (start + batch).min(events);
        store
            .write_blocking(move |tx| {
                for i in start..end {
                    // Spread over 30 days up to now; one in ten a failed sign-in.
                    let at = NOW - 30 * 86_400 + (i * 30 * 86_400 / events.max(1)) as i64;
                    let action = if i % 10 == 0 { "login.failure" } else { "grant.approve" };
                    audit::append(
                        tx,
                        &AuditEvent {
                            at,
                            actor: format!("user:{}:member{}", i % 5000, i % 5000),
                            action: action.into(),
                            target: format!("client {}", i % 300),
                            ip: "192.0.2.10".into(),
                            detail: String::new(),
                        },
                    )?;
                    if i % 10 == 0 {
                        stats::bump(tx, stats::SIGNIN_FAILURES, at, 1)?;
                    }
                    stats::bump(tx, stats::TOKENS_OAUTH2, at, 1)?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }
    let fill = t.elapsed();
    let size = std::fs::metadata(dir.path().join("bench.redb")).map(|m| m.len()).unwrap_or(0);

    let runs = 200;
    let mut times = vec![];
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let f = store.read(|tx| latchkey::web::admin::dashboard::read(tx, NOW)).unwrap();
        times.push(t.elapsed());
        rows = f.charts.iter().map(|c| c.series.iter().map(|s| s.values.len()).sum::<usize>()).sum();
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / runs as u32;
    let t = Instant::now();
    let failures = Filter { action: "login.failure".into(), from: Some(NOW - 86_400), ..Default::default() };
    let old = store.read(|tx| audit::search(tx, &failures, None, 100_000)).unwrap().len();
    let scan = t.elapsed();
    println!("dashboard with {events} audit events ({} MiB file, filled in {:.1} s):", size >> 20, fill.as_secs_f64());
    println!(
        "  dashboard::read: mean {:.3} ms, p50 {:.3} ms, max {:.3} ms over {runs} views ({rows} chart buckets)",
        mean.as_secs_f64() * 1e3,
        times[runs / 2].as_secs_f64() * 1e3,
        times[runs - 1].as_secs_f64() * 1e3
    );
    println!("  the old 24 h failure count (an audit scan): {:.1} ms for {old} events", scan.as_secs_f64() * 1e3);
}
