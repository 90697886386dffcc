//! The composition root: builds every adapter from the configuration and hands the services to
//! the HTTP layer.

use std::sync::Arc;
use std::time::Duration;

use calndr_api::{ApiSettings, ApiState, Metrics, Readiness};
use calndr_app::read_through::ReadThrough;
use calndr_app::SocialSignIn;
use calndr_app::{AccountDeps, AccountService, AuthService, RateGuard, RateLimits};
use calndr_app::{CircleDeps, CircleService, ExportDeps, ExportService, ThemeService};
use calndr_app::{CustodyDeps, CustodyService, FamilyDeps, FamilyService};
use calndr_app::{DigestDeps, DigestService};
use calndr_app::{EnrollmentDeps, EnrollmentService, VerificationDeps, VerificationService};
use calndr_app::{
    EventService, GroupChatService, JournalService, NotificationEmailService, ReminderService,
};
use calndr_app::{
    JobWorker, MailOutbox, PushOutbox, QueuedMailer, QueuedPush, WeatherService, WorkerSettings,
};
use calndr_app::{MedicalService, ProviderDeps, ProviderService};
use calndr_aws::{S3Config, S3Storage, SesConfig, SesMailer, SnsConfig, SnsSms};
use calndr_aws::{SnsPush, SnsPushConfig};
use calndr_files::LocalDirStorage;
use calndr_memory::{DisabledMailer, MemoryCache, MemoryRateLimiter, MemoryStore};
use calndr_memory::{DisabledPush, DisabledSms, MemoryPinStore};
use calndr_memory::{UnconfiguredCalendars, UnconfiguredPlaces};
use calndr_outbound::{Apns, ApnsConfig, GooglePlaces, GooglePlacesConfig};
use calndr_outbound::{AppleConfig, FacebookConfig, GoogleConfig, ProviderIdentity};
use calndr_outbound::{FetchLimits, SafeFetcher, SmtpConfig, SmtpMailer, WebCalendars};
use calndr_outbound::{NoWeather, OpenMeteo, OpenMeteoConfig};
use calndr_ports::{Cache, HealthCheck, Mailer, ObjectStorage, PoolInfo, RateLimiter, StoreError};
use calndr_ports::{CalendarSource, PlacesSearch, PushNotifier};
use calndr_ports::{IdentityVerifier, WeatherSource};
use calndr_ports::{PinStore, RandomSource, SmsSender, Storage};
use calndr_postgres::{PgConfig, PgStore};
use calndr_redis::{RedisCache, RedisConfig, RedisPinStore, RedisRateLimiter};
use calndr_security::{HashScheme, Hashing, OsRandom, Tokens};
use secrecy::ExposeSecret;

use crate::Config;

/// The wired application state, plus the pieces tests and the CLI reach for.
pub struct Wired {
    pub state: ApiState,
    pub store_kind: &'static str,
    /// Delivers the pushes and e-mails the requests queued.
    pub worker: JobWorker,
    /// The weekly digest to the families' alert addresses (`calndr digest`).
    pub digest: DigestService,
}

/// Test and tooling overrides of the production wiring.
#[derive(Default, Clone)]
pub struct Overrides {
    pub mailer: Option<Arc<dyn Mailer>>,
    pub storage: Option<Arc<dyn ObjectStorage>>,
    pub rate_limits: Option<RateLimits>,
    /// bcrypt cost for new bcrypt hashes (tests use 4).
    pub bcrypt_cost: Option<u32>,
    /// The embedded store to use when no database is configured (tests keep it to seed and
    /// inspect what the routes wrote).
    pub memory: Option<Arc<MemoryStore>>,
    /// The push notifier (default: none configured, every push answers 503).
    pub push: Option<Arc<dyn PushNotifier>>,
    /// Hand pushes and e-mails to the job queue even when `push`/`mailer` are overridden
    /// (by default only configured providers are queued; tests send directly).
    pub queue_deliveries: bool,
    /// The place search (default: none configured, every search answers 503).
    pub places: Option<Arc<dyn PlacesSearch>>,
    /// The calendar-page reader (default: none configured, discovery and parsing answer 503).
    pub calendars: Option<Arc<dyn CalendarSource>>,
    /// The SMS sender (default: none configured, `send-pin` answers 503).
    pub sms: Option<Arc<dyn SmsSender>>,
}

