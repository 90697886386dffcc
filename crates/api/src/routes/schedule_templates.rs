//! `/api/v1/schedule-templates/*` (spec 1.19, 3.2; contract 2.5 S1-S6).

use std::collections::BTreeMap;

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use calndr_domain::schedule::{TEMPLATE_DESCRIPTION_MAX, TEMPLATE_NAME_MAX};
use calndr_domain::{
    parse_date, AlternatingWeeks, PatternType, ScheduleTemplate, ShortText, TemplateId,
    TemplateSpec, ValidationError, WeekLabel, WeekPattern,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{py_timestamp, StatusMessageResponse};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::state::ApiState;

/// Weekday name (`sunday` ... `saturday`) to `"parent1"`, `"parent2"` (or a custodian's user
/// id, stored as that custodian's slot) or null.
pub type WeeklyPatternBody = BTreeMap<String, Option<String>>;

/// Alternating weeks. The app sends and decodes camelCase keys; the original's snake_case
/// keys are accepted too.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AlternatingWeeksBody {
    #[serde(rename = "weekAPattern", alias = "week_a_pattern")]
    #[schema(schema_with = lim::week_pattern)]
    pub week_a_pattern: WeeklyPatternBody,
    #[serde(rename = "weekBPattern", alias = "week_b_pattern")]
    #[schema(schema_with = lim::week_pattern)]
    pub week_b_pattern: WeeklyPatternBody,
    /// `A` or `B`: the week containing `referenceDate`.
    #[serde(rename = "startingWeek", alias = "starting_week")]
    #[schema(schema_with = lim::starting_week)]
    pub starting_week: String,
    /// `YYYY-MM-DD` (a date-time is accepted; its date is used).
    #[serde(rename = "referenceDate", alias = "reference_date")]
    #[schema(schema_with = lim::date_or_datetime)]
    pub reference_date: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TemplateRequest {
    #[schema(schema_with = lim::template_name)]
    pub name: String,
    #[schema(schema_with = lim::template_description)]
    pub description: Option<String>,
    /// `weekly`, `alternating_weeks` or `alternating_days`.
    #[schema(schema_with = lim::pattern_type)]
    pub pattern_type: String,
    #[schema(schema_with = lim::week_pattern_opt)]
    pub weekly_pattern: Option<WeeklyPatternBody>,
    pub alternating_weeks_pattern: Option<AlternatingWeeksBody>,
    /// Default true; an active template deactivates the family's others.
    pub is_active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlternatingWeeksResponse {
    #[serde(rename = "weekAPattern")]
    pub week_a_pattern: BTreeMap<String, Option<String>>,
    #[serde(rename = "weekBPattern")]
    pub week_b_pattern: BTreeMap<String, Option<String>>,
    #[serde(rename = "startingWeek")]
    pub starting_week: String,
    #[serde(rename = "referenceDate")]
    pub reference_date: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateResponse {
    pub id: i32,
    pub name: String,
    pub description: Option<String>,
    pub pattern_type: String,
    pub weekly_pattern: Option<BTreeMap<String, Option<String>>>,
    pub alternating_weeks_pattern: Option<AlternatingWeeksResponse>,
    pub is_active: bool,
    pub family_id: String,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub created_at: String,
    pub updated_at: String,
}

fn week_out(w: &WeekPattern) -> BTreeMap<String, Option<String>> {
    w.entries()
        .map(|(d, s)| (d.to_owned(), s.map(|s| s.as_wire().to_owned())))
        .collect()
}

impl From<&ScheduleTemplate> for TemplateResponse {
    fn from(t: &ScheduleTemplate) -> Self {
        let created = t.created_at.or(t.updated_at).map(py_timestamp);
        let updated = t.updated_at.or(t.created_at).map(py_timestamp);
        Self {
            id: t.id.get(),
            name: t.spec.name.clone(),
            description: t.spec.description.clone(),
            pattern_type: t.spec.pattern_type.as_str().to_owned(),
            weekly_pattern: t.spec.weekly.as_ref().map(week_out),
            alternating_weeks_pattern: t.spec.alternating.as_ref().map(|a| {
                AlternatingWeeksResponse {
                    week_a_pattern: week_out(&a.week_a),
                    week_b_pattern: week_out(&a.week_b),
                    starting_week: a.starting_week.as_str().to_owned(),
                    reference_date: calndr_domain::dates::iso_date(a.reference_date),
                }
            }),
            is_active: t.spec.is_active,
            family_id: t.family_id.to_string(),
            created_at: created.clone().unwrap_or_default(),
            updated_at: updated.or(created).unwrap_or_default(),
        }
    }
}

/// The custodians' user ids (lower-case) with their slots: the app may name a parent by id.
type Slots = Vec<(String, &'static str)>;

async fn slots(state: &ApiState, user: &CurrentUser) -> ApiResult<Slots> {
    let [p1, p2] = state.family.custodians(&user.0).await?;
    Ok(vec![
        (p1.id.to_lowercase(), "parent1"),
        (p2.id.to_lowercase(), "parent2"),
    ])
}

fn week_in(
    w: &WeeklyPatternBody,
    field: &'static str,
    slots: &Slots,
) -> Result<WeekPattern, ValidationError> {
    let slot = |v: &str| {
        let v = v.trim().to_lowercase();
        slots
            .iter()
            .find(|(id, _)| *id == v)
            .map(|(_, s)| (*s).to_owned())
            .unwrap_or(v)
    };
    let values: Vec<(&str, Option<String>)> = w
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref().map(slot)))
        .collect();
    WeekPattern::from_pairs(values.iter().map(|(k, v)| (*k, v.as_deref())), field)
}

/// A date or an ISO 8601 date-time (`2025-12-05T14:03:22.123Z`): its (UTC) date.
fn date_or_datetime(raw: &str, field: &'static str) -> Result<NaiveDate, ValidationError> {
    let s = raw.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(dt.with_timezone(&chrono::Utc).date_naive());
    }
    if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(dt.date());
    }
    parse_date(s, field).map_err(|_| {
        ValidationError::new(
            field,
            "must be a date (YYYY-MM-DD) or an ISO 8601 date-time",
        )
    })
}

