//! The configuration's tests: defaults, each key from the file and the
//! environment, and the messages for what is wrong.

use super::*;

fn resolve(toml: &str) -> Result<Config, ConfigError> {
    Config::resolve(PathBuf::from("/tmp/x"), Settings::from_toml(toml)?)
}

#[test]
fn defaults_need_no_file() {
    let c = resolve("").unwrap();
    assert_eq!(c.https.to_string(), "127.0.0.1:8443");
    assert_eq!(c.public_url.as_str(), "https://localhost:8443/");
    assert_eq!(c.argon2.memory_kib, 19456);
    assert!(c.http.is_none());
    assert_eq!(c.oauth1_request_token_lifetime, Duration::from_secs(3600));
    assert_eq!(c.oauth1_timestamp_window, Duration::from_secs(300));
}

#[test]
fn oauth1_keys_come_from_file_and_environment() {
    let c = resolve("oauth1_request_token_lifetime = \"10m\"\noauth1_timestamp_window = \"90s\"").unwrap();
    assert_eq!(c.oauth1_request_token_lifetime, Duration::from_secs(600));
    assert_eq!(c.oauth1_timestamp_window, Duration::from_secs(90));
    assert!(c.to_toml().contains("oauth1_timestamp_window = \"1m 30s\""), "{}", c.to_toml());
    let env = Settings::from_env([("LATCHKEY_OAUTH1_TIMESTAMP_WINDOW".to_string(), "2m".to_string())]).unwrap();
    assert_eq!(Config::resolve("/d".into(), env).unwrap().oauth1_timestamp_window, Duration::from_secs(120));
    for bad in [
        "oauth1_timestamp_window = \"soon\"",
        "oauth1_timestamp_window = \"2days\"",
        "oauth1_request_token_lifetime = \"0s\"",
    ] {
        let e = resolve(bad).unwrap_err().to_string();
        assert!(e.contains("oauth1_"), "{bad}: {e}");
    }
}

#[test]
fn a_zero_refresh_reuse_grace_is_allowed_and_other_zero_durations_are_not() {
    assert_eq!(resolve("refresh_reuse_grace = \"0s\"").unwrap().refresh_reuse_grace, Duration::ZERO);
    assert_eq!(resolve("").unwrap().refresh_reuse_grace, Duration::from_secs(10));
    let e = resolve("code_lifetime = \"0s\"").unwrap_err().to_string();
    assert!(e.contains("code_lifetime: must be longer than zero"), "{e}");
}

#[test]
fn registration_is_closed_unless_opened_in_the_file_or_environment() {
    assert_eq!(resolve("").unwrap().registration, Registration::Closed);
    assert_eq!(resolve("registration = \"open\"").unwrap().registration, Registration::Open);
    let c = resolve("registration = \"invite\"").unwrap();
    assert_eq!(c.registration, Registration::Invite);
    assert!(c.to_toml().contains("registration = \"invite\""), "{}", c.to_toml());
    let env = Settings::from_env([("LATCHKEY_REGISTRATION".to_string(), "open".to_string())]).unwrap();
    assert_eq!(Config::resolve("/d".into(), env).unwrap().registration, Registration::Open);
    for bad in ["registration = \"Open\"", "registration = \"yes\"", "registration = true"] {
        let e = resolve(bad).unwrap_err().to_string();
        assert!(e.contains("registration"), "{bad}: {e}");
    }
}

#[test]
fn operations_keys_have_defaults_and_are_checked() {
    let c = resolve("").unwrap();
    assert!(c.backup.is_none(), "no scheduled backups unless backup_dir is set");
    assert_eq!((c.backup_interval, c.backup_keep), (Duration::from_secs(86_400), 7));
    let loopback: Vec<String> = c.metrics_allow.iter().map(|n| n.to_string()).collect();
    assert_eq!(loopback, ["127.0.0.0/8", "::1/128"]);
    assert_eq!((c.metrics_token.as_deref(), c.log_format), (None, LogFormat::Text));
    let toml = c.to_toml();
    for line in ["backup_dir = \"(off)\"", "backup_keep = 7", "metrics_token = \"(none)\"", "log_format = \"text\""] {
        assert!(toml.contains(line), "{line} in\n{toml}");
    }

    let c = resolve(
        "backup_dir = \"/var/backups/lk\"\nbackup_interval = \"6h\"\nbackup_keep = 3\n\
         metrics_allow = [\"10.0.0.0/8\", \"192.0.2.7\"]\nmetrics_token = \"0123456789abcdef0123\"\nlog_format = \"json\"",
    )
    .unwrap();
    let b = c.backup.as_ref().unwrap();
    assert_eq!((b.dir.to_str(), b.interval, b.keep), (Some("/var/backups/lk"), Duration::from_secs(6 * 3600), 3));
    assert_eq!(c.metrics_allow.len(), 2);
    assert_eq!(c.log_format, LogFormat::Json);
    let toml = c.to_toml();
    assert!(toml.contains("metrics_token = \"(redacted)\"") && !toml.contains("0123456789abcdef0123"), "{toml}");

    let env = Settings::from_env([("LATCHKEY_LOG_FORMAT".to_string(), "json".to_string())]).unwrap();
    assert_eq!(Config::resolve("/d".into(), env).unwrap().log_format, LogFormat::Json);
    for (bad, key) in [
        ("backup_dir = \"relative/dir\"", "backup_dir"),
        ("backup_interval = \"often\"", "backup_interval"),
        ("backup_keep = 0", "backup_keep"),
        ("metrics_allow = [\"everyone\"]", "metrics_allow"),
        ("metrics_token = \"short\"", "metrics_token"),
        ("log_format = \"xml\"", "log_format"),
    ] {
        let e = resolve(bad).unwrap_err().to_string();
        assert!(e.contains(key), "{bad}: {e}");
    }
}

