//! [`IdempotencyStore`] on the keys of the [`MemoryStore`]: a claim is one critical section, so of
//! concurrent claims of one key exactly one sees the key free.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use calndr_domain::{IdempotencyKey, IdempotencyRecord, IdempotencyScope, StoredResponse};
use calndr_ports::{Claim, IdempotencyStore, StoreError};
use uuid::Uuid;

use crate::state::KeyRow;
use crate::MemoryStore;

impl KeyRow {
    fn live(&self, now: Instant, in_progress_ttl: Duration, key_ttl: Duration) -> bool {
        let young = |at: Instant| now.saturating_duration_since(at) < in_progress_ttl;
        now.saturating_duration_since(self.created_at) < key_ttl
            && (self.response.is_some() || young(self.claimed_at))
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn claim(
        &self,
        scope: &IdempotencyScope,
        key: &IdempotencyKey,
        fingerprint: &str,
        claim_id: Uuid,
        in_progress_ttl: Duration,
        key_ttl: Duration,
    ) -> Result<Claim, StoreError> {
        let now = Instant::now();
        let mut state = self.state();
        let id = (scope.as_str().to_owned(), key.as_str().to_owned());
        if let Some(row) = state.idempotency_keys.get(&id) {
            if row.live(now, in_progress_ttl, key_ttl) {
                return Ok(Claim::Held(IdempotencyRecord {
                    fingerprint: row.fingerprint.clone(),
                    response: row.response.clone(),
                }));
            }
        }
        state.idempotency_keys.insert(
            id,
            KeyRow {
                fingerprint: fingerprint.to_owned(),
                claim_id,
                response: None,
                created_at: now,
                claimed_at: now,
            },
        );
        Ok(Claim::Claimed)
    }

    async fn complete(
        &self,
        scope: &IdempotencyScope,
        key: &IdempotencyKey,
        claim_id: Uuid,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let id = (scope.as_str().to_owned(), key.as_str().to_owned());
        match state.idempotency_keys.get_mut(&id) {
            Some(row) if row.claim_id == claim_id && row.response.is_none() => {
                row.response = Some(response.clone());
                Ok(())
            }
            _ => Err(StoreError::NotFound),
        }
    }

    async fn release(
        &self,
        scope: &IdempotencyScope,
        key: &IdempotencyKey,
        claim_id: Uuid,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let id = (scope.as_str().to_owned(), key.as_str().to_owned());
        if state
            .idempotency_keys
            .get(&id)
            .is_some_and(|row| row.claim_id == claim_id && row.response.is_none())
        {
            state.idempotency_keys.remove(&id);
        }
        Ok(())
    }

    async fn delete_expired(&self, key_ttl: Duration, limit: usize) -> Result<u64, StoreError> {
        let now = Instant::now();
        let mut state = self.state();
        let expired: Vec<(String, String)> = state
            .idempotency_keys
            .iter()
            .filter(|(_, row)| now.saturating_duration_since(row.created_at) >= key_ttl)
            .map(|(id, _)| id.clone())
            .take(limit)
            .collect();
        for id in &expired {
            state.idempotency_keys.remove(id);
        }
        Ok(u64::try_from(expired.len()).unwrap_or_default())
    }
}
