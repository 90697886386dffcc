//! The family's daycares, schools and medical providers, and their calendars.
//!
//! Providers are family-owned address-book entries (spec 1.14, 1.15, 1.22). Every field comes from
//! the user or from a place search (`crate::places`), so each is parsed here with the bounds of its column; an empty
//! optional string means "no value" (the app sends `""` for a cleared text field).

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::{
    BoundedText, EmailAddress, FamilyId, GeoPoint, MedicalProviderId, ProviderId, ProviderKind,
    ShortText, UserId, ValidationError,
};

/// `name` columns are VARCHAR(255).
pub const PROVIDER_NAME_MAX: usize = 255;
/// `address` and `notes` are TEXT; bounded so one row stays small.
pub const PROVIDER_ADDRESS_MAX: usize = 1_000;
pub const PROVIDER_NOTES_MAX: usize = 5_000;
/// `daycare_providers.phone_number` / `school_providers.phone_number` are VARCHAR(20).
pub const PROVIDER_PHONE_MAX: usize = 20;
/// `hours`, `google_place_id`, `specialty` are VARCHAR(255).
pub const PROVIDER_SHORT_MAX: usize = 255;
/// `website` is VARCHAR(500).
pub const WEBSITE_MAX: usize = 500;
/// A calendar URL (`*_calendar_syncs.calendar_url`, TEXT).
pub const CALENDAR_URL_MAX: usize = 2_000;
/// Titles of parsed calendar events (`*_events.title` is VARCHAR(255)).
pub const CALENDAR_TITLE_MAX: usize = 255;
/// Longest medical phone number as typed ([`us_phone`]).
pub const MEDICAL_PHONE_MAX: usize = 50;
/// Longest medical ZIP code.
pub const ZIP_CODE_MAX: usize = 20;
/// Longest free text of a medical place search (`query`, `specialty`).
pub const SEARCH_TEXT_MAX: usize = 100;
/// The best [`Rating`].
pub const RATING_MAX: f64 = 5.0;

/// `None` for a missing, empty or blank optional string.
pub(crate) fn present(raw: Option<&str>) -> Option<&str> {
    raw.filter(|s| !s.trim().is_empty())
}

/// Parses an optional single-line text bounded in characters.
pub fn optional_short(
    raw: Option<&str>,
    field: &'static str,
    max: usize,
) -> Result<Option<ShortText>, ValidationError> {
    present(raw)
        .map(|s| ShortText::parse(s, field, max))
        .transpose()
}

/// Parses an optional free text (newlines allowed) bounded in characters.
pub fn optional_text(
    raw: Option<&str>,
    field: &'static str,
    max: usize,
) -> Result<Option<BoundedText>, ValidationError> {
    present(raw)
        .map(|s| BoundedText::parse(s, field, max, false))
        .transpose()
}

/// Parses an optional e-mail address (reported under `field`).
pub fn optional_email(
    raw: Option<&str>,
    field: &'static str,
) -> Result<Option<EmailAddress>, ValidationError> {
    present(raw)
        .map(|s| EmailAddress::parse(s).map_err(|e| e.for_field(field)))
        .transpose()
}

// ----------------------------------------------------------------------------------------------
// Value objects
// ----------------------------------------------------------------------------------------------

/// A star rating, 0 to 5 (`rating` is NUMERIC(3,2)).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rating(f64);

impl Rating {
    pub fn parse(raw: f64) -> Result<Self, ValidationError> {
        if !raw.is_finite() || !(0.0..=RATING_MAX).contains(&raw) {
            return Err(ValidationError::new("rating", "must be between 0 and 5"));
        }
        Ok(Self(raw))
    }