#[test]
fn the_api_cache_size_is_a_size_and_zero_turns_it_off() {
    assert_eq!(resolve("").unwrap().api_cache_size, 4 * 1024 * 1024);
    assert_eq!(resolve("api_cache_size = 0").unwrap().api_cache_size, 0);
    assert_eq!(resolve("api_cache_size = \"16MiB\"").unwrap().api_cache_size, 16 << 20);
    let env = Settings::from_env([("LATCHKEY_API_CACHE_SIZE".to_string(), "0".to_string())]).unwrap();
    assert_eq!(Config::resolve("/d".into(), env).unwrap().api_cache_size, 0);
    assert!(resolve("api_cache_size = 0").unwrap().to_toml().contains("api_cache_size = \"0\""));
    for bad in ["api_cache_size = \"2GiB\"", "api_cache_size = -1", "api_cache_size = \"some\""] {
        let e = resolve(bad).unwrap_err().to_string();
        assert!(e.contains("api_cache_size"), "{bad}: {e}");
    }
}

#[test]
fn the_store_cache_size_is_a_size_in_the_file_or_the_environment() {
    assert_eq!(resolve("").unwrap().store_cache_size, 32 * 1024 * 1024);
    assert_eq!(resolve("store_cache_size = \"64MiB\"").unwrap().store_cache_size, 64 << 20);
    assert!(resolve("store_cache_size = \"512 KiB\"").unwrap_err().to_string().contains("out of range"));
    assert_eq!(resolve("store_cache_size = \"2GiB\"").unwrap().store_cache_size, 2 << 30);
    assert_eq!(resolve("store_cache_size = \"100MB\"").unwrap().store_cache_size, 100_000_000);
    assert_eq!(resolve("store_cache_size = 8388608").unwrap().store_cache_size, 8 << 20);
    let c = resolve("store_cache_size = \"16MiB\"").unwrap();
    assert!(c.to_toml().contains("store_cache_size = \"16MiB\""), "{}", c.to_toml());
    for raw in ["48MiB", "50331648"] {
        let env = Settings::from_env([("LATCHKEY_STORE_CACHE_SIZE".to_string(), raw.to_string())]).unwrap();
        assert_eq!(Config::resolve("/d".into(), env).unwrap().store_cache_size, 48 << 20, "{raw}");
    }
    for bad in [
        "store_cache_size = \"lots\"",
        "store_cache_size = \"32 MiBs\"",
        "store_cache_size = -1",
        "store_cache_size = \"128GiB\"",
    ] {
        let e = resolve(bad).unwrap_err().to_string();
        assert!(e.contains("store_cache_size"), "{bad}: {e}");
    }
}

#[test]
fn unknown_key_is_named_with_the_allowed_ones() {
    let e = resolve("publik_url = \"https://x\"").unwrap_err().to_string();
    assert!(e.contains("publik_url"), "{e}");
    assert!(e.contains("allowed keys"), "{e}");
}

#[test]
fn bad_values_name_the_key() {
    for (toml, key) in [
        ("https = \"nonsense\"", "https"),
        ("session_idle_timeout = \"soon\"", "session_idle_timeout"),
        ("argon2_iterations = 0", "argon2_iterations"),
        ("trusted_proxies = [\"x.y\"]", "trusted_proxies"),
        ("public_url = \"ftp://x\"", "public_url"),
    ] {
        let e = resolve(toml).unwrap_err().to_string();
        assert!(e.contains(key), "{toml}: {e}");
    }
    let e = resolve("argon2_iterations = \"two\"").unwrap_err().to_string();
    assert!(e.contains("invalid type"), "{e}");
}

