//! Daily weather from an outside forecast service.

use async_trait::async_trait;
use calndr_domain::{DailyWeather, WeatherQuery};

use crate::UpstreamError;

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait WeatherSource: Send + Sync {
    /// The forecast (and the recent past the forecast service still has).
    async fn forecast(&self, query: &WeatherQuery) -> Result<DailyWeather, UpstreamError>;

    /// Observed weather of past days.
    async fn historic(&self, query: &WeatherQuery) -> Result<DailyWeather, UpstreamError>;
}
