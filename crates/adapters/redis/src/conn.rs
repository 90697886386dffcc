//! The part shared by every Redis-backed port: a pool, a time bound on every command, error
//! mapping, a short circuit breaker and once-per-outage logging.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use calndr_ports::{StoreError, MAX_TTL};
use deadpool_redis::redis::{self, ErrorKind, FromRedisValue, RedisError, ServerErrorKind};
use deadpool_redis::PoolError;

use crate::RedisPool;

/// How long calls skip Redis after a failure before one of them tries again.
pub(crate) const BREAKER_PAUSE: Duration = Duration::from_secs(1);

/// Why a command did not produce a value.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Redis failed less than [`BREAKER_PAUSE`] ago; it was not asked.
    Skipped,
    /// The whole command (checkout included) took longer than the configured timeout.
    TimedOut(Duration),
    /// No connection could be checked out or opened.
    Pool(PoolError),
    /// The connection or the server reported an error.
    Redis(RedisError),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Skipped => f.write_str("redis skipped: it failed moments ago"),
            Self::TimedOut(t) => write!(f, "redis command timed out after {} ms", t.as_millis()),
            Self::Pool(e) => write!(f, "redis connection: {e}"),
            Self::Redis(e) => write!(f, "redis: {e}"),
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Pool(e) => Some(e),
            Self::Redis(e) => Some(e),
            Self::Skipped | Self::TimedOut(_) => None,
        }
    }
}

/// Whether a driver error means "Redis cannot be reached or cannot serve now" (as opposed to a
/// bug such as a wrong-typed value).
fn is_outage(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_refusal()
        || e.is_connection_dropped()
        || e.is_unrecoverable_error()
        || matches!(
            e.kind(),
            ErrorKind::AuthenticationFailed
                | ErrorKind::Server(
                    ServerErrorKind::BusyLoading
                        | ServerErrorKind::TryAgain
                        | ServerErrorKind::ClusterDown
                        | ServerErrorKind::MasterDown
                        | ServerErrorKind::ReadOnly
                )
        )
}

impl Failure {
    fn is_outage(&self) -> bool {
        match self {
            Self::Skipped | Self::TimedOut(_) => true,
            Self::Pool(PoolError::NoRuntimeSpecified) => false,
            Self::Pool(_) => true,
            Self::Redis(e) => is_outage(e),
        }
    }
}

/// After a failure, calls skip Redis for a pause; then one call probes while the others keep
/// skipping. Logs a warning when Redis goes down and an info line when it answers again.
#[derive(Debug)]
pub(crate) struct Breaker {
    component: &'static str,
    epoch: Instant,
    pause_ms: u64,
    /// Milliseconds since `epoch` until which calls skip Redis; 0 while Redis is healthy.
    skip_until: AtomicU64,
    down: AtomicBool,
    outages: AtomicU64,
}

