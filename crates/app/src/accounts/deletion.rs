//! Deleting an account (`DELETE /users/me`, issue #14): confirmed by the password, or for an
//! account without one by a recent sign-in; then one store transaction (personal data erased,
//! a "Former member" tombstone for the family's shared records, an empty family deleted), every
//! session ended on every instance, and the family's cached views retired (they show names).

use calndr_domain::{Password, SessionCutoff};
use chrono::{Duration, Utc};
use tracing::info;

use super::AccountService;
use crate::cache_keys::View;
use crate::{AppError, Principal, Session};

/// How recent the sign-in of an account without a password must be to delete it.
pub const RECENT_SIGN_IN: Duration = Duration::minutes(10);

impl AccountService {
    pub async fn delete_account(
        &self,
        who: &Principal,
        session: Session,
        password: Option<&str>,
    ) -> Result<(), AppError> {
        let user = self.user(who.user_id).await?;
        if user.password_hash.is_some() {
            self.limit_password_attempts(user.id).await?;
            let presented = Password::presented(password.unwrap_or_default(), "password")?;
            self.confirm_password(&user, presented).await?;
        } else if Utc::now() - session.issued_at > RECENT_SIGN_IN {
            return Err(AppError::ReauthenticationRequired);
        }
        let at = Utc::now();
        let deleted = self
            .deps
            .accounts
            .delete_account(user.id, at)
            .await
            .map_err(|e| match e {
                // Deleted meanwhile (a second tap): the session is gone with the account.
                calndr_ports::StoreError::NotFound => AppError::NotAuthenticated,
                other => other.into(),
            })?;
        self.deps
            .auth
            .sessions_ended(user.id, SessionCutoff::all(at))
            .await;
        if let Some(family) = deleted.family_id {
            for view in [View::Custody, View::Events] {
                self.deps.views.bump(family, view).await;
            }
        }
        info!(
            user.id = %user.id,
            family_deleted = deleted.family_deleted,
            "account deleted"
        );
        Ok(())
    }
}
