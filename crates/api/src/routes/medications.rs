//! `/api/v1/medications/*` (spec 1.23, 2.20, 3.10; contract 2.11 M6-M10). `/presets`, `/active`
//! and `/reminders` are reachable (the original shadowed them with `/{medication_id}`). Paging
//! and order are validated (limit 1-100), `end_date >= start_date`, and a reminder time is
//! accepted only with `reminder_enabled: true` in the same request.

use actix_web::{web, HttpResponse};
use calndr_domain::circle::optional_text;
use calndr_domain::circle::{DOSAGE_MAX, FREQUENCY_MAX, MEDICATION_NAME_MAX, NOTES_MAX};
use calndr_domain::{
    parse_date, parse_time_of_day, BoundedText, Medication, MedicationChanges, MedicationFields,
    MedicationId, MedicationPage, MedicationPreset, MedicationQuery, MEDICATION_PRESETS,
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::state::ApiState;

fn iso(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn hh_mm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn text(t: &Option<BoundedText>) -> Option<String> {
    t.as_ref().map(|t| t.as_str().to_owned())
}

/// A medication as the app decodes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MedicationResponse {
    pub id: i32,
    pub family_id: String,
    pub name: String,
    pub dosage: Option<String>,
    pub frequency: Option<String>,
    pub instructions: Option<String>,
    /// `YYYY-MM-DD`.
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`.
    pub end_date: Option<String>,
    pub is_active: bool,
    pub reminder_enabled: bool,
    /// `HH:MM`.
    pub reminder_time: Option<String>,
    pub notes: Option<String>,
    /// ISO 8601 (`YYYY-MM-DDTHH:MM:SS`, UTC).
    pub created_at: String,
    /// ISO 8601 (`YYYY-MM-DDTHH:MM:SS`, UTC).
    pub updated_at: String,
    /// When the daily reminder is next due (ISO 8601, the reminder time's own clock); null
    /// without a reminder or after the end date.
    pub next_reminder: Option<String>,
}

impl MedicationResponse {
    pub(crate) fn new(m: &Medication, now: NaiveDateTime) -> Self {
        let f = &m.fields;
        let created = m.created_at.unwrap_or_default();
        Self {
            id: m.id.get(),
            family_id: m.family_id.to_string(),
            name: f.name.as_str().to_owned(),
            dosage: text(&f.dosage),
            frequency: text(&f.frequency),
            instructions: text(&f.instructions),
            start_date: f.start_date.map(calndr_domain::dates::iso_date),
            end_date: f.end_date.map(calndr_domain::dates::iso_date),
            is_active: f.is_active,
            reminder_enabled: f.reminder_enabled,
            reminder_time: f.reminder_time.map(hh_mm),
            notes: text(&f.notes),
            created_at: iso(created),
            updated_at: iso(m.updated_at.unwrap_or(created)),
            next_reminder: f.next_reminder(now).map(iso),
        }
    }

    fn one(m: &Medication) -> Self {
        Self::new(m, Utc::now().naive_utc())
    }
}

/// A page of medications.
#[derive(Debug, Serialize, ToSchema)]
pub struct MedicationListResponse {
    pub medications: Vec<MedicationResponse>,
    pub total: u64,
    pub page: u32,
    pub limit: u32,
    pub total_pages: u64,
}

impl MedicationListResponse {
    fn new(page: &MedicationPage, q: &MedicationQuery) -> Self {
        let now = Utc::now().naive_utc();
        Self {
            medications: page
                .medications
                .iter()
                .map(|m| MedicationResponse::new(m, now))
                .collect(),
            total: page.total,
            page: q.page,
            limit: q.limit,
            total_pages: q.total_pages(page.total),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct MedicationListQuery {
    pub is_active: Option<bool>,
    pub reminder_enabled: Option<bool>,
    /// From 1 (default 1).
    pub page: Option<i64>,
    /// 1-100 (default 20).
    pub limit: Option<i64>,
    /// `name` (default), `start_date` or `created_at`.
    pub sort_by: Option<String>,
    /// `asc` (default) or `desc`.
    pub sort_order: Option<String>,
}
crate::query_params!(MedicationListQuery {
    is_active: optional boolean "",
    reminder_enabled: optional boolean "",
    page: optional medication_page "Default 1.",
    limit: optional medication_limit "Default 20.",
    sort_by: optional medication_sort_by "Default `name`.",
    sort_order: optional medication_sort_order "Default `asc`.",
});

impl MedicationListQuery {
    fn parse(&self) -> ApiResult<MedicationQuery> {
        Ok(MedicationQuery {
            is_active: self.is_active,
            reminder_enabled: self.reminder_enabled,
            ..MedicationQuery::new(
                self.page,
                self.limit,
                self.sort_by.as_deref(),
                self.sort_order.as_deref(),
            )?
        })
    }
}

/// The optional values both bodies share.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MedicationOptionalFields {
    /// At most 100 characters.
    #[schema(schema_with = lim::dosage)]
    pub dosage: Option<String>,
    /// At most 100 characters.
    #[schema(schema_with = lim::frequency)]
    pub frequency: Option<String>,
    #[schema(schema_with = lim::notes)]
    pub instructions: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(schema_with = lim::date_opt)]
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`, not before `start_date`.
    #[schema(schema_with = lim::medication_end_date)]
    pub end_date: Option<String>,
    /// `HH:MM` (or `HH:MM:SS`); only together with `reminder_enabled: true` in the same request
    /// (and required by it on creation).
    #[schema(schema_with = lim::medication_reminder_time)]
    pub reminder_time: Option<String>,
    #[schema(schema_with = lim::notes)]
    pub notes: Option<String>,
}

/// `POST` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MedicationCreateRequest {
    /// 1-255 characters.
    #[schema(schema_with = lim::medication_name)]
    pub name: String,
    /// Default true.
    pub is_active: Option<bool>,
    /// Default false.
    pub reminder_enabled: Option<bool>,
    #[serde(flatten)]
    pub optional: MedicationOptionalFields,
}

