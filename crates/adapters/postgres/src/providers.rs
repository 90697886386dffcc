//! `ProviderStore` on `daycare_providers` / `school_providers` with their `*_calendar_syncs` and
//! `*_events`.
//!
//! Plain SQL (`sql_query`) with bound parameters: the NUMERIC columns (`rating`, `latitude`,
//! `longitude`) are read as `float8` and written through `CAST(... AS NUMERIC)`, so no decimal
//! crate is needed. Table and column names come from [`Tables`] (constants), never from input.

use async_trait::async_trait;
use calndr_domain::providers::classify_event;
use calndr_domain::{
    BoundedText, CalendarEvent, CalendarSync, EmailAddress, FamilyId, Provider, ProviderFields,
    ProviderId, ProviderKind, Rating, ShortText, UserId, WebUrl,
};
use calndr_ports::{ProviderStore, StoreError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::sql_types::{
    Array, Bool, Date, Float8, Int4, Nullable, Text, Timestamp, Timestamptz, Uuid as SqlUuid,
};
use diesel::{OptionalExtension as _, QueryableByName};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, one_row, TxError};
use crate::PgStore;

/// The tables of one provider kind.
struct Tables {
    providers: &'static str,
    syncs: &'static str,
    events: &'static str,
    /// The provider column of `syncs` and `events`.
    fk: &'static str,
    /// The column of `families` pointing at the followed sync.
    family_sync: &'static str,
}

const fn tables(kind: ProviderKind) -> Tables {
    match kind {
        ProviderKind::Daycare => Tables {
            providers: "daycare_providers",
            syncs: "daycare_calendar_syncs",
            events: "daycare_events",
            fk: "daycare_provider_id",
            family_sync: "daycare_sync_id",
        },
        ProviderKind::School => Tables {
            providers: "school_providers",
            syncs: "school_calendar_syncs",
            events: "school_events",
            fk: "school_provider_id",
            family_sync: "school_sync_id",
        },
    }
}

const PROVIDER_COLS: &str = "id, family_id, name, address, phone_number, email, hours, notes, \
     google_place_id, rating::float8 AS rating, website, created_by_user_id, created_at, updated_at";

#[derive(QueryableByName)]
struct ProviderRow {
    #[diesel(sql_type = Int4)]
    id: i32,
    #[diesel(sql_type = SqlUuid)]
    family_id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    address: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    phone_number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    hours: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    notes: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    google_place_id: Option<String>,
    #[diesel(sql_type = Nullable<Float8>)]
    rating: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    website: Option<String>,
    #[diesel(sql_type = SqlUuid)]
    created_by_user_id: Uuid,
    #[diesel(sql_type = Nullable<Timestamp>)]
    created_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    updated_at: Option<NaiveDateTime>,
}

fn provider(kind: ProviderKind, r: ProviderRow) -> Provider {
    Provider {
        kind,
        id: ProviderId::new(r.id),
        family_id: FamilyId::from_uuid(r.family_id),
        fields: ProviderFields {
            name: ShortText::from_stored(r.name),
            address: r.address.map(BoundedText::from_stored),
            phone_number: r.phone_number.map(ShortText::from_stored),
            email: r.email.map(EmailAddress::from_stored),
            hours: r.hours.map(ShortText::from_stored),
            notes: r.notes.map(BoundedText::from_stored),
            google_place_id: r.google_place_id.map(ShortText::from_stored),
            rating: r.rating.map(Rating::from_stored),
            website: r.website.map(WebUrl::from_stored),
        },
        created_by: UserId::from_uuid(r.created_by_user_id),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub(crate) fn owned<T>(v: &Option<T>, f: impl Fn(&T) -> &str) -> Option<String> {
    v.as_ref().map(|x| f(x).to_owned())
}

/// Binds the nine fields of `ProviderFields` as the next nine parameters.
macro_rules! bind_provider {
    ($q:expr, $f:expr) => {
        $q.bind::<Text, _>($f.name.as_str().to_owned())
            .bind::<Nullable<Text>, _>(owned(&$f.address, BoundedText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$f.phone_number, ShortText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$f.email, EmailAddress::as_str))
            .bind::<Nullable<Text>, _>(owned(&$f.hours, ShortText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$f.notes, BoundedText::as_str))
            .bind::<Nullable<Text>, _>(owned(&$f.google_place_id, ShortText::as_str))
            .bind::<Nullable<Float8>, _>($f.rating.map(Rating::get))
            .bind::<Nullable<Text>, _>(owned(&$f.website, WebUrl::as_str))
    };
}

#[derive(QueryableByName)]
struct SyncRow {
    #[diesel(sql_type = Int4)]
    id: i32,
    #[diesel(sql_type = Text)]
    calendar_url: String,
    #[diesel(sql_type = Nullable<Bool>)]
    sync_enabled: Option<bool>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_sync_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Bool>)]
    last_sync_success: Option<bool>,
    #[diesel(sql_type = Nullable<Int4>)]
    events_count: Option<i32>,
}

