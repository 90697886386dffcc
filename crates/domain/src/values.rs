//! Value objects. Each has a private field and a `parse` that returns a [`ValidationError`].

use std::fmt;

use crate::ValidationError;

/// Longest phone number as typed ([`PhoneNumber`], and the US numbers PINs go to).
pub const PHONE_MAX: usize = 32;
/// Length bounds of an APNs device token ([`DeviceToken`]), in hex digits.
pub const DEVICE_TOKEN_MIN: usize = 32;
pub const DEVICE_TOKEN_MAX: usize = 200;
/// Length bounds of a stored enrollment code ([`EnrollmentCode`]).
pub const ENROLLMENT_CODE_MIN: usize = 4;
pub const ENROLLMENT_CODE_MAX: usize = 32;
/// Longest profile `bio`.
pub const BIO_MAX: usize = 1000;
/// Longest theme name kept in a user's preferences.
pub const PREFERENCE_TEXT_MAX: usize = 255;

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// An e-mail address. Stored exactly as the user typed it (trimmed); compared case-insensitively by
/// the storage layer. The shape check is deliberately modest (one `@`, a dotted domain, no spaces):
/// the only real proof of an address is a message that arrives.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;
    /// Longest part before the `@`, in bytes.
    pub const MAX_LOCAL_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        let err = |reason: &str| ValidationError::new("email", reason);
        if s.is_empty() {
            return Err(err("is required"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(err("must be at most 254 characters"));
        }
        if has_control(s) || s.chars().any(char::is_whitespace) {
            return Err(err("must not contain spaces or control characters"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(err("must be an e-mail address"));
        };
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || local.len() > Self::MAX_LOCAL_LEN || !domain_ok {
            return Err(err("must be an e-mail address"));
        }
        Ok(Self(s.to_owned()))
    }

    /// A value read back from storage, where the original may have kept anything.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EmailAddress {
    // Personal data: never printed in full, not even in Debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(<redacted>)")
    }
}

/// A plain-text password on its way to the hasher. No `Debug` content, no `Display`.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_NEW: usize = 8;
    pub const MAX: usize = 128;

    /// A password presented for verification (login, current password): any non-empty text.
    pub fn presented(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        if raw.is_empty() {
            return Err(ValidationError::new(field, "is required"));
        }
        if raw.chars().count() > Self::MAX {
            return Err(ValidationError::new(
                field,
                "must be at most 128 characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// A password being chosen (registration, change, reset): at least 8 characters.
    pub fn new_choice(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        let p = Self::presented(raw, field)?;
        if raw.chars().count() < Self::MIN_NEW {
            return Err(ValidationError::new(field, "must be at least 8 characters"));
        }
        if raw.trim().is_empty() {
            return Err(ValidationError::new(field, "must not be only spaces"));
        }
        Ok(p)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Bounded single-line text (names, titles): trimmed, 1..=max characters, no control characters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ShortText(String);

impl ShortText {
    pub fn parse(raw: &str, field: &'static str, max: usize) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        if s.chars().count() > max {
            return Err(ValidationError::new(
                field,
                format!("must be at most {max} characters"),
            ));
        }
        if has_control(s) {
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

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShortText({} chars)", self.0.chars().count())
    }
}

/// A person's first or last name (1..=100 characters).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(ShortText);

impl PersonName {
    pub const MAX: usize = 100;

    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        ShortText::parse(raw, field, Self::MAX).map(Self)
    }

    pub fn from_stored(raw: String) -> Self {
        Self(ShortText::from_stored(raw))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonName(<redacted>)")
    }
}

/// A phone number as the user typed it: digits with optional `+`, spaces, dashes, dots and
/// parentheses; 3..=32 characters and at least 3 digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
        if s.chars().count() > PHONE_MAX {
            return Err(ValidationError::new(field, "must be at most 32 characters"));
        }
        if !s.chars().all(allowed) || s.chars().filter(char::is_ascii_digit).count() < 3 {
            return Err(ValidationError::new(field, "must be a phone number"));
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

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneNumber(<redacted>)")
    }
}

/// An APNs device token: hexadecimal, 32..=200 characters, stored lower-case.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if !(DEVICE_TOKEN_MIN..=DEVICE_TOKEN_MAX).contains(&s.len())
            || !s.chars().all(|c| c.is_ascii_hexdigit())
        {
            return Err(ValidationError::new(
                "token",
                "must be a hexadecimal APNs device token",
            ));
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceToken(<redacted>)")
    }
}

/// A family enrollment code: 4..=32 letters and digits, compared upper-case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EnrollmentCode(String);

impl EnrollmentCode {
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValidationError::new(field, "Enrollment code is required"));
        }
        if !(ENROLLMENT_CODE_MIN..=ENROLLMENT_CODE_MAX).contains(&s.len())
            || !s.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(ValidationError::new(field, "Invalid enrollment code"));
        }
        Ok(Self(s.to_ascii_uppercase()))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EnrollmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnrollmentCode(<redacted>)")
    }
}