    pub fn from_stored(raw: f64) -> Self {
        Self(raw)
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// An `http(s)` URL with a host. A value without a scheme gets `https://` (as the original did
/// for medical websites); any other scheme (`javascript:`, `file:`, ...) is refused.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(raw: &str, field: &'static str, max: usize) -> Result<Self, ValidationError> {
        let s = raw.trim();
        let bad = || ValidationError::new(field, "must be an http or https URL");
        if s.is_empty() {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(bad());
        }
        let url = if s.contains("://") {
            s.to_owned()
        } else {
            format!("https://{s}")
        };
        if url.chars().count() > max {
            return Err(ValidationError::new(
                field,
                format!("must be at most {max} characters"),
            ));
        }
        let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(bad());
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && !host.starts_with(['.', '-']);
        let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
        if !host_ok || !port_ok {
            return Err(bad());
        }
        Ok(Self(url))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebUrl({} chars)", self.0.chars().count())
    }
}

/// A phone number of a daycare or school: the shape of [`crate::PhoneNumber`], at most 20
/// characters (the column's width).
pub fn provider_phone(raw: &str, field: &'static str) -> Result<ShortText, ValidationError> {
    let p = crate::PhoneNumber::parse(raw, field)?;
    ShortText::parse(p.as_str(), field, PROVIDER_PHONE_MAX)
}

/// A North American phone number normalised to `(XXX) XXX-XXXX` (medical providers): at most 50
/// characters of digits, spaces, `+-().`; 10 digits, or 11 starting with 1.
pub fn us_phone(raw: &str, field: &'static str) -> Result<ShortText, ValidationError> {
    let s = raw.trim();
    if s.chars().count() > MEDICAL_PHONE_MAX {
        return Err(ValidationError::new(field, "must be at most 50 characters"));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return Err(ValidationError::new(field, "must be a phone number"));
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let ten = match digits.len() {
        10 => digits.as_str(),
        11 if digits.starts_with('1') => &digits[1..],
        n if n < 10 => {
            return Err(ValidationError::new(
                field,
                "must contain at least 10 digits",
            ))
        }
        _ => {
            return Err(ValidationError::new(
                field,
                "must be a 10-digit number (optionally preceded by 1)",
            ))
        }
    };
    ShortText::parse(
        &format!("({}) {}-{}", &ten[..3], &ten[3..6], &ten[6..]),
        field,
        MEDICAL_PHONE_MAX,
    )
}

// ----------------------------------------------------------------------------------------------
// Daycare and school providers
// ----------------------------------------------------------------------------------------------

/// What a daycare or school entry holds besides its identity (the body of POST and PUT).
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderFields {
    pub name: ShortText,
    pub address: Option<BoundedText>,
    pub phone_number: Option<ShortText>,
    pub email: Option<EmailAddress>,
    pub hours: Option<ShortText>,
    pub notes: Option<BoundedText>,
    pub google_place_id: Option<ShortText>,
    pub rating: Option<Rating>,
    pub website: Option<WebUrl>,
}

/// The raw input of [`ProviderFields::parse`], as the wire carries it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProviderInput<'a> {
    pub name: &'a str,
    pub address: Option<&'a str>,
    pub phone_number: Option<&'a str>,
    pub email: Option<&'a str>,
    pub hours: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub google_place_id: Option<&'a str>,
    pub rating: Option<f64>,
    pub website: Option<&'a str>,
}

impl ProviderFields {
    pub fn parse(input: ProviderInput<'_>) -> Result<Self, ValidationError> {
        Ok(Self {
            name: ShortText::parse(input.name, "name", PROVIDER_NAME_MAX)?,
            address: optional_text(input.address, "address", PROVIDER_ADDRESS_MAX)?,
            phone_number: present(input.phone_number)
                .map(|p| provider_phone(p, "phone_number"))
                .transpose()?,
            email: optional_email(input.email, "email")?,
            hours: optional_short(input.hours, "hours", PROVIDER_SHORT_MAX)?,
            notes: optional_text(input.notes, "notes", PROVIDER_NOTES_MAX)?,
            google_place_id: optional_short(
                input.google_place_id,
                "google_place_id",
                PROVIDER_SHORT_MAX,
            )?,
            rating: input.rating.map(Rating::parse).transpose()?,
            website: present(input.website)
                .map(|w| WebUrl::parse(w, "website", WEBSITE_MAX))
                .transpose()?,
        })
    }
}

