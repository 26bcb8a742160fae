//! The typed, validated configuration: a TOML file, `LATCHKEY_*` variables and
//! command-line flags, in that order of precedence. Every key has a default.
//! The `Config` is built once and passed in; nothing reads it from a global.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

/// Settings as written in a file or the environment: every key optional, no
/// unknown key accepted.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub public_url: Option<String>,
    pub https: Option<String>,
    pub http: Option<String>,
    pub trusted_proxies: Option<Vec<String>>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub log: Option<String>,
    pub argon2_memory_kib: Option<u32>,
    pub argon2_iterations: Option<u32>,
    pub argon2_parallelism: Option<u32>,
    pub session_idle_timeout: Option<String>,
    pub session_absolute_timeout: Option<String>,
    pub login_max_failures: Option<u32>,
    pub login_lockout: Option<String>,
    pub login_attempts_per_ip_per_minute: Option<u32>,
    pub shutdown_timeout: Option<String>,
    pub access_token_lifetime: Option<String>,
    pub refresh_token_lifetime: Option<String>,
    pub code_lifetime: Option<String>,
    pub refresh_reuse_grace: Option<String>,
    pub bearer_in_query: Option<bool>,
    pub oauth1_request_token_lifetime: Option<String>,
    pub oauth1_timestamp_window: Option<String>,
    pub api_writes_per_member_per_minute: Option<u32>,
    pub registration: Option<String>,
    pub backup_dir: Option<PathBuf>,
    pub backup_interval: Option<String>,
    pub backup_keep: Option<u32>,
    pub metrics_allow: Option<Vec<String>>,
    pub metrics_token: Option<String>,
    pub log_format: Option<String>,
    /// A size: bytes as a number, or text like "32MiB".
    #[serde(default, deserialize_with = "size_setting")]
    pub store_cache_size: Option<String>,
    /// The largest upload, a size like `store_cache_size`.
    #[serde(default, deserialize_with = "size_setting")]
    pub max_upload: Option<String>,
    /// Memory for API answers kept between commits, a size; 0 turns it off.
    #[serde(default, deserialize_with = "size_setting")]
    pub api_cache_size: Option<String>,
    pub upload_types: Option<Vec<String>>,
    pub site_name: Option<String>,
    pub site_logo: Option<String>,
    pub accent_color: Option<String>,
    pub policy_url: Option<String>,
    pub documentation_url: Option<String>,
    pub outbound_allow_private: Option<bool>,
    pub outbound_ca_file: Option<PathBuf>,
    pub site_language: Option<String>,
    pub push_max_age: Option<String>,
    pub apns_connect_to: Option<String>,
    pub connection_refresh_interval: Option<String>,
}

/// The keys a file or `LATCHKEY_<KEY>` may set, for messages.
pub const KEYS: &[&str] = &[
    "public_url",
    "https",
    "http",
    "trusted_proxies",
    "tls_cert",
    "tls_key",
    "log",
    "argon2_memory_kib",
    "argon2_iterations",
    "argon2_parallelism",
    "session_idle_timeout",
    "session_absolute_timeout",
    "login_max_failures",
    "login_lockout",
    "login_attempts_per_ip_per_minute",
    "shutdown_timeout",
    "access_token_lifetime",
    "refresh_token_lifetime",
    "code_lifetime",
    "refresh_reuse_grace",
    "bearer_in_query",
    "oauth1_request_token_lifetime",
    "oauth1_timestamp_window",
    "api_writes_per_member_per_minute",
    "registration",
    "backup_dir",
    "backup_interval",
    "backup_keep",
    "metrics_allow",
    "metrics_token",
    "log_format",
    "store_cache_size",
    "max_upload",
    "api_cache_size",
    "upload_types",
    "site_name",
    "site_logo",
    "accent_color",
    "policy_url",
    "documentation_url",
    "outbound_allow_private",
    "outbound_ca_file",
    "site_language",
    "push_max_age",
    "apns_connect_to",
    "connection_refresh_interval",
];

/// Variables that are read elsewhere and are not configuration keys.
const NON_KEY_VARS: &[&str] = &["LATCHKEY_DATA_DIR", "LATCHKEY_CONFIG", "LATCHKEY_BROWSER_TESTS"];

#[derive(Debug, Clone, Serialize)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

