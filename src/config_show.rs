//! `Config::to_toml`: the effective configuration as `latchkey check`
//! prints it.

use super::*;

impl Config {
    /// The effective configuration as TOML, for `latchkey check`. Secret
    /// values (none are file settings today besides key paths) are redacted.
    pub fn to_toml(&self) -> String {
        let mut t = toml::Table::new();
        let s = |v: &str| toml::Value::String(v.to_string());
        t.insert("data_dir".into(), s(&self.data_dir.display().to_string()));
        t.insert("public_url".into(), s(self.public_url.as_str()));
        t.insert("https".into(), s(&self.https.to_string()));
        t.insert("http".into(), s(&self.http.map(|a| a.to_string()).unwrap_or_default()));
        t.insert(
            "trusted_proxies".into(),
            toml::Value::Array(self.trusted_proxies.iter().map(|p| s(&p.to_string())).collect()),
        );
        let cert = self
            .tls_cert
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(self-signed, made in DATA_DIR/tls)".into());
        t.insert("tls_cert".into(), s(&cert));
        t.insert(
            "tls_key".into(),
            s(if self.tls_key.is_some() { "(redacted)" } else { "(self-signed, made in DATA_DIR/tls)" }),
        );
        t.insert("log".into(), s(&self.log));
        t.insert("argon2_memory_kib".into(), self.argon2.memory_kib.into());
        t.insert("argon2_iterations".into(), self.argon2.iterations.into());
        t.insert("argon2_parallelism".into(), self.argon2.parallelism.into());
        let d = |d: Duration| s(&humantime::format_duration(d).to_string());
        t.insert("session_idle_timeout".into(), d(self.session_idle_timeout));
        t.insert("session_absolute_timeout".into(), d(self.session_absolute_timeout));
        t.insert("login_max_failures".into(), self.login_max_failures.into());
        t.insert("login_lockout".into(), d(self.login_lockout));
        t.insert("login_attempts_per_ip_per_minute".into(), self.login_attempts_per_ip_per_minute.into());
        t.insert("shutdown_timeout".into(), d(self.shutdown_timeout));
        t.insert("access_token_lifetime".into(), d(self.access_token_lifetime));
        t.insert("refresh_token_lifetime".into(), d(self.refresh_token_lifetime));
        t.insert("code_lifetime".into(), d(self.code_lifetime));
        t.insert("refresh_reuse_grace".into(), d(self.refresh_reuse_grace));
        t.insert("bearer_in_query".into(), self.bearer_in_query.into());
        t.insert("oauth1_request_token_lifetime".into(), d(self.oauth1_request_token_lifetime));
        t.insert("oauth1_timestamp_window".into(), d(self.oauth1_timestamp_window));
        t.insert("api_writes_per_member_per_minute".into(), self.api_writes_per_member_per_minute.into());
        t.insert("registration".into(), s(self.registration.as_str()));
        let backup_dir = self.backup.as_ref().map(|b| b.dir.display().to_string());
        t.insert("backup_dir".into(), s(&backup_dir.unwrap_or_else(|| "(off)".into())));
        t.insert("backup_interval".into(), d(self.backup_interval));
        t.insert("backup_keep".into(), self.backup_keep.into());
        t.insert(
            "metrics_allow".into(),
            toml::Value::Array(self.metrics_allow.iter().map(|p| s(&p.to_string())).collect()),
        );
        t.insert("metrics_token".into(), s(if self.metrics_token.is_some() { "(redacted)" } else { "(none)" }));
        t.insert("log_format".into(), s(self.log_format.as_str()));
        t.insert("store_cache_size".into(), s(&show_size(self.store_cache_size)));
        t.insert("max_upload".into(), s(&show_size(self.max_upload as usize)));
        t.insert("api_cache_size".into(), s(&show_size(self.api_cache_size)));
        t.insert("upload_types".into(), toml::Value::Array(self.upload_types.iter().map(|t| s(t)).collect()));
        t.insert("site_name".into(), s(&self.site_name));
        t.insert("site_logo".into(), s(self.site_logo.as_ref().map_or("(none)", |l| l.file.as_str())));
        t.insert("accent_color".into(), s(&self.accent_color.map_or_else(|| "(default)".into(), |a| a.hex())));
        t.insert("policy_url".into(), s(self.policy_url.as_ref().map_or("(none)", |u| u.as_str())));
        t.insert("documentation_url".into(), s(self.documentation_url.as_ref().map_or("(none)", |u| u.as_str())));
        t.insert("outbound_allow_private".into(), self.outbound_allow_private.into());
        let ca = self.outbound_ca_file.as_ref().map(|p| p.display().to_string());
        t.insert("outbound_ca_file".into(), s(&ca.unwrap_or_else(|| "(none)".into())));
        t.insert("site_language".into(), s(&self.site_language));
        t.insert("push_max_age".into(), d(self.push_max_age));
        let apns = self.apns_connect_to.map(|a| a.to_string());
        t.insert("apns_connect_to".into(), s(&apns.unwrap_or_else(|| "(none)".into())));
        t.insert("connection_refresh_interval".into(), d(self.connection_refresh_interval));
        toml::to_string(&t).unwrap_or_default()
    }
}
