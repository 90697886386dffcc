//! Configuration from the environment: `CALNDR_*` variables, with the original backend's names
//! (`DB_*`, `REDIS_*`, `SECRET_KEY`, `APP_ENV`) as fallbacks. Secrets are `SecretString`s: never in
//! `Debug`, never in logs.

use std::net::SocketAddr;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

/// The original's well-known development secret; refused in production.
pub const ORIGINAL_DEV_SECRET: &str = "a_random_secret_key_for_development";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Local,
    Staging,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Compact,
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("configuration error in {variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn err(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub listen_addr: SocketAddr,
    pub database_url: Option<SecretString>,
    pub database_read_url: Option<SecretString>,
    pub database_pool_size: usize,
    /// `CALNDR_DATABASE_TLS` (verify-full by default in staging and production, disable locally)
    /// and `CALNDR_DATABASE_CA_FILE` (the RDS CA bundle of the image by default).
    pub database_tls: calndr_postgres::PgTls,
    /// `CALNDR_DATABASE_SERVICE_URL`, migration task only: the service's role (user and password)
    /// that `calndr migrate` creates and grants, while it connects as the owner.
    pub database_service_url: Option<SecretString>,
    pub redis_url: Option<SecretString>,
    pub redis_pool_size: usize,
    pub jwt_secret: SecretString,
    /// True when no secret was configured and a random one was made for this process (local only).
    pub jwt_secret_generated: bool,
    pub log_format: LogFormat,
    pub migrate_on_start: bool,
    /// `calndr serve` also works the job queue (default). Off when a `calndr worker` service
    /// does it.
    pub inprocess_worker: bool,
    /// `argon2id` (default) or `bcrypt`.
    pub password_hash: String,
    pub hash_concurrency: usize,
    pub upload_dir: String,
    pub public_base_url: String,
    /// Open-Meteo (no key). Off: the weather routes answer 503 `provider_not_configured`.
    pub weather_enabled: bool,
    pub open_meteo_forecast_url: url::Url,
    pub open_meteo_archive_url: url::Url,
    /// Per attempt of an outside weather call (one retry).
    pub weather_timeout_ms: usize,
    /// Google Sign-In: accepted `aud` values (empty: off).
    pub google_client_ids: Vec<String>,
    pub google_jwks_url: url::Url,
    /// Sign in with Apple: all of client id, team id, key id and key, or off.
    pub apple: Option<AppleSettings>,
    /// Facebook Login: app id and secret, or off.
    pub facebook: Option<(String, SecretString)>,
    pub facebook_graph_url: url::Url,
    /// Per call to an identity provider.
    pub identity_timeout_ms: usize,
    /// APNs (token auth): team id, key id, `.p8` key, or off.
    pub apns: Option<ApnsSettings>,
    /// Read school and daycare calendars from their websites (through the SSRF guard).
    pub calendars_enabled: bool,
    /// Google Places (key, Places API (New) base, Maps base), or off.
    pub google_places: Option<(SecretString, url::Url, url::Url)>,
    /// Push through SNS mobile push (the original's platform application ARN) when APNs is not
    /// configured directly: ARN, sandbox.
    pub sns_push: Option<(String, bool)>,
    /// SMS through SNS (`CALNDR_SMS=sns`): region and optional endpoint; or none.
    pub sns: Option<(String, Option<String>)>,
    /// Objects in S3 (`CALNDR_STORAGE=s3`): bucket, prefix, region, endpoint; else the local
    /// directory.
    pub s3: Option<S3Settings>,
    /// E-mail over plain SMTP to a local mail catcher (`CALNDR_MAIL=smtp`): `host:port`.
    pub smtp: Option<String>,
    /// E-mail through SES (`CALNDR_MAIL=ses`), or none.
    pub ses: Option<SesSettings>,
    pub trust_forwarded_for: bool,
    pub rate_limits_enabled: bool,
    pub workers: usize,
    /// Days a new enrollment code stays usable (`CALNDR_ENROLLMENT_CODE_TTL_DAYS`, 1-90).
    pub enrollment_code_ttl_days: usize,
    /// Time limits: every request (`CALNDR_REQUEST_TIMEOUT_MS`, 10 s), its body
    /// (`CALNDR_BODY_TIMEOUT_MS`, 5 s), each SQL statement (`CALNDR_DATABASE_STATEMENT_TIMEOUT_MS`,
    /// 5 s) and each lock wait (`CALNDR_DATABASE_LOCK_TIMEOUT_MS`, 3 s).
    pub timeouts: Timeouts,
    /// Warnings to log once the subscriber is up (e.g. a short secret).
    pub warnings: Vec<String>,
}

