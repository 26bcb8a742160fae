//! Calls out of the server (DESIGN.md "Outbound calls"), shared by push
//! and connections: the rule for where the server may call (`target`:
//! `https`, public addresses only unless `outbound_allow_private`) and the
//! HTTP client that keeps it at connection time, with `outbound_ca_file`'s
//! extra roots (`client`).

pub mod client;
pub mod target;

/// An error with its causes, on one line (reqwest hides the useful part).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
