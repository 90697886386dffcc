//! [`Cache`] on Redis strings with `PX` expiry.

use std::time::Duration;

use async_trait::async_trait;
use calndr_ports::{Cache, CacheStats, HealthCheck, PoolInfo, PoolState, StoreError};
use deadpool_redis::redis;

use crate::conn::{millis, Link};
use crate::RedisPool;

/// A byte cache in Redis. Failures are counted in [`CacheStats`] and returned as
/// `Unavailable`; callers treat them as misses.
pub struct RedisCache {
    link: Link,
    stats: CacheStats,
}

impl RedisCache {
    /// `timeout` bounds every call, connection checkout included (use `RedisConfig::timeout`).
    pub fn new(pool: RedisPool, timeout: Duration) -> Self {
        Self {
            link: Link::new(pool, timeout, "cache"),
            stats: CacheStats::default(),
        }
    }

    fn count<T>(&self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        if r.is_err() {
            self.stats.error();
        }
        r
    }
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let r = self
            .link
            .cmd::<Option<Vec<u8>>>(redis::cmd("GET").arg(key))
            .await;
        match &r {
            Ok(Some(_)) => self.stats.hit(),
            Ok(None) => self.stats.miss(),
            Err(_) => self.stats.error(),
        }
        r
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        if ttl.is_zero() {
            // Kept for no time: `PX 0` is refused, and `PX 1` would keep the value readable.
            let r = self.link.cmd::<()>(redis::cmd("DEL").arg(key)).await;
            return self.count(r);
        }
        let cmd = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("PX")
            .arg(millis(ttl))
            .to_owned();
        let r = self.link.cmd::<()>(&cmd).await;
        self.count(r)
    }

    async fn delete(&self, keys: &[String]) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let r = self.link.cmd::<()>(redis::cmd("DEL").arg(keys)).await;
        self.count(r)
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let r = self
            .link
            .cmd::<Vec<Option<Vec<u8>>>>(redis::cmd("MGET").arg(keys))
            .await;
        match &r {
            Ok(values) => {
                for v in values {
                    if v.is_some() {
                        self.stats.hit();
                    } else {
                        self.stats.miss();
                    }
                }
            }
            Err(_) => self.stats.error(),
        }
        r
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        if ttl.is_zero() {
            // Stored for no time: only whether `key` was free is left to say.
            let r = self
                .link
                .cmd::<u64>(redis::cmd("EXISTS").arg(key))
                .await
                .map(|n| n == 0);
            return self.count(r);
        }
        let cmd = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .to_owned();
        let r = self
            .link
            .cmd::<Option<String>>(&cmd)
            .await
            .map(|ok| ok.is_some());
        self.count(r)
    }

    async fn incr(&self, key: &str, start: u64, ttl: Duration) -> Result<u64, StoreError> {
        // One round trip: create at `start` when absent, add one, keep for `ttl`. MULTI/EXEC so
        // no other client's command falls between the three.
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(key)
            .arg(start)
            .arg("NX")
            .ignore()
            .cmd("INCR")
            .arg(key);
        if ttl.is_zero() {
            // Counted, then kept for no time.
            pipe.cmd("DEL").arg(key).ignore();
        } else {
            pipe.cmd("PEXPIRE").arg(key).arg(millis(ttl)).ignore();
        }
        let r = self.link.pipe::<(u64,)>(&pipe).await.map(|(v,)| v);
        self.count(r)
    }

    fn stats(&self) -> &CacheStats {
        &self.stats
    }
}

#[async_trait]
impl HealthCheck for RedisCache {
    async fn ping(&self) -> Result<(), StoreError> {
        self.link.ping().await
    }
}

