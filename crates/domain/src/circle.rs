//! The family circle: children, babysitters, emergency contacts and medications. Names, phone
//! numbers and notes are personal data: `Debug` never prints them.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::{
    BabysitterId, BoundedText, ChildId, EmergencyContactId, FamilyId, MedicationId, PersonName,
    PhoneNumber, ShortText, UserId, ValidationError,
};

/// Longest free-text note (`notes`, `instructions`: TEXT columns).
pub const NOTES_MAX: usize = 2000;

/// Optional free text: `None` when absent or blank.
pub fn optional_text(
    raw: Option<&str>,
    field: &'static str,
    max: usize,
) -> Result<Option<BoundedText>, ValidationError> {
    raw.filter(|t| !t.trim().is_empty())
        .map(|t| BoundedText::parse(t, field, max, false))
        .transpose()
}

/// A contact's phone number: a [`PhoneNumber`] that fits `VARCHAR(20)`.
pub fn contact_phone(raw: &str, field: &'static str) -> Result<PhoneNumber, ValidationError> {
    if raw.trim().chars().count() > CONTACT_PHONE_MAX {
        return Err(ValidationError::new(
            field,
            format!("must be at most {CONTACT_PHONE_MAX} characters"),
        ));
    }
    PhoneNumber::parse(raw, field)
}

/// `babysitters.phone_number` / `emergency_contacts.phone_number` are VARCHAR(20).
pub const CONTACT_PHONE_MAX: usize = 20;

// ----------------------------------------------------------------------------------------------
// Children
// ----------------------------------------------------------------------------------------------

/// A child of a family (`children`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub id: ChildId,
    pub family_id: FamilyId,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub dob: NaiveDate,
}

/// A child's values, to insert or to replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildDraft {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub dob: NaiveDate,
}

impl ChildDraft {
    /// The earliest date of birth accepted.
    pub fn earliest_dob() -> NaiveDate {
        NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
    }

    /// `dob` must be from 1900 on and not after the day after `today` (`today` is UTC; a
    /// family east of UTC may already be on the next day).
    pub fn new(
        first_name: &str,
        last_name: &str,
        dob: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, ValidationError> {
        let latest = today.succ_opt().unwrap_or(today);
        if dob < Self::earliest_dob() || dob > latest {
            return Err(ValidationError::new(
                "dob",
                "must be a date between 1900-01-01 and today",
            ));
        }
        Ok(Self {
            first_name: PersonName::parse(first_name, "first_name")?,
            last_name: PersonName::parse(last_name, "last_name")?,
            dob,
        })
    }
}

// ----------------------------------------------------------------------------------------------
// Babysitters and emergency contacts
// ----------------------------------------------------------------------------------------------

/// An hourly rate (`babysitters.rate`, NUMERIC(6,2)): positive, at most 9999.99, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rate(u32);

impl Rate {
    pub const MAX_CENTS: u32 = 999_999;

    /// `0` means "no rate" (`Ok(None)`), as the original answers it.
    pub fn parse(raw: f64) -> Result<Option<Self>, ValidationError> {
        let err = || ValidationError::new("rate", "must be a number between 0 and 9999.99");
        if !raw.is_finite() || raw < 0.0 {
            return Err(err());
        }
        let cents = (raw * 100.0).round();
        if cents > f64::from(Self::MAX_CENTS) {
            return Err(err());
        }
        // In 0..=MAX_CENTS after the checks above.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked range"
        )]
        let cents = cents as u32;
        Ok((cents > 0).then_some(Self(cents)))
    }

    /// A stored value; zero, negative or absurd values read as "no rate".
    pub fn from_stored(raw: Option<f64>) -> Option<Self> {
        raw.and_then(|r| Self::parse(r).ok().flatten())
    }

    pub fn cents(&self) -> u32 {
        self.0
    }

    pub fn as_f64(&self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

/// A babysitter, as a family sees it (only sitters linked to the family).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Babysitter {
    pub id: BabysitterId,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
    pub rate: Option<Rate>,
    pub notes: Option<BoundedText>,
    pub created_by: UserId,
    pub created_at: Option<NaiveDateTime>,
}

/// A babysitter's values, to insert or to replace (all five, as the original's PUT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BabysitterDraft {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
    pub rate: Option<Rate>,
    pub notes: Option<BoundedText>,
}

/// An emergency contact of a family (`emergency_contacts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyContact {
    pub id: EmergencyContactId,
    pub family_id: FamilyId,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
    pub relationship: Option<ShortText>,
    pub notes: Option<BoundedText>,
    pub created_by: UserId,
    pub created_at: Option<NaiveDateTime>,
}

/// `emergency_contacts.relationship` is VARCHAR(100).
pub const RELATIONSHIP_MAX: usize = 100;

