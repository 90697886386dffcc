//! [`Cache`] on moka with a per-entry deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use calndr_ports::{Cache, CacheStats, HealthCheck, StoreError, MAX_TTL};
use moka::ops::compute::{CompResult, Op};
use moka::Expiry;

/// A cached value and the moment it stops being valid.
#[derive(Clone)]
struct Entry {
    bytes: Arc<[u8]>,
    expires_at: Instant,
}

/// Tells moka to drop each entry at its own deadline.
struct UntilDeadline;

impl Expiry<String, Entry> for UntilDeadline {
    fn expire_after_create(&self, _key: &String, value: &Entry, now: Instant) -> Option<Duration> {
        Some(value.expires_at.saturating_duration_since(now))
    }

    fn expire_after_update(
        &self,
        _key: &String,
        value: &Entry,
        now: Instant,
        _current: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.expires_at.saturating_duration_since(now))
    }
}

/// An in-process byte cache, bounded by the total size of keys and values. Never fails.
pub struct MemoryCache {
    inner: moka::future::Cache<String, Entry>,
    stats: CacheStats,
}

impl MemoryCache {
    /// The bound used by [`MemoryCache::default`]: 64 MiB of keys and values.
    pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

    /// A cache holding at most about `max_bytes` of keys and values; the least useful entries are
    /// evicted beyond that.
    pub fn new(max_bytes: u64) -> Self {
        let inner = moka::future::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|k: &String, v: &Entry| {
                u32::try_from(k.len() + v.bytes.len()).unwrap_or(u32::MAX)
            })
            .expire_after(UntilDeadline)
            .build();
        Self {
            inner,
            stats: CacheStats::default(),
        }
    }
}

/// The moment `ttl` from `now` ends (capped at [`MAX_TTL`]).
fn deadline(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl.min(MAX_TTL)).unwrap_or(now)
}

/// A stored entry still within its deadline.
fn live(e: Option<&Entry>, now: Instant) -> Option<&Entry> {
    e.filter(|e| e.expires_at > now)
}

impl Default for MemoryCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_BYTES)
    }
}

impl std::fmt::Debug for MemoryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryCache")
            .field("entries", &self.inner.entry_count())
            .field("stats", &self.stats)
            .finish()
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.inner.get(key).await {
            // moka expires lazily in places; the deadline is the authority.
            Some(e) if e.expires_at > Instant::now() => {
                self.stats.hit();
                Ok(Some(e.bytes.to_vec()))
            }
            _ => {
                self.stats.miss();
                Ok(None)
            }
        }
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let expires_at = deadline(Instant::now(), ttl);
        self.inner
            .insert(
                key.to_owned(),
                Entry {
                    bytes: Arc::from(value),
                    expires_at,
                },
            )
            .await;
        Ok(())
    }

    async fn delete(&self, keys: &[String]) -> Result<(), StoreError> {
        for key in keys {
            self.inner.invalidate(key).await;
        }
        Ok(())
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.get(key).await?);
        }
        Ok(out)
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let now = Instant::now();
        let result = self
            .inner
            .entry(key.to_owned())
            .and_compute_with(|current| {
                let op = match live(current.as_ref().map(moka::Entry::value), now) {
                    Some(_) => Op::Nop,
                    None => Op::Put(Entry {
                        bytes: Arc::from(value),
                        expires_at: deadline(now, ttl),
                    }),
                };
                std::future::ready(op)
            })
            .await;
        Ok(matches!(
            result,
            CompResult::Inserted(_) | CompResult::ReplacedWith(_)
        ))
    }

    async fn incr(&self, key: &str, start: u64, ttl: Duration) -> Result<u64, StoreError> {
        let now = Instant::now();
        let mut bad = false;
        let entry = self
            .inner
            .entry(key.to_owned())
            .and_upsert_with(|current| {
                let value = match live(current.as_ref().map(moka::Entry::value), now) {
                    None => Some(start),
                    Some(e) => std::str::from_utf8(&e.bytes)
                        .ok()
                        .and_then(|s| s.parse::<u64>().ok()),
                };
                let next = value.map_or_else(
                    || {
                        bad = true;
                        current.map(|c| c.into_value().bytes).unwrap_or_default()
                    },
                    |v| Arc::from(v.saturating_add(1).to_string().as_bytes()),
                );
                std::future::ready(Entry {
                    bytes: next,
                    expires_at: deadline(now, ttl),
                })
            })
            .await;
        let value = std::str::from_utf8(&entry.value().bytes)
            .ok()
            .and_then(|s| s.parse::<u64>().ok());
        match value {
            Some(v) if !bad => Ok(v),
            _ => Err(StoreError::unexpected(format!(
                "cache key {key:?} does not hold a counter"
            ))),
        }
    }

    fn stats(&self) -> &CacheStats {
        &self.stats
    }
}