const SYNC_COLS: &str =
    "id, calendar_url, sync_enabled, last_sync_at, last_sync_success, events_count";

impl From<SyncRow> for CalendarSync {
    fn from(r: SyncRow) -> Self {
        Self {
            id: r.id,
            calendar_url: WebUrl::from_stored(r.calendar_url),
            sync_enabled: r.sync_enabled.unwrap_or(true),
            last_sync_at: r.last_sync_at,
            last_sync_success: r.last_sync_success,
            events_count: r.events_count.unwrap_or(0),
        }
    }
}

#[derive(QueryableByName)]
struct CalendarRow {
    #[diesel(sql_type = Date)]
    event_date: NaiveDate,
    #[diesel(sql_type = Text)]
    title: String,
}

/// The provider of the family, locked for the rest of the transaction when `lock`.
async fn find_provider(
    conn: &mut AsyncPgConnection,
    kind: ProviderKind,
    family: FamilyId,
    id: ProviderId,
    lock: bool,
) -> Result<Provider, TxError> {
    let t = tables(kind);
    let sql = format!(
        "SELECT {PROVIDER_COLS} FROM {} WHERE id = $1 AND family_id = $2{}",
        t.providers,
        if lock { " FOR UPDATE" } else { "" }
    );
    let row: Option<ProviderRow> = diesel::sql_query(sql)
        .bind::<Int4, _>(id.get())
        .bind::<SqlUuid, _>(family.as_uuid())
        .get_result(conn)
        .await
        .optional()?;
    row.map(|r| provider(kind, r))
        .ok_or(TxError::Store(StoreError::NotFound))
}

