//! Calndr's business core: typed ids, value objects, entities and rules.
//!
//! Pure code: no async runtime, no I/O, no framework. Every value that comes from outside is parsed
//! into one of these types at the edge (`parse` returns a small [`ValidationError`]), so the rest of
//! the system never handles a raw `String` where a type exists.

pub mod account;
pub mod custody;
pub mod error;
pub mod ids;
pub mod schedule;
pub mod values;

pub use account::{
    AccessTokenClaims, EnrollmentCodeRecord, NewAccount, NewFamily, NewUser,
    NotificationPreferences, PasswordHash, Preferences, ProfileChanges, User, UserStatus,
};
pub use custody::{default_handoff, recompute_handoffs, CustodyDay, DefaultsRule, HandoffTime};
pub use error::ValidationError;
pub use ids::{FamilyId, ThemeId, UserId};
pub use values::{
    DeviceToken, EmailAddress, EnrollmentCode, GeoPoint, Password, PersonName, PhoneNumber,
    ShortText,
};
