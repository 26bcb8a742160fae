//! `latchkey healthcheck`, the probe a container's HEALTHCHECK runs: 0
//! while the server answers `/healthz` on its HTTPS listener, 1 once it is
//! gone; it opens no database, so it works beside the running server.

use crate::harness::{Server, cli};

#[test]
fn healthcheck_follows_the_server() {
    let mut s = Server::start();
    let https = format!("127.0.0.1:{}", s.port);
    let out = cli(&s.dir, &["healthcheck", "--https", &https], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    // The address from the environment, as the container image sets it;
    // a listener on every address is asked on loopback.
    let out = std::process::Command::new(crate::harness::bin())
        .arg("--data-dir")
        .arg(&s.dir)
        .arg("healthcheck")
        .env("LATCHKEY_HTTPS", format!("0.0.0.0:{}", s.port))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    assert!(s.stop().success());
    let out = cli(&s.dir, &["healthcheck", "--https", &https], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unhealthy") && err.contains("cannot connect"), "{err}");
}
