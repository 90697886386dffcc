//! The guarded fetcher and the Open-Meteo adapter against local fake servers (wiremock) that
//! speak HTTP as the real sites do. Every request goes to 127.0.0.1.
#![expect(clippy::expect_used, reason = "test setup")]

#[path = "support/apns.rs"]
mod apns;
#[path = "support/calendars.rs"]
mod calendars;
#[path = "support/identity.rs"]
mod identity;
#[path = "support/places.rs"]
mod places;
#[path = "support/smtp.rs"]
mod smtp;

use std::net::SocketAddr;
use std::time::Duration;

use calndr_domain::{GeoPoint, TemperatureUnit, WeatherQuery};
use calndr_outbound::{FetchError, FetchLimits, OpenMeteo, OpenMeteoConfig, SafeFetcher};
use calndr_ports::{UpstreamError, WeatherSource};
use chrono::NaiveDate;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn addr(server: &MockServer) -> SocketAddr {
    *server.address()
}

fn fetcher_for(servers: &[&MockServer]) -> SafeFetcher {
    let exempt: Vec<SocketAddr> = servers.iter().map(|s| addr(s)).collect();
    SafeFetcher::new(FetchLimits::default())
        .expect("client")
        .exempting(&exempt)
}

async fn redirecting_to(location: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", location))
        .mount(&server)
        .await;
    server
}

async fn serving(body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/calendar"),
        )
        .mount(&server)
        .await;
    server
}

async fn hits(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

#[tokio::test]
async fn a_permitted_site_is_fetched_with_its_content_type() {
    let site = serving("BEGIN:VCALENDAR").await;
    let got = fetcher_for(&[&site])
        .get(&format!("{}/cal.ics", site.uri()))
        .await
        .expect("fetch");
    assert_eq!(got.body, b"BEGIN:VCALENDAR");
    assert_eq!(got.content_type.as_deref(), Some("text/calendar"));
}

#[tokio::test]
async fn loopback_by_address_or_by_name_is_refused_before_any_request() {
    let site = serving("secret").await;
    let fetcher = fetcher_for(&[]);
    let port = addr(&site).port();
    for url in [
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://[::1]:{port}/"),
    ] {
        let err = fetcher.get(&url).await.expect_err(&url);
        assert!(
            matches!(err, FetchError::ForbiddenAddress("loopback")),
            "{url}: {err:?}"
        );
    }
    assert_eq!(hits(&site).await, 0);
}

#[tokio::test]
async fn every_forbidden_kind_of_literal_address_is_refused() {
    let fetcher = fetcher_for(&[]);
    for (url, why) in [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://169.254.170.2/v2/credentials", "link-local"),
        ("http://10.0.0.5/", "private"),
        ("http://172.20.1.1/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://100.100.100.200/", "shared address space"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.251/", "multicast"),
        ("http://[fd00::1]/", "unique-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[ff02::1]/", "multicast"),
        ("http://[::ffff:a9fe:a9fe]/", "link-local"),
        ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),
    ] {
        assert_eq!(
            fetcher.get(url).await.expect_err(url),
            FetchError::ForbiddenAddress(why),
            "{url}"
        );
    }
}

#[tokio::test]
async fn only_http_and_https_are_fetched() {
    let fetcher = fetcher_for(&[]);
    for url in [
        "file:///etc/passwd",
        "ftp://example.com/x",
        "gopher://x/",
        "data:text/plain,hi",
    ] {
        assert_eq!(
            fetcher.get(url).await.expect_err(url),
            FetchError::ForbiddenScheme,
            "{url}"
        );
    }
    assert_eq!(
        fetcher.get("not a url").await.expect_err("bad"),
        FetchError::BadUrl
    );
}

#[tokio::test]
async fn a_redirect_to_a_forbidden_address_is_refused_and_never_followed() {
    // The inner server is loopback but not exempt: only the first hop may be reached.
    let inner = serving("internal").await;
    let hops = [
        format!("http://127.0.0.1:{}/admin", addr(&inner).port()),
        format!("http://localhost:{}/admin", addr(&inner).port()),
        "http://169.254.169.254/latest/meta-data/iam".to_owned(),
        format!("http://[::ffff:127.0.0.1]:{}/", addr(&inner).port()),
    ];
    for hop in hops {
        let outer = redirecting_to(&hop).await;
        let err = fetcher_for(&[&outer])
            .get(&outer.uri())
            .await
            .expect_err(&hop);
        assert!(
            matches!(err, FetchError::ForbiddenAddress(_)),
            "{hop}: {err:?}"
        );
        assert_eq!(hits(&outer).await, 1);
    }
    assert_eq!(
        hits(&inner).await,
        0,
        "the forbidden target was never contacted"
    );
}

#[tokio::test]
async fn at_most_three_redirects_are_followed() {
    let end = serving("done").await;
    let mut chain = vec![end];
    for _ in 0..4 {
        let next = redirecting_to(&chain.last().expect("chain").uri()).await;
        chain.push(next);
    }
    let all: Vec<&MockServer> = chain.iter().collect();
    let fetcher = fetcher_for(&all);
    // chain[3] -> [2] -> [1] -> [0]: three redirects.
    assert_eq!(
        fetcher.get(&chain[3].uri()).await.expect("3 hops").body,
        b"done"
    );
    assert_eq!(
        fetcher.get(&chain[4].uri()).await.expect_err("4 hops"),
        FetchError::TooManyRedirects
    );
}

#[tokio::test]
async fn more_than_two_mebibytes_is_refused() {
    let big = serving(&"x".repeat(2 * 1024 * 1024 + 1)).await;
    assert_eq!(
        fetcher_for(&[&big]).get(&big.uri()).await.expect_err("big"),
        FetchError::TooLarge
    );
    let fits = serving(&"x".repeat(2 * 1024 * 1024)).await;
    assert_eq!(
        fetcher_for(&[&fits])
            .get(&fits.uri())
            .await
            .expect("fits")
            .body
            .len(),
        2 * 1024 * 1024
    );
}

#[tokio::test]
async fn a_slow_site_times_out_within_the_budget() {
    let slow = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&slow)
        .await;
    let fetcher = SafeFetcher::new(FetchLimits {
        timeout: Duration::from_millis(300),
        ..FetchLimits::default()
    })
    .expect("client")
    .exempting(&[addr(&slow)]);
    let started = std::time::Instant::now();
    assert_eq!(
        fetcher.get(&slow.uri()).await.expect_err("slow"),
        FetchError::Timeout
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

// ---- Open-Meteo -----------------------------------------------------------------------------

fn meteo(server: &MockServer) -> OpenMeteo {
    OpenMeteo::new(OpenMeteoConfig {
        forecast_url: format!("{}/v1/forecast", server.uri())
            .parse()
            .expect("url"),
        archive_url: format!("{}/v1/archive", server.uri()).parse().expect("url"),
        timeout: Duration::from_secs(2),
    })
    .expect("client")
}

fn query() -> WeatherQuery {
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("date");
    WeatherQuery::new(
        GeoPoint::parse(34.2257, -77.9447).expect("point"),
        day(25),
        day(27),
        TemperatureUnit::Fahrenheit,
    )
    .expect("query")
}

fn answer() -> serde_json::Value {
    json!({"latitude": 34.2, "daily_units": {}, "daily": {
        "time": ["2026-11-25", "2026-11-26", "2026-11-27"],
        "temperature_2m_max": [61.2, null, 58.0],
        "precipitation_probability_mean": [10, 80],
        "cloudcover_mean": [20, 95, 40, 12]
    }})
}

#[tokio::test]
async fn forecast_sends_open_meteos_parameters_and_keeps_every_series_as_long_as_time() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/forecast"))
        .and(query_param("latitude", "34.2257"))
        .and(query_param("longitude", "-77.9447"))
        .and(query_param("start_date", "2026-11-25"))
        .and(query_param("end_date", "2026-11-27"))
        .and(query_param(
            "daily",
            "temperature_2m_max,precipitation_probability_mean,cloudcover_mean",
        ))
        .and(query_param("timezone", "auto"))
        .and(query_param("temperature_unit", "fahrenheit"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer()))
        .expect(1)
        .mount(&server)
        .await;
    let w = meteo(&server).forecast(&query()).await.expect("forecast");
    assert_eq!(w.time().len(), 3);
    assert_eq!(w.temperature_2m_max(), &[Some(61.2), None, Some(58.0)]);
    assert_eq!(
        w.precipitation_probability_mean(),
        &[Some(10.0), Some(80.0), None]
    );
    assert_eq!(w.cloudcover_mean(), &[Some(20.0), Some(95.0), Some(40.0)]);
}

#[tokio::test]
async fn historic_reads_the_archive_whose_missing_series_are_nulls() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/archive"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"daily": {
            "time": ["2026-11-25", "2026-11-26"],
            "temperature_2m_max": [50.0, 51.5],
            "cloud_cover_mean": [70, 30]
        }})))
        .expect(1)
        .mount(&server)
        .await;
    let w = meteo(&server).historic(&query()).await.expect("historic");
    assert_eq!(w.precipitation_probability_mean(), &[None, None]);
    assert_eq!(w.cloudcover_mean(), &[Some(70.0), Some(30.0)]);
}

