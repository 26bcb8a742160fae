//! Bad configuration stops start-up with a message naming the key;
//! `latchkey check` prints the effective settings.

use crate::harness::{bin, cli};
use std::process::Command;

fn serve_with_file(toml: &str) -> std::process::Output {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("latchkey.toml"), toml).unwrap();
    Command::new(bin()).arg("--data-dir").arg(d.path()).arg("serve").env_remove("LATCHKEY_DATA_DIR").output().unwrap()
}

#[test]
fn bad_configuration_is_refused_with_a_clear_message() {
    for (toml, expect) in [
        ("publc_url = \"https://x.example\"", "publc_url"),
        ("https = \"not an address\"", "https"),
        ("session_idle_timeout = \"forever\"", "session_idle_timeout"),
        ("argon2_iterations = -1", "argon2_iterations"),
        ("tls_cert = \"/nonexistent.pem\"", "tls_cert"),
        ("this is not toml", "configuration"),
    ] {
        let out = serve_with_file(toml);
        assert_eq!(out.status.code(), Some(2), "{toml}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{toml}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let d = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .arg("--data-dir")
        .arg(d.path())
        .arg("check")
        .env("LATCHKEY_LOGIN_LOCKOUT", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("LATCHKEY_LOGIN_LOCKOUT")
            || String::from_utf8_lossy(&out.stderr).contains("login_lockout")
    );
}

#[test]
fn check_prints_the_effective_configuration() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("latchkey.toml"),
        "public_url = \"https://auth.example.org/\"\nlogin_max_failures = 7\n",
    )
    .unwrap();
    let out = cli(d.path(), &["check"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("public_url = \"https://auth.example.org/\""), "{text}");
    assert!(text.contains("login_max_failures = 7"));
    assert!(text.contains("https = \"127.0.0.1:8443\""));
    assert!(text.contains("argon2_memory_kib = 8192"), "environment applies: {text}");
}