#[async_trait]
impl ProviderStore for PgStore {
    async fn providers(
        &self,
        kind: ProviderKind,
        family: FamilyId,
    ) -> Result<Vec<Provider>, StoreError> {
        let mut conn = self.read_conn().await?;
        let sql = format!(
            "SELECT {PROVIDER_COLS} FROM {} WHERE family_id = $1 \
             ORDER BY created_at DESC NULLS LAST, id DESC",
            tables(kind).providers
        );
        let rows: Vec<ProviderRow> = diesel::sql_query(sql)
            .bind::<SqlUuid, _>(family.as_uuid())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(|r| provider(kind, r)).collect())
    }

    async fn provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<Provider, StoreError> {
        let mut conn = self.read_conn().await?;
        find_provider(&mut conn, kind, family, id, false)
            .await
            .map_err(TxError::into_store)
    }

    async fn create_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        created_by: UserId,
        fields: &ProviderFields,
        at: DateTime<Utc>,
    ) -> Result<Provider, StoreError> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "INSERT INTO {} (family_id, name, address, phone_number, email, hours, notes, \
             google_place_id, rating, website, created_by_user_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS NUMERIC), $10, $11, $12, $12) \
             RETURNING {PROVIDER_COLS}",
            tables(kind).providers
        );
        let q = diesel::sql_query(sql).bind::<SqlUuid, _>(family.as_uuid());
        let row: ProviderRow = bind_provider!(q, fields)
            .bind::<SqlUuid, _>(created_by.as_uuid())
            .bind::<Timestamp, _>(at.naive_utc())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(provider(kind, row))
    }

    async fn update_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
        fields: &ProviderFields,
        at: DateTime<Utc>,
    ) -> Result<Provider, StoreError> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "UPDATE {} SET name = $3, address = $4, phone_number = $5, email = $6, hours = $7, \
             notes = $8, google_place_id = $9, rating = CAST($10 AS NUMERIC), website = $11, \
             updated_at = $12 WHERE id = $1 AND family_id = $2 RETURNING {PROVIDER_COLS}",
            tables(kind).providers
        );
        let q = diesel::sql_query(sql)
            .bind::<Int4, _>(id.get())
            .bind::<SqlUuid, _>(family.as_uuid());
        let row: Option<ProviderRow> = bind_provider!(q, fields)
            .bind::<Timestamp, _>(at.naive_utc())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        row.map(|r| provider(kind, r)).ok_or(StoreError::NotFound)
    }

    async fn delete_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        // Explicit rather than trusting ON DELETE CASCADE / SET NULL: a database adopted from
        // the original may lack those foreign keys.
        conn.transaction::<_, TxError, _>(async move |conn| {
            find_provider(conn, kind, family, id, true).await?;
            let t = tables(kind);
            let statements = [
                format!(
                    "UPDATE families SET {col} = NULL WHERE {col} IN \
                     (SELECT id FROM {syncs} WHERE {fk} = $1)",
                    col = t.family_sync,
                    syncs = t.syncs,
                    fk = t.fk
                ),
                format!("DELETE FROM {} WHERE {} = $1", t.events, t.fk),
                format!("DELETE FROM {} WHERE {} = $1", t.syncs, t.fk),
                format!("DELETE FROM {} WHERE id = $1", t.providers),
            ];
            let mut last = 0;
            for sql in statements {
                last = diesel::sql_query(sql)
                    .bind::<Int4, _>(id.get())
                    .execute(conn)
                    .await?;
            }
            one_row(last)?;
            Ok(())
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn calendar_sync(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<(Provider, Option<CalendarSync>), StoreError> {
        let mut conn = self.read_conn().await?;
        let p = find_provider(&mut conn, kind, family, id, false)
            .await
            .map_err(TxError::into_store)?;
        let t = tables(kind);
        let sql = format!(
            "SELECT {SYNC_COLS} FROM {} WHERE {} = $1 \
             ORDER BY last_sync_at DESC NULLS LAST, created_at DESC NULLS LAST, id DESC LIMIT 1",
            t.syncs, t.fk
        );
        let sync: Option<SyncRow> = diesel::sql_query(sql)
            .bind::<Int4, _>(id.get())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok((p, sync.map(CalendarSync::from)))
    }

    async fn replace_calendar(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
        url: &WebUrl,
        events: &[CalendarEvent],
        at: DateTime<Utc>,
    ) -> Result<(Provider, CalendarSync), StoreError> {
        let mut conn = self.conn().await?;
        let url = url.as_str().to_owned();
        let dates: Vec<NaiveDate> = events.iter().map(|e| e.date).collect();
        let titles: Vec<String> = events.iter().map(|e| e.title.as_str().to_owned()).collect();
        let types: Vec<String> = events
            .iter()
            .map(|e| classify_event(kind, e.title.as_str()).to_owned())
            .collect();
        let count = i32::try_from(events.len()).unwrap_or(i32::MAX);
        conn.transaction::<_, TxError, _>(async move |conn| {
            // The provider row lock serialises concurrent parses of one provider, so the sync
            // upsert below cannot create two rows for one URL (schools have no unique key).
            let p = find_provider(conn, kind, family, id, true).await?;
            let t = tables(kind);
            diesel::sql_query(format!("DELETE FROM {} WHERE {} = $1", t.events, t.fk))
                .bind::<Int4, _>(id.get())
                .execute(conn)
                .await?;
            diesel::sql_query(format!(
                "INSERT INTO {} ({}, event_date, title, event_type, all_day, created_at, \
                 updated_at) SELECT $1, d, ti, ty, TRUE, $5, $5 \
                 FROM unnest($2::date[], $3::text[], $4::text[]) AS u(d, ti, ty)",
                t.events, t.fk
            ))
            .bind::<Int4, _>(id.get())
            .bind::<Array<Date>, _>(dates)
            .bind::<Array<Text>, _>(titles)
            .bind::<Array<Text>, _>(types)
            .bind::<Timestamptz, _>(at)
            .execute(conn)
            .await?;
            let updated: Option<SyncRow> = diesel::sql_query(format!(
                "UPDATE {} SET last_sync_at = $3, last_sync_success = TRUE, \
                 last_sync_error = NULL, events_count = $4, sync_enabled = TRUE, updated_at = $3 \
                 WHERE {} = $1 AND calendar_url = $2 RETURNING {SYNC_COLS}",
                t.syncs, t.fk
            ))
            .bind::<Int4, _>(id.get())
            .bind::<Text, _>(&url)
            .bind::<Timestamptz, _>(at)
            .bind::<Int4, _>(count)
            .get_result(conn)
            .await
            .optional()?;
            let sync = match updated {
                Some(s) => s,
                None => {
                    diesel::sql_query(format!(
                        "INSERT INTO {} ({}, calendar_url, last_sync_at, last_sync_success, \
                         last_sync_error, events_count, sync_enabled, created_at, updated_at) \
                         VALUES ($1, $2, $3, TRUE, NULL, $4, TRUE, $3, $3) RETURNING {SYNC_COLS}",
                        t.syncs, t.fk
                    ))
                    .bind::<Int4, _>(id.get())
                    .bind::<Text, _>(&url)
                    .bind::<Timestamptz, _>(at)
                    .bind::<Int4, _>(count)
                    .get_result(conn)
                    .await?
                }
            };
            diesel::sql_query(format!(
                "UPDATE families SET {} = $2 WHERE id = $1",
                t.family_sync
            ))
            .bind::<SqlUuid, _>(family.as_uuid())
            .bind::<Int4, _>(sync.id)
            .execute(conn)
            .await?;
            Ok((p, CalendarSync::from(sync)))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn school_calendar(&self, family: FamilyId) -> Result<Vec<CalendarEvent>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<CalendarRow> = diesel::sql_query(
            "SELECT e.event_date, e.title \
               FROM families f \
               JOIN school_calendar_syncs s ON s.id = f.school_sync_id \
                    AND s.sync_enabled IS NOT FALSE \
               JOIN school_providers p ON p.id = s.school_provider_id AND p.family_id = f.id \
               JOIN school_events e ON e.school_provider_id = p.id \
              WHERE f.id = $1 \
              ORDER BY e.event_date, e.title, e.id",
        )
        .bind::<SqlUuid, _>(family.as_uuid())
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|r| CalendarEvent {
                date: r.event_date,
                title: ShortText::from_stored(r.title),
            })
            .collect())
    }
}
