//! The limits the domain parsers enforce, as OpenAPI schemas: every request field that one of
//! `calndr_domain`'s parsers reads names one of these functions (`#[schema(schema_with = ...)]`),
//! so the document accepts exactly what the parser accepts (issue #12, item 5/6).
//!
//! Numbers come from the domain's constants, never from literals; the patterns are built in
//! [`crate::openapi_patterns`]. Lengths of trimmed text are in the pattern, not `maxLength`,
//! which would count the white space the parser trims. `openapi_limits_tests.rs` checks each
//! schema against its parser on generated strings.

use calndr_domain::circle::{
    CONTACT_PHONE_MAX, DOSAGE_MAX, FREQUENCY_MAX, MEDICATION_NAME_MAX, NOTES_MAX, RELATIONSHIP_MAX,
};
use calndr_domain::enrollment::{COPARENT_PHONE_MAX, ONBOARDING_NAME_MAX};
use calndr_domain::places::{DEFAULT_RADIUS_M, MAX_RADIUS_M};
use calndr_domain::providers::{
    CALENDAR_URL_MAX, MEDICAL_PHONE_MAX, PROVIDER_ADDRESS_MAX, PROVIDER_NAME_MAX,
    PROVIDER_NOTES_MAX, PROVIDER_PHONE_MAX, PROVIDER_SHORT_MAX, RATING_MAX, SEARCH_TEXT_MAX,
    WEBSITE_MAX, ZIP_CODE_MAX,
};
use calndr_domain::records::{
    EVENT_CONTENT_MAX, JOURNAL_CONTENT_MAX, JOURNAL_TITLE_MAX, REMINDER_TEXT_MAX,
};
use calndr_domain::schedule::{DAY_NAMES, TEMPLATE_DESCRIPTION_MAX, TEMPLATE_NAME_MAX};
use calndr_domain::themes::THEME_NAME_MAX;
use calndr_domain::values::{
    BIO_MAX, DEVICE_TOKEN_MAX, DEVICE_TOKEN_MIN, ENROLLMENT_CODE_MAX, ENROLLMENT_CODE_MIN,
    PHONE_MAX, PREFERENCE_TEXT_MAX,
};
use calndr_domain::verification::VERIFICATION_CODE_LEN;
use calndr_domain::{
    GeoPoint, JournalQuery, MedicationQuery, NotificationPreferences, Password, PersonName, Rate,
    CODE_LEN,
};
use chrono::{Duration, NaiveDate};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, AnyOfBuilder, KnownFormat, Object, ObjectBuilder, Schema,
    SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::RefOr;

use crate::openapi_patterns::*;

/// May the field be `null` (an `Option` the parser reads as absent), and may the trimmed value
/// be empty (read as absent, or allowed)?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    /// A value, not blank.
    Required,
    /// A value, possibly blank.
    RequiredOrBlank,
    /// `null`/absent, or a value that is not blank.
    Nullable,
    /// `null`/absent, blank (both read as absent), or a value.
    NullableOrBlank,
}

impl Presence {
    fn nullable(self) -> bool {
        matches!(self, Self::Nullable | Self::NullableOrBlank)
    }

    fn blank_ok(self) -> bool {
        matches!(self, Self::RequiredOrBlank | Self::NullableOrBlank)
    }
}

use Presence::{Nullable, NullableOrBlank, Required, RequiredOrBlank};

fn typed(t: Type, nullable: bool) -> ObjectBuilder {
    let ty = if nullable {
        SchemaType::from_iter([t, Type::Null])
    } else {
        SchemaType::new(t)
    };
    ObjectBuilder::new().schema_type(ty)
}

fn string(presence: Presence, pattern: String, max: Option<usize>) -> Object {
    let mut b = typed(Type::String, presence.nullable()).pattern(Some(pattern));
    if !presence.blank_ok() {
        b = b.min_length(Some(1));
    }
    b.max_length(max).build()
}

