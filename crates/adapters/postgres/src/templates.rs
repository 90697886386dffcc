//! `TemplateStore` on `schedule_templates`. Applying a template locks the family's row like a
//! custody write and upserts the days through the custody module's helpers.

use async_trait::async_trait;
use calndr_domain::{FamilyId, ScheduleTemplate, TemplateId, TemplateSpec, UserId};
use calndr_ports::templates::{
    alternating_from_json, alternating_to_json, pattern_type_from_stored, week_from_json,
    week_to_json,
};
use calndr_ports::{CustodyRecord, StoreError, TemplatePlan, TemplateStore};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use crate::custody::{timeline, upsert_days};
use crate::error::{from_diesel, one_row, TxError};
use crate::family::lock_family;
use crate::pool::Conn;
use crate::schema::schedule_templates;
use crate::PgStore;

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

    async fn apply_template<'p>(
        &self,
        family: FamilyId,
        id: TemplateId,
        actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &TemplatePlan<'p>,
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
