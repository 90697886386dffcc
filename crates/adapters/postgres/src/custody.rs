//! `FamilyStore`, `CustodyStore` and `TemplateStore` on the `users`, `custody` and
//! `schedule_templates` tables.
//!
//! Custody writes and template applications lock the family's `families` row first
//! (`SELECT ... FOR UPDATE`), so two parents writing the same family's days are serialised: each
//! unit of work reads, plans and upserts with no other writer in between.

use std::collections::BTreeMap;

use async_trait::async_trait;
use calndr_domain::{
    CustodyDay, CustodyId, EmailAddress, FamilyId, FamilyMember, HandoffTime, NewUser,
    PasswordHash, PersonName, PhoneNumber, ScheduleTemplate, TemplateId, TemplateSpec, User,
    UserId, UserStatus,
};
use calndr_ports::templates::{
    alternating_from_json, alternating_to_json, pattern_type_from_stored, week_from_json,
    week_to_json,
};
use calndr_ports::{
    CustodyPlan, CustodyRecord, CustodyStats, CustodyStore, FamilyStore, NamedCustodyRecord,
    StoreError, TemplatePlan, TemplateStore, Timeline,
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{from_diesel, one_row, TxError};
use crate::schema::{custody, families, schedule_templates, users};
use crate::PgStore;

type Conn = AsyncPgConnection;

// ---- family --------------------------------------------------------------------------------

#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
struct MemberRow {
    id: Uuid,
    family_id: Option<Uuid>,
    first_name: String,
    last_name: String,
    email: String,
    password_hash: Option<String>,
    phone_number: Option<String>,
    status: Option<String>,
    enrolled: Option<bool>,
    coparent_enrolled: Option<bool>,
    coparent_invited: Option<bool>,
    subscription_type: Option<String>,
    subscription_status: Option<String>,
    profile_photo_url: Option<String>,
    last_signed_in: Option<NaiveDateTime>,
    created_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
    sns_endpoint_arn: Option<String>,
    last_known_location: Option<String>,
    last_known_location_timestamp: Option<NaiveDateTime>,
    apns_token: Option<String>,
}

impl From<MemberRow> for FamilyMember {
    fn from(r: MemberRow) -> Self {
        Self {
            user: User {
                id: UserId::from_uuid(r.id),
                family_id: r.family_id.map(FamilyId::from_uuid),
                first_name: PersonName::from_stored(r.first_name),
                last_name: PersonName::from_stored(r.last_name),
                email: EmailAddress::from_stored(r.email),
                password_hash: r.password_hash.map(PasswordHash::from_stored),
                phone_number: r.phone_number.map(PhoneNumber::from_stored),
                status: r.status.as_deref().map(UserStatus::from_stored),
                enrolled: r.enrolled,
                coparent_enrolled: r.coparent_enrolled,
                coparent_invited: r.coparent_invited,
                subscription_type: r.subscription_type,
                subscription_status: r.subscription_status,
                profile_photo_url: r.profile_photo_url,
                last_signed_in: r.last_signed_in,
                created_at: r.created_at,
                updated_at: r.updated_at,
                sns_endpoint_arn: r.sns_endpoint_arn,
            },
            last_known_location: r.last_known_location,
            last_known_location_at: r.last_known_location_timestamp,
            device_token: r.apns_token,
        }
    }
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Locks the family's row for the rest of the transaction; `NotFound` when it does not exist.
pub(crate) async fn lock_family(conn: &mut Conn, family: FamilyId) -> Result<(), TxError> {
    let found: Option<Uuid> = families::table
        .find(family.as_uuid())
        .select(families::id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    match found {
        Some(_) => Ok(()),
        None => Err(TxError::Store(StoreError::NotFound)),
    }
}

#[async_trait]
impl FamilyStore for PgStore {
    async fn members(&self, family: FamilyId) -> Result<Vec<FamilyMember>, StoreError> {
        // The primary: a member who just joined must be accepted as a custodian at once.
        let mut conn = self.conn().await?;
        users::table
            .filter(users::family_id.eq(family.as_uuid()))
            .order((users::created_at.asc().nulls_last(), users::id.asc()))
            .select(MemberRow::as_select())
            .load(&mut conn)
            .await
            .map(|rows| rows.into_iter().map(FamilyMember::from).collect())
            .map_err(from_diesel)
    }

    async fn add_invited_member(
        &self,
        family: FamilyId,
        user: NewUser,
    ) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            lock_family(conn, family).await?;
            let taken: i64 = users::table
                .filter(lower(users::email).eq(lower(user.email.as_str())))
                .count()
                .get_result(conn)
                .await?;
            if taken > 0 {
                return Err(TxError::Store(StoreError::Conflict("email")));
            }
            let at = user.created_at.naive_utc();
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(user.id.as_uuid()),
                    users::family_id.eq(family.as_uuid()),
                    users::first_name.eq(user.first_name.as_str()),
                    users::last_name.eq(user.last_name.as_str()),
                    users::email.eq(user.email.as_str()),
                    users::phone_number.eq(user.phone_number.as_ref().map(PhoneNumber::as_str)),
                    users::status.eq("invited"),
                    users::enrolled.eq(false),
                    users::coparent_enrolled.eq(false),
                    users::coparent_invited.eq(false),
                    users::subscription_type.eq("Free"),
                    users::subscription_status.eq("Active"),
                    users::created_at.eq(at),
                    users::updated_at.eq(at),
                ))
                .execute(conn)
                .await?;
            let row: MemberRow = users::table
                .find(user.id.as_uuid())
                .select(MemberRow::as_select())
                .first(conn)
                .await?;
            Ok(FamilyMember::from(row).user)
        })
        .await
        .map_err(TxError::into_store)
    }
}