#[test]
fn env_overrides_file_and_flags_override_env() {
    let file = Settings::from_toml("https = \"127.0.0.1:1\"\nlogin_max_failures = 3").unwrap();
    let env = Settings::from_env([
        ("LATCHKEY_HTTPS".to_string(), "127.0.0.1:2".to_string()),
        ("LATCHKEY_LOGIN_MAX_FAILURES".to_string(), "7".to_string()),
        ("LATCHKEY_TRUSTED_PROXIES".to_string(), "[\"10.0.0.0/8\"]".to_string()),
        ("LATCHKEY_DATA_DIR".to_string(), "/ignored".to_string()),
    ])
    .unwrap();
    let flags = Settings { https: Some("127.0.0.1:3".into()), ..Default::default() };
    let c = Config::resolve("/d".into(), file.overlay(env).overlay(flags)).unwrap();
    assert_eq!(c.https.port(), 3);
    assert_eq!(c.login_max_failures, 7);
    assert_eq!(c.trusted_proxies.len(), 1);
}

#[test]
fn unknown_env_variable_is_refused() {
    let e = Settings::from_env([("LATCHKEY_PUBLICURL".to_string(), "x".to_string())]).unwrap_err().to_string();
    assert!(e.contains("LATCHKEY_PUBLICURL") && e.contains("LATCHKEY_PUBLIC_URL"), "{e}");
}

#[test]
fn uploads_have_a_size_limit_and_an_allow_list() {
    let c = resolve("").unwrap();
    assert_eq!(c.max_upload, 25 * 1024 * 1024);
    assert!(c.upload_types.iter().any(|t| t == "image/png") && c.upload_types.iter().any(|t| t == "application/pdf"));
    assert!(!c.upload_types.iter().any(|t| t == "image/svg+xml" || t == "text/html"), "script-capable types are out");
    assert_eq!(resolve("max_upload = \"200MiB\"").unwrap().max_upload, 200 << 20);
    assert!(c.to_toml().contains("max_upload = \"25MiB\""), "{}", c.to_toml());
    let env = Settings::from_env([("LATCHKEY_MAX_UPLOAD".to_string(), "1MiB".to_string())]).unwrap();
    assert_eq!(Config::resolve("/d".into(), env).unwrap().max_upload, 1 << 20);
    assert!(resolve("max_upload = \"lots\"").is_err());
    let c = resolve("upload_types = [\"text/plain\", \"application/vnd.ms-excel\"]").unwrap();
    assert_eq!(c.upload_types, ["text/plain", "application/vnd.ms-excel"]);
    let env = Settings::from_env([("LATCHKEY_UPLOAD_TYPES".to_string(), "[\"image/png\"]".to_string())]).unwrap();
    assert_eq!(Config::resolve("/d".into(), env).unwrap().upload_types, ["image/png"]);
    for bad in ["upload_types = [\"png\"]", "upload_types = [\"Image/PNG\"]", "upload_types = [\"text/ plain\"]"] {
        assert!(resolve(bad).unwrap_err().to_string().contains("upload_types"), "{bad}");
    }
}

#[test]
fn the_site_identity_comes_from_the_file_or_the_environment() {
    let c = resolve("").unwrap();
    assert_eq!((c.site_name.as_str(), c.site_logo.is_none(), c.accent_color), ("latchkey", true, None));
    assert!(c.policy_url.is_none() && c.documentation_url.is_none());
    let c = resolve(
        "site_name = \" Example Community \"\naccent_color = \"#AA3300\"\npolicy_url = \"https://example.org/policy\"\ndocumentation_url = \"https://example.org/docs\"",
    )
    .unwrap();
    assert_eq!(c.site_name, "Example Community");
    assert_eq!(c.accent_color.map(|a| a.hex()).as_deref(), Some("#aa3300"));
    assert_eq!(c.policy_url.as_ref().map(|u| u.as_str()), Some("https://example.org/policy"));
    assert!(c.to_toml().contains("accent_color = \"#aa3300\""), "{}", c.to_toml());
    let env = Settings::from_env([("LATCHKEY_SITE_NAME".to_string(), "Elsewhere".to_string())]).unwrap();
    assert_eq!(Config::resolve("/d".into(), env).unwrap().site_name, "Elsewhere");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("logo.webp"), b"RIFF\0\0\0\0WEBPVP8 ").unwrap();
    let logo = Settings::from_toml("site_logo = \"logo.webp\"").unwrap();
    let c = Config::resolve(dir.path().to_path_buf(), logo).unwrap();
    assert_eq!(c.site_logo.map(|l| l.content_type), Some("image/webp"));

    for (bad, says) in [
        ("site_name = \"\"", "site_name: write a name"),
        ("accent_color = \"blue\"", "accent_color: \"blue\" is not a colour"),
        ("site_logo = \"../secret.key\"", "site_logo: name a file inside the data directory"),
        ("site_logo = \"missing.png\"", "site_logo: cannot read"),
        ("policy_url = \"ftp://example.org\"", "policy_url: \"ftp://example.org\" is not an http or https URL"),
        ("documentation_url = \"docs\"", "documentation_url:"),
    ] {
        let e = resolve(bad).unwrap_err().to_string();
        assert!(e.contains(says), "{bad}: {e}");
    }
}