/// A daycare or school of a family.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub kind: ProviderKind,
    pub id: ProviderId,
    pub family_id: FamilyId,
    pub fields: ProviderFields,
    pub created_by: UserId,
    pub created_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
}

/// The calendar sync of a provider (`daycare_calendar_syncs` / `school_calendar_syncs`).
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarSync {
    pub id: i32,
    pub calendar_url: WebUrl,
    pub sync_enabled: bool,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_sync_success: Option<bool>,
    pub events_count: i32,
}

/// One event read from a provider's calendar page: a day and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    pub date: NaiveDate,
    pub title: ShortText,
}

impl CalendarEvent {
    pub fn new(date: NaiveDate, title: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            date,
            title: ShortText::parse(title, "title", CALENDAR_TITLE_MAX)?,
        })
    }
}

/// At most one event per day and title (the tables' unique key), in date order: the first of
/// duplicates wins.
pub fn dedup_calendar(mut events: Vec<CalendarEvent>) -> Vec<CalendarEvent> {
    let mut seen = std::collections::HashSet::new();
    events.retain(|e| seen.insert((e.date, e.title.as_str().to_lowercase())));
    events.sort_by_key(|e| e.date);
    events
}

/// The `event_type` a calendar title is stored with (spec 3.8): `closure`, `early_dismissal`,
/// `pd_day` (schools only) or `event`.
pub fn classify_event(kind: ProviderKind, title: &str) -> &'static str {
    let t = title.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    let closure: &[&str] = match kind {
        ProviderKind::School => &["closed", "closure", "holiday", "break", "vacation"],
        ProviderKind::Daycare => &["closed", "closure", "holiday"],
    };
    let early: &[&str] = match kind {
        ProviderKind::School => &["early", "dismissal", "half day", "early release"],
        ProviderKind::Daycare => &["early", "dismissal", "half day"],
    };
    if any(closure) {
        "closure"
    } else if any(early) {
        "early_dismissal"
    } else if kind == ProviderKind::School
        && any(&["pd day", "professional development", "teacher workday"])
    {
        "pd_day"
    } else {
        "event"
    }
}

// ----------------------------------------------------------------------------------------------
// Medical providers
// ----------------------------------------------------------------------------------------------

/// A doctor, dentist or pharmacy of a family (`medical_providers`).
#[derive(Debug, Clone, PartialEq)]
pub struct MedicalProvider {
    pub id: MedicalProviderId,
    pub family_id: FamilyId,
    pub name: ShortText,
    pub specialty: Option<ShortText>,
    pub address: Option<BoundedText>,
    pub phone: Option<ShortText>,
    pub email: Option<EmailAddress>,
    pub website: Option<WebUrl>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub zip_code: Option<ShortText>,
    pub notes: Option<BoundedText>,
    pub google_place_id: Option<ShortText>,
    pub rating: Option<Rating>,
    pub created_by: UserId,
    pub created_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Changes to a medical provider; `None` leaves a value as it is (the app omits nil fields). On
/// create, `name` is required.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MedicalChanges {
    pub name: Option<ShortText>,
    pub specialty: Option<ShortText>,
    pub address: Option<BoundedText>,
    pub phone: Option<ShortText>,
    pub email: Option<EmailAddress>,
    pub website: Option<WebUrl>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub zip_code: Option<ShortText>,
    pub notes: Option<BoundedText>,
    pub google_place_id: Option<ShortText>,
    pub rating: Option<Rating>,
}

/// The raw input of [`MedicalChanges::parse`], as the wire carries it.
#[derive(Debug, Clone, Copy, Default)]
pub struct MedicalInput<'a> {
    pub name: Option<&'a str>,
    pub specialty: Option<&'a str>,
    pub address: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub website: Option<&'a str>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub zip_code: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub google_place_id: Option<&'a str>,
    pub rating: Option<f64>,
}

