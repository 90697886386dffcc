//! [`RateLimiter`] with fixed windows in Redis: one counter key per window.

use std::time::Duration;

use async_trait::async_trait;
use calndr_ports::{HealthCheck, RateDecision, RateLimit, RateLimiter, StoreError};
use deadpool_redis::redis;

use crate::conn::{millis, Link};
use crate::RedisPool;

/// Fixed-window counters shared by every instance of the service.
///
/// `hit` is one round trip: `MULTI; INCR key; PEXPIRE key <window> NX; PTTL key; EXEC`. The
/// first hit of a window starts its expiry and later hits leave it alone (Redis 7 `NX`), so the
/// key disappears when the window ends and the next hit starts a new one.
pub struct RedisRateLimiter {
    link: Link,
}

impl RedisRateLimiter {
    /// `timeout` bounds every call, connection checkout included (use `RedisConfig::timeout`).
    pub fn new(pool: RedisPool, timeout: Duration) -> Self {
        Self {
            link: Link::new(pool, timeout, "rate_limiter"),
        }
    }
}

impl std::fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRateLimiter").finish_non_exhaustive()
    }
}

/// The time left in the window from a `PTTL` reply (-1: no expiry, -2: no key).
fn time_left(pttl_ms: i64, limit: RateLimit) -> Duration {
    u64::try_from(pttl_ms)
        .ok()
        .filter(|ms| *ms > 0)
        .map_or(limit.window, Duration::from_millis)
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<RateDecision, StoreError> {
        let pipe = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(key)
            .cmd("PEXPIRE")
            .arg(key)
            .arg(millis(limit.window))
            .arg("NX")
            .ignore()
            .cmd("PTTL")
            .arg(key)
            .to_owned();
        let (count, pttl): (i64, i64) = self.link.pipe(&pipe).await?;
        Ok(if count > i64::from(limit.max) {
            RateDecision::Limited {
                retry_after: time_left(pttl, limit),
            }
        } else {
            RateDecision::Allowed
        })
    }

    async fn check(&self, key: &str, limit: RateLimit) -> Result<RateDecision, StoreError> {
        let pipe = redis::pipe()
            .cmd("GET")
            .arg(key)
            .cmd("PTTL")
            .arg(key)
            .to_owned();
        let (count, pttl): (Option<i64>, i64) = self.link.pipe(&pipe).await?;
        Ok(match count {
            Some(n) if n >= i64::from(limit.max) => RateDecision::Limited {
                retry_after: time_left(pttl, limit),
            },
            _ => RateDecision::Allowed,
        })
    }

    async fn clear(&self, key: &str) -> Result<(), StoreError> {
        self.link.cmd::<()>(redis::cmd("DEL").arg(key)).await
    }
}

#[async_trait]
impl HealthCheck for RedisRateLimiter {
    async fn ping(&self) -> Result<(), StoreError> {
        self.link.ping().await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::conn::is_skipped;
    use crate::testing::{dead_pool, pool, unique_prefix};

    fn limiter() -> RedisRateLimiter {
        RedisRateLimiter::new(pool(), Duration::from_millis(500))
    }

    fn retry_after(d: RateDecision) -> Duration {
        match d {
            RateDecision::Limited { retry_after } => retry_after,
            RateDecision::Allowed => panic!("expected Limited"),
        }
    }

    #[tokio::test]
    async fn counts_and_reports_time_left() {
        let rl = limiter();
        let key = format!("{}k", unique_prefix("counts"));
        let l = RateLimit {
            max: 3,
            window: Duration::from_secs(60),
        };
        assert_eq!(rl.check(&key, l).await.unwrap(), RateDecision::Allowed);
        for _ in 0..3 {
            assert_eq!(rl.hit(&key, l).await.unwrap(), RateDecision::Allowed);
        }
        let checked = retry_after(rl.check(&key, l).await.unwrap());
        assert!(
            checked <= l.window && checked > Duration::from_secs(58),
            "{checked:?}"
        );
        let d = retry_after(rl.hit(&key, l).await.unwrap());
        assert!(d <= l.window && d > Duration::from_secs(58), "{d:?}");
        rl.clear(&key).await.unwrap();
        assert_eq!(rl.check(&key, l).await.unwrap(), RateDecision::Allowed);
        assert_eq!(rl.hit(&key, l).await.unwrap(), RateDecision::Allowed);
        rl.clear(&key).await.unwrap();
        rl.ping().await.unwrap();
    }

    #[tokio::test]
    async fn the_window_is_fixed_and_then_resets() {
        let rl = limiter();
        let key = format!("{}k", unique_prefix("window"));
        let l = RateLimit {
            max: 1,
            window: Duration::from_millis(300),
        };
        assert_eq!(rl.hit(&key, l).await.unwrap(), RateDecision::Allowed);
        tokio::time::sleep(Duration::from_millis(100)).await;
        // Later hits do not extend the window.
        let d = retry_after(rl.hit(&key, l).await.unwrap());
        assert!(d <= Duration::from_millis(210), "{d:?}");
        tokio::time::sleep(d + Duration::from_millis(50)).await;
        assert_eq!(rl.check(&key, l).await.unwrap(), RateDecision::Allowed);
        assert_eq!(rl.hit(&key, l).await.unwrap(), RateDecision::Allowed);
        rl.clear(&key).await.unwrap();
    }

    #[tokio::test]
    async fn concurrent_hits_are_all_counted() {
        let rl = std::sync::Arc::new(limiter());
        let key = format!("{}k", unique_prefix("concurrent"));
        let l = RateLimit {
            max: 20,
            window: Duration::from_secs(60),
        };
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let (rl, key) = (rl.clone(), key.clone());
                tokio::spawn(async move { rl.hit(&key, l).await.unwrap() })
            })
            .collect();
        let mut allowed = 0;
        for t in tasks {
            if t.await.unwrap() == RateDecision::Allowed {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 20);
        rl.clear(&key).await.unwrap();
    }

    #[tokio::test]
    async fn an_outage_is_unavailable_and_short_circuited() {
        let rl = RedisRateLimiter::new(dead_pool(), Duration::from_millis(500));
        let l = RateLimit {
            max: 1,
            window: Duration::from_secs(1),
        };
        let started = Instant::now();
        let first = rl.hit("calndr-test:outage", l).await.unwrap_err();
        assert!(matches!(first, StoreError::Unavailable(_)) && !is_skipped(&first));
        assert!(started.elapsed() < Duration::from_secs(1));
        let second = rl.check("calndr-test:outage", l).await.unwrap_err();
        assert!(is_skipped(&second));
    }
}
