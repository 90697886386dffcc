//! Rate limits for the routes that cost money or guard accounts.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use calndr_ports::{RateDecision, RateLimit, RateLimiter};

use crate::AppError;

/// A rate-limit key for a personal value (an e-mail address, a phone number, a user id) that
/// does not keep the value itself in Redis.
pub(crate) fn hashed_key(prefix: &str, value: &str) -> String {
    let mut h = DefaultHasher::new();
    value.to_lowercase().hash(&mut h);
    format!("calndr:rl:{prefix}:{:016x}", h.finish())
}

/// A rate-limit key for a client address.
pub(crate) fn ip_key(prefix: &str, client: &str) -> String {
    format!("calndr:rl:{prefix}:ip:{client}")
}

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
    /// Enrollment-code checks and redemptions per account.
    pub code_checks_per_account: RateLimit,
    /// Invitation e-mails per family.
    pub invites_per_family: RateLimit,
    /// Verification codes per e-mail address or phone number: the resend cooldown.
    pub verification_cooldown: RateLimit,
    /// Verification codes per e-mail address or phone number per hour.
    pub verification_sends: RateLimit,
    /// Verification codes requested per client address.
    pub verification_sends_per_ip: RateLimit,
    /// Code and PIN checks per client address.
    pub verification_checks_per_ip: RateLimit,
    /// SMS PINs per phone number per day.
    pub sms_per_number_per_day: RateLimit,
    /// SMS PINs per day for the whole service (SMS pumping guard).
    pub sms_per_day: RateLimit,
    /// Data exports (`GET /users/me/export`) per user: each reads the whole family.
    pub exports_per_user: RateLimit,
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
            code_checks_per_account: per(10, 60 * 60),
            invites_per_family: per(10, 24 * 60 * 60),
            verification_cooldown: per(1, 60),
            verification_sends: per(5, 60 * 60),
            verification_sends_per_ip: per(20, 60 * 60),
            verification_checks_per_ip: per(30, 60 * 60),
            sms_per_number_per_day: per(10, 24 * 60 * 60),
            sms_per_day: per(5_000, 24 * 60 * 60),
            exports_per_user: per(5, 60 * 60),
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
            code_checks_per_account: big,
            invites_per_family: big,
            verification_cooldown: big,
            verification_sends: big,
            verification_sends_per_ip: big,
            verification_checks_per_ip: big,
            sms_per_number_per_day: big,
            sms_per_day: big,
            exports_per_user: big,
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
