//! [`PlacesSearch`] over Google Places (spec 6.1): Text Search (New) for postal-code searches,
//! Nearby Search for searches around the device, Place Details for the phone, website and hours of
//! the first few nearby results (each Details call is billed, so at most [`DETAILS_LIMIT`]).
//!
//! The API key travels in a header (text search) or the query (nearby, details); errors are
//! logged without URLs, so the key never reaches a log.

use std::time::Duration;

use async_trait::async_trait;
use calndr_domain::{GeoPoint, Place, PlaceCategory};
use calndr_ports::{ExternalError, NearbySearch, PlacesSearch, TextSearch};
use serde::Deserialize;
use url::Url;

/// Details calls per nearby search.
pub const DETAILS_LIMIT: usize = 5;

#[derive(Clone)]
pub struct GooglePlacesConfig {
    pub api_key: String,
    /// `https://places.googleapis.com` (Places API (New)).
    pub places_url: Url,
    /// `https://maps.googleapis.com` (legacy Nearby Search and Details).
    pub maps_url: Url,
    pub timeout: Duration,
}

impl GooglePlacesConfig {
    pub const PLACES_URL: &'static str = "https://places.googleapis.com";
    pub const MAPS_URL: &'static str = "https://maps.googleapis.com";
}

pub struct GooglePlaces {
    client: reqwest::Client,
    config: GooglePlacesConfig,
}

#[derive(Deserialize)]
struct TextAnswer {
    #[serde(default)]
    places: Vec<NewPlace>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewPlace {
    id: String,
    display_name: Option<LocalizedText>,
    formatted_address: Option<String>,
    national_phone_number: Option<String>,
    rating: Option<f64>,
    website_uri: Option<String>,
    location: Option<LatLng>,
    regular_opening_hours: Option<OpeningHours>,
}

#[derive(Deserialize)]
struct LocalizedText {
    text: String,
}

#[derive(Deserialize)]
struct LatLng {
    latitude: f64,
    longitude: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpeningHours {
    #[serde(default)]
    weekday_descriptions: Vec<String>,
}

#[derive(Deserialize)]
struct LegacyAnswer<T> {
    status: String,
    #[serde(default = "Vec::new")]
    results: Vec<T>,
    result: Option<LegacyDetails>,
}

#[derive(Deserialize)]
struct LegacyPlace {
    place_id: String,
    name: String,
    vicinity: Option<String>,
    rating: Option<f64>,
    geometry: Option<Geometry>,
}

#[derive(Deserialize)]
struct Geometry {
    location: LegacyLatLng,
}

#[derive(Deserialize)]
struct LegacyLatLng {
    lat: f64,
    lng: f64,
}

#[derive(Deserialize)]
struct LegacyDetails {
    formatted_phone_number: Option<String>,
    website: Option<String>,
    opening_hours: Option<LegacyHours>,
}

#[derive(Deserialize)]
struct LegacyHours {
    #[serde(default)]
    weekday_text: Vec<String>,
}

fn unavailable(e: impl std::fmt::Display) -> ExternalError {
    ExternalError::Unavailable(format!("Google Places: {e}").into())
}

fn hours(lines: Vec<String>) -> Option<String> {
    (!lines.is_empty()).then(|| lines.join("; "))
}

/// A legacy `status` other than OK / ZERO_RESULTS.
fn legacy_status(status: &str) -> Result<(), ExternalError> {
    match status {
        "OK" | "ZERO_RESULTS" => Ok(()),
        "INVALID_REQUEST" => Err(ExternalError::Rejected(
            "The place search did not accept this query".into(),
        )),
        // OVER_QUERY_LIMIT, REQUEST_DENIED (key or billing), UNKNOWN_ERROR: ours to fix or retry.
        other => Err(unavailable(format!("status {other}"))),
    }
}

impl GooglePlaces {
    pub fn new(config: GooglePlacesConfig) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { client, config })
    }

    fn legacy(&self, path: &str) -> Url {
        let mut url = self.config.maps_url.clone();
        url.set_path(path);
        url
    }

    async fn details(&self, place_id: &str) -> Option<LegacyDetails> {
        let response = self
            .client
            .get(self.legacy("/maps/api/place/details/json"))
            .query(&[
                ("place_id", place_id),
                ("fields", "formatted_phone_number,website,opening_hours"),
                ("key", self.config.api_key.as_str()),
            ])
            .send()
            .await
            .ok()?;
        let answer: LegacyAnswer<serde_json::Value> = response.json().await.ok()?;
        (answer.status == "OK").then_some(answer.result).flatten()
    }
}

