//! Family records of the calendar and diary: events, reminders, journal entries, alert e-mail
//! addresses and group chats. Text is personal data: `Debug` never prints it.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::{
    EmailAddress, EventId, FamilyId, JournalEntryId, NotificationEmailId, ReminderId, UserId,
    ValidationError,
};

/// Free text bounded in characters. Trimmed; newlines and tabs allowed, other control characters
/// refused. `allow_empty` decides whether "" is a value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BoundedText(String);

impl BoundedText {
    pub fn parse(
        raw: &str,
        field: &'static str,
        max: usize,
        allow_empty: bool,
    ) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.is_empty() && !allow_empty {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        if s.chars().count() > max {
            return Err(ValidationError::new(
                field,
                format!("must be at most {max} characters"),
            ));
        }
        if s.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(ValidationError::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BoundedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BoundedText({} chars)", self.0.chars().count())
    }
}

// ----------------------------------------------------------------------------------------------
// Events
// ----------------------------------------------------------------------------------------------

/// The legacy slot that meant "custody" in `events.position`; such rows are not events.
pub const CUSTODY_POSITION: i32 = 4;
/// `events.event_type` of legacy custody rows, excluded everywhere.
pub const CUSTODY_EVENT_TYPE: &str = "custody";
/// Longest event text (`events.content` is VARCHAR(255)).
pub const EVENT_CONTENT_MAX: usize = 255;

/// A family calendar event (`events`, never a legacy custody row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub family_id: FamilyId,
    pub date: NaiveDate,
    pub content: Option<BoundedText>,
    pub position: Option<i32>,
    pub event_type: String,
}

/// An event to insert or the new values of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub date: NaiveDate,
    pub content: BoundedText,
    pub position: Option<i32>,
}

impl EventDraft {
    /// `position` 4 (custody) is not an event: the caller reports it as a bad request before this.
    pub fn new(
        date: NaiveDate,
        content: &str,
        position: Option<i32>,
    ) -> Result<Self, ValidationError> {
        if let Some(p) = position {
            if !(0..=CUSTODY_POSITION).contains(&p) {
                return Err(ValidationError::new("position", "must be between 0 and 3"));
            }
        }
        Ok(Self {
            date,
            content: BoundedText::parse(content, "content", EVENT_CONTENT_MAX, true)?,
            position,
        })
    }

    pub fn is_custody(&self) -> bool {
        self.position == Some(CUSTODY_POSITION)
    }
}

/// Where a provider event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    School,
    Daycare,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::School => "school",
            Self::Daycare => "daycare",
        }
    }
}

/// A school or daycare calendar event reaching the family through its assigned sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    pub kind: ProviderKind,
    pub id: i32,
    pub family_id: FamilyId,
    pub date: NaiveDate,
    pub title: BoundedText,
    pub description: Option<BoundedText>,
    pub event_type: Option<String>,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    pub all_day: bool,
    pub provider_id: i32,
    pub provider_name: String,
}

// ----------------------------------------------------------------------------------------------
// Reminders
// ----------------------------------------------------------------------------------------------

/// Longest reminder text.
pub const REMINDER_TEXT_MAX: usize = 2000;

/// A reminder (`reminders`): at most one per family and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub id: ReminderId,
    pub family_id: FamilyId,
    pub date: NaiveDate,
    pub text: BoundedText,
    pub notification_enabled: bool,
    pub notification_time: Option<NaiveTime>,
    pub created_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
}

/// New values of a reminder's text and notification (date stays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderFields {
    pub text: BoundedText,
    pub notification_enabled: bool,
    pub notification_time: Option<NaiveTime>,
}

/// Parses a time of day as the app sends it, `HH:mm` (also `HH:mm:ss`).
pub fn parse_time_of_day(raw: &str, field: &'static str) -> Result<NaiveTime, ValidationError> {
    let s = raw.trim();
    let parsed = match s.len() {
        5 => NaiveTime::parse_from_str(s, "%H:%M"),
        8 => NaiveTime::parse_from_str(s, "%H:%M:%S"),
        _ => return Err(ValidationError::new(field, "must be a time HH:MM")),
    };
    parsed.map_err(|_| ValidationError::new(field, "must be a time HH:MM"))
}

