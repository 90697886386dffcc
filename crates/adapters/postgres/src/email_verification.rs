//! [`EmailVerificationStore`] on `email_verifications` and the verified marks on `users`. An
//! attempt runs under a lock on the user's `email_verifications` row and always commits its
//! attempt count.

use async_trait::async_trait;
use calndr_domain::verification::check_code;
use calndr_domain::{CodeCheck, EmailAddress, UsPhoneNumber, UserId, VerificationCode};
use calndr_ports::{EmailVerificationStore, NewJob, StoreError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};

use crate::error::{from_diesel, one_row, TxError};
use crate::jobs::insert_jobs;
use crate::schema::{email_verifications, users};
use crate::PgStore;

#[async_trait]
impl EmailVerificationStore for PgStore {
    async fn email_verified_at(&self, user: UserId) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut conn = self.conn().await?;
        let at: Option<Option<DateTime<Utc>>> = users::table
            .find(user.as_uuid())
            .select(users::email_verified_at)
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(at.flatten())
    }

    async fn put_email_code(
        &self,
        user: UserId,
        email: &EmailAddress,
        code: &VerificationCode,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            diesel::insert_into(email_verifications::table)
                .values((
                    email_verifications::user_id.eq(Some(user.as_uuid())),
                    email_verifications::email.eq(email.as_str()),
                    email_verifications::code.eq(code.as_str()),
                    email_verifications::expires_at.eq(expires_at),
                    email_verifications::is_verified.eq(Some(false)),
                    email_verifications::attempts.eq(Some(0)),
                    email_verifications::created_at.eq(Some(now)),
                    email_verifications::updated_at.eq(Some(now)),
                ))
                .on_conflict(email_verifications::user_id)
                .do_update()
                .set((
                    email_verifications::email.eq(email.as_str()),
                    email_verifications::code.eq(code.as_str()),
                    email_verifications::expires_at.eq(expires_at),
                    email_verifications::is_verified.eq(Some(false)),
                    email_verifications::verified_at.eq(None::<DateTime<Utc>>),
                    email_verifications::attempts.eq(Some(0)),
                    email_verifications::created_at.eq(Some(now)),
                    email_verifications::updated_at.eq(Some(now)),
                ))
                .execute(conn)
                .await?;
            insert_jobs(conn, jobs).await?;
            Ok(())
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn check_email_code(
        &self,
        user: UserId,
        given: &VerificationCode,
        now: DateTime<Utc>,
    ) -> Result<CodeCheck, StoreError> {
        let mut conn = self.conn().await?;
        let given = given.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let row: Option<(i32, String, DateTime<Utc>, Option<bool>, Option<i32>)> =
                email_verifications::table
                    .filter(email_verifications::user_id.eq(user.as_uuid()))
                    .select((
                        email_verifications::id,
                        email_verifications::code,
                        email_verifications::expires_at,
                        email_verifications::is_verified,
                        email_verifications::attempts,
                    ))
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
            let Some((id, stored, expires_at, verified, attempts)) = row else {
                return Ok(CodeCheck::NoCode);
            };
            if verified == Some(true) {
                return Ok(CodeCheck::NoCode);
            }
            let failed = u32::try_from(attempts.unwrap_or(0)).unwrap_or(u32::MAX);
            let stored = VerificationCode::from_stored(stored);
            let outcome = check_code(&stored, expires_at, failed, &given, now);
            match outcome {
                CodeCheck::Verified => {
                    diesel::update(email_verifications::table.find(id))
                        .set((
                            email_verifications::is_verified.eq(Some(true)),
                            email_verifications::verified_at.eq(Some(now)),
                            email_verifications::updated_at.eq(Some(now)),
                        ))
                        .execute(conn)
                        .await?;
                    diesel::update(users::table.find(user.as_uuid()))
                        .set((
                            users::email_verified_at.eq(Some(now)),
                            users::status.eq(Some("active")),
                            users::updated_at.eq(Some(now.naive_utc())),
                        ))
                        .execute(conn)
                        .await?;
                }
                CodeCheck::Wrong { .. } | CodeCheck::TooManyAttempts => {
                    // Committed with the transaction: the count survives the wrong answer.
                    diesel::update(email_verifications::table.find(id))
                        .set((
                            email_verifications::attempts
                                .eq(Some(i32::try_from(failed + 1).unwrap_or(i32::MAX))),
                            email_verifications::updated_at.eq(Some(now)),
                        ))
                        .execute(conn)
                        .await?;
                }
                CodeCheck::NoCode => {}
            }
            Ok(outcome)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn mark_phone_verified(
        &self,
        user: UserId,
        phone: &UsPhoneNumber,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::update(users::table.find(user.as_uuid()))
            .set((
                users::phone_number.eq(Some(phone.as_str())),
                users::phone_verified_at.eq(Some(now)),
                users::updated_at.eq(Some(now.naive_utc())),
            ))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        one_row(n)
    }
}
