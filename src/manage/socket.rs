//! The management socket: `DATA_DIR/latchkey.sock`, owner-only. One JSON
//! request per line in, one JSON reply per line out.

use super::{Reply, Request, execute};
use crate::app::App;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// A request line larger than this is refused.
const MAX_LINE: usize = 64 * 1024;

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("latchkey.sock")
}

/// Binds the socket (replacing a stale file left by a crash) with mode 0600.
pub fn bind(data_dir: &Path) -> anyhow::Result<tokio::net::UnixListener> {
    let p = path(data_dir);
    if p.exists() {
        if std::os::unix::net::UnixStream::connect(&p).is_ok() {
            anyhow::bail!("another latchkey server is running on {}", data_dir.display());
        }
        std::fs::remove_file(&p)?;
    }
    let listener = tokio::net::UnixListener::bind(&p)?;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// Serves requests until the listener is dropped.
pub async fn serve(app: App, listener: tokio::net::UnixListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = tokio::io::BufReader::new(read.take(MAX_LINE as u64));
            let mut line = String::new();
            if lines.read_line(&mut line).await.is_err() {
                return;
            }
            let reply = match serde_json::from_str::<Request>(&line) {
                Ok(req) => {
                    tracing::info!(op = req.name(), "management request");
                    execute(&app, req).await
                }
                Err(e) => Reply::Err(format!("the server did not understand the request: {e}")),
            };
            let mut out = serde_json::to_vec(&reply).unwrap_or_default();
            out.push(b'\n');
            let _ = write.write_all(&out).await;
        });
    }
}

/// Sends `req` to a running server. `None` when no server listens (the
/// caller then opens the database itself).
pub fn call(data_dir: &Path, req: &Request) -> Option<Result<Reply, String>> {
    let mut stream = std::os::unix::net::UnixStream::connect(path(data_dir)).ok()?;
    let mut go = || -> std::io::Result<Reply> {
        let mut line = serde_json::to_vec(req)?;
        line.push(b'\n');
        stream.write_all(&line)?;
        let mut reader = BufReader::new(&stream);
        let mut answer = String::new();
        reader.read_line(&mut answer)?;
        serde_json::from_str(&answer).map_err(std::io::Error::other)
    };
    Some(go().map_err(|e| format!("the running server did not answer: {e}")))
}