/// `PUT` body: every field optional; a field left out keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MedicationUpdateRequest {
    #[schema(schema_with = lim::medication_name_opt)]
    pub name: Option<String>,
    pub is_active: Option<bool>,
    pub reminder_enabled: Option<bool>,
    #[serde(flatten)]
    pub optional: MedicationOptionalFields,
}

/// The optional values, parsed. Texts: `None` when left out, `Some(None)` when sent blank
/// (an update clears them).
struct Optionals {
    dosage: Option<Option<BoundedText>>,
    frequency: Option<Option<BoundedText>>,
    instructions: Option<Option<BoundedText>>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    reminder_time: Option<NaiveTime>,
    notes: Option<Option<BoundedText>>,
}

/// A text field that was sent: `Some(None)` when blank.
fn sent_text(
    raw: &Option<String>,
    field: &'static str,
    max: usize,
) -> ApiResult<Option<Option<BoundedText>>> {
    Ok(match raw.as_deref() {
        None => None,
        Some(t) => Some(optional_text(Some(t), field, max)?),
    })
}

impl MedicationOptionalFields {
    fn parse(&self) -> ApiResult<Optionals> {
        let date =
            |raw: &Option<String>, field| raw.as_deref().map(|d| parse_date(d, field)).transpose();
        Ok(Optionals {
            dosage: sent_text(&self.dosage, "dosage", DOSAGE_MAX)?,
            frequency: sent_text(&self.frequency, "frequency", FREQUENCY_MAX)?,
            instructions: sent_text(&self.instructions, "instructions", NOTES_MAX)?,
            start_date: date(&self.start_date, "start_date")?,
            end_date: date(&self.end_date, "end_date")?,
            reminder_time: self
                .reminder_time
                .as_deref()
                .map(|t| parse_time_of_day(t, "reminder_time"))
                .transpose()?,
            notes: sent_text(&self.notes, "notes", NOTES_MAX)?,
        })
    }
}

fn name(raw: &str) -> ApiResult<BoundedText> {
    Ok(BoundedText::parse(raw, "name", MEDICATION_NAME_MAX, false)?)
}

fn medication_id(raw: &str) -> ApiResult<MedicationId> {
    Ok(MedicationId::parse(raw, "medication_id")?)
}

/// The family's medications, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/medications/", tag = "medications",
    security(("bearer" = [])),
    params(MedicationListQuery),
    responses(
        (status = 200, description = "A page of medications", body = MedicationListResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid filter, page, limit or order", body = ErrorBody),
    ))]
pub async fn list(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<MedicationListQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.parse()?;
    let page = state.circle.medications(&user.0, q).await?;
    Ok(HttpResponse::Ok().json(MedicationListResponse::new(&page, &q)))
}

/// Active medications taken today (within their start and end dates), paged like the list.
#[utoipa::path(get, path = "/api/v1/medications/active", tag = "medications",
    security(("bearer" = [])),
    params(MedicationListQuery),
    responses(
        (status = 200, description = "A page of medications", body = MedicationListResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid page, limit or order", body = ErrorBody),
    ))]
pub async fn active(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<MedicationListQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.parse()?;
    let page = state.circle.active_medications(&user.0, q).await?;
    Ok(HttpResponse::Ok().json(MedicationListResponse::new(&page, &q)))
}

