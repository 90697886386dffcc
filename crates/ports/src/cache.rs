use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use crate::StoreError;

/// A byte cache with expiry. A cache failure must never fail a request: callers treat `Err` as a
/// miss and go to the database.
#[async_trait]
pub trait Cache: Send + Sync {
    /// `Ok(None)` on a miss; `Unavailable` when the cache cannot be reached.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// `Unavailable` when the cache cannot be reached.
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError>;
    /// Deletes the keys (absent keys are fine). `Unavailable` when the cache cannot be reached.
    async fn delete(&self, keys: &[String]) -> Result<(), StoreError>;
    /// Counters for `/metrics`.
    fn stats(&self) -> &CacheStats;
}

/// Hit, miss and error counters, kept by each cache adapter.
#[derive(Debug, Default)]
pub struct CacheStats {
    hits: AtomicU64,
    misses: AtomicU64,
    errors: AtomicU64,
}

impl CacheStats {
    pub fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }
    pub fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }
    pub fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }
    /// (hits, misses, errors)
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
        )
    }
}
