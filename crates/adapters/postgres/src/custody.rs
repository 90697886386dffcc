//! `CustodyStore` on `custody`.
//!
//! Custody writes lock the family's `families` row first (`SELECT ... FOR UPDATE`), so two
//! parents writing the same family's days are serialised: each unit of work reads, plans and
//! upserts with no other writer in between.

use std::collections::BTreeMap;

use async_trait::async_trait;
use calndr_domain::{CustodyDay, CustodyId, FamilyId, HandoffTime, UserId};
use calndr_ports::{
    CustodyPlan, CustodyRecord, CustodyStats, CustodyStore, NamedCustodyRecord, NewJob, StoreError,
    Timeline,
};
use chrono::{NaiveDate, NaiveTime, Utc};
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, TxError};
use crate::family::lock_family;
use crate::jobs::insert_jobs;
use crate::pool::Conn;
use crate::schema::{custody, users};
use crate::PgStore;

pub(crate) type DayRow = (
    i32,
    NaiveDate,
    Uuid,
    Option<bool>,
    Option<NaiveTime>,
    Option<String>,
);

/// Days joined to their custodian's first name (the month view's and the export's rows).
pub(crate) fn named(rows: Vec<(DayRow, Option<String>)>) -> Vec<NamedCustodyRecord> {
    rows.into_iter()
        .map(|(r, name)| NamedCustodyRecord {
            record: record(r),
            custodian_name: name,
        })
        .collect()
}

pub(crate) fn record(r: DayRow) -> CustodyRecord {
    let (id, date, custodian, handoff_day, time, location) = r;
    CustodyRecord {
        id: CustodyId::new(id),
        day: CustodyDay {
            date,
            custodian: UserId::from_uuid(custodian),
            handoff_day: handoff_day.unwrap_or(false),
            handoff_time: time.map(HandoffTime::from_stored),
            handoff_location: location,
        },
    }
}

macro_rules! day_columns {
    () => {
        (
            custody::id,
            custody::date,
            custody::custodian_id,
            custody::handoff_day,
            custody::handoff_time,
            custody::handoff_location,
        )
    };
}
pub(crate) use day_columns;

async fn load_days(
    conn: &mut Conn,
    family: FamilyId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CustodyRecord>, diesel::result::Error> {
    let rows: Vec<DayRow> = custody::table
        .filter(custody::family_id.eq(family.as_uuid()))
        .filter(custody::date.between(from, to))
        .order(custody::date.asc())
        .select(day_columns!())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(record).collect())
}

pub(crate) async fn timeline(
    conn: &mut Conn,
    family: FamilyId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Timeline, diesel::result::Error> {
    Ok(load_days(conn, family, from, to)
        .await?
        .into_iter()
        .map(|r| (r.day.date, r.day))
        .collect::<BTreeMap<_, _>>())
}

/// Upserts `days` by (family, date) in statements of at most 1000 rows.
pub(crate) async fn upsert_days(
    conn: &mut Conn,
    family: FamilyId,
    actor: UserId,
    days: &[CustodyDay],
) -> Result<Vec<CustodyRecord>, diesel::result::Error> {
    let now = Utc::now().naive_utc();
    let mut out = Vec::with_capacity(days.len());
    for chunk in days.chunks(1000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|d| {
                (
                    custody::family_id.eq(family.as_uuid()),
                    custody::date.eq(d.date),
                    custody::actor_id.eq(actor.as_uuid()),
                    custody::custodian_id.eq(d.custodian.as_uuid()),
                    custody::handoff_day.eq(Some(d.handoff_day)),
                    custody::handoff_time.eq(d.handoff_time.map(|t| t.as_time())),
                    custody::handoff_location.eq(d.handoff_location.as_deref()),
                    custody::created_at.eq(Some(now)),
                )
            })
            .collect();
        let rows: Vec<DayRow> = diesel::insert_into(custody::table)
            .values(values)
            .on_conflict((custody::family_id, custody::date))
            .do_update()
            .set((
                custody::actor_id.eq(excluded(custody::actor_id)),
                custody::custodian_id.eq(excluded(custody::custodian_id)),
                custody::handoff_day.eq(excluded(custody::handoff_day)),
                custody::handoff_time.eq(excluded(custody::handoff_time)),
                custody::handoff_location.eq(excluded(custody::handoff_location)),
            ))
            .returning(day_columns!())
            .get_results(conn)
            .await?;
        out.extend(rows.into_iter().map(record));
    }
    out.sort_by_key(|r| r.day.date);
    Ok(out)
}

#[async_trait]
impl CustodyStore for PgStore {
    async fn days(
        &self,
        family: FamilyId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        // The primary, not the replica: a read right after a write must see it.
        let mut conn = self.conn().await?;
        load_days(&mut conn, family, from, to)
            .await
            .map_err(from_diesel)
    }

    async fn days_with_names(
        &self,
        family: FamilyId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<NamedCustodyRecord>, StoreError> {
        // One statement (the month view's only read), on the primary like `days`.
        let mut conn = self.conn().await?;
        let rows: Vec<(DayRow, Option<String>)> = custody::table
            .left_join(users::table)
            .filter(custody::family_id.eq(family.as_uuid()))
            .filter(custody::date.between(from, to))
            .order(custody::date.asc())
            .select((day_columns!(), users::first_name.nullable()))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(named(rows))
    }

    async fn latest_days(
        &self,
        family: FamilyId,
        limit: i64,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<DayRow> = custody::table
            .filter(custody::family_id.eq(family.as_uuid()))
            .order(custody::date.desc())
            .limit(limit)
            .select(day_columns!())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(record).collect())
    }

    async fn record(
        &self,
        family: FamilyId,
        id: CustodyId,
    ) -> Result<Option<CustodyRecord>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<DayRow> = custody::table
            .filter(custody::family_id.eq(family.as_uuid()))
            .filter(custody::id.eq(id.get()))
            .select(day_columns!())
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(row.map(record))
    }

    async fn write_days<'p>(
        &self,
        family: FamilyId,
        actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &CustodyPlan<'p>,
        jobs: &[NewJob],
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            lock_family(conn, family).await?;
            let tl = timeline(conn, family, from, to).await?;
            let days = plan(&tl)?;
            let written = if days.is_empty() {
                Vec::new()
            } else {
                upsert_days(conn, family, actor, &days).await?
            };
            insert_jobs(conn, jobs).await?;
            Ok(written)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn stats(&self, family: FamilyId) -> Result<CustodyStats, StoreError> {
        let mut conn = self.read_conn().await?;
        let (total, earliest, latest): (i64, Option<NaiveDate>, Option<NaiveDate>) = custody::table
            .filter(custody::family_id.eq(family.as_uuid()))
            .select((count_star(), min(custody::date), max(custody::date)))
            .first(&mut conn)
            .await
            .map_err(from_diesel)?;
        let handoffs: i64 = custody::table
            .filter(custody::family_id.eq(family.as_uuid()))
            .filter(custody::handoff_day.eq(true))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(CustodyStats {
            total,
            handoffs,
            earliest,
            latest,
        })
    }
}
