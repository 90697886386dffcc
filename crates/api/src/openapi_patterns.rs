//! The regular expressions of [`crate::openapi_limits`]: what each domain parser accepts, as a
//! JSON Schema `pattern`. Written for both ECMA-262 and Python `re` (what schemathesis
//! generates from): no `\\d`, `\\s` or `\\w` (Unicode in Python), only explicit classes. Text
//! parsers trim first, so a pattern allows the white space around a value ([`WS`], Rust's
//! `char::is_whitespace`) and describes the trimmed value between.

use calndr_domain::places::{POSTAL_CODE_MAX, POSTAL_CODE_MIN};
use calndr_domain::EmailAddress;
use chrono::NaiveDate;

/// What `str::trim` removes (Rust's `White_Space`), as a class body.
pub const WS: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// `char::is_control` (Unicode `Cc`), as a class body.
pub const CC: &str = r"\x00-\x1f\x7f-\x9f";

/// The control characters free text refuses: every `Cc` but tab, line feed and carriage return.
pub const CC_TEXT: &str = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";

/// `core` (the trimmed value), with white space around it; blank as well when `blank_ok`.
pub fn trimmed(core: &str, blank_ok: bool) -> String {
    let optional = if blank_ok { "?" } else { "" };
    format!("^[{WS}]*(?:{core}){optional}[{WS}]*$")
}

/// The longest trimmed length a pattern spells out (a bounded repetition). The parsers count
/// the trimmed value, which `maxLength` cannot (it counts the white space around it too), so
/// the length is in the pattern; a longer limit is a `maxLength`, since regex engines refuse
/// bounded repetitions of a Unicode class much beyond this.
pub const PATTERN_LENGTH_MAX: usize = 5000;

/// `1..=max` characters of `inner`, starting and ending with one of `edge` (a trimmed value).
pub fn bounded(edge: &str, inner: &str, max: usize) -> String {
    match max {
        0 | 1 => edge.to_owned(),
        n if n <= PATTERN_LENGTH_MAX => format!("{edge}(?:{inner}{{0,{}}}{edge})?", n - 2),
        _ => format!("{edge}(?:{inner}*{edge})?"),
    }
}

/// The trimmed value of a text without the control characters in `cc`, at most `max`
/// characters: it starts and ends with a character that is neither white space nor control.
pub fn text_core(cc: &str, max: usize) -> String {
    bounded(&format!("[^{cc}{WS}]"), &format!("[^{cc}]"), max)
}

/// An ASCII character an address may hold (printable, not `@`); the length limits of
/// [`EmailAddress`] count bytes, so the document keeps to ASCII, where bytes are characters.
const EMAIL_LOCAL: &str = r"[\x21-\x3f\x41-\x7e]";

/// The same without `.` (a domain label).
const EMAIL_LABEL: &str = r"[\x21-\x2d\x2f-\x3f\x41-\x7e]";

/// The labels of a domain the document spells out (two to this many) and their length: within
/// [`EmailAddress::MAX_LEN`] with the longest part before the `@`, counted in the pattern.
const EMAIL_LABELS: usize = 4;

const EMAIL_LABEL_MAX: usize =
    (EmailAddress::MAX_LEN - EmailAddress::MAX_LOCAL_LEN - 1 - (EMAIL_LABELS - 1)) / EMAIL_LABELS;

/// `EmailAddress::parse`: one `@`, a dotted domain without empty labels, no spaces. (Stricter
/// than the parser in two rare ways: ASCII only, and two to four domain labels of at most 46
/// characters, so that the pattern holds the length.)
pub fn email_pattern(blank_ok: bool) -> String {
    let local = EmailAddress::MAX_LOCAL_LEN;
    let label = format!("{EMAIL_LABEL}{{1,{EMAIL_LABEL_MAX}}}");
    let more = EMAIL_LABELS - 1;
    let core = format!("{EMAIL_LOCAL}{{1,{local}}}@{label}(?:\\.{label}){{1,{more}}}");
    trimmed(&core, blank_ok)
}

/// The characters of a typed phone number besides digits.
pub const PHONE_PUNCT: &str = r"[ +().\-]";

/// `PhoneNumber::parse`: digits, spaces and `+-().`, at least three digits.
pub fn phone_pattern(blank_ok: bool) -> String {
    let p = format!("{PHONE_PUNCT}*");
    trimmed(
        &format!("{p}[0-9]{p}[0-9]{p}[0-9](?:{p}[0-9])*{p}"),
        blank_ok,
    )
}

/// The characters of a typed phone number.
pub const PHONE_CHARS: &str = r"[0-9 +().\-]";

/// A North American number: ten digits, or eleven starting with 1 (`us_phone`,
/// `UsPhoneNumber`).
pub fn us_phone_pattern(blank_ok: bool) -> String {
    let p = format!("{PHONE_PUNCT}*");
    trimmed(&format!("{p}(?:1{p})?(?:[0-9]{p}){{10}}"), blank_ok)
}

/// February 29th of the leap years among the four-digit years (proleptic Gregorian, as chrono
/// reads dates: year 0 is one).
pub const LEAP_DAY: &str =
    "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29";

/// Fixed-width strings of digits (and literal separators at the same places) from `lo` to `hi`
/// inclusive, as a regular expression: `"1900-01-01".."2026-12-05"` matches exactly the
/// `YYYY-MM-DD` strings in between.
pub fn between(lo: &str, hi: &str) -> String {
    let (l, h): (Vec<char>, Vec<char>) = (lo.chars().collect(), hi.chars().collect());
    between_chars(&l, &h)
}

