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

/// What outbound callers share for the process's life: the HTTP client
/// (built on first use from the configuration) and a short-lived cache of
/// JSON documents fetched by URL (OIDC discovery documents and key sets).
#[derive(Default)]
pub struct Outbound {
    client: std::sync::OnceLock<reqwest::Client>,
    documents: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, serde_json::Value)>>,
}

/// How long a cached document is used before it is fetched again.
pub const DOCUMENT_TTL: std::time::Duration = std::time::Duration::from_secs(600);

impl Outbound {
    /// The client (cheap to clone), built the first time it is asked for.
    pub fn client(&self, config: &crate::config::Config) -> Result<reqwest::Client, String> {
        if let Some(c) = self.client.get() {
            return Ok(c.clone());
        }
        let built = client::build(config)?;
        Ok(self.client.get_or_init(|| built).clone())
    }

    /// The document fetched from `url` within `DOCUMENT_TTL`, if any.
    pub fn cached(&self, url: &str) -> Option<serde_json::Value> {
        let docs = self.documents.lock().ok()?;
        docs.get(url).filter(|(at, _)| at.elapsed() < DOCUMENT_TTL).map(|(_, v)| v.clone())
    }

    pub fn remember(&self, url: &str, doc: serde_json::Value) {
        if let Ok(mut docs) = self.documents.lock() {
            // A small cache: a handful of providers' documents.
            if docs.len() > 256 {
                docs.clear();
            }
            docs.insert(url.to_string(), (std::time::Instant::now(), doc));
        }
    }

    pub fn forget(&self, url: &str) {
        if let Ok(mut docs) = self.documents.lock() {
            docs.remove(url);
        }
    }
}
