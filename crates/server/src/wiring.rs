//! The composition root: builds every adapter from the configuration and hands the services to
//! the HTTP layer.

use std::sync::Arc;
use std::time::Duration;

use calndr_api::{ApiSettings, ApiState, Metrics, Readiness};
use calndr_app::{AccountDeps, AccountService, AuthService, RateGuard, RateLimits};
use calndr_files::LocalDirStorage;
use calndr_memory::{DisabledMailer, MemoryAccountStore, MemoryCache, MemoryRateLimiter};
use calndr_ports::{
    AccountStore, Cache, HealthCheck, Mailer, ObjectStorage, PoolInfo, RateLimiter, StoreError,
};
use calndr_postgres::{PgConfig, PgStore};
use calndr_redis::{RedisCache, RedisConfig, RedisRateLimiter};
use calndr_security::{HashScheme, Hashing, Tokens};
use secrecy::ExposeSecret;

use crate::Config;

/// The wired application state, plus the pieces tests and the CLI reach for.
pub struct Wired {
    pub state: ApiState,
    pub store_kind: &'static str,
}

/// Test and tooling overrides of the production wiring.
#[derive(Default, Clone)]
pub struct Overrides {
    pub mailer: Option<Arc<dyn Mailer>>,
    pub storage: Option<Arc<dyn ObjectStorage>>,
    pub rate_limits: Option<RateLimits>,
    /// bcrypt cost for new bcrypt hashes (tests use 4).
    pub bcrypt_cost: Option<u32>,
    /// An account store to use instead of the embedded one when no database is configured.
    pub memory_accounts: Option<Arc<dyn AccountStore>>,
}

/// The storage side: the account store, its health check, and its pools for `/metrics`.
type Storage = (
    Arc<dyn AccountStore>,
    Option<Arc<dyn HealthCheck>>,
    Vec<(&'static str, Arc<dyn PoolInfo>)>,
);

/// The cache side: the cache, the shared rate limiter, and the cache's health check.
type Caching = (
    Arc<dyn Cache>,
    Arc<dyn RateLimiter>,
    Option<Arc<dyn HealthCheck>>,
);

pub fn build_state(config: &Config, overrides: Overrides) -> Result<Wired, StoreError> {
    let (accounts, database, pools): Storage = match &config.database_url {
        Some(url) => {
            let pg = Arc::new(PgStore::connect(
                url.expose_secret(),
                config.database_read_url.as_ref().map(|u| u.expose_secret()),
                &PgConfig {
                    pool_size: config.database_pool_size,
                    ..PgConfig::default()
                },
            )?);
            (pg.clone(), Some(pg.clone()), vec![("postgres", pg)])
        }
        None => (
            overrides
                .memory_accounts
                .clone()
                .unwrap_or_else(|| Arc::new(MemoryAccountStore::new())),
            None,
            vec![],
        ),
    };
    let store_kind = if config.database_url.is_some() {
        "postgres"
    } else {
        "memory"
    };

    let local_limiter: Arc<dyn RateLimiter> = Arc::new(MemoryRateLimiter::default());
    let (cache, shared_limiter, cache_health): Caching = match &config.redis_url {
        Some(url) => {
            let timeout = Duration::from_millis(500);
            let pool = calndr_redis::connect(&RedisConfig {
                url: url.expose_secret().to_owned(),
                pool_size: config.redis_pool_size,
                timeout,
            })?;
            let cache = Arc::new(RedisCache::new(pool.clone(), timeout));
            let limiter = Arc::new(RedisRateLimiter::new(pool, timeout));
            (cache.clone(), limiter, Some(cache))
        }
        None => (
            Arc::new(MemoryCache::default()),
            local_limiter.clone(),
            None,
        ),
    };

    let scheme = HashScheme::parse(&config.password_hash).unwrap_or(HashScheme::Argon2id);
    let hasher = match overrides.bcrypt_cost {
        Some(cost) => Hashing::with_bcrypt_cost(scheme, config.hash_concurrency, cost)?,
        None => Hashing::new(scheme, config.hash_concurrency)?,
    };
    let tokens = Arc::new(Tokens::new(config.jwt_secret.clone()));
    let limits = match overrides.rate_limits {
        Some(l) => l,
        None if config.rate_limits_enabled => RateLimits::default(),
        None => RateLimits::unlimited(),
    };
    let storage: Arc<dyn ObjectStorage> = overrides.storage.unwrap_or_else(|| {
        Arc::new(LocalDirStorage::new(
            &config.upload_dir,
            &config.public_base_url,
        ))
    });
    let mailer: Arc<dyn Mailer> = overrides.mailer.unwrap_or_else(|| Arc::new(DisabledMailer));

    let auth = AuthService::new(tokens.clone(), accounts.clone(), cache.clone());
    let account_service = AccountService::new(AccountDeps {
        accounts,
        hasher: Arc::new(hasher),
        tokens,
        storage,
        mailer,
        guard: RateGuard::new(shared_limiter, local_limiter, limits),
        auth,
    });
    let cache_name = if config.redis_url.is_some() {
        "redis"
    } else {
        "memory"
    };
    let metrics = Metrics::new(pools, vec![(cache_name, cache)])
        .map_err(|e| StoreError::unexpected(format!("metrics registry: {e}")))?;

    Ok(Wired {
        state: ApiState {
            accounts: account_service,
            readiness: Readiness {
                database,
                cache: cache_health,
            },
            metrics: Arc::new(metrics),
            settings: ApiSettings {
                trust_forwarded_for: config.trust_forwarded_for,
                version: env!("CARGO_PKG_VERSION"),
                store_kind,
            },
        },
        store_kind,
    })
}
