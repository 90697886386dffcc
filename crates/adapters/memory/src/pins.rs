//! [`PinStore`] in process memory, for the embedded mode (one instance, so nothing to share).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use calndr_domain::verification::check_code;
use calndr_domain::{CodeCheck, VerificationCode};
use calndr_ports::{PinStore, StoreError};
use chrono::{DateTime, Utc};

use crate::lock;

#[derive(Debug)]
struct Pin {
    pin: VerificationCode,
    expires_at: DateTime<Utc>,
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
        let ttl =
            chrono::Duration::from_std(ttl).map_err(|e| StoreError::Unexpected(Box::new(e)))?;
        let mut pins = lock(&self.pins);
        let now = Utc::now();
        pins.retain(|_, p| p.expires_at > now);
        pins.insert(
            subject.to_owned(),
            Pin {
                pin: pin.clone(),
                expires_at: now + ttl,
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
        let outcome = check_code(&p.pin, p.expires_at, p.failed, given, Utc::now());
        match outcome {
            CodeCheck::Wrong { .. } => p.failed += 1,
            CodeCheck::Verified | CodeCheck::TooManyAttempts | CodeCheck::NoCode => {
                pins.remove(subject);
            }
        }
        Ok(outcome)
    }
}
