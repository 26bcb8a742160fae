//! An acknowledged write survives SIGKILL: a child process writes through
//! the store's group commit and prints each acknowledgement; the parent
//! kills it mid-stream, reopens the file, finds every acknowledged write and
//! runs redb's integrity check.

use latchkey::store::audit::{self, AuditEvent};
use latchkey::store::{Store, StoreError};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const CHILD_ENV: &str = "LATCHKEY_DURABILITY_CHILD";

/// The child's body; a no-op when run as an ordinary test.
#[test]
fn child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = Store::open(std::path::Path::new(&path)).unwrap();
    let out = std::sync::Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let store = store.clone();
            let out = out.clone();
            std::thread::spawn(move || {
                for i in 0.. {
                    let detail = format!("{t}-{i}");
                    let d = detail.clone();
                    let id = store
                        .write_blocking(move |tx| {
                            audit::append(
                                tx,
                                &AuditEvent {
                                    at: 0,
                                    actor: "test".into(),
                                    action: "durability".into(),
                                    target: String::new(),
                                    ip: String::new(),
                                    detail: d.clone(),
                                },
                            )
                        })
                        .unwrap();
                    let mut o = out.lock().unwrap();
                    writeln!(o, "ack {} {detail}", id.0).unwrap();
                    o.flush().unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latchkey.redb");
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "durability::child_writer", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut acked = vec![];
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("ack ") {
                let (id, detail) = rest.split_once(' ').unwrap();
                acked.push((id.parse::<u64>().unwrap(), detail.to_string()));
                if acked.len() >= 400 + round * 100 {
                    break;
                }
            }
        }
        // Killed in the middle of acknowledged writes, with more in flight.
        child.kill().unwrap();
        child.wait().unwrap();

        assert!(latchkey::store::check_integrity(&path).unwrap(), "integrity check (round {round})");
        let store = Store::open(&path).unwrap();
        let missing: Vec<_> = store
            .read(|tx| {
                let mut missing = vec![];
                let all = audit::recent(tx, None, usize::MAX)?;
                let found: std::collections::HashMap<u64, String> =
                    all.into_iter().map(|(id, e)| (id.0, e.detail)).collect();
                for (id, detail) in &acked {
                    if found.get(id) != Some(detail) {
                        missing.push((*id, detail.clone()));
                    }
                }
                Ok::<_, StoreError>(missing)
            })
            .unwrap();
        assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
        store.close();
    }
}
