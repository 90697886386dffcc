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
}

impl Default for PgConfig {
    fn default() -> Self {
        Self {
            pool_size: 16,
            wait_timeout: Duration::from_secs(5),
            create_timeout: Duration::from_secs(5),
            recycle_timeout: Duration::from_secs(5),
            tls: PgTls::default(),
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
    if let Some(tls) = cfg.tls.connector()? {
        setup.custom_setup =
            Box::new(move |url| crate::tls::establish(url.to_owned(), tls.clone()).boxed());
    }
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
