//! Safe retries of creating requests (`Idempotency-Key`): the first request with a key claims it
//! and its answer is kept; the same request again gets that answer and does nothing; another
//! request under the key is refused. A second request while the first still runs waits for its
//! answer up to [`IdempotencyService::WAIT`], then is told the key is in use (409).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use calndr_domain::idempotency::{keeps_answer, IN_PROGRESS_TTL, KEY_TTL};
use calndr_domain::{IdempotencyKey, IdempotencyScope, StoredResponse, Verdict};
use calndr_ports::{Claim, IdempotencyStore, StoreError};
use uuid::Uuid;

use crate::AppError;

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum Begin {
    /// Run it; hand its answer to [`IdempotencyService::finish`].
    Run(Claimed),
    /// Answer this (the first answer) without running anything.
    Replay(StoredResponse),
    /// The key belongs to a different request: 422 `idempotency_key_reused`.
    Reused,
    /// The same request is still running elsewhere: 409 `idempotency_key_in_use`.
    InUse,
}

/// A key this request holds.
#[derive(Debug)]
pub struct Claimed {
    scope: IdempotencyScope,
    key: IdempotencyKey,
    claim_id: Uuid,
}

#[derive(Clone)]
pub struct IdempotencyService {
    store: Arc<dyn IdempotencyStore>,
    wait: Duration,
    last_sweep: Arc<Mutex<Option<Instant>>>,
}

/// Expired keys are deleted at most this often per instance, a batch at a time.
const SWEEP_EVERY: Duration = Duration::from_secs(60 * 60);
const SWEEP_BATCH: usize = 1000;
const POLL: Duration = Duration::from_millis(50);

impl IdempotencyService {
    /// How long a request waits for the answer of the same request already running.
    pub const WAIT: Duration = Duration::from_secs(2);

    pub fn new(store: Arc<dyn IdempotencyStore>) -> Self {
        Self {
            store,
            wait: Self::WAIT,
            last_sweep: Arc::new(Mutex::new(None)),
        }
    }

    pub async fn begin(
        &self,
        scope: IdempotencyScope,
        key: IdempotencyKey,
        fingerprint: &str,
    ) -> Result<Begin, AppError> {
        self.sweep_if_due().await;
        let claim_id = Uuid::new_v4();
        let started = Instant::now();
        loop {
            let claim = self
                .store
                .claim(
                    &scope,
                    &key,
                    fingerprint,
                    claim_id,
                    IN_PROGRESS_TTL,
                    KEY_TTL,
                )
                .await?;
            let record = match claim {
                Claim::Claimed => {
                    return Ok(Begin::Run(Claimed {
                        scope,
                        key,
                        claim_id,
                    }))
                }
                Claim::Held(record) => record,
            };
            match record.verdict(fingerprint) {
                Verdict::Replay(answer) => return Ok(Begin::Replay(answer)),
                Verdict::Reused => return Ok(Begin::Reused),
                Verdict::InProgress if started.elapsed() + POLL > self.wait => {
                    return Ok(Begin::InUse)
                }
                Verdict::InProgress => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Keeps `answer` for the key when a retry would get the same (see
    /// [`keeps_answer`]); otherwise frees the key so that a retry runs again. Storage failures
    /// are logged, never the caller's problem: an unanswered claim expires by itself.
    pub async fn finish(&self, claimed: Claimed, answer: &StoredResponse) {
        let Claimed {
            scope,
            key,
            claim_id,
        } = claimed;
        let result = if keeps_answer(answer.status) {
            match self.store.complete(&scope, &key, claim_id, answer).await {
                Err(StoreError::NotFound) => {
                    tracing::warn!("an idempotency claim went stale before its answer");
                    Ok(())
                }
                other => other,
            }
        } else {
            self.store.release(&scope, &key, claim_id).await
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record an idempotent answer; the claim will expire");
        }
    }

    /// Frees the key of a request that failed before it produced an answer.
    pub async fn abandon(&self, claimed: Claimed) {
        if let Err(e) = self
            .store
            .release(&claimed.scope, &claimed.key, claimed.claim_id)
            .await
        {
            tracing::warn!(error = %e, "could not release an idempotency claim; it will expire");
        }
    }

    async fn sweep_if_due(&self) {
        let due = {
            let mut last = self
                .last_sweep
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let due = last.is_none_or(|at| at.elapsed() >= SWEEP_EVERY);
            if due {
                *last = Some(Instant::now());
            }
            due
        };
        if due {
            if let Err(e) = self.store.delete_expired(KEY_TTL, SWEEP_BATCH).await {
                tracing::warn!(error = %e, "could not delete expired idempotency keys");
            }
        }
    }
}