/// See [`Config::timeouts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub request: Duration,
    pub body: Duration,
    pub statement: Duration,
    pub lock: Duration,
}

/// S3 object storage settings.
#[derive(Debug, Clone)]
pub struct S3Settings {
    pub bucket: String,
    pub prefix: String,
    pub region: String,
    pub endpoint_url: Option<String>,
}

/// SES settings: region, sender, optional endpoint (a fake, a VPC endpoint).
#[derive(Debug, Clone)]
pub struct SesSettings {
    pub region: String,
    pub from: String,
    pub endpoint_url: Option<String>,
}

/// Apple Push Notification service settings (`CALNDR_APNS_*`).
#[derive(Clone)]
pub struct ApnsSettings {
    // Debug is written by hand below: the key never reaches a log.
    pub team_id: String,
    pub key_id: String,
    pub private_key: SecretString,
    /// The app's bundle id.
    pub topic: String,
    /// Production or sandbox gateway (or a fake's address).
    pub url: url::Url,
}

/// Sign in with Apple settings (`CALNDR_APPLE_*`).
#[derive(Clone)]
pub struct AppleSettings {
    pub client_id: String,
    pub team_id: String,
    pub key_id: String,
    /// The `.p8` key, PEM.
    pub private_key: SecretString,
    pub redirect_uri: Option<String>,
    pub token_url: url::Url,
    pub revoke_url: url::Url,
    pub jwks_url: url::Url,
}

impl std::fmt::Debug for ApnsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApnsSettings")
            .field("team_id", &self.team_id)
            .field("key_id", &self.key_id)
            .field("topic", &self.topic)
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for AppleSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppleSettings")
            .field("client_id", &self.client_id)
            .field("team_id", &self.team_id)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Reads variables through `get`, so tests can pass a map instead of the process environment.
