//! Upgrades on the real binary: `latchkey check` says a data directory's
//! schema and what a start would migrate without changing a byte; a server
//! starts on the schema-1 fixture (redb 2's file format, old records) and
//! serves its members and their token; a file from a newer latchkey is
//! refused by `check`, `serve` and the offline commands, and left as it was.

use crate::harness::*;
use latchkey::store::{SCHEMA_VERSION, Store, StoreError, schema};
use sha2::Digest;
use std::path::Path;

fn fixture(n: u32, data_dir: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-{n}"));
    std::fs::create_dir_all(data_dir).unwrap();
    std::fs::copy(from.join("secret.key"), data_dir.join("secret.key")).unwrap();
    let mut raw = vec![];
    let gz = std::fs::File::open(from.join("latchkey.redb.gz")).unwrap();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut raw).unwrap();
    std::fs::write(data_dir.join("latchkey.redb"), raw).unwrap();
}

fn digest(path: &Path) -> Vec<u8> {
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

fn check(dir: &Path) -> (Option<i32>, String, String) {
    let out = cli(dir, &["check"], None);
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn check_says_what_a_start_would_migrate_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for (n, expected) in [
        (1, "in redb's old file format v2; a start converts it".to_string()),
        (2, format!("schema 2; a start migrates it to schema {SCHEMA_VERSION} (steps 2 -> 3, 3 -> 4)")),
        (3, format!("schema 3; a start migrates it to schema {SCHEMA_VERSION} (steps 3 -> 4)")),
        (4, "schema 4, current; a start migrates nothing".to_string()),
    ] {
        let dir = tmp.path().join(format!("s{n}"));
        fixture(n, &dir);
        let before = digest(&dir.join("latchkey.redb"));
        let (code, out, err) = check(&dir);
        assert_eq!(code, Some(0), "schema {n}: {err}");
        assert!(out.contains(&expected), "schema {n}:\n{out}");
        assert_eq!(digest(&dir.join("latchkey.redb")), before, "check left schema {n} as it was");
    }
    let (code, out, _) = check(&tmp.path().join("none"));
    assert_eq!(code, Some(0));
    assert!(out.contains("no database yet"), "{out}");
}

#[test]
fn a_server_starts_on_the_schema_1_fixture_and_serves_its_token() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    fixture(1, &dir);
    let mut s = Server::start_in(&dir, &[]);
    assert!(s.log().contains("upgrading the database file format"), "{}", s.log());
    assert!(s.log().contains("migrating the database"), "{}", s.log());
    assert!(s.setup_link.is_none(), "the fixture has an admin");
    let me: serde_json::Value =
        s.client().get(s.url("/api/v1/me")).bearer_auth("fixture-access-token").send().unwrap().json().unwrap();
    assert_eq!(me["username"], "bob", "{me}");
    assert_eq!(sign_in(&s, &s.client(), "ada", PASSWORD, "/account").status(), 303);
    assert!(s.stop().success());
    let (code, out, _) = check(&dir);
    assert_eq!(code, Some(0));
    assert!(out.contains(&format!("schema {SCHEMA_VERSION}, current")), "{out}");
}

#[test]
fn a_file_from_a_newer_latchkey_is_refused_and_never_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latchkey.redb");
    let store = Store::open(&path).unwrap();
    store
        .write_blocking(|tx| {
            let mut meta = tx.open_table(schema::META).map_err(StoreError::from)?;
            meta.insert("schema_version", (SCHEMA_VERSION + 1).to_be_bytes().as_slice()).map_err(StoreError::from)?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    store.close();
    drop(store);
    let before = digest(&path);
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();

    let (code, _, err) = check(&dir);
    assert_eq!(code, Some(1));
    assert!(err.contains("newer latchkey") && err.contains("not changed"), "{err}");

    let out = cli(&dir, &["user", "list"], None);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("newer latchkey"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let serve = std::process::Command::new(bin())
        .args(["--data-dir", dir.to_str().unwrap(), "serve", "--https", &format!("127.0.0.1:{}", free_port())])
        .env_remove("LATCHKEY_DATA_DIR")
        .output()
        .unwrap();
    assert_eq!(serve.status.code(), Some(1));
    let err = String::from_utf8_lossy(&serve.stderr);
    assert!(err.contains("newer latchkey"), "{err}");

    assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
    assert_eq!(digest(&path), before, "the bytes are unchanged");
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), modified);
}