/// Trimmed text of at most `max` characters, without the control characters in `cc`.
fn trimmed_text(cc: &str, max: usize, presence: Presence) -> Object {
    let pattern = trimmed(&text_core(cc, max), presence.blank_ok());
    let long = (max > PATTERN_LENGTH_MAX).then_some(max);
    let mut o = string(presence, pattern, long);
    o.description = Some(format!(
        "At most {max} characters, not counting surrounding white space."
    ));
    o
}

/// A single line (`ShortText`): trimmed, 1..=`max` characters, no control character.
fn line(max: usize, presence: Presence) -> Object {
    trimmed_text(CC, max, presence)
}

/// Free text (`BoundedText`): trimmed, at most `max` characters; tabs and line breaks allowed.
fn text(max: usize, presence: Presence) -> Object {
    trimmed_text(CC_TEXT, max, presence)
}

/// Both schemas (`allOf`): a shape, and a length the shape's pattern does not count.
fn both(shape: Object, length: Object) -> Schema {
    Schema::from(AllOfBuilder::new().item(shape).item(length).build())
}

/// Text the handler passes on unparsed (ignored, or checked against stored values only).
fn any_string(nullable: bool) -> Object {
    typed(Type::String, nullable).build()
}

// -- e-mail, phone, codes ------------------------------------------------------------------------

fn email_with(presence: Presence) -> Object {
    string(presence, email_pattern(presence.blank_ok()), None)
}

/// At most `max` characters a phone number may hold, trimmed.
fn phone_length(max: usize, presence: Presence) -> Object {
    let core = bounded(r"[0-9+().\-]", PHONE_CHARS, max);
    string(presence, trimmed(&core, presence.blank_ok()), None)
}

fn phone_with(max: usize, presence: Presence) -> Schema {
    both(
        string(presence, phone_pattern(presence.blank_ok()), None),
        phone_length(max, presence),
    )
}

fn exact_code(class: &str, len: usize) -> Object {
    string(Required, trimmed(&format!("{class}{{{len}}}"), false), None)
}

// -- dates and times -----------------------------------------------------------------------------

/// A date `YYYY-MM-DD` (`parse_date`: any valid date with a four-digit year; trimmed), by a
/// pattern alone: `format: date` is an annotation in JSON Schema 2020-12 (`""` would pass it)
/// and, where it is asserted, refuses the year 0 that the parser reads.
fn date_with(presence: Presence, pattern: Option<String>) -> Object {
    let pattern = pattern.unwrap_or_else(|| {
        let (first, last) = (
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap_or(NaiveDate::MIN),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX),
        );
        let core = format!("{}|{LEAP_DAY}", date_range(first, last));
        trimmed(&core, presence.blank_ok())
    });
    typed(Type::String, presence.nullable())
        .pattern(Some(pattern))
        .description(Some("`YYYY-MM-DD`."))
        .build()
}

fn time_of_day(presence: Presence) -> Object {
    // `parse_time_of_day` and `HandoffTime::parse`: `HH:MM`, or `HH:MM:SS`.
    let core = "(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?";
    string(presence, trimmed(core, presence.blank_ok()), None)
}

/// A date in a range.
fn date_between(presence: Presence, lo: NaiveDate, hi: NaiveDate) -> Object {
    date_with(presence, Some(trimmed(&date_range(lo, hi), false)))
}

fn today() -> NaiveDate {
    calndr_app::CircleService::today()
}

// -- numbers -------------------------------------------------------------------------------------

fn integer(min: i64, max: i64, nullable: bool) -> Object {
    typed(Type::Integer, nullable)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(min))
        .maximum(Some(max))
        .build()
}

fn number(min: f64, max: f64, nullable: bool) -> Object {
    typed(Type::Number, nullable)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
        .minimum(Some(min))
        .maximum(Some(max))
        .build()
}

fn one_of(values: &[&str], nullable: bool) -> Object {
    let null = nullable.then_some(serde_json::Value::Null);
    let all = values
        .iter()
        .map(|v| serde_json::Value::from(*v))
        .chain(null);
    typed(Type::String, nullable).enum_values(Some(all)).build()
}

