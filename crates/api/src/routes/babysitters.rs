//! `/api/v1/babysitters/*` (spec 1.10, 2.9; contract 2.7 K1-K4). Sitters are shared rows linked
//! to families: a family sees and edits only the sitters linked to it, and DELETE removes only
//! its link. A sitter not linked to the caller's family answers 404 (the original's DELETE
//! always answered 200).

use actix_web::{web, HttpResponse};
use calndr_domain::{Babysitter, BabysitterDraft, BabysitterId, Rate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::routes::people::{created_stamp, Person, StatusMessage};
use crate::state::ApiState;

/// A babysitter as the app decodes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BabysitterResponse {
    pub id: i32,
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    /// Hourly rate; null when none (a stored 0 is none).
    pub rate: Option<f64>,
    pub notes: Option<String>,
    pub created_by_user_id: String,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub created_at: String,
}

impl From<&Babysitter> for BabysitterResponse {
    fn from(b: &Babysitter) -> Self {
        Self {
            id: b.id.get(),
            first_name: b.first_name.as_str().to_owned(),
            last_name: b.last_name.as_str().to_owned(),
            phone_number: b.phone_number.as_str().to_owned(),
            rate: b.rate.map(|r| r.as_f64()),
            notes: b.notes.as_ref().map(|n| n.as_str().to_owned()),
            created_by_user_id: b.created_by.to_string(),
            created_at: created_stamp(b.created_at),
        }
    }
}

/// `POST` and `PUT` body (PUT replaces all five values).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BabysitterRequest {
    #[schema(schema_with = lim::person_name)]
    pub first_name: String,
    #[schema(schema_with = lim::person_name)]
    pub last_name: String,
    /// At most 20 characters.
    #[schema(schema_with = lim::contact_phone)]
    pub phone_number: String,
    /// 0 to 9999.99; 0 means none.
    #[schema(schema_with = lim::rate)]
    pub rate: Option<f64>,
    #[schema(schema_with = lim::notes)]
    pub notes: Option<String>,
}

fn draft(b: &BabysitterRequest) -> ApiResult<BabysitterDraft> {
    let p = Person::parse(
        &b.first_name,
        &b.last_name,
        &b.phone_number,
        b.notes.as_deref(),
    )?;
    Ok(BabysitterDraft {
        first_name: p.first_name,
        last_name: p.last_name,
        phone_number: p.phone_number,
        rate: b.rate.map(Rate::parse).transpose()?.flatten(),
        notes: p.notes,
    })
}

fn sitter_id(raw: &str) -> ApiResult<BabysitterId> {
    Ok(BabysitterId::parse(raw, "babysitter_id")?)
}

/// The family's babysitters by name.
#[utoipa::path(get, path = "/api/v1/babysitters", tag = "babysitters",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Babysitters", body = [BabysitterResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn list(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let sitters = state.circle.babysitters(&user.0).await?;
    let out: Vec<BabysitterResponse> = sitters.iter().map(BabysitterResponse::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Add a babysitter, linked to the family.
#[utoipa::path(post, path = "/api/v1/babysitters", tag = "babysitters",
    security(("bearer" = [])),
    request_body = BabysitterRequest,
    responses(
        (status = 200, description = "Created", body = BabysitterResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<BabysitterRequest>,
) -> ApiResult<HttpResponse> {
    let b = state
        .circle
        .create_babysitter(&user.0, draft(&body)?)
        .await?;
    Ok(HttpResponse::Ok().json(BabysitterResponse::from(&b)))
}

/// Replace a linked babysitter's values.
#[utoipa::path(put, path = "/api/v1/babysitters/{babysitter_id}", tag = "babysitters",
    security(("bearer" = [])),
    params(("babysitter_id" = i32, Path)),
    request_body = BabysitterRequest,
    responses(
        (status = 200, description = "Updated", body = BabysitterResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such babysitter in the family", body = ErrorBody),
        (status = 422, description = "Invalid id or field", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<BabysitterRequest>,
) -> ApiResult<HttpResponse> {
    let id = sitter_id(&path)?;
    let b = state
        .circle
        .update_babysitter(&user.0, id, draft(&body)?)
        .await?;
    Ok(HttpResponse::Ok().json(BabysitterResponse::from(&b)))
}

/// Remove a babysitter from the family (other families keep theirs). Exactly 200.
#[utoipa::path(delete, path = "/api/v1/babysitters/{babysitter_id}", tag = "babysitters",
    security(("bearer" = [])),
    params(("babysitter_id" = i32, Path)),
    responses(
        (status = 200, description = "Removed", body = StatusMessage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such babysitter in the family", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state
        .circle
        .remove_babysitter(&user.0, sitter_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(StatusMessage::success("Babysitter removed from family")))
}
