//! E-mail and phone verification codes (spec 1.21, 1.27, 3.4, 3.5).
//!
//! A code is six decimal digits drawn by a CSPRNG, lives ten minutes, and dies after three wrong
//! attempts: an attacker gets 3 guesses out of 10^6 per code (3·10^-6), and new codes are rate
//! limited per address, per client and per day.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::ValidationError;

/// Digits in a verification code or PIN.
pub const VERIFICATION_CODE_LEN: usize = 6;
/// How long a code is valid.
pub const VERIFICATION_TTL: Duration = Duration::from_secs(600);
/// Wrong attempts after which the code is dead.
pub const MAX_VERIFICATION_ATTEMPTS: u32 = 3;
/// Minimum time between two codes for the same address or number.
pub const RESEND_COOLDOWN: Duration = Duration::from_secs(60);

/// A six-digit verification code (e-mail) or PIN (SMS).
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl VerificationCode {
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.len() != VERIFICATION_CODE_LEN || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new(field, "must be exactly 6 digits"));
        }
        Ok(Self(s.to_owned()))
    }

    /// A fresh code: `index(n)` must return a uniform value in `0..n` from a CSPRNG.
    pub fn generate(mut index: impl FnMut(u32) -> u32) -> Self {
        Self(
            (0..VERIFICATION_CODE_LEN)
                .map(|_| char::from(b'0' + (index(10) % 10) as u8))
                .collect(),
        )
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares in time independent of where the first difference is.
    pub fn matches(&self, given: &VerificationCode) -> bool {
        let (a, b) = (self.0.as_bytes(), given.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerificationCode(<redacted>)")
    }
}

/// What checking a code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Verified,
    /// Wrong code; the attempt was counted.
    Wrong {
        remaining: u32,
    },
    /// No live code: never sent, expired, already used, or killed by too many attempts.
    NoCode,
    /// This attempt used the last one up: the code is dead now.
    TooManyAttempts,
}

/// The rule for one attempt against a stored code that has seen `failed` wrong attempts:
/// the stores run it under a row lock (Postgres) or atomically (Redis, memory) and persist the
/// new failure count whatever the outcome.
pub fn check_code(
    stored: &VerificationCode,
    expires_at: DateTime<Utc>,
    failed: u32,
    given: &VerificationCode,
    now: DateTime<Utc>,
) -> CodeCheck {
    if now >= expires_at || failed >= MAX_VERIFICATION_ATTEMPTS {
        return CodeCheck::NoCode;
    }
    if stored.matches(given) {
        return CodeCheck::Verified;
    }
    match MAX_VERIFICATION_ATTEMPTS - failed - 1 {
        0 => CodeCheck::TooManyAttempts,
        remaining => CodeCheck::Wrong { remaining },
    }
}

/// A US phone number in E.164 (`+1` and ten digits): the original sends PINs to US numbers only.
#[derive(Clone, PartialEq, Eq)]
pub struct UsPhoneNumber(String);

impl UsPhoneNumber {
    /// Ten digits (`+1` added) or eleven starting with 1; blanks, `+`, `-`, `.`, `(` and `)`
    /// are ignored.
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        if raw.chars().count() > crate::values::PHONE_MAX
            || !raw
                .chars()
                .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
        {
            return Err(ValidationError::new(field, "must be a US phone number"));
        }
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        match digits.len() {
            10 => Ok(Self(format!("+1{digits}"))),
            11 if digits.starts_with('1') => Ok(Self(format!("+{digits}"))),
            _ => Err(ValidationError::new(field, "must be a US phone number")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits (the only part a response shows).
    pub fn last4(&self) -> &str {
        &self.0[self.0.len().saturating_sub(4)..]
    }
}

impl fmt::Debug for UsPhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UsPhoneNumber(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration as Span;

    fn code(s: &str) -> VerificationCode {
        VerificationCode::parse(s, "code").unwrap()
    }

    #[test]
    fn codes_are_six_digits() {
        assert!(VerificationCode::parse("012345", "code").is_ok());
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert!(VerificationCode::parse(bad, "code").is_err(), "{bad}");
        }
        let mut n = 0;
        let g = VerificationCode::generate(|b| {
            n += 3;
            n % b
        });
        assert!(VerificationCode::parse(g.as_str(), "code").is_ok());
    }

    #[test]
    fn three_wrong_attempts_kill_the_code() {
        let now = Utc::now();
        let exp = now + Span::minutes(10);
        let (right, wrong) = (code("123456"), code("654321"));
        assert_eq!(
            check_code(&right, exp, 0, &wrong, now),
            CodeCheck::Wrong { remaining: 2 }
        );
        assert_eq!(
            check_code(&right, exp, 1, &wrong, now),
            CodeCheck::Wrong { remaining: 1 }
        );
        assert_eq!(
            check_code(&right, exp, 2, &wrong, now),
            CodeCheck::TooManyAttempts
        );
        assert_eq!(check_code(&right, exp, 3, &right, now), CodeCheck::NoCode);
        assert_eq!(check_code(&right, exp, 2, &right, now), CodeCheck::Verified);
        assert_eq!(check_code(&right, now, 0, &right, now), CodeCheck::NoCode);
    }

    #[test]
    fn us_numbers_normalise_to_e164() {
        let p = UsPhoneNumber::parse("(555) 123-4567", "phone_number").unwrap();
        assert_eq!(p.as_str(), "+15551234567");
        assert_eq!(p.last4(), "4567");
        assert_eq!(
            UsPhoneNumber::parse("+1 555 123 4567", "p")
                .unwrap()
                .as_str(),
            "+15551234567"
        );
        for bad in [
            "",
            "12345",
            "+44 20 7946 0958",
            "555-123-456a",
            "25551234567",
        ] {
            assert!(UsPhoneNumber::parse(bad, "p").is_err(), "{bad}");
        }
    }
}
