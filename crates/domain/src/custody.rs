//! Custody days and handoffs (spec 3.1): who has the children on each date, and the rules that
//! derive handoff flags and their default time and place.

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

use crate::{UserId, ValidationError};

/// A custody record's id (`custody.id`, SERIAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustodyId(i32);

impl CustodyId {
    pub const fn new(id: i32) -> Self {
        Self(id)
    }
    pub const fn get(&self) -> i32 {
        self.0
    }
    /// A positive decimal integer that fits `i32`.
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        match raw.trim().parse::<i32>() {
            Ok(v) if v > 0 => Ok(Self(v)),
            _ => Err(ValidationError::new(field, "must be a positive integer id")),
        }
    }
}

impl fmt::Display for CustodyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Longest handoff location.
pub const HANDOFF_LOCATION_MAX: usize = 255;

/// A handoff time on the wire: `"HH:MM"` (the app requires exactly two parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HandoffTime(NaiveTime);

impl HandoffTime {
    /// Accepts `HH:MM` and, leniently, `HH:MM:SS` (the database's rendering).
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        NaiveTime::parse_from_str(s, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
            .map(Self)
            .map_err(|_| ValidationError::new(field, "must be a time as HH:MM"))
    }

    pub fn from_hm(hour: u32, minute: u32) -> Option<Self> {
        NaiveTime::from_hms_opt(hour, minute, 0).map(Self)
    }

    pub fn from_stored(t: NaiveTime) -> Self {
        Self(t)
    }

    pub fn as_time(&self) -> NaiveTime {
        self.0
    }
}

impl fmt::Display for HandoffTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Timelike as _;
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

/// Which rule supplies default handoff details: an edit by a parent, or the template generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultsRule {
    /// Weekday 17:00 at "daycare"; weekend 12:00 at "<receiver's first name>'s home".
    Edit,
    /// Weekday 17:00 at "daycare"; weekend 12:00 at "other".
    Generator,
}

pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The default time and place of a handoff on `date` to `receiver_first_name`.
pub fn default_handoff(
    date: NaiveDate,
    receiver_first_name: Option<&str>,
    rule: DefaultsRule,
) -> (HandoffTime, String) {
    let weekday = HandoffTime(NaiveTime::MIN + chrono::Duration::hours(17));
    let weekend = HandoffTime(NaiveTime::MIN + chrono::Duration::hours(12));
    if !is_weekend(date) {
        return (weekday, "daycare".to_owned());
    }
    let place = match rule {
        DefaultsRule::Generator => "other".to_owned(),
        DefaultsRule::Edit => format!(
            "{}'s home",
            receiver_first_name.map_or_else(|| "unknown".to_owned(), str::to_lowercase)
        ),
    };
    (weekend, place)
}

/// One family's custody on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyDay {
    pub date: NaiveDate,
    pub custodian: UserId,
    pub handoff_day: bool,
    pub handoff_time: Option<HandoffTime>,
    pub handoff_location: Option<String>,
}

/// Re-derives `handoff_day` over consecutive `days` (sorted by date): a day is a handoff day
/// exactly when the previous calendar day has a record with another custodian. `before` is the
/// record of the day before the first one, if any. A day that stops being a handoff loses its time
/// and place; a day that becomes one without details gets the defaults of `rule`.
pub fn recompute_handoffs(
    before: Option<&CustodyDay>,
    days: &mut [CustodyDay],
    first_name_of: &dyn Fn(UserId) -> Option<String>,
    rule: DefaultsRule,
) {
    let mut prev: Option<(NaiveDate, UserId)> = before.map(|d| (d.date, d.custodian));
    for day in days.iter_mut() {
        let changed = prev.is_some_and(|(pdate, pcust)| {
            pdate.succ_opt() == Some(day.date) && pcust != day.custodian
        });
        if changed {
            day.handoff_day = true;
            if day.handoff_time.is_none() {
                let (time, place) =
                    default_handoff(day.date, first_name_of(day.custodian).as_deref(), rule);
                day.handoff_time = Some(time);
                day.handoff_location = Some(place);
            }
        } else {
            day.handoff_day = false;
            day.handoff_time = None;
            day.handoff_location = None;
        }
        prev = Some((day.date, day.custodian));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn handoff_times_render_as_hh_mm() {
        assert_eq!(
            HandoffTime::parse("17:00", "t").unwrap().to_string(),
            "17:00"
        );
        assert_eq!(
            HandoffTime::parse("09:30:00", "t").unwrap().to_string(),
            "09:30"
        );
        assert!(HandoffTime::parse("5pm", "t").is_err());
        assert!(HandoffTime::parse("25:00", "t").is_err());
    }

    #[test]
    fn defaults_follow_the_original() {
        // 2025-03-07 is a Friday, 2025-03-08 a Saturday.
        let (t, p) = default_handoff(d(2025, 3, 7), Some("Jeff"), DefaultsRule::Edit);
        assert_eq!((t.to_string().as_str(), p.as_str()), ("17:00", "daycare"));
        let (t, p) = default_handoff(d(2025, 3, 8), Some("Jeff"), DefaultsRule::Edit);
        assert_eq!(
            (t.to_string().as_str(), p.as_str()),
            ("12:00", "jeff's home")
        );
        let (_, p) = default_handoff(d(2025, 3, 8), None, DefaultsRule::Edit);
        assert_eq!(p, "unknown's home");
        let (_, p) = default_handoff(d(2025, 3, 8), Some("Jeff"), DefaultsRule::Generator);
        assert_eq!(p, "other");
    }

    fn day(date: NaiveDate, custodian: UserId) -> CustodyDay {
        CustodyDay {
            date,
            custodian,
            handoff_day: false,
            handoff_time: None,
            handoff_location: None,
        }
    }

    proptest! {
        /// After any assignment of custodians, `handoff_day` is true exactly when the custodian
        /// differs from the previous day's.
        #[test]
        fn handoff_day_iff_custodian_changes(
            picks in proptest::collection::vec(0usize..3, 1..60),
            gaps in proptest::collection::vec(proptest::bool::weighted(0.1), 60),
        ) {
            let parents = [UserId::random(), UserId::random(), UserId::random()];
            let mut date = d(2025, 1, 1);
            let mut days = Vec::new();
            for (i, p) in picks.iter().enumerate() {
                if gaps[i] { date = date.succ_opt().unwrap(); }
                days.push(day(date, parents[*p]));
                date = date.succ_opt().unwrap();
            }
            recompute_handoffs(None, &mut days, &|_| Some("X".into()), DefaultsRule::Edit);
            for w in days.windows(2) {
                let expected = w[0].date.succ_opt() == Some(w[1].date) && w[0].custodian != w[1].custodian;
                prop_assert_eq!(w[1].handoff_day, expected);
                prop_assert_eq!(w[1].handoff_time.is_some(), expected);
            }
            prop_assert!(!days[0].handoff_day);
            // Idempotent: recomputing again changes nothing.
            let again = { let mut c = days.clone(); recompute_handoffs(None, &mut c, &|_| Some("X".into()), DefaultsRule::Edit); c };
            prop_assert_eq!(again, days);
        }
    }
}
