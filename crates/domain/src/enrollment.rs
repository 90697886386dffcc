//! Enrollment: the code that lets a co-parent join a family, and the onboarding steps after
//! sign-up (spec 1.25, 1.26, 3.3).
//!
//! # How strong a six-character code is
//!
//! The app's code field takes exactly six characters, so the code keeps that length. Each
//! character is drawn uniformly (by a CSPRNG, see `calndr-ports::RandomSource`) from the 32
//! symbols of [`CODE_ALPHABET`]: 32^6 = 2^30 ≈ 1.07·10^9 codes.
//!
//! What makes guessing hopeless is the attempt budget, not the alphabet alone:
//! * a code lives [`DEFAULT_CODE_TTL_DAYS`] (7) days, can be revoked at once by its family, and is
//!   spent after [`MAX_NEW_MEMBERS_PER_CODE`] new member has joined with it;
//! * every check or redemption counts against the client address (20 an hour by default) and
//!   against the account (10 an hour), in Redis, shared by every instance.
//!
//! One address therefore gets at most 20 · 24 · 7 = 3,360 guesses over a code's whole life:
//! the chance of hitting one given code is 3,360 / 1.07·10^9 ≈ 3.1·10^-6. Even with L codes live at
//! once the chance per address and week is 3.1·10^-6 · L (L = 1,000 live invitations: 0.3 %), and
//! an attacker needs a fresh address *and* a fresh account for every 10-20 guesses, while the
//! code's family sees the intruder in its member list and can revoke. A longer code would need a
//! new app release (the field is fixed at six characters).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::{EmailAddress, EnrollmentCode, FamilyId, PersonName, PhoneNumber, UserId};
use crate::{ShortText, ValidationError};

/// The symbols of a code: A-Z and 2-9 without the look-alikes O, I, 0 and 1.
pub const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Characters in a code (the app's field takes exactly six).
pub const CODE_LEN: usize = 6;
/// Default lifetime of a new code (`CALNDR_ENROLLMENT_CODE_TTL_DAYS`).
pub const DEFAULT_CODE_TTL_DAYS: u32 = 7;
/// New members a code admits. The code's own family members may redeem it again (the app makes
/// the inviting parent "join" their own family): that is a no-op and is not counted.
pub const MAX_NEW_MEMBERS_PER_CODE: i32 = 1;
/// Longest co-parent phone number the table holds (`coparent_phone VARCHAR(20)`).
pub const COPARENT_PHONE_MAX: usize = 20;
/// Longest name in the onboarding forms (the original's limit).
pub const ONBOARDING_NAME_MAX: usize = 50;
/// Children one onboarding request may add.
pub const MAX_CHILDREN_PER_REQUEST: usize = 20;

/// A fresh code from uniformly drawn indices: `index(n)` must return a uniform value in `0..n`
/// from a cryptographically secure generator.
pub fn new_enrollment_code(mut index: impl FnMut(u32) -> u32) -> EnrollmentCode {
    let code: String = (0..CODE_LEN)
        .map(|_| {
            let i = index(CODE_ALPHABET.len() as u32) as usize % CODE_ALPHABET.len();
            char::from(CODE_ALPHABET[i])
        })
        .collect();
    EnrollmentCode::from_stored(code)
}

/// Parses a code the app sends: exactly six symbols (case-insensitive, surrounding blanks
/// ignored). Any six letters or digits are accepted here; unknown ones simply do not match.
pub fn parse_entered_code(
    raw: &str,
    field: &'static str,
) -> Result<EnrollmentCode, ValidationError> {
    let s = raw.trim();
    if s.chars().count() != CODE_LEN || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ValidationError::new(
            field,
            "must be exactly 6 letters or digits",
        ));
    }
    EnrollmentCode::parse(s, field)
}

/// Who the family invites: every part optional (the app may send none).
#[derive(Debug, Clone, Default)]
pub struct CoparentDetails {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
}

impl CoparentDetails {
    pub fn is_empty(&self) -> bool {
        self.first_name.is_none()
            && self.last_name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
    }
}

/// A row of `enrollment_codes`, as the enrollment routes see it.
#[derive(Debug, Clone)]
pub struct EnrollmentInvitation {
    pub code: EnrollmentCode,
    pub family_id: FamilyId,
    pub created_by: UserId,
    pub coparent: CoparentDetails,
    pub invitation_sent: bool,
    pub invitation_sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    pub redeemed_count: i32,
}

