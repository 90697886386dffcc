//! Calndr's business core: typed ids, value objects, entities and rules.
//!
//! Pure code: no async runtime, no I/O, no framework. Every value that comes from outside is parsed
//! into one of these types at the edge (`parse` returns a small [`ValidationError`]), so the rest of
//! the system never handles a raw `String` where a type exists.

pub mod account;
pub mod circle;
pub mod custody;
pub mod dates;
pub mod enrollment;
pub mod error;
pub mod export;
pub mod family;
pub mod handoffs;
pub mod idempotency;
pub mod identity;
pub mod ids;
pub mod objects;
pub mod places;
pub mod providers;
pub mod records;
pub mod schedule;
pub mod sessions;
pub mod swaps;
pub mod themes;
pub mod values;
pub mod verification;
pub mod weather;
pub mod whereabouts;

pub use account::{
    AccessTokenClaims, EnrollmentCodeRecord, NewAccount, NewFamily, NewUser,
    NotificationPreferences, PasswordHash, Preferences, ProfileChanges, User, UserStatus,
};
pub use circle::{
    Babysitter, BabysitterDraft, Child, ChildDraft, EmergencyContact, EmergencyContactDraft,
    Medication, MedicationChanges, MedicationFields, MedicationPage, MedicationPreset,
    MedicationQuery, MedicationSort, Rate, MEDICATION_PRESETS,
};
pub use custody::{
    default_handoff, recompute_handoffs, CustodyDay, CustodyId, DefaultsRule, HandoffTime,
};
pub use dates::{parse_date, DateRange, YearMonth};
pub use enrollment::{
    CoparentDetails, EnrollmentInvitation, NewChild, NextStep, CODE_ALPHABET, CODE_LEN,
};
pub use error::ValidationError;
pub use export::{export_file_name, ExportSection, MemberName, EXPORT_FORMAT, EXPORT_PAGE_ROWS};
pub use family::{FamilyMember, FamilySettings, FamilyTimeZone};
pub use handoffs::{ApplyCounts, CustodyInput, Timeline};
pub use idempotency::{
    IdempotencyKey, IdempotencyRecord, IdempotencyScope, StoredResponse, Verdict,
};
pub use identity::{
    AppleAccountEvent, ExternalIdentity, IdentityProvider, ProviderRefreshToken, ProviderSubject,
    MAX_CREDENTIAL_BYTES,
};
pub use ids::{
    BabysitterId, ChildId, EmergencyContactId, EventId, FamilyId, JournalEntryId,
    MedicalProviderId, MedicationId, NotificationEmailId, ProviderId, ReminderId, ThemeId, UserId,
};
pub use places::{Place, PlaceCategory, PlaceQuery, PostalCode, SearchArea};
pub use providers::{
    CalendarEvent, CalendarSync, MedicalChanges, MedicalInput, MedicalProvider, Provider,
    ProviderFields, ProviderInput, Rating, WebUrl,
};
pub use records::{
    parse_time_of_day, BoundedText, ContactType, Event, EventDraft, GroupChat, JournalChanges,
    JournalEntry, JournalQuery, NewJournalEntry, NotificationEmail, ProviderEvent, ProviderKind,
    Reminder, ReminderFields,
};
pub use schedule::{
    AlternatingWeeks, PatternType, SchedulePattern, ScheduleTemplate, TemplateId, TemplateSpec,
    WeekLabel, WeekPattern,
};
pub use sessions::{SessionCutoff, ACCESS_TOKEN_LIFETIME_DAYS};
pub use themes::{Color, Palette, Theme, ThemeChanges, ThemeDraft};
pub use values::{
    DeviceToken, EmailAddress, EnrollmentCode, GeoPoint, Password, PersonName, PhoneNumber,
    ShortText,
};
pub use verification::{CodeCheck, UsPhoneNumber, VerificationCode};
pub use weather::{DailyWeather, TemperatureUnit, WeatherQuery, MAX_WEATHER_DAYS};
