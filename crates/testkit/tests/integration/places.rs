//! Daycare and medical search end to end through the Google Places adapter, against a local fake
//! of Google's APIs (contract 2.8, 2.11).

use calndr_testkit::{Backend, TestApp};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::ok;

#[tokio::test(flavor = "multi_thread")]
async fn a_zip_search_answers_the_apps_shapes_from_google_places() {
    let google = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/places:searchText"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"places": [
            {"id": "B", "displayName": {"text": "Bright Start"}, "formattedAddress": "2 Oak St",
             "nationalPhoneNumber": "(910) 555-0102", "rating": 4.2, "websiteUri": "https://b.example",
             "location": {"latitude": 34.21, "longitude": -77.91}},
            {"id": "A", "displayName": {"text": "Acorn Kids"}, "formattedAddress": "1 Elm St"}
        ]})))
        .mount(&google)
        .await;
    let app = TestApp::builder(Backend::Memory)
        .fast_hashing()
        .env("CALNDR_GOOGLE_PLACES_API_KEY", "AIza-test")
        .env("CALNDR_GOOGLE_PLACES_URL", &google.uri())
        .env("CALNDR_GOOGLE_MAPS_URL", &google.uri())
        .build()
        .await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let zip = json!({"location_type": "zipcode", "zipcode": "28401"});
    let daycares = ok(&app
        .post_json("/api/v1/daycare-providers/search", t, &zip)
        .await);
    let names: Vec<&str> = daycares
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        names,
        vec!["Acorn Kids", "Bright Start"],
        "zip results by name"
    );
    assert_eq!(daycares[1]["place_id"], "B");
    assert_eq!(daycares[1]["phone_number"], "(910) 555-0102");

    let medical = ok(&app
        .post_json(
            "/api/v1/medical-providers/search",
            t,
            &json!({"location_type": "zipcode", "zipcode": "28401", "specialty": "Pediatrics"}),
        )
        .await);
    let first = &medical["results"][0];
    assert!(
        first.get("placeId").is_some() && first.get("phoneNumber").is_some(),
        "{medical}"
    );
    assert_eq!(medical["total"], 2);
}
