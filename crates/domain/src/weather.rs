//! Daily weather for the calendar (contract 2.4 C11/C12): what the app indexes day by day.

use chrono::NaiveDate;

use crate::{GeoPoint, ValidationError};

/// The unit of `temperature_2m_max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemperatureUnit {
    Celsius,
    Fahrenheit,
}

impl TemperatureUnit {
    /// `celsius` (default when absent) or `fahrenheit`, any case.
    pub fn parse(raw: Option<&str>) -> Result<Self, ValidationError> {
        match raw.map(|r| r.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("celsius") => Ok(Self::Celsius),
            Some("fahrenheit") => Ok(Self::Fahrenheit),
            Some(_) => Err(ValidationError::new(
                "temperature_unit",
                "must be celsius or fahrenheit",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Celsius => "celsius",
            Self::Fahrenheit => "fahrenheit",
        }
    }
}

/// The longest range one request may ask for (the app asks for about 18 days ahead and 6 months
/// back).
pub const MAX_WEATHER_DAYS: i64 = 366;

/// Where and when: a point and an inclusive date range of at most [`MAX_WEATHER_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeatherQuery {
    pub point: GeoPoint,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub unit: TemperatureUnit,
}

impl WeatherQuery {
    pub fn new(
        point: GeoPoint,
        start: NaiveDate,
        end: NaiveDate,
        unit: TemperatureUnit,
    ) -> Result<Self, ValidationError> {
        if end < start {
            return Err(ValidationError::new(
                "end_date",
                "must not be before start_date",
            ));
        }
        if (end - start).num_days() >= MAX_WEATHER_DAYS {
            return Err(ValidationError::new(
                "end_date",
                "the range must be at most 366 days",
            ));
        }
        Ok(Self {
            point,
            start,
            end,
            unit,
        })
    }
}

/// One value per day of `time`, in every series: the app indexes the series by the position of the
/// day, so a shorter series would crash it. A missing value is `None`, never a missing entry.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyWeather {
    time: Vec<NaiveDate>,
    temperature_2m_max: Vec<Option<f64>>,
    precipitation_probability_mean: Vec<Option<f64>>,
    cloudcover_mean: Vec<Option<f64>>,
}

impl DailyWeather {
    /// Fits each series to the days: extra values are dropped, missing ones become `None`.
    pub fn aligned(
        time: Vec<NaiveDate>,
        temperature_2m_max: Vec<Option<f64>>,
        precipitation_probability_mean: Vec<Option<f64>>,
        cloudcover_mean: Vec<Option<f64>>,
    ) -> Self {
        let n = time.len();
        let fit = |mut v: Vec<Option<f64>>| {
            v.resize(n, None);
            v.into_iter().map(|x| x.filter(|f| f.is_finite())).collect()
        };
        Self {
            temperature_2m_max: fit(temperature_2m_max),
            precipitation_probability_mean: fit(precipitation_probability_mean),
            cloudcover_mean: fit(cloudcover_mean),
            time,
        }
    }

    pub fn time(&self) -> &[NaiveDate] {
        &self.time
    }
    pub fn temperature_2m_max(&self) -> &[Option<f64>] {
        &self.temperature_2m_max
    }
    pub fn precipitation_probability_mean(&self) -> &[Option<f64>] {
        &self.precipitation_probability_mean
    }
    pub fn cloudcover_mean(&self) -> &[Option<f64>] {
        &self.cloudcover_mean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default()
    }

    #[test]
    fn every_series_is_as_long_as_time() {
        let w = DailyWeather::aligned(
            vec![d(1), d(2), d(3)],
            vec![Some(10.0)],
            vec![Some(1.0), Some(2.0), Some(3.0), Some(4.0)],
            vec![Some(f64::NAN), None, Some(50.0)],
        );
        assert_eq!(w.temperature_2m_max(), &[Some(10.0), None, None]);
        assert_eq!(w.precipitation_probability_mean().len(), 3);
        assert_eq!(w.cloudcover_mean(), &[None, None, Some(50.0)]);
    }

    #[test]
    fn ranges_are_bounded_and_ordered() {
        let p = GeoPoint::parse(34.2, -77.9).unwrap_or_else(|_| unreachable!());
        let u = TemperatureUnit::Celsius;
        assert!(WeatherQuery::new(p, d(2), d(1), u).is_err());
        let far = d(1) + chrono::Duration::days(366);
        assert!(WeatherQuery::new(p, d(1), far, u).is_err());
        assert!(WeatherQuery::new(p, d(1), d(1), u).is_ok());
        assert_eq!(
            TemperatureUnit::parse(Some("Fahrenheit")),
            Ok(TemperatureUnit::Fahrenheit)
        );
        assert!(TemperatureUnit::parse(Some("kelvin")).is_err());
    }
}
