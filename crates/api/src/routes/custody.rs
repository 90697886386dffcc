//! `/api/v1/custody/*` and `/api/v1/custody-maintenance/*` (spec 1.6, 1.7, 3.1; contract 2.4
//! C7-C10).

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use calndr_app::cache_keys::CUSTODY_MONTH_FORMAT;
use calndr_app::custody::{CustodyEntry, CustodyInput, FixOutcome, CUSTODY_TTL};
use calndr_domain::custody::HANDOFF_LOCATION_MAX;
use calndr_domain::{parse_date, CustodyId, HandoffTime, ShortText, UserId, YearMonth};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::state::ApiState;

/// A custody day as the app decodes it (`CustodyResponse`).
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyResponse {
    pub id: i32,
    /// `YYYY-MM-DD`
    pub event_date: String,
    /// The custodian's first name.
    pub content: String,
    /// Always 4 (the legacy custody row slot).
    pub position: i32,
    pub custodian_id: String,
    pub handoff_day: bool,
    /// `HH:MM` or null.
    pub handoff_time: Option<String>,
    pub handoff_location: Option<String>,
}

impl From<&CustodyEntry> for CustodyResponse {
    fn from(e: &CustodyEntry) -> Self {
        Self {
            id: e.id.get(),
            event_date: calndr_domain::dates::iso_date(e.day.date),
            content: e.custodian_name.clone(),
            position: 4,
            custodian_id: e.day.custodian.to_string(),
            handoff_day: e.day.handoff_day,
            handoff_time: e.day.handoff_time.map(|t| t.to_string()),
            handoff_location: e.day.handoff_location.clone(),
        }
    }
}

/// A custody write (`CustodyRecord` of the original). `id` is accepted and ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CustodyRequest {
    /// `YYYY-MM-DD`; required by `POST`, ignored by `PUT` (the path names the day).
    #[schema(schema_with = lim::custody_date, required = true)]
    pub date: Option<String>,
    /// A member of the caller's family.
    #[schema(schema_with = lim::custodian_id)]
    pub custodian_id: String,
    pub handoff_day: Option<bool>,
    /// `HH:MM`
    #[schema(schema_with = lim::time_opt)]
    pub handoff_time: Option<String>,
    #[schema(schema_with = lim::handoff_location)]
    pub handoff_location: Option<String>,
    #[schema(schema_with = lim::ignored)]
    pub id: Option<serde_json::Value>,
}