#[async_trait]
impl HealthCheck for MemoryCache {
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn set_get_delete_and_counts() {
        let cache = MemoryCache::default();
        assert_eq!(cache.get("k").await.unwrap(), None);
        cache
            .set("k", b"v1", Duration::from_secs(60))
            .await
            .unwrap();
        cache
            .set("j", b"v2", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(cache.get("k").await.unwrap(), Some(b"v1".to_vec()));
        cache
            .set("k", b"v3", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(cache.get("k").await.unwrap(), Some(b"v3".to_vec()));
        cache
            .delete(&["k".to_owned(), "j".to_owned(), "absent".to_owned()])
            .await
            .unwrap();
        assert_eq!(cache.get("k").await.unwrap(), None);
        assert_eq!(cache.get("j").await.unwrap(), None);
        assert_eq!(cache.stats().snapshot(), (2, 3, 0));
    }

    #[tokio::test]
    async fn get_many_set_if_absent_and_counters() {
        let cache = MemoryCache::default();
        let ttl = Duration::from_secs(60);
        assert!(cache.set_if_absent("a", b"first", ttl).await.unwrap());
        assert!(!cache.set_if_absent("a", b"second", ttl).await.unwrap());
        assert_eq!(
            cache
                .get_many(&["a".to_owned(), "b".to_owned()])
                .await
                .unwrap(),
            vec![Some(b"first".to_vec()), None]
        );
        assert_eq!(
            cache.incr("n", 41, ttl).await.unwrap(),
            42,
            "created at start"
        );
        assert_eq!(cache.incr("n", 41, ttl).await.unwrap(), 43);
        assert_eq!(cache.get("n").await.unwrap(), Some(b"43".to_vec()));
        assert!(matches!(
            cache.incr("a", 0, ttl).await,
            Err(StoreError::Unexpected(_))
        ));
        assert_eq!(cache.get("a").await.unwrap(), Some(b"first".to_vec()));
        cache
            .set("gone", b"x", Duration::from_millis(20))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(
            cache.set_if_absent("gone", b"y", ttl).await.unwrap(),
            "expired"
        );
        assert_eq!(cache.incr("late", 7, Duration::ZERO).await.unwrap(), 8);
        assert_eq!(cache.get("late").await.unwrap(), None, "kept for no time");
    }

    #[tokio::test]
    async fn entries_expire_at_their_own_ttl() {
        let cache = MemoryCache::default();
        cache
            .set("short", b"s", Duration::from_millis(50))
            .await
            .unwrap();
        cache
            .set("long", b"l", Duration::from_secs(60))
            .await
            .unwrap();
        cache.set("zero", b"z", Duration::ZERO).await.unwrap();
        assert_eq!(cache.get("zero").await.unwrap(), None);
        assert_eq!(cache.get("short").await.unwrap(), Some(b"s".to_vec()));
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(cache.get("short").await.unwrap(), None);
        assert_eq!(cache.get("long").await.unwrap(), Some(b"l".to_vec()));
        // A rewrite gets a fresh deadline.
        cache
            .set("short", b"s2", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(cache.get("short").await.unwrap(), Some(b"s2".to_vec()));
    }
}
