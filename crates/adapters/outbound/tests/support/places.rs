//! Google Places against a local fake of its Text Search (New), Nearby Search and Details APIs.

use std::time::Duration;

use calndr_domain::{GeoPoint, PlaceCategory};
use calndr_outbound::{GooglePlaces, GooglePlacesConfig};
use calndr_ports::{ExternalError, NearbySearch, PlacesSearch, TextSearch};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "AIza-test-key";

fn places(server: &MockServer) -> GooglePlaces {
    GooglePlaces::new(GooglePlacesConfig {
        api_key: KEY.into(),
        places_url: server.uri().parse().expect("url"),
        maps_url: server.uri().parse().expect("url"),
        timeout: Duration::from_secs(2),
    })
    .expect("client")
}

#[tokio::test]
async fn a_zip_search_uses_text_search_with_the_key_in_a_header_and_reads_every_field() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/places:searchText"))
        .and(header("X-Goog-Api-Key", KEY))
        .and(body_json(json!({"textQuery": "daycare centers near 28401", "maxResultCount": 20})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"places": [{
            "id": "ChIJ1", "displayName": {"text": "Little Learners", "languageCode": "en"},
            "formattedAddress": "1 Main St, Wilmington, NC 28401", "nationalPhoneNumber": "(910) 555-0100",
            "rating": 4.6, "websiteUri": "https://littlelearners.example",
            "location": {"latitude": 34.23, "longitude": -77.94},
            "regularOpeningHours": {"weekdayDescriptions": ["Monday: 7 AM–6 PM", "Tuesday: 7 AM–6 PM"]}
        }, {"id": "ChIJ2"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let found = places(&server)
        .text_search(&TextSearch {
            category: PlaceCategory::Daycare,
            text: "daycare centers near 28401".into(),
        })
        .await
        .expect("search");
    assert_eq!(found.len(), 1, "a place without a name is dropped");
    let p = &found[0];
    assert_eq!(
        (p.place_id.as_str(), p.name.as_str()),
        ("ChIJ1", "Little Learners")
    );
    assert_eq!(p.phone_number.as_deref(), Some("(910) 555-0100"));
    assert_eq!(
        p.hours.as_deref(),
        Some("Monday: 7 AM–6 PM; Tuesday: 7 AM–6 PM")
    );
    assert!(p.location.is_some());
    let sent = server.received_requests().await.unwrap_or_default();
    assert!(
        !sent[0].url.as_str().contains(KEY),
        "the key is not in the URL"
    );
}

#[tokio::test]
async fn a_nearby_search_sends_type_keyword_and_radius_and_details_only_the_first_results() {
    let server = MockServer::start().await;
    let results: Vec<_> = (0..7)
        .map(|i| json!({"place_id": format!("P{i}"), "name": format!("Daycare {i}"), "vicinity": "Somewhere",
                        "geometry": {"location": {"lat": 34.2 + f64::from(i) / 100.0, "lng": -77.9}}}))
        .collect();
    Mock::given(method("GET"))
        .and(path("/maps/api/place/nearbysearch/json"))
        .and(query_param("location", "34.2257,-77.9447"))
        .and(query_param("radius", "5000"))
        .and(query_param("type", "school"))
        .and(query_param(
            "keyword",
            "daycare OR childcare OR preschool OR nursery",
        ))
        .and(query_param("key", KEY))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": "OK", "results": results})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/maps/api/place/details/json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": "OK", "result": {
                "formatted_phone_number": "(910) 555-0199", "website": "https://d.example",
                "opening_hours": {"weekday_text": ["Monday: 8 AM–5 PM"]}
            }})),
        )
        .expect(5)
        .mount(&server)
        .await;
    let found = places(&server)
        .nearby_search(&NearbySearch {
            category: PlaceCategory::Daycare,
            center: GeoPoint::parse(34.2257, -77.9447).expect("point"),
            radius_m: 5000,
            keyword: None,
        })
        .await
        .expect("search");
    assert_eq!(found.len(), 7);
    assert_eq!(found[0].phone_number.as_deref(), Some("(910) 555-0199"));
    assert_eq!(found[0].hours.as_deref(), Some("Monday: 8 AM–5 PM"));
    assert_eq!(
        found[6].phone_number, None,
        "no paid Details call beyond the first five"
    );
}

#[tokio::test]
async fn googles_refusals_and_outages_become_the_ports_errors() {
    for (status, expect_rejected) in [
        ("INVALID_REQUEST", true),
        ("OVER_QUERY_LIMIT", false),
        ("REQUEST_DENIED", false),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"status": status, "results": []})),
            )
            .mount(&server)
            .await;
        let err = places(&server)
            .nearby_search(&NearbySearch {
                category: PlaceCategory::School,
                center: GeoPoint::parse(34.0, -77.0).expect("point"),
                radius_m: 1000,
                keyword: None,
            })
            .await
            .expect_err(status);
        match err {
            ExternalError::Rejected(_) => assert!(expect_rejected, "{status}"),
            ExternalError::Unavailable(e) => {
                assert!(!expect_rejected, "{status}");
                assert!(
                    !e.to_string().contains(KEY),
                    "the key never shows in an error"
                );
            }
            ExternalError::NotConfigured => panic!("{status}"),
        }
    }
    let down = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&down)
        .await;
    let err = places(&down)
        .text_search(&TextSearch {
            category: PlaceCategory::School,
            text: "schools near 28401".into(),
        })
        .await
        .expect_err("down");
    assert!(matches!(err, ExternalError::Unavailable(_)));
}

#[tokio::test]
async fn a_passing_outage_is_retried_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"places": []})))
        .mount(&server)
        .await;
    let found = places(&server)
        .text_search(&TextSearch {
            category: PlaceCategory::School,
            text: "schools near 28401".into(),
        })
        .await
        .expect("the retry succeeded");
    assert!(found.is_empty());
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        2
    );
}
