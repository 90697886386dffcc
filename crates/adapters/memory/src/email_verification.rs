//! [`EmailVerificationStore`] on the e-mail codes and the verified marks of the users of the
//! [`MemoryStore`]: one attempt is one critical section that always keeps its count.

use async_trait::async_trait;
use calndr_domain::verification::check_code;
use calndr_domain::{
    CodeCheck, EmailAddress, PhoneNumber, UsPhoneNumber, UserId, UserStatus, VerificationCode,
};
use calndr_ports::{EmailVerificationStore, NewJob, StoreError};
use chrono::{DateTime, Utc};

use crate::state::EmailCode;
use crate::MemoryStore;

#[async_trait]
impl EmailVerificationStore for MemoryStore {
    async fn email_verified_at(&self, user: UserId) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.state().email_verified_at.get(&user).copied())
    }

    async fn put_email_code(
        &self,
        user: UserId,
        _email: &EmailAddress,
        code: &VerificationCode,
        expires_at: DateTime<Utc>,
        _now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if !s.users.contains_key(&user) {
            return Err(StoreError::NotFound);
        }
        s.email_codes.insert(
            user,
            EmailCode {
                code: code.clone(),
                expires_at,
                attempts: 0,
                verified: false,
            },
        );
        s.enqueue(jobs);
        Ok(())
    }

    async fn check_email_code(
        &self,
        user: UserId,
        given: &VerificationCode,
        now: DateTime<Utc>,
    ) -> Result<CodeCheck, StoreError> {
        let mut s = self.state();
        let Some(row) = s.email_codes.get_mut(&user) else {
            return Ok(CodeCheck::NoCode);
        };
        if row.verified {
            return Ok(CodeCheck::NoCode);
        }
        let outcome = check_code(&row.code, row.expires_at, row.attempts, given, now);
        match outcome {
            CodeCheck::Verified => {
                row.verified = true;
                s.email_verified_at.insert(user, now);
                if let Some(u) = s.users.get_mut(&user) {
                    u.status = Some(UserStatus::Active);
                    u.updated_at = Some(now.naive_utc());
                }
            }
            CodeCheck::Wrong { .. } | CodeCheck::TooManyAttempts => row.attempts += 1,
            CodeCheck::NoCode => {}
        }
        Ok(outcome)
    }

    async fn mark_phone_verified(
        &self,
        user: UserId,
        phone: &UsPhoneNumber,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let u = s.user_mut(user)?;
        u.phone_number = Some(PhoneNumber::from_stored(phone.as_str().to_owned()));
        u.updated_at = Some(now.naive_utc());
        s.phone_verified_at.insert(user, now);
        Ok(())
    }
}