/// The storage side: every storage port, the database's health check and its pools for
/// `/metrics` (none for the embedded store).
type Database = (
    Storage,
    Option<Arc<dyn HealthCheck>>,
    Vec<(&'static str, Arc<dyn PoolInfo>)>,
);

/// The cache side: the cache, the shared rate limiter, and the cache's health check.
type Caching = (
    Arc<dyn Cache>,
    Arc<dyn RateLimiter>,
    Option<Arc<dyn HealthCheck>>,
    Arc<dyn PinStore>,
);

pub fn build_state(config: &Config, overrides: Overrides) -> Result<Wired, StoreError> {
    let (stores, database, pools): Database = match &config.database_url {
        Some(url) => {
            let pg = Arc::new(PgStore::connect(
                url.expose_secret(),
                config.database_read_url.as_ref().map(|u| u.expose_secret()),
                &PgConfig {
                    pool_size: config.database_pool_size,
                    tls: config.database_tls.clone(),
                    statement_timeout: config.timeouts.statement,
                    lock_timeout: config.timeouts.lock,
                    ..PgConfig::default()
                },
            )?);
            (
                Storage::of(pg.clone()),
                Some(pg.clone()),
                vec![("postgres", pg)],
            )
        }
        None => (
            Storage::of(overrides.memory.clone().unwrap_or_default()),
            None,
            vec![],
        ),
    };
    let accounts = stores.accounts.clone();
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
    let storage: Arc<dyn ObjectStorage> = match (&overrides.storage, &config.s3) {
        (Some(storage), _) => storage.clone(),
        (None, Some(s3)) => Arc::new(S3Storage::new(S3Config {
            bucket: s3.bucket.clone(),
            prefix: s3.prefix.clone(),
            region: s3.region.clone(),
            endpoint_url: s3.endpoint_url.clone(),
            static_credentials: None,
            public_base_url: config.public_base_url.clone(),
            timeout: std::time::Duration::from_secs(10),
        })),
        (None, None) => Arc::new(LocalDirStorage::new(
            &config.upload_dir,
            &config.public_base_url,
        )),
    };
    let direct_mailer: Arc<dyn Mailer> = match (&overrides.mailer, &config.ses) {
        (Some(mailer), _) => mailer.clone(),
        (None, Some(ses)) => Arc::new(SesMailer::new(SesConfig {
            region: ses.region.clone(),
            from: ses.from.clone(),
            endpoint_url: ses.endpoint_url.clone(),
            static_credentials: None,
            timeout: std::time::Duration::from_secs(10),
        })),
        (None, None) => match &config.smtp {
            Some(server) => Arc::new(SmtpMailer::new(SmtpConfig {
                server: server.clone(),
                from: "Calndr <no-reply@calndr.local>".into(),
                timeout: std::time::Duration::from_secs(10),
            })),
            None => Arc::new(DisabledMailer),
        },
    };
    let direct_push: Arc<dyn PushNotifier> = match (&overrides.push, &config.apns) {
        (Some(push), _) => push.clone(),
        (None, Some(apns)) => Arc::new(
            Apns::new(
                ApnsConfig {
                    team_id: apns.team_id.clone(),
                    key_id: apns.key_id.clone(),
                    private_key_pem: apns.private_key.expose_secret().to_owned(),
                    topic: apns.topic.clone(),
                    base_url: apns.url.clone(),
                    timeout: std::time::Duration::from_secs(10),
                },
                accounts.clone(),
                // Apple's gateways are https; a cleartext URL is a local fake speaking h2c.
                apns.url.scheme() == "http",
            )
            .map_err(|e| StoreError::unexpected(format!("APNs: {e}")))?,
        ),
        (None, None) => match &config.sns_push {
            Some((arn, sandbox)) => Arc::new(SnsPush::new(
                SnsPushConfig {
                    platform_application_arn: arn.clone(),
                    sandbox: *sandbox,
                    region: config
                        .sns
                        .as_ref()
                        .map_or_else(|| "us-east-1".to_owned(), |(r, _)| r.clone()),
                    endpoint_url: config.sns.as_ref().and_then(|(_, e)| e.clone()),
                    static_credentials: None,
                    timeout: std::time::Duration::from_secs(10),
                },
                accounts.clone(),
            )),
            None => Arc::new(DisabledPush),
        },
    };
    let queue = stores.jobs.clone();
    let identity = identity_verifier(config)?;
    let worker = JobWorker::new(
        queue.clone(),
        direct_push.clone(),
        direct_mailer.clone(),
        WorkerSettings::default(),
    )
    .with_storage(storage.clone())
    .with_identity(identity.clone());
    // Configured providers are reached through the queue: a request never waits on them.
    // (A test's recording fake is called directly unless it asks for the queue.)
    let queued = |configured: bool, overridden: bool| {
        configured && (overrides.queue_deliveries || !overridden)
    };
    let queue_mail = queued(direct_mailer.configured(), overrides.mailer.is_some());
    let queue_push = queued(direct_push.configured(), overrides.push.is_some());
    // The deliveries a write causes are queued in the write's own transaction (the outbox); the
    // others (a location request, a reset e-mail, the digest) through the queue on their own.
    let push_outbox = if queue_push {
        PushOutbox::queued(direct_push.clone())
    } else {
        PushOutbox::direct(direct_push.clone())
    };
    let mail_outbox = if queue_mail {
        MailOutbox::queued(direct_mailer.clone())
    } else {
        MailOutbox::direct(direct_mailer.clone())
    };
    let mailer: Arc<dyn Mailer> = if queue_mail {
        Arc::new(QueuedMailer::new(queue.clone()))
    } else {
        direct_mailer
    };
    let push: Arc<dyn PushNotifier> = if queue_push {
        Arc::new(QueuedPush::new(queue))
    } else {
        direct_push
    };

    let event_service = EventService::new(stores.events.clone(), cache.clone());
    let guard = RateGuard::new(shared_limiter, local_limiter, limits);
    let random: Arc<dyn RandomSource> = Arc::new(OsRandom);
    let sms: Arc<dyn SmsSender> = match (&overrides.sms, &config.sns) {
        (Some(sms), _) => sms.clone(),
        (None, Some((region, endpoint_url))) => Arc::new(SnsSms::new(SnsConfig {
            region: region.clone(),
            endpoint_url: endpoint_url.clone(),
            static_credentials: None,
            timeout: std::time::Duration::from_secs(10),
        })),
        (None, None) => Arc::new(DisabledSms),
    };
    let enrollment_service = EnrollmentService::new(EnrollmentDeps {
        store: stores.enrollment.clone(),
        accounts: accounts.clone(),
        mailer: mail_outbox.clone(),
        random: random.clone(),
        guard: guard.clone(),
        code_ttl: Duration::from_secs(config.enrollment_code_ttl_days as u64 * 24 * 60 * 60),
    });
    let verification_service = VerificationService::new(VerificationDeps {
        accounts: accounts.clone(),
        emails: stores.email_verification.clone(),
        pins,
        sms,
        mailer: mail_outbox,
        random,
        guard: guard.clone(),
    });
    let family_service = FamilyService::new(FamilyDeps {
        family: stores.family.clone(),
        settings: stores.family_settings.clone(),
        push: push.clone(),
    });
    let digest = DigestService::new(DigestDeps {
        emails: stores.notification_emails.clone(),
        custody: stores.custody.clone(),
        family: stores.family.clone(),
        events: stores.events.clone(),
        mailer: mailer.clone(),
    });
    let custody_service = CustodyService::new(CustodyDeps {
        custody: stores.custody.clone(),
        templates: stores.templates.clone(),
        family: stores.family.clone(),
        cache: cache.clone(),
        push: push_outbox,
    });
    let weather_source: Arc<dyn WeatherSource> = if config.weather_enabled {
        Arc::new(
            OpenMeteo::new(OpenMeteoConfig {
                forecast_url: config.open_meteo_forecast_url.clone(),
                archive_url: config.open_meteo_archive_url.clone(),
                timeout: std::time::Duration::from_millis(
                    u64::try_from(config.weather_timeout_ms).unwrap_or(4000),
                ),
            })
            .map_err(|e| StoreError::unexpected(format!("weather client: {e}")))?,
        )
    } else {
        Arc::new(NoWeather)
    };
    let weather = WeatherService::new(weather_source, cache.clone());
    let places: Arc<dyn PlacesSearch> = match (&overrides.places, &config.google_places) {
        (Some(places), _) => places.clone(),
        (None, Some((key, places_url, maps_url))) => Arc::new(
            GooglePlaces::new(GooglePlacesConfig {
                api_key: key.expose_secret().to_owned(),
                places_url: places_url.clone(),
                maps_url: maps_url.clone(),
                timeout: std::time::Duration::from_secs(8),
            })
            .map_err(|e| StoreError::unexpected(format!("Google Places client: {e}")))?,
        ),
        (None, None) => Arc::new(UnconfiguredPlaces),
    };
    let calendars: Arc<dyn CalendarSource> = match &overrides.calendars {
        Some(calendars) => calendars.clone(),
        None if config.calendars_enabled => Arc::new(WebCalendars::new(
            SafeFetcher::new(FetchLimits::default())
                .map_err(|e| StoreError::unexpected(format!("calendar fetcher: {e}")))?,
        )),
        None => Arc::new(UnconfiguredCalendars),
    };
    let provider_service = ProviderService::new(ProviderDeps {
        store: stores.providers.clone(),
        places: places.clone(),
        calendars,
    });
    let medical_service = MedicalService::new(stores.medical_providers.clone(), places);
    let auth = AuthService::new(
        tokens.clone(),
        accounts.clone(),
        cache.clone(),
        Arc::new(MemoryCache::new(16 * 1024 * 1024)),
    );
    let social_store = accounts.clone();
    let export_service = ExportService::new(ExportDeps {
        export: stores.export.clone(),
        accounts: accounts.clone(),
        family: stores.family.clone(),
        family_settings: stores.family_settings.clone(),
        children: stores.children.clone(),
        babysitters: stores.babysitters.clone(),
        emergency_contacts: stores.emergency_contacts.clone(),
        medical_providers: stores.medical_providers.clone(),
        medications: stores.medications.clone(),
        templates: stores.templates.clone(),
        providers: stores.providers.clone(),
        notification_emails: stores.notification_emails.clone(),
        themes: stores.themes.clone(),
        guard: guard.clone(),
    });
    let account_service = AccountService::new(AccountDeps {
        accounts,
        enrollment: stores.enrollment.clone(),
        hasher: Arc::new(hasher),
        tokens: tokens.clone(),
        storage: storage.clone(),
        jobs: stores.jobs.clone(),
        mailer,
        guard,
        auth,
        views: ReadThrough::new(cache.clone()),
    });
    let social = SocialSignIn::new(identity, social_store, tokens, account_service.clone());
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
            reminders: ReminderService::new(stores.reminders.clone()),
            journal: JournalService::new(stores.journal.clone()),
            notification_emails: NotificationEmailService::new(stores.notification_emails.clone()),
            group_chats: GroupChatService::new(stores.group_chat.clone()),
            family: family_service,
            custody: custody_service,
            whereabouts: calndr_app::whereabouts::WhereaboutsService::new(
                calndr_app::whereabouts::WhereaboutsDeps {
                    custody: stores.custody.clone(),
                    family: stores.family.clone(),
                    settings: stores.family_settings.clone(),
                },
            ),
            weather,
            social,
            providers: provider_service,
            medical: medical_service,
            circle: CircleService::new(CircleDeps {
                children: stores.children.clone(),
                babysitters: stores.babysitters.clone(),
                contacts: stores.emergency_contacts.clone(),
                medications: stores.medications.clone(),
            }),
            themes: ThemeService::new(stores.themes.clone()),
            export: export_service,
            idempotency: calndr_app::IdempotencyService::new(stores.idempotency.clone()),
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
                deadlines: calndr_api::Deadlines {
                    request: config.timeouts.request,
                    body: config.timeouts.body,
                },
                drain: calndr_api::Drain::default(),
                fingerprint_key: calndr_api::idempotency::FingerprintKey::derive(
                    config.jwt_secret.expose_secret().as_bytes(),
                ),
            },
        },
        store_kind,
        worker,
        digest,
    })
}

