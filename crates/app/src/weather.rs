//! `GET /weather/{lat}/{lon}` and `/weather/historic/{lat}/{lon}`: daily weather through the
//! [`WeatherSource`] port, cached (spec 5: 1 hour for forecasts, 3 days for the past).

use std::sync::Arc;
use std::time::Duration;

use calndr_domain::{DailyWeather, GeoPoint, WeatherQuery};
use calndr_ports::{Cache, WeatherSource};

use crate::AppError;

const FORECAST_TTL: Duration = Duration::from_secs(3600);
const HISTORIC_TTL: Duration = Duration::from_secs(3 * 24 * 3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeatherKind {
    Forecast,
    Historic,
}

#[derive(Clone)]
pub struct WeatherService {
    source: Arc<dyn WeatherSource>,
    cache: Arc<dyn Cache>,
}

/// Coordinates to 4 decimals (about 11 m): nearby requests share a cache entry and the upstream
/// answer, and no more precision than that leaves the server.
fn rounded(point: GeoPoint) -> GeoPoint {
    let r = |v: f64| (v * 10_000.0).round() / 10_000.0;
    GeoPoint::parse(r(point.latitude()), r(point.longitude())).unwrap_or(point)
}

impl WeatherService {
    pub fn new(source: Arc<dyn WeatherSource>, cache: Arc<dyn Cache>) -> Self {
        Self { source, cache }
    }

    /// The daily weather rendered by `render` (the wire format), from the cache when possible.
    pub async fn daily_rendered(
        &self,
        kind: WeatherKind,
        query: WeatherQuery,
        render: &(dyn Fn(&DailyWeather) -> Option<Vec<u8>> + Sync),
    ) -> Result<Vec<u8>, AppError> {
        let query = WeatherQuery {
            point: rounded(query.point),
            ..query
        };
        let (name, ttl) = match kind {
            WeatherKind::Forecast => ("forecast", FORECAST_TTL),
            WeatherKind::Historic => ("historic", HISTORIC_TTL),
        };
        let key = crate::cache_keys::weather(name, &query);
        if let Ok(Some(hit)) = self.cache.get(&key).await {
            return Ok(hit);
        }
        let weather = match kind {
            WeatherKind::Forecast => self.source.forecast(&query).await,
            WeatherKind::Historic => self.source.historic(&query).await,
        }?;
        let body = render(&weather)
            .ok_or_else(|| AppError::Unexpected("rendering the weather failed".into()))?;
        let _ = self.cache.set(&key, &body, ttl).await;
        Ok(body)
    }
}
