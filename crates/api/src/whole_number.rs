//! Integers of a JSON body as JSON Schema reads them: `7`, `7.0` and `7e0` are the same integer
//! (2020-12, `type: integer` is any number with a zero fractional part). serde reads only `7`
//! into an `i32`, so a body the document allows was refused with 422; these readers take any
//! whole number in range and refuse the rest as serde does.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        #[expect(clippy::cast_possible_truncation, reason = "a whole number in range")]
        Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => Ok(f as i64),
        _ => Err(D::Error::custom(format!(
            "invalid type: {n}, expected an integer"
        ))),
    }
}

/// An `i32` written as any whole JSON number.
pub fn i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let v = whole(d)?;
    i32::try_from(v).map_err(|_| D::Error::custom(format!("invalid value: {v}, expected i32")))
}

/// An optional `i32` (`null` or absent is `None`; use with `#[serde(default)]`).
pub fn opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "i32")] i32);
    Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
}

/// An optional `i64` (`null` or absent is `None`; use with `#[serde(default)]`).
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole")] i64);
    Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::i32")]
        id: i32,
        #[serde(default, deserialize_with = "super::opt_i64")]
        radius: Option<i64>,
    }

    fn read(json: &str) -> Result<Body, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Was a bug: the document's `type: integer` allows `532.0`, serde refused it (422).
    #[test]
    fn a_whole_number_written_with_a_fraction_is_an_integer() {
        let b = read(r#"{"id": 532.0, "radius": 5e3}"#).unwrap();
        assert_eq!((b.id, b.radius), (532, Some(5000)));
        assert_eq!(read(r#"{"id": -7}"#).unwrap().radius, None);
        assert_eq!(read(r#"{"id": 1, "radius": null}"#).unwrap().radius, None);
        for bad in [
            r#"{"id": 1.5}"#,
            r#"{"id": 2147483648}"#,
            r#"{"id": "1"}"#,
            r#"{"id": 1, "radius": 0.25}"#,
            r#"{"id": 1e300}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