/// Apple, Google and Facebook sign-in as configured (each one off without its settings).
fn identity_verifier(config: &Config) -> Result<Arc<dyn IdentityVerifier>, StoreError> {
    let google = (!config.google_client_ids.is_empty()).then(|| GoogleConfig {
        client_ids: config.google_client_ids.clone(),
        jwks_url: config.google_jwks_url.clone(),
    });
    let apple = config.apple.as_ref().map(|a| AppleConfig {
        client_id: a.client_id.clone(),
        team_id: a.team_id.clone(),
        key_id: a.key_id.clone(),
        private_key_pem: a.private_key.expose_secret().to_owned(),
        redirect_uri: a.redirect_uri.clone(),
        token_url: a.token_url.clone(),
        revoke_url: a.revoke_url.clone(),
        jwks_url: a.jwks_url.clone(),
    });
    let facebook = config.facebook.as_ref().map(|(id, secret)| FacebookConfig {
        app_id: id.clone(),
        app_secret: secret.expose_secret().to_owned(),
        graph_url: config.facebook_graph_url.clone(),
    });
    let timeout =
        std::time::Duration::from_millis(u64::try_from(config.identity_timeout_ms).unwrap_or(5000));
    let verifier = ProviderIdentity::new(google, apple, facebook, timeout)
        .map_err(|e| StoreError::unexpected(format!("identity providers: {e}")))?;
    Ok(Arc::new(verifier))
}