/// An emergency contact's values, to insert or to replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyContactDraft {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
    pub relationship: Option<ShortText>,
    pub notes: Option<BoundedText>,
}

// ----------------------------------------------------------------------------------------------
// Medications
// ----------------------------------------------------------------------------------------------

pub const MEDICATION_NAME_MAX: usize = 255;
pub const DOSAGE_MAX: usize = 100;
pub const FREQUENCY_MAX: usize = 100;

/// What a medication is, when it is taken, and its daily reminder. The rules hold together:
/// `end_date >= start_date`, and a reminder time exactly when the reminder is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MedicationFields {
    pub name: BoundedText,
    pub dosage: Option<BoundedText>,
    pub frequency: Option<BoundedText>,
    pub instructions: Option<BoundedText>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub is_active: bool,
    pub reminder_enabled: bool,
    pub reminder_time: Option<NaiveTime>,
    pub notes: Option<BoundedText>,
}

impl MedicationFields {
    /// Checks the rules that tie the fields together.
    pub fn checked(self) -> Result<Self, ValidationError> {
        if let (Some(s), Some(e)) = (self.start_date, self.end_date) {
            if e < s {
                return Err(ValidationError::new(
                    "end_date",
                    "must not be before start_date",
                ));
            }
        }
        match (self.reminder_enabled, self.reminder_time) {
            (true, None) => Err(ValidationError::new(
                "reminder_time",
                "is required when reminder_enabled is true",
            )),
            (false, Some(_)) => Err(ValidationError::new(
                "reminder_time",
                "is allowed only when reminder_enabled is true",
            )),
            _ => Ok(self),
        }
    }

    /// Taken on `day`: active, and `day` within the (open-ended) start and end dates.
    pub fn is_current_on(&self, day: NaiveDate) -> bool {
        self.is_active
            && self.start_date.is_none_or(|s| s <= day)
            && self.end_date.is_none_or(|e| day <= e)
    }

    /// The next time the daily reminder is due at or after `now` (same clock as the stored
    /// time), within the start and end dates; `None` without a reminder or after the end.
    pub fn next_reminder(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        let time = self.reminder_time.filter(|_| self.reminder_enabled)?;
        if !self.is_active {
            return None;
        }
        let mut day = now.date();
        if day.and_time(time) < now {
            day = day.checked_add_signed(Duration::days(1))?;
        }
        if let Some(start) = self.start_date {
            day = day.max(start);
        }
        if self.end_date.is_some_and(|e| day > e) {
            return None;
        }
        Some(day.and_time(time))
    }
}

/// Changes to a medication; `None` leaves a value as it is (the app omits nil fields), and
/// `Some(None)` clears an optional text (sent blank).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MedicationChanges {
    pub name: Option<BoundedText>,
    pub dosage: Option<Option<BoundedText>>,
    pub frequency: Option<Option<BoundedText>>,
    pub instructions: Option<Option<BoundedText>>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub is_active: Option<bool>,
    pub reminder_enabled: Option<bool>,
    pub reminder_time: Option<NaiveTime>,
    pub notes: Option<Option<BoundedText>>,
}

impl MedicationChanges {
    /// A `reminder_time` is accepted only together with `reminder_enabled: true` (the
    /// original's rule, checked on the request alone).
    pub fn new(self) -> Result<Self, ValidationError> {
        if self.reminder_time.is_some() && self.reminder_enabled != Some(true) {
            return Err(ValidationError::new(
                "reminder_time",
                "is allowed only with reminder_enabled true in the same request",
            ));
        }
        Ok(self)
    }

    /// The medication after the changes, checked. Turning the reminder off clears its time.
    pub fn apply(&self, current: &MedicationFields) -> Result<MedicationFields, ValidationError> {
        let or = |new: &Option<Option<BoundedText>>, old: &Option<BoundedText>| {
            new.clone().unwrap_or_else(|| old.clone())
        };
        let reminder_enabled = self.reminder_enabled.unwrap_or(current.reminder_enabled);
        MedicationFields {
            name: self.name.clone().unwrap_or_else(|| current.name.clone()),
            dosage: or(&self.dosage, &current.dosage),
            frequency: or(&self.frequency, &current.frequency),
            instructions: or(&self.instructions, &current.instructions),
            start_date: self.start_date.or(current.start_date),
            end_date: self.end_date.or(current.end_date),
            is_active: self.is_active.unwrap_or(current.is_active),
            reminder_enabled,
            reminder_time: if reminder_enabled {
                self.reminder_time.or(current.reminder_time)
            } else {
                None
            },
            notes: or(&self.notes, &current.notes),
        }
        .checked()
    }
}

/// A medication of a family (`medications`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medication {
    pub id: MedicationId,
    pub family_id: FamilyId,
    pub fields: MedicationFields,
    pub created_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
}

