//! `EmergencyContactStore` on `emergency_contacts`.

use async_trait::async_trait;
use calndr_domain::{
    BoundedText, EmergencyContact, EmergencyContactDraft, EmergencyContactId, FamilyId, PersonName,
    PhoneNumber, ShortText, UserId,
};
use calndr_ports::{EmergencyContactStore, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::error::{delete_of_family, from_diesel};
use crate::schema::emergency_contacts;
use crate::PgStore;

#[derive(Queryable, Selectable)]
#[diesel(table_name = emergency_contacts, check_for_backend(Pg))]
struct ContactRow {
    id: i32,
    family_id: Uuid,
    first_name: String,
    last_name: String,
    phone_number: String,
    relationship: Option<String>,
    notes: Option<String>,
    created_by_user_id: Uuid,
    created_at: Option<NaiveDateTime>,
}

impl From<ContactRow> for EmergencyContact {
    fn from(r: ContactRow) -> Self {
        Self {
            id: EmergencyContactId::new(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            first_name: PersonName::from_stored(r.first_name),
            last_name: PersonName::from_stored(r.last_name),
            phone_number: PhoneNumber::from_stored(r.phone_number),
            relationship: r.relationship.map(ShortText::from_stored),
            notes: r.notes.map(BoundedText::from_stored),
            created_by: UserId::from_uuid(r.created_by_user_id),
            created_at: r.created_at,
        }
    }
}

#[async_trait]
impl EmergencyContactStore for PgStore {
    async fn emergency_contacts(
        &self,
        family: FamilyId,
    ) -> Result<Vec<EmergencyContact>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<ContactRow> = emergency_contacts::table
            .filter(emergency_contacts::family_id.eq(family.as_uuid()))
            .order((
                emergency_contacts::first_name.asc(),
                emergency_contacts::last_name.asc(),
                emergency_contacts::id.asc(),
            ))
            .select(ContactRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(EmergencyContact::from).collect())
    }

    async fn create_emergency_contact(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &EmergencyContactDraft,
        at: DateTime<Utc>,
    ) -> Result<EmergencyContact, StoreError> {
        let mut conn = self.conn().await?;
        let row: ContactRow = diesel::insert_into(emergency_contacts::table)
            .values((
                emergency_contacts::family_id.eq(family.as_uuid()),
                emergency_contacts::first_name.eq(draft.first_name.as_str()),
                emergency_contacts::last_name.eq(draft.last_name.as_str()),
                emergency_contacts::phone_number.eq(draft.phone_number.as_str()),
                emergency_contacts::relationship
                    .eq(draft.relationship.as_ref().map(ShortText::as_str)),
                emergency_contacts::notes.eq(draft.notes.as_ref().map(BoundedText::as_str)),
                emergency_contacts::created_by_user_id.eq(by.as_uuid()),
                emergency_contacts::created_at.eq(at.naive_utc()),
            ))
            .returning(ContactRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn update_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
        draft: &EmergencyContactDraft,
    ) -> Result<EmergencyContact, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ContactRow> = diesel::update(
            emergency_contacts::table
                .filter(emergency_contacts::id.eq(id.get()))
                .filter(emergency_contacts::family_id.eq(family.as_uuid())),
        )
        .set((
            emergency_contacts::first_name.eq(draft.first_name.as_str()),
            emergency_contacts::last_name.eq(draft.last_name.as_str()),
            emergency_contacts::phone_number.eq(draft.phone_number.as_str()),
            emergency_contacts::relationship.eq(draft.relationship.as_ref().map(ShortText::as_str)),
            emergency_contacts::notes.eq(draft.notes.as_ref().map(BoundedText::as_str)),
        ))
        .returning(ContactRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(EmergencyContact::from).ok_or(StoreError::NotFound)
    }

    async fn delete_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
    ) -> Result<(), StoreError> {
        delete_of_family!(self, emergency_contacts, id = id.get(), family)
    }
}
