use std::time::Duration;

use async_trait::async_trait;

use crate::StoreError;

/// At most `max` hits per `window` (cut to [`crate::MAX_TTL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    /// Over the limit; the window frees up after `retry_after`.
    Limited {
        retry_after: Duration,
    },
}

/// Fixed-window counters shared by every instance of the service (Redis in production).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one hit against `key` and says whether it is within `limit`.
    /// `Unavailable` when the backing store cannot be reached.
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<RateDecision, StoreError>;
    /// Says whether `key` is already over `limit`, without counting.
    async fn check(&self, key: &str, limit: RateLimit) -> Result<RateDecision, StoreError>;
    /// Forgets `key` (e.g. the failure counter after a successful login).
    async fn clear(&self, key: &str) -> Result<(), StoreError>;
}