impl CustodyRequest {
    fn parse(&self, date: Option<chrono::NaiveDate>) -> Result<CustodyInput, ApiError> {
        let date = match date {
            Some(d) => d,
            None => parse_date(
                self.date
                    .as_deref()
                    .ok_or_else(|| ApiError::validation("date", "field required"))?,
                "date",
            )?,
        };
        let custodian = UserId::parse(&self.custodian_id, "custodian_id")?;
        let handoff_time = self
            .handoff_time
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| HandoffTime::parse(t, "handoff_time"))
            .transpose()?;
        let handoff_location = self
            .handoff_location
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                ShortText::parse(t, "handoff_location", HANDOFF_LOCATION_MAX)
                    .map(ShortText::into_string)
            })
            .transpose()?;
        Ok(CustodyInput {
            date,
            custodian,
            handoff_day: self.handoff_day,
            handoff_time,
            handoff_location,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResponse {
    pub status: &'static str,
    pub records_created: usize,
    pub message: String,
}

fn month_of(path: &(String, String)) -> Result<YearMonth, ApiError> {
    Ok(YearMonth::parse(&path.0, &path.1)?)
}

/// The custody days of a month (un-padded month: `/custody/2025/3`), ordered by date. An empty
/// month after today is filled once from the active schedule template.
#[utoipa::path(get, path = "/api/v1/custody/{year}/{month}", tag = "custody",
    security(("bearer" = [])),
    params(("year" = i32, Path), ("month" = u32, Path, description = "1-12")),
    responses(
        (status = 200, description = "The month's days", body = [CustodyResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid year or month", body = ErrorBody),
    ))]
pub async fn month(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let month = month_of(&path)?;
    let render = |entries: &[CustodyEntry]| {
        let body: Vec<CustodyResponse> = entries.iter().map(CustodyResponse::from).collect();
        serde_json::to_vec(&body).ok()
    };
    let body = state
        .custody
        .month_rendered(&user.0, month, &render)
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// The handoff days of a month (flagged and with a time).
#[utoipa::path(get, path = "/api/v1/custody/handoff-only/{year}/{month}", tag = "custody",
    security(("bearer" = [])),
    params(("year" = i32, Path), ("month" = u32, Path, description = "1-12")),
    responses(
        (status = 200, description = "Handoffs; content is \"Handoff to <name>\"", body = [CustodyResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid year or month", body = ErrorBody),
    ))]
pub async fn handoff_only(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let month = month_of(&path)?;
    let entries = state.custody.handoffs(&user.0, month).await?;
    let body: Vec<CustodyResponse> = entries
        .iter()
        .map(|e| {
            let mut r = CustodyResponse::from(e);
            r.content = format!("Handoff to {}", e.custodian_name);
            r
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Create a day's custody (the app's fallback when `PUT /custody/date/{date}` answers 404).
#[utoipa::path(post, path = "/api/v1/custody/", tag = "custody",
    security(("bearer" = [])),
    request_body = CustodyRequest,
    responses(
        (status = 200, description = "Created", body = CustodyResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 409, description = "The date already has a record", body = ErrorBody),
        (status = 422, description = "Invalid field (custodian_id must be a family member)", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<CustodyRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.parse(None)?;
    let entry = state.custody.create(&user.0, input).await?;
    Ok(HttpResponse::Ok().json(CustodyResponse::from(&entry)))
}

/// Write many days at once (onboarding): all or none; existing dates are replaced and handoffs
/// recomputed over the merged timeline.
#[utoipa::path(post, path = "/api/v1/custody/bulk", tag = "custody",
    security(("bearer" = [])),
    request_body = [CustodyRequest],
    responses(
        (status = 200, description = "Written", body = BulkResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A row is invalid; nothing was written", body = ErrorBody),
    ))]
pub async fn bulk(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<Vec<CustodyRequest>>,
) -> ApiResult<HttpResponse> {
    let inputs = body
        .iter()
        .map(|r| r.parse(None))
        .collect::<Result<Vec<_>, _>>()?;
    let n = state.custody.bulk(&user.0, inputs).await?;
    let message = if n == 0 {
        "No records to create".to_owned()
    } else {
        format!("Successfully created {n} custody records")
    };
    Ok(HttpResponse::Ok().json(BulkResponse {
        status: "success",
        records_created: n,
        message,
    }))
}

/// Update the day's custody and recompute its handoff and the next day's (spec 3.1). 404 when
/// the day has no record.
#[utoipa::path(put, path = "/api/v1/custody/date/{custody_date}", tag = "custody",
    security(("bearer" = [])),
    params(("custody_date" = String, Path, description = "YYYY-MM-DD")),
    request_body = CustodyRequest,
    responses(
        (status = 200, description = "Updated", body = CustodyResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No record for the date", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn update_by_date(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<CustodyRequest>,
) -> ApiResult<HttpResponse> {
    let date = parse_date(&path, "custody_date")?;
    let input = body.parse(Some(date))?;
    let entry = state.custody.update_by_date(&user.0, date, input).await?;
    Ok(HttpResponse::Ok().json(CustodyResponse::from(&entry)))
}

/// Update a record by id (same rules as by date, for the record's own date).
#[utoipa::path(put, path = "/api/v1/custody/{custody_id}", tag = "custody",
    security(("bearer" = [])),
    params(("custody_id" = i32, Path)),
    request_body = CustodyRequest,
    responses(
        (status = 200, description = "Updated", body = CustodyResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such record", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn update_by_id(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<CustodyRequest>,
) -> ApiResult<HttpResponse> {
    let id = CustodyId::parse(&path, "custody_id")?;
    let input = body.parse(Some(chrono::NaiveDate::MIN))?;
    let entry = state.custody.update_by_id(&user.0, id, input).await?;
    Ok(HttpResponse::Ok().json(CustodyResponse::from(&entry)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DateRangeStats {
    pub earliest: Option<String>,
    pub latest: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatabaseStats {
    pub total_custody_records: i64,
    pub handoff_records: i64,
    pub date_range: DateRangeStats,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CacheInfo {
    pub key_format: &'static str,
    pub ttl_seconds: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceStats {
    pub family_id: String,
    pub database_stats: DatabaseStats,
    pub cache_stats: CacheInfo,
    pub optimization_tips: Vec<&'static str>,
}

/// Custody statistics of the caller's family.
#[utoipa::path(get, path = "/api/v1/custody/performance/stats", tag = "custody",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Statistics", body = PerformanceStats),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn performance_stats(
    user: CurrentUser,
    state: web::Data<ApiState>,
) -> ApiResult<HttpResponse> {
    let (family, s) = state.custody.stats(&user.0).await?;
    let ymd = |d: chrono::NaiveDate| calndr_domain::dates::iso_date(d);
    Ok(HttpResponse::Ok().json(PerformanceStats {
        family_id: family.to_string(),
        database_stats: DatabaseStats {
            total_custody_records: s.total,
            handoff_records: s.handoffs,
            date_range: DateRangeStats {
                earliest: s.earliest.map(ymd),
                latest: s.latest.map(ymd),
            },
        },
        cache_stats: CacheInfo {
            key_format: CUSTODY_MONTH_FORMAT,
            ttl_seconds: CUSTODY_TTL.as_secs(),
        },
        optimization_tips: vec![
            "Month views are cached per family and month; every write invalidates its months.",
        ],
    }))
}

// ---- custody-maintenance -------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberBrief {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrityResponse {
    pub total_records: usize,
    pub valid_records: usize,
    pub mismatched_records: usize,
    pub mismatched_dates: Vec<String>,
    pub family_members: Vec<MemberBrief>,
    pub fixes_applied: usize,
}

/// Custody records whose custodian is not an active member of the family.
#[utoipa::path(get, path = "/api/v1/custody-maintenance/integrity-check", tag = "custody-maintenance",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Report", body = IntegrityResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn integrity_check(
    user: CurrentUser,
    state: web::Data<ApiState>,
) -> ApiResult<HttpResponse> {
    let r = state.custody.integrity(&user.0).await?;
    Ok(HttpResponse::Ok().json(IntegrityResponse {
        total_records: r.total_records,
        valid_records: r.valid_records,
        mismatched_records: r.mismatched_dates.len(),
        mismatched_dates: r
            .mismatched_dates
            .iter()
            .map(|d| calndr_domain::dates::iso_date(*d))
            .collect(),
        family_members: r
            .valid_custodians
            .iter()
            .map(|m| MemberBrief {
                id: m.user.id.to_string(),
                name: format!(
                    "{} {}",
                    m.user.first_name.as_str(),
                    m.user.last_name.as_str()
                ),
                email: m.user.email.as_str().to_owned(),
            })
            .collect(),
        fixes_applied: 0,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LimitQuery {
    /// How many of the newest records to scan (1-1000, default 100).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MismatchResponse {
    pub date: String,
    pub custody_id: i32,
    pub invalid_custodian_id: String,
    pub invalid_custodian_name: Option<String>,
    pub suggested_custodian_id: Option<String>,
    pub suggested_custodian_name: Option<String>,
}

/// Mismatched records among the newest `limit`, with a suggested custodian when the family has
/// exactly two active members.
#[utoipa::path(get, path = "/api/v1/custody-maintenance/mismatches", tag = "custody-maintenance",
    security(("bearer" = [])),
    params(LimitQuery),
    responses(
        (status = 200, description = "Mismatches", body = [MismatchResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn mismatches(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<LimitQuery>,
) -> ApiResult<HttpResponse> {
    let list = state
        .custody
        .mismatches(&user.0, query.limit.unwrap_or(100))
        .await?;
    let body: Vec<MismatchResponse> = list
        .into_iter()
        .map(|m| MismatchResponse {
            date: calndr_domain::dates::iso_date(m.date),
            custody_id: m.custody_id.get(),
            invalid_custodian_id: m.invalid_custodian.to_string(),
            invalid_custodian_name: m.invalid_custodian_name,
            suggested_custodian_id: m.suggested.as_ref().map(|(id, _)| id.to_string()),
            suggested_custodian_name: m.suggested.map(|(_, n)| n),
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DryRunQuery {
    /// Preview only (default true).
    pub dry_run: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FixPreview {
    pub date: String,
    pub old_custodian_id: String,
    pub new_custodian_id: String,
}

/// Replace mismatched custodians with the suggested ones (`dry_run=true`, the default, only
/// previews).
#[utoipa::path(post, path = "/api/v1/custody-maintenance/fix-mismatches", tag = "custody-maintenance",
    security(("bearer" = [])),
    params(DryRunQuery),
    responses(
        (status = 200, description = "`{message, fixes_preview, total_fixes_needed}` for a dry run; `{message, fixes_applied}` otherwise; `{error, fixes_applied: 0}` without exactly two active members"),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn fix_mismatches(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<DryRunQuery>,
) -> ApiResult<HttpResponse> {
    let outcome = state
        .custody
        .fix_mismatches(&user.0, query.dry_run.unwrap_or(true))
        .await?;
    let body = match outcome {
        FixOutcome::CannotFix(msg) => serde_json::json!({"error": msg, "fixes_applied": 0}),
        FixOutcome::Preview(list) => {
            let preview: Vec<FixPreview> = list
                .iter()
                .map(|(d, old, new)| FixPreview {
                    date: calndr_domain::dates::iso_date(*d),
                    old_custodian_id: old.to_string(),
                    new_custodian_id: new.to_string(),
                })
                .collect();
            serde_json::json!({
                "message": format!("Dry run: {} fixes needed", preview.len()),
                "total_fixes_needed": preview.len(),
                "fixes_preview": preview,
            })
        }
        FixOutcome::Fixed(n) => serde_json::json!({
            "message": format!("Fixed {n} custody records"),
            "fixes_applied": n,
        }),
    };
    Ok(HttpResponse::Ok().json(body))
}

/// `/api/v1/custody/*` and `/api/v1/custody-maintenance/*`. The fixed paths are registered
/// before `/{year}/{month}` so it cannot shadow them.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/custody")
            .route(
                "",
                web::post()
                    .to(create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route(
                "/bulk",
                web::post()
                    .to(bulk)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/performance/stats", web::get().to(performance_stats))
            .route("/who", web::get().to(super::whereabouts::who))
            .route("/time-share", web::get().to(super::whereabouts::time_share))
            .route("/handoff-only/{year}/{month}", web::get().to(handoff_only))
            .route("/date/{custody_date}", web::put().to(update_by_date))
            .route("/{custody_id}", web::put().to(update_by_id))
            .route("/{year}/{month}", web::get().to(month)),
    )
    .service(
        web::scope("/api/v1/custody-maintenance")
            .route("/integrity-check", web::get().to(integrity_check))
            .route("/mismatches", web::get().to(mismatches))
            .route("/fix-mismatches", web::post().to(fix_mismatches)),
    );
}
