//! Typed identifiers. UUID ids render lower-case with hyphens (the app compares them as strings)
//! and parse case-insensitively (the app sends Swift `UUID` strings, upper-case).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ValidationError;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random id (UUID v4, as the original generates).
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
            /// Parses a hyphenated UUID in either case.
            pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
                Uuid::try_parse(raw.trim())
                    .map(Self)
                    .map_err(|_| ValidationError::new(field, "must be a UUID"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s, stringify!($name))
            }
        }
    };
}

uuid_id!(
    /// A user (`users.id`).
    UserId
);
uuid_id!(
    /// A family (`families.id`); every family-owned record is scoped by it.
    FamilyId
);
uuid_id!(
    /// A colour theme (`themes.id`).
    ThemeId
);
uuid_id!(
    /// A child of a family (`children.id`).
    ChildId
);

/// Integer ids (`SERIAL` primary keys). Parsed from a path segment at the edge: a non-integer or
/// non-positive value is a validation error, never a lookup.
macro_rules! int_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i32);

        impl $name {
            pub const fn new(id: i32) -> Self {
                Self(id)
            }
            pub const fn get(&self) -> i32 {
                self.0
            }
            /// Parses a positive decimal integer that fits `i32`.
            pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
                match raw.trim().parse::<i32>() {
                    Ok(v) if v > 0 => Ok(Self(v)),
                    _ => Err(ValidationError::new(field, "must be a positive integer id")),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

int_id!(
    /// A family calendar event (`events.id`).
    EventId
);
int_id!(
    /// A reminder (`reminders.id`).
    ReminderId
);
int_id!(
    /// A journal entry (`journal_entries.id`).
    JournalEntryId
);
int_id!(
    /// An alert e-mail address of a family (`notification_emails.id`).
    NotificationEmailId
);
int_id!(
    /// A daycare or school of a family (`daycare_providers.id` / `school_providers.id`; which
    /// table is said by the `ProviderKind` next to it).
    ProviderId
);
int_id!(
    /// A doctor, dentist or pharmacy of a family (`medical_providers.id`).
    MedicalProviderId
);
int_id!(
    /// A babysitter (`babysitters.id`), linked to families through `babysitter_families`.
    BabysitterId
);
int_id!(
    /// An emergency contact of a family (`emergency_contacts.id`).
    EmergencyContactId
);
int_id!(
    /// A medication of a family (`medications.id`).
    MedicationId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_render_lower_case_and_parse_upper_case() {
        let id = UserId::parse("E621E1F8-C36C-495A-93FC-0C247A3E6E5F", "id").unwrap();
        assert_eq!(id.to_string(), "e621e1f8-c36c-495a-93fc-0c247a3e6e5f");
        assert!(UserId::parse("not-a-uuid", "id").is_err());
    }
}
