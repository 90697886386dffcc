//! `MedicationStore` on `medications`.

use async_trait::async_trait;
use calndr_domain::{
    BoundedText, FamilyId, Medication, MedicationFields, MedicationId, MedicationPage,
    MedicationQuery, MedicationSort,
};
use calndr_ports::{MedicationStore, StoreError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use crate::error::{delete_of_family, from_diesel, TxError};
use crate::schema::medications;
use crate::PgStore;

#[derive(Queryable, Selectable)]
#[diesel(table_name = medications, check_for_backend(Pg))]
struct MedicationRow {
    id: i32,
    family_id: Uuid,
    name: String,
    dosage: Option<String>,
    frequency: Option<String>,
    instructions: Option<String>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    is_active: Option<bool>,
    reminder_enabled: Option<bool>,
    reminder_time: Option<NaiveTime>,
    notes: Option<String>,
    created_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
}

impl From<MedicationRow> for Medication {
    fn from(r: MedicationRow) -> Self {
        Self {
            id: MedicationId::new(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            fields: MedicationFields {
                name: BoundedText::from_stored(r.name),
                dosage: r.dosage.map(BoundedText::from_stored),
                frequency: r.frequency.map(BoundedText::from_stored),
                instructions: r.instructions.map(BoundedText::from_stored),
                start_date: r.start_date,
                end_date: r.end_date,
                // The columns' defaults: active, no reminder.
                is_active: r.is_active.unwrap_or(true),
                reminder_enabled: r.reminder_enabled.unwrap_or(false),
                reminder_time: r.reminder_time,
                notes: r.notes.map(BoundedText::from_stored),
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The family's medications matching the query's filters (no order, no page).
fn matching(family: FamilyId, q: &MedicationQuery) -> medications::BoxedQuery<'static, Pg> {
    let mut sel = medications::table
        .filter(medications::family_id.eq(family.as_uuid()))
        .into_boxed();
    let active = medications::is_active
        .eq(true)
        .or(medications::is_active.is_null());
    match q.is_active {
        Some(true) => sel = sel.filter(active),
        Some(false) => sel = sel.filter(medications::is_active.eq(false)),
        None => {}
    }
    match q.reminder_enabled {
        Some(true) => sel = sel.filter(medications::reminder_enabled.eq(true)),
        Some(false) => {
            sel = sel.filter(
                medications::reminder_enabled
                    .eq(false)
                    .or(medications::reminder_enabled.is_null()),
            );
        }
        None => {}
    }
    if let Some(day) = q.current_on {
        sel = sel
            .filter(
                medications::is_active
                    .eq(true)
                    .or(medications::is_active.is_null()),
            )
            .filter(
                medications::start_date
                    .is_null()
                    .or(medications::start_date.le(day)),
            )
            .filter(
                medications::end_date
                    .is_null()
                    .or(medications::end_date.ge(day)),
            );
    }
    sel
}

type MedicationValues<'a> = (
    diesel::dsl::Eq<medications::name, &'a str>,
    diesel::dsl::Eq<medications::dosage, Option<&'a str>>,
    diesel::dsl::Eq<medications::frequency, Option<&'a str>>,
    diesel::dsl::Eq<medications::instructions, Option<&'a str>>,
    diesel::dsl::Eq<medications::start_date, Option<NaiveDate>>,
    diesel::dsl::Eq<medications::end_date, Option<NaiveDate>>,
    diesel::dsl::Eq<medications::is_active, bool>,
    diesel::dsl::Eq<medications::reminder_enabled, bool>,
    diesel::dsl::Eq<medications::reminder_time, Option<NaiveTime>>,
    diesel::dsl::Eq<medications::notes, Option<&'a str>>,
);

fn medication_values(fields: &MedicationFields) -> MedicationValues<'_> {
    fn text(t: &Option<BoundedText>) -> Option<&str> {
        t.as_ref().map(BoundedText::as_str)
    }
    (
        medications::name.eq(fields.name.as_str()),
        medications::dosage.eq(text(&fields.dosage)),
        medications::frequency.eq(text(&fields.frequency)),
        medications::instructions.eq(text(&fields.instructions)),
        medications::start_date.eq(fields.start_date),
        medications::end_date.eq(fields.end_date),
        medications::is_active.eq(fields.is_active),
        medications::reminder_enabled.eq(fields.reminder_enabled),
        medications::reminder_time.eq(fields.reminder_time),
        medications::notes.eq(text(&fields.notes)),
    )
}

#[async_trait]
impl MedicationStore for PgStore {
    async fn medications(
        &self,
        family: FamilyId,
        query: MedicationQuery,
    ) -> Result<MedicationPage, StoreError> {
        let mut conn = self.read_conn().await?;
        let total: i64 = matching(family, &query)
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        let sel = matching(family, &query);
        let sel = match (query.sort, query.descending) {
            (MedicationSort::Name, false) => sel.order(medications::name.asc()),
            (MedicationSort::Name, true) => sel.order(medications::name.desc()),
            (MedicationSort::StartDate, false) => {
                sel.order(medications::start_date.asc().nulls_last())
            }
            (MedicationSort::StartDate, true) => {
                sel.order(medications::start_date.desc().nulls_last())
            }
            (MedicationSort::CreatedAt, false) => {
                sel.order(medications::created_at.asc().nulls_last())
            }
            (MedicationSort::CreatedAt, true) => {
                sel.order(medications::created_at.desc().nulls_last())
            }
        };
        let rows: Vec<MedicationRow> = sel
            .then_order_by(medications::id.asc())
            .offset(i64::try_from(query.offset()).unwrap_or(i64::MAX))
            .limit(i64::from(query.limit))
            .select(MedicationRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(MedicationPage {
            medications: rows.into_iter().map(Medication::from).collect(),
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    async fn medication(
        &self,
        family: FamilyId,
        id: MedicationId,
    ) -> Result<Medication, StoreError> {
        let mut conn = self.read_conn().await?;
        let row: MedicationRow = medications::table
            .filter(medications::id.eq(id.get()))
            .filter(medications::family_id.eq(family.as_uuid()))
            .select(MedicationRow::as_select())
            .first(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn create_medication(
        &self,
        family: FamilyId,
        fields: &MedicationFields,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError> {
        let mut conn = self.conn().await?;
        let at = at.naive_utc();
        let row: MedicationRow = diesel::insert_into(medications::table)
            .values((
                medications::family_id.eq(family.as_uuid()),
                medication_values(fields),
                medications::created_at.eq(at),
                medications::updated_at.eq(at),
            ))
            .returning(MedicationRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn replace_medication(
        &self,
        family: FamilyId,
        id: MedicationId,
        fields: &MedicationFields,
        read: Option<NaiveDateTime>,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError> {
        let mut conn = self.conn().await?;
        let fields = fields.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let of_family = medications::table
                .filter(medications::id.eq(id.get()))
                .filter(medications::family_id.eq(family.as_uuid()));
            let row: Option<MedicationRow> = diesel::update(
                of_family.filter(medications::updated_at.is_not_distinct_from(read)),
            )
            .set((
                medication_values(&fields),
                medications::updated_at.eq(at.naive_utc()),
            ))
            .returning(MedicationRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
            if let Some(row) = row {
                return Ok(Medication::from(row));
            }
            let exists: i64 = of_family.count().get_result(conn).await?;
            Err(TxError::Store(if exists > 0 {
                StoreError::Conflict("medication")
            } else {
                StoreError::NotFound
            }))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn delete_medication(
        &self,
        family: FamilyId,
        id: MedicationId,
    ) -> Result<(), StoreError> {
        delete_of_family!(self, medications, id = id.get(), family)
    }
}
