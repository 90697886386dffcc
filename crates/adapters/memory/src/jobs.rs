//! [`JobQueue`] on the jobs of the [`MemoryStore`] (the embedded mode: jobs are lost at exit,
//! like the rest).

use std::time::Duration;

use async_trait::async_trait;
use calndr_ports::{ClaimedJob, JobCounts, JobQueue, NewJob, StoreError};
use chrono::{DateTime, Utc};

use crate::state::JobRow;
use crate::state::State;
use crate::MemoryStore;

impl State {
    /// Queues `jobs`; a write that causes jobs calls this under the same lock as the write, once
    /// the write succeeded (the transactional outbox of the embedded store).
    pub(crate) fn enqueue(&mut self, jobs: &[NewJob]) {
        for job in jobs {
            let id = self.next_id("jobs");
            self.jobs.push(JobRow {
                id,
                queue: job.queue,
                kind: job.kind,
                payload: job.payload.clone(),
                run_at: job.run_at,
                attempts: 0,
                max_attempts: job.max_attempts,
                leased_until: None,
                last_error: None,
            });
        }
    }
}

impl MemoryStore {
    /// The last error of every dead job (tests and diagnostics).
    pub fn dead_errors(&self) -> Vec<String> {
        self.state()
            .jobs
            .iter()
            .filter(|r| r.attempts >= r.max_attempts)
            .filter_map(|r| r.last_error.clone())
            .collect()
    }
}

#[async_trait]
impl JobQueue for MemoryStore {
    async fn enqueue(&self, job: NewJob) -> Result<(), StoreError> {
        self.state().enqueue(std::slice::from_ref(&job));
        Ok(())
    }

    async fn claim(
        &self,
        queue: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
        let mut state = self.state();
        let mut due: Vec<&mut JobRow> = state
            .jobs
            .iter_mut()
            .filter(|r| {
                r.queue == queue
                    && r.run_at <= now
                    && r.attempts < r.max_attempts
                    && r.leased_until.is_none_or(|t| t < now)
            })
            .collect();
        due.sort_by_key(|r| (r.run_at, r.id));
        Ok(due
            .into_iter()
            .take(limit)
            .map(|r| {
                r.attempts += 1;
                r.leased_until = Some(until);
                ClaimedJob {
                    id: r.id,
                    kind: r.kind.to_owned(),
                    payload: r.payload.clone(),
                    attempts: r.attempts,
                    max_attempts: r.max_attempts,
                }
            })
            .collect())
    }

    async fn complete(&self, id: i64) -> Result<(), StoreError> {
        self.state().jobs.retain(|r| r.id != id);
        Ok(())
    }

    async fn fail(
        &self,
        id: i64,
        error: &str,
        retry_at: DateTime<Utc>,
        give_up: bool,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let row = state
            .jobs
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or(StoreError::NotFound)?;
        row.leased_until = None;
        row.run_at = retry_at;
        row.last_error = Some(error.to_owned());
        if give_up {
            row.attempts = row.max_attempts;
        }
        Ok(())
    }

    async fn counts(&self, queue: &str) -> Result<JobCounts, StoreError> {
        let state = self.state();
        let mut counts = JobCounts::default();
        for r in state.jobs.iter().filter(|r| r.queue == queue) {
            if r.attempts >= r.max_attempts {
                counts.dead += 1;
            } else {
                counts.waiting += 1;
            }
        }
        Ok(counts)
    }
}