impl Breaker {
    pub(crate) fn new(component: &'static str, pause: Duration) -> Self {
        Self {
            component,
            epoch: Instant::now(),
            pause_ms: u64::try_from(pause.as_millis()).unwrap_or(u64::MAX).max(1),
            skip_until: AtomicU64::new(0),
            down: AtomicBool::new(false),
            outages: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether this call may go to Redis.
    fn admit(&self) -> bool {
        let until = self.skip_until.load(Ordering::Acquire);
        if until == 0 {
            return true;
        }
        let now = self.now_ms();
        if now < until {
            return false;
        }
        // The pause is over: the one caller that moves the deadline probes.
        let next = now.saturating_add(self.pause_ms);
        self.skip_until
            .compare_exchange(until, next, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    fn succeeded(&self) {
        if self.skip_until.load(Ordering::Acquire) != 0 {
            self.skip_until.store(0, Ordering::Release);
        }
        if self.down.load(Ordering::Acquire) && self.down.swap(false, Ordering::AcqRel) {
            tracing::info!(component = self.component, "redis connection restored");
        }
    }

    fn failed(&self, cause: &Failure) {
        let until = self.now_ms().saturating_add(self.pause_ms).max(1);
        self.skip_until.store(until, Ordering::Release);
        if !self.down.swap(true, Ordering::AcqRel) {
            self.outages.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                component = self.component,
                error = %cause,
                pause_ms = self.pause_ms,
                "redis unavailable; calls skip it until it answers again"
            );
        }
    }

    /// Whether the last call found Redis down.
    #[cfg(test)]
    pub(crate) fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    /// How many outages have started (each one logged once).
    #[cfg(test)]
    pub(crate) fn outages(&self) -> u64 {
        self.outages.load(Ordering::Relaxed)
    }
}

/// One command or one pipeline.
pub(crate) enum Request<'a> {
    Cmd(&'a redis::Cmd),
    Pipe(&'a redis::Pipeline),
}

/// A pool plus the rules every command follows.
pub(crate) struct Link {
    pool: RedisPool,
    timeout: Duration,
    pub(crate) breaker: Breaker,
}

impl Link {
    pub(crate) fn new(pool: RedisPool, timeout: Duration, component: &'static str) -> Self {
        Self {
            pool,
            timeout,
            breaker: Breaker::new(component, BREAKER_PAUSE),
        }
    }

    #[cfg(test)]
    pub(crate) fn with_pause(mut self, pause: Duration) -> Self {
        self.breaker = Breaker::new(self.breaker.component, pause);
        self
    }

    pub(crate) fn pool(&self) -> &RedisPool {
        &self.pool
    }

    /// Runs the request within the timeout. Outages become `Unavailable` (and open the
    /// breaker); anything else becomes `Unexpected`.
    pub(crate) async fn run<T: FromRedisValue>(&self, req: Request<'_>) -> Result<T, StoreError> {
        if !self.breaker.admit() {
            return Err(StoreError::Unavailable(Box::new(Failure::Skipped)));
        }
        let attempt = async {
            let mut conn = self.pool.get().await.map_err(Failure::Pool)?;
            let result = match req {
                Request::Cmd(c) => c.query_async::<T>(&mut *conn).await,
                Request::Pipe(p) => p.query_async::<T>(&mut *conn).await,
            }
            .map_err(Failure::Redis);
            if let Err(Failure::Redis(e)) = &result {
                if is_outage(e) {
                    // A broken connection is not given back to the pool.
                    drop(deadpool::managed::Object::take(conn));
                }
            }
            result
        };
        let outcome = tokio::time::timeout(self.timeout, attempt)
            .await
            .unwrap_or(Err(Failure::TimedOut(self.timeout)));
        match outcome {
            Ok(v) => {
                self.breaker.succeeded();
                Ok(v)
            }
            Err(f) if f.is_outage() => {
                self.breaker.failed(&f);
                Err(StoreError::Unavailable(Box::new(f)))
            }
            Err(f) => {
                if matches!(f, Failure::Redis(_)) {
                    // The server answered: it is up, whatever the answer was.
                    self.breaker.succeeded();
                }
                Err(StoreError::Unexpected(Box::new(f)))
            }
        }
    }

    pub(crate) async fn cmd<T: FromRedisValue>(&self, c: &redis::Cmd) -> Result<T, StoreError> {
        self.run(Request::Cmd(c)).await
    }

    pub(crate) async fn pipe<T: FromRedisValue>(
        &self,
        p: &redis::Pipeline,
    ) -> Result<T, StoreError> {
        self.run(Request::Pipe(p)).await
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        let pong: String = self.cmd(&redis::cmd("PING")).await?;
        if pong == "PONG" {
            Ok(())
        } else {
            Err(StoreError::unexpected(format!(
                "unexpected PING reply {pong:?}"
            )))
        }
    }
}

/// Whether an error is the breaker's "skipped" answer (for tests).
#[cfg(test)]
pub(crate) fn is_skipped(e: &StoreError) -> bool {
    matches!(e, StoreError::Unavailable(src) if matches!(src.downcast_ref::<Failure>(), Some(Failure::Skipped)))
}

/// Converts a duration to whole milliseconds for PX/PEXPIRE: at least 1, and at most
/// [`MAX_TTL`] (Redis refuses an expiry past its clock range: `u64::MAX` ms fails the command).
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.min(MAX_TTL).as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{dead_pool, pool_at};

    #[test]
    fn breaker_pauses_then_lets_one_probe_through() {
        let b = Breaker::new("test", Duration::from_millis(50));
        assert!(b.admit());
        b.failed(&Failure::Skipped);
        assert!(b.is_down());
        assert!(!b.admit());
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.admit(), "the first call after the pause probes");
        assert!(!b.admit(), "the others keep skipping while it runs");
        b.failed(&Failure::Skipped);
        assert_eq!(b.outages(), 1, "one outage, however many failures");
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.admit());
        b.succeeded();
        assert!(!b.is_down());
        assert!(b.admit() && b.admit());
        b.failed(&Failure::Skipped);
        assert_eq!(b.outages(), 2);
    }

    #[tokio::test]
    async fn refused_connections_open_the_breaker_and_it_probes_again() {
        let link = Link::new(dead_pool(), Duration::from_millis(500), "test")
            .with_pause(Duration::from_millis(100));
        let first = link.ping().await.unwrap_err();
        assert!(matches!(first, StoreError::Unavailable(_)) && !is_skipped(&first));
        let second = link.ping().await.unwrap_err();
        assert!(is_skipped(&second));
        tokio::time::sleep(Duration::from_millis(120)).await;
        let probe = link.ping().await.unwrap_err();
        assert!(!is_skipped(&probe), "after the pause Redis is tried again");
        assert_eq!(link.breaker.outages(), 1);
    }

    #[tokio::test]
    async fn a_silent_server_is_cut_off_by_the_timeout() {
        // Accepts connections on loopback and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((sock, _)) = listener.accept().await {
                held.push(sock);
            }
        });
        let link = Link::new(
            pool_at(&format!("redis://{addr}")),
            Duration::from_millis(200),
            "test",
        );
        let started = Instant::now();
        let err = link.ping().await.unwrap_err();
        let took = started.elapsed();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        assert!(took < Duration::from_millis(600), "took {took:?}");
        server.abort();
    }
}
