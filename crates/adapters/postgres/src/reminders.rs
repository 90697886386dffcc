//! `ReminderStore` on `reminders`.

use async_trait::async_trait;
use calndr_domain::{BoundedText, DateRange, FamilyId, Reminder, ReminderFields, ReminderId};
use calndr_ports::{ReminderStore, StoreError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::error::{from_diesel, one_row};
use crate::schema::reminders;
use crate::PgStore;

#[derive(Queryable, Selectable)]
#[diesel(table_name = reminders, check_for_backend(diesel::pg::Pg))]
pub(crate) struct ReminderRow {
    id: i32,
    family_id: Uuid,
    date: NaiveDate,
    text: String,
    notification_enabled: Option<bool>,
    notification_time: Option<NaiveTime>,
    created_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
}

impl From<ReminderRow> for Reminder {
    fn from(r: ReminderRow) -> Self {
        Self {
            id: ReminderId::new(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            date: r.date,
            text: BoundedText::from_stored(r.text),
            notification_enabled: r.notification_enabled.unwrap_or(false),
            notification_time: r.notification_time,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[async_trait]
impl ReminderStore for PgStore {
    async fn reminders_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<Reminder>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<ReminderRow> = reminders::table
            .filter(reminders::family_id.eq(family.as_uuid()))
            .filter(reminders::date.between(range.start(), range.end()))
            .order((reminders::date.asc(), reminders::id.asc()))
            .select(ReminderRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(Reminder::from).collect())
    }

    async fn reminder_on(
        &self,
        family: FamilyId,
        date: NaiveDate,
    ) -> Result<Option<Reminder>, StoreError> {
        let mut conn = self.read_conn().await?;
        let row: Option<ReminderRow> = reminders::table
            .filter(reminders::family_id.eq(family.as_uuid()))
            .filter(reminders::date.eq(date))
            .order(reminders::id.desc())
            .select(ReminderRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(row.map(Reminder::from))
    }

    async fn create_reminder(
        &self,
        family: FamilyId,
        date: NaiveDate,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        let mut conn = self.conn().await?;
        let at = at.naive_utc();
        let row: ReminderRow = diesel::insert_into(reminders::table)
            .values((
                reminders::family_id.eq(family.as_uuid()),
                reminders::date.eq(date),
                reminders::text.eq(fields.text.as_str()),
                reminders::notification_enabled.eq(fields.notification_enabled),
                reminders::notification_time.eq(fields.notification_time),
                reminders::created_at.eq(at),
                reminders::updated_at.eq(at),
            ))
            .returning(ReminderRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(|e| match from_diesel(e) {
                StoreError::Conflict(_) => StoreError::Conflict("reminder"),
                other => other,
            })?;
        Ok(row.into())
    }

    async fn update_reminder(
        &self,
        family: FamilyId,
        id: ReminderId,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ReminderRow> = diesel::update(
            reminders::table
                .filter(reminders::id.eq(id.get()))
                .filter(reminders::family_id.eq(family.as_uuid())),
        )
        .set((
            reminders::text.eq(fields.text.as_str()),
            reminders::notification_enabled.eq(fields.notification_enabled),
            reminders::notification_time.eq(fields.notification_time),
            reminders::updated_at.eq(at.naive_utc()),
        ))
        .returning(ReminderRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(Reminder::from).ok_or(StoreError::NotFound)
    }

    async fn delete_reminder(&self, family: FamilyId, id: ReminderId) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(
            reminders::table
                .filter(reminders::id.eq(id.get()))
                .filter(reminders::family_id.eq(family.as_uuid())),
        )
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        one_row(n)
    }
}
