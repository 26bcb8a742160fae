//! What keeps the server small (scripts/footprint measures it): no
//! transparent huge pages around mimalloc's arena (main.rs).

use crate::harness::Server;

#[test]
fn the_server_runs_without_transparent_huge_pages() {
    let s = Server::start();
    let pid = s.child.as_ref().unwrap().id();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    // Kernels before 5.0 do not say; there is nothing to check then.
    if let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) {
        assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
    }
}
