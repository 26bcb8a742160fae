//! Files and keys at rest: everything latchkey keeps in the data directory
//! is its owner's alone, the signing keys are sealed with `secret.key`, and
//! the private CA may vouch only for the names latchkey serves.

use crate::harness::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Every file and directory under `dir` with its permission bits, except
/// the test harness's own `server.log`.
fn modes(dir: &Path, out: &mut Vec<(String, u32, bool)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let path = e.path();
        if path.file_name().is_some_and(|n| n == "server.log") {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).unwrap();
        out.push((path.display().to_string(), meta.permissions().mode() & 0o777, meta.is_dir()));
        if meta.is_dir() {
            modes(&path, out);
        }
    }
}

#[test]
fn every_file_in_the_data_directory_is_the_owners_alone() {
    let s = Server::start();
    register(&s, &["--name", "Files", "--grant", "client_credentials"]);
    let mut found = vec![];
    modes(&s.dir, &mut found);
    let names: Vec<&str> = found.iter().map(|(p, ..)| p.rsplit('/').next().unwrap()).collect();
    for expected in ["latchkey.redb", "latchkey.sock", "tls", "ca.pem", "ca-key.pem", "cert.pem", "key.pem"] {
        assert!(names.contains(&expected), "{expected} is among {names:?}");
    }
    for (path, mode, dir) in &found {
        assert_eq!(*mode, if *dir { 0o700 } else { 0o600 }, "{path} is {mode:o}");
    }
    assert_eq!(std::fs::metadata(&s.dir).unwrap().permissions().mode() & 0o777, 0o700);

    // A database an older latchkey left 0644 is tightened at the next start.
    let db = s.dir.join("latchkey.redb");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _s = s.restart();
    assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
}