impl TemplateRequest {
    fn spec(&self, slots: &Slots) -> Result<TemplateSpec, ApiError> {
        let name = ShortText::parse(&self.name, "name", TEMPLATE_NAME_MAX)?.into_string();
        let description = self
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| {
                ShortText::parse(d, "description", TEMPLATE_DESCRIPTION_MAX)
                    .map(ShortText::into_string)
            })
            .transpose()?;
        let pattern_type = PatternType::parse(&self.pattern_type, "pattern_type")?;
        let weekly = self
            .weekly_pattern
            .as_ref()
            .map(|w| week_in(w, "weekly_pattern", slots))
            .transpose()?;
        let alternating = self
            .alternating_weeks_pattern
            .as_ref()
            .map(|a| -> Result<AlternatingWeeks, ValidationError> {
                Ok(AlternatingWeeks {
                    week_a: week_in(&a.week_a_pattern, "alternating_weeks_pattern", slots)?,
                    week_b: week_in(&a.week_b_pattern, "alternating_weeks_pattern", slots)?,
                    starting_week: WeekLabel::parse(&a.starting_week, "alternating_weeks_pattern")?,
                    reference_date: date_or_datetime(
                        &a.reference_date,
                        "alternating_weeks_pattern",
                    )?,
                })
            })
            .transpose()?;
        match pattern_type {
            PatternType::Weekly if weekly.is_none() => {
                return Err(ApiError::validation("weekly_pattern", "field required"));
            }
            PatternType::AlternatingWeeks if alternating.is_none() => {
                return Err(ApiError::validation(
                    "alternating_weeks_pattern",
                    "field required",
                ));
            }
            _ => {}
        }
        Ok(TemplateSpec {
            name,
            description,
            pattern_type,
            weekly,
            alternating,
            is_active: self.is_active.unwrap_or(true),
        })
    }
}

fn template_id(raw: &str) -> Result<TemplateId, ApiError> {
    match raw.trim().parse::<i32>() {
        Ok(v) if v > 0 => Ok(TemplateId::new(v)),
        _ => Err(ApiError::validation(
            "template_id",
            "must be a positive integer id",
        )),
    }
}

/// The family's templates, newest first.
#[utoipa::path(get, path = "/api/v1/schedule-templates/", tag = "schedule-templates",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Templates", body = [TemplateResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn list(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let list = state.custody.templates(&user.0).await?;
    let body: Vec<TemplateResponse> = list.iter().map(TemplateResponse::from).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// One template.
