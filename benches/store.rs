//! Commits per second through the store's writer: one writer committing per
//! operation, then 64 concurrent writers sharing commits (group commit).
//! Every write is fsync-ed (`Durability::Immediate`) before it is
//! acknowledged in both cases. Run with `cargo bench --bench store`.

#![allow(clippy::unwrap_used)] // tests and benchmarks fail loudly on purpose

use latchkey::store::audit::{self, AuditEvent};
use latchkey::store::{Store, StoreError};
use std::time::Instant;

fn event(i: u64) -> AuditEvent {
    AuditEvent {
        at: i as i64,
        actor: "bench".into(),
        action: "bench.write".into(),
        target: format!("target-{i}"),
        ip: "127.0.0.1".into(),
        detail: String::new(),
    }
}

fn write(store: &Store, i: u64) {
    store.write_blocking(move |tx| audit::append(tx, &event(i)).map(|_| ())).map_err(|e: StoreError| e).unwrap();
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.redb")).unwrap();
    let n_single = 2_000u64;
    let writers = 64u64;
    let per_writer = 250u64;

    let t = Instant::now();
    let c0 = store.commits();
    for i in 0..n_single {
        write(&store, i);
    }
    let single = n_single as f64 / t.elapsed().as_secs_f64();
    let single_commits = store.commits() - c0;

    let t = Instant::now();
    let c0 = store.commits();
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    write(&store, w * per_writer + i);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let total = writers * per_writer;
    let group = total as f64 / t.elapsed().as_secs_f64();
    let group_commits = store.commits() - c0;

    println!("store commit benchmark (every write durable before it is acknowledged)");
    println!("  1 writer, commit per write : {single:>9.0} writes/s  ({n_single} writes, {single_commits} commits)");
    println!(
        "  {writers} writers, group commit  : {group:>9.0} writes/s  ({total} writes, {group_commits} commits, {:.1} writes/commit)",
        total as f64 / group_commits.max(1) as f64
    );
    println!("  group commit speed-up      : {:>9.1}x (target: at least 10x)", group / single);
}
