//! [`PinStore`] in process memory, for the embedded mode (one instance, so nothing to share).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use calndr_domain::verification::check_code;
use calndr_domain::{CodeCheck, VerificationCode};
use calndr_ports::{PinStore, StoreError};
use chrono::Utc;

use crate::lock;

#[derive(Debug)]
struct Pin {
    pin: VerificationCode,
    expires: Instant,
    failed: u32,
}

/// PINs with their expiry and failed attempts, behind one mutex (each check is atomic).
#[derive(Debug, Default)]
pub struct MemoryPinStore {
    pins: Mutex<HashMap<String, Pin>>,
}

impl MemoryPinStore {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl PinStore for MemoryPinStore {
    async fn put_pin(
        &self,
        subject: &str,
        pin: &VerificationCode,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut pins = lock(&self.pins);
        let now = Instant::now();
        pins.retain(|_, p| p.expires > now);
        pins.insert(
            subject.to_owned(),
            Pin {
                pin: pin.clone(),
                expires: now + ttl,
                failed: 0,
            },
        );
        Ok(())
    }

    async fn check_pin(
        &self,
        subject: &str,
        given: &VerificationCode,
    ) -> Result<CodeCheck, StoreError> {
        let mut pins = lock(&self.pins);
        let Some(p) = pins.get_mut(subject) else {
            return Ok(CodeCheck::NoCode);
        };
        // Expiry is decided by the monotonic clock here; the rule sees "not yet expired".
        let outcome = if p.expires <= Instant::now() {
            CodeCheck::NoCode
        } else {
            let later = Utc::now() + chrono::Duration::seconds(1);
            check_code(&p.pin, later, p.failed, given, Utc::now())
        };
        match outcome {
            CodeCheck::Wrong { .. } => p.failed += 1,
            CodeCheck::Verified | CodeCheck::TooManyAttempts | CodeCheck::NoCode => {
                pins.remove(subject);
            }
        }
        Ok(outcome)
    }
}
