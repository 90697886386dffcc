//! A family's members as the family routes see them, and the family's settings.

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::{User, UserId, ValidationError};

/// A member of a family: the user plus the `users` columns only the family routes read.
#[derive(Debug, Clone)]
pub struct FamilyMember {
    pub user: User,
    /// `"lat,lon"` as stored.
    pub last_known_location: Option<String>,
    pub last_known_location_at: Option<NaiveDateTime>,
    /// The APNs device token registered by the app, if any.
    pub device_token: Option<String>,
}

/// The family's time zone: an IANA name of the tz database (`Europe/Paris`, `UTC`). Handoff times
/// are local times in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyTimeZone(Tz);

impl FamilyTimeZone {
    /// What a family has until a parent chooses.
    pub const DEFAULT: Self = Self(Tz::UTC);

    /// An exact name of the tz database, spelled as the database spells it. Anything else (an
    /// offset such as `+02:00`, another case, surrounding spaces) is refused.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Tz::from_str(raw).map(Self).map_err(|_| {
            ValidationError::new(
                "timezone",
                "must be an IANA time zone name such as Europe/Paris",
            )
        })
    }

    /// A stored name; one the database no longer knows reads as UTC rather than failing.
    pub fn from_stored(raw: &str) -> Self {
        Self::parse(raw).unwrap_or(Self::DEFAULT)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> Tz {
        self.0
    }

    /// Every name [`parse`](Self::parse) accepts, in the tz database's order.
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
    }
}

/// A family's settings, and who changed them last (a change one parent makes is attributed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilySettings {
    pub timezone: FamilyTimeZone,
    /// `None` until a parent changes them (or when that parent's account is gone).
    pub updated_by: Option<UserId>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl Default for FamilySettings {
    fn default() -> Self {
        Self {
            timezone: FamilyTimeZone::DEFAULT,
            updated_by: None,
            updated_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_of_the_tz_database_parse_and_offsets_do_not() {
        assert_eq!(
            FamilyTimeZone::parse("Europe/Paris").map(|t| t.name()),
            Ok("Europe/Paris")
        );
        assert_eq!(FamilyTimeZone::DEFAULT.name(), "UTC");
        for bad in [
            "",
            "Mars/Olympus",
            "+02:00",
            "europe/paris",
            " Europe/Paris",
            "Europe/Paris/x",
        ] {
            assert!(FamilyTimeZone::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            FamilyTimeZone::from_stored("Nowhere/Gone"),
            FamilyTimeZone::DEFAULT
        );
        assert!(FamilyTimeZone::all_names().count() > 400);
    }

    proptest! {
        /// Exactly the listed names parse, and each reads back as itself.
        #[test]
        fn a_name_parses_exactly_when_listed(i in 0usize..600, junk in "[A-Za-z_/+-]{0,20}") {
            let names: Vec<&str> = FamilyTimeZone::all_names().collect();
            if let Some(name) = names.get(i % names.len()) {
                prop_assert_eq!(FamilyTimeZone::parse(name).map(|t| t.name()), Ok(*name));
            }
            let listed = names.contains(&junk.as_str());
            prop_assert_eq!(FamilyTimeZone::parse(&junk).is_ok(), listed);
        }
    }
}
