//! A durable queue of background jobs (push notifications and e-mails handed off by requests).
//!
//! Delivery is at least once: a claimed job is leased for a while; a worker that dies mid-job
//! leaves the lease to expire and another worker claims the job again. A job that failed
//! `max_attempts` times stays in the queue, no longer claimed (dead), with its last error.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;

/// A job to enqueue. `kind` tells the worker how to read `payload`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub queue: &'static str,
    pub kind: &'static str,
    pub payload: serde_json::Value,
    /// Not before this instant.
    pub run_at: DateTime<Utc>,
    pub max_attempts: i32,
}

/// A job a worker holds under lease. `attempts` counts this attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// How many jobs of a queue wait (ready now or later) and how many are dead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub waiting: i64,
    pub dead: i64,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn enqueue(&self, job: NewJob) -> Result<(), StoreError>;

    /// Leases up to `limit` due jobs of `queue` (oldest first) for `lease`, counting an attempt
    /// on each. Jobs leased by another worker are skipped, not waited for.
    async fn claim(
        &self,
        queue: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, StoreError>;

    /// The job is done: it leaves the queue.
    async fn complete(&self, id: i64) -> Result<(), StoreError>;

    /// The attempt failed: the job is released to run again at `retry_at`, or stays dead when it
    /// has used all its attempts (or `give_up`). `error` is kept for operators; it must not hold
    /// personal data.
    async fn fail(
        &self,
        id: i64,
        error: &str,
        retry_at: DateTime<Utc>,
        give_up: bool,
    ) -> Result<(), StoreError>;

    async fn counts(&self, queue: &str) -> Result<JobCounts, StoreError>;
}
