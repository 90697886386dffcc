//! `EventStore` on `events`, and the school/daycare calendars reaching a family through
//! `families.school_sync_id` / `families.daycare_sync_id`.

use async_trait::async_trait;
use calndr_domain::{
    BoundedText, DateRange, Event, EventDraft, EventId, FamilyId, ProviderEvent, ProviderKind,
};
use calndr_ports::{EventStore, StoreError};
use chrono::{NaiveDate, NaiveTime};
use diesel::prelude::*;
use diesel::sql_types::{Date, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, TxError};
use crate::schema::events;
use crate::PgStore;

pub(crate) const CUSTODY: &str = "custody";
pub(crate) const CUSTODY_POSITION: i32 = 4;

#[derive(Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::pg::Pg))]
pub(crate) struct EventRow {
    id: i32,
    family_id: Uuid,
    date: NaiveDate,
    content: Option<String>,
    position: Option<i32>,
    event_type: String,
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Self {
        Self {
            id: EventId::new(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            date: r.date,
            content: r.content.map(BoundedText::from_stored),
            position: r.position,
            event_type: r.event_type,
        }
    }
}

/// The family's rows that are events (not legacy custody rows).
macro_rules! family_events {
    ($family:expr) => {
        events::table
            .filter(events::family_id.eq($family.as_uuid()))
            .filter(events::event_type.ne(CUSTODY))
            .filter(
                events::position
                    .is_null()
                    .or(events::position.ne(CUSTODY_POSITION)),
            )
    };
}
pub(crate) use family_events;

#[derive(QueryableByName)]
struct ProviderEventRow {
    #[diesel(sql_type = diesel::sql_types::Int4)]
    id: i32,
    #[diesel(sql_type = Date)]
    event_date: NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Varchar)]
    title: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    description: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Varchar>)]
    event_type: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Time>)]
    start_time: Option<NaiveTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Time>)]
    end_time: Option<NaiveTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Bool>)]
    all_day: Option<bool>,
    #[diesel(sql_type = diesel::sql_types::Int4)]
    provider_id: i32,
    #[diesel(sql_type = diesel::sql_types::Varchar)]
    provider_name: String,
}

/// School closures of the family's assigned, enabled school sync.
const SCHOOL_SQL: &str = "\
SELECT e.id, e.event_date, e.title, e.description, e.event_type, e.start_time, e.end_time, \
       e.all_day, p.id AS provider_id, p.name AS provider_name \
  FROM families f \
  JOIN school_calendar_syncs s ON s.id = f.school_sync_id AND s.sync_enabled = TRUE \
  JOIN school_events e ON e.school_provider_id = s.school_provider_id \
  JOIN school_providers p ON p.id = s.school_provider_id \
 WHERE f.id = $1 AND e.event_date BETWEEN $2 AND $3 AND e.event_type = 'closure' \
 ORDER BY e.event_date, e.start_time NULLS FIRST, e.id";

/// Every event of the family's assigned, enabled daycare sync.
const DAYCARE_SQL: &str = "\
SELECT e.id, e.event_date, e.title, e.description, e.event_type, e.start_time, e.end_time, \
       e.all_day, p.id AS provider_id, p.name AS provider_name \
  FROM families f \
  JOIN daycare_calendar_syncs s ON s.id = f.daycare_sync_id AND s.sync_enabled = TRUE \
  JOIN daycare_events e ON e.daycare_provider_id = s.daycare_provider_id \
  JOIN daycare_providers p ON p.id = s.daycare_provider_id \
 WHERE f.id = $1 AND e.event_date BETWEEN $2 AND $3 \
 ORDER BY e.event_date, e.start_time NULLS FIRST, e.id";

async fn provider_rows(
    conn: &mut AsyncPgConnection,
    sql: &'static str,
    family: FamilyId,
    range: DateRange,
) -> Result<Vec<ProviderEventRow>, diesel::result::Error> {
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(family.as_uuid())
        .bind::<Date, _>(range.start())
        .bind::<Date, _>(range.end())
        .load(conn)
        .await
}

fn provider_event(kind: ProviderKind, family: FamilyId, r: ProviderEventRow) -> ProviderEvent {
    ProviderEvent {
        kind,
        id: r.id,
        family_id: family,
        date: r.event_date,
        title: BoundedText::from_stored(r.title),
        description: r.description.map(BoundedText::from_stored),
        event_type: r.event_type,
        start_time: r.start_time,
        end_time: r.end_time,
        all_day: r.all_day.unwrap_or(false),
        provider_id: r.provider_id,
        provider_name: r.provider_name,
    }
}

#[async_trait]
impl EventStore for PgStore {
    async fn events_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<Event>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<EventRow> = family_events!(family)
            .filter(events::date.between(range.start(), range.end()))
            .order((events::date.asc(), events::id.asc()))
            .select(EventRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(Event::from).collect())
    }

    async fn provider_events_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<ProviderEvent>, StoreError> {
        let mut conn = self.read_conn().await?;
        let school = provider_rows(&mut conn, SCHOOL_SQL, family, range)
            .await
            .map_err(from_diesel)?;
        let daycare = provider_rows(&mut conn, DAYCARE_SQL, family, range)
            .await
            .map_err(from_diesel)?;
        let mut all: Vec<ProviderEvent> = school
            .into_iter()
            .map(|r| provider_event(ProviderKind::School, family, r))
            .chain(
                daycare
                    .into_iter()
                    .map(|r| provider_event(ProviderKind::Daycare, family, r)),
            )
            .collect();
        all.sort_by_key(|e| (e.date, e.start_time));
        Ok(all)
    }

    async fn create_event(
        &self,
        family: FamilyId,
        draft: &EventDraft,
    ) -> Result<Event, StoreError> {
        let mut conn = self.conn().await?;
        let row: EventRow = diesel::insert_into(events::table)
            .values((
                events::family_id.eq(family.as_uuid()),
                events::date.eq(draft.date),
                events::content.eq(draft.content.as_str()),
                events::position.eq(draft.position),
                events::event_type.eq("regular"),
            ))
            .returning(EventRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn update_event(
        &self,
        family: FamilyId,
        id: EventId,
        draft: &EventDraft,
    ) -> Result<(Event, Event), StoreError> {
        let mut conn = self.conn().await?;
        let draft = draft.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let before: Option<EventRow> = family_events!(family)
                .filter(events::id.eq(id.get()))
                .select(EventRow::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(before) = before else {
                return Err(TxError::Store(StoreError::NotFound));
            };
            let after: EventRow = diesel::update(events::table.find(id.get()))
                .set((
                    events::date.eq(draft.date),
                    events::content.eq(draft.content.as_str()),
                    events::position.eq(draft.position),
                ))
                .returning(EventRow::as_returning())
                .get_result(conn)
                .await?;
            Ok((Event::from(before), Event::from(after)))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn delete_event(&self, family: FamilyId, id: EventId) -> Result<Event, StoreError> {
        let mut conn = self.conn().await?;
        let gone: Option<EventRow> =
            diesel::delete(family_events!(family).filter(events::id.eq(id.get())))
                .returning(EventRow::as_returning())
                .get_result(&mut conn)
                .await
                .optional()
                .map_err(from_diesel)?;
        gone.map(Event::from).ok_or(StoreError::NotFound)
    }
}
