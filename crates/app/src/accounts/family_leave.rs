//! Leaving a family (`POST /family/leave`, issue #14): the caller moves into a new empty family
//! of their own, as a fresh registration would give them; the old family's members stop seeing
//! them at once and its custodian list shows the placeholder second parent again; the
//! enrollment codes (and so the invitations) the caller made for the old family stop working.

use calndr_domain::NewFamily;
use calndr_ports::FamilyDeparture;
use chrono::Utc;
use tracing::info;

use super::AccountService;
use crate::cache_keys::View;
use crate::{AppError, Principal};

impl AccountService {
    pub async fn leave_family(&self, who: &Principal) -> Result<(), AppError> {
        let user = self.user(who.user_id).await?;
        let family = NewFamily::for_first_member(&user.first_name);
        let departure = self
            .deps
            .accounts
            .leave_family(user.id, family, Utc::now())
            .await
            .map_err(|e| match e {
                calndr_ports::StoreError::NotFound => AppError::NotAuthenticated,
                other => other.into(),
            })?;
        match departure {
            FamilyDeparture::NoFamily => Err(AppError::NoFamily),
            // Nothing to leave is a conflict with the family's state, not a bad request: the same
            // call succeeds once someone else has joined.
            FamilyDeparture::OnlyMember => Err(AppError::Conflict(
                "You are the only member of this family; there is no one to leave".into(),
            )),
            FamilyDeparture::Left { old_family } => {
                // Every instance reads the new family at the caller's next request.
                self.deps.auth.forget(user.id).await;
                for view in [View::Custody, View::Events] {
                    self.deps.views.bump(old_family, view).await;
                }
                info!(
                    user.id = %user.id,
                    family.id = %old_family,
                    "member left the family"
                );
                Ok(())
            }
        }
    }
}