/// One daily medication reminder.
#[derive(Debug, Serialize, ToSchema)]
pub struct MedicationReminder {
    pub id: i32,
    pub name: String,
    pub dosage: Option<String>,
    pub frequency: Option<String>,
    /// `HH:MM`.
    pub reminder_time: Option<String>,
    pub next_reminder: Option<String>,
    pub is_active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MedicationRemindersResponse {
    pub reminders: Vec<MedicationReminder>,
    pub total: usize,
}

/// Active medications with a daily reminder.
#[utoipa::path(get, path = "/api/v1/medications/reminders", tag = "medications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reminders", body = MedicationRemindersResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn reminders(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let now = Utc::now().naive_utc();
    let meds = state.circle.medication_reminders(&user.0).await?;
    let reminders: Vec<MedicationReminder> = meds
        .iter()
        .map(|m| MedicationReminder {
            id: m.id.get(),
            name: m.fields.name.as_str().to_owned(),
            dosage: text(&m.fields.dosage),
            frequency: text(&m.fields.frequency),
            reminder_time: m.fields.reminder_time.map(hh_mm),
            next_reminder: m.fields.next_reminder(now).map(iso),
            is_active: m.fields.is_active,
        })
        .collect();
    Ok(HttpResponse::Ok().json(MedicationRemindersResponse {
        total: reminders.len(),
        reminders,
    }))
}

/// A common medication offered as a shortcut.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresetResponse {
    pub name: &'static str,
    pub common_dosages: Vec<&'static str>,
    pub common_frequencies: Vec<&'static str>,
    pub default_dosage: &'static str,
    pub default_frequency: &'static str,
    pub aliases: Vec<&'static str>,
}

impl From<&MedicationPreset> for PresetResponse {
    fn from(p: &MedicationPreset) -> Self {
        Self {
            name: p.name,
            common_dosages: p.common_dosages.to_vec(),
            common_frequencies: p.common_frequencies.to_vec(),
            default_dosage: p.default_dosage,
            default_frequency: p.default_frequency,
            aliases: p.aliases.to_vec(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PresetsResponse {
    pub presets: Vec<PresetResponse>,
}

/// Common medications (Tylenol, Motrin, Zyrtec, Benadryl, Amoxicillin).
#[utoipa::path(get, path = "/api/v1/medications/presets", tag = "medications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Presets", body = PresetsResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn presets(_user: CurrentUser) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(PresetsResponse {
        presets: MEDICATION_PRESETS
            .iter()
            .map(PresetResponse::from)
            .collect(),
    }))
}

/// Add a medication.
#[utoipa::path(post, path = "/api/v1/medications/", tag = "medications",
    security(("bearer" = [])),
    request_body = MedicationCreateRequest,
    responses(
        (status = 200, description = "Created", body = MedicationResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field, dates or reminder", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<MedicationCreateRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let o = b.optional.parse()?;
    let fields = MedicationFields {
        name: name(&b.name)?,
        dosage: o.dosage.flatten(),
        frequency: o.frequency.flatten(),
        instructions: o.instructions.flatten(),
        start_date: o.start_date,
        end_date: o.end_date,
        is_active: b.is_active.unwrap_or(true),
        reminder_enabled: b.reminder_enabled.unwrap_or(false),
        reminder_time: o.reminder_time,
        notes: o.notes.flatten(),
    };
    let m = state.circle.create_medication(&user.0, fields).await?;
    Ok(HttpResponse::Ok().json(MedicationResponse::one(&m)))
}

/// One medication of the family.
#[utoipa::path(get, path = "/api/v1/medications/{medication_id}", tag = "medications",
    security(("bearer" = [])),
    params(("medication_id" = i32, Path)),
    responses(
        (status = 200, description = "Medication", body = MedicationResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such medication in the family", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn get(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let m = state
        .circle
        .medication(&user.0, medication_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(MedicationResponse::one(&m)))
}

/// Change a medication; fields left out keep their values.
#[utoipa::path(put, path = "/api/v1/medications/{medication_id}", tag = "medications",
    security(("bearer" = [])),
    params(("medication_id" = i32, Path)),
    request_body = MedicationUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = MedicationResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such medication in the family", body = ErrorBody),
        (status = 422, description = "Invalid id, field, dates or reminder", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<MedicationUpdateRequest>,
) -> ApiResult<HttpResponse> {
    let id = medication_id(&path)?;
    let b = body.into_inner();
    let o = b.optional.parse()?;
    let changes = MedicationChanges {
        name: b.name.as_deref().map(name).transpose()?,
        dosage: o.dosage,
        frequency: o.frequency,
        instructions: o.instructions,
        start_date: o.start_date,
        end_date: o.end_date,
        is_active: b.is_active,
        reminder_enabled: b.reminder_enabled,
        reminder_time: o.reminder_time,
        notes: o.notes,
    }
    .new()?;
    let m = state.circle.update_medication(&user.0, id, changes).await?;
    Ok(HttpResponse::Ok().json(MedicationResponse::one(&m)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MedicationDeletedResponse {
    pub success: bool,
    pub message: &'static str,
}

/// Delete a medication.
#[utoipa::path(delete, path = "/api/v1/medications/{medication_id}", tag = "medications",
    security(("bearer" = [])),
    params(("medication_id" = i32, Path)),
    responses(
        (status = 200, description = "Deleted", body = MedicationDeletedResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such medication in the family", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state
        .circle
        .delete_medication(&user.0, medication_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(MedicationDeletedResponse {
        success: true,
        message: "Medication deleted successfully",
    }))
}