fn between_chars(lo: &[char], hi: &[char]) -> String {
    let (Some((&l, lo_rest)), Some((&h, hi_rest))) = (lo.split_first(), hi.split_first()) else {
        return String::new();
    };
    if l == h || !l.is_ascii_digit() {
        return format!("{l}{}", between_chars(lo_rest, hi_rest));
    }
    let fill = |rest: &[char], digit: char| -> Vec<char> {
        rest.iter()
            .map(|&c| if c.is_ascii_digit() { digit } else { c })
            .collect()
    };
    let any: String = lo_rest
        .iter()
        .map(|&c| {
            if c.is_ascii_digit() {
                "[0-9]".to_owned()
            } else {
                c.to_string()
            }
        })
        .collect();
    let mut parts = vec![format!(
        "{l}{}",
        between_chars(lo_rest, &fill(lo_rest, '9'))
    )];
    let (next, last) = (char::from(l as u8 + 1), char::from(h as u8 - 1));
    if next <= last {
        parts.push(format!("[{next}-{last}]{any}"));
    }
    parts.push(format!(
        "{h}{}",
        between_chars(&fill(hi_rest, '0'), hi_rest)
    ));
    format!("(?:{})", parts.join("|"))
}

/// The days of each month in a pattern; February has 28 (the 29th of a leap year is left out:
/// a pattern that follows leap years through a range of centuries would be long for one day).
const MONTH_DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn two(n: u32) -> String {
    format!("{n:02}")
}

/// `MM-DD` from `(m1, d1)` to `(m2, d2)` within one year, valid days only.
fn month_days(from: (u32, u32), to: (u32, u32)) -> String {
    let last = |m: u32| MONTH_DAYS[(m - 1) as usize];
    let days = |m: u32, d1: u32, d2: u32| {
        format!("{}-{}", two(m), between(&two(d1), &two(d2.min(last(m)))))
    };
    let ((m1, d1), (m2, d2)) = (from, to);
    let parts: Vec<String> = if m1 == m2 {
        vec![days(m1, d1, d2)]
    } else {
        std::iter::once(days(m1, d1, last(m1)))
            .chain((m1 + 1..m2).map(|m| days(m, 1, last(m))))
            .chain(std::iter::once(days(m2, 1, d2)))
            .collect()
    };
    format!("(?:{})", parts.join("|"))
}

/// Valid `YYYY-MM-DD` strings from `lo` to `hi` (without February 29th), as a pattern: a date
/// range that `format: date` cannot state, in a form generators can produce directly.
pub fn date_range(lo: NaiveDate, hi: NaiveDate) -> String {
    use chrono::Datelike as _;
    let (y1, y2) = (lo.year(), hi.year());
    let (md1, md2) = ((lo.month(), lo.day()), (hi.month(), hi.day()));
    let year = |y: i32| format!("{y:04}");
    if y1 == y2 {
        return format!("{}-{}", year(y1), month_days(md1, md2));
    }
    let mut parts = vec![format!("{}-{}", year(y1), month_days(md1, (12, 31)))];
    if y1 + 1 < y2 {
        let years = between(&year(y1 + 1), &year(y2 - 1));
        parts.push(format!("{years}-{}", month_days((1, 1), (12, 31))));
    }
    parts.push(format!("{}-{}", year(y2), month_days((1, 1), md2)));
    format!("(?:{})", parts.join("|"))
}

pub fn color_pattern() -> String {
    trimmed("#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})", false)
}

/// `PostalCode`: 3..=10 letters, digits, spaces or dashes with a digit among them. Trimmed, so
/// the value starts and ends with a letter, digit or dash; the digit is first, last, or after
/// `k` of the middle characters.
// The parts below have at least three characters.
const _: () = assert!(POSTAL_CODE_MIN == 3);

pub fn postal_core() -> String {
    let (edge, mid) = ("[0-9A-Za-z-]", "[0-9A-Za-z -]");
    let inner = POSTAL_CODE_MAX - 2;
    let mut parts = vec![
        format!("[0-9]{mid}{{1,{inner}}}{edge}"),
        format!("{edge}{mid}{{1,{inner}}}[0-9]"),
    ];
    for before in 0..inner {
        let after_max = inner - 1 - before;
        parts.push(format!(
            "{edge}{mid}{{{before}}}[0-9]{mid}{{0,{after_max}}}{edge}"
        ));
    }
    parts.join("|")
}

/// `WebUrl::parse`: `http(s)://` (any case) or no scheme, a host of letters, digits, dots and
/// dashes (not starting with a dot or dash), an optional port 1-65535, then a path without
/// white space or control characters.
pub fn url_pattern(blank_ok: bool) -> String {
    let host = "[0-9A-Za-z][0-9A-Za-z.-]{0,252}";
    let port = r"(?::\+?0*(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?";
    let with_scheme = format!("[hH][tT][tT][pP][sS]?://{host}{port}(?:[/?#][^{CC}{WS}]*)?");
    // Without a scheme `https://` is added: the rest must not hold `://` itself.
    let without = format!("{host}{port}(?:[/?#][^{CC}{WS}:]*)?");
    trimmed(&format!("{with_scheme}|{without}"), blank_ok)
}
