//! [`Cache`] on moka with a per-entry deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use calndr_ports::{Cache, CacheStats, HealthCheck, StoreError};
use moka::Expiry;

/// Longer TTLs are cut to this (a year), so a deadline can always be computed.
const MAX_TTL: Duration = Duration::from_secs(365 * 24 * 60 * 60);

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
        let now = Instant::now();
        let expires_at = now.checked_add(ttl.min(MAX_TTL)).unwrap_or(now);
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