pub fn load(get: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let var = |name: &str| {
        get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut warnings = Vec::new();

    let environment = match var("CALNDR_ENV").or_else(|| var("APP_ENV")).as_deref() {
        None | Some("local") | Some("development") | Some("dev") => Environment::Local,
        Some("staging") => Environment::Staging,
        Some("production") | Some("prod") => Environment::Production,
        Some(other) => {
            return Err(err(
                "CALNDR_ENV",
                format!("must be local, staging or production, not {other:?}"),
            ))
        }
    };

    let listen_addr = match var("CALNDR_LISTEN_ADDR") {
        Some(v) => v
            .parse()
            .map_err(|_| err("CALNDR_LISTEN_ADDR", "must be host:port, e.g. 0.0.0.0:8080"))?,
        None => SocketAddr::from(([127, 0, 0, 1], 8080)),
    };

    let database_url = match var("CALNDR_DATABASE_URL") {
        Some(url) => Some(url),
        None => var("DB_HOST").map(|host| {
            let enc = |s: String| utf8_percent_encode(&s, NON_ALPHANUMERIC).to_string();
            let user = var("DB_USER").map(enc).unwrap_or_else(|| "postgres".into());
            let password = var("DB_PASSWORD")
                .map(|p| format!(":{}", enc(p)))
                .unwrap_or_default();
            let port = var("DB_PORT").unwrap_or_else(|| "5432".into());
            let name = var("DB_NAME").unwrap_or_else(|| "calndr".into());
            format!("postgres://{user}{password}@{host}:{port}/{name}")
        }),
    };
    if let Some(url) = &database_url {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(err("CALNDR_DATABASE_URL", "must be a postgres:// URL"));
        }
    }
    let database_read_url = var("CALNDR_DATABASE_READ_URL");
    let database_tls = calndr_postgres::PgTls {
        mode: match var("CALNDR_DATABASE_TLS") {
            Some(mode) => mode
                .parse()
                .map_err(|problem: String| err("CALNDR_DATABASE_TLS", problem))?,
            None if environment == Environment::Local => calndr_postgres::TlsMode::Disable,
            None => calndr_postgres::TlsMode::VerifyFull,
        },
        ca_file: var("CALNDR_DATABASE_CA_FILE")
            .unwrap_or_else(|| calndr_postgres::DEFAULT_CA_FILE.into())
            .into(),
    };
    let database_service_url = var("CALNDR_DATABASE_SERVICE_URL");
    if let Some(url) = &database_service_url {
        let parsed = url::Url::parse(url).ok();
        if !parsed.is_some_and(|u| !u.username().is_empty() && u.password().is_some()) {
            return Err(err(
                "CALNDR_DATABASE_SERVICE_URL",
                "must be a postgres:// URL with the service role's user and password",
            ));
        }
    }

    let redis_url = match var("CALNDR_REDIS_URL") {
        Some(url) => Some(url),
        None => var("REDIS_HOST").map(|host| {
            let port = var("REDIS_PORT").unwrap_or_else(|| "6379".into());
            let db = var("REDIS_DB").unwrap_or_else(|| "0".into());
            let auth = var("REDIS_PASSWORD")
                .map(|p| format!(":{}@", utf8_percent_encode(&p, NON_ALPHANUMERIC)))
                .unwrap_or_default();
            format!("redis://{auth}{host}:{port}/{db}")
        }),
    };
    if let Some(url) = &redis_url {
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            return Err(err(
                "CALNDR_REDIS_URL",
                "must be a redis:// or rediss:// URL",
            ));
        }
    }

    let secret = var("CALNDR_JWT_SECRET").or_else(|| var("SECRET_KEY"));
    let production = environment == Environment::Production;
    if production && database_url.is_none() {
        return Err(err(
            "CALNDR_DATABASE_URL",
            "production needs a database (the in-memory store loses everything on restart)",
        ));
    }
    let (jwt_secret, jwt_secret_generated) = match secret {
        Some(s) if s == ORIGINAL_DEV_SECRET && environment != Environment::Local => {
            return Err(err(
                "CALNDR_JWT_SECRET",
                "is the original's public development default; anyone could mint tokens",
            ))
        }
        Some(s) => {
            if s.len() < 32 {
                warnings.push(format!(
                    "CALNDR_JWT_SECRET is short ({} bytes); keep it if it signed the tokens users hold, \
                     but rotate to 32+ random bytes when possible",
                    s.len()
                ));
            }
            (s, false)
        }
        None if production => {
            return Err(err(
                "CALNDR_JWT_SECRET",
                "production needs the token secret (SECRET_KEY of the original service)",
            ))
        }
        None => (
            format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            ),
            true,
        ),
    };

    let log_format = match var("CALNDR_LOG_FORMAT").as_deref() {
        Some("json") => LogFormat::Json,
        Some("compact") => LogFormat::Compact,
        None if environment == Environment::Local => LogFormat::Compact,
        None => LogFormat::Json,
        Some(other) => {
            return Err(err(
                "CALNDR_LOG_FORMAT",
                format!("must be json or compact, not {other:?}"),
            ))
        }
    };

    let flag = |name: &'static str, default: bool| -> Result<bool, ConfigError> {
        match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(_) => Err(err(name, "must be true or false")),
        }
    };
    let number = |name: &'static str, default: usize, max: usize| -> Result<usize, ConfigError> {
        match var(name) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(err(name, format!("must be a whole number from 1 to {max}"))),
            },
        }
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());

    let password_hash = var("CALNDR_PASSWORD_HASH").unwrap_or_else(|| "argon2id".into());
    if !matches!(password_hash.as_str(), "argon2id" | "bcrypt") {
        return Err(err("CALNDR_PASSWORD_HASH", "must be argon2id or bcrypt"));
    }

    let public_base_url = var("CALNDR_PUBLIC_BASE_URL")
        .unwrap_or_else(|| format!("http://{listen_addr}"))
        .trim_end_matches('/')
        .to_owned();
    if !(public_base_url.starts_with("http://") || public_base_url.starts_with("https://")) {
        return Err(err(
            "CALNDR_PUBLIC_BASE_URL",
            "must start with http:// or https://",
        ));
    }

    let rate_limits_enabled = flag("CALNDR_RATE_LIMITS", true)?;
    if production && !rate_limits_enabled {
        return Err(err("CALNDR_RATE_LIMITS", "cannot be off in production"));
    }

    let http_url = |name: &'static str, default: &str| -> Result<url::Url, ConfigError> {
        let raw = var(name).unwrap_or_else(|| default.to_owned());
        match url::Url::parse(&raw) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u),
            _ => Err(err(name, "must be an http(s) URL")),
        }
    };

    let google_client_ids: Vec<String> = var("CALNDR_GOOGLE_CLIENT_IDS")
        .or_else(|| var("GOOGLE_CLIENT_ID_IOS"))
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let apple = match (
        var("CALNDR_APPLE_TEAM_ID"),
        var("CALNDR_APPLE_KEY_ID"),
        var("CALNDR_APPLE_PRIVATE_KEY"),
    ) {
        (Some(team_id), Some(key_id), Some(key)) => Some(AppleSettings {
            client_id: var("CALNDR_APPLE_CLIENT_ID").unwrap_or_else(|| "club.calndr".into()),
            team_id,
            key_id,
            // Parameter stores keep the PEM on one line with literal "\n".
            private_key: SecretString::from(key.replace("\\n", "\n")),
            redirect_uri: var("CALNDR_APPLE_REDIRECT_URI"),
            token_url: http_url("CALNDR_APPLE_TOKEN_URL", "https://appleid.apple.com/auth/token")?,
            revoke_url: http_url("CALNDR_APPLE_REVOKE_URL", "https://appleid.apple.com/auth/revoke")?,
            jwks_url: http_url("CALNDR_APPLE_JWKS_URL", "https://appleid.apple.com/auth/keys")?,
        }),
        (None, None, None) => None,
        _ => {
            return Err(err(
                "CALNDR_APPLE_PRIVATE_KEY",
                "Sign in with Apple needs CALNDR_APPLE_TEAM_ID, CALNDR_APPLE_KEY_ID and CALNDR_APPLE_PRIVATE_KEY together",
            ))
        }
    };
    let apns = match (
        var("CALNDR_APNS_TEAM_ID"),
        var("CALNDR_APNS_KEY_ID"),
        var("CALNDR_APNS_PRIVATE_KEY"),
    ) {
        (Some(team_id), Some(key_id), Some(key)) => {
            let gateway = match var("CALNDR_APNS_ENVIRONMENT").as_deref() {
                Some("production") => "https://api.push.apple.com",
                Some("sandbox") => "https://api.sandbox.push.apple.com",
                None if production => "https://api.push.apple.com",
                None => "https://api.sandbox.push.apple.com",
                Some(_) => {
                    return Err(err(
                        "CALNDR_APNS_ENVIRONMENT",
                        "must be production or sandbox",
                    ))
                }
            };
            Some(ApnsSettings {
                team_id,
                key_id,
                private_key: SecretString::from(key.replace("\\n", "\n")),
                topic: var("CALNDR_APNS_TOPIC").unwrap_or_else(|| "club.calndr".into()),
                url: http_url("CALNDR_APNS_URL", gateway)?,
            })
        }
        (None, None, None) => None,
        _ => {
            return Err(err(
                "CALNDR_APNS_PRIVATE_KEY",
                "push needs CALNDR_APNS_TEAM_ID, CALNDR_APNS_KEY_ID and CALNDR_APNS_PRIVATE_KEY together",
            ))
        }
    };
    let google_places =
        match var("CALNDR_GOOGLE_PLACES_API_KEY").or_else(|| var("GOOGLE_PLACES_API_KEY")) {
            Some(key) => Some((
                SecretString::from(key),
                http_url("CALNDR_GOOGLE_PLACES_URL", "https://places.googleapis.com")?,
                http_url("CALNDR_GOOGLE_MAPS_URL", "https://maps.googleapis.com")?,
            )),
            None => None,
        };
    let aws_region = var("AWS_REGION").unwrap_or_else(|| "us-east-1".into());
    let sns = match var("CALNDR_SMS").as_deref() {
        None | Some("none") => None,
        Some("sns") => Some((
            var("CALNDR_SNS_REGION").unwrap_or_else(|| aws_region.clone()),
            var("CALNDR_SNS_ENDPOINT_URL"),
        )),
        Some(_) => return Err(err("CALNDR_SMS", "must be sns or none")),
    };
    let sns_push = var("CALNDR_SNS_PLATFORM_APPLICATION_ARN")
        .or_else(|| var("SNS_PLATFORM_APPLICATION_ARN"))
        .map(|arn| {
            let sandbox = arn.contains("APNS_SANDBOX");
            (arn, sandbox)
        });
    let s3 = match var("CALNDR_STORAGE").as_deref() {
        None | Some("local") => None,
        Some("s3") => Some(S3Settings {
            bucket: var("CALNDR_S3_BUCKET")
                .ok_or_else(|| err("CALNDR_S3_BUCKET", "is required with CALNDR_STORAGE=s3"))?,
            prefix: var("CALNDR_S3_PREFIX").unwrap_or_else(|| "uploads/".into()),
            region: var("CALNDR_S3_REGION").unwrap_or_else(|| aws_region.clone()),
            endpoint_url: var("CALNDR_S3_ENDPOINT_URL"),
        }),
        Some(_) => return Err(err("CALNDR_STORAGE", "must be local or s3")),
    };
    let ses = match var("CALNDR_MAIL").as_deref() {
        None | Some("none") => None,
        Some("ses") => Some(SesSettings {
            region: var("CALNDR_SES_REGION")
                .or_else(|| var("AWS_REGION"))
                .unwrap_or_else(|| "us-east-1".into()),
            from: var("CALNDR_MAIL_FROM").unwrap_or_else(|| "Calndr <no-reply@calndr.club>".into()),
            endpoint_url: var("CALNDR_SES_ENDPOINT_URL"),
        }),
        Some("smtp") => None,
        Some(_) => return Err(err("CALNDR_MAIL", "must be ses, smtp or none")),
    };
    let smtp = (var("CALNDR_MAIL").as_deref() == Some("smtp"))
        .then(|| var("CALNDR_SMTP_SERVER").unwrap_or_else(|| "127.0.0.1:1025".into()));
    let facebook = match (
        var("CALNDR_FACEBOOK_APP_ID"),
        var("CALNDR_FACEBOOK_APP_SECRET"),
    ) {
        (Some(id), Some(secret)) => Some((id, SecretString::from(secret))),
        (None, None) => None,
        _ => return Err(err(
            "CALNDR_FACEBOOK_APP_SECRET",
            "Facebook Login needs CALNDR_FACEBOOK_APP_ID and CALNDR_FACEBOOK_APP_SECRET together",
        )),
    };

    Ok(Config {
        environment,
        listen_addr,
        database_url: database_url.map(SecretString::from),
        database_read_url: database_read_url.map(SecretString::from),
        database_pool_size: number("CALNDR_DATABASE_POOL_SIZE", 16, 512)?,
        database_tls,
        database_service_url: database_service_url.map(SecretString::from),
        redis_url: redis_url.map(SecretString::from),
        redis_pool_size: number("CALNDR_REDIS_POOL_SIZE", 16, 512)?,
        jwt_secret: SecretString::from(jwt_secret),
        jwt_secret_generated,
        log_format,
        migrate_on_start: flag("CALNDR_MIGRATE_ON_START", true)?,
        inprocess_worker: flag("CALNDR_INPROCESS_WORKER", true)?,
        password_hash,
        hash_concurrency: number(
            "CALNDR_HASH_CONCURRENCY",
            cores.saturating_sub(1).max(1),
            64,
        )?,
        upload_dir: var("CALNDR_UPLOAD_DIR").unwrap_or_else(|| "data/uploads".into()),
        public_base_url,
        weather_enabled: flag("CALNDR_WEATHER_ENABLED", true)?,
        open_meteo_forecast_url: http_url(
            "CALNDR_OPEN_METEO_FORECAST_URL",
            "https://api.open-meteo.com/v1/forecast",
        )?,
        open_meteo_archive_url: http_url(
            "CALNDR_OPEN_METEO_ARCHIVE_URL",
            "https://archive-api.open-meteo.com/v1/archive",
        )?,
        weather_timeout_ms: number("CALNDR_WEATHER_TIMEOUT_MS", 4000, 30_000)?,
        google_client_ids,
        google_jwks_url: http_url(
            "CALNDR_GOOGLE_JWKS_URL",
            "https://www.googleapis.com/oauth2/v3/certs",
        )?,
        apple,
        facebook,
        facebook_graph_url: http_url(
            "CALNDR_FACEBOOK_GRAPH_URL",
            "https://graph.facebook.com/v19.0",
        )?,
        identity_timeout_ms: number("CALNDR_IDENTITY_TIMEOUT_MS", 5000, 30_000)?,
        apns,
        ses,
        smtp,
        google_places,
        sns,
        sns_push,
        s3,
        calendars_enabled: flag("CALNDR_CALENDARS_ENABLED", true)?,
        trust_forwarded_for: flag("CALNDR_TRUST_FORWARDED_FOR", false)?,
        rate_limits_enabled,
        workers: number("CALNDR_WORKERS", cores, 256)?,
        enrollment_code_ttl_days: number(
            "CALNDR_ENROLLMENT_CODE_TTL_DAYS",
            calndr_domain::enrollment::DEFAULT_CODE_TTL_DAYS as usize,
            90,
        )?,
        timeouts: Timeouts {
            request: millis(number("CALNDR_REQUEST_TIMEOUT_MS", 10_000, 120_000)?),
            body: millis(number("CALNDR_BODY_TIMEOUT_MS", 5_000, 120_000)?),
            statement: millis(number(
                "CALNDR_DATABASE_STATEMENT_TIMEOUT_MS",
                5_000,
                120_000,
            )?),
            lock: millis(number("CALNDR_DATABASE_LOCK_TIMEOUT_MS", 3_000, 120_000)?),
        },
        warnings,
    })
}

fn millis(ms: usize) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX).max(1))
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        load(&|name| std::env::var(name).ok())
    }

    /// The database URL with any password masked, for a log line.
    pub fn redacted_url(url: &SecretString) -> String {
        let raw = url.expose_secret();
        match url::Url::parse(raw) {
            Ok(mut u) => {
                if u.password().is_some() {
                    let _ = u.set_password(Some("****"));
                }
                u.to_string()
            }
            Err(_) => "<unparseable url>".into(),
        }
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