/// How a medication list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MedicationSort {
    Name,
    StartDate,
    CreatedAt,
}

impl MedicationSort {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw.trim() {
            "name" => Ok(Self::Name),
            "start_date" => Ok(Self::StartDate),
            "created_at" => Ok(Self::CreatedAt),
            _ => Err(ValidationError::new(
                "sort_by",
                "must be one of name, start_date, created_at",
            )),
        }
    }
}

/// Filters, page and order of a medication list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MedicationQuery {
    pub is_active: Option<bool>,
    pub reminder_enabled: Option<bool>,
    /// Only medications taken on this day ([`MedicationFields::is_current_on`]).
    pub current_on: Option<NaiveDate>,
    pub page: u32,
    pub limit: u32,
    pub sort: MedicationSort,
    pub descending: bool,
}

impl MedicationQuery {
    pub const DEFAULT_LIMIT: u32 = 20;
    pub const MAX_LIMIT: u32 = 100;
    pub const MAX_PAGE: u32 = 100_000;

    /// Parses the paging and order parameters; the filters are set by the caller.
    pub fn new(
        page: Option<i64>,
        limit: Option<i64>,
        sort_by: Option<&str>,
        sort_order: Option<&str>,
    ) -> Result<Self, ValidationError> {
        let page = match page {
            None => 1,
            Some(p) if (1..=i64::from(Self::MAX_PAGE)).contains(&p) => {
                u32::try_from(p).unwrap_or(1)
            }
            Some(_) => {
                return Err(ValidationError::new(
                    "page",
                    format!("must be between 1 and {}", Self::MAX_PAGE),
                ))
            }
        };
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
        let sort = sort_by.map_or(Ok(MedicationSort::Name), MedicationSort::parse)?;
        let descending = match sort_order.map(str::trim) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(ValidationError::new("sort_order", "must be asc or desc")),
        };
        Ok(Self {
            is_active: None,
            reminder_enabled: None,
            current_on: None,
            page,
            limit,
            sort,
            descending,
        })
    }

    /// Rows to skip before the page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }

    /// Whether a medication passes the filters.
    pub fn matches(&self, m: &MedicationFields) -> bool {
        self.is_active.is_none_or(|a| m.is_active == a)
            && self
                .reminder_enabled
                .is_none_or(|r| m.reminder_enabled == r)
            && self.current_on.is_none_or(|d| m.is_current_on(d))
    }

    /// Pages needed for `total` rows.
    pub fn total_pages(&self, total: u64) -> u64 {
        total.div_ceil(u64::from(self.limit))
    }
}

/// One page of a medication list and the number of matching medications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MedicationPage {
    pub medications: Vec<Medication>,
    pub total: u64,
}

/// A common medication the app offers as a shortcut (`GET /medications/presets`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MedicationPreset {
    pub name: &'static str,
    pub common_dosages: &'static [&'static str],
    pub common_frequencies: &'static [&'static str],
    pub default_dosage: &'static str,
    pub default_frequency: &'static str,
    pub aliases: &'static [&'static str],
}

