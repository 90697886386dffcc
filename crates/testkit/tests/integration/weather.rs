//! `/api/v1/weather/*` end to end against a local fake of Open-Meteo (contract 2.4 C11/C12).

use actix_web::http::StatusCode;
use calndr_testkit::{Backend, TestApp};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{assert_error, assert_invalid, ok};

pub async fn app_with_weather(meteo: &MockServer) -> TestApp {
    TestApp::builder(Backend::PostgresRedis)
        .fast_hashing()
        .env("CALNDR_WEATHER_ENABLED", "true")
        .env(
            "CALNDR_OPEN_METEO_FORECAST_URL",
            &format!("{}/v1/forecast", meteo.uri()),
        )
        .env(
            "CALNDR_OPEN_METEO_ARCHIVE_URL",
            &format!("{}/v1/archive", meteo.uri()),
        )
        .env("CALNDR_WEATHER_TIMEOUT_MS", "500")
        .build()
        .await
}

fn daily() -> serde_json::Value {
    json!({"latitude": 34.23, "generationtime_ms": 0.1, "daily": {
        "time": ["2026-11-25", "2026-11-26", "2026-11-27"],
        "temperature_2m_max": [61.2, 63.0, null],
        "precipitation_probability_mean": [10, 80],
        "cloudcover_mean": [20, 95, 40]
    }})
}

/// A place of its own for each test: the weather cache in the shared Redis is keyed by place and
/// dates, and must not answer for another test or an earlier run.
pub fn place() -> (String, String) {
    let n = uuid::Uuid::new_v4().as_u128();
    let lat = format!("{}.{:04}", 10 + n % 60, (n >> 8) % 10_000);
    let lon = format!("-{}.{:04}", 10 + (n >> 24) % 150, (n >> 32) % 10_000);
    (lat, lon)
}

pub fn forecast_url((lat, lon): &(String, String)) -> String {
    format!("/api/v1/weather/{lat}/{lon}?start_date=2026-11-25&end_date=2026-11-27&temperature_unit=fahrenheit")
}

#[tokio::test(flavor = "multi_thread")]
async fn forecast_has_every_series_as_long_as_time_and_is_served_from_the_cache_after() {
    let meteo = MockServer::start().await;
    let here = place();
    Mock::given(method("GET"))
        .and(path("/v1/forecast"))
        .and(query_param(
            "latitude",
            here.0
                .parse::<f64>()
                .expect("latitude")
                .to_string()
                .as_str(),
        ))
        .and(query_param("temperature_unit", "fahrenheit"))
        .and(query_param("start_date", "2026-11-25"))
        .respond_with(ResponseTemplate::new(200).set_body_json(daily()))
        .expect(1)
        .mount(&meteo)
        .await;
    let app = app_with_weather(&meteo).await;
    let me = app.register("Jeff").await;
    let body = ok(&app.get(&forecast_url(&here), Some(&me.token)).await);
    assert_eq!(
        body,
        json!({"daily": {
            "time": ["2026-11-25", "2026-11-26", "2026-11-27"],
            "temperature_2m_max": [61.2, 63.0, null],
            "precipitation_probability_mean": [10.0, 80.0, null],
            "cloudcover_mean": [20.0, 95.0, 40.0]
        }}),
        "only `daily`, all four series as long as `time`"
    );
    // Same question again (trailing slash too): the cache answers, Open-Meteo is asked once.
    let slashed = forecast_url(&here).replacen('?', "/?", 1);
    let again = ok(&app.get(&slashed, Some(&me.token)).await);
    assert_eq!(again, body);
}

#[tokio::test(flavor = "multi_thread")]
async fn historic_reads_the_archive() {
    let meteo = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/archive"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"daily": {
            "time": ["2026-05-01"], "temperature_2m_max": [22.5], "cloud_cover_mean": [30]
        }})))
        .expect(1)
        .mount(&meteo)
        .await;
    let app = app_with_weather(&meteo).await;
    let me = app.register("Jeff").await;
    let (lat, lon) = place();
    let body = ok(&app
        .get(
            &format!(
                "/api/v1/weather/historic/{lat}/{lon}?start_date=2026-05-01&end_date=2026-05-01"
            ),
            Some(&me.token),
        )
        .await);
    assert_eq!(
        body["daily"]["precipitation_probability_mean"],
        json!([null])
    );
    assert_eq!(body["daily"]["cloudcover_mean"], json!([30.0]));
}

/// A fake Open-Meteo whose forecast fails (500) and whose archive answers HTML.
pub async fn failing_meteo() -> MockServer {
    let meteo = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/forecast"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&meteo)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/archive"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>oops</html>"))
        .mount(&meteo)
        .await;
    meteo
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upstream_failure_is_a_503_or_502_with_a_code_never_a_broken_body() {
    let meteo = failing_meteo().await;
    let app = app_with_weather(&meteo).await;
    let me = app.register("Jeff").await;
    assert_error(
        &app.get(&forecast_url(&place()), Some(&me.token)).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "upstream_unavailable",
    );
    let (lat, lon) = place();
    assert_error(
        &app.get(
            &format!("/api/v1/weather/historic/{lat}/{lon}"),
            Some(&me.token),
        )
        .await,
        StatusCode::BAD_GATEWAY,
        "upstream_bad_response",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn weather_switched_off_answers_provider_not_configured() {
    let app = TestApp::builder(Backend::Memory)
        .fast_hashing()
        .build()
        .await;
    let me = app.register("Jeff").await;
    assert_error(
        &app.get(&forecast_url(&place()), Some(&me.token)).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "provider_not_configured",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_coordinates_dates_and_units_are_422_and_never_reach_open_meteo() {
    let meteo = MockServer::start().await;
    let app = app_with_weather(&meteo).await;
    let me = app.register("Jeff").await;
    for (url, field) in [
        ("/api/v1/weather/91/10", "latitude"),
        ("/api/v1/weather/abc/10", "latitude"),
        ("/api/v1/weather/10/-181", "longitude"),
        ("/api/v1/weather/10/NaN", "longitude"),
        ("/api/v1/weather/10/10?start_date=2026-13-01", "start_date"),
        (
            "/api/v1/weather/10/10?start_date=2026-11-27&end_date=2026-11-01",
            "end_date",
        ),
        (
            "/api/v1/weather/10/10?start_date=2020-01-01&end_date=2026-01-01",
            "end_date",
        ),
        (
            "/api/v1/weather/10/10?temperature_unit=kelvin",
            "temperature_unit",
        ),
    ] {
        assert_invalid(&app.get(url, Some(&me.token)).await, field);
    }
    assert_eq!(
        app.get("/api/v1/weather/10/10", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(meteo
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty());
}
