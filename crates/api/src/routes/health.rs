//! Liveness, readiness, health details and metrics. None of these reveal hosts or credentials.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::error::{ErrorBody, ErrorCode};
use crate::state::ApiState;

#[derive(Serialize, ToSchema)]
pub struct Liveness {
    pub status: &'static str,
    pub service: &'static str,
    pub version: &'static str,
}

/// Liveness: the process answers. Checks no dependency.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "Alive", body = Liveness)))]
pub async fn liveness(state: web::Data<ApiState>) -> HttpResponse {
    HttpResponse::Ok().json(Liveness {
        status: "healthy",
        service: "calndr-backend",
        version: state.settings.version,
    })
}

async fn check(dep: Option<&std::sync::Arc<dyn calndr_ports::HealthCheck>>) -> &'static str {
    match dep {
        None => "not_configured",
        Some(d) => match d.ping().await {
            Ok(()) => "ok",
            Err(_) => "unavailable",
        },
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReadinessReport {
    /// `ready` or `not_ready`.
    pub status: &'static str,
    /// `ok`, `unavailable`, or `not_configured` (embedded in-memory store).
    pub database: &'static str,
    /// `ok`, `unavailable` (requests are then served from the database), or `not_configured`.
    pub redis: &'static str,
}

/// Readiness for the load balancer: 503 when the database cannot be reached. A Redis outage
/// does not make the service unready (requests fall back to the database).
#[utoipa::path(get, path = "/ready", tag = "health",
    responses(
        (status = 200, description = "Ready", body = ReadinessReport),
        (status = 503, description = "Database unreachable", body = ReadinessReport),
    ))]
pub async fn readiness(state: web::Data<ApiState>) -> HttpResponse {
    let database = check(state.readiness.database.as_ref()).await;
    let redis = check(state.readiness.cache.as_ref()).await;
    let ready = database != "unavailable";
    let body = ReadinessReport {
        status: if ready { "ready" } else { "not_ready" },
        database,
        redis,
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Readiness under the API prefix: the same report as `GET /ready`.
#[utoipa::path(get, path = "/api/v1/health/ready", tag = "health",
    responses(
        (status = 200, description = "Ready", body = ReadinessReport),
        (status = 503, description = "Database unreachable", body = ReadinessReport),
    ))]
pub async fn api_readiness(state: web::Data<ApiState>) -> HttpResponse {
    readiness(state).await
}

/// `{"status":"healthy","message":"Service is running"}`.
#[utoipa::path(get, path = "/api/v1/health/health", tag = "health",
    responses((status = 200, description = "Running")))]
pub async fn api_health() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "healthy", "message": "Service is running"}))
}

/// Database connectivity: 503 when unreachable.
#[utoipa::path(get, path = "/api/v1/health/health/db", tag = "health",
    responses(
        (status = 200, description = "Connected"),
        (status = 503, description = "Unreachable", body = ErrorBody),
    ))]
pub async fn api_health_db(state: web::Data<ApiState>) -> HttpResponse {
    match check(state.readiness.database.as_ref()).await {
        "unavailable" => HttpResponse::ServiceUnavailable().json(ErrorBody {
            detail: "Database connection failed".into(),
            code: ErrorCode::ServiceUnavailable,
            field: None,
        }),
        "not_configured" => HttpResponse::Ok().json(json!({
            "status": "healthy", "database": "in-memory",
            "message": "Running on the embedded in-memory store"})),
        _ => HttpResponse::Ok().json(json!({
            "status": "healthy", "database": "connected",
            "message": "Database connection is working"})),
    }
}

/// Database state with pool figures. Errors are reported in the body with 200, as the original.
#[utoipa::path(get, path = "/api/v1/health/health/detailed", tag = "health",
    responses((status = 200, description = "Details")))]
pub async fn api_health_detailed(state: web::Data<ApiState>) -> HttpResponse {
    let db = check(state.readiness.database.as_ref()).await;
    let connected = db != "unavailable";
    HttpResponse::Ok().json(json!({
        "status": if connected { "healthy" } else { "unhealthy" },
        "database": {"connected": connected, "store": state.settings.store_kind},
        "redis": check(state.readiness.cache.as_ref()).await,
        "message": if connected { "All systems operational" } else { "Database connection failed" },
    }))
}

/// Store kind and pool figures (no host names or credentials).
#[utoipa::path(get, path = "/db-info", tag = "health",
    responses((status = 200, description = "Database info")))]
pub async fn db_info(state: web::Data<ApiState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"database": state.settings.store_kind}))
}

/// Cache reachability (no host names or credentials).
#[utoipa::path(get, path = "/cache-status", tag = "health",
    responses((status = 200, description = "Cache status")))]
pub async fn cache_status(state: web::Data<ApiState>) -> HttpResponse {
    HttpResponse::Ok()
        .json(json!({"cache": {"status": check(state.readiness.cache.as_ref()).await}}))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus metrics", content_type = "text/plain")))]
pub async fn metrics(state: web::Data<ApiState>) -> HttpResponse {
    match state.metrics.render() {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4")
            .body(text),
        Err(e) => {
            tracing::error!(error = %e, "metrics rendering failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}
