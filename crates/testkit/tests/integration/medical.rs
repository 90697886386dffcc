//! `/api/v1/medical-providers/*` (spec 1.22, 2.19, 3.10; contract 2.11 M1-M5).

use actix_web::http::StatusCode;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};

use crate::events::delete;
use crate::support::{app, assert_error, assert_invalid, ok};

const BASE: &str = "/api/v1/medical-providers/";

fn doctor() -> Value {
    json!({
        "name": "Dr. Kim", "specialty": "Pediatrics", "address": "2 Elm St",
        "phone": "+1 910.555.0199", "email": "desk@kidsdoc.example.com",
        "website": "kidsdoc.example.com", "latitude": 34.2257, "longitude": -77.9447,
        "zip_code": "28401", "notes": "Bring the card"
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn medical_crud_normalises_phone_and_website_and_put_is_partial() {
    let app = app(Backend::Postgres).await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let m = ok(&app.post_json(BASE, t, &doctor()).await);
    let id = m["id"].as_i64().expect("integer id");
    assert_eq!(m["phone"], "(910) 555-0199");
    assert_eq!(m["website"], "https://kidsdoc.example.com");
    assert_eq!(m["latitude"], 34.2257);
    assert_eq!(m["longitude"], -77.9447);
    assert_eq!(m["family_id"], jo.family_id.as_str());
    assert_eq!(m["created_by_user_id"], jo.user_id.as_str());
    assert_eq!(m["distance"], Value::Null);
    for key in ["created_at", "updated_at"] {
        assert!(
            m[key]
                .as_str()
                .is_some_and(|s| s.ends_with('Z') && s.len() == 20),
            "{key}: {m}"
        );
    }
    assert_eq!(ok(&app.get(BASE, t).await), json!([m]));
    assert_eq!(
        ok(&app.get("/api/v1/medical-providers", t).await),
        json!([m])
    );
    assert_eq!(ok(&app.get(&format!("{BASE}{id}"), t).await), m);

    // Partial update: only the keys sent change.
    let changed = ok(&app
        .put_json(
            &format!("{BASE}{id}"),
            t,
            &json!({"notes": "New notes", "rating": 4.5}),
        )
        .await);
    assert_eq!(changed["notes"], "New notes");
    assert_eq!(changed["rating"], 4.5);
    for key in [
        "name",
        "phone",
        "website",
        "latitude",
        "longitude",
        "created_at",
    ] {
        assert_eq!(changed[key], m[key], "{key} kept");
    }

    let del = ok(&delete(&app, &format!("{BASE}{id}"), &jo.token).await);
    assert_eq!(
        del,
        json!({"message": "Medical provider deleted successfully"})
    );
    let res = app.get(&format!("{BASE}{id}"), t).await;
    let body = assert_error(&res, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(body["detail"], "Medical provider not found");
}

#[tokio::test(flavor = "multi_thread")]
async fn medical_validators_reject_bad_input_with_422_and_nothing_is_written() {
    let app = app(Backend::Postgres).await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let cases = [
        (json!({"name": ""}), "name"),
        (json!({"name": "n".repeat(256)}), "name"),
        (json!({"name": "A", "phone": "555-1234"}), "phone"),
        (json!({"name": "A", "phone": "2 910 555 0199"}), "phone"),
        (json!({"name": "A", "phone": "910-555-01999999"}), "phone"),
        (json!({"name": "A", "phone": "call the desk"}), "phone"),
        (json!({"name": "A", "latitude": 90.5}), "latitude"),
        (json!({"name": "A", "longitude": -180.5}), "longitude"),
        (json!({"name": "A", "rating": 5.01}), "rating"),
        (
            json!({"name": "A", "website": "ftp://files.example.com"}),
            "website",
        ),
        (
            json!({"name": "A", "website": format!("a.com/{}", "x".repeat(500))}),
            "website",
        ),
        (json!({"name": "A", "email": "desk@"}), "email"),
        (json!({"name": "A", "zip_code": "1".repeat(21)}), "zip_code"),
        (
            json!({"name": "A", "specialty": "s".repeat(256)}),
            "specialty",
        ),
        (json!({"name": "A", "latitude": "north"}), "body"),
    ];
    for (body, field) in &cases {
        assert_invalid(&app.post_json(BASE, t, body).await, field);
    }
    assert_invalid(
        &app.post_json(BASE, t, &json!({"specialty": "x"})).await,
        "name",
    );
    assert_eq!(ok(&app.get(BASE, t).await), json!([]), "nothing written");

    let m = ok(&app.post_json(BASE, t, &json!({"name": "Kept"})).await);
    let id = m["id"].as_i64().expect("id");
    for (body, field) in &cases {
        assert_invalid(&app.put_json(&format!("{BASE}{id}"), t, body).await, field);
    }
    assert_eq!(
        ok(&app.get(&format!("{BASE}{id}"), t).await),
        m,
        "unchanged"
    );
    assert_invalid(&app.get(&format!("{BASE}abc"), t).await, "provider_id");
    let res = app.get(BASE, None).await;
    assert_error(&res, StatusCode::UNAUTHORIZED, "not_authenticated");
}

#[tokio::test(flavor = "multi_thread")]
async fn medical_search_answers_camel_case_keys_with_the_specialty_echoed() {
    let app = TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .fake_places()
        .build()
        .await;
    let jo = app.register("Jo").await;
    let t = Some(jo.token.as_str());
    let res = ok(&app
        .post_json(
            "/api/v1/medical-providers/search",
            t,
            &json!({"location_type": "zipcode", "zipcode": "28401", "radius": 5000,
                    "specialty": "Pediatrics", "query": "pharmacy"}),
        )
        .await);
    assert_eq!(res["total"], 2);
    let first = &res["results"][0];
    let mut keys: Vec<&str> = first
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "address",
            "distance",
            "id",
            "name",
            "phoneNumber",
            "placeId",
            "rating",
            "specialty",
            "website"
        ]
    );
    assert_eq!(first["specialty"], "Pediatrics");
    assert_eq!(first["id"], first["placeId"]);

    let near = ok(&app
        .post_json(
            "/api/v1/medical-providers/search",
            t,
            &json!({"location_type": "current", "latitude": 34.2, "longitude": -77.9,
                    "radius": 5000, "specialty": "Dentist"}),
        )
        .await);
    assert_eq!(near["results"][0]["placeId"], "place-near");
    assert!(near["results"][0]["distance"].as_f64().is_some());
    assert_eq!(
        app.places.queries(),
        ["pharmacy near 28401", "nearby 34.2,-77.9 r=5000 Dentist"]
    );
    let res = app
        .post_json(
            "/api/v1/medical-providers/search",
            t,
            &json!({"location_type": "zipcode", "zipcode": "28401", "query": "q".repeat(101)}),
        )
        .await;
    assert_invalid(&res, "query");
}