/// `schema` with a description (a field's own words, which `schema_with` does not carry).
fn doc(schema: impl Into<Schema>, text: &str) -> Schema {
    let mut schema = schema.into();
    match &mut schema {
        Schema::Object(o) => o.description = Some(text.to_owned()),
        Schema::AnyOf(a) => a.description = Some(text.to_owned()),
        Schema::AllOf(a) => a.description = Some(text.to_owned()),
        _ => {}
    }
    schema
}

/// A query parameter: the schema named for it, whether it is required, and its description
/// (`#[param(schema_with = ...)]` would drop both).
pub fn query(name: &str, required: bool, description: &str, schema: Schema) -> Parameter {
    let required = if required {
        utoipa::openapi::Required::True
    } else {
        utoipa::openapi::Required::False
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(required)
        .description((!description.is_empty()).then_some(description))
        .schema(Some(schema))
        .build()
}

/// `impl IntoParams` for a query struct, each field with its schema function:
/// `query_params!(RangeQuery { start_date: required date "..." , ... })`.
#[macro_export]
macro_rules! query_params {
    ($ty:ty { $($name:ident: $req:ident $schema:ident $doc:literal),* $(,)? }) => {
        impl utoipa::IntoParams for $ty {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                vec![$($crate::openapi_limits::query(
                    stringify!($name),
                    $crate::query_params!(@required $req),
                    $doc,
                    $crate::openapi_limits::$schema(),
                )),*]
            }
        }
    };
    (@required required) => { true };
    (@required optional) => { false };
}

// -- the functions the DTOs name -----------------------------------------------------------------

