//! `MedicalProviderStore` on `medical_providers`, in plain SQL like the daycares and schools
//! (NUMERIC columns read as `float8`, written through a cast).

use async_trait::async_trait;
use calndr_domain::{
    BoundedText, EmailAddress, FamilyId, MedicalChanges, MedicalProvider, MedicalProviderId,
    Rating, ShortText, UserId, WebUrl,
};
use calndr_ports::{MedicalProviderStore, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::sql_types::{Float8, Int4, Nullable, Text, Timestamp, Uuid as SqlUuid};
use diesel::{OptionalExtension as _, QueryableByName};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::error::{from_diesel, one_row};
use crate::providers::owned;
use crate::PgStore;

const MEDICAL_COLS: &str = "id, family_id, name, specialty, address, phone, email, website, \
     latitude::float8 AS latitude, longitude::float8 AS longitude, zip_code, notes, \
     google_place_id, rating::float8 AS rating, created_by_user_id, created_at, updated_at";

#[derive(QueryableByName)]
struct MedicalRow {
    #[diesel(sql_type = Int4)]
    id: i32,
    #[diesel(sql_type = SqlUuid)]
    family_id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    specialty: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    address: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    phone: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    website: Option<String>,
    #[diesel(sql_type = Nullable<Float8>)]
    latitude: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    longitude: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    zip_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    notes: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    google_place_id: Option<String>,
    #[diesel(sql_type = Nullable<Float8>)]
    rating: Option<f64>,
    #[diesel(sql_type = SqlUuid)]
    created_by_user_id: Uuid,
    #[diesel(sql_type = Nullable<Timestamp>)]
    created_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    updated_at: Option<NaiveDateTime>,
}

impl From<MedicalRow> for MedicalProvider {
    fn from(r: MedicalRow) -> Self {
        Self {
            id: MedicalProviderId::new(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            name: ShortText::from_stored(r.name),
            specialty: r.specialty.map(ShortText::from_stored),
            address: r.address.map(BoundedText::from_stored),
            phone: r.phone.map(ShortText::from_stored),
            email: r.email.map(EmailAddress::from_stored),
            website: r.website.map(WebUrl::from_stored),
            latitude: r.latitude,
            longitude: r.longitude,
            zip_code: r.zip_code.map(ShortText::from_stored),
            notes: r.notes.map(BoundedText::from_stored),
            google_place_id: r.google_place_id.map(ShortText::from_stored),
            rating: r.rating.map(Rating::from_stored),
            created_by: UserId::from_uuid(r.created_by_user_id),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Binds the twelve fields of `MedicalChanges` as `$3..$14` (`$1`, `$2` are bound before).
macro_rules! bind_medical {
    ($q:expr, $c:expr) => {
        $q.bind::<Nullable<Text>, _>(owned(&$c.name, ShortText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$c.specialty, ShortText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$c.address, BoundedText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$c.phone, ShortText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$c.email, EmailAddress::as_str))
            .bind::<Nullable<Text>, _>(owned(&$c.website, WebUrl::as_str))
            .bind::<Nullable<Float8>, _>($c.latitude)
            .bind::<Nullable<Float8>, _>($c.longitude)
            .bind::<Nullable<Text>, _>(owned(&$c.zip_code, ShortText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$c.notes, BoundedText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$c.google_place_id, ShortText::as_str))
            .bind::<Nullable<Float8>, _>($c.rating.map(Rating::get))
    };
}

#[async_trait]
impl MedicalProviderStore for PgStore {
    async fn medical_providers(
        &self,
        family: FamilyId,
    ) -> Result<Vec<MedicalProvider>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<MedicalRow> = diesel::sql_query(format!(
            "SELECT {MEDICAL_COLS} FROM medical_providers WHERE family_id = $1 ORDER BY name, id"
        ))
        .bind::<SqlUuid, _>(family.as_uuid())
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(rows.into_iter().map(MedicalProvider::from).collect())
    }

    async fn medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
    ) -> Result<MedicalProvider, StoreError> {
        let mut conn = self.read_conn().await?;
        let row: Option<MedicalRow> = diesel::sql_query(format!(
            "SELECT {MEDICAL_COLS} FROM medical_providers WHERE id = $1 AND family_id = $2"
        ))
        .bind::<Int4, _>(id.get())
        .bind::<SqlUuid, _>(family.as_uuid())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(MedicalProvider::from).ok_or(StoreError::NotFound)
    }

    async fn create_medical_provider(
        &self,
        family: FamilyId,
        created_by: UserId,
        changes: &MedicalChanges,
        at: DateTime<Utc>,
    ) -> Result<MedicalProvider, StoreError> {
        let mut conn = self.conn().await?;
        let q = diesel::sql_query(format!(
            "INSERT INTO medical_providers (family_id, created_by_user_id, name, specialty, \
             address, phone, email, website, latitude, longitude, zip_code, notes, \
             google_place_id, rating, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS NUMERIC), CAST($10 AS NUMERIC), \
             $11, $12, $13, CAST($14 AS NUMERIC), $15, $15) RETURNING {MEDICAL_COLS}"
        ))
        .bind::<SqlUuid, _>(family.as_uuid())
        .bind::<SqlUuid, _>(created_by.as_uuid());
        let row: MedicalRow = bind_medical!(q, changes)
            .bind::<Timestamp, _>(at.naive_utc())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn update_medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
        changes: &MedicalChanges,
        at: DateTime<Utc>,
    ) -> Result<MedicalProvider, StoreError> {
        let mut conn = self.conn().await?;
        let q = diesel::sql_query(format!(
            "UPDATE medical_providers SET name = COALESCE($3, name), \
             specialty = COALESCE($4, specialty), address = COALESCE($5, address), \
             phone = COALESCE($6, phone), email = COALESCE($7, email), \
             website = COALESCE($8, website), \
             latitude = COALESCE(CAST($9 AS NUMERIC), latitude), \
             longitude = COALESCE(CAST($10 AS NUMERIC), longitude), \
             zip_code = COALESCE($11, zip_code), notes = COALESCE($12, notes), \
             google_place_id = COALESCE($13, google_place_id), \
             rating = COALESCE(CAST($14 AS NUMERIC), rating), updated_at = $15 \
             WHERE id = $1 AND family_id = $2 RETURNING {MEDICAL_COLS}"
        ))
        .bind::<Int4, _>(id.get())
        .bind::<SqlUuid, _>(family.as_uuid());
        let row: Option<MedicalRow> = bind_medical!(q, changes)
            .bind::<Timestamp, _>(at.naive_utc())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        row.map(MedicalProvider::from).ok_or(StoreError::NotFound)
    }

    async fn delete_medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::sql_query("DELETE FROM medical_providers WHERE id = $1 AND family_id = $2")
            .bind::<Int4, _>(id.get())
            .bind::<SqlUuid, _>(family.as_uuid())
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        one_row(n)
    }
}
