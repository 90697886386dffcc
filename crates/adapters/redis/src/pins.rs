//! [`PinStore`] on Redis: one hash per PIN (`pin`, `failed`) with the PIN's expiry, shared by
//! every instance. An attempt is one Lua script, so concurrent guesses are counted one by one and
//! no more than the allowed number can ever be compared.

use std::time::Duration;

use async_trait::async_trait;
use calndr_domain::verification::MAX_VERIFICATION_ATTEMPTS;
use calndr_domain::{CodeCheck, VerificationCode};
use calndr_ports::{PinStore, StoreError};
use deadpool_redis::redis;

use crate::conn::{millis, Link};
use crate::RedisPool;

/// Returns -1 (no PIN), 0 (verified, PIN deleted), -2 (that was the last attempt, PIN deleted)
/// or the attempts left after a wrong PIN.
const CHECK: &str = r"
local pin = redis.call('HGET', KEYS[1], 'pin')
if not pin then return -1 end
if pin == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 0
end
local failed = redis.call('HINCRBY', KEYS[1], 'failed', 1)
local max = tonumber(ARGV[2])
if failed >= max then
  redis.call('DEL', KEYS[1])
  return -2
end
return max - failed
";

pub struct RedisPinStore {
    link: Link,
}

impl RedisPinStore {
    /// `timeout` bounds every call (use `RedisConfig::timeout`).
    pub fn new(pool: RedisPool, timeout: Duration) -> Self {
        Self {
            link: Link::new(pool, timeout, "pins"),
        }
    }
}

impl std::fmt::Debug for RedisPinStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisPinStore").finish_non_exhaustive()
    }
}

#[async_trait]
impl PinStore for RedisPinStore {
    async fn put_pin(
        &self,
        subject: &str,
        pin: &VerificationCode,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let pipe = redis::pipe()
            .atomic()
            .cmd("DEL")
            .arg(subject)
            .ignore()
            .cmd("HSET")
            .arg(subject)
            .arg("pin")
            .arg(pin.as_str())
            .arg("failed")
            .arg(0)
            .ignore()
            .cmd("PEXPIRE")
            .arg(subject)
            .arg(millis(ttl))
            .ignore()
            .to_owned();
        let () = self.link.pipe(&pipe).await?;
        Ok(())
    }

    async fn check_pin(
        &self,
        subject: &str,
        given: &VerificationCode,
    ) -> Result<CodeCheck, StoreError> {
        let cmd = redis::cmd("EVAL")
            .arg(CHECK)
            .arg(1)
            .arg(subject)
            .arg(given.as_str())
            .arg(MAX_VERIFICATION_ATTEMPTS)
            .to_owned();
        let reply: i64 = self.link.cmd(&cmd).await?;
        Ok(match reply {
            0 => CodeCheck::Verified,
            -2 => CodeCheck::TooManyAttempts,
            n if n > 0 => CodeCheck::Wrong {
                remaining: u32::try_from(n).unwrap_or(0),
            },
            _ => CodeCheck::NoCode,
        })
    }
}