fn nearby_terms(category: PlaceCategory, keyword: Option<&str>) -> (&'static str, Option<String>) {
    match category {
        PlaceCategory::Daycare => (
            "school",
            Some(
                keyword
                    .unwrap_or("daycare OR childcare OR preschool OR nursery")
                    .to_owned(),
            ),
        ),
        PlaceCategory::School => ("school", keyword.map(str::to_owned)),
        PlaceCategory::Medical => ("hospital", keyword.map(str::to_owned)),
    }
}

#[async_trait]
impl PlacesSearch for GooglePlaces {
    async fn text_search(&self, query: &TextSearch) -> Result<Vec<Place>, ExternalError> {
        let mut url = self.config.places_url.clone();
        url.set_path("/v1/places:searchText");
        let request = self
            .client
            .post(url)
            .header("X-Goog-Api-Key", &self.config.api_key)
            .header(
                "X-Goog-FieldMask",
                "places.id,places.displayName,places.formattedAddress,places.nationalPhoneNumber,\
                 places.rating,places.websiteUri,places.location,places.regularOpeningHours",
            )
            .json(&serde_json::json!({"textQuery": query.text, "maxResultCount": 20}));
        let response = crate::retry::send_idempotent(request)
            .await
            .map_err(|e| unavailable(e.without_url()))?;
        let status = response.status();
        if status.as_u16() == 400 {
            return Err(ExternalError::Rejected(
                "The place search did not accept this query".into(),
            ));
        }
        if !status.is_success() {
            return Err(unavailable(format!("HTTP {status}")));
        }
        let answer: TextAnswer = response
            .json()
            .await
            .map_err(|e| unavailable(e.without_url()))?;
        Ok(answer
            .places
            .into_iter()
            .filter_map(|p| {
                Some(Place {
                    place_id: p.id,
                    name: p.display_name?.text,
                    address: p.formatted_address,
                    phone_number: p.national_phone_number,
                    rating: p.rating,
                    website: p.website_uri,
                    hours: p
                        .regular_opening_hours
                        .and_then(|h| hours(h.weekday_descriptions)),
                    location: p
                        .location
                        .and_then(|l| GeoPoint::parse(l.latitude, l.longitude).ok()),
                    distance_m: None,
                })
            })
            .collect())
    }

    async fn nearby_search(&self, query: &NearbySearch) -> Result<Vec<Place>, ExternalError> {
        let (kind, keyword) = nearby_terms(query.category, query.keyword.as_deref());
        let location = format!("{},{}", query.center.latitude(), query.center.longitude());
        let radius = query.radius_m.to_string();
        let mut params = vec![
            ("location", location.as_str()),
            ("radius", radius.as_str()),
            ("type", kind),
            ("key", self.config.api_key.as_str()),
        ];
        if let Some(k) = keyword.as_deref() {
            params.push(("keyword", k));
        }
        let request = self
            .client
            .get(self.legacy("/maps/api/place/nearbysearch/json"))
            .query(&params);
        let response = crate::retry::send_idempotent(request)
            .await
            .map_err(|e| unavailable(e.without_url()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        let answer: LegacyAnswer<LegacyPlace> = response
            .json()
            .await
            .map_err(|e| unavailable(e.without_url()))?;
        legacy_status(&answer.status)?;
        let mut places: Vec<Place> = answer
            .results
            .into_iter()
            .map(|p| Place {
                place_id: p.place_id,
                name: p.name,
                address: p.vicinity,
                phone_number: None,
                rating: p.rating,
                website: None,
                hours: None,
                location: p
                    .geometry
                    .and_then(|g| GeoPoint::parse(g.location.lat, g.location.lng).ok()),
                distance_m: None,
            })
            .collect();
        let ids: Vec<String> = places
            .iter()
            .take(DETAILS_LIMIT)
            .map(|p| p.place_id.clone())
            .collect();
        let details = futures_util::future::join_all(ids.iter().map(|id| self.details(id))).await;
        for (place, d) in places.iter_mut().zip(details) {
            if let Some(d) = d {
                place.phone_number = d.formatted_phone_number;
                place.website = d.website;
                place.hours = d.opening_hours.and_then(|h| hours(h.weekday_text));
            }
        }
        Ok(places)
    }
}