/// Who may create an account on the `/register` page. An admin's invite
/// link works whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    /// Only admins add members (the console, the command line, invites).
    Closed,
    /// Anyone may sign up.
    Open,
    /// Sign-up only with an invite link; the pages say so.
    Invite,
}

impl Registration {
    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Closed => "closed",
            Registration::Open => "open",
            Registration::Invite => "invite",
        }
    }

    fn parse(text: &str) -> Result<Registration, ConfigError> {
        match text {
            "closed" => Ok(Registration::Closed),
            "open" => Ok(Registration::Open),
            "invite" => Ok(Registration::Invite),
            other => {
                Err(err(format!("registration: {other:?} is not allowed; write \"closed\", \"open\" or \"invite\"")))
            }
        }
    }
}

/// How the server writes its log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// For people: one readable line per event.
    Text,
    /// For log collectors: one JSON object per line.
    Json,
}

impl LogFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }

    fn parse(text: &str) -> Result<LogFormat, ConfigError> {
        match text {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(err(format!("log_format: {other:?} is not allowed; write \"text\" or \"json\""))),
        }
    }
}

/// Scheduled backups: a backup into `dir` whenever the newest one there is
/// older than `interval`, keeping the `keep` newest.
#[derive(Debug, Clone)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub interval: Duration,
    pub keep: u32,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub public_url: Url,
    pub https: SocketAddr,
    pub http: Option<SocketAddr>,
    pub trusted_proxies: Vec<IpNet>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub log: String,
    pub argon2: Argon2Params,
    pub session_idle_timeout: Duration,
    pub session_absolute_timeout: Duration,
    pub login_max_failures: u32,
    pub login_lockout: Duration,
    pub login_attempts_per_ip_per_minute: u32,
    pub shutdown_timeout: Duration,
    pub access_token_lifetime: Duration,
    pub refresh_token_lifetime: Duration,
    pub code_lifetime: Duration,
    /// A rotated refresh token used again within this window gets the same
    /// response again (the client's retry of a lost answer) instead of
    /// revoking the grant; zero: any second use revokes.
    pub refresh_reuse_grace: Duration,
    /// Accept `?access_token=` on the API (RFC 6750 §2.3; off by default).
    pub bearer_in_query: bool,
    /// How long OAuth 1.0a temporary credentials wait for the member and the
    /// exchange (RFC 5849 §2.1).
    pub oauth1_request_token_lifetime: Duration,
    /// How far an `oauth_timestamp` may be from the server's clock, either way.
    pub oauth1_timestamp_window: Duration,
    /// Writes one member may make through the API per minute, over every
    /// application (429 with `Retry-After` beyond).
    pub api_writes_per_member_per_minute: u32,
    /// Who may sign up on `/register`.
    pub registration: Registration,
    /// Scheduled backups; `None` (the default) when `backup_dir` is not set.
    pub backup: Option<BackupSchedule>,
    /// The `backup_interval` and `backup_keep` in force (also without a
    /// `backup_dir`, for the effective-settings print).
    pub backup_interval: Duration,
    pub backup_keep: u32,
    /// Client addresses `/metrics` answers without a token.
    pub metrics_allow: Vec<IpNet>,
    /// A bearer token that opens `/metrics` from anywhere (over HTTPS).
    pub metrics_token: Option<String>,
    pub log_format: LogFormat,
    /// Bytes of redb's page cache (read cache and write buffer together).
    pub store_cache_size: usize,
    /// The largest file `POST /files` takes, in bytes (413 beyond).
    pub max_upload: u64,
    /// Bytes of API answers remembered until the next commit
    /// (`store::memo`); 0 remembers none.
    pub api_cache_size: usize,
    /// The media types an upload may be (sniffed from its bytes).
    pub upload_types: Vec<String>,
    /// The site's name in pages, titles and the consent question (the
    /// `/admin/settings` page may override it; see `store::site`).
    pub site_name: String,
    /// A logo file in the data directory, read and checked at start.
    pub site_logo: Option<crate::site::Logo>,
    pub accent_color: Option<crate::site::Accent>,
    /// OpenID discovery's `op_policy_uri` and `service_documentation`.
    pub policy_url: Option<Url>,
    pub documentation_url: Option<Url>,
    /// Outbound calls (push) may go to plain `http` and to loopback,
    /// private and link-local addresses: for tests and local setups.
    pub outbound_allow_private: bool,
    /// Extra trusted roots (PEM) for outbound TLS, besides the system's.
    pub outbound_ca_file: Option<PathBuf>,
    /// The site's language (`en`, `nl`): push notifications' words, and the
    /// pages' for visitors without a choice the pages have (`i18n`).
    pub site_language: String,
    /// How long the push worker keeps trying one delivery.
    pub push_max_age: Duration,
    /// Tests only (needs `outbound_allow_private`): APNs connections go to
    /// this address, with Apple's host names kept for TLS and HTTP/2.
    pub apns_connect_to: Option<SocketAddr>,
    /// How often the background task renews connections' OAuth 2.0
    /// tokens that are about to expire (and sweeps pending flows).
    pub connection_refresh_interval: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn err(msg: impl Into<String>) -> ConfigError {
    ConfigError(msg.into())
}

