use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use crate::StoreError;

/// The longest anything with an expiry is kept (a year): longer cache TTLs and rate-limit windows
/// are cut to this. Redis refuses expiry times past its clock range, and an in-process deadline
/// must be computable, so every adapter cuts at the same place.
pub const MAX_TTL: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// A byte cache with expiry. A cache failure must never fail a request: callers treat `Err` as a
/// miss and go to the database.
///
/// Every `ttl` is cut to [`MAX_TTL`]. A zero `ttl` keeps nothing: `set` leaves `key` empty,
/// `set_if_absent` only says whether `key` was free, and `incr` returns the new value without
/// keeping it.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Cache: Send + Sync {
    /// `Ok(None)` on a miss; `Unavailable` when the cache cannot be reached.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// `Unavailable` when the cache cannot be reached.
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError>;
    /// Deletes the keys (absent keys are fine). `Unavailable` when the cache cannot be reached.
    async fn delete(&self, keys: &[String]) -> Result<(), StoreError>;
    /// The values of `keys` in their order (`None` for each miss), in one round trip.
    /// `Unavailable` when the cache cannot be reached.
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError>;
    /// Stores `value` only when `key` holds nothing; `true` when it was stored.
    /// `Unavailable` when the cache cannot be reached.
    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError>;
    /// Atomically adds one to the decimal counter at `key`, first creating it at `start` when
    /// absent, keeps it for `ttl` from now, and returns the new value. `Unavailable` when the
    /// cache cannot be reached; `Unexpected` when `key` holds something else than a counter.
    async fn incr(&self, key: &str, start: u64, ttl: Duration) -> Result<u64, StoreError>;
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
