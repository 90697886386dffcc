//! Calndr's cache and rate-limit ports on Redis, through a pool of multiplexed connections.
//!
//! Redis is an accelerator, never a dependency of a request: every command is bounded by the
//! configured timeout, a failure becomes [`StoreError::Unavailable`], and after a failure a short
//! circuit breaker answers `Unavailable` at once for a second, so an outage costs callers nothing
//! but a cache miss. Each outage is logged once when it starts and once when it ends.
//!
//! Keys are used exactly as callers give them: choosing prefixes is the caller's business.

mod cache;
mod conn;
mod pins;
mod rate_limit;

use std::time::Duration;

use calndr_ports::StoreError;
use deadpool::managed::{self, PoolConfig, Timeouts};
use deadpool::Runtime;
use deadpool_redis::redis::aio::MultiplexedConnection;
use deadpool_redis::redis::io::tcp::{socket2, TcpSettings};
use deadpool_redis::redis::{AsyncConnectionConfig, Client, IntoConnectionInfo as _, RedisError};

pub use cache::RedisCache;
pub use pins::RedisPinStore;
pub use rate_limit::RedisRateLimiter;

/// Opens multiplexed connections and hands them out without a health check.
///
/// deadpool-redis's own manager sends `UNWATCH` + `PING` on every checkout: one extra round trip
/// per command, which halves cache throughput. A multiplexed connection reports a broken socket
/// on its next command instead; `Link::run` then discards that connection, and the next checkout
/// opens a fresh one.
pub struct Multiplexed {
    client: Client,
    config: AsyncConnectionConfig,
}

impl managed::Manager for Multiplexed {
    type Type = MultiplexedConnection;
    type Error = RedisError;

    async fn create(&self) -> Result<MultiplexedConnection, RedisError> {
        self.client
            .get_multiplexed_async_connection_with_config(&self.config)
            .await
    }

    async fn recycle(
        &self,
        _: &mut MultiplexedConnection,
        _: &managed::Metrics,
    ) -> managed::RecycleResult<RedisError> {
        Ok(())
    }
}

/// The connection pool shared by [`RedisCache`] and [`RedisRateLimiter`].
pub type RedisPool = managed::Pool<Multiplexed>;

/// Where Redis is and how long anything may take.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// `redis://host:port/db` (or `rediss://` for TLS when the driver is built with it).
    pub url: String,
    /// Maximum number of pooled connections.
    pub pool_size: usize,
    /// Upper bound for connecting, waiting for a pooled connection, and each command.
    pub timeout: Duration,
}

/// Builds the pool. Connections are opened lazily, so this succeeds while Redis is down; it fails
/// only for a malformed URL or pool settings (`Unexpected`).
pub fn connect(cfg: &RedisConfig) -> Result<RedisPool, StoreError> {
    let conn_cfg = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(cfg.timeout))
        .set_response_timeout(Some(cfg.timeout));
    // TCP keepalive: a connection to a vanished server is noticed and dropped.
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(30))
        .with_interval(Duration::from_secs(10));
    let info = cfg
        .url
        .as_str()
        .into_connection_info()
        .map_err(|e| StoreError::Unexpected(format!("invalid redis url: {e}").into()))?;
    let info = info.set_tcp_settings(
        TcpSettings::default()
            .set_nodelay(true)
            .set_keepalive(keepalive),
    );
    let client = Client::open(info)
        .map_err(|e| StoreError::Unexpected(format!("invalid redis url: {e}").into()))?;
    let manager = Multiplexed {
        client,
        config: conn_cfg,
    };
    let mut pool_cfg = PoolConfig::new(cfg.pool_size.max(1));
    pool_cfg.timeouts = Timeouts {
        wait: Some(cfg.timeout),
        create: Some(cfg.timeout),
        recycle: Some(cfg.timeout),
    };
    managed::Pool::builder(manager)
        .config(pool_cfg)
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| StoreError::Unexpected(format!("redis pool: {e}").into()))
}

#[cfg(test)]
pub(crate) mod testing {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::*;

    pub(crate) fn redis_url() -> String {
        std::env::var("CALNDR_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
    }

    pub(crate) fn pool_at(url: &str) -> RedisPool {
        connect(&RedisConfig {
            url: url.to_owned(),
            pool_size: 4,
            timeout: Duration::from_millis(500),
        })
        .unwrap()
    }

    pub(crate) fn pool() -> RedisPool {
        pool_at(&redis_url())
    }

    /// Nothing listens on port 1 of the loopback interface: every connect is refused.
    pub(crate) fn dead_pool() -> RedisPool {
        pool_at("redis://127.0.0.1:1")
    }

    /// A key prefix no other test, run or process shares.
    pub(crate) fn unique_prefix(test: &str) -> String {
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let n = N.fetch_add(1, Ordering::Relaxed);
        format!("calndr-test:{}:{nanos}:{n}:{test}:", std::process::id())
    }

    #[test]
    fn building_the_pool_needs_no_server() {
        let pool = dead_pool();
        assert_eq!(pool.status().max_size, 4);
        assert_eq!(pool.status().size, 0);
        let bad = connect(&RedisConfig {
            url: "not a url".into(),
            pool_size: 1,
            timeout: Duration::from_millis(100),
        });
        assert!(matches!(bad, Err(StoreError::Unexpected(_))));
    }
}
