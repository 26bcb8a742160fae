//! Session timeouts, against an in-process server whose clock the test moves.

use crate::harness::{InProc, client_for};
use std::time::Duration;

#[test]
fn idle_and_absolute_session_timeouts() {
    let s = InProc::start("session_idle_timeout = \"30m\"\nsession_absolute_timeout = \"2h\"");
    let c = s.signed_in();
    assert_eq!(c.get(s.url("/account")).send().unwrap().status(), 200);

    // Activity every 20 minutes keeps the session alive...
    for _ in 0..4 {
        s.clock.advance(Duration::from_secs(20 * 60));
        assert_eq!(c.get(s.url("/account")).send().unwrap().status(), 200);
    }
    // ...until the absolute limit (2 h after sign-in).
    s.clock.advance(Duration::from_secs(41 * 60));
    let r = c.get(s.url("/account")).send().unwrap();
    assert_eq!(r.status(), 303, "absolute timeout");

    // Idle: 31 minutes without a request ends a fresh session.
    let c = s.signed_in();
    s.clock.advance(Duration::from_secs(31 * 60));
    assert_eq!(c.get(s.url("/account")).send().unwrap().status(), 303, "idle timeout");
}

#[test]
fn setup_link_expires_after_an_hour() {
    let s = InProc::start("");
    let c = client_for(s.dir.path());
    let out = crate::harness::cli(s.dir.path(), &["setup", "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let link = v["url"].as_str().unwrap().to_string();
    assert_eq!(c.get(&link).send().unwrap().status(), 200);
    s.clock.advance(Duration::from_secs(3601));
    assert_eq!(c.get(&link).send().unwrap().status(), 400);
}
