//! `/api/v1/events/*` (spec 1.5; contract 2.4 C1-C4).

use actix_web::{web, HttpResponse};
use calndr_domain::{
    parse_date, DateRange, Event, EventDraft, EventId, ProviderEvent, ProviderKind, YearMonth,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::state::ApiState;

/// One calendar item. Family events have `source_type` `"family"`; school closures and daycare
/// events (range view only) have `"school"` / `"daycare"` and the provider fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventItem {
    pub id: i32,
    pub family_id: String,
    /// `YYYY-MM-DD`.
    pub event_date: String,
    /// Never null (`""` for a legacy row without text).
    pub content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
    pub source_type: &'static str,
    pub event_type: String,
    pub all_day: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `HH:MM:SS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// `HH:MM:SS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

impl From<&Event> for EventItem {
    fn from(e: &Event) -> Self {
        Self {
            id: e.id.get(),
            family_id: e.family_id.to_string(),
            event_date: calndr_domain::dates::iso_date(e.date),
            content: e
                .content
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            position: e.position,
            source_type: "family",
            event_type: e.event_type.clone(),
            all_day: false,
            provider_id: None,
            provider_name: None,
            description: None,
            start_time: None,
            end_time: None,
        }
    }
}

impl From<&ProviderEvent> for EventItem {
    fn from(e: &ProviderEvent) -> Self {
        Self {
            id: e.id,
            family_id: e.family_id.to_string(),
            event_date: calndr_domain::dates::iso_date(e.date),
            content: e.title.as_str().to_owned(),
            position: None,
            source_type: e.kind.as_str(),
            event_type: e.event_type.clone().unwrap_or_else(|| "event".into()),
            all_day: e.all_day,
            provider_id: Some(e.provider_id),
            provider_name: Some(e.provider_name.clone()),
            description: e.description.as_ref().map(|d| d.as_str().to_owned()),
            start_time: e.start_time.map(|t| t.format("%H:%M:%S").to_string()),
            end_time: e.end_time.map(|t| t.format("%H:%M:%S").to_string()),
        }
    }
}

/// `POST /events/` and `PUT /events/{id}` body. `id` is accepted and ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EventRequest {
    /// `YYYY-MM-DD`.
    #[schema(schema_with = lim::date)]
    pub event_date: String,
    /// At most 255 characters.
    #[schema(schema_with = lim::event_content)]
    pub content: String,
    /// Legacy row slot 0-3; 4 (custody) is refused with 400.
    #[schema(schema_with = lim::event_position)]
    #[serde(default, deserialize_with = "crate::whole_number::opt_i32")]
    pub position: Option<i32>,
    #[schema(schema_with = lim::ignored)]
    pub id: Option<serde_json::Value>,
}

impl EventRequest {
    fn draft(&self) -> ApiResult<EventDraft> {
        let date = parse_date(&self.event_date, "event_date")?;
        Ok(EventDraft::new(date, &self.content, self.position)?)
    }
}

#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    /// `YYYY-MM-DD`, inclusive.
    pub start_date: String,
    /// `YYYY-MM-DD`, inclusive; at most 400 days after `start_date`.
    pub end_date: String,
}
crate::query_params!(RangeQuery {
    start_date: required date "`YYYY-MM-DD`, inclusive.",
    end_date: required date "`YYYY-MM-DD`, inclusive; at most 400 days after `start_date`.",
});

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDeletedResponse {
    pub status: &'static str,
    pub message: &'static str,
}

/// Family events of a month (cached; every event write invalidates the months it touches).
#[utoipa::path(get, path = "/api/v1/events/{year}/{month}", tag = "events",
    security(("bearer" = [])),
    params(("year" = i32, Path, description = "e.g. 2025"), ("month" = u32, Path, description = "1-12")),
    responses(
        (status = 200, description = "Events of the month", body = [EventItem]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid year or month", body = ErrorBody),
    ))]
pub async fn month(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (year, month) = path.into_inner();
    let month = YearMonth::parse(&year, &month)?;
    let events = state.events.month(&user.0, month).await?;
    let items: Vec<EventItem> = events.iter().map(EventItem::from).collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Family events in a date range, with the school closures and daycare events of the family's
/// assigned calendars (`source_type` tells them apart).
#[utoipa::path(get, path = "/api/v1/events/", tag = "events",
    security(("bearer" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "Calendar items", body = [EventItem]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid or too long range", body = ErrorBody),
    ))]
pub async fn range(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<RangeQuery>,
) -> ApiResult<HttpResponse> {
    let range = DateRange::parse(&query.start_date, &query.end_date)?;
    let items = state.events.range(&user.0, range).await?;
    let mut out: Vec<EventItem> = items.events.iter().map(EventItem::from).collect();
    out.extend(items.provider_events.iter().map(EventItem::from));
    Ok(HttpResponse::Ok().json(out))
}

