//! `latchkey backup FILE` and `latchkey restore FILE`. A backup is made by
//! whoever holds the database (the running server over the socket, or
//! this process), so it works while the server serves; a restore needs
//! the server stopped and an empty or absent data directory.

use super::{Cli, call, print_reply};
use crate::manage::Request;
use std::path::Path;
use std::process::ExitCode;

/// `1 file`, `3 files`.
fn count(n: u64, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

pub fn backup(cli: &Cli, file: &Path, json: bool) -> ExitCode {
    // The server may run elsewhere (another working directory): it gets
    // the path whole.
    let file = match std::path::absolute(file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("latchkey: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let running = crate::manage::socket::path(&cli.data_dir).exists();
    if !running && !cli.data_dir.join("latchkey.redb").is_file() {
        eprintln!("latchkey: nothing to back up: {} holds no latchkey.redb", cli.data_dir.display());
        return ExitCode::from(1);
    }
    let reply = call(cli, Request::Backup { file: file.display().to_string() });
    print_reply(reply, json, |v| {
        let missing: Vec<&str> =
            v["missing_blobs"].as_array().into_iter().flatten().filter_map(|m| m.as_str()).collect();
        let warning = if missing.is_empty() {
            String::new()
        } else {
            format!(
                "Warning: {} files the database refers to were already missing from files/ and are not in it: {}\n",
                missing.len(),
                missing.join(", ")
            )
        };
        warning
            + &format!(
                "Wrote the backup {} ({}, {} of which {}; database schema {}).\n\
             SHA-256 {}\nIt holds every secret of this site (mode 0600): keep it as safe as the server.\n",
                v["file"].as_str().unwrap_or_default(),
                crate::web::admin::dashboard::readable_size(v["size"].as_u64().unwrap_or_default()),
                count(v["files"].as_u64().unwrap_or_default(), "file"),
                count(v["blobs"].as_u64().unwrap_or_default(), "uploaded file"),
                v["schema_version"],
                v["sha256"].as_str().unwrap_or_default(),
            )
    })
}

pub fn restore(cli: &Cli, file: &Path, json: bool) -> ExitCode {
    let socket = crate::manage::socket::path(&cli.data_dir);
    if std::os::unix::net::UnixStream::connect(&socket).is_ok() {
        eprintln!(
            "latchkey: a latchkey server is running on {}; stop it first (restore needs the server stopped)",
            cli.data_dir.display()
        );
        return ExitCode::from(1);
    }
    match crate::ops::restore::restore(file, &cli.data_dir) {
        Ok(r) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                println!(
                    "Restored {} into {} from the backup made {} (latchkey {}, schema {}).\n\
                     Start the server on it: latchkey --data-dir {} serve",
                    count(r.files as u64, "file"),
                    r.data_dir,
                    r.created_at,
                    r.latchkey_version,
                    r.schema_version,
                    r.data_dir
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": e.to_string() }));
            }
            eprintln!("latchkey: restore refused: {e}");
            ExitCode::from(1)
        }
    }
}
