//! The composition root: builds every adapter from the configuration and hands the services to
//! the HTTP layer.

use std::sync::Arc;
use std::time::Duration;

use calndr_api::{ApiSettings, ApiState, Metrics, Readiness};
use calndr_app::{AccountDeps, AccountService, AuthService, RateGuard, RateLimits};
use calndr_app::{CustodyDeps, CustodyService, FamilyDeps, FamilyService};
use calndr_app::{EnrollmentDeps, EnrollmentService, VerificationDeps, VerificationService};
use calndr_app::{
    EventService, GroupChatService, JournalService, NotificationEmailService, ReminderService,
};
use calndr_files::LocalDirStorage;
use calndr_memory::MemoryRecords;
use calndr_memory::{DisabledMailer, MemoryAccountStore, MemoryCache, MemoryRateLimiter};
use calndr_memory::{DisabledPush, MemoryCustodyStore};
use calndr_memory::{DisabledSms, MemoryPinStore};
use calndr_ports::{
    AccountStore, Cache, HealthCheck, Mailer, ObjectStorage, PoolInfo, RateLimiter, StoreError,
};
use calndr_ports::{CustodyStore, FamilyStore, PushNotifier, TemplateStore};
use calndr_ports::{EmailVerificationStore, EnrollmentStore, PinStore, RandomSource, SmsSender};
use calndr_ports::{
    EventStore, GroupChatStore, JournalStore, NotificationEmailStore, ReminderStore,
};
use calndr_postgres::{PgConfig, PgStore};
use calndr_redis::{RedisCache, RedisConfig, RedisPinStore, RedisRateLimiter};
use calndr_security::{HashScheme, Hashing, OsRandom, Tokens};
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
    /// The embedded store of events, reminders, journal, alert e-mails and group chats to use
    /// when no database is configured.
    pub memory_records: Option<Arc<MemoryRecords>>,
    /// The family store to use with `memory_accounts` (the same embedded account store).
    pub memory_family: Option<Arc<dyn FamilyStore>>,
    /// The push notifier (default: none configured, every push answers 503).
    pub push: Option<Arc<dyn PushNotifier>>,
    /// The enrollment and e-mail verification store to use with `memory_accounts` when no
    /// database is configured (the same embedded account store).
    pub memory_enrollment: Option<Arc<MemoryAccountStore>>,
    /// The SMS sender (default: none configured, `send-pin` answers 503).
    pub sms: Option<Arc<dyn SmsSender>>,
}