// ----------------------------------------------------------------------------------------------
// Journal
// ----------------------------------------------------------------------------------------------

pub const JOURNAL_TITLE_MAX: usize = 255;
pub const JOURNAL_CONTENT_MAX: usize = 20_000;

/// A journal entry (`journal_entries`) with its author's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub id: JournalEntryId,
    pub family_id: FamilyId,
    pub user_id: UserId,
    pub title: Option<BoundedText>,
    pub content: BoundedText,
    pub entry_date: NaiveDate,
    pub author_name: BoundedText,
    pub created_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJournalEntry {
    pub title: Option<BoundedText>,
    pub content: BoundedText,
    pub entry_date: NaiveDate,
}

/// Changes to an entry; `None` leaves a value as it is. `title: Some(None)` is not offered: the
/// app omits nil fields, so a title cannot be cleared (as in the original).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JournalChanges {
    pub title: Option<BoundedText>,
    pub content: Option<BoundedText>,
    pub entry_date: Option<NaiveDate>,
}

impl JournalChanges {
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.content.is_none() && self.entry_date.is_none()
    }
}

/// Bounds of a journal list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalQuery {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub limit: u32,
}

impl JournalQuery {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 200;

    pub fn new(
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        limit: Option<i64>,
    ) -> Result<Self, ValidationError> {
        let limit = match limit {
            None => Self::DEFAULT_LIMIT,
            Some(l) if (1..=i64::from(Self::MAX_LIMIT)).contains(&l) => {
                u32::try_from(l).unwrap_or(Self::DEFAULT_LIMIT)
            }
            Some(_) => {
                return Err(ValidationError::new(
                    "limit",
                    format!("must be between 1 and {}", Self::MAX_LIMIT),
                ))
            }
        };
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                return Err(ValidationError::new(
                    "end_date",
                    "must not be before start_date",
                ));
            }
        }
        Ok(Self { start, end, limit })
    }
}

// ----------------------------------------------------------------------------------------------
// Alert e-mails and group chats
// ----------------------------------------------------------------------------------------------

/// An alert e-mail address of a family (`notification_emails`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationEmail {
    pub id: NotificationEmailId,
    pub family_id: FamilyId,
    pub email: EmailAddress,
}

/// Who a group chat is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactType {
    Babysitter,
    Emergency,
}

impl ContactType {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw.trim() {
            "babysitter" => Ok(Self::Babysitter),
            "emergency" => Ok(Self::Emergency),
            _ => Err(ValidationError::new(
                "contact_type",
                "must be 'babysitter' or 'emergency'",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Babysitter => "babysitter",
            Self::Emergency => "emergency",
        }
    }
}

/// The chat of a family with one contact (`group_chats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupChat {
    pub group_identifier: String,
    pub created_at: Option<NaiveDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_times_and_limits() {
        assert!(BoundedText::parse(&"x".repeat(255), "content", 255, true).is_ok());
        assert!(BoundedText::parse(&"é".repeat(256), "content", 255, true).is_err());
        assert!(BoundedText::parse("  ", "text", 10, false).is_err());
        assert!(BoundedText::parse("a\nb", "text", 10, false).is_ok());
        assert!(BoundedText::parse("a\u{7}", "text", 10, false).is_err());
        assert_eq!(
            parse_time_of_day("09:30", "t").unwrap().to_string(),
            "09:30:00"
        );
        assert!(parse_time_of_day("9:30", "t").is_err());
        assert!(parse_time_of_day("25:00", "t").is_err());
        assert_eq!(JournalQuery::new(None, None, None).unwrap().limit, 50);
        assert!(JournalQuery::new(None, None, Some(201)).is_err());
        assert!(JournalQuery::new(None, None, Some(0)).is_err());
        assert!(ContactType::parse("friend").is_err());
        let d = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert!(EventDraft::new(d, "x", Some(4)).unwrap().is_custody());
        assert!(EventDraft::new(d, "x", Some(5)).is_err());
    }
}
