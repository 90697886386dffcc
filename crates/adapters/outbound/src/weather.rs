//! [`WeatherSource`] over Open-Meteo (no key): the forecast API and the archive API.
//!
//! Each call has a timeout per attempt and one retry after a network error, a 429 or a 5xx. Whatever Open-Meteo
//! answers, the result keeps the app's invariant (every series as long as `time`); an answer
//! without `daily.time` is a bad response, never a malformed body for the app.

use std::time::Duration;

use async_trait::async_trait;
use calndr_domain::{DailyWeather, WeatherQuery};
use calndr_ports::{UpstreamError, WeatherSource};
use chrono::NaiveDate;
use serde::Deserialize;
use url::Url;

const SERVICE: &str = "weather";

/// Where Open-Meteo lives (tests and staging point these at fakes) and how long to wait.
#[derive(Debug, Clone)]
pub struct OpenMeteoConfig {
    pub forecast_url: Url,
    pub archive_url: Url,
    /// Per attempt (a failed attempt is retried once).
    pub timeout: Duration,
}

impl OpenMeteoConfig {
    pub const FORECAST_URL: &'static str = "https://api.open-meteo.com/v1/forecast";
    pub const ARCHIVE_URL: &'static str = "https://archive-api.open-meteo.com/v1/archive";
}

#[derive(Clone)]
pub struct OpenMeteo {
    client: reqwest::Client,
    config: OpenMeteoConfig,
}

#[derive(Deserialize)]
struct Answer {
    daily: Option<Daily>,
}

#[derive(Deserialize)]
struct Daily {
    time: Option<Vec<NaiveDate>>,
    #[serde(default)]
    temperature_2m_max: Vec<Option<f64>>,
    #[serde(default)]
    precipitation_probability_mean: Vec<Option<f64>>,
    #[serde(default, alias = "cloud_cover_mean")]
    cloudcover_mean: Vec<Option<f64>>,
}

impl OpenMeteo {
    pub fn new(config: OpenMeteoConfig) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Calndr/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, config })
    }

    async fn daily(
        &self,
        base: &Url,
        daily: &str,
        q: &WeatherQuery,
    ) -> Result<DailyWeather, UpstreamError> {
        let mut url = base.clone();
        url.query_pairs_mut()
            .append_pair("latitude", &q.point.latitude().to_string())
            .append_pair("longitude", &q.point.longitude().to_string())
            .append_pair("start_date", &q.start.to_string())
            .append_pair("end_date", &q.end.to_string())
            .append_pair("daily", daily)
            .append_pair("timezone", "auto")
            .append_pair("temperature_unit", q.unit.as_str());
        self.once(url).await
    }

    /// One request, retried once by [`crate::retry`] after a network failure, a 429 or a 5xx.
    async fn once(&self, url: Url) -> Result<DailyWeather, UpstreamError> {
        let unavailable =
            |source: Box<dyn std::error::Error + Send + Sync>| UpstreamError::Unavailable {
                service: SERVICE,
                source,
            };
        let bad = |reason: String| UpstreamError::BadResponse {
            service: SERVICE,
            reason,
        };
        let response = crate::retry::send_idempotent(self.client.get(url))
            .await
            .map_err(|e| unavailable(Box::new(e.without_url())))?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(unavailable(format!("HTTP {status}").into()));
        }
        if !status.is_success() {
            return Err(bad(format!("HTTP {status}")));
        }
        let answer: Answer = response
            .json()
            .await
            .map_err(|e| bad(format!("unreadable JSON: {}", e.without_url())))?;
        let daily = answer
            .daily
            .ok_or_else(|| bad("no `daily` object".into()))?;
        let time = daily
            .time
            .ok_or_else(|| bad("no `daily.time` series".into()))?;
        Ok(DailyWeather::aligned(
            time,
            daily.temperature_2m_max,
            daily.precipitation_probability_mean,
            daily.cloudcover_mean,
        ))
    }
}

#[async_trait]
impl WeatherSource for OpenMeteo {
    async fn forecast(&self, q: &WeatherQuery) -> Result<DailyWeather, UpstreamError> {
        self.daily(
            &self.config.forecast_url,
            "temperature_2m_max,precipitation_probability_mean,cloudcover_mean",
            q,
        )
        .await
    }

    /// The archive has no precipitation probability: that series is all `null`.
    async fn historic(&self, q: &WeatherQuery) -> Result<DailyWeather, UpstreamError> {
        self.daily(
            &self.config.archive_url,
            "temperature_2m_max,cloud_cover_mean",
            q,
        )
        .await
    }
}

/// The stand-in when weather is switched off: every call is `NotConfigured`.
pub struct NoWeather;

#[async_trait]
impl WeatherSource for NoWeather {
    async fn forecast(&self, _: &WeatherQuery) -> Result<DailyWeather, UpstreamError> {
        Err(UpstreamError::NotConfigured("Weather"))
    }

    async fn historic(&self, _: &WeatherQuery) -> Result<DailyWeather, UpstreamError> {
        Err(UpstreamError::NotConfigured("Weather"))
    }
}
