//! Rate limits for the routes that cost money or guard accounts.

use std::sync::Arc;
use std::time::Duration;

use calndr_ports::{RateDecision, RateLimit, RateLimiter};

use crate::AppError;

/// Limits per route family. Configurable so a load test or a test suite can raise them.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Login attempts per client address.
    pub login_per_ip: RateLimit,
    /// Failed logins per account before it is paused.
    pub login_failures_per_account: RateLimit,
    /// Registrations per client address.
    pub register_per_ip: RateLimit,
    /// Password changes and resets per account.
    pub password_per_account: RateLimit,
    /// Enrollment-code checks per client address.
    pub code_checks_per_ip: RateLimit,
    /// Password-reset e-mails per address and per client.
    pub reset_mail: RateLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        let per = |max, secs| RateLimit {
            max,
            window: Duration::from_secs(secs),
        };
        Self {
            login_per_ip: per(30, 60),
            login_failures_per_account: per(10, 15 * 60),
            register_per_ip: per(10, 60 * 60),
            password_per_account: per(5, 15 * 60),
            code_checks_per_ip: per(20, 60 * 60),
            reset_mail: per(3, 60 * 60),
        }
    }
}

impl RateLimits {
    /// Limits so high that no test or benchmark meets them.
    pub fn unlimited() -> Self {
        let big = RateLimit {
            max: u32::MAX,
            window: Duration::from_secs(1),
        };
        Self {
            login_per_ip: big,
            login_failures_per_account: big,
            register_per_ip: big,
            password_per_account: big,
            code_checks_per_ip: big,
            reset_mail: big,
        }
    }
}

/// Applies limits through the shared limiter, falling back to a local one when the shared store
/// is unreachable, so an outage neither blocks users nor opens the door to brute force.
#[derive(Clone)]
pub struct RateGuard {
    shared: Arc<dyn RateLimiter>,
    local: Arc<dyn RateLimiter>,
    pub limits: RateLimits,
}

impl RateGuard {
    pub fn new(
        shared: Arc<dyn RateLimiter>,
        local: Arc<dyn RateLimiter>,
        limits: RateLimits,
    ) -> Self {
        Self {
            shared,
            local,
            limits,
        }
    }

    /// Counts a hit; `RateLimited` when over the limit.
    pub async fn hit(&self, key: &str, limit: RateLimit) -> Result<(), AppError> {
        let decision = match self.shared.hit(key, limit).await {
            Ok(d) => d,
            Err(_) => self
                .local
                .hit(key, limit)
                .await
                .unwrap_or(RateDecision::Allowed),
        };
        Self::enforce(decision)
    }

    /// Checks without counting; `RateLimited` when already over.
    pub async fn check(&self, key: &str, limit: RateLimit) -> Result<(), AppError> {
        let decision = match self.shared.check(key, limit).await {
            Ok(d) => d,
            Err(_) => self
                .local
                .check(key, limit)
                .await
                .unwrap_or(RateDecision::Allowed),
        };
        Self::enforce(decision)
    }

    /// Counts a hit and reports whether it went over, without failing.
    pub async fn record(&self, key: &str, limit: RateLimit) {
        if self.shared.hit(key, limit).await.is_err() {
            let _ = self.local.hit(key, limit).await;
        }
    }

    pub async fn clear(&self, key: &str) {
        let _ = self.shared.clear(key).await;
        let _ = self.local.clear(key).await;
    }

    fn enforce(decision: RateDecision) -> Result<(), AppError> {
        match decision {
            RateDecision::Allowed => Ok(()),
            RateDecision::Limited { retry_after } => Err(AppError::RateLimited {
                retry_after_secs: retry_after.as_secs().max(1),
            }),
        }
    }
}