#[utoipa::path(get, path = "/api/v1/schedule-templates/{template_id}", tag = "schedule-templates",
    security(("bearer" = [])),
    params(("template_id" = i32, Path)),
    responses(
        (status = 200, description = "Template", body = TemplateResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such template", body = ErrorBody),
    ))]
pub async fn get(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let t = state.custody.template(&user.0, template_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(TemplateResponse::from(&t)))
}

/// Create a template (an active one deactivates the family's others, atomically).
#[utoipa::path(post, path = "/api/v1/schedule-templates/", tag = "schedule-templates",
    security(("bearer" = [])),
    request_body = TemplateRequest,
    responses(
        (status = 200, description = "Created", body = TemplateResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<TemplateRequest>,
) -> ApiResult<HttpResponse> {
    let spec = body.spec(&slots(&state, &user).await?)?;
    let t = state.custody.create_template(&user.0, spec).await?;
    Ok(HttpResponse::Ok().json(TemplateResponse::from(&t)))
}

/// Replace a template.
#[utoipa::path(put, path = "/api/v1/schedule-templates/{template_id}", tag = "schedule-templates",
    security(("bearer" = [])),
    params(("template_id" = i32, Path)),
    request_body = TemplateRequest,
    responses(
        (status = 200, description = "Updated", body = TemplateResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such template", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<TemplateRequest>,
) -> ApiResult<HttpResponse> {
    let id = template_id(&path)?;
    let t = state
        .custody
        .update_template(&user.0, id, body.spec(&slots(&state, &user).await?)?)
        .await?;
    Ok(HttpResponse::Ok().json(TemplateResponse::from(&t)))
}

/// Delete a template.
#[utoipa::path(delete, path = "/api/v1/schedule-templates/{template_id}", tag = "schedule-templates",
    security(("bearer" = [])),
    params(("template_id" = i32, Path)),
    responses(
        (status = 200, description = "Deleted", body = StatusMessageResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such template", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state
        .custody
        .delete_template(&user.0, template_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(StatusMessageResponse {
        status: "success",
        message: "Schedule template deleted successfully",
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplyRequest {
    #[schema(schema_with = lim::template_id)]
    #[serde(deserialize_with = "crate::whole_number::i32")]
    pub template_id: i32,
    /// A date or an ISO 8601 date-time (`2025-12-05T14:03:22.123Z`); empty = tomorrow.
    #[schema(schema_with = lim::apply_start)]
    pub start_date: Option<String>,
    /// A date or an ISO 8601 date-time; empty or not after the start = start + 90 days.
    #[schema(schema_with = lim::apply_end)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub overwrite_existing: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplyResponse {
    pub success: bool,
    pub message: String,
    pub days_applied: usize,
    pub conflicts_overwritten: usize,
}

/// Activate a template and write its days (never today or the past; existing days are kept
/// unless `overwrite_existing`).
#[utoipa::path(post, path = "/api/v1/schedule-templates/apply", tag = "schedule-templates",
    security(("bearer" = [])),
    request_body = ApplyRequest,
    responses(
        (status = 200, description = "Applied", body = ApplyResponse),
        (status = 400, description = "The family has fewer than two members", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such template", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn apply(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<ApplyRequest>,
) -> ApiResult<HttpResponse> {
    let id = template_id(&body.template_id.to_string())?;
    let date = |raw: &Option<String>, field| {
        raw.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| date_or_datetime(s, field))
            .transpose()
    };
    let start = date(&body.start_date, "start_date")?;
    let end = date(&body.end_date, "end_date")?;
    let applied = state
        .custody
        .apply_template(&user.0, id, start, end, body.overwrite_existing)
        .await?;
    Ok(HttpResponse::Ok().json(ApplyResponse {
        success: true,
        message: format!(
            "Applied schedule template '{}' to {} days",
            applied.template_name, applied.days_applied
        ),
        days_applied: applied.days_applied,
        conflicts_overwritten: applied.conflicts_overwritten,
    }))
}

/// `/api/v1/schedule-templates/*` (`/apply` before `/{template_id}`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/schedule-templates")
            .route("", web::get().to(list))
            .route(
                "",
                web::post()
                    .to(create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/apply", web::post().to(apply))
            .route("/{template_id}", web::get().to(get))
            .route("/{template_id}", web::put().to(update))
            .route("/{template_id}", web::delete().to(delete)),
    );
}
