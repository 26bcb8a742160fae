//! `App`: a plain struct of handles (configuration, store, clock, password
//! hasher, sign-in limits, signing keys, nonce book, usage batcher), built
//! once by `serve` or by a management command that runs offline, and passed
//! to whoever carries out an operation. Everything it holds comes from the
//! layers below it; nothing it holds takes an `App`.

use crate::auth::nonces::Nonces;
use crate::auth::passwords::Passwords;
use crate::auth::ratelimit::{LoginLimiter, WriteLimiter};
use crate::auth::sealing::Sealer;
use crate::auth::usage::Usage;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::keys::keyring::Keyring;
use crate::metrics::Metrics;
use crate::store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: SharedClock,
    pub passwords: Passwords,
    pub limiter: Arc<LoginLimiter>,
    /// The API's per-member write budget.
    pub writes: Arc<WriteLimiter>,
    /// JWT signing keys; empty until `load_keys` runs.
    pub keyring: Arc<Keyring>,
    pub usage: Arc<Usage>,
    /// The at-rest key for OAuth 1.0a secrets and the JWT signing keys,
    /// `DATA_DIR/secret.key`.
    pub sealer: Arc<Sealer>,
    /// OAuth 1.0a nonces seen by this process, and those not yet written.
    pub nonces: Arc<Nonces>,
    /// What `/metrics` serves.
    pub metrics: Arc<Metrics>,
    /// The last `/readyz` probe, shared so that probes stay rare.
    pub readiness: Arc<Readiness>,
    /// The Web Push VAPID key, `DATA_DIR/vapid.key`.
    pub vapid: Arc<crate::keys::vapid::VapidKey>,
    /// The outbound HTTP client and cached provider documents (connections).
    pub outbound: Arc<crate::outbound::Outbound>,
    /// The pages' words in every language (`i18n`), parsed once.
    pub catalogue: Arc<crate::i18n::Catalogue>,
    /// API answers remembered until the next commit (`api_cache_size`).
    pub memo: Arc<crate::store::memo::Memo>,
}

/// The last answer of the readiness probe (`/readyz`): a tiny write, made
/// at most once per `READY_EVERY`, its result reused until then.
#[derive(Default)]
pub struct Readiness {
    last: tokio::sync::Mutex<Option<(std::time::Instant, Result<(), String>)>>,
}

/// How long one readiness probe's answer stands.
pub const READY_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// A probe write that takes longer than this counts as a failure: a disk
/// that hangs must not hang the probe with it.
pub const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

impl Readiness {
    /// Whether the store commits: a write of the probe's time to `meta`,
    /// durable like any other. Callers that come while a probe runs wait
    /// for it and share its answer.
    pub async fn check(&self, store: &Store, now: crate::clock::Timestamp) -> Result<(), String> {
        let mut last = self.last.lock().await;
        if let Some((at, answer)) = last.as_ref() {
            if at.elapsed() < READY_EVERY {
                return answer.clone();
            }
        }
        let write = store.write(move |tx| crate::store::probe(tx, now));
        let answer = match tokio::time::timeout(READY_TIMEOUT, write).await {
            Ok(done) => done.map_err(|e: crate::store::StoreError| e.to_string()),
            Err(_) => Err(format!("a write did not commit within {} s", READY_TIMEOUT.as_secs())),
        };
        *last = Some((std::time::Instant::now(), answer.clone()));
        answer
    }
}

impl App {
    /// Creates the data directory (owner-only) and opens the database in it.
    pub fn open(config: Config, clock: SharedClock) -> anyhow::Result<App> {
        ensure_private_dir(&config.data_dir)?;
        let store = Store::open_with_cache(&config.data_dir.join("latchkey.redb"), config.store_cache_size)?;
        let passwords = Passwords::new(&config.argon2)?;
        let limiter = Arc::new(LoginLimiter::new(
            clock.clone(),
            config.login_attempts_per_ip_per_minute,
            config.login_max_failures,
            config.login_lockout,
        ));
        let sealer = Arc::new(Sealer::in_data_dir(&config.data_dir));
        let newest_nonce = store.read(crate::store::oauth1::newest_nonce_timestamp)?;
        let nonces = Arc::new(Nonces::new(newest_nonce));
        let writes = Arc::new(WriteLimiter::new(clock.clone(), config.api_writes_per_member_per_minute));
        let memo = Arc::new(crate::store::memo::Memo::new(config.api_cache_size));
        let metrics = Arc::new(Metrics::new(&store, &memo));
        let vapid = Arc::new(crate::keys::vapid::VapidKey::load_or_create(&config.data_dir)?);
        let catalogue = Arc::new(crate::i18n::Catalogue::load().map_err(anyhow::Error::msg)?);
        Ok(App {
            memo,
            catalogue,
            vapid,
            metrics,
            readiness: Arc::new(Readiness::default()),
            writes,
            sealer,
            config: Arc::new(config),
            store,
            clock,
            passwords,
            limiter,
            keyring: Arc::new(Keyring::default()),
            usage: Arc::new(Usage::default()),
            nonces,
            outbound: Arc::default(),
        })
    }

    pub fn now(&self) -> crate::clock::Timestamp {
        self.clock.now_ts()
    }

    /// Loads the signing keys (making the first ones on a new database).
    pub async fn load_keys(&self) -> Result<(), crate::keys::keyring::KeyringError> {
        let lifetime = self.config.access_token_lifetime;
        crate::keys::keyring::load(&self.keyring, &self.store, &self.sealer, lifetime, self.now()).await
    }

    /// Writes the batched "last used" times and OAuth 1.0a nonces; run
    /// in the background and once more at shutdown.
    pub async fn flush_batches(&self) -> Result<(), crate::store::StoreError> {
        crate::auth::usage::flush(&self.usage, &self.store).await?;
        crate::auth::nonces::flush(&self.nonces, &self.store).await?;
        Ok(())
    }

    /// Adds the member `username` straight to the store (no password), for
    /// unit tests of operations.
    #[cfg(test)]
    pub async fn add_test_member(&self, username: &str) -> crate::ids::UserId {
        let now = self.now();
        let user = crate::store::users::User {
            id: crate::ids::UserId(0),
            username: username.into(),
            display_name: username.into(),
            email: format!("{username}@example.org"),
            password_hash: String::new(),
            admin: false,
            disabled: false,
            created_at: now,
            password_changed_at: now,
            revision: 0,
            bio: String::new(),
            avatar: None,
        };
        #[allow(clippy::expect_used)]
        let added = self.store.write(move |tx| crate::store::users::insert(tx, user.clone())).await;
        added.expect("a test member is added").id
    }

    /// An app on a fresh data directory in `dir`, with the given clock and
    /// cheap password hashing, for unit tests of operations.
    pub fn for_tests(dir: &std::path::Path, clock: crate::clock::FrozenClock) -> App {
        #[allow(clippy::expect_used)]
        let mut config = Config::resolve(dir.to_path_buf(), crate::config::Settings::default())
            .expect("the default configuration resolves");
        config.argon2 = crate::config::Argon2Params { memory_kib: 8192, iterations: 1, parallelism: 1 };
        #[allow(clippy::expect_used)]
        App::open(config, std::sync::Arc::new(clock)).expect("a test app opens on a fresh directory")
    }
}

/// Makes `dir` if needed and keeps it readable by its owner alone.
pub fn ensure_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot restrict {}", dir.display()))?;
    Ok(())
}