#[test]
fn push_and_outbound_keys() {
    let c = resolve("").unwrap();
    assert!(!c.outbound_allow_private);
    assert_eq!(c.outbound_ca_file, None);
    assert_eq!(c.site_language, "en");
    assert_eq!(c.push_max_age, Duration::from_secs(86_400));
    let env = Settings::from_env([
        ("LATCHKEY_OUTBOUND_ALLOW_PRIVATE".to_string(), "true".to_string()),
        ("LATCHKEY_OUTBOUND_CA_FILE".to_string(), "/etc/ca.pem".to_string()),
        ("LATCHKEY_SITE_LANGUAGE".to_string(), "NL".to_string()),
        ("LATCHKEY_PUSH_MAX_AGE".to_string(), "2h".to_string()),
    ])
    .unwrap();
    let c = Config::resolve("/d".into(), env).unwrap();
    assert!(c.outbound_allow_private);
    assert_eq!(c.outbound_ca_file.as_deref(), Some(std::path::Path::new("/etc/ca.pem")));
    assert_eq!(c.site_language, "nl");
    assert_eq!(c.push_max_age, Duration::from_secs(7200));
    let e = resolve("site_language = \"tlh\"").unwrap_err().to_string();
    assert!(e.contains("site_language"), "{e}");
}

#[test]
fn apns_connect_to_is_for_tests_only() {
    assert_eq!(resolve("").unwrap().apns_connect_to, None);
    let e = resolve("apns_connect_to = \"127.0.0.1:8443\"").unwrap_err().to_string();
    assert!(e.contains("apns_connect_to") && e.contains("outbound_allow_private"), "{e}");
    let env = Settings::from_env([
        ("LATCHKEY_OUTBOUND_ALLOW_PRIVATE".to_string(), "true".to_string()),
        ("LATCHKEY_APNS_CONNECT_TO".to_string(), "127.0.0.1:8443".to_string()),
    ])
    .unwrap();
    let c = Config::resolve("/d".into(), env).unwrap();
    assert_eq!(c.apns_connect_to, Some("127.0.0.1:8443".parse().unwrap()));
    assert!(c.to_toml().contains("apns_connect_to = \"127.0.0.1:8443\""));
    let e = resolve("outbound_allow_private = true\napns_connect_to = \"apple\"").unwrap_err().to_string();
    assert!(e.contains("apns_connect_to"), "{e}");
}

#[test]
fn connection_refresh_interval_key() {
    let c = resolve("").unwrap();
    assert_eq!(c.connection_refresh_interval, Duration::from_secs(60));
    let env = Settings::from_env([("LATCHKEY_CONNECTION_REFRESH_INTERVAL".to_string(), "2s".to_string())]).unwrap();
    let c = Config::resolve("/d".into(), env).unwrap();
    assert_eq!(c.connection_refresh_interval, Duration::from_secs(2));
    let e = resolve("connection_refresh_interval = \"soon\"").unwrap_err().to_string();
    assert!(e.contains("connection_refresh_interval"), "{e}");
}

#[test]
fn log_filters_are_targets_and_levels() {
    use tracing::Level;
    use tracing_subscriber::filter::Targets;
    let f: Targets = log_filter("warn,latchkey::store=debug").unwrap();
    assert!(f.would_enable("latchkey::store::writer", &Level::DEBUG));
    assert!(!f.would_enable("latchkey::http", &Level::INFO));
    assert!(f.would_enable("actix_server", &Level::WARN));
    let f = log_filter(" INFO ").unwrap();
    assert!(f.would_enable("anything", &Level::INFO) && !f.would_enable("anything", &Level::DEBUG));
    assert_eq!(resolve("log = \"latchkey=debug,info\"").unwrap().log, "latchkey=debug,info");
    for bad in [
        "log = \"loud\"",
        "log = \"warning\"",
        "log = \"latchkey=shout\"",
        "log = \"[span]=debug\"",
        "log = \"a b=info\"",
    ] {
        let e = resolve(bad).unwrap_err().to_string();
        assert!(e.contains("is not a log filter") && e.contains("latchkey=debug,info"), "{bad}: {e}");
    }
}