/// Create a family event.
#[utoipa::path(post, path = "/api/v1/events/", tag = "events",
    security(("bearer" = [])),
    request_body = EventRequest,
    responses(
        (status = 200, description = "Created", body = EventItem),
        (status = 400, description = "Custody position (4)", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<EventRequest>,
) -> ApiResult<HttpResponse> {
    let draft = body.draft()?;
    let event = state.events.create(&user.0, draft).await?;
    Ok(HttpResponse::Ok().json(EventItem::from(&event)))
}

fn event_id(raw: &str) -> ApiResult<EventId> {
    Ok(EventId::parse(raw, "event_id")?)
}

/// Replace an event's date, text and position.
#[utoipa::path(put, path = "/api/v1/events/{event_id}", tag = "events",
    security(("bearer" = [])),
    params(("event_id" = i32, Path)),
    request_body = EventRequest,
    responses(
        (status = 200, description = "Updated", body = EventItem),
        (status = 400, description = "Custody position (4)", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such event in the family", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<EventRequest>,
) -> ApiResult<HttpResponse> {
    let id = event_id(&path)?;
    let draft = body.draft()?;
    let event = state.events.update(&user.0, id, draft).await?;
    Ok(HttpResponse::Ok().json(EventItem::from(&event)))
}

/// Delete an event.
#[utoipa::path(delete, path = "/api/v1/events/{event_id}", tag = "events",
    security(("bearer" = [])),
    params(("event_id" = i32, Path)),
    responses(
        (status = 200, description = "Deleted", body = EventDeletedResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such event in the family", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = event_id(&path)?;
    state.events.delete(&user.0, id).await?;
    Ok(HttpResponse::Ok().json(EventDeletedResponse {
        status: "success",
        message: "Event deleted successfully",
    }))
}

/// A provider item of the school/daycare routes: `content` is `"[<provider name>] <title>"`, the
/// form the app filters school events by (contract C5; the v1 backend sent bare titles, which the
/// app then hid).
fn provider_item(e: &ProviderEvent) -> EventItem {
    let mut item = EventItem::from(e);
    item.content = format!("[{}] {}", e.provider_name, e.title.as_str());
    item
}

async fn provider_list(
    user: CurrentUser,
    state: web::Data<ApiState>,
    kind: ProviderKind,
    range: DateRange,
) -> ApiResult<HttpResponse> {
    let events = state.events.provider_events(&user.0, kind, range).await?;
    let out: Vec<EventItem> = events.iter().map(provider_item).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// School closures of a month, from the family's assigned school calendar.
#[utoipa::path(get, path = "/api/v1/events/school/{year}/{month}", tag = "events",
    security(("bearer" = [])),
    params(("year" = i32, Path), ("month" = u32, Path, description = "1-12")),
    responses(
        (status = 200, description = "School closures", body = [EventItem]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid year or month", body = ErrorBody),
    ))]
pub async fn school_month(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (y, m) = path.into_inner();
    let range = YearMonth::parse(&y, &m)?.range();
    provider_list(user, state, ProviderKind::School, range).await
}

/// Daycare events of a month, from the family's assigned daycare calendar.
#[utoipa::path(get, path = "/api/v1/events/daycare/{year}/{month}", tag = "events",
    security(("bearer" = [])),
    params(("year" = i32, Path), ("month" = u32, Path, description = "1-12")),
    responses(
        (status = 200, description = "Daycare events", body = [EventItem]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid year or month", body = ErrorBody),
    ))]
pub async fn daycare_month(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (y, m) = path.into_inner();
    let range = YearMonth::parse(&y, &m)?.range();
    provider_list(user, state, ProviderKind::Daycare, range).await
}

/// School closures in a date range.
#[utoipa::path(get, path = "/api/v1/events/school/", tag = "events",
    security(("bearer" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "School closures", body = [EventItem]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid or too long range", body = ErrorBody),
    ))]
pub async fn school_range(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<RangeQuery>,
) -> ApiResult<HttpResponse> {
    let range = DateRange::parse(&query.start_date, &query.end_date)?;
    provider_list(user, state, ProviderKind::School, range).await
}

/// Daycare events in a date range.
#[utoipa::path(get, path = "/api/v1/events/daycare/", tag = "events",
    security(("bearer" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "Daycare events", body = [EventItem]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid or too long range", body = ErrorBody),
    ))]
pub async fn daycare_range(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<RangeQuery>,
) -> ApiResult<HttpResponse> {
    let range = DateRange::parse(&query.start_date, &query.end_date)?;
    provider_list(user, state, ProviderKind::Daycare, range).await
}
