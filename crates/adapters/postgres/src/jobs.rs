//! [`JobQueue`] on the `jobs` table: `FOR UPDATE SKIP LOCKED` lets any number of workers claim
//! side by side without waiting on each other or taking the same job twice.

use std::time::Duration;

use async_trait::async_trait;
use calndr_ports::{ClaimedJob, JobCounts, JobQueue, NewJob, StoreError};
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Int4, Int8, Jsonb, Text, Timestamptz};
use diesel::{ExpressionMethods, QueryDsl, QueryableByName};
use diesel_async::RunQueryDsl;

use crate::error::from_diesel;
use crate::pool::Conn;
use crate::schema::jobs;
use crate::PgStore;

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = Int8)]
    id: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = Int4)]
    max_attempts: i32,
}

#[derive(QueryableByName)]
struct CountsRow {
    #[diesel(sql_type = BigInt)]
    waiting: i64,
    #[diesel(sql_type = BigInt)]
    dead: i64,
}

/// Leases the due jobs: not yet dead, and either never locked or locked longer ago than the lease
/// (the worker holding it died).
const CLAIM: &str = "\
UPDATE jobs SET locked_at = now(), attempts = attempts + 1
 WHERE id IN (
   SELECT id FROM jobs
    WHERE queue = $1 AND run_at <= now() AND attempts < max_attempts
      AND (locked_at IS NULL OR locked_at < now() - make_interval(secs => $3))
    ORDER BY run_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED)
 RETURNING id, kind, payload, attempts, max_attempts";

/// Inserts `jobs` on `conn`: a write that causes jobs calls this inside its own transaction, so
/// the jobs commit or roll back with it (the transactional outbox).
pub(crate) async fn insert_jobs(
    conn: &mut Conn,
    jobs: &[NewJob],
) -> Result<(), diesel::result::Error> {
    if jobs.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = jobs
        .iter()
        .map(|job| {
            (
                jobs::queue.eq(job.queue),
                jobs::kind.eq(job.kind),
                jobs::payload.eq(&job.payload),
                jobs::run_at.eq(job.run_at),
                jobs::max_attempts.eq(job.max_attempts),
            )
        })
        .collect();
    diesel::insert_into(jobs::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait]
impl JobQueue for PgStore {
    async fn enqueue(&self, job: NewJob) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        insert_jobs(&mut conn, std::slice::from_ref(&job))
            .await
            .map_err(from_diesel)
    }

    async fn claim(
        &self,
        queue: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<ClaimedRow> = diesel::sql_query(CLAIM)
            .bind::<Text, _>(queue)
            .bind::<BigInt, _>(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind::<diesel::sql_types::Double, _>(lease.as_secs_f64())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        let mut jobs: Vec<ClaimedJob> = rows
            .into_iter()
            .map(|r| ClaimedJob {
                id: r.id,
                kind: r.kind,
                payload: r.payload,
                attempts: r.attempts,
                max_attempts: r.max_attempts,
            })
            .collect();
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    async fn complete(&self, id: i64) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::delete(jobs::table.find(id))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn fail(
        &self,
        id: i64,
        error: &str,
        retry_at: DateTime<Utc>,
        give_up: bool,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::sql_query(
            "UPDATE jobs SET locked_at = NULL, run_at = $2, last_error = $3,
                    attempts = CASE WHEN $4 THEN max_attempts ELSE attempts END
              WHERE id = $1",
        )
        .bind::<Int8, _>(id)
        .bind::<Timestamptz, _>(retry_at)
        .bind::<Text, _>(error)
        .bind::<Bool, _>(give_up)
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn counts(&self, queue: &str) -> Result<JobCounts, StoreError> {
        let mut conn = self.conn().await?;
        let row: CountsRow = diesel::sql_query(
            "SELECT count(*) FILTER (WHERE attempts < max_attempts) AS waiting,
                    count(*) FILTER (WHERE attempts >= max_attempts) AS dead
               FROM jobs WHERE queue = $1",
        )
        .bind::<Text, _>(queue)
        .get_result(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(JobCounts {
            waiting: row.waiting,
            dead: row.dead,
        })
    }
}