impl MedicalChanges {
    /// The validators of `MedicalProviderCreate` (spec 1.22). A name, when given, must not be
    /// blank; latitude and longitude are checked each on its own (either may come alone).
    pub fn parse(input: MedicalInput<'_>) -> Result<Self, ValidationError> {
        let coordinate = |v: Option<f64>, lat: bool| -> Result<Option<f64>, ValidationError> {
            let Some(v) = v else { return Ok(None) };
            let p = if lat {
                GeoPoint::parse(v, 0.0)
            } else {
                GeoPoint::parse(0.0, v)
            };
            p.map(|_| Some(v))
        };
        Ok(Self {
            name: input
                .name
                .map(|n| ShortText::parse(n, "name", PROVIDER_NAME_MAX))
                .transpose()?,
            specialty: optional_short(input.specialty, "specialty", PROVIDER_SHORT_MAX)?,
            address: optional_text(input.address, "address", PROVIDER_ADDRESS_MAX)?,
            phone: present(input.phone)
                .map(|p| us_phone(p, "phone"))
                .transpose()?,
            email: optional_email(input.email, "email")?,
            website: present(input.website)
                .map(|w| WebUrl::parse(w, "website", WEBSITE_MAX))
                .transpose()?,
            latitude: coordinate(input.latitude, true)?,
            longitude: coordinate(input.longitude, false)?,
            zip_code: optional_short(input.zip_code, "zip_code", ZIP_CODE_MAX)?,
            notes: optional_text(input.notes, "notes", PROVIDER_NOTES_MAX)?,
            google_place_id: optional_short(
                input.google_place_id,
                "google_place_id",
                PROVIDER_SHORT_MAX,
            )?,
            rating: input.rating.map(Rating::parse).transpose()?,
        })
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_get_a_scheme_and_only_http_schemes_pass() {
        let w = WebUrl::parse("example.com/calendar", "website", 500).unwrap();
        assert_eq!(w.as_str(), "https://example.com/calendar");
        assert_eq!(
            WebUrl::parse("http://a.b:8080/x", "w", 500)
                .unwrap()
                .as_str(),
            "http://a.b:8080/x"
        );
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ftp://x.y",
            "https://",
            "https://a b",
            "https://user@host",
            "https://host:99999",
        ] {
            assert!(WebUrl::parse(bad, "w", 500).is_err(), "{bad}");
        }
        assert!(WebUrl::parse(&format!("a.com/{}", "x".repeat(500)), "w", 500).is_err());
    }

    #[test]
    fn phones_normalise_like_the_original() {
        assert_eq!(
            us_phone("910.555.1234", "phone").unwrap().as_str(),
            "(910) 555-1234"
        );
        assert_eq!(
            us_phone("+1 (910) 555-1234", "phone").unwrap().as_str(),
            "(910) 555-1234"
        );
        assert!(us_phone("555-1234", "phone").is_err());
        assert!(us_phone("2 910 555 1234", "phone").is_err());
        assert!(us_phone("910555123x", "phone").is_err());
        assert!(provider_phone("+1 (910) 555-1234 x12", "phone_number").is_err());
        assert!(provider_phone("(910) 555-1234", "phone_number").is_ok());
    }

    #[test]
    fn ratings_are_zero_to_five() {
        assert!(Rating::parse(5.0).is_ok());
        assert!(Rating::parse(5.01).is_err());
        assert!(Rating::parse(f64::NAN).is_err());
    }

    #[test]
    fn titles_classify_by_keyword() {
        assert_eq!(
            classify_event(ProviderKind::School, "Winter Break"),
            "closure"
        );
        assert_eq!(
            classify_event(ProviderKind::Daycare, "Winter Break"),
            "event"
        );
        assert_eq!(
            classify_event(ProviderKind::School, "Teacher Workday"),
            "pd_day"
        );
        assert_eq!(
            classify_event(ProviderKind::Daycare, "Early dismissal"),
            "early_dismissal"
        );
    }
}