impl PoolInfo for RedisCache {
    fn pool_state(&self) -> PoolState {
        let s = self.link.pool().status();
        PoolState {
            max_size: s.max_size,
            size: s.size,
            available: s.available,
            waiting: s.waiting,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::conn::is_skipped;
    use crate::testing::{dead_pool, pool, unique_prefix};

    fn cache() -> RedisCache {
        RedisCache::new(pool(), Duration::from_millis(500))
    }

    #[tokio::test]
    async fn set_get_delete() {
        let c = cache();
        let p = unique_prefix("set_get_delete");
        let (a, b) = (format!("{p}a"), format!("{p}b"));
        assert_eq!(c.get(&a).await.unwrap(), None);
        c.set(&a, b"\x00bytes\xff", Duration::from_secs(30))
            .await
            .unwrap();
        c.set(&b, b"two", Duration::from_secs(30)).await.unwrap();
        assert_eq!(c.get(&a).await.unwrap(), Some(b"\x00bytes\xff".to_vec()));
        c.set(&a, b"again", Duration::from_secs(30)).await.unwrap();
        assert_eq!(c.get(&a).await.unwrap(), Some(b"again".to_vec()));
        c.delete(&[a.clone(), b.clone(), format!("{p}absent")])
            .await
            .unwrap();
        c.delete(&[]).await.unwrap();
        assert_eq!(c.get(&a).await.unwrap(), None);
        assert_eq!(c.get(&b).await.unwrap(), None);
        assert_eq!(c.stats().snapshot(), (2, 3, 0));
        c.ping().await.unwrap();
        assert!(c.pool_state().size >= 1);
    }

    #[tokio::test]
    async fn get_many_set_if_absent_and_counters() {
        let c = cache();
        let p = unique_prefix("counters");
        let (a, b, n) = (format!("{p}a"), format!("{p}b"), format!("{p}n"));
        let ttl = Duration::from_secs(30);
        assert!(c.set_if_absent(&a, b"first", ttl).await.unwrap());
        assert!(!c.set_if_absent(&a, b"second", ttl).await.unwrap());
        assert_eq!(
            c.get_many(&[a.clone(), b.clone()]).await.unwrap(),
            vec![Some(b"first".to_vec()), None]
        );
        assert_eq!(
            c.get_many(&[]).await.unwrap(),
            Vec::<Option<Vec<u8>>>::new()
        );
        assert_eq!(c.incr(&n, 41, ttl).await.unwrap(), 42, "created at start");
        assert_eq!(c.incr(&n, 41, ttl).await.unwrap(), 43);
        assert_eq!(c.get(&n).await.unwrap(), Some(b"43".to_vec()));
        assert!(matches!(
            c.incr(&a, 0, ttl).await,
            Err(StoreError::Unexpected(_))
        ));
        c.incr(&b, 0, Duration::from_millis(100)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(c.get(&b).await.unwrap(), None, "a counter expires too");
        c.delete(&[a, n]).await.unwrap();
    }

    #[tokio::test]
    async fn entries_expire() {
        let c = cache();
        let p = unique_prefix("entries_expire");
        let (short, long) = (format!("{p}short"), format!("{p}long"));
        c.set(&short, b"s", Duration::from_millis(100))
            .await
            .unwrap();
        c.set(&long, b"l", Duration::from_secs(30)).await.unwrap();
        assert_eq!(c.get(&short).await.unwrap(), Some(b"s".to_vec()));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(c.get(&short).await.unwrap(), None);
        assert_eq!(c.get(&long).await.unwrap(), Some(b"l".to_vec()));
        c.delete(&[long]).await.unwrap();
    }

    #[tokio::test]
    async fn an_outage_is_fast_counted_and_short_circuited() {
        let c = RedisCache::new(dead_pool(), Duration::from_millis(500));
        let started = Instant::now();
        let first = c.get("calndr-test:outage").await.unwrap_err();
        let first_took = started.elapsed();
        assert!(matches!(first, StoreError::Unavailable(_)), "{first:?}");
        assert!(!is_skipped(&first));
        assert!(first_took < Duration::from_secs(1), "took {first_took:?}");

        let started = Instant::now();
        let second = c.get("calndr-test:outage").await.unwrap_err();
        let second_took = started.elapsed();
        assert!(is_skipped(&second), "within the pause Redis is not asked");
        assert!(
            second_took < Duration::from_millis(20),
            "took {second_took:?}"
        );

        let third = c
            .set("calndr-test:outage", b"x", Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(matches!(third, StoreError::Unavailable(_)));
        assert_eq!(c.stats().snapshot(), (0, 0, 3));
        assert!(c.ping().await.is_err());
        assert_eq!(c.link.breaker.outages(), 1);
    }
}
