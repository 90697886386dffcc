//! "Export my data" (`GET /users/me/export`, issue #14 item 3): the document's format, its
//! sections in the order they are written, and what the document shows of other people.
//!
//! The document is written section by section, each read in pages of at most
//! [`EXPORT_PAGE_ROWS`] rows, so a large family never sits in memory whole.

use chrono::NaiveDate;

use crate::{PersonName, UserId};

/// The document's `format` field. A change that a reader of version 1 cannot read gets a new
/// number.
pub const EXPORT_FORMAT: &str = "calndr-export/1";

/// Rows read (and written) at once per section.
pub const EXPORT_PAGE_ROWS: u32 = 500;

/// The attachment's file name: `calndr-export-<YYYY-MM-DD>.json`.
pub fn export_file_name(date: NaiveDate) -> String {
    format!("calndr-export-{}.json", date.format("%Y-%m-%d"))
}

/// A member of the user's family as the export shows them: names only (no e-mail, phone,
/// location, device or photo).
#[derive(Clone, PartialEq, Eq)]
pub struct MemberName {
    pub id: UserId,
    pub first_name: PersonName,
    pub last_name: PersonName,
}

impl From<&crate::User> for MemberName {
    fn from(u: &crate::User) -> Self {
        Self {
            id: u.id,
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
        }
    }
}

impl std::fmt::Debug for MemberName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberName")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The sections of rows the family shares, in the order the document lists them. The member
/// list, the profile and the sign-in identities come before them, in the document's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExportSection {
    Custody,
    Events,
    Reminders,
    Journal,
    Children,
    Babysitters,
    EmergencyContacts,
    MedicalProviders,
    Medications,
    ScheduleTemplates,
    DaycareProviders,
    SchoolProviders,
    NotificationEmails,
    /// The colour themes the user made (public or not); not the family's.
    Themes,
}

impl ExportSection {
    /// Every section, in document order.
    pub const ALL: [ExportSection; 14] = [
        Self::Custody,
        Self::Events,
        Self::Reminders,
        Self::Journal,
        Self::Children,
        Self::Babysitters,
        Self::EmergencyContacts,
        Self::MedicalProviders,
        Self::Medications,
        Self::ScheduleTemplates,
        Self::DaycareProviders,
        Self::SchoolProviders,
        Self::NotificationEmails,
        Self::Themes,
    ];

    /// The section's key in the document.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Custody => "custody",
            Self::Events => "events",
            Self::Reminders => "reminders",
            Self::Journal => "journal",
            Self::Children => "children",
            Self::Babysitters => "babysitters",
            Self::EmergencyContacts => "emergency_contacts",
            Self::MedicalProviders => "medical_providers",
            Self::Medications => "medications",
            Self::ScheduleTemplates => "schedule_templates",
            Self::DaycareProviders => "daycare_providers",
            Self::SchoolProviders => "school_providers",
            Self::NotificationEmails => "notification_emails",
            Self::Themes => "themes",
        }
    }

    /// The section after this one, `None` after the last.
    pub fn next(self) -> Option<Self> {
        let i = Self::ALL.iter().position(|s| *s == self)?;
        Self::ALL.get(i + 1).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_follow_each_other_in_document_order_and_keys_are_unique() {
        let mut walked = vec![ExportSection::ALL[0]];
        while let Some(next) = walked.last().and_then(|s| s.next()) {
            walked.push(next);
        }
        assert_eq!(walked, ExportSection::ALL.to_vec());
        let mut keys: Vec<_> = ExportSection::ALL.iter().map(|s| s.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), ExportSection::ALL.len());
    }

    #[test]
    fn the_file_is_named_after_the_day() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default();
        assert_eq!(export_file_name(d), "calndr-export-2026-03-09.json");
    }

    #[test]
    fn a_member_name_debug_shows_no_name() {
        let m = MemberName {
            id: UserId::from_uuid(uuid::Uuid::nil()),
            first_name: PersonName::from_stored("Alex".into()),
            last_name: PersonName::from_stored("Doe".into()),
        };
        assert!(!format!("{m:?}").contains("Alex"));
    }
}
