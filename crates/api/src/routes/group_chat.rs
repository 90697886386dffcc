//! `POST /api/v1/group-chat` (spec 1.12; contract 2.7 K9).

use actix_web::{web, HttpResponse};
use calndr_domain::ContactType;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::py_timestamp;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::state::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct GroupChatRequest {
    /// `babysitter` or `emergency`.
    #[schema(schema_with = lim::contact_type)]
    pub contact_type: String,
    /// A babysitter linked to the family, or an emergency contact of the family.
    #[schema(schema_with = lim::contact_id)]
    #[serde(deserialize_with = "crate::whole_number::i32")]
    pub contact_id: i32,
    /// Ignored (the server mints identifiers).
    pub group_identifier: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupChatResponse {
    /// 16 lower-case hex characters, stable per (family, contact).
    pub group_identifier: String,
    /// True when the chat existed before this call.
    pub exists: bool,
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC.
    pub created_at: String,
}

/// Get or create the family's chat with a contact (one per family and contact, also under
/// concurrent calls).
#[utoipa::path(post, path = "/api/v1/group-chat", tag = "group-chat",
    security(("bearer" = [])),
    request_body = GroupChatRequest,
    responses(
        (status = 200, description = "The chat", body = GroupChatResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "The contact is not the family's", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn create_or_get(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<GroupChatRequest>,
) -> ApiResult<HttpResponse> {
    let contact_type = ContactType::parse(&body.contact_type)?;
    let (chat, existed) = state
        .group_chats
        .get_or_create(&user.0, contact_type, body.contact_id)
        .await?;
    Ok(HttpResponse::Ok().json(GroupChatResponse {
        group_identifier: chat.group_identifier,
        exists: existed,
        created_at: chat
            .created_at
            .map(py_timestamp)
            .unwrap_or_else(|| "None".to_owned()),
    }))
}