impl Settings {
    /// Later settings win.
    pub fn overlay(self, top: Settings) -> Settings {
        Settings {
            public_url: top.public_url.or(self.public_url),
            https: top.https.or(self.https),
            http: top.http.or(self.http),
            trusted_proxies: top.trusted_proxies.or(self.trusted_proxies),
            tls_cert: top.tls_cert.or(self.tls_cert),
            tls_key: top.tls_key.or(self.tls_key),
            log: top.log.or(self.log),
            argon2_memory_kib: top.argon2_memory_kib.or(self.argon2_memory_kib),
            argon2_iterations: top.argon2_iterations.or(self.argon2_iterations),
            argon2_parallelism: top.argon2_parallelism.or(self.argon2_parallelism),
            session_idle_timeout: top.session_idle_timeout.or(self.session_idle_timeout),
            session_absolute_timeout: top.session_absolute_timeout.or(self.session_absolute_timeout),
            login_max_failures: top.login_max_failures.or(self.login_max_failures),
            login_lockout: top.login_lockout.or(self.login_lockout),
            login_attempts_per_ip_per_minute: top
                .login_attempts_per_ip_per_minute
                .or(self.login_attempts_per_ip_per_minute),
            shutdown_timeout: top.shutdown_timeout.or(self.shutdown_timeout),
            access_token_lifetime: top.access_token_lifetime.or(self.access_token_lifetime),
            refresh_token_lifetime: top.refresh_token_lifetime.or(self.refresh_token_lifetime),
            code_lifetime: top.code_lifetime.or(self.code_lifetime),
            refresh_reuse_grace: top.refresh_reuse_grace.or(self.refresh_reuse_grace),
            bearer_in_query: top.bearer_in_query.or(self.bearer_in_query),
            oauth1_request_token_lifetime: top.oauth1_request_token_lifetime.or(self.oauth1_request_token_lifetime),
            oauth1_timestamp_window: top.oauth1_timestamp_window.or(self.oauth1_timestamp_window),
            api_writes_per_member_per_minute: top
                .api_writes_per_member_per_minute
                .or(self.api_writes_per_member_per_minute),
            registration: top.registration.or(self.registration),
            backup_dir: top.backup_dir.or(self.backup_dir),
            backup_interval: top.backup_interval.or(self.backup_interval),
            backup_keep: top.backup_keep.or(self.backup_keep),
            metrics_allow: top.metrics_allow.or(self.metrics_allow),
            metrics_token: top.metrics_token.or(self.metrics_token),
            log_format: top.log_format.or(self.log_format),
            store_cache_size: top.store_cache_size.or(self.store_cache_size),
            max_upload: top.max_upload.or(self.max_upload),
            api_cache_size: top.api_cache_size.or(self.api_cache_size),
            upload_types: top.upload_types.or(self.upload_types),
            site_name: top.site_name.or(self.site_name),
            site_logo: top.site_logo.or(self.site_logo),
            accent_color: top.accent_color.or(self.accent_color),
            policy_url: top.policy_url.or(self.policy_url),
            documentation_url: top.documentation_url.or(self.documentation_url),
            outbound_allow_private: top.outbound_allow_private.or(self.outbound_allow_private),
            outbound_ca_file: top.outbound_ca_file.or(self.outbound_ca_file),
            site_language: top.site_language.or(self.site_language),
            push_max_age: top.push_max_age.or(self.push_max_age),
            apns_connect_to: top.apns_connect_to.or(self.apns_connect_to),
            connection_refresh_interval: top.connection_refresh_interval.or(self.connection_refresh_interval),
        }
    }

