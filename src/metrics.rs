//! The numbers `GET /metrics` serves, in the Prometheus text format
//! (prometheus-client's encoder, nothing formatted by hand): HTTP requests
//! and their latency by route pattern and status class, tokens issued by
//! grant type, sign-in failures, the store writer's commit latency and
//! group-commit batch sizes, and, read from the store at each scrape, the
//! active grants, the push outbox's depth and the last backup.
//!
//! Route labels are the matched pattern (`/api/v1/posts/{id}`), never the
//! path a client sent, so ids and junk paths cannot grow the series
//! without bound; methods outside the usual few are counted as `other`.

use crate::store::backups;
use crate::store::{Store, StoreError, schema};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The `Content-Type` of what `encode` returns (text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    route: String,
    method: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Grant {
    grant_type: &'static str,
}

type Latencies = Family<Route, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 8 s.
    Histogram::new(exponential_buckets(0.000_5, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<Request, Counter>,
    latency: Latencies,
    tokens: Family<Grant, Counter>,
    signin_failures: Counter,
    active_grants: Gauge,
    outbox_depth: Gauge,
    last_backup_time: Gauge,
    last_backup_size: Gauge,
    push_deliveries: Family<PushLabels, Counter>,
    /// The last push failure, for the admin dashboard: service, message.
    last_push_error: std::sync::Mutex<Option<(&'static str, String)>>,
}

/// Labels of `latchkey_push_deliveries_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
struct PushLabels {
    service: &'static str,
    outcome: &'static str,
}

/// The label of a status code: `2xx`, `4xx`...
fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// Grant types as the token endpoint names them; anything else is not
/// counted under a name a client chose.
pub const GRANT_TYPES: &[&str] =
    &["authorization_code", "client_credentials", "password", "refresh_token", "implicit", "oauth1"];

impl Metrics {
    /// The registry, with the store writer's histograms (shared handles
    /// that the writer keeps counting into).
    pub fn new(store: &Store, memo: &crate::store::memo::Memo) -> Metrics {
        let mut registry = Registry::with_prefix("latchkey");
        let requests = Family::<Request, Counter>::default();
        registry.register("http_requests", "HTTP requests by route pattern, method and status class", requests.clone());
        let latency: Latencies = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route pattern and status class",
            latency.clone(),
        );
        let tokens = Family::<Grant, Counter>::default();
        registry.register(
            "tokens_issued",
            "Access tokens issued, by grant type (oauth1: OAuth 1.0a token credentials)",
            tokens.clone(),
        );
        let signin_failures = Counter::default();
        registry.register(
            "signin_failures",
            "Failed sign-ins (pages, password grant, password changes)",
            signin_failures.clone(),
        );
        let active_grants = Gauge::default();
        registry.register(
            "active_grants",
            "Grants in force (each member's authorization of an application)",
            active_grants.clone(),
        );
        let outbox_depth = Gauge::default();
        registry.register("outbox_depth", "Activity entries waiting in the push outbox", outbox_depth.clone());
        let last_backup_time = Gauge::default();
        registry.register(
            "last_backup_timestamp_seconds",
            "When the last backup was written (Unix time; 0: none yet)",
            last_backup_time.clone(),
        );
        let last_backup_size = Gauge::default();
        registry.register("last_backup_size_bytes", "Size of the last backup", last_backup_size.clone());
        let push_deliveries = Family::<PushLabels, Counter>::default();
        registry.register(
            "push_deliveries",
            "Push delivery attempts by service and outcome (delivered, retry, gone, failed, expired, withdrawn, unsubscribed)",
            push_deliveries.clone(),
        );
        registry.register(
            "api_cache_hits",
            "API answers sent from the memo (computed for the same caller and query since the last commit)",
            memo.hits.clone(),
        );
        registry.register(
            "api_cache_misses",
            "API answers the memo did not hold, computed afresh",
            memo.misses.clone(),
        );
        let writer = store.stats();
        registry.register(
            "store_commit_duration_seconds",
            "Time each durable (fsync-ed) commit of the store writer took",
            writer.commit_seconds,
        );
        registry.register(
            "store_commit_batch_size",
            "Writes per commit (group commit); its count is the number of commits, its sum the writes",
            writer.batch_size,
        );
        Metrics {
            registry,
            requests,
            latency,
            tokens,
            signin_failures,
            active_grants,
            outbox_depth,
            last_backup_time,
            last_backup_size,
            push_deliveries,
            last_push_error: std::sync::Mutex::new(None),
        }
    }

    /// One push delivery attempt's outcome.
    pub fn push_delivery(&self, service: &'static str, outcome: &'static str) {
        self.push_deliveries.get_or_create(&PushLabels { service, outcome }).inc();
    }

    /// A push failure worth showing on the dashboard.
    pub fn push_error(&self, service: &'static str, message: &str) {
        if let Ok(mut last) = self.last_push_error.lock() {
            *last = Some((service, message.to_string()));
        }
    }

    /// The last push failure: service and message.
    pub fn last_push_error(&self) -> Option<(&'static str, String)> {
        self.last_push_error.lock().ok().and_then(|l| l.clone())
    }

    /// One answered request. `route` is the matched pattern, `None` when no
    /// route matched.
    pub fn request(&self, route: Option<String>, method: &str, status: u16, seconds: f64) {
        let route = route.unwrap_or_else(|| "unmatched".into());
        let status = status_class(status);
        self.requests.get_or_create(&Request { route: route.clone(), method: method_label(method), status }).inc();
        self.latency.get_or_create(&Route { route, status }).observe(seconds);
    }

    /// A token issued with `grant_type` (one of `GRANT_TYPES`).
    pub fn token_issued(&self, grant_type: &'static str) {
        self.tokens.get_or_create(&Grant { grant_type }).inc();
    }

    pub fn signin_failed(&self) {
        self.signin_failures.inc();
    }

    /// Reads what the store holds now and encodes every metric.
    pub fn encode(&self, store: &Store) -> Result<String, StoreError> {
        let (grants, outbox, last) = store.read(|tx| {
            Ok((
                crate::store::count(tx, &schema::GRANTS)?,
                crate::store::count(tx, &schema::OUTBOX)?,
                backups::last(tx)?,
            ))
        })?;
        self.active_grants.set(grants as i64);
        self.outbox_depth.set(outbox as i64);
        self.last_backup_time.set(last.as_ref().map_or(0, |b| b.at));
        self.last_backup_size.set(last.map_or(0, |b| b.size as i64));
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
            .map_err(|e| StoreError::Internal(format!("cannot encode the metrics: {e}")))?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the sample `name` (with its labels, as written).
    fn value(text: &str, sample: &str) -> Option<f64> {
        text.lines().find_map(|l| l.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
    }

    #[test]
    fn every_family_is_encoded_with_the_store_read_at_the_scrape() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let m = Metrics::new(&store, &crate::store::memo::Memo::new(0));
        m.request(Some("/api/v1/posts/{id}".into()), "GET", 200, 0.002);
        m.request(None, "BREW", 404, 0.001);
        m.token_issued("client_credentials");
        m.token_issued("client_credentials");
        m.signin_failed();
        store.write_blocking(|tx| crate::store::next_id(tx, "seq:test")).unwrap();
        let text = m.encode(&store).unwrap();
        let get = |s: &str| value(&text, s).unwrap_or_else(|| panic!("{s} in\n{text}"));
        assert_eq!(
            get("latchkey_http_requests_total{route=\"/api/v1/posts/{id}\",method=\"GET\",status=\"2xx\"}"),
            1.0
        );
        assert_eq!(get("latchkey_http_requests_total{route=\"unmatched\",method=\"other\",status=\"4xx\"}"), 1.0);
        assert_eq!(
            get("latchkey_http_request_duration_seconds_count{route=\"/api/v1/posts/{id}\",status=\"2xx\"}"),
            1.0
        );
        assert_eq!(get("latchkey_tokens_issued_total{grant_type=\"client_credentials\"}"), 2.0);
        assert_eq!(get("latchkey_signin_failures_total"), 1.0);
        assert_eq!(get("latchkey_active_grants"), 0.0);
        assert_eq!(get("latchkey_outbox_depth"), 0.0);
        assert_eq!(get("latchkey_last_backup_timestamp_seconds"), 0.0);
        assert!(get("latchkey_store_commit_duration_seconds_count") >= 1.0, "{text}");
        assert!(get("latchkey_store_commit_batch_size_sum") >= 1.0, "{text}");
        assert!(text.contains("# TYPE latchkey_store_commit_batch_size histogram"), "{text}");
    }
}