/// The original's five presets.
pub const MEDICATION_PRESETS: [MedicationPreset; 5] = [
    MedicationPreset {
        name: "Tylenol",
        common_dosages: &["80mg", "160mg", "325mg", "500mg"],
        common_frequencies: &["Every 4 hours", "Every 6 hours", "As needed"],
        default_dosage: "160mg",
        default_frequency: "Every 6 hours",
        aliases: &["Acetaminophen", "Paracetamol"],
    },
    MedicationPreset {
        name: "Motrin",
        common_dosages: &["50mg", "100mg", "200mg", "400mg"],
        common_frequencies: &["Every 6 hours", "Every 8 hours", "As needed"],
        default_dosage: "100mg",
        default_frequency: "Every 6 hours",
        aliases: &["Ibuprofen", "Advil"],
    },
    MedicationPreset {
        name: "Zyrtec",
        common_dosages: &["2.5mg", "5mg", "10mg"],
        common_frequencies: &["Once daily", "Twice daily"],
        default_dosage: "5mg",
        default_frequency: "Once daily",
        aliases: &["Cetirizine"],
    },
    MedicationPreset {
        name: "Benadryl",
        common_dosages: &["6.25mg", "12.5mg", "25mg"],
        common_frequencies: &["Every 4 hours", "Every 6 hours", "As needed"],
        default_dosage: "12.5mg",
        default_frequency: "Every 6 hours",
        aliases: &["Diphenhydramine"],
    },
    MedicationPreset {
        name: "Amoxicillin",
        common_dosages: &["125mg", "250mg", "400mg", "500mg"],
        common_frequencies: &["Twice daily", "Three times daily"],
        default_dosage: "250mg",
        default_frequency: "Twice daily",
        aliases: &["Amoxil"],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    fn med() -> MedicationFields {
        MedicationFields {
            name: BoundedText::parse("Tylenol", "name", 255, false).unwrap(),
            dosage: None,
            frequency: None,
            instructions: None,
            start_date: Some(d("2025-03-01")),
            end_date: Some(d("2025-03-10")),
            is_active: true,
            reminder_enabled: true,
            reminder_time: Some(t("08:00")),
            notes: None,
        }
    }

    #[test]
    fn rates_round_to_cents_and_zero_is_none() {
        assert_eq!(Rate::parse(0.0).unwrap(), None);
        assert_eq!(Rate::parse(15.5).unwrap().unwrap().cents(), 1550);
        assert_eq!(Rate::parse(9999.99).unwrap().unwrap().as_f64(), 9999.99);
        assert!(Rate::parse(10_000.0).is_err());
        assert!(Rate::parse(-1.0).is_err());
        assert!(Rate::parse(f64::NAN).is_err());
        assert_eq!(Rate::from_stored(Some(0.0)), None);
    }

    #[test]
    fn child_dob_is_past_and_after_1900() {
        let today = d("2025-06-01");
        assert!(ChildDraft::new("Ava", "Lee", d("2020-02-29"), today).is_ok());
        assert!(ChildDraft::new("Ava", "Lee", d("2025-06-02"), today).is_ok());
        assert!(ChildDraft::new("Ava", "Lee", d("2025-06-03"), today).is_err());
        assert!(ChildDraft::new("Ava", "Lee", d("1899-12-31"), today).is_err());
        assert!(ChildDraft::new("", "Lee", d("2020-01-01"), today).is_err());
    }

    #[test]
    fn contact_phones_fit_the_column() {
        assert!(contact_phone("+1 (555) 010-0100", "phone_number").is_ok());
        assert!(contact_phone("+1 555 010 0100 0000 00", "phone_number").is_err());
    }

    #[test]
    fn medication_rules() {
        assert!(med().checked().is_ok());
        let mut m = med();
        m.end_date = Some(d("2025-02-01"));
        assert_eq!(m.checked().unwrap_err().field, "end_date");
        let mut m = med();
        m.reminder_time = None;
        assert_eq!(m.checked().unwrap_err().field, "reminder_time");
        let mut m = med();
        m.reminder_enabled = false;
        assert_eq!(m.checked().unwrap_err().field, "reminder_time");

        // A time without reminder_enabled in the same request is refused.
        let c = MedicationChanges {
            reminder_time: Some(t("09:00")),
            ..Default::default()
        };
        assert!(c.new().is_err());
        // Turning the reminder off clears the time.
        let off = MedicationChanges {
            reminder_enabled: Some(false),
            ..Default::default()
        };
        let after = off.apply(&med()).unwrap();
        assert_eq!((after.reminder_enabled, after.reminder_time), (false, None));
        // A change that breaks the date order is refused after merging.
        let early_end = MedicationChanges {
            end_date: Some(d("2025-01-01")),
            ..Default::default()
        };
        assert!(early_end.apply(&med()).is_err());
    }

    #[test]
    fn current_and_next_reminder() {
        let m = med();
        assert!(m.is_current_on(d("2025-03-01")));
        assert!(!m.is_current_on(d("2025-03-11")));
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            m.next_reminder(at("2025-02-20 12:00")),
            Some(at("2025-03-01 08:00"))
        );
        assert_eq!(
            m.next_reminder(at("2025-03-05 07:00")),
            Some(at("2025-03-05 08:00"))
        );
        assert_eq!(
            m.next_reminder(at("2025-03-05 09:00")),
            Some(at("2025-03-06 08:00"))
        );
        assert_eq!(m.next_reminder(at("2025-03-10 09:00")), None);
    }

    #[test]
    fn medication_queries_are_bounded() {
        let q = MedicationQuery::new(None, None, None, None).unwrap();
        assert_eq!(
            (q.page, q.limit, q.sort, q.descending),
            (1, 20, MedicationSort::Name, false)
        );
        assert_eq!(
            MedicationQuery::new(None, Some(101), None, None)
                .unwrap_err()
                .field,
            "limit"
        );
        assert_eq!(
            MedicationQuery::new(Some(0), None, None, None)
                .unwrap_err()
                .field,
            "page"
        );
        assert!(MedicationQuery::new(None, None, Some("dosage"), None).is_err());
        assert!(MedicationQuery::new(None, None, None, Some("up")).is_err());
        let q = MedicationQuery::new(Some(3), Some(10), Some("start_date"), Some("desc")).unwrap();
        assert_eq!((q.offset(), q.total_pages(21)), (20, 3));
    }
}