    /// Reads a TOML file; unknown keys and wrong types are errors naming the key.
    pub fn from_file(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(format!("cannot read configuration file {}: {e}", path.display())))?;
        Self::from_toml(&text).map_err(|e| err(format!("{}: {e}", path.display())))
    }

    pub fn from_toml(text: &str) -> Result<Settings, ConfigError> {
        toml::from_str(text).map_err(|e| err(explain_toml_error(&e, text)))
    }

    /// Reads `LATCHKEY_<KEY>` variables from the given list (the process
    /// environment in production). A variable that names no key is an error.
    pub fn from_env<I: IntoIterator<Item = (String, String)>>(vars: I) -> Result<Settings, ConfigError> {
        let mut settings = Settings::default();
        for (name, raw) in vars {
            let Some(key) = name.strip_prefix("LATCHKEY_") else {
                continue;
            };
            if NON_KEY_VARS.contains(&name.as_str()) {
                continue;
            }
            let key = key.to_ascii_lowercase();
            if !KEYS.contains(&key.as_str()) {
                return Err(err(format!(
                    "{name} is not a configuration variable; allowed: {}",
                    KEYS.iter().map(|k| format!("LATCHKEY_{}", k.to_ascii_uppercase())).collect::<Vec<_>>().join(", ")
                )));
            }
            // Numbers and arrays parse as TOML; anything else is taken as a string.
            let one = toml::from_str::<Settings>(&format!("{key} = {raw}"))
                .or_else(|_| toml::from_str::<Settings>(&format!("{key} = {}", toml_string(&raw))));
            let one = one.map_err(|e| err(format!("{name}: {}", e.message().trim().replace('\n', " "))))?;
            settings = settings.overlay(one);
        }
        Ok(settings)
    }
}

#[path = "config_values.rs"]
mod values;
use values::*;
pub use values::{DEFAULT_API_CACHE_SIZE, DEFAULT_MAX_UPLOAD, DEFAULT_STORE_CACHE_SIZE, DEFAULT_UPLOAD_TYPES};

