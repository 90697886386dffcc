//! Liveness, readiness, metrics, docs, error contract basics.

use actix_web::http::StatusCode;
use calndr_testkit::{Backend, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn liveness_and_readiness_on_postgres_and_redis() {
    let app = TestApp::new(Backend::PostgresRedis).await;
    let live = app.get("/health", None).await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.json()["status"], "healthy");
    let ready = app.get("/ready", None).await;
    assert_eq!(ready.status, StatusCode::OK, "{:?}", ready.json());
    assert_eq!(ready.json()["database"], "ok");
    assert_eq!(ready.json()["redis"], "ok");
    let db = app.get("/api/v1/health/health/db", None).await;
    assert_eq!(db.json()["database"], "connected");
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_is_503_when_the_database_is_unreachable() {
    let app = TestApp::builder(Backend::Memory)
        .env(
            "CALNDR_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        )
        .build()
        .await;
    let ready = app.get("/ready", None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json()["database"], "unavailable");
    // Liveness does not depend on the database.
    assert_eq!(app.get("/health", None).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_succeed_from_postgres_when_redis_is_down() {
    let app = TestApp::builder(Backend::Postgres)
        .env("CALNDR_REDIS_URL", "redis://127.0.0.1:1")
        .build()
        .await;
    let acc = app.register("Robin").await;
    let profile = app.get("/api/v1/users/profile", Some(&acc.token)).await;
    assert_eq!(profile.status, StatusCode::OK);
    let again = app.get("/api/v1/users/profile", Some(&acc.token)).await;
    assert_eq!(again.status, StatusCode::OK);
    let ready = app.get("/ready", None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["redis"], "unavailable");
    let metrics = String::from_utf8(app.get("/metrics", None).await.body).expect("utf8");
    assert!(
        metrics.contains("calndr_cache_operations{cache=\"redis\",outcome=\"error\"}"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_by_route_pattern() {
    let app = TestApp::new(Backend::Memory).await;
    app.get("/health", None).await;
    app.get("/api/v1/users/profile", None).await;
    let text = String::from_utf8(app.get("/metrics", None).await.body).expect("utf8");
    assert!(
        text.contains(
            "calndr_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("route=\"/api/v1/users/profile\",status=\"401\""),
        "{text}"
    );
    assert!(text.contains("calndr_http_request_duration_seconds_bucket"));
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_answer_json_404() {
    let app = TestApp::new(Backend::Memory).await;
    let res = app.get("/api/v1/nope", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.json()["code"], "route_not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_responses_carry_no_store_headers_and_a_request_id() {
    let app = TestApp::new(Backend::Memory).await;
    let res = app.get("/api/v1/health/health", None).await;
    assert_eq!(
        res.header("cache-control"),
        Some("no-cache, no-store, must-revalidate")
    );
    assert_eq!(res.header("pragma"), Some("no-cache"));
    assert_eq!(res.header("expires"), Some("0"));
    assert!(res.header("x-request-id").is_some_and(|v| v.len() >= 8));
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_document_is_served_and_docs_work_offline() {
    let app = TestApp::new(Backend::Memory).await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.json()["paths"]["/api/v1/auth/token"]["post"].is_object());
    let page = app.get("/api/v1/docs/index.html", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let bundle = app.get("/api/v1/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(bundle.status, StatusCode::OK);
    assert!(
        bundle.body.len() > 100_000,
        "the UI is vendored, not fetched from a CDN"
    );
}
