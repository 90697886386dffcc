//! Place search: what the places port is asked (a category around a postal code or the device)
//! and how its results are ordered.

use std::fmt;

use crate::providers::present;
use crate::{GeoPoint, ShortText, ValidationError};

/// Length bounds of a [`PostalCode`], in characters.
pub const POSTAL_CODE_MIN: usize = 3;
pub const POSTAL_CODE_MAX: usize = 10;

/// A postal code as typed: 3..=10 letters, digits, spaces or dashes, with at least one digit.
#[derive(Clone, PartialEq, Eq)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        let ok = (POSTAL_CODE_MIN..=POSTAL_CODE_MAX).contains(&s.chars().count())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
            && s.chars().any(|c| c.is_ascii_digit());
        if !ok {
            return Err(ValidationError::new(field, "must be a postal code"));
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

impl fmt::Debug for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PostalCode(<redacted>)")
    }
}

/// What kind of place a search looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceCategory {
    Daycare,
    School,
    Medical,
}

/// Where to search: around a postal code (text search) or around the device (nearby search).
#[derive(Debug, Clone, PartialEq)]
pub enum SearchArea {
    Zipcode(PostalCode),
    Around { center: GeoPoint, radius_m: u32 },
}

/// Default and bounds of a nearby-search radius, in metres (Places allows up to 50 km).
pub const DEFAULT_RADIUS_M: i64 = 5_000;
pub const MAX_RADIUS_M: i64 = 50_000;

impl SearchArea {
    /// `location_type` is `"zipcode"` (then `zipcode` is required) or `"current"` (then
    /// `latitude` and `longitude` are).
    pub fn parse(
        location_type: &str,
        zipcode: Option<&str>,
        latitude: Option<f64>,
        longitude: Option<f64>,
        radius: Option<i64>,
    ) -> Result<Self, ValidationError> {
        let radius = radius.unwrap_or(DEFAULT_RADIUS_M);
        if !(1..=MAX_RADIUS_M).contains(&radius) {
            return Err(ValidationError::new(
                "radius",
                format!("must be between 1 and {MAX_RADIUS_M} metres"),
            ));
        }
        match location_type.trim() {
            "zipcode" => {
                let zip = present(zipcode).ok_or_else(|| {
                    ValidationError::new("zipcode", "is required when location_type is 'zipcode'")
                })?;
                Ok(Self::Zipcode(PostalCode::parse(zip, "zipcode")?))
            }
            "current" => {
                let (Some(lat), Some(lon)) = (latitude, longitude) else {
                    return Err(ValidationError::new(
                        "latitude",
                        "latitude and longitude are required when location_type is 'current'",
                    ));
                };
                Ok(Self::Around {
                    center: GeoPoint::parse(lat, lon)?,
                    radius_m: u32::try_from(radius).unwrap_or(5_000),
                })
            }
            _ => Err(ValidationError::new(
                "location_type",
                "must be 'current' or 'zipcode'",
            )),
        }
    }
}

/// A place search, as the places port receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceQuery {
    pub category: PlaceCategory,
    pub area: SearchArea,
    /// Free text narrowing the search (medical: "pharmacy", a specialty).
    pub keyword: Option<ShortText>,
}

impl PlaceQuery {
    /// The text of a text search (spec 6.1): "daycare centers near 28401", "schools near
    /// 28401", "<keyword | primary care physician pediatrician> near 28401".
    pub fn text_query(&self, zip: &PostalCode) -> String {
        let what = match (self.category, &self.keyword) {
            (_, Some(k)) => k.as_str(),
            (PlaceCategory::Daycare, None) => "daycare centers",
            (PlaceCategory::School, None) => "schools",
            (PlaceCategory::Medical, None) => "primary care physician pediatrician",
        };
        format!("{what} near {}", zip.as_str())
    }
}

/// A place a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub place_id: String,
    pub name: String,
    pub address: Option<String>,
    pub phone_number: Option<String>,
    pub rating: Option<f64>,
    pub website: Option<String>,
    /// Opening hours, weekday texts joined with "; ".
    pub hours: Option<String>,
    pub location: Option<GeoPoint>,
    /// Metres from the search centre (set for nearby searches).
    pub distance_m: Option<f64>,
}

/// Great-circle distance in metres.
pub fn haversine_m(a: GeoPoint, b: GeoPoint) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_000.0;
    let (la1, la2) = (a.latitude().to_radians(), b.latitude().to_radians());
    let dlat = la2 - la1;
    let dlon = (b.longitude() - a.longitude()).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// Search results in display order: by distance from the centre (each place gets its distance)
/// for a nearby search, by name for a postal-code search.
pub fn order_places(area: &SearchArea, mut places: Vec<Place>) -> Vec<Place> {
    match area {
        SearchArea::Around { center, .. } => {
            for p in &mut places {
                if let Some(loc) = p.location {
                    p.distance_m = Some(haversine_m(*center, loc));
                }
            }
            places.sort_by(|a, b| {
                let d = |p: &Place| p.distance_m.unwrap_or(f64::MAX);
                d(a).total_cmp(&d(b))
            });
        }
        SearchArea::Zipcode(_) => {
            places.sort_by_key(|p| p.name.to_lowercase());
        }
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radius_and_areas() {
        assert!(matches!(
            SearchArea::parse("zipcode", Some("28401"), None, None, None),
            Ok(SearchArea::Zipcode(_))
        ));
        let err = |r: Result<SearchArea, ValidationError>| r.unwrap_err().field;
        assert_eq!(
            err(SearchArea::parse("zipcode", None, None, None, None)),
            "zipcode"
        );
        assert_eq!(
            err(SearchArea::parse("current", None, Some(1.0), None, None)),
            "latitude"
        );
        assert_eq!(
            err(SearchArea::parse(
                "current",
                None,
                Some(91.0),
                Some(0.0),
                None
            )),
            "latitude"
        );
        assert_eq!(
            err(SearchArea::parse(
                "current",
                None,
                Some(1.0),
                Some(1.0),
                Some(0)
            )),
            "radius"
        );
        assert_eq!(
            err(SearchArea::parse("city", None, None, None, None)),
            "location_type"
        );
    }

    #[test]
    fn nearby_results_sort_by_distance() {
        let center = GeoPoint::parse(34.0, -78.0).unwrap();
        let place = |name: &str, lat: f64| Place {
            place_id: name.into(),
            name: name.into(),
            address: None,
            phone_number: None,
            rating: None,
            website: None,
            hours: None,
            location: Some(GeoPoint::parse(lat, -78.0).unwrap()),
            distance_m: None,
        };
        let area = SearchArea::Around {
            center,
            radius_m: 5000,
        };
        let out = order_places(&area, vec![place("far", 34.1), place("near", 34.01)]);
        assert_eq!(out[0].name, "near");
        let d = out[0].distance_m.unwrap();
        assert!((1000.0..1200.0).contains(&d), "{d}");
    }
}
