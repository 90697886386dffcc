//! [`FamilyStore`] on the users of the [`MemoryStore`].

use async_trait::async_trait;
use calndr_domain::{FamilyId, FamilyMember, NewUser, User, UserStatus};
use calndr_ports::{FamilyStore, StoreError};

use crate::MemoryStore;

#[async_trait]
impl FamilyStore for MemoryStore {
    async fn members(&self, family: FamilyId) -> Result<Vec<FamilyMember>, StoreError> {
        let state = self.state();
        let mut members: Vec<FamilyMember> = state
            .users
            .values()
            .filter(|u| u.family_id == Some(family))
            .map(|u| {
                let extras = state.extras.get(&u.id);
                FamilyMember {
                    user: u.clone(),
                    last_known_location: extras.and_then(|e| e.last_known_location.clone()),
                    last_known_location_at: extras.and_then(|e| e.last_known_location_timestamp),
                    device_token: extras.and_then(|e| e.apns_token.clone()),
                }
            })
            .collect();
        // created_at ascending, NULLs last, then id.
        members.sort_by(|a, b| {
            (a.user.created_at.is_none(), a.user.created_at, a.user.id).cmp(&(
                b.user.created_at.is_none(),
                b.user.created_at,
                b.user.id,
            ))
        });
        Ok(members)
    }

    async fn add_invited_member(
        &self,
        family: FamilyId,
        user: NewUser,
    ) -> Result<User, StoreError> {
        let mut state = self.state();
        if !state.families.contains_key(&family) {
            return Err(StoreError::NotFound);
        }
        if state.email_taken(&user.email) {
            return Err(StoreError::Conflict("email"));
        }
        let mut created = state.insert_user(user, family, false, false)?;
        created.status = Some(UserStatus::Invited);
        state.users.insert(created.id, created.clone());
        Ok(created)
    }
}
