//! `latchkey user ...` against a live server (over the socket) and offline
//! (opening the database), with the same results.

use crate::harness::*;
use std::os::unix::fs::PermissionsExt;

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn exercise(dir: &std::path::Path) {
    let v = json(&cli(
        dir,
        &["user", "add", "Carol", "--email", "carol@example.org", "--password-stdin", "--json"],
        Some(&format!("{PASSWORD}\n")),
    ));
    assert_eq!(v["username"], "Carol");
    assert_eq!(v["admin"], false);
    let dup = cli(dir, &["user", "add", "carol", "--password-stdin"], Some(PASSWORD));
    assert_eq!(dup.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already taken"));
    let weak = cli(dir, &["user", "add", "dave", "--password-stdin"], Some("short"));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 10"));
    let list = json(&cli(dir, &["user", "list", "--json"], None));
    assert!(list.as_array().unwrap().iter().any(|u| u["username"] == "Carol"));
    let text = cli(dir, &["user", "list"], None);
    assert!(String::from_utf8_lossy(&text.stdout).contains("Carol"));
    assert_eq!(json(&cli(dir, &["user", "disable", "carol", "--json"], None))["disabled"], true);
    assert_eq!(json(&cli(dir, &["user", "enable", "carol", "--json"], None))["disabled"], false);
    json(&cli(dir, &["user", "passwd", "carol", "--password-stdin", "--json"], Some("another long one\n")));
    let missing = cli(dir, &["user", "delete", "nobody"], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no member named"));
}

#[test]
fn user_commands_work_against_a_live_server_and_offline() {
    let mut s = Server::start();
    let sock = s.dir.join("latchkey.sock");
    assert_eq!(std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&s.dir).unwrap().permissions().mode() & 0o777, 0o700);
    exercise(&s.dir);
    // The live server saw the changes at once: carol signs in with the new password.
    assert_eq!(sign_in(&s, &s.client(), "carol", "another long one", "/account").status(), 303);
    assert!(s.log().contains("management request"));

    // Disabling ends her sessions in the running server.
    let c = s.client();
    assert_eq!(sign_in(&s, &c, "carol", "another long one", "/account").status(), 303);
    json(&cli(&s.dir, &["user", "disable", "carol", "--json"], None));
    assert_eq!(c.get(s.url("/account")).send().unwrap().status(), 303);
    assert_eq!(sign_in(&s, &s.client(), "carol", "another long one", "/account").status(), 401);

    assert!(s.stop().success());
    assert!(!sock.exists(), "socket removed on shutdown");

    // Offline: the same commands open the database themselves.
    let offline = tempfile::tempdir().unwrap();
    exercise(offline.path());
    let admin =
        json(&cli(offline.path(), &["user", "add", "boss", "--admin", "--password-stdin", "--json"], Some(PASSWORD)));
    assert_eq!(admin["admin"], true);
    let last = cli(offline.path(), &["user", "delete", "boss"], None);
    assert_eq!(last.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&last.stderr).contains("without an enabled admin"));
    json(&cli(offline.path(), &["user", "delete", "carol", "--json"], None));
}

#[test]
fn admin_added_on_the_command_line_ends_setup() {
    let s = Server::start();
    assert!(s.setup_link.is_some());
    json(&cli(&s.dir, &["user", "add", "owner", "--admin", "--password-stdin", "--json"], Some(PASSWORD)));
    let r = s.client().get(s.setup_link.as_ref().unwrap()).send().unwrap();
    assert!(r.text().unwrap().contains("This site is set up"));
    assert_eq!(sign_in(&s, &s.client(), "owner", PASSWORD, "/account").status(), 303);
}