macro_rules! schemas {
    ($($(#[$meta:meta])* $name:ident => $body:expr;)*) => {
        $( $(#[$meta])* pub fn $name() -> Schema { Schema::from($body) } )*
    };
}

schemas! {
    /// `PersonName`: first and last names.
    person_name => line(PersonName::MAX, Required);
    /// A name that may be left out (`null` or blank).
    person_name_blank => line(PersonName::MAX, NullableOrBlank);
    /// A name that may be left out (`null`), not blank when sent.
    person_name_opt => line(PersonName::MAX, Nullable);
    /// `EmailAddress`.
    email => email_with(Required);
    /// An optional address: left out, `null` or blank means none.
    email_opt => email_with(NullableOrBlank);
    /// `Password::new_choice`: 8..=128 characters, not only spaces.
    new_password => typed(Type::String, false)
        .min_length(Some(Password::MIN_NEW))
        .max_length(Some(Password::MAX))
        .pattern(Some(format!("[^{WS}]")))
        .build();
    /// Sign-up into a family: a new password, or an existing account's current one.
    family_password => doc(
        presented_password(),
        "A new account's password (8 or more characters), or an existing account's current one.",
    );
    /// `Password::presented`: 1..=128 characters.
    presented_password => typed(Type::String, false)
        .min_length(Some(1))
        .max_length(Some(Password::MAX))
        .build();
    /// The sign-in form's password: not empty.
    login_password => typed(Type::String, false).min_length(Some(1)).build();
    /// The sign-in form's user name: not blank.
    username => typed(Type::String, false)
        .min_length(Some(1))
        .pattern(Some(format!("[^{WS}]")))
        .build();
    /// `grant_type` of the sign-in form: `password` (or empty).
    grant_type => typed(Type::String, false)
        .pattern(Some("^(?:password)?$".to_owned()))
        .build();
    /// `PhoneNumber`, optional (blank means none).
    phone_opt => phone_with(PHONE_MAX, NullableOrBlank);
    /// A babysitter's or emergency contact's phone (`contact_phone`).
    contact_phone => phone_with(CONTACT_PHONE_MAX, Required);
    /// A daycare's or school's phone (`provider_phone`), optional.
    provider_phone_opt => phone_with(PROVIDER_PHONE_MAX, NullableOrBlank);
    /// A medical provider's phone (`us_phone`), optional.
    medical_phone_opt => doc(
        both(
            string(NullableOrBlank, us_phone_pattern(true), None),
            phone_length(MEDICAL_PHONE_MAX, NullableOrBlank),
        ),
        "Ten digits, or eleven starting with 1; stored as `(XXX) XXX-XXXX`.",
    );
    /// A co-parent's phone at onboarding, optional.
    coparent_phone_opt => phone_with(COPARENT_PHONE_MAX, NullableOrBlank);
    /// `UsPhoneNumber` (PINs by SMS): ten digits, or eleven starting with 1; no surrounding
    /// white space but spaces.
    us_phone => string(
        Required,
        {
            let p = format!("{PHONE_PUNCT}*");
            format!("^{p}(?:1{p})?(?:[0-9]{p}){{10}}$")
        },
        Some(PHONE_MAX),
    );
    /// The profile's `bio`: a line, blank means none.
    bio => line(BIO_MAX, NullableOrBlank);
    /// The preferences' theme name (any line, when sent).
    preference_theme => line(PREFERENCE_TEXT_MAX, Nullable);
    /// `DeviceToken`: hexadecimal.
    device_token => doc(
        string(
            Required,
            trimmed(&format!("[0-9A-Fa-f]{{{DEVICE_TOKEN_MIN},{DEVICE_TOKEN_MAX}}}"), false),
            None,
        ),
        "APNs device token, hexadecimal.",
    );
    /// `EnrollmentCode`: 4..=32 letters or digits.
    enrollment_code => string(
        Required,
        trimmed(&format!("[0-9A-Za-z]{{{ENROLLMENT_CODE_MIN},{ENROLLMENT_CODE_MAX}}}"), false),
        None,
    );
    /// A code typed in the app (`parse_entered_code`): six letters or digits.
    entered_code => exact_code("[0-9A-Za-z]", CODE_LEN);
    /// `VerificationCode`: six digits.
    verification_code => exact_code("[0-9]", VERIFICATION_CODE_LEN);
    /// A date `YYYY-MM-DD` (`parse_date`).
    date => date_with(Required, None);
    /// An optional date.
    date_opt => date_with(Nullable, None);
    /// A child's date of birth: from 1900-01-01 to tomorrow (UTC), as `ChildDraft::new`.
    child_dob => doc(
        date_between(
            Required,
            calndr_domain::ChildDraft::earliest_dob(),
            today() + Duration::days(1),
        ),
        "`YYYY-MM-DD`, from 1900-01-01 to tomorrow (UTC).",
    );
    /// A child's date of birth at onboarding: not after today (UTC), as `NewChild::parse`.
    onboarding_dob => doc(
        date_between(
            Required,
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap_or(NaiveDate::MIN),
            today(),
        ),
        "`YYYY-MM-DD`, not in the future (UTC).",
    );
    /// A custody day's date.
    custody_date => doc(
        date_with(Required, None),
        "`YYYY-MM-DD`; required by `POST`, ignored by `PUT` (the path names the day).",
    );
    /// A custodian.
    custodian_id => doc(user_id(), "A member of the caller's family (user id).");
    /// A reminder's notification time.
    notification_time => doc(
        time_of_day(NullableOrBlank),
        "`HH:mm` (also `HH:mm:ss`); omitted, null or blank means none.",
    );
    /// A medication's end date.
    medication_end_date => doc(date_with(Nullable, None), "`YYYY-MM-DD`, not before `start_date`.");
    /// A medication's reminder time.
    medication_reminder_time => doc(
        time_of_day(Nullable),
        "`HH:MM` (or `HH:MM:SS`); only together with `reminder_enabled: true` in the same \
         request (and required by it on creation).",
    );
    /// The first day a template is applied to.
    apply_start => doc(
        date_or_datetime_with(true),
        "A date or an ISO 8601 date-time (`2025-12-05T14:03:22.123Z`); empty = tomorrow.",
    );
    /// The last day a template is applied to.
    apply_end => doc(
        date_or_datetime_with(true),
        "A date or an ISO 8601 date-time; empty or not after the start = start + 90 days.",
    );
    /// `HH:MM` or `HH:MM:SS`, optional (blank means none).
    time_opt => time_of_day(NullableOrBlank);
    /// `HH:MM` or `HH:MM:SS`, optional; not blank when sent.
    time_strict_opt => time_of_day(Nullable);
    /// An event's text (may be empty).
    event_content => text(EVENT_CONTENT_MAX, RequiredOrBlank);
    /// An event's legacy slot: 0-3, or 4 (custody, refused with 400).
    event_position => doc(
        integer(0, i64::from(calndr_domain::records::CUSTODY_POSITION) - 1, true),
        "Legacy row slot 0-3 (4, custody, is refused with 400).",
    );
    /// A reminder's text.
    reminder_text => text(REMINDER_TEXT_MAX, Required);
    /// A journal entry's title: blank means none.
    journal_title => text(JOURNAL_TITLE_MAX, NullableOrBlank);
    /// A journal entry's title that is not blank (a change).
    journal_title_required => text(JOURNAL_TITLE_MAX, Required);
    /// A journal entry's text.
    journal_content => text(JOURNAL_CONTENT_MAX, Required);
    /// A journal entry's text, when changed.
    journal_content_opt => text(JOURNAL_CONTENT_MAX, Nullable);
    /// `limit` of the journal list.
    journal_limit => integer(1, i64::from(JournalQuery::MAX_LIMIT), false);
    /// `page` of the medication list.
    medication_page => integer(1, i64::from(MedicationQuery::MAX_PAGE), false);
    /// `limit` of the medication list.
    medication_limit => integer(1, i64::from(MedicationQuery::MAX_LIMIT), false);
    /// `sort_by` of the medication list.
    medication_sort_by => one_of(&["name", "start_date", "created_at"], false);
    /// `sort_order` of the medication list.
    medication_sort_order => one_of(&["asc", "desc"], false);
    /// A medication's name.
    medication_name => text(MEDICATION_NAME_MAX, Required);
    /// A medication's name, when changed.
    medication_name_opt => text(MEDICATION_NAME_MAX, Nullable);
    /// Dosage (blank clears it).
    dosage => text(DOSAGE_MAX, NullableOrBlank);
    /// Frequency (blank clears it).
    frequency => text(FREQUENCY_MAX, NullableOrBlank);
    /// Notes and instructions (blank means none).
    notes => text(NOTES_MAX, NullableOrBlank);
    /// An emergency contact's relationship (blank means none).
    relationship => line(RELATIONSHIP_MAX, NullableOrBlank);
    /// A babysitter's hourly rate (`Rate`): 0 (none) to 9999.99.
    rate => doc(
        number(0.0, f64::from(Rate::MAX_CENTS) / 100.0, true),
        "0 to 9999.99; 0 means none.",
    );
    /// A custody handoff location (blank means none).
    handoff_location => line(calndr_domain::custody::HANDOFF_LOCATION_MAX, NullableOrBlank);
    /// A custodian: a user id (UUID).
    user_id => typed(Type::String, false)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
        .build();
    /// `ContactType`.
    contact_type => one_of(&["babysitter", "emergency"], false);
    /// A theme's name.
    theme_name => line(THEME_NAME_MAX, Required);
    /// A theme's name, when changed.
    theme_name_opt => line(THEME_NAME_MAX, Nullable);
    /// `Color`: `#RGB`, `#RRGGBB` or `#RRGGBBAA`.
    color => string(Required, color_pattern(), None);
    /// A colour, when changed.
    color_opt => string(Nullable, color_pattern(), None);
    /// A provider's name.
    provider_name => line(PROVIDER_NAME_MAX, Required);
    /// A medical provider's name: required on create (the handler checks), not blank when sent.
    provider_name_opt => line(PROVIDER_NAME_MAX, Nullable);
    /// A provider's address (blank means none).
    provider_address => text(PROVIDER_ADDRESS_MAX, NullableOrBlank);
    /// A provider's notes (blank means none).
    provider_notes => text(PROVIDER_NOTES_MAX, NullableOrBlank);
    /// `hours`, `google_place_id`, `specialty` (blank means none).
    provider_short => line(PROVIDER_SHORT_MAX, NullableOrBlank);
    /// A medical provider's ZIP code (blank means none).
    zip_code => line(ZIP_CODE_MAX, NullableOrBlank);
    /// `Rating`: 0 to 5.
    rating => number(0.0, RATING_MAX, true);
    /// `WebUrl` of a website (blank means none).
    website => doc(
        url(WEBSITE_MAX, NullableOrBlank),
        "An http(s) URL; `https://` is added when no scheme is given.",
    );
    /// `WebUrl` of the calendar page to read (required: left out, `null` or blank is 400).
    calendar_url => doc(
        url(CALENDAR_URL_MAX, Required),
        "The calendar page to read (an http(s) URL).",
    );
    /// `location_type` of a place search.
    location_type => doc(
        one_of(&["current", "zipcode"], false),
        "`current` (then `latitude` and `longitude`) or `zipcode` (then `zipcode`).",
    );
    /// `PostalCode` of a place search (blank means none).
    postal_code => string(NullableOrBlank, trimmed(&postal_core(), true), None);
    /// The `PostalCode` a search by ZIP code needs.
    zipcode_required => string(Required, trimmed(&postal_core(), false), None);
    /// A latitude (`GeoPoint`).
    latitude => number(-GeoPoint::MAX_LATITUDE, GeoPoint::MAX_LATITUDE, false);
    /// A longitude (`GeoPoint`).
    longitude => number(-GeoPoint::MAX_LONGITUDE, GeoPoint::MAX_LONGITUDE, false);
    /// A latitude that may be left out.
    latitude_opt => number(-GeoPoint::MAX_LATITUDE, GeoPoint::MAX_LATITUDE, true);
    /// A longitude that may be left out.
    longitude_opt => number(-GeoPoint::MAX_LONGITUDE, GeoPoint::MAX_LONGITUDE, true);
    /// The radius of a nearby search, metres.
    radius => doc(
        integer(1, MAX_RADIUS_M, true),
        &format!("Metres, default {DEFAULT_RADIUS_M} (nearby searches)."),
    );
    /// The free text of a medical search (blank means none).
    search_query => doc(
        line(SEARCH_TEXT_MAX, NullableOrBlank),
        "Free text such as \"pharmacy\".",
    );
    /// The specialty of a medical search.
    search_specialty => doc(
        line(SEARCH_TEXT_MAX, NullableOrBlank),
        "Echoed in each result; narrows the search when `query` is absent.",
    );
    /// The greeting name of an invitation e-mail (a first and a last name).
    recipient_name => doc(
        line(PersonName::MAX * 2 + 1, Required),
        "The recipient's name, shown in the greeting.",
    );
    /// The onboarding schedule type.
    schedule_type => doc(
        line(ONBOARDING_NAME_MAX, Required),
        "Not stored, as in the original.",
    );
    /// Onboarding names: 1..=50 characters.
    onboarding_name => line(ONBOARDING_NAME_MAX, Required);
    /// `NotificationPreferences`: at most 16 channels, each 1..=32 letters, digits or `_`.
    notification_preferences => typed(Type::Object, true)
        .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(
            ObjectBuilder::new().schema_type(Type::Boolean).build().into(),
        ))))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!(
                    "^[0-9A-Za-z_]{{1,{}}}$",
                    NotificationPreferences::MAX_KEY_LEN
                )))
                .build(),
        ))
        .max_properties(Some(NotificationPreferences::MAX_KEYS))
        .build();
    /// A schedule template's name.
    template_name => line(TEMPLATE_NAME_MAX, Required);
    /// A schedule template's description (blank means none).
    template_description => line(TEMPLATE_DESCRIPTION_MAX, NullableOrBlank);
    /// `PatternType`.
    pattern_type => one_of(&["weekly", "alternating_weeks", "alternating_days"], false);
    /// `WeekLabel`.
    starting_week => doc(
        one_of(&["A", "a", "B", "b"], false),
        "The week containing `referenceDate`.",
    );
    /// A weekday pattern: weekday names (any case) to `parent1`, `parent2`, a custodian's id or
    /// null (anything else reads as nobody).
    week_pattern => week_pattern_with(false);
    /// A weekday pattern that may be left out.
    week_pattern_opt => week_pattern_with(true);
    /// A date, or an ISO 8601 date-time whose (UTC) date is used.
    date_or_datetime => doc(
        date_or_datetime_with(false),
        "`YYYY-MM-DD` (a date-time is accepted; its UTC date is used).",
    );
    /// The same, optional: left out, `null` or blank means the default.
    date_or_datetime_opt => date_or_datetime_with(true);
    /// The id of a babysitter or emergency contact (any `int32`: an unknown one is 404).
    contact_id => doc(
        typed(Type::Integer, false)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(i32::MIN))
        .maximum(Some(i32::MAX))
        .build(),
        "A babysitter linked to the family, or an emergency contact of the family.",
    );
    /// A template id: a positive `int32`.
    template_id => typed(Type::Integer, false)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(1))
        .maximum(Some(i32::MAX))
        .build();
    /// A string the handler does not parse here.
    unparsed => any_string(false);
    /// A credential of a social sign-in (`auth::credential`): trimmed, 1..=8192 bytes. The
    /// document keeps to ASCII (codes and tokens are), where bytes are characters.
    credential => string(
        Required,
        // An ASCII class is small enough to repeat 8190 times (a Unicode one is not).
        trimmed(
            &format!("[!-~](?:[ -~]{{0,{}}}[!-~])?", calndr_domain::MAX_CREDENTIAL_BYTES - 2),
            false,
        ),
        None,
    );
    /// An optional date of a query (blank means the default).
    date_or_blank => date_with(RequiredOrBlank, None);
    /// `TemperatureUnit`: `celsius` or `fahrenheit`, any case (blank means celsius).
    temperature_unit => string(
        RequiredOrBlank,
        trimmed("[cC][eE][lL][sS][iI][uU][sS]|[fF][aA][hH][rR][eE][nN][hH][eE][iI][tT]", true),
        None,
    );
    /// A value that is accepted and ignored.
    ignored => ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .description(Some("Accepted and ignored."))
        .build();
    /// `true` or `false`.
    boolean => typed(Type::Boolean, false).build();
    /// Any JSON object.
    any_object => typed(Type::Object, false).build();
}

