//! Each schema accepts exactly what its parser accepts: the parser and the schema (pattern and
//! length bounds, read as JSON Schema reads them) agree on generated strings that mix the
//! characters the rules are about (white space, control characters, digits, punctuation).

use super::*;

use calndr_domain::{
    parse_date, BoundedText, ChildDraft, Color, DeviceToken, EmailAddress, EnrollmentCode,
    PhoneNumber, ShortText, UsPhoneNumber, VerificationCode, WebUrl,
};
use proptest::prelude::*;
use utoipa::openapi::schema::Schema;

/// Does `value` pass the string schema (`pattern`, `minLength`, `maxLength`; lengths in
/// characters, as JSON Schema counts them)?
fn accepts(schema: &Schema, value: &str) -> bool {
    let o = match schema {
        Schema::Object(o) => o,
        Schema::AllOf(all) => {
            return all.items.iter().all(|item| match item {
                utoipa::openapi::RefOr::T(s) => accepts(s, value),
                utoipa::openapi::RefOr::Ref(_) => panic!("a reference"),
            })
        }
        _ => panic!("not an object schema"),
    };
    let n = value.chars().count();
    let pattern_ok = o.pattern.as_deref().is_none_or(|p| {
        regex::Regex::new(p)
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .is_match(value)
    });
    pattern_ok && o.min_length.is_none_or(|m| n >= m) && o.max_length.is_none_or(|m| n <= m)
}

/// Strings built from the characters that matter to the parsers.
fn mixed(max: usize) -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a", "Z", "é", "0", "7", "1", " ", "\t", "\n", "\r", "\u{b}", "\u{85}", "\u{a0}",
        "\u{2003}", "\u{1}", "\u{7f}", "\u{9f}", "@", ".", "-", "+", "(", ")", ":", "/", "#", "?",
        "_", "x", "F", "h", "t", "p", "s", "\u{1c}", "\u{3000}",
    ]);
    prop::collection::vec(pieces, 0..max).prop_map(|v| v.concat())
}

/// Strings of `len` characters, padded with white space now and then.
fn long(len: usize) -> impl Strategy<Value = String> {
    (
        mixed(4),
        prop::sample::select(vec!["a", "é", " ", "\n"]),
        mixed(4),
    )
        .prop_map(move |(a, fill, b)| format!("{a}{}{b}", fill.repeat(len)))
}

/// The schema accepts `value` exactly when the parser does, except that `maxLength` counts the
/// white space around a value the parser trims (the schema refuses a padded value over the
/// length; the parser reads it).
fn agree(schema: impl Into<Schema>, value: &str, parsed: bool) -> Result<(), TestCaseError> {
    let schema = schema.into();
    let max = match &schema {
        Schema::Object(o) => o.max_length,
        _ => None,
    };
    let fits = max.is_none_or(|m| value.chars().count() <= m);
    prop_assert_eq!(accepts(&schema, value), parsed && fits, "{:?}", value);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn short_text(s in mixed(12)) {
        agree(line(10, Required), &s, ShortText::parse(&s, "f", 10).is_ok())?;
        let blank_or_line = s.trim().is_empty() || ShortText::parse(&s, "f", 10).is_ok();
        agree(line(10, NullableOrBlank), &s, blank_or_line)?;
    }

    #[test]
    fn bounded_text(s in mixed(12)) {
        agree(text(10, Required), &s, BoundedText::parse(&s, "f", 10, false).is_ok())?;
        agree(text(10, RequiredOrBlank), &s, BoundedText::parse(&s, "f", 10, true).is_ok())?;
    }

    #[test]
    fn email_addresses(s in mixed(16)) {
        agree(email(), &s, EmailAddress::parse(&s).is_ok() && s.trim().is_ascii())?;
    }

    #[test]
    fn phone_numbers(s in mixed(14)) {
        agree(phone_with(PHONE_MAX, Required), &s, PhoneNumber::parse(&s, "p").is_ok())?;
        let us = calndr_domain::providers::us_phone(&s, "p").is_ok();
        agree(medical_phone_opt(), &s, us || s.trim().is_empty())?;
        agree(us_phone(), &s, UsPhoneNumber::parse(&s, "p").is_ok())?;
    }

    #[test]
    fn digit_strings(s in "[ \t0-9a-fA-F]{0,12}") {
        agree(verification_code(), &s, VerificationCode::parse(&s, "c").is_ok())?;
        agree(entered_code(), &s, calndr_domain::enrollment::parse_entered_code(&s, "c").is_ok())?;
        agree(enrollment_code(), &s, EnrollmentCode::parse(&s, "c").is_ok())?;
    }

    #[test]
    fn colours(s in "[ #0-9a-fA-Fg]{0,11}") {
        agree(color(), &s, Color::parse(&s, "c").is_ok())?;
    }

    #[test]
    fn device_tokens(s in "[ 0-9a-fA-Fg]{0,210}") {
        agree(device_token(), &s, DeviceToken::parse(&s).is_ok())?;
    }

    #[test]
    fn urls(s in "( |[hH]ttps?://|ftp://)?[a-z0-9.-]{0,6}(:[+0-9]{0,6})?([/?#][a-z:/ \t]{0,6})?") {
        let parsed = s.trim().is_empty() || WebUrl::parse(&s, "w", WEBSITE_MAX).is_ok();
        // Stricter on one point: without a scheme, the path holds no `:` (the parser refuses
        // only `://` there, which a pattern without look-ahead cannot single out).
        let schemeless_colon = !s.contains("://") && s.split_once(['/', '?', '#']).is_some_and(|(_, p)| p.contains(':'));
        agree(website(), &s, parsed && !schemeless_colon)?;
    }

    #[test]
    fn postal_codes(s in "[ a0-9-]{0,13}") {
        let parsed = s.trim().is_empty() || calndr_domain::PostalCode::parse(&s, "z").is_ok();
        agree(postal_code(), &s, parsed)?;
    }

    #[test]
    fn long_texts(s in long(255)) {
        agree(line(255, Required), &s, ShortText::parse(&s, "f", 255).is_ok())?;
    }
}

