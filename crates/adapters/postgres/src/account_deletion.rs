//! `AccountStore::delete_account` on PostgreSQL: one transaction that erases a user's personal
//! data, keeps a tombstone row for the family's shared records, and deletes a family left
//! without members.

use calndr_domain::{FamilyId, IdempotencyScope, UserId};
use calndr_ports::{DeletedAccount, NewJob, StoreError, FORMER_MEMBER};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection as _, RunQueryDsl as _};
use uuid::Uuid;

use crate::error::TxError;
use crate::pool::Conn;

#[derive(QueryableByName)]
struct Doomed {
    #[diesel(sql_type = diesel::sql_types::Nullable<SqlUuid>)]
    family_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    profile_photo_url: Option<String>,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    first_name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The address a tombstone keeps: unique, not anyone's, never deliverable (`.invalid`).
pub(crate) fn tombstone_email(id: UserId) -> String {
    format!("deleted-{}@deleted.invalid", id.as_uuid().simple())
}

pub(crate) async fn delete_account(
    conn: &mut Conn,
    id: UserId,
    at: DateTime<Utc>,
    jobs: &[NewJob],
) -> Result<DeletedAccount, StoreError> {
    let user = id.as_uuid();
    conn.transaction::<_, TxError, _>(async move |conn| {
        // The family's row, then the user's (see `lock_membership`): serialized with another
        // member leaving or deleting, so the member count below is the truth.
        if crate::family_leave::lock_membership(conn, user)
            .await?
            .is_none()
        {
            return Err(TxError::Store(StoreError::NotFound));
        }
        let doomed: Vec<Doomed> = diesel::sql_query(
            "SELECT family_id, profile_photo_url, email, first_name FROM users \
             WHERE id = $1 AND status IS DISTINCT FROM 'deleted' FOR UPDATE",
        )
        .bind::<SqlUuid, _>(user)
        .load(conn)
        .await?;
        let Some(doomed) = doomed.into_iter().next() else {
            return Err(TxError::Store(StoreError::NotFound));
        };
        // Messages still queued for the user (their address, their device) go with them.
        diesel::sql_query(
            "DELETE FROM jobs WHERE payload->>'recipient' = $1::text \
             OR lower(payload->>'to') = lower($2)",
        )
        .bind::<SqlUuid, _>(user)
        .bind::<Text, _>(&doomed.email)
        .execute(conn)
        .await?;
        for sql in [
            "DELETE FROM user_preferences WHERE user_id = $1",
            "DELETE FROM user_profiles WHERE user_id = $1",
            "DELETE FROM email_verifications WHERE user_id = $1",
            "DELETE FROM enrollment_codes WHERE created_by_user_id = $1",
            "DELETE FROM identity_tokens WHERE user_id = $1",
        ] {
            diesel::sql_query(sql)
                .bind::<SqlUuid, _>(user)
                .execute(conn)
                .await?;
        }
        diesel::sql_query("DELETE FROM idempotency_keys WHERE scope = $1")
            .bind::<Text, _>(IdempotencyScope::user(id).as_str())
            .execute(conn)
            .await?;
        diesel::sql_query(
            "UPDATE users SET first_name = $2, last_name = '', email = $3, password_hash = NULL, \
             phone_number = NULL, apple_user_id = NULL, google_user_id = NULL, \
             facebook_user_id = NULL, sns_endpoint_arn = NULL, last_known_location = NULL, \
             last_known_location_timestamp = NULL, subscription_type = NULL, \
             subscription_status = NULL, profile_photo_url = NULL, status = 'deleted', \
             enrolled = NULL, coparent_enrolled = NULL, coparent_invited = NULL, \
             last_signed_in = NULL, apns_token = NULL, email_verified_at = NULL, \
             phone_verified_at = NULL, family_id = NULL, updated_at = $4, \
             sessions_not_before = $5, sessions_kept = NULL \
             WHERE id = $1",
        )
        .bind::<SqlUuid, _>(user)
        .bind::<Text, _>(FORMER_MEMBER)
        .bind::<Text, _>(tombstone_email(id))
        .bind::<diesel::sql_types::Timestamp, _>(at.naive_utc())
        .bind::<Timestamptz, _>(at)
        .execute(conn)
        .await?;
        let mut family_deleted = false;
        if let Some(family) = doomed.family_id {
            let left: Vec<Count> =
                diesel::sql_query("SELECT count(*) AS n FROM users WHERE family_id = $1")
                    .bind::<SqlUuid, _>(family)
                    .load(conn)
                    .await?;
            // A family named after the user ("Alice's Family", the original's default) is
            // named after its first remaining member instead.
            diesel::sql_query(
                "UPDATE families f SET name = u.first_name || '''s Family' \
                 FROM (SELECT first_name FROM users WHERE family_id = $1 \
                       ORDER BY created_at NULLS LAST, id LIMIT 1) u \
                 WHERE f.id = $1 AND f.name = $2 || '''s Family'",
            )
            .bind::<SqlUuid, _>(family)
            .bind::<Text, _>(&doomed.first_name)
            .execute(conn)
            .await?;
            if left.iter().all(|c| c.n == 0) {
                // The tables whose family key does not cascade first, then the family (the
                // rest cascades).
                for sql in [
                    "DELETE FROM custody WHERE family_id = $1",
                    "DELETE FROM events WHERE family_id = $1",
                    "DELETE FROM notification_emails WHERE family_id = $1",
                    "DELETE FROM families WHERE id = $1",
                ] {
                    diesel::sql_query(sql)
                        .bind::<SqlUuid, _>(family)
                        .execute(conn)
                        .await?;
                }
                family_deleted = true;
            }
        }
        crate::jobs::insert_jobs(conn, jobs).await?;
        Ok(DeletedAccount {
            family_id: doomed.family_id.map(FamilyId::from_uuid),
            family_deleted,
            photo_url: doomed.profile_photo_url,
        })
    })
    .await
    .map_err(TxError::into_store)
}
