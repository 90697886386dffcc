//! `/api/v1/notifications/emails*` (spec 1.8; contract 2.6): the family's alert e-mail addresses.

use actix_web::{web, HttpResponse};
use calndr_domain::{EmailAddress, NotificationEmail, NotificationEmailId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationEmailResponse {
    pub id: i32,
    pub email: String,
}

impl From<&NotificationEmail> for NotificationEmailResponse {
    fn from(e: &NotificationEmail) -> Self {
        Self {
            id: e.id.get(),
            email: e.email.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NotificationEmailRequest {
    #[schema(schema_with = lim::email)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusResponse {
    pub status: &'static str,
}

fn email_id(raw: &str) -> ApiResult<NotificationEmailId> {
    Ok(NotificationEmailId::parse(raw, "email_id")?)
}

/// The family's alert addresses.
#[utoipa::path(get, path = "/api/v1/notifications/emails", tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Addresses", body = [NotificationEmailResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn list(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let all = state.notification_emails.list(&user.0).await?;
    let out: Vec<NotificationEmailResponse> =
        all.iter().map(NotificationEmailResponse::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Add an alert address (duplicates allowed).
#[utoipa::path(post, path = "/api/v1/notifications/emails", tag = "notifications",
    security(("bearer" = [])),
    request_body = NotificationEmailRequest,
    responses(
        (status = 200, description = "Added", body = NotificationEmailResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Not an e-mail address", body = ErrorBody),
    ))]
pub async fn add(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<NotificationEmailRequest>,
) -> ApiResult<HttpResponse> {
    let email = EmailAddress::parse(&body.email)?;
    let e = state.notification_emails.add(&user.0, email).await?;
    Ok(HttpResponse::Ok().json(NotificationEmailResponse::from(&e)))
}

/// Change an alert address.
#[utoipa::path(put, path = "/api/v1/notifications/emails/{email_id}", tag = "notifications",
    security(("bearer" = [])),
    params(("email_id" = i32, Path)),
    request_body = NotificationEmailRequest,
    responses(
        (status = 200, description = "Updated", body = StatusResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such address in the family", body = ErrorBody),
        (status = 422, description = "Not an e-mail address", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<NotificationEmailRequest>,
) -> ApiResult<HttpResponse> {
    let id = email_id(&path)?;
    let email = EmailAddress::parse(&body.email)?;
    state.notification_emails.update(&user.0, id, email).await?;
    Ok(HttpResponse::Ok().json(StatusResponse { status: "success" }))
}

/// Remove an alert address.
#[utoipa::path(delete, path = "/api/v1/notifications/emails/{email_id}", tag = "notifications",
    security(("bearer" = [])),
    params(("email_id" = i32, Path)),
    responses(
        (status = 200, description = "Deleted", body = StatusResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such address in the family", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state
        .notification_emails
        .delete(&user.0, email_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(StatusResponse { status: "success" }))
}
