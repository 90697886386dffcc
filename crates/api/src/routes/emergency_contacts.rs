//! `/api/v1/emergency-contacts/*` (spec 1.11, 2.10; contract 2.7 K5-K8). Another family's
//! contact answers 404 like a missing id (the original's DELETE always answered 200).

use actix_web::{web, HttpResponse};
use calndr_domain::circle::RELATIONSHIP_MAX;
use calndr_domain::{EmergencyContact, EmergencyContactDraft, EmergencyContactId, ShortText};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::routes::people::{created_stamp, Person, StatusMessage};
use crate::state::ApiState;

/// An emergency contact as the app decodes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmergencyContactResponse {
    pub id: i32,
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    pub relationship: Option<String>,
    pub notes: Option<String>,
    pub created_by_user_id: String,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub created_at: String,
}

impl From<&EmergencyContact> for EmergencyContactResponse {
    fn from(c: &EmergencyContact) -> Self {
        Self {
            id: c.id.get(),
            first_name: c.first_name.as_str().to_owned(),
            last_name: c.last_name.as_str().to_owned(),
            phone_number: c.phone_number.as_str().to_owned(),
            relationship: c.relationship.as_ref().map(|r| r.as_str().to_owned()),
            notes: c.notes.as_ref().map(|n| n.as_str().to_owned()),
            created_by_user_id: c.created_by.to_string(),
            created_at: created_stamp(c.created_at),
        }
    }
}

/// `POST` and `PUT` body (PUT replaces every value).
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmergencyContactRequest {
    #[schema(schema_with = lim::person_name)]
    pub first_name: String,
    #[schema(schema_with = lim::person_name)]
    pub last_name: String,
    /// At most 20 characters.
    #[schema(schema_with = lim::contact_phone)]
    pub phone_number: String,
    /// At most 100 characters.
    #[schema(schema_with = lim::relationship)]
    pub relationship: Option<String>,
    #[schema(schema_with = lim::notes)]
    pub notes: Option<String>,
}

fn draft(b: &EmergencyContactRequest) -> ApiResult<EmergencyContactDraft> {
    let p = Person::parse(
        &b.first_name,
        &b.last_name,
        &b.phone_number,
        b.notes.as_deref(),
    )?;
    let relationship = b
        .relationship
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(|r| ShortText::parse(r, "relationship", RELATIONSHIP_MAX))
        .transpose()?;
    Ok(EmergencyContactDraft {
        first_name: p.first_name,
        last_name: p.last_name,
        phone_number: p.phone_number,
        relationship,
        notes: p.notes,
    })
}

fn contact_id(raw: &str) -> ApiResult<EmergencyContactId> {
    Ok(EmergencyContactId::parse(raw, "contact_id")?)
}

/// The family's emergency contacts by name.
#[utoipa::path(get, path = "/api/v1/emergency-contacts", tag = "emergency-contacts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Contacts", body = [EmergencyContactResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn list(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let contacts = state.circle.emergency_contacts(&user.0).await?;
    let out: Vec<EmergencyContactResponse> = contacts
        .iter()
        .map(EmergencyContactResponse::from)
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Add an emergency contact to the family.
#[utoipa::path(post, path = "/api/v1/emergency-contacts", tag = "emergency-contacts",
    security(("bearer" = [])),
    request_body = EmergencyContactRequest,
    responses(
        (status = 200, description = "Created", body = EmergencyContactResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<EmergencyContactRequest>,
) -> ApiResult<HttpResponse> {
    let c = state
        .circle
        .create_emergency_contact(&user.0, draft(&body)?)
        .await?;
    Ok(HttpResponse::Ok().json(EmergencyContactResponse::from(&c)))
}

/// Replace an emergency contact's values.
#[utoipa::path(put, path = "/api/v1/emergency-contacts/{contact_id}", tag = "emergency-contacts",
    security(("bearer" = [])),
    params(("contact_id" = i32, Path)),
    request_body = EmergencyContactRequest,
    responses(
        (status = 200, description = "Updated", body = EmergencyContactResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such contact in the family", body = ErrorBody),
        (status = 422, description = "Invalid id or field", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<EmergencyContactRequest>,
) -> ApiResult<HttpResponse> {
    let id = contact_id(&path)?;
    let c = state
        .circle
        .update_emergency_contact(&user.0, id, draft(&body)?)
        .await?;
    Ok(HttpResponse::Ok().json(EmergencyContactResponse::from(&c)))
}

/// Delete an emergency contact. Exactly 200.
#[utoipa::path(delete, path = "/api/v1/emergency-contacts/{contact_id}", tag = "emergency-contacts",
    security(("bearer" = [])),
    params(("contact_id" = i32, Path)),
    responses(
        (status = 200, description = "Deleted", body = StatusMessage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such contact in the family", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state
        .circle
        .delete_emergency_contact(&user.0, contact_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(StatusMessage::success("Emergency contact deleted")))
}