#[test]
fn date_ranges_hold_the_valid_days_between() {
    let (lo, hi) = (
        NaiveDate::from_ymd_opt(1999, 3, 15).unwrap(),
        NaiveDate::from_ymd_opt(2003, 2, 10).unwrap(),
    );
    let r = regex::Regex::new(&format!("^{}$", date_range(lo, hi))).unwrap();
    let mut d = NaiveDate::from_ymd_opt(1998, 1, 1).unwrap();
    while d < NaiveDate::from_ymd_opt(2005, 1, 1).unwrap() {
        let leap_day = d.format("%m-%d").to_string() == "02-29";
        assert_eq!(
            r.is_match(&d.to_string()),
            lo <= d && d <= hi && !leap_day,
            "{d}"
        );
        d += Duration::days(1);
    }
    for bad in [
        "2000-02-30",
        "2000-04-31",
        "2000-13-01",
        "2000-00-10",
        "2000-01-00",
    ] {
        assert!(!r.is_match(bad), "{bad}");
    }
}

#[test]
fn any_date_the_parser_reads_matches() {
    let Schema::Object(o) = date() else { panic!() };
    let r = regex::Regex::new(o.pattern.as_deref().unwrap()).unwrap();
    let mut d = NaiveDate::from_ymd_opt(0, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    while d <= last {
        let s = d.to_string();
        assert!(r.is_match(&s) && parse_date(&s, "d").is_ok(), "{s}");
        d += Duration::days(1);
    }
    for bad in [
        "",
        "2000-02-30",
        "1900-02-29",
        "2001-02-29",
        "2000-1-01",
        "02000-01-01",
    ] {
        assert!(!r.is_match(bad) && parse_date(bad, "d").is_err(), "{bad}");
    }
    assert!(r.is_match(" 2000-02-29\n"));
}

#[test]
fn between_builds_exact_ranges() {
    let r = regex::Regex::new(&format!("^{}$", between("1900-01-01", "2026-12-05"))).unwrap();
    let mut d = NaiveDate::from_ymd_opt(1899, 1, 1).unwrap();
    let (lo, hi) = (
        NaiveDate::from_ymd_opt(1900, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
    );
    while d < NaiveDate::from_ymd_opt(2028, 1, 1).unwrap() {
        assert_eq!(r.is_match(&d.to_string()), lo <= d && d <= hi, "{d}");
        d += Duration::days(1);
    }
    assert_eq!(between("5", "5"), "5");
    assert_eq!(between("3", "7"), "(?:3|[4-6]|7)");
}

#[test]
fn a_child_may_be_born_from_1900_to_tomorrow() {
    let Schema::Object(o) = child_dob() else {
        panic!()
    };
    let r = regex::Regex::new(o.pattern.as_deref().unwrap()).unwrap();
    let today = today();
    for (d, ok) in [
        (ChildDraft::earliest_dob(), true),
        (ChildDraft::earliest_dob() - Duration::days(1), false),
        (today + Duration::days(1), true),
        (today + Duration::days(2), false),
    ] {
        assert_eq!(r.is_match(&d.to_string()), ok, "{d}");
        assert_eq!(ChildDraft::new("A", "B", d, today).is_ok(), ok, "{d}");
        assert!(parse_date(&d.to_string(), "dob").is_ok());
    }
}
