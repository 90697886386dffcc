//! [`IdempotencyStore`] on the `idempotency_keys` table. A claim is one `INSERT .. ON CONFLICT DO
//! UPDATE .. WHERE <the row is stale>`: PostgreSQL serialises concurrent claims of one key on the
//! primary key, so exactly one of them inserts (or takes over a stale row) and sees `RETURNING`.

use std::time::Duration;

use async_trait::async_trait;
use calndr_domain::{IdempotencyKey, IdempotencyRecord, IdempotencyScope, StoredResponse};
use calndr_ports::{Claim, IdempotencyStore, StoreError};
use diesel::sql_types::{BigInt, Binary, Double, Int2, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::error::from_diesel;
use crate::PgStore;

const CLAIM: &str = "\
INSERT INTO idempotency_keys AS k (scope, key, fingerprint, claim_id)
     VALUES ($1, $2, $3, $4)
ON CONFLICT (scope, key) DO UPDATE
        SET fingerprint = EXCLUDED.fingerprint, claim_id = EXCLUDED.claim_id, status = NULL,
            content_type = NULL, body = NULL, created_at = now(), claimed_at = now()
      WHERE (k.status IS NULL AND k.claimed_at < now() - make_interval(secs => $5))
         OR k.created_at < now() - make_interval(secs => $6)
  RETURNING 1::BIGINT AS claimed";

const HELD: &str = "\
SELECT fingerprint, status, content_type, body FROM idempotency_keys
 WHERE scope = $1 AND key = $2
   AND created_at >= now() - make_interval(secs => $4)
   AND (status IS NOT NULL OR claimed_at >= now() - make_interval(secs => $3))";

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = BigInt)]
    #[expect(dead_code, reason = "only its presence matters")]
    claimed: i64,
}

#[derive(QueryableByName)]
struct HeldRow {
    #[diesel(sql_type = Text)]
    fingerprint: String,
    #[diesel(sql_type = Nullable<Int2>)]
    status: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    content_type: Option<String>,
    #[diesel(sql_type = Nullable<Binary>)]
    body: Option<Vec<u8>>,
}

impl HeldRow {
    fn into_record(self) -> IdempotencyRecord {
        let response = match (self.status, self.body) {
            (Some(status), Some(body)) => Some(StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                content_type: self.content_type.unwrap_or_default(),
                body,
            }),
            _ => None,
        };
        IdempotencyRecord {
            fingerprint: self.fingerprint,
            response,
        }
    }
}

/// A claim races a release or an expiry between its two statements at most a few times.
const CLAIM_ATTEMPTS: usize = 3;

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn claim(
        &self,
        scope: &IdempotencyScope,
        key: &IdempotencyKey,
        fingerprint: &str,
        claim_id: Uuid,
        in_progress_ttl: Duration,
        key_ttl: Duration,
    ) -> Result<Claim, StoreError> {
        let mut conn = self.conn().await?;
        for _ in 0..CLAIM_ATTEMPTS {
            let claimed: Vec<ClaimedRow> = diesel::sql_query(CLAIM)
                .bind::<Text, _>(scope.as_str())
                .bind::<Text, _>(key.as_str())
                .bind::<Text, _>(fingerprint)
                .bind::<SqlUuid, _>(claim_id)
                .bind::<Double, _>(in_progress_ttl.as_secs_f64())
                .bind::<Double, _>(key_ttl.as_secs_f64())
                .load(&mut conn)
                .await
                .map_err(from_diesel)?;
            if !claimed.is_empty() {
                return Ok(Claim::Claimed);
            }
            let held: Option<HeldRow> = diesel::sql_query(HELD)
                .bind::<Text, _>(scope.as_str())
                .bind::<Text, _>(key.as_str())
                .bind::<Double, _>(in_progress_ttl.as_secs_f64())
                .bind::<Double, _>(key_ttl.as_secs_f64())
                .load(&mut conn)
                .await
                .map_err(from_diesel)?
                .pop();
            if let Some(row) = held {
                return Ok(Claim::Held(row.into_record()));
            }
        }
        Err(StoreError::unexpected(
            "an idempotency key kept changing hands",
        ))
    }

    async fn complete(
        &self,
        scope: &IdempotencyScope,
        key: &IdempotencyKey,
        claim_id: Uuid,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::sql_query(
            "UPDATE idempotency_keys SET status = $4, content_type = $5, body = $6
              WHERE scope = $1 AND key = $2 AND claim_id = $3 AND status IS NULL",
        )
        .bind::<Text, _>(scope.as_str())
        .bind::<Text, _>(key.as_str())
        .bind::<SqlUuid, _>(claim_id)
        .bind::<Int2, _>(i16::try_from(response.status).unwrap_or(i16::MAX))
        .bind::<Text, _>(&response.content_type)
        .bind::<Binary, _>(&response.body)
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn release(
        &self,
        scope: &IdempotencyScope,
        key: &IdempotencyKey,
        claim_id: Uuid,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query(
            "DELETE FROM idempotency_keys
              WHERE scope = $1 AND key = $2 AND claim_id = $3 AND status IS NULL",
        )
        .bind::<Text, _>(scope.as_str())
        .bind::<Text, _>(key.as_str())
        .bind::<SqlUuid, _>(claim_id)
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(())
    }

    async fn delete_expired(&self, key_ttl: Duration, limit: usize) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::sql_query(
            "DELETE FROM idempotency_keys WHERE ctid IN (
               SELECT ctid FROM idempotency_keys
                WHERE created_at < now() - make_interval(secs => $1)
                LIMIT $2)",
        )
        .bind::<Double, _>(key_ttl.as_secs_f64())
        .bind::<BigInt, _>(i64::try_from(limit).unwrap_or(i64::MAX))
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(u64::try_from(n).unwrap_or_default())
    }
}