/// A WGS84 position (the app reports the device location after a silent push).
#[derive(Clone, Copy, PartialEq)]
pub struct GeoPoint {
    latitude: f64,
    longitude: f64,
}

impl GeoPoint {
    /// Latitudes are within ±90 degrees, longitudes within ±180.
    pub const MAX_LATITUDE: f64 = 90.0;
    pub const MAX_LONGITUDE: f64 = 180.0;

    pub fn parse(latitude: f64, longitude: f64) -> Result<Self, ValidationError> {
        if !latitude.is_finite() || !(-Self::MAX_LATITUDE..=Self::MAX_LATITUDE).contains(&latitude)
        {
            return Err(ValidationError::new(
                "latitude",
                "must be between -90 and 90",
            ));
        }
        if !longitude.is_finite()
            || !(-Self::MAX_LONGITUDE..=Self::MAX_LONGITUDE).contains(&longitude)
        {
            return Err(ValidationError::new(
                "longitude",
                "must be between -180 and 180",
            ));
        }
        Ok(Self {
            latitude,
            longitude,
        })
    }

    pub fn latitude(&self) -> f64 {
        self.latitude
    }

    pub fn longitude(&self) -> f64 {
        self.longitude
    }

    /// The original's storage form, `"lat,lon"`.
    pub fn to_stored(&self) -> String {
        format!("{},{}", self.latitude, self.longitude)
    }
}

impl fmt::Debug for GeoPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GeoPoint(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_accepts_plus_and_keeps_case() {
        let e = EmailAddress::parse(" Jane+kids@Example.com ").unwrap();
        assert_eq!(e.as_str(), "Jane+kids@Example.com");
        for bad in [
            "", "no-at", "a@b", "a @b.com", "@b.com", "a@b..com", "a@@b.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_output_never_shows_personal_data() {
        let e = EmailAddress::parse("jane@example.com").unwrap();
        let p = Password::presented("hunter2", "password").unwrap();
        let n = PersonName::parse("Jane", "first_name").unwrap();
        let all = format!("{e:?}{p:?}{n:?}");
        assert!(!all.contains("jane") && !all.contains("hunter2") && !all.contains("Jane"));
    }

    #[test]
    fn new_passwords_need_eight_characters() {
        assert!(Password::new_choice("short", "password").is_err());
        assert!(Password::new_choice("        ", "password").is_err());
        assert!(Password::new_choice("long enough+&", "password").is_ok());
        assert!(Password::presented("x", "password").is_ok());
    }

    #[test]
    fn geo_point_bounds() {
        assert!(GeoPoint::parse(34.29, -77.97).is_ok());
        assert!(GeoPoint::parse(91.0, 0.0).is_err());
        assert!(GeoPoint::parse(0.0, f64::NAN).is_err());
        assert_eq!(GeoPoint::parse(1.5, -2.0).unwrap().to_stored(), "1.5,-2");
    }

    proptest! {
        #[test]
        fn short_text_never_accepts_control_or_overlong(s in "\\PC{0,120}") {
            match ShortText::parse(&s, "f", 100) {
                Ok(t) => {
                    prop_assert!(!t.as_str().is_empty());
                    prop_assert!(t.as_str().chars().count() <= 100);
                    prop_assert_eq!(t.as_str(), s.trim());
                }
                Err(e) => prop_assert_eq!(e.field, "f"),
            }
        }

        #[test]
        fn email_parse_is_trim_stable(s in "[a-zA-Z0-9.+_-]{1,20}@[a-z]{1,10}\\.[a-z]{2,5}") {
            let e = EmailAddress::parse(&format!("  {s} ")).unwrap();
            prop_assert_eq!(e.as_str(), s.as_str());
        }

        #[test]
        fn enrollment_codes_compare_upper_case(s in "[a-zA-Z0-9]{4,32}") {
            let c = EnrollmentCode::parse(&s, "code").unwrap();
            prop_assert_eq!(c.as_str(), s.to_ascii_uppercase());
        }
    }
}
