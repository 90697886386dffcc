use std::time::Duration;

use async_trait::async_trait;
use calndr_ports::{HealthCheck, PoolInfo, PoolState, StoreError};
use deadpool::managed::Timeouts;
use deadpool::Runtime;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl as _};
use futures_util::FutureExt as _;

use diesel::{ConnectionError, ConnectionResult};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{from_diesel, from_pool};
use crate::tls::PgTls;

/// The connection every query runs on.
pub(crate) type Conn = AsyncPgConnection;

/// Pool settings. Every wait is bounded: a request never hangs on a dead database.
#[derive(Debug, Clone)]
pub struct PgConfig {
    pub pool_size: usize,
    pub wait_timeout: Duration,
    pub create_timeout: Duration,
    pub recycle_timeout: Duration,
    /// TLS to the server (`CALNDR_DATABASE_TLS`); plaintext by default.
    pub tls: PgTls,
    /// The server cancels a statement running longer (`statement_timeout`, SQLSTATE 57014).
    pub statement_timeout: Duration,
    /// The server cancels a statement waiting longer for a lock (`lock_timeout`, 55P03).
    pub lock_timeout: Duration,
    /// Idle time before the first TCP keepalive probe (probes every 10 s, 3 of them), so a
    /// connection to a vanished server is noticed and dropped.
    pub keepalive_idle: Duration,
}

impl Default for PgConfig {
    fn default() -> Self {
        Self {
            pool_size: 16,
            wait_timeout: Duration::from_secs(5),
            create_timeout: Duration::from_secs(5),
            recycle_timeout: Duration::from_secs(5),
            tls: PgTls::default(),
            statement_timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(3),
            keepalive_idle: Duration::from_secs(30),
        }
    }
}

/// The session of every pooled connection: the URL's own settings (`options` such as a
/// `search_path` included) plus the time limits and keepalive of `cfg`. They are startup
/// parameters, so they hold for whichever role the URL names (the service role included) and
/// over TLS as over plaintext.
pub(crate) fn session(url: &str, cfg: &PgConfig) -> ConnectionResult<tokio_postgres::Config> {
    let mut pg: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| ConnectionError::InvalidConnectionUrl(e.to_string()))?;
    let limits = format!(
        "-c statement_timeout={} -c lock_timeout={}",
        cfg.statement_timeout.as_millis(),
        cfg.lock_timeout.as_millis()
    );
    let options = match pg.get_options() {
        Some(own) if !own.trim().is_empty() => format!("{own} {limits}"),
        _ => limits,
    };
    pg.options(options)
        .connect_timeout(cfg.create_timeout)
        .keepalives(true)
        .keepalives_idle(cfg.keepalive_idle)
        .keepalives_interval(Duration::from_secs(10))
        .keepalives_retries(3);
    Ok(pg)
}

/// Opens one connection with the session of [`session`], over TLS when `tls` is given.
async fn open(
    pg: tokio_postgres::Config,
    tls: Option<MakeRustlsConnect>,
) -> ConnectionResult<AsyncPgConnection> {
    let bad = |e: tokio_postgres::Error| ConnectionError::BadConnection(e.to_string());
    match tls {
        Some(tls) => {
            let (client, connection) = pg.connect(tls).await.map_err(bad)?;
            AsyncPgConnection::try_from_client_and_connection(client, connection).await
        }
        None => {
            let (client, connection) = pg.connect(tokio_postgres::NoTls).await.map_err(bad)?;
            AsyncPgConnection::try_from_client_and_connection(client, connection).await
        }
    }
}

/// The PostgreSQL adapter: a write pool and an optional read-replica pool.
#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: Pool<AsyncPgConnection>,
    pub(crate) read_pool: Option<Pool<AsyncPgConnection>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

fn build(url: &str, cfg: &PgConfig) -> Result<Pool<AsyncPgConnection>, StoreError> {
    // A pooled connection is handed out again without a `SELECT 1` first (one round trip less
    // per query); a connection the server dropped fails its next query (`Unavailable`) and is
    // not recycled.
    let mut setup = ManagerConfig::default();
    setup.recycling_method = RecyclingMethod::Fast;
    let tls = cfg.tls.connector()?;
    let session_cfg = cfg.clone();
    setup.custom_setup = Box::new(move |url| {
        let pg = session(url, &session_cfg);
        let tls = tls.clone();
        async move { open(pg?, tls).await }.boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, setup);
    Pool::builder(manager)
        .max_size(cfg.pool_size)
        .timeouts(Timeouts {
            wait: Some(cfg.wait_timeout),
            create: Some(cfg.create_timeout),
            recycle: Some(cfg.recycle_timeout),
        })
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| StoreError::unexpected(format!("building the database pool: {e}")))
}

impl PgStore {
    /// Builds the pools; connections open lazily, so the database need not be up yet.
    pub fn connect(url: &str, read_url: Option<&str>, cfg: &PgConfig) -> Result<Self, StoreError> {
        Ok(Self {
            pool: build(url, cfg)?,
            read_pool: read_url.map(|u| build(u, cfg)).transpose()?,
        })
    }

    pub(crate) async fn conn(&self) -> Result<Object<AsyncPgConnection>, StoreError> {
        self.pool.get().await.map_err(from_pool)
    }

    /// A connection for read-only queries: the replica when configured.
    pub(crate) async fn read_conn(&self) -> Result<Object<AsyncPgConnection>, StoreError> {
        match &self.read_pool {
            Some(p) => p.get().await.map_err(from_pool),
            None => self.conn().await,
        }
    }
}

#[async_trait]
impl HealthCheck for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Unavailable(Box::new(from_diesel(e))))
    }
}

impl PoolInfo for PgStore {
    fn pool_state(&self) -> PoolState {
        let s = self.pool.status();
        PoolState {
            max_size: s.max_size,
            size: s.size,
            available: s.available,
            waiting: s.waiting,
        }
    }
}
