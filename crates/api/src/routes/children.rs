//! `/api/v1/children/*` (spec 1.13, 2.12; contract 2.3 F6-F9). Every member of the family reads
//! and writes the family's children; another family's child answers 404 like a missing id (the
//! original answered 500).

use actix_web::{web, HttpResponse};
use calndr_domain::{parse_date, Child, ChildDraft, ChildId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::routes::people::StatusMessage;
use crate::state::ApiState;

/// A child as the app decodes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildResponse {
    /// UUID, lower-case.
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    /// `YYYY-MM-DD`.
    pub dob: String,
    pub family_id: String,
}

impl From<&Child> for ChildResponse {
    fn from(c: &Child) -> Self {
        Self {
            id: c.id.to_string(),
            first_name: c.first_name.as_str().to_owned(),
            last_name: c.last_name.as_str().to_owned(),
            dob: calndr_domain::dates::iso_date(c.dob),
            family_id: c.family_id.to_string(),
        }
    }
}

/// `POST` and `PUT` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChildRequest {
    /// 1-100 characters.
    #[schema(schema_with = lim::person_name)]
    pub first_name: String,
    /// 1-100 characters.
    #[schema(schema_with = lim::person_name)]
    pub last_name: String,
    /// `YYYY-MM-DD`, from 1900-01-01 to today.
    #[schema(schema_with = lim::child_dob)]
    pub dob: String,
}

fn draft(body: &ChildRequest) -> ApiResult<ChildDraft> {
    let dob = parse_date(&body.dob, "dob")?;
    let today = calndr_app::CircleService::today();
    Ok(ChildDraft::new(
        &body.first_name,
        &body.last_name,
        dob,
        today,
    )?)
}

fn child_id(raw: &str) -> ApiResult<ChildId> {
    Ok(ChildId::parse(raw, "child_id")?)
}

/// The family's children, youngest first.
#[utoipa::path(get, path = "/api/v1/children/", tag = "children",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Children", body = [ChildResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn list(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let children = state.circle.children(&user.0).await?;
    let out: Vec<ChildResponse> = children.iter().map(ChildResponse::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Add a child to the family.
#[utoipa::path(post, path = "/api/v1/children/", tag = "children",
    security(("bearer" = [])),
    request_body = ChildRequest,
    responses(
        (status = 200, description = "Created", body = ChildResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid name or date", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<ChildRequest>,
) -> ApiResult<HttpResponse> {
    let c = state.circle.create_child(&user.0, draft(&body)?).await?;
    Ok(HttpResponse::Ok().json(ChildResponse::from(&c)))
}

/// Replace a child's names and date of birth.
#[utoipa::path(put, path = "/api/v1/children/{child_id}", tag = "children",
    security(("bearer" = [])),
    params(("child_id" = String, Path, description = "UUID")),
    request_body = ChildRequest,
    responses(
        (status = 200, description = "Updated", body = ChildResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such child in the family", body = ErrorBody),
        (status = 422, description = "Invalid id, name or date", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<ChildRequest>,
) -> ApiResult<HttpResponse> {
    let id = child_id(&path)?;
    let c = state
        .circle
        .update_child(&user.0, id, draft(&body)?)
        .await?;
    Ok(HttpResponse::Ok().json(ChildResponse::from(&c)))
}

/// Remove a child from the family (exactly 200, as the app requires).
#[utoipa::path(delete, path = "/api/v1/children/{child_id}", tag = "children",
    security(("bearer" = [])),
    params(("child_id" = String, Path, description = "UUID")),
    responses(
        (status = 200, description = "Deleted", body = StatusMessage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such child in the family", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.circle.delete_child(&user.0, child_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(StatusMessage::success("Child deleted successfully")))
}