/// The storage side: the account store, its health check, its pools for `/metrics`, and the
/// Postgres store when a database is configured (it implements every storage port).
type Storage = (
    Arc<dyn AccountStore>,
    Option<Arc<dyn HealthCheck>>,
    Vec<(&'static str, Arc<dyn PoolInfo>)>,
    Option<Arc<PgStore>>,
);

/// The cache side: the cache, the shared rate limiter, and the cache's health check.
type Caching = (
    Arc<dyn Cache>,
    Arc<dyn RateLimiter>,
    Option<Arc<dyn HealthCheck>>,
    Arc<dyn PinStore>,
);

pub fn build_state(config: &Config, overrides: Overrides) -> Result<Wired, StoreError> {
    let embedded_accounts = Arc::new(MemoryAccountStore::new());
    let (accounts, database, pools, pg_store): Storage = match &config.database_url {
        Some(url) => {
            let pg = Arc::new(PgStore::connect(
                url.expose_secret(),
                config.database_read_url.as_ref().map(|u| u.expose_secret()),
                &PgConfig {
                    pool_size: config.database_pool_size,
                    ..PgConfig::default()
                },
            )?);
            (
                pg.clone(),
                Some(pg.clone()),
                vec![("postgres", pg.clone())],
                Some(pg),
            )
        }
        None => (
            overrides
                .memory_accounts
                .clone()
                .unwrap_or_else(|| embedded_accounts.clone()),
            None,
            vec![],
            None,
        ),
    };
    let store_kind = if config.database_url.is_some() {
        "postgres"
    } else {
        "memory"
    };

    let local_limiter: Arc<dyn RateLimiter> = Arc::new(MemoryRateLimiter::default());
    let (cache, shared_limiter, cache_health, pins): Caching = match &config.redis_url {
        Some(url) => {
            let timeout = Duration::from_millis(500);
            let pool = calndr_redis::connect(&RedisConfig {
                url: url.expose_secret().to_owned(),
                pool_size: config.redis_pool_size,
                timeout,
            })?;
            let cache = Arc::new(RedisCache::new(pool.clone(), timeout));
            let limiter = Arc::new(RedisRateLimiter::new(pool.clone(), timeout));
            let pins = Arc::new(RedisPinStore::new(pool, timeout));
            (cache.clone(), limiter, Some(cache), pins)
        }
        None => (
            Arc::new(MemoryCache::default()),
            local_limiter.clone(),
            None,
            Arc::new(MemoryPinStore::new()),
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

    let records = FamilyRecordStores::new(pg_store.as_ref(), &overrides.memory_records, &accounts);
    let event_service = EventService::new(records.events.clone(), cache.clone());
    let (enrollment_store, email_store): (
        Arc<dyn EnrollmentStore>,
        Arc<dyn EmailVerificationStore>,
    ) = match &pg_store {
        Some(pg) => (pg.clone(), pg.clone()),
        None => {
            let m = overrides
                .memory_enrollment
                .clone()
                .unwrap_or_else(|| embedded_accounts.clone());
            (m.clone(), m)
        }
    };
    let guard = RateGuard::new(shared_limiter, local_limiter, limits);
    let random: Arc<dyn RandomSource> = Arc::new(OsRandom);
    let sms: Arc<dyn SmsSender> = overrides
        .sms
        .clone()
        .unwrap_or_else(|| Arc::new(DisabledSms));
    let enrollment_service = EnrollmentService::new(EnrollmentDeps {
        store: enrollment_store.clone(),
        accounts: accounts.clone(),
        mailer: mailer.clone(),
        random: random.clone(),
        guard: guard.clone(),
        code_ttl: Duration::from_secs(config.enrollment_code_ttl_days as u64 * 24 * 60 * 60),
    });
    let verification_service = VerificationService::new(VerificationDeps {
        accounts: accounts.clone(),
        emails: email_store,
        pins,
        sms,
        mailer: mailer.clone(),
        random,
        guard: guard.clone(),
    });
    let custody_stores = CustodyStores::new(
        pg_store.as_ref(),
        overrides.memory_family.clone(),
        embedded_accounts,
    );
    let push: Arc<dyn PushNotifier> = overrides
        .push
        .clone()
        .unwrap_or_else(|| Arc::new(DisabledPush));
    let family_service = FamilyService::new(FamilyDeps {
        family: custody_stores.family.clone(),
        push: push.clone(),
    });
    let custody_service = CustodyService::new(CustodyDeps {
        custody: custody_stores.custody,
        templates: custody_stores.templates,
        family: custody_stores.family,
        accounts: accounts.clone(),
        cache: cache.clone(),
        push,
    });
    let auth = AuthService::new(
        tokens.clone(),
        accounts.clone(),
        cache.clone(),
        Arc::new(MemoryCache::new(16 * 1024 * 1024)),
    );
    let account_service = AccountService::new(AccountDeps {
        accounts,
        enrollment: enrollment_store,
        hasher: Arc::new(hasher),
        tokens,
        storage,
        mailer,
        guard,
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
            events: event_service,
            reminders: ReminderService::new(records.reminders),
            journal: JournalService::new(records.journal),
            notification_emails: NotificationEmailService::new(records.notification_emails),
            group_chats: GroupChatService::new(records.group_chats),
            family: family_service,
            custody: custody_service,
            enrollment: enrollment_service,
            verification: verification_service,
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

/// The stores of events, reminders, journal, alert e-mails and group chats: Postgres when
/// configured, else the embedded store.
struct FamilyRecordStores {
    events: Arc<dyn EventStore>,
    reminders: Arc<dyn ReminderStore>,
    journal: Arc<dyn JournalStore>,
    notification_emails: Arc<dyn NotificationEmailStore>,
    group_chats: Arc<dyn GroupChatStore>,
}

impl FamilyRecordStores {
    fn new(
        pg: Option<&Arc<PgStore>>,
        memory: &Option<Arc<MemoryRecords>>,
        accounts: &Arc<dyn AccountStore>,
    ) -> Self {
        match pg {
            Some(pg) => Self {
                events: pg.clone(),
                reminders: pg.clone(),
                journal: pg.clone(),
                notification_emails: pg.clone(),
                group_chats: pg.clone(),
            },
            None => {
                let m = memory
                    .clone()
                    .unwrap_or_else(|| Arc::new(MemoryRecords::new(accounts.clone())));
                Self {
                    events: m.clone(),
                    reminders: m.clone(),
                    journal: m.clone(),
                    notification_emails: m.clone(),
                    group_chats: m,
                }
            }
        }
    }
}

/// The stores of family members, custody days and schedule templates: Postgres when
/// configured, else the embedded stores (members come from the embedded account store).
struct CustodyStores {
    family: Arc<dyn FamilyStore>,
    custody: Arc<dyn CustodyStore>,
    templates: Arc<dyn TemplateStore>,
}

impl CustodyStores {
    fn new(
        pg: Option<&Arc<PgStore>>,
        memory_family: Option<Arc<dyn FamilyStore>>,
        embedded_accounts: Arc<MemoryAccountStore>,
    ) -> Self {
        match pg {
            Some(pg) => Self {
                family: pg.clone(),
                custody: pg.clone(),
                templates: pg.clone(),
            },
            None => {
                let memory = Arc::new(MemoryCustodyStore::new());
                Self {
                    family: memory_family.unwrap_or(embedded_accounts),
                    custody: memory.clone(),
                    templates: memory,
                }
            }
        }
    }
}
