//! [`FamilySettingsStore`] on the families of the [`MemoryStore`]: the settings live on the
//! family's row, so they go with it.

use async_trait::async_trait;
use calndr_domain::{FamilyId, FamilySettings, FamilyTimeZone, UserId};
use calndr_ports::{FamilySettingsStore, StoreError};
use chrono::{DateTime, Utc};

use crate::MemoryStore;

#[async_trait]
impl FamilySettingsStore for MemoryStore {
    async fn family_settings(&self, family: FamilyId) -> Result<FamilySettings, StoreError> {
        Ok(self
            .state()
            .families
            .get(&family)
            .and_then(|f| f.settings.clone())
            .unwrap_or_default())
    }

    async fn set_family_timezone(
        &self,
        family: FamilyId,
        timezone: FamilyTimeZone,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<FamilySettings, StoreError> {
        let mut s = self.state();
        let member = s
            .users
            .get(&by)
            .is_some_and(|u| u.family_id == Some(family));
        let row = s
            .families
            .get_mut(&family)
            .filter(|_| member)
            .ok_or(StoreError::NotFound)?;
        let settings = FamilySettings {
            timezone,
            updated_by: Some(by),
            // To the microsecond, as PostgreSQL's timestamptz keeps it.
            updated_at: Some(DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)),
        };
        row.settings = Some(settings.clone());
        Ok(settings)
    }
}