impl EnrollmentInvitation {
    /// Usable: not revoked, not expired, not spent.
    pub fn is_usable_at(&self, now: DateTime<Utc>) -> bool {
        code_is_usable(self.revoked, self.expires_at, self.redeemed_count, now)
    }
}

/// The one rule for "this code still opens its family" (the stores apply it under a row lock).
pub fn code_is_usable(
    revoked: bool,
    expires_at: Option<DateTime<Utc>>,
    redeemed_count: i32,
    now: DateTime<Utc>,
) -> bool {
    !revoked && expires_at.is_none_or(|e| now < e) && redeemed_count < MAX_NEW_MEMBERS_PER_CODE
}

/// The onboarding step the app shows next (`/enrollment-flow/status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    EnrollmentOptions,
    CoparentInfo,
    ChildrenInfo,
    CustodySchedule,
    Complete,
}

impl NextStep {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EnrollmentOptions => "enrollment_options",
            Self::CoparentInfo => "coparent_info",
            Self::ChildrenInfo => "children_info",
            Self::CustodySchedule => "custody_schedule",
            Self::Complete => "complete",
        }
    }
}

/// Spec 1.26: nothing once enrolled; with a family, "coparent_info" until it has children, then
/// "complete"; without a family, "enrollment_options". `children` is `None` without a family.
pub fn next_step(enrolled: bool, children: Option<u64>) -> Option<NextStep> {
    if enrolled {
        return None;
    }
    Some(match children {
        None => NextStep::EnrollmentOptions,
        Some(0) => NextStep::CoparentInfo,
        Some(_) => NextStep::Complete,
    })
}

/// A child added during onboarding (`children`: first_name, last_name, dob).
#[derive(Debug, Clone)]
pub struct NewChild {
    pub first_name: ShortText,
    pub last_name: ShortText,
    pub dob: NaiveDate,
}

impl NewChild {
    pub fn parse(
        first_name: &str,
        last_name: &str,
        dob: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, ValidationError> {
        if dob > today {
            return Err(ValidationError::new(
                "date_of_birth",
                "must not be in the future",
            ));
        }
        Ok(Self {
            first_name: ShortText::parse(first_name, "first_name", ONBOARDING_NAME_MAX)?,
            last_name: ShortText::parse(last_name, "last_name", ONBOARDING_NAME_MAX)?,
            dob,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn codes_use_the_apps_alphabet_and_length() {
        let mut n = 0u32;
        let code = new_enrollment_code(|bound| {
            n += 7;
            n % bound
        });
        assert_eq!(code.as_str().len(), CODE_LEN);
        assert!(code.as_str().bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert!(!code.as_str().contains(['O', 'I', '0', '1']));
    }

    #[test]
    fn entered_codes_must_have_six_symbols() {
        assert_eq!(
            parse_entered_code(" ab2cd3 ", "code").unwrap().as_str(),
            "AB2CD3"
        );
        for bad in ["", "ABC", "ABCDEFG", "AB CD3", "ABCDé1"] {
            assert!(parse_entered_code(bad, "code").is_err(), "{bad}");
        }
    }

    #[test]
    fn a_code_stops_working_when_revoked_expired_or_spent() {
        let now = Utc::now();
        assert!(code_is_usable(false, None, 0, now));
        assert!(code_is_usable(false, Some(now + Duration::days(1)), 0, now));
        assert!(!code_is_usable(true, None, 0, now));
        assert!(!code_is_usable(false, Some(now), 0, now));
        assert!(!code_is_usable(false, None, MAX_NEW_MEMBERS_PER_CODE, now));
    }

    #[test]
    fn next_step_follows_the_spec() {
        assert_eq!(next_step(true, Some(0)), None);
        assert_eq!(next_step(false, None), Some(NextStep::EnrollmentOptions));
        assert_eq!(next_step(false, Some(0)), Some(NextStep::CoparentInfo));
        assert_eq!(next_step(false, Some(2)), Some(NextStep::Complete));
    }

    #[test]
    fn children_born_in_the_future_are_refused() {
        let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        assert!(NewChild::parse("Ann", "Lee", today, today).is_ok());
        let tomorrow = today.succ_opt().unwrap();
        assert!(NewChild::parse("Ann", "Lee", tomorrow, today).is_err());
        assert!(NewChild::parse(&"x".repeat(51), "Lee", today, today).is_err());
    }
}
