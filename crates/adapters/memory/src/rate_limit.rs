//! [`RateLimiter`] with fixed windows in process memory (the local fallback when Redis is down,
//! and the limiter of the embedded setup and of tests).

use std::time::{Duration, Instant};

use async_trait::async_trait;
use calndr_ports::{RateDecision, RateLimit, RateLimiter, StoreError, MAX_TTL};
use moka::ops::compute::Op;
use moka::Expiry;

/// One key's current window: when it ends and how many hits it has seen.
#[derive(Debug, Clone, Copy)]
struct Window {
    ends_at: Instant,
    count: u32,
}

impl Window {
    fn is_live(&self, now: Instant) -> bool {
        now < self.ends_at
    }
}

/// Drops each window from memory when it ends.
struct UntilWindowEnds;

impl Expiry<String, Window> for UntilWindowEnds {
    fn expire_after_create(&self, _key: &String, w: &Window, now: Instant) -> Option<Duration> {
        Some(w.ends_at.saturating_duration_since(now))
    }

    fn expire_after_update(
        &self,
        _key: &String,
        w: &Window,
        now: Instant,
        _current: Option<Duration>,
    ) -> Option<Duration> {
        Some(w.ends_at.saturating_duration_since(now))
    }
}

/// Fixed-window counters keyed by caller-chosen strings. Memory is bounded: a window is evicted
/// when it ends, and at most `max_keys` windows are kept (beyond that the least used go first).
pub struct MemoryRateLimiter {
    windows: moka::future::Cache<String, Window>,
}

impl MemoryRateLimiter {
    /// The bound used by [`MemoryRateLimiter::default`].
    pub const DEFAULT_MAX_KEYS: u64 = 100_000;

    pub fn new(max_keys: u64) -> Self {
        Self {
            windows: moka::future::Cache::builder()
                .max_capacity(max_keys)
                .expire_after(UntilWindowEnds)
                .build(),
        }
    }

    fn decide(w: Window, over: bool) -> RateDecision {
        if over {
            RateDecision::Limited {
                retry_after: w.ends_at.saturating_duration_since(Instant::now()),
            }
        } else {
            RateDecision::Allowed
        }
    }
}

impl Default for MemoryRateLimiter {
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_KEYS)
    }
}

impl std::fmt::Debug for MemoryRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryRateLimiter")
            .field("windows", &self.windows.entry_count())
            .finish()
    }
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<RateDecision, StoreError> {
        let mut counted = None;
        // Per-key lock: concurrent hits on one key are counted one after the other.
        self.windows
            .entry(key.to_owned())
            .and_compute_with(|current| {
                let now = Instant::now();
                let next = match current.map(|e| e.into_value()) {
                    Some(w) if w.is_live(now) => Window {
                        count: w.count.saturating_add(1),
                        ..w
                    },
                    _ => Window {
                        ends_at: now.checked_add(limit.window.min(MAX_TTL)).unwrap_or(now),
                        count: 1,
                    },
                };
                counted = Some(next);
                std::future::ready(Op::Put(next))
            })
            .await;
        let w = counted.ok_or_else(|| StoreError::unexpected("rate window not computed"))?;
        Ok(Self::decide(w, w.count > limit.max))
    }

    async fn check(&self, key: &str, limit: RateLimit) -> Result<RateDecision, StoreError> {
        match self.windows.get(key).await {
            Some(w) if w.is_live(Instant::now()) => Ok(Self::decide(w, w.count >= limit.max)),
            _ => Ok(RateDecision::Allowed),
        }
    }

    async fn clear(&self, key: &str) -> Result<(), StoreError> {
        self.windows.invalidate(key).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(max: u32, ms: u64) -> RateLimit {
        RateLimit {
            max,
            window: Duration::from_millis(ms),
        }
    }

    fn retry_after(d: RateDecision) -> Duration {
        match d {
            RateDecision::Limited { retry_after } => retry_after,
            RateDecision::Allowed => panic!("expected Limited"),
        }
    }

    #[tokio::test]
    async fn counts_within_a_window_and_reports_time_left() {
        let rl = MemoryRateLimiter::default();
        let l = limit(3, 60_000);
        assert_eq!(rl.check("k", l).await.unwrap(), RateDecision::Allowed);
        for _ in 0..3 {
            assert_eq!(rl.hit("k", l).await.unwrap(), RateDecision::Allowed);
        }
        // Three hits used the allowance: the next one would be refused.
        let checked = retry_after(rl.check("k", l).await.unwrap());
        assert!(checked <= l.window && checked > Duration::from_secs(59));
        let d = retry_after(rl.hit("k", l).await.unwrap());
        assert!(d <= l.window && d > Duration::from_secs(59), "{d:?}");
        // Other keys are independent.
        assert_eq!(rl.hit("other", l).await.unwrap(), RateDecision::Allowed);
    }

    #[tokio::test]
    async fn a_new_window_starts_when_the_old_one_ends() {
        let rl = MemoryRateLimiter::default();
        let l = limit(1, 100);
        assert_eq!(rl.hit("k", l).await.unwrap(), RateDecision::Allowed);
        let d = retry_after(rl.hit("k", l).await.unwrap());
        assert!(d <= Duration::from_millis(100));
        tokio::time::sleep(Duration::from_millis(d.as_millis() as u64 + 20)).await;
        assert_eq!(rl.check("k", l).await.unwrap(), RateDecision::Allowed);
        assert_eq!(rl.hit("k", l).await.unwrap(), RateDecision::Allowed);
    }

    #[tokio::test]
    async fn clear_forgets_the_key() {
        let rl = MemoryRateLimiter::default();
        let l = limit(1, 60_000);
        rl.hit("k", l).await.unwrap();
        assert!(matches!(
            rl.hit("k", l).await.unwrap(),
            RateDecision::Limited { .. }
        ));
        rl.clear("k").await.unwrap();
        assert_eq!(rl.hit("k", l).await.unwrap(), RateDecision::Allowed);
    }

    #[tokio::test]
    async fn concurrent_hits_are_all_counted() {
        let rl = std::sync::Arc::new(MemoryRateLimiter::default());
        let l = limit(50, 60_000);
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let rl = rl.clone();
                tokio::spawn(async move { rl.hit("k", l).await.unwrap() })
            })
            .collect();
        let mut allowed = 0;
        for t in tasks {
            if t.await.unwrap() == RateDecision::Allowed {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 50);
    }
}
