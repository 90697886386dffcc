//! Where `Idempotency-Key`s live: per scope (a user, or a registration's e-mail digest), with
//! the fingerprint of the request that claimed the key and, once it answered, that answer.

use std::time::Duration;

use async_trait::async_trait;
use calndr_domain::{IdempotencyKey, IdempotencyRecord, IdempotencyScope, StoredResponse};
use uuid::Uuid;

use crate::StoreError;

/// The outcome of [`IdempotencyStore::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is now held by this claim (it was free, expired, or its claim had gone stale).
    Claimed,
    /// A live row holds the key.
    Held(IdempotencyRecord),
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Atomically claims `(scope, key)` for `claim_id` with `fingerprint`, unless a live row
    /// holds it: a completed row younger than `key_ttl`, or an unanswered claim younger than
    /// `in_progress_ttl`. Of concurrent claims of one key exactly one gets `Claimed`.
    async fn claim(
        &self,
        scope: &IdempotencyScope,
        key: &IdempotencyKey,
        fingerprint: &str,
        claim_id: Uuid,
        in_progress_ttl: Duration,
        key_ttl: Duration,
    ) -> Result<Claim, StoreError>;

    /// Stores the answer of the claim `claim_id`. `NotFound` when the claim is no longer held
    /// (it went stale and another request took the key): the answer is not stored.
    async fn complete(
        &self,
        scope: &IdempotencyScope,
        key: &IdempotencyKey,
        claim_id: Uuid,
        response: &StoredResponse,
    ) -> Result<(), StoreError>;

    /// Frees the key held by `claim_id` (its request failed and may run again). A claim no
    /// longer held is left alone; `Ok` either way.
    async fn release(
        &self,
        scope: &IdempotencyScope,
        key: &IdempotencyKey,
        claim_id: Uuid,
    ) -> Result<(), StoreError>;

    /// Deletes up to `limit` rows older than `key_ttl` (maintenance); returns how many.
    async fn delete_expired(&self, key_ttl: Duration, limit: usize) -> Result<u64, StoreError>;
}