// ---- custody -------------------------------------------------------------------------------

type DayRow = (
    i32,
    NaiveDate,
    Uuid,
    Option<bool>,
    Option<NaiveTime>,
    Option<String>,
);

fn record(r: DayRow) -> CustodyRecord {
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

async fn timeline(
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
async fn upsert_days(
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
        Ok(rows
            .into_iter()
            .map(|(r, name)| NamedCustodyRecord {
                record: record(r),
                custodian_name: name,
            })
            .collect())
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

    async fn write_days(
        &self,
        family: FamilyId,
        actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &CustodyPlan<'_>,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            lock_family(conn, family).await?;
            let tl = timeline(conn, family, from, to).await?;
            let days = plan(&tl)?;
            if days.is_empty() {
                return Ok(Vec::new());
            }
            Ok(upsert_days(conn, family, actor, &days).await?)
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

// ---- schedule templates --------------------------------------------------------------------

type TemplateRow = (
    i32,
    Uuid,
    String,
    Option<String>,
    String,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
    bool,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

macro_rules! template_columns {
    () => {
        (
            schedule_templates::id,
            schedule_templates::family_id,
            schedule_templates::name,
            schedule_templates::description,
            schedule_templates::pattern_type,
            schedule_templates::weekly_pattern,
            schedule_templates::alternating_weeks_pattern,
            schedule_templates::is_active,
            schedule_templates::created_at,
            schedule_templates::updated_at,
        )
    };
}

fn template(r: TemplateRow) -> ScheduleTemplate {
    let (
        id,
        family,
        name,
        description,
        pattern_type,
        weekly,
        alternating,
        active,
        created,
        updated,
    ) = r;
    ScheduleTemplate {
        id: TemplateId::new(id),
        family_id: FamilyId::from_uuid(family),
        spec: TemplateSpec {
            name,
            description,
            pattern_type: pattern_type_from_stored(&pattern_type),
            weekly: weekly.as_ref().filter(|v| !v.is_null()).map(week_from_json),
            alternating: alternating.as_ref().and_then(alternating_from_json),
            is_active: active,
        },
        created_at: created,
        updated_at: updated,
    }
}

async fn load_template(
    conn: &mut Conn,
    family: FamilyId,
    id: TemplateId,
) -> Result<Option<ScheduleTemplate>, diesel::result::Error> {
    let row: Option<TemplateRow> = schedule_templates::table
        .filter(schedule_templates::family_id.eq(family.as_uuid()))
        .filter(schedule_templates::id.eq(id.get()))
        .select(template_columns!())
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(template))
}

async fn deactivate_others(
    conn: &mut Conn,
    family: FamilyId,
    keep: Option<TemplateId>,
    at: NaiveDateTime,
) -> Result<(), diesel::result::Error> {
    diesel::update(
        schedule_templates::table
            .filter(schedule_templates::family_id.eq(family.as_uuid()))
            .filter(schedule_templates::is_active.eq(true))
            .filter(schedule_templates::id.ne(keep.map_or(0, |k| k.get()))),
    )
    .set((
        schedule_templates::is_active.eq(false),
        schedule_templates::updated_at.eq(Some(at)),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

#[async_trait]
impl TemplateStore for PgStore {
    async fn templates(&self, family: FamilyId) -> Result<Vec<ScheduleTemplate>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<TemplateRow> = schedule_templates::table
            .filter(schedule_templates::family_id.eq(family.as_uuid()))
            .order((
                schedule_templates::created_at.desc().nulls_last(),
                schedule_templates::id.desc(),
            ))
            .select(template_columns!())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(template).collect())
    }

    async fn template(
        &self,
        family: FamilyId,
        id: TemplateId,
    ) -> Result<Option<ScheduleTemplate>, StoreError> {
        let mut conn = self.conn().await?;
        load_template(&mut conn, family, id)
            .await
            .map_err(from_diesel)
    }

    async fn active_template(
        &self,
        family: FamilyId,
    ) -> Result<Option<ScheduleTemplate>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<TemplateRow> = schedule_templates::table
            .filter(schedule_templates::family_id.eq(family.as_uuid()))
            .filter(schedule_templates::is_active.eq(true))
            .order((
                schedule_templates::updated_at.desc().nulls_last(),
                schedule_templates::id.desc(),
            ))
            .select(template_columns!())
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(row.map(template))
    }

    async fn create_template(
        &self,
        family: FamilyId,
        creator: UserId,
        spec: &TemplateSpec,
    ) -> Result<ScheduleTemplate, StoreError> {
        let mut conn = self.conn().await?;
        let spec = spec.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            lock_family(conn, family).await?;
            let at = Utc::now().naive_utc();
            if spec.is_active {
                deactivate_others(conn, family, None, at).await?;
            }
            let row: TemplateRow = diesel::insert_into(schedule_templates::table)
                .values((
                    schedule_templates::family_id.eq(family.as_uuid()),
                    schedule_templates::name.eq(&spec.name),
                    schedule_templates::description.eq(spec.description.as_deref()),
                    schedule_templates::pattern_type.eq(spec.pattern_type.as_str()),
                    schedule_templates::weekly_pattern.eq(spec.weekly.as_ref().map(week_to_json)),
                    schedule_templates::alternating_weeks_pattern
                        .eq(spec.alternating.as_ref().map(alternating_to_json)),
                    schedule_templates::is_active.eq(spec.is_active),
                    schedule_templates::created_by_user_id.eq(creator.as_uuid()),
                    schedule_templates::created_at.eq(Some(at)),
                    schedule_templates::updated_at.eq(Some(at)),
                ))
                .returning(template_columns!())
                .get_result(conn)
                .await?;
            Ok(template(row))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn update_template(
        &self,
        family: FamilyId,
        id: TemplateId,
        spec: &TemplateSpec,
    ) -> Result<ScheduleTemplate, StoreError> {
        let mut conn = self.conn().await?;
        let spec = spec.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            lock_family(conn, family).await?;
            let at = Utc::now().naive_utc();
            if spec.is_active {
                deactivate_others(conn, family, Some(id), at).await?;
            }
            let row: Option<TemplateRow> = diesel::update(
                schedule_templates::table
                    .filter(schedule_templates::family_id.eq(family.as_uuid()))
                    .filter(schedule_templates::id.eq(id.get())),
            )
            .set((
                schedule_templates::name.eq(&spec.name),
                schedule_templates::description.eq(spec.description.as_deref()),
                schedule_templates::pattern_type.eq(spec.pattern_type.as_str()),
                schedule_templates::weekly_pattern.eq(spec.weekly.as_ref().map(week_to_json)),
                schedule_templates::alternating_weeks_pattern
                    .eq(spec.alternating.as_ref().map(alternating_to_json)),
                schedule_templates::is_active.eq(spec.is_active),
                schedule_templates::updated_at.eq(Some(at)),
            ))
            .returning(template_columns!())
            .get_result(conn)
            .await
            .optional()?;
            row.map(template)
                .ok_or(TxError::Store(StoreError::NotFound))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn delete_template(&self, family: FamilyId, id: TemplateId) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(
            schedule_templates::table
                .filter(schedule_templates::family_id.eq(family.as_uuid()))
                .filter(schedule_templates::id.eq(id.get())),
        )
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        one_row(n)
    }

    async fn apply_template(
        &self,
        family: FamilyId,
        id: TemplateId,
        actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &TemplatePlan<'_>,
    ) -> Result<(ScheduleTemplate, Vec<CustodyRecord>), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            lock_family(conn, family).await?;
            let at = Utc::now().naive_utc();
            let mut t = load_template(conn, family, id)
                .await?
                .ok_or(TxError::Store(StoreError::NotFound))?;
            deactivate_others(conn, family, Some(id), at).await?;
            diesel::update(schedule_templates::table.find(id.get()))
                .set((
                    schedule_templates::is_active.eq(true),
                    schedule_templates::updated_at.eq(Some(at)),
                ))
                .execute(conn)
                .await?;
            t.spec.is_active = true;
            t.updated_at = Some(at);
            let tl = timeline(conn, family, from, to).await?;
            let days = plan(&t, &tl)?;
            let written = if days.is_empty() {
                Vec::new()
            } else {
                upsert_days(conn, family, actor, &days).await?
            };
            Ok((t, written))
        })
        .await
        .map_err(TxError::into_store)
    }
}