impl Config {
    pub fn resolve(data_dir: PathBuf, s: Settings) -> Result<Config, ConfigError> {
        let https = addr("https", s.https.as_deref().unwrap_or("127.0.0.1:8443"))?;
        // Without a public URL, links point at the HTTPS listener on localhost.
        let public_url_text = s.public_url.unwrap_or_else(|| format!("https://localhost:{}", https.port()));
        let mut public_url = Url::parse(&public_url_text).map_err(|e| {
            err(format!(
                "public_url: {public_url_text:?} is not a URL ({e}); write for example \"https://example.org\""
            ))
        })?;
        if !matches!(public_url.scheme(), "https" | "http") || public_url.host_str().is_none() {
            return Err(err(format!("public_url: {public_url_text:?} must be an http or https URL with a host")));
        }
        if public_url.query().is_some() || public_url.fragment().is_some() {
            return Err(err("public_url: must not have a query or fragment"));
        }
        if !public_url.path().ends_with('/') {
            let p = format!("{}/", public_url.path());
            public_url.set_path(&p);
        }
        let http = match s.http.as_deref() {
            None | Some("") => None,
            Some(v) => Some(addr("http", v)?),
        };
        let trusted_proxies = nets("trusted_proxies", s.trusted_proxies.unwrap_or_default())?;
        // Loopback only unless said otherwise: a scraper on the same machine.
        let metrics_allow =
            nets("metrics_allow", s.metrics_allow.unwrap_or_else(|| vec!["127.0.0.0/8".into(), "::1/128".into()]))?;
        let metrics_token = match s.metrics_token {
            None => None,
            Some(t) if t.len() < 16 || t.chars().any(|c| c.is_whitespace() || c.is_control()) => {
                return Err(err(
                    "metrics_token: use at least 16 characters without spaces (for example the output of `openssl rand -hex 32`)",
                ));
            }
            Some(t) => Some(t),
        };
        let backup_interval = duration("backup_interval", s.backup_interval, "24h")?;
        if backup_interval < Duration::from_secs(1) {
            return Err(err("backup_interval: at least 1s"));
        }
        let backup_keep = in_range("backup_keep", s.backup_keep.unwrap_or(7), 1, 10_000)?;
        let backup = match s.backup_dir {
            None => None,
            Some(p) if p.as_os_str().is_empty() => None,
            Some(p) if p.is_relative() => {
                return Err(err(format!(
                    "backup_dir: {} must be an absolute path (for example \"/var/backups/latchkey\")",
                    p.display()
                )));
            }
            Some(dir) => Some(BackupSchedule { dir, interval: backup_interval, keep: backup_keep }),
        };
        if s.tls_cert.is_some() != s.tls_key.is_some() {
            return Err(err("tls_cert and tls_key must be given together"));
        }
        for (key, path) in [("tls_cert", &s.tls_cert), ("tls_key", &s.tls_key)] {
            if let Some(p) = path {
                if !p.is_file() {
                    return Err(err(format!("{key}: {} is not a readable file", p.display())));
                }
            }
        }
        let log = s.log.unwrap_or_else(|| "info".to_string());
        log_filter(&log).map_err(|e| {
            err(format!(
                "log: {log:?} is not a log filter ({e}); write for example \"info\" or \"latchkey=debug,info\""
            ))
        })?;
        let argon2 = Argon2Params {
            // OWASP: argon2id, 19 MiB, 2 iterations, 1 lane.
            memory_kib: in_range("argon2_memory_kib", s.argon2_memory_kib.unwrap_or(19456), 8192, 4 * 1024 * 1024)?,
            iterations: in_range("argon2_iterations", s.argon2_iterations.unwrap_or(2), 1, 100)?,
            parallelism: in_range("argon2_parallelism", s.argon2_parallelism.unwrap_or(1), 1, 64)?,
        };
        let session_idle_timeout = duration("session_idle_timeout", s.session_idle_timeout, "30m")?;
        let session_absolute_timeout = duration("session_absolute_timeout", s.session_absolute_timeout, "12h")?;
        if session_absolute_timeout < session_idle_timeout {
            return Err(err("session_absolute_timeout must not be shorter than session_idle_timeout"));
        }
        let oauth1_request_token_lifetime =
            duration("oauth1_request_token_lifetime", s.oauth1_request_token_lifetime, "1h")?;
        let oauth1_timestamp_window = duration("oauth1_timestamp_window", s.oauth1_timestamp_window, "5m")?;
        if oauth1_timestamp_window > Duration::from_secs(24 * 3600) {
            return Err(err("oauth1_timestamp_window: at most 24h (the nonce store keeps a window's worth of nonces)"));
        }
        let site_name = crate::site::name(s.site_name.as_deref().unwrap_or(crate::site::DEFAULT_NAME))
            .map_err(|e| err(format!("site_name: {e}")))?;
        let site_logo = match s.site_logo.as_deref() {
            None | Some("") => None,
            Some(f) => Some(crate::site::load_logo(&data_dir, f).map_err(|e| err(format!("site_logo: {e}")))?),
        };
        let accent_color = match s.accent_color.as_deref() {
            None | Some("") => None,
            Some(c) => Some(crate::site::Accent::parse(c).map_err(|e| err(format!("accent_color: {e}")))?),
        };
        let policy_url = web_url("policy_url", s.policy_url)?;
        let documentation_url = web_url("documentation_url", s.documentation_url)?;
        let apns_connect_to = match s.apns_connect_to.as_deref() {
            None | Some("") => None,
            Some(_) if s.outbound_allow_private != Some(true) => {
                return Err(err("apns_connect_to: only for tests, with outbound_allow_private = true"));
            }
            Some(v) => Some(addr("apns_connect_to", v)?),
        };
        Ok(Config {
            data_dir,
            public_url,
            https,
            http,
            trusted_proxies,
            tls_cert: s.tls_cert,
            tls_key: s.tls_key,
            log,
            argon2,
            session_idle_timeout,
            session_absolute_timeout,
            login_max_failures: in_range("login_max_failures", s.login_max_failures.unwrap_or(5), 1, 1000)?,
            login_lockout: duration("login_lockout", s.login_lockout, "15m")?,
            login_attempts_per_ip_per_minute: in_range(
                "login_attempts_per_ip_per_minute",
                s.login_attempts_per_ip_per_minute.unwrap_or(30),
                1,
                100_000,
            )?,
            shutdown_timeout: duration("shutdown_timeout", s.shutdown_timeout, "30s")?,
            access_token_lifetime: duration("access_token_lifetime", s.access_token_lifetime, "1h")?,
            refresh_token_lifetime: duration("refresh_token_lifetime", s.refresh_token_lifetime, "30days")?,
            code_lifetime: duration("code_lifetime", s.code_lifetime, "60s")?,
            refresh_reuse_grace: duration_or_zero("refresh_reuse_grace", s.refresh_reuse_grace, "10s")?,
            bearer_in_query: s.bearer_in_query.unwrap_or(false),
            oauth1_request_token_lifetime,
            oauth1_timestamp_window,
            api_writes_per_member_per_minute: in_range(
                "api_writes_per_member_per_minute",
                s.api_writes_per_member_per_minute.unwrap_or(120),
                1,
                1_000_000,
            )?,
            registration: Registration::parse(s.registration.as_deref().unwrap_or("closed"))?,
            backup,
            backup_interval,
            backup_keep,
            metrics_allow,
            metrics_token,
            log_format: LogFormat::parse(s.log_format.as_deref().unwrap_or("text"))?,
            store_cache_size: size(
                "store_cache_size",
                s.store_cache_size,
                DEFAULT_STORE_CACHE_SIZE as u64,
                MIB,
                64 * GIB,
            )? as usize,
            max_upload: size("max_upload", s.max_upload, DEFAULT_MAX_UPLOAD, 1, 1024 * GIB)?,
            api_cache_size: size("api_cache_size", s.api_cache_size, DEFAULT_API_CACHE_SIZE as u64, 0, GIB)? as usize,
            upload_types: media_types(s.upload_types)?,
            site_name,
            site_logo,
            accent_color,
            policy_url,
            documentation_url,
            outbound_allow_private: s.outbound_allow_private.unwrap_or(false),
            outbound_ca_file: s.outbound_ca_file,
            site_language: site_language(s.site_language.as_deref().unwrap_or("en"))?,
            push_max_age: duration("push_max_age", s.push_max_age, "1d")?,
            apns_connect_to,
            connection_refresh_interval: duration("connection_refresh_interval", s.connection_refresh_interval, "1m")?,
        })
    }

