//! `/api/v1/reminders/*` (spec 1.9, 3.6; contract 2.4 C13-C17). The v1 backend only lists
//! reminders; create, update, delete and by-date are built here from the legacy `app.py` meaning.

use actix_web::{web, HttpResponse};
use calndr_domain::records::REMINDER_TEXT_MAX;
use calndr_domain::{
    parse_date, parse_time_of_day, BoundedText, DateRange, Reminder, ReminderFields, ReminderId,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::py_timestamp;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::routes::events::RangeQuery;
use crate::state::ApiState;

/// A reminder as the app decodes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderResponse {
    pub id: i32,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub text: String,
    pub notification_enabled: bool,
    /// `HH:MM:SS` or null.
    pub notification_time: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub created_at: String,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub updated_at: String,
}

fn stamp(t: Option<chrono::NaiveDateTime>, date: NaiveDate) -> String {
    py_timestamp(t.unwrap_or_else(|| date.and_time(chrono::NaiveTime::MIN)))
}

impl From<&Reminder> for ReminderResponse {
    fn from(r: &Reminder) -> Self {
        Self {
            id: r.id.get(),
            date: calndr_domain::dates::iso_date(r.date),
            text: r.text.as_str().to_owned(),
            notification_enabled: r.notification_enabled,
            notification_time: r
                .notification_time
                .map(|t| t.format("%H:%M:%S").to_string()),
            created_at: stamp(r.created_at, r.date),
            updated_at: stamp(r.updated_at, r.date),
        }
    }
}

/// `GET /reminders/{date}`: the day's reminder, or `has_reminder: false`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderByDateResponse {
    pub id: Option<i32>,
    pub date: String,
    pub text: String,
    pub has_reminder: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReminderCreateRequest {
    /// `YYYY-MM-DD`.
    #[schema(schema_with = lim::date)]
    pub date: String,
    #[schema(schema_with = lim::reminder_text)]
    pub text: String,
    #[serde(default)]
    pub notification_enabled: Option<bool>,
    /// `HH:mm` (also `HH:mm:ss`).
    #[schema(schema_with = lim::notification_time)]
    pub notification_time: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReminderUpdateRequest {
    #[schema(schema_with = lim::reminder_text)]
    pub text: String,
    /// Omitted means false.
    #[serde(default)]
    pub notification_enabled: Option<bool>,
    /// `HH:mm` (also `HH:mm:ss`); omitted or null clears it.
    #[schema(schema_with = lim::notification_time)]
    pub notification_time: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderDeletedResponse {
    pub status: &'static str,
    pub message: &'static str,
}

fn fields(text: &str, enabled: Option<bool>, time: Option<&str>) -> ApiResult<ReminderFields> {
    Ok(ReminderFields {
        text: BoundedText::parse(text, "text", REMINDER_TEXT_MAX, false)?,
        notification_enabled: enabled.unwrap_or(false),
        notification_time: time
            .filter(|t| !t.trim().is_empty())
            .map(|t| parse_time_of_day(t, "notification_time"))
            .transpose()?,
    })
}

fn reminder_id(raw: &str) -> ApiResult<ReminderId> {
    Ok(ReminderId::parse(raw, "reminder_id")?)
}

/// The family's reminders in a date range, ordered by date.
#[utoipa::path(get, path = "/api/v1/reminders/", tag = "reminders",
    security(("bearer" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "Reminders", body = [ReminderResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid or too long range", body = ErrorBody),
    ))]
pub async fn list(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<RangeQuery>,
) -> ApiResult<HttpResponse> {
    let range = DateRange::parse(&query.start_date, &query.end_date)?;
    let reminders = state.reminders.list(&user.0, range).await?;
    let out: Vec<ReminderResponse> = reminders.iter().map(ReminderResponse::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Create the reminder of a day (one per family and date: 409 when the day has one).
#[utoipa::path(post, path = "/api/v1/reminders/", tag = "reminders",
    security(("bearer" = [])),
    request_body = ReminderCreateRequest,
    responses(
        (status = 200, description = "Created", body = ReminderResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 409, description = "The day already has a reminder", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<ReminderCreateRequest>,
) -> ApiResult<HttpResponse> {
    let date = parse_date(&body.date, "date")?;
    let f = fields(
        &body.text,
        body.notification_enabled,
        body.notification_time.as_deref(),
    )?;
    let r = state.reminders.create(&user.0, date, f).await?;
    Ok(HttpResponse::Ok().json(ReminderResponse::from(&r)))
}

/// The reminder of a day: `GET /reminders/{yyyy-MM-dd}`. (`PUT`/`DELETE` on the same path take
/// a reminder id: one path item, each operation with its own parameter schema, since OpenAPI
/// allows one template of a shape.)
#[utoipa::path(get, path = "/api/v1/reminders/{date_or_id}", tag = "reminders",
    security(("bearer" = [])),
    params(("date_or_id" = String, Path, format = Date, description = "The day, YYYY-MM-DD")),
    responses(
        (status = 200, description = "The day's reminder or has_reminder false", body = ReminderByDateResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid date", body = ErrorBody),
    ))]
pub async fn by_date(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let date = parse_date(&path, "date")?;
    let found = state.reminders.on(&user.0, date).await?;
    let body = match found {
        Some(r) => ReminderByDateResponse {
            id: Some(r.id.get()),
            date: calndr_domain::dates::iso_date(r.date),
            text: r.text.as_str().to_owned(),
            has_reminder: true,
            created_at: Some(stamp(r.created_at, r.date)),
            updated_at: Some(stamp(r.updated_at, r.date)),
        },
        None => ReminderByDateResponse {
            id: None,
            date: calndr_domain::dates::iso_date(date),
            text: String::new(),
            has_reminder: false,
            created_at: None,
            updated_at: None,
        },
    };
    Ok(HttpResponse::Ok().json(body))
}

/// Change a reminder's text and notification.
#[utoipa::path(put, path = "/api/v1/reminders/{date_or_id}", tag = "reminders",
    security(("bearer" = [])),
    params(("date_or_id" = i32, Path, minimum = 1, maximum = 2147483647, description = "The reminder id")),
    request_body = ReminderUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = ReminderResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such reminder in the family", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<ReminderUpdateRequest>,
) -> ApiResult<HttpResponse> {
    let id = reminder_id(&path)?;
    let f = fields(
        &body.text,
        body.notification_enabled,
        body.notification_time.as_deref(),
    )?;
    let r = state.reminders.update(&user.0, id, f).await?;
    Ok(HttpResponse::Ok().json(ReminderResponse::from(&r)))
}

/// Delete a reminder.
#[utoipa::path(delete, path = "/api/v1/reminders/{date_or_id}", tag = "reminders",
    security(("bearer" = [])),
    params(("date_or_id" = i32, Path, minimum = 1, maximum = 2147483647, description = "The reminder id")),
    responses(
        (status = 200, description = "Deleted", body = ReminderDeletedResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such reminder in the family", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = reminder_id(&path)?;
    state.reminders.delete(&user.0, id).await?;
    Ok(HttpResponse::Ok().json(ReminderDeletedResponse {
        status: "success",
        message: "Reminder deleted successfully",
    }))
}
