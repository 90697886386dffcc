//! `/api/v1/weather/*` (spec 1.16, 3.9, 6.2; contract 2.4 C11/C12): daily weather for the calendar,
//! proxied from Open-Meteo and cached. Every answer has all four series, each as long as `time`
//! (the app indexes them by day); an upstream failure is a 502/503 with a code, never a partial body.

use actix_web::{web, HttpResponse};
use calndr_app::WeatherKind;
use calndr_domain::{parse_date, DailyWeather, GeoPoint, TemperatureUnit, WeatherQuery};
use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::state::ApiState;

#[derive(Debug, Deserialize)]
pub struct WeatherParams {
    /// `YYYY-MM-DD`; default: 2 days ago (forecast) or 30 days ago (historic).
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`, at most 366 days after `start_date`; default: in 15 days (forecast) or
    /// yesterday (historic).
    pub end_date: Option<String>,
    /// `celsius` (default) or `fahrenheit`.
    pub temperature_unit: Option<String>,
}
crate::query_params!(WeatherParams {
    start_date: optional date_or_blank "`YYYY-MM-DD`; default: 2 days ago (forecast) or 30 days ago (historic).",
    end_date: optional date_or_blank "`YYYY-MM-DD`, at most 366 days after `start_date`; default: in 15 days (forecast) or yesterday (historic).",
    temperature_unit: optional temperature_unit "`celsius` (default) or `fahrenheit`.",
});

/// The daily series; each is exactly as long as `time`, with `null` for a missing value.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailySeries<'a> {
    #[schema(value_type = Vec<String>)]
    pub time: Vec<String>,
    #[schema(value_type = Vec<Option<f64>>)]
    pub temperature_2m_max: &'a [Option<f64>],
    #[schema(value_type = Vec<Option<f64>>)]
    pub precipitation_probability_mean: &'a [Option<f64>],
    #[schema(value_type = Vec<Option<f64>>)]
    pub cloudcover_mean: &'a [Option<f64>],
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeatherResponse<'a> {
    pub daily: DailySeries<'a>,
}

fn render(w: &DailyWeather) -> Option<Vec<u8>> {
    serde_json::to_vec(&WeatherResponse {
        daily: DailySeries {
            time: w.time().iter().map(NaiveDate::to_string).collect(),
            temperature_2m_max: w.temperature_2m_max(),
            precipitation_probability_mean: w.precipitation_probability_mean(),
            cloudcover_mean: w.cloudcover_mean(),
        },
    })
    .ok()
}

fn coordinate(raw: &str, field: &'static str) -> Result<f64, ApiError> {
    raw.trim()
        .parse::<f64>()
        .map_err(|_| ApiError::validation(field, "must be a number"))
}

fn query(
    kind: WeatherKind,
    path: &(String, String),
    params: &WeatherParams,
) -> Result<WeatherQuery, ApiError> {
    let point = GeoPoint::parse(
        coordinate(&path.0, "latitude")?,
        coordinate(&path.1, "longitude")?,
    )?;
    let today = Utc::now().date_naive();
    let (default_start, default_end) = match kind {
        WeatherKind::Forecast => (today - Duration::days(2), today + Duration::days(15)),
        WeatherKind::Historic => (today - Duration::days(30), today - Duration::days(1)),
    };
    let date = |raw: &Option<String>, field, default| match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(d) => parse_date(d, field),
    };
    Ok(WeatherQuery::new(
        point,
        date(&params.start_date, "start_date", default_start)?,
        date(&params.end_date, "end_date", default_end)?,
        TemperatureUnit::parse(params.temperature_unit.as_deref())?,
    )?)
}

async fn answer(
    kind: WeatherKind,
    state: &ApiState,
    path: &(String, String),
    params: &WeatherParams,
) -> ApiResult<HttpResponse> {
    let q = query(kind, path, params)?;
    let body = state.weather.daily_rendered(kind, q, &render).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// Daily forecast for a place (Open-Meteo forecast API).
#[utoipa::path(get, path = "/api/v1/weather/{latitude}/{longitude}", tag = "weather",
    security(("bearer" = [])),
    params(("latitude" = f64, Path), ("longitude" = f64, Path), WeatherParams),
    responses(
        (status = 200, description = "Daily series, each as long as `time`", body = WeatherResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid coordinates, dates or unit", body = ErrorBody),
        (status = 502, description = "The weather service answered badly (`upstream_bad_response`)", body = ErrorBody),
        (status = 503, description = "The weather service is unreachable (`upstream_unavailable`) or off (`provider_not_configured`)", body = ErrorBody),
    ))]
pub async fn forecast(
    _user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
    params: web::Query<WeatherParams>,
) -> ApiResult<HttpResponse> {
    answer(WeatherKind::Forecast, &state, &path, &params).await
}

/// Observed daily weather of past days (Open-Meteo archive API; no precipitation probability).
#[utoipa::path(get, path = "/api/v1/weather/historic/{latitude}/{longitude}", tag = "weather",
    security(("bearer" = [])),
    params(("latitude" = f64, Path), ("longitude" = f64, Path), WeatherParams),
    responses(
        (status = 200, description = "Daily series, each as long as `time`", body = WeatherResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid coordinates, dates or unit", body = ErrorBody),
        (status = 502, description = "The weather service answered badly", body = ErrorBody),
        (status = 503, description = "The weather service is unreachable or off", body = ErrorBody),
    ))]
pub async fn historic(
    _user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
    params: web::Query<WeatherParams>,
) -> ApiResult<HttpResponse> {
    answer(WeatherKind::Historic, &state, &path, &params).await
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/weather")
            .route("/historic/{latitude}/{longitude}", web::get().to(historic))
            .route("/{latitude}/{longitude}", web::get().to(forecast)),
    );
}
