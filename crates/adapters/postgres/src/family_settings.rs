//! `FamilySettingsStore` on `family_settings` (one row per family that changed a setting).

use async_trait::async_trait;
use calndr_domain::{FamilyId, FamilySettings, FamilyTimeZone, UserId};
use calndr_ports::{FamilySettingsStore, StoreError};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::error::from_diesel;
use crate::PgStore;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    timezone: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    updated_by: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

impl From<Row> for FamilySettings {
    fn from(r: Row) -> Self {
        Self {
            timezone: FamilyTimeZone::from_stored(&r.timezone),
            updated_by: r.updated_by.map(UserId::from_uuid),
            updated_at: Some(r.updated_at),
        }
    }
}

#[async_trait]
impl FamilySettingsStore for PgStore {
    async fn family_settings(&self, family: FamilyId) -> Result<FamilySettings, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<Row> = diesel::sql_query(
            "SELECT timezone, updated_by, updated_at FROM family_settings WHERE family_id = $1",
        )
        .bind::<SqlUuid, _>(family.as_uuid())
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(rows.into_iter().next().map(Into::into).unwrap_or_default())
    }

    async fn set_family_timezone(
        &self,
        family: FamilyId,
        timezone: FamilyTimeZone,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<FamilySettings, StoreError> {
        let mut conn = self.conn().await?;
        // One statement: only a member of an existing family writes; no row back means neither.
        let rows: Vec<Row> = diesel::sql_query(
            "INSERT INTO family_settings (family_id, timezone, updated_by, updated_at) \
             SELECT f.id, $2, u.id, $4 FROM families f \
             JOIN users u ON u.family_id = f.id AND u.id = $3 WHERE f.id = $1 \
             ON CONFLICT (family_id) DO UPDATE SET timezone = EXCLUDED.timezone, \
             updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at \
             RETURNING timezone, updated_by, updated_at",
        )
        .bind::<SqlUuid, _>(family.as_uuid())
        .bind::<Text, _>(timezone.name())
        .bind::<SqlUuid, _>(by.as_uuid())
        .bind::<Timestamptz, _>(at)
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        rows.into_iter()
            .next()
            .map(Into::into)
            .ok_or(StoreError::NotFound)
    }
}