fn week_pattern_with(nullable: bool) -> Object {
    let days: Vec<String> = DAY_NAMES
        .iter()
        .map(|d| {
            d.chars()
                .map(|c| format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase()))
                .collect()
        })
        .collect();
    typed(Type::Object, nullable)
        .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(Schema::from(
            typed(Type::String, true).build(),
        )))))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(trimmed(&days.join("|"), false)))
                .build(),
        ))
        .build()
}

fn date_or_datetime_with(optional: bool) -> Schema {
    let of = |format: KnownFormat| {
        typed(Type::String, false)
            .format(Some(SchemaFormat::KnownFormat(format)))
            .build()
    };
    let mut any = AnyOfBuilder::new()
        .item(of(KnownFormat::Date))
        .item(of(KnownFormat::DateTime));
    if optional {
        any = any
            .item(
                typed(Type::String, false)
                    .pattern(Some(format!("^[{WS}]*$")))
                    .build(),
            )
            .item(typed(Type::Null, false).build());
    }
    Schema::from(any.build())
}

/// `WebUrl::parse`: the shape, and at most `max` characters once `https://` is added to a
/// value without a scheme.
fn url(max: usize, presence: Presence) -> Schema {
    let c = format!("[^{CC}{WS}]");
    let length = format!(
        "[hH][tT][tT][pP][sS]://{c}{{0,{}}}|[hH][tT][tT][pP]://{c}{{0,{}}}|{c}{{1,{}}}",
        max - 8,
        max - 7,
        max - 8
    );
    both(
        string(presence, url_pattern(presence.blank_ok()), None),
        string(presence, trimmed(&length, presence.blank_ok()), None),
    )
}

#[cfg(test)]
#[path = "openapi_limits_tests.rs"]
mod tests;