    /// Loads file (explicit, or `DATA_DIR/latchkey.toml` when it exists), then
    /// the environment, then `flags`.
    pub fn load(
        data_dir: PathBuf,
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: Settings,
    ) -> Result<Config, ConfigError> {
        let default_file = data_dir.join("latchkey.toml");
        let file_settings = match file {
            Some(p) => Settings::from_file(p)?,
            None if default_file.is_file() => Settings::from_file(&default_file)?,
            None => Settings::default(),
        };
        let env_settings = Settings::from_env(env)?;
        Config::resolve(data_dir, file_settings.overlay(env_settings).overlay(flags))
    }

    /// The origin of `public_url` without a trailing slash, e.g. `https://example.org`.
    pub fn origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// An absolute URL for a path under the public URL (`path` without a leading slash).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path.trim_start_matches('/'))
    }

    /// The path of the public URL without its trailing slash, for links in pages.
    pub fn base_path(&self) -> &str {
        self.public_url.path().trim_end_matches('/')
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

/// The languages push notifications are written in (`push::words`).
pub const SITE_LANGUAGES: &[&str] = &["en", "nl"];

fn site_language(raw: &str) -> Result<String, ConfigError> {
    let lang = raw.trim().to_ascii_lowercase();
    if SITE_LANGUAGES.contains(&lang.as_str()) {
        Ok(lang)
    } else {
        Err(err(format!("site_language: `{raw}` is not one of {}", SITE_LANGUAGES.join(", "))))
    }
}

#[path = "config_show.rs"]
mod show;

/// The log filter `log` (and `RUST_LOG`) name: comma-separated
/// `target=level` directives and at most one bare level for the rest
/// (`info`, `warn,latchkey::store=debug`). Targets and levels only: the
/// span and field filters of `tracing`'s `EnvFilter`, and the regular
/// expression engine they need (most of a megabyte of the binary), are
/// not in latchkey.
pub fn log_filter(text: &str) -> Result<tracing_subscriber::filter::Targets, String> {
    const LEVELS: [&str; 6] = ["error", "warn", "info", "debug", "trace", "off"];
    let level = |l: &str| LEVELS.contains(&l.to_ascii_lowercase().as_str());
    let target = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"_:-".contains(&b));
    // `Targets` alone would take a misspelt level ("warning") for a target.
    for d in text.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let fine = match d.split_once('=') {
            Some((t, l)) => target(t.trim()) && level(l.trim()),
            None => level(d),
        };
        if !fine {
            return Err(format!("{d:?} is neither a level nor target=level"));
        }
    }
    text.trim().parse().map_err(|e: tracing_subscriber::filter::ParseError| e.to_string())
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
