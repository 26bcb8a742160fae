//! `latchkey backup` while the server serves and writes keep coming, then
//! `latchkey restore` into a new data directory and a server on it: every
//! write acknowledged before the backup began is there, the old bearer
//! token still works, and an OAuth 1.0a consumer's secret still verifies a
//! signed request (so `secret.key` came along). Damaged and newer archives,
//! and a directory that is not empty, are refused with a message.

use crate::harness::*;
use crate::oauth1_client::{Method, Req, call, register_consumer};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const WRITES: &[(&str, &str)] = &[("LATCHKEY_API_WRITES_PER_MEMBER_PER_MINUTE", "100000")];

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    cli(dir, args, None)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Every group name the token can list, through every page.
fn group_names(s: &Server, token: &str) -> Vec<String> {
    let c = s.client();
    let mut names = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let mut url = s.url("/api/v1/groups?limit=100");
        if let Some(cur) = &cursor {
            url.push_str(&format!("&cursor={cur}"));
        }
        let page: Value = c.get(url).bearer_auth(token).send().unwrap().json().unwrap();
        for g in page["items"].as_array().unwrap_or_else(|| panic!("{page}")) {
            names.push(g["name"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return names,
        }
    }
}

#[test]
fn a_backup_under_writes_restores_every_acknowledged_write_and_the_keys() {
    let mut s = Server::start_with(WRITES);
    add_member(&s, "writer");
    let (id, secret) =
        register(&s, &["--name", "Writer", "--grant", "password", "--scope", "read", "--scope", "write"]);
    let token = password_token(&s, &id, &secret.unwrap(), "writer");
    let consumer = register_consumer(&s, &["--name", "Printer", "--callback", "oob"]);

    // A writer keeps creating groups; each name is noted once the API has
    // acknowledged it (201: committed durably).
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acked, stop, http, url, token) =
            (acked.clone(), stop.clone(), s.client(), s.url("/api/v1/groups"), token.clone());
        std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let name = format!("group {i}");
                let r = http.post(&url).bearer_auth(&token).json(&json!({"name": name})).send().unwrap();
                assert_eq!(r.status(), 201, "{}", r.text().unwrap_or_default());
                acked.lock().unwrap().push(name);
                i += 1;
            }
        })
    };
    while acked.lock().unwrap().len() < 40 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let before: Vec<String> = acked.lock().unwrap().clone();
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("site.tar.gz");
    let v = json(&run(&s.dir, &["backup", file.to_str().unwrap(), "--json"]));
    let during = acked.lock().unwrap().len();
    // A few more after it, which the backup cannot hold.
    while acked.lock().unwrap().len() < during + 10 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(during > before.len(), "the writes went on while the backup was taken ({during})");
    assert!(s.log().contains("op=\"backup\"") || s.log().contains("op=backup"), "made by the server: {}", s.log());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(v["size"].as_u64().unwrap(), std::fs::metadata(&file).unwrap().len());
    assert!(v["files"].as_u64().unwrap() >= 6, "database, secret.key and tls/: {v}");
    let leftovers: Vec<_> = std::fs::read_dir(out_dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file stays behind");

    // The dashboard says so.
    let admin = signed_in_admin(&s);
    let page = admin.get(s.url("/admin")).send().unwrap().text().unwrap();
    assert!(page.contains("id=\"last-backup\">Last backup"), "{page}");
    assert!(page.contains("site.tar.gz"), "{page}");

    // `check` looks without touching the file the server holds.
    let checked = run(&s.dir, &["check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(String::from_utf8_lossy(&checked.stdout).contains("in use by a running server"));

    // Refused while the server runs, and into a directory that is not empty.
    let target = out_dir.path().join("restored");
    let busy = run(&s.dir, &["restore", file.to_str().unwrap()]);
    assert_eq!(busy.status.code(), Some(1));
    assert!(stderr(&busy).contains("stop it first"), "{}", stderr(&busy));
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("notes.txt"), b"mine").unwrap();
    let full = run(&target, &["restore", file.to_str().unwrap()]);
    assert_eq!(full.status.code(), Some(1));
    assert!(stderr(&full).contains("is not empty"), "{}", stderr(&full));
    assert_eq!(std::fs::read(target.join("notes.txt")).unwrap(), b"mine", "left as it was");
    std::fs::remove_file(target.join("notes.txt")).unwrap();
    assert!(s.stop().success());

    let restored = json(&run(&target, &["restore", file.to_str().unwrap(), "--json"]));
    assert_eq!(restored["schema_version"], v["schema_version"]);
    assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o700);
    for f in ["latchkey.redb", "secret.key", "tls/ca.pem", "tls/key.pem"] {
        assert_eq!(std::fs::metadata(target.join(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
    }
    let r = Server::start_in(&target, WRITES);
    let names = group_names(&r, &token);
    let missing: Vec<_> = before.iter().filter(|n| !names.contains(n)).collect();
    assert!(missing.is_empty(), "acknowledged before the backup but not restored: {missing:?}");
    // Writes in flight while it was taken may be in it or not; nothing else is.
    let all = acked.lock().unwrap().clone();
    assert!(names.iter().all(|n| all.contains(n)), "only groups the writer made");
    assert!(names.len() <= during + 1, "the writes after the backup are not in it (one may have been in flight)");

    // The consumer secret, sealed with secret.key, still verifies a signature.
    let mut req = Req::new(&r, "POST", "/oauth1/request", &consumer);
    req.callback = Some("oob");
    let a = call(&r.client(), &Method::HmacSha1, &req);
    assert_eq!(a.status, 200, "{a:?}");
    assert!(a.form()["oauth_token"].starts_with("lkrq_"));
}

/// The admin created through the setup link, signed in.
fn signed_in_admin(s: &Server) -> reqwest::blocking::Client {
    setup_admin(s, "boss")
}

#[test]
fn damaged_and_newer_backups_are_refused_and_leave_nothing() {
    let mut s = Server::start();
    add_member(&s, "ada");
    assert!(s.stop().success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("offline.tar.gz");
    // Offline: the command opens the database itself.
    let v = json(&run(&s.dir, &["backup", file.to_str().unwrap(), "--json"]));
    assert!(v["size"].as_u64().unwrap() > 0);
    let again = run(&s.dir, &["backup", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("exists already"), "{}", stderr(&again));

    // Damage a byte of the database inside the archive (the first entry's
    // data starts after its 512-byte header), and cut a copy short. A
    // flipped byte of the compressed stream may decode to the same bytes
    // (in a run of zeros), so the damage is made where it changes content.
    let good = std::fs::read(&file).unwrap();
    let mut tar = vec![];
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(good.as_slice()), &mut tar).unwrap();
    tar[512 + 100] ^= 0x55;
    let mut gz = flate2::write::GzEncoder::new(vec![], flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    let damaged = dir.path().join("damaged.tar.gz");
    std::fs::write(&damaged, gz.finish().unwrap()).unwrap();
    let short = dir.path().join("short.tar.gz");
    std::fs::write(&short, &good[..good.len() / 2]).unwrap();
    let target = dir.path().join("t1");
    for (bad, says) in [(&damaged, "latchkey.redb does not match the manifest"), (&short, "damaged")] {
        let out = run(&target, &["restore", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("the backup is damaged") && stderr(&out).contains(says), "{}", stderr(&out));
        assert!(!target.exists(), "a refused restore leaves no directory");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| !n.to_string_lossy().ends_with(".tar.gz"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // An archive a newer latchkey wrote.
    let newer = dir.path().join("newer.tar.gz");
    let mut w = latchkey::ops::archive::ArchiveWriter::new(std::fs::File::create(&newer).unwrap(), 0);
    w.add_file("latchkey.redb", &s.dir.join("latchkey.redb")).unwrap();
    w.finish("99.0.0", latchkey::store::SCHEMA_VERSION + 1, "2030-01-01T00:00:00Z").unwrap();
    let out = run(&target, &["restore", newer.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("newer latchkey"), "{}", stderr(&out));
    assert!(!target.exists());

    // And the good one restores into an empty directory that exists.
    std::fs::create_dir(&target).unwrap();
    json(&run(&target, &["restore", file.to_str().unwrap(), "--json"]));
    let list = json(&run(&target, &["user", "list", "--json"]));
    assert!(list.as_array().unwrap().iter().any(|u| u["username"] == "ada"), "{list}");
}

#[test]
fn scheduled_backups_are_written_and_the_oldest_deleted() {
    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().to_str().unwrap().to_string();
    let s = Server::start_with(&[
        ("LATCHKEY_BACKUP_DIR", dir.as_str()),
        ("LATCHKEY_BACKUP_INTERVAL", "1s"),
        ("LATCHKEY_BACKUP_KEEP", "2"),
    ]);
    let names = || -> Vec<String> {
        // Finished ones only: one being written is a hidden temporary file.
        let mut n: Vec<String> = std::fs::read_dir(backups.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("latchkey-"))
            .collect();
        n.sort();
        n
    };
    // One a second; the third one makes the first go.
    let mut seen = std::collections::BTreeSet::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while seen.len() < 3 {
        assert!(std::time::Instant::now() < deadline, "fewer than 3 backups in 30 s: {seen:?}\n{}", s.log());
        seen.extend(names());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // A new one and the deletion it brings are a moment apart.
    let mut kept = names();
    for _ in 0..20 {
        if kept.len() <= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        kept = names();
    }
    assert!(kept.len() <= 2, "{kept:?}");
    assert!(kept.iter().all(|n| n.starts_with("latchkey-") && n.ends_with("Z.tar.gz")), "{kept:?}");
    let admin = setup_admin(&s, "boss");
    let page = admin.get(s.url("/admin")).send().unwrap().text().unwrap();
    assert!(page.contains("(scheduled)"), "{page}");
}
