//! Deleting an account (`DELETE /users/me`, issue #14): confirmed by the password, or for an
//! account without one by a recent sign-in; then one store transaction (personal data erased,
//! a "Former member" tombstone for the family's shared records, an empty family deleted), every
//! session ended on every instance, and the family's cached custody months deleted (they show
//! the member's name).

use calndr_domain::objects::own_photo_key;
use calndr_domain::{IdentityProvider, Password, SessionCutoff};
use chrono::{Duration, Utc};
use tracing::info;

use super::AccountService;
use crate::cache_keys::{every_custody_month, View};
use crate::jobs::{delete_object_job, revoke_apple_job};
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
        // The photo goes through the job queue in the deletion's transaction: retried until
        // the object is gone, and never queued for a deletion that rolled back.
        let photo = user
            .profile_photo_url
            .as_deref()
            .and_then(|url| own_photo_key(url, user.id));
        let mut jobs = photo
            .clone()
            .map(delete_object_job)
            .transpose()?
            .into_iter()
            .collect::<Vec<_>>();
        // Apple requires revoking its tokens when an account with Sign in with Apple goes.
        if let Some(token) = self
            .deps
            .accounts
            .identity_token(user.id, IdentityProvider::Apple)
            .await?
        {
            jobs.push(revoke_apple_job(&token)?);
        }
        let deleted = self
            .deps
            .accounts
            .delete_account(user.id, at, &jobs)
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
        // A photo uploaded between the read above and the deletion: removed the same way.
        let late = deleted
            .photo_url
            .as_deref()
            .and_then(|url| own_photo_key(url, user.id))
            .filter(|key| Some(key) != photo.as_ref());
        if let Some(key) = late {
            if let Err(e) = self.deps.jobs.enqueue(delete_object_job(key)?).await {
                tracing::warn!(user.id = %user.id, error = %e, "photo removal not queued");
            }
        }
        // The custody months show the member's name: deleted from the cache now, not at
        // their TTL. Events show no member names: retiring them is enough.
        if let Some(family) = deleted.family_id {
            self.deps
                .views
                .purge(family, View::Custody, &every_custody_month(family))
                .await;
            self.deps.views.bump(family, View::Events).await;
        }
        info!(
            user.id = %user.id,
            family_deleted = deleted.family_deleted,
            "account deleted"
        );
        Ok(())
    }
}