#[tokio::test]
async fn a_5xx_is_retried_once_then_reported_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer()))
        .mount(&server)
        .await;
    assert!(
        meteo(&server).forecast(&query()).await.is_ok(),
        "the retry succeeded"
    );
    assert_eq!(hits(&server).await, 2);

    let down = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&down)
        .await;
    let err = meteo(&down).forecast(&query()).await.expect_err("down");
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
    assert_eq!(hits(&down).await, 2, "one retry, no more");
}

#[tokio::test]
async fn unusable_answers_are_bad_responses_and_not_retried() {
    for response in [
        ResponseTemplate::new(400).set_body_json(json!({"error": true, "reason": "bad"})),
        ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"),
        ResponseTemplate::new(200).set_body_json(json!({"daily": {"temperature_2m_max": [1]}})),
        ResponseTemplate::new(200).set_body_json(json!({"hourly": {}})),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(response)
            .mount(&server)
            .await;
        let err = meteo(&server).forecast(&query()).await.expect_err("bad");
        assert!(matches!(err, UpstreamError::BadResponse { .. }), "{err:?}");
        assert_eq!(hits(&server).await, 1);
    }
}

#[tokio::test]
async fn an_unreachable_service_is_unavailable_within_the_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let slow = OpenMeteo::new(OpenMeteoConfig {
        forecast_url: server.uri().parse().expect("url"),
        archive_url: server.uri().parse().expect("url"),
        timeout: Duration::from_millis(200),
    })
    .expect("client");
    let started = std::time::Instant::now();
    let err = slow.forecast(&query()).await.expect_err("slow");
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}
