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
    for expected in
        ["latchkey.redb", "secret.key", "latchkey.sock", "tls", "ca.pem", "ca-key.pem", "cert.pem", "key.pem"]
    {
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

fn jwt_for(s: &Server, id: &str, secret: &str) -> String {
    let t: serde_json::Value = s
        .client()
        .post(s.url("/oauth2/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let access = t["access_token"].as_str().expect("a token").to_string();
    assert_eq!(access.split('.').count(), 3, "a JWT");
    access
}

fn active(s: &Server, id: &str, secret: &str, token: &str) -> bool {
    let r: serde_json::Value = s
        .client()
        .post(s.url("/oauth2/introspect"))
        .basic_auth(id, Some(secret))
        .form(&[("token", token)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    r["active"] == true
}

fn kids(s: &Server) -> Vec<String> {
    let jwks: serde_json::Value = s.client().get(s.url("/oauth2/jwks")).send().unwrap().json().unwrap();
    let mut kids: Vec<String> =
        jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect();
    kids.sort();
    kids
}

/// The sealed signing keys open again after a restart (the same keys, so a
/// token signed before it still verifies); with another `secret.key` the
/// server refuses to start, saying why, rather than start without its keys.
#[test]
fn sealed_signing_keys_survive_a_restart_and_need_their_secret_key() {
    // A fixed issuer: the restarted server listens on another port.
    let s = Server::start_with(&[("LATCHKEY_PUBLIC_URL", "https://auth.example.org")]);
    let (id, secret) = register(
        &s,
        &["--name", "Jwt robot", "--grant", "client_credentials", "--token-format", "jwt", "--scope", "read"],
    );
    let secret = secret.unwrap();
    let before = kids(&s);
    let token = jwt_for(&s, &id, &secret);
    assert!(active(&s, &id, &secret, &token));

    let mut s = s.restart();
    assert_eq!(kids(&s), before, "the same keys are published");
    assert!(active(&s, &id, &secret, &token), "a token signed before the restart verifies");
    assert_eq!(
        s.client().get(s.url("/api/v1/me")).bearer_auth(&token).send().unwrap().status(),
        403,
        "valid, not a member's"
    );

    assert!(s.stop().success());
    let key_file = s.dir.join("secret.key");
    let original = std::fs::read(&key_file).unwrap();
    std::fs::write(&key_file, [7u8; 32]).unwrap();
    let mut child = std::process::Command::new(bin())
        .arg("--data-dir")
        .arg(&s.dir)
        .arg("serve")
        .arg("--https")
        .arg(format!("127.0.0.1:{}", free_port()))
        .env_remove("LATCHKEY_DATA_DIR")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A server that started anyway would never exit: that fails here too.
    let status = wait_with_deadline(&mut child, std::time::Duration::from_secs(30));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success(), "refused to start: {err}");
    assert!(err.contains("cannot be unsealed") && err.contains("secret.key"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    std::fs::write(&key_file, original).unwrap();
}

/// A CA an older latchkey made (no Name Constraints) is replaced at start,
/// the server certificate re-issued from the new one, and the log says the
/// new CA must be trusted again.
#[test]
fn an_unconstrained_ca_is_replaced_at_start() {
    let s = Server::start();
    let tls = s.dir.join("tls");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    let old = p.self_signed(&key).unwrap().pem();
    std::fs::write(tls.join("ca.pem"), &old).unwrap();
    std::fs::write(tls.join("ca-key.pem"), key.serialize_pem()).unwrap();

    let s = s.restart();
    let new = std::fs::read_to_string(tls.join("ca.pem")).unwrap();
    assert_ne!(new, old, "replaced");
    assert!(s.log().contains("trust the new ca.pem again"), "{}", s.log());
    // A client that trusts the new CA reaches the re-issued certificate.
    assert_eq!(s.client().get(s.url("/healthz")).send().unwrap().status(), 200);
    for f in ["ca.pem", "ca-key.pem"] {
        assert_eq!(std::fs::metadata(tls.join(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
    }
}
