//! Calendar values parsed at the edge: a month (`YearMonth`) and a bounded inclusive date range
//! (`DateRange`).

use chrono::{Datelike, Duration, NaiveDate};

use crate::ValidationError;

/// A calendar month, `1 <= month <= 12`, year 1900..=2200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// The years a month may have.
    pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

    pub fn new(year: i32, month: u32) -> Result<Self, ValidationError> {
        if !Self::YEARS.contains(&year) {
            return Err(ValidationError::new(
                "year",
                "must be between 1900 and 2200",
            ));
        }
        if !(1..=12).contains(&month) {
            return Err(ValidationError::new("month", "must be between 1 and 12"));
        }
        Ok(Self { year, month })
    }

    /// Parses path segments (`2025`, `7` or `07`).
    pub fn parse(year: &str, month: &str) -> Result<Self, ValidationError> {
        let y = year
            .trim()
            .parse::<i32>()
            .map_err(|_| ValidationError::new("year", "must be an integer"))?;
        let m = month
            .trim()
            .parse::<u32>()
            .map_err(|_| ValidationError::new("month", "must be an integer"))?;
        Self::new(y, m)
    }

    /// Every month there can be, in order (3,612 of them): what a cache keyed by month must
    /// clear to be sure none of a family's months is left.
    pub fn all() -> impl Iterator<Item = Self> {
        Self::YEARS.flat_map(|year| (1..=12).map(move |month| Self { year, month }))
    }

    /// The month containing `date`.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn month(&self) -> u32 {
        self.month
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(&self) -> NaiveDate {
        let (y, m) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// The whole month as a range.
    pub fn range(&self) -> DateRange {
        DateRange {
            start: self.first_day(),
            end: self.last_day(),
        }
    }
}

impl std::fmt::Display for YearMonth {
    /// `YYYY-MM`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Parses a wire date `YYYY-MM-DD`.
/// `YYYY-MM-DD`, without chrono's format-string machinery (hot in month views).
pub fn iso_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

pub fn parse_date(raw: &str, field: &'static str) -> Result<NaiveDate, ValidationError> {
    let s = raw.trim();
    if s.len() != 10 {
        return Err(ValidationError::new(field, "must be a date YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| ValidationError::new(field, "must be a date YYYY-MM-DD"))
}

/// An inclusive range of dates, `start <= end`, at most [`DateRange::MAX_DAYS`] days long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    /// The longest range a list query may ask for.
    pub const MAX_DAYS: i64 = 400;

    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, ValidationError> {
        if end < start {
            return Err(ValidationError::new(
                "end_date",
                "must not be before start_date",
            ));
        }
        if end - start >= Duration::days(Self::MAX_DAYS) {
            return Err(ValidationError::new(
                "end_date",
                format!("the range must be at most {} days", Self::MAX_DAYS),
            ));
        }
        Ok(Self { start, end })
    }

    /// Parses `start_date` / `end_date` query values.
    pub fn parse(start: &str, end: &str) -> Result<Self, ValidationError> {
        Self::new(
            parse_date(start, "start_date")?,
            parse_date(end, "end_date")?,
        )
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `all` holds exactly the months `new` accepts, so clearing it clears every month key.
        #[test]
        fn all_holds_exactly_the_valid_months(year in 1800i32..2300, month in 0u32..14) {
            let valid = YearMonth::new(year, month).is_ok();
            prop_assert_eq!(YearMonth::all().any(|m| m.year() == year && m.month() == month), valid);
        }
    }

    #[test]
    fn all_is_every_month_once_in_order() {
        let months: Vec<YearMonth> = YearMonth::all().collect();
        assert_eq!(months.len(), 301 * 12);
        assert!(months.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            months.first().map(ToString::to_string).as_deref(),
            Some("1900-01")
        );
        assert_eq!(
            months.last().map(ToString::to_string).as_deref(),
            Some("2200-12")
        );
    }

    #[test]
    fn months_and_ranges() {
        let m = YearMonth::parse("2024", "2").unwrap();
        assert_eq!(m.to_string(), "2024-02");
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!(
            YearMonth::parse("2024", "12")
                .unwrap()
                .last_day()
                .to_string(),
            "2024-12-31"
        );
        assert!(YearMonth::parse("2024", "13").is_err());
        assert!(DateRange::parse("2025-01-01", "2025-12-31").is_ok());
        assert!(DateRange::parse("2025-01-01", "2026-03-01").is_err());
        assert!(DateRange::parse("2025-01-02", "2025-01-01").is_err());
        assert!(DateRange::parse("2025-1-2", "2025-01-03").is_err());
    }
}
