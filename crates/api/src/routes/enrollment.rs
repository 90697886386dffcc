//! `/api/v1/enrollment/*` and `/api/v1/enrollment-flow/*` (spec 1.25, 1.26, 3.3; contract 2.2
//! V6-V9, 4.2). Keys are the app's: `enrollmentCode` and `familyId` in camelCase, everything
//! else snake_case.
//!
//! Fixed holes (spec 8.1): codes are drawn by a CSPRNG, expire, are spent once a new member
//! joined, and can be revoked with `DELETE /api/v1/enrollment/code`; checks are rate limited per
//! client and per account (429); invitations go out only for the caller's own family's code.

use actix_web::{web, HttpRequest, HttpResponse};
use calndr_app::InvitationRecipient;
use calndr_domain::enrollment::{
    parse_entered_code, COPARENT_PHONE_MAX, MAX_CHILDREN_PER_REQUEST, ONBOARDING_NAME_MAX,
};
use calndr_domain::{
    parse_date, CoparentDetails, EmailAddress, EnrollmentInvitation, NewChild, PersonName,
    PhoneNumber, ShortText,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{client_addr, parse_json_bytes, CurrentUser};
use crate::openapi_limits as lim;
use crate::state::ApiState;

/// Optional co-parent details of `create-code` (the app may send no body at all).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateCodeRequest {
    #[schema(schema_with = lim::person_name_blank)]
    pub coparent_first_name: Option<String>,
    #[schema(schema_with = lim::person_name_blank)]
    pub coparent_last_name: Option<String>,
    #[schema(schema_with = lim::email_opt)]
    pub coparent_email: Option<String>,
    #[schema(schema_with = lim::coparent_phone_opt)]
    pub coparent_phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentCodeResponse {
    pub success: bool,
    pub message: &'static str,
    /// Six characters from A-Z and 2-9 without O and I; `null` when invalid.
    #[serde(rename = "enrollmentCode")]
    pub enrollment_code: Option<String>,
    #[serde(rename = "familyId")]
    pub family_id: Option<String>,
    /// When the code stops working (ISO 8601, UTC); absent when invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ValidateCodeRequest {
    /// Exactly six letters or digits.
    #[schema(schema_with = lim::entered_code)]
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteRequest {
    #[schema(schema_with = lim::entered_code)]
    pub code: String,
    #[schema(schema_with = lim::person_name)]
    pub coparent_first_name: String,
    #[schema(schema_with = lim::person_name)]
    pub coparent_last_name: String,
    #[schema(schema_with = lim::email)]
    pub coparent_email: String,
    #[schema(schema_with = lim::coparent_phone_opt)]
    pub coparent_phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SendCodeEmailRequest {
    #[schema(schema_with = lim::email)]
    pub email: String,
    /// The recipient's name, shown in the greeting.
    #[schema(schema_with = lim::recipient_name)]
    pub name: String,
    #[schema(schema_with = lim::entered_code)]
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuccessResponse {
    pub success: bool,
    pub message: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedResponse {
    pub success: bool,
    pub message: &'static str,
    /// How many codes stopped working.
    pub revoked: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnboardingStatusResponse {
    pub enrolled: bool,
    pub coparent_enrolled: bool,
    pub coparent_invited: Option<bool>,
    /// `enrollment_options`, `coparent_info` or `complete`; `null` once enrolled.
    pub next_step: Option<&'static str>,
    pub family_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CoparentInfoRequest {
    /// 1-50 characters.
    #[schema(schema_with = lim::onboarding_name)]
    pub coparent_first_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChildInfo {
    /// 1-50 characters.
    #[schema(schema_with = lim::onboarding_name)]
    pub first_name: String,
    /// 1-50 characters.
    #[schema(schema_with = lim::onboarding_name)]
    pub last_name: String,
    /// `YYYY-MM-DD`, not in the future.
    #[schema(schema_with = lim::onboarding_dob)]
    pub date_of_birth: String,
}

/// The children-info body as documented: an array of 1 to [`MAX_CHILDREN_PER_REQUEST`]
/// [`ChildInfo`] (the handler reads a `Vec<ChildInfo>` and refuses other counts).
pub struct ChildInfoList;

impl utoipa::PartialSchema for ChildInfoList {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name("ChildInfo"))
            .min_items(Some(1))
            .max_items(Some(MAX_CHILDREN_PER_REQUEST))
            .into()
    }
}

impl ToSchema for ChildInfoList {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        schemas.push((
            "ChildInfo".to_owned(),
            <ChildInfo as utoipa::PartialSchema>::schema(),
        ));
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CustodyScheduleRequest {
    /// 1-50 characters (not stored, as in the original).
    #[schema(schema_with = lim::schedule_type)]
    pub schedule_type: String,
    /// Any JSON object (not stored).
    #[schema(value_type = Object)]
    pub schedule_details: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepResponse {
    pub success: bool,
    pub message: String,
    pub next_step: &'static str,
}

fn client(req: &HttpRequest, state: &ApiState) -> String {
    client_addr(req, state.settings.trust_forwarded_for)
}

fn optional_name(raw: Option<&str>, field: &'static str) -> ApiResult<Option<PersonName>> {
    Ok(raw
        .filter(|s| !s.trim().is_empty())
        .map(|s| PersonName::parse(s, field))
        .transpose()?)
}

fn coparent_phone(raw: Option<&str>) -> ApiResult<Option<PhoneNumber>> {
    let Some(p) = raw.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    if p.chars().count() > COPARENT_PHONE_MAX {
        return Err(ApiError::validation(
            "coparent_phone",
            format!("must be at most {COPARENT_PHONE_MAX} characters"),
        ));
    }
    Ok(Some(PhoneNumber::parse(p, "coparent_phone")?))
}

fn email(raw: &str, field: &'static str) -> ApiResult<EmailAddress> {
    Ok(EmailAddress::parse(raw).map_err(|e| e.for_field(field))?)
}

fn code_response(c: &EnrollmentInvitation, message: &'static str) -> EnrollmentCodeResponse {
    EnrollmentCodeResponse {
        success: true,
        message,
        enrollment_code: Some(c.code.as_str().to_owned()),
        family_id: Some(c.family_id.to_string()),
        expires_at: c
            .expires_at
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
    }
}

/// The family's enrollment code (reused while usable, else a new one). Sets `coparent_invited`.
#[utoipa::path(post, path = "/api/v1/enrollment/create-code", tag = "enrollment",
    security(("bearer" = [])),
    request_body(content = CreateCodeRequest, description = "Optional; may be empty (not `null`)"),
    responses(
        (status = 200, description = "The code", body = EnrollmentCodeResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn create_code(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let b: CreateCodeRequest = parse_json_bytes(&body)?;
    let coparent = CoparentDetails {
        first_name: optional_name(b.coparent_first_name.as_deref(), "coparent_first_name")?,
        last_name: optional_name(b.coparent_last_name.as_deref(), "coparent_last_name")?,
        email: b
            .coparent_email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(|e| email(e, "coparent_email"))
            .transpose()?,
        phone: coparent_phone(b.coparent_phone.as_deref())?,
    };
    let code = state.enrollment.create_code(&user.0, coparent).await?;
    Ok(HttpResponse::Ok().json(code_response(&code, "Enrollment code created successfully")))
}

/// Whether a code is usable. An invalid code (unknown, expired, revoked, spent) answers
/// `success: false`, all alike.
#[utoipa::path(post, path = "/api/v1/enrollment/validate-code", tag = "enrollment",
    security(("bearer" = [])),
    request_body = ValidateCodeRequest,
    responses(
        (status = 200, description = "Valid or not", body = EnrollmentCodeResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Not six letters or digits", body = ErrorBody),
        (status = 429, description = "Too many checks", body = ErrorBody),
    ))]
pub async fn validate_code(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<ValidateCodeRequest>,
) -> ApiResult<HttpResponse> {
    let code = parse_entered_code(&body.code, "code")?;
    let family = state
        .enrollment
        .validate_code(&user.0, &code, &client(&req, &state))
        .await?;
    Ok(HttpResponse::Ok().json(match family {
        Some(f) => EnrollmentCodeResponse {
            success: true,
            message: "Valid enrollment code",
            enrollment_code: Some(code.as_str().to_owned()),
            family_id: Some(f.to_string()),
            expires_at: None,
        },
        None => EnrollmentCodeResponse {
            success: false,
            message: "Invalid enrollment code",
            enrollment_code: None,
            family_id: None,
            expires_at: None,
        },
    }))
}

/// E-mail the family's own code to the co-parent and record the co-parent's details.
#[utoipa::path(post, path = "/api/v1/enrollment/invite", tag = "enrollment",
    security(("bearer" = [])),
    request_body = InviteRequest,
    responses(
        (status = 200, description = "Sent", body = SuccessResponse),
        (status = 400, description = "Not a usable code of the caller's family", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 429, description = "Too many invitations", body = ErrorBody),
        (status = 503, description = "E-mail delivery unavailable", body = ErrorBody),
    ))]
pub async fn invite(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<InviteRequest>,
) -> ApiResult<HttpResponse> {
    let code = parse_entered_code(&body.code, "code")?;
    let first = PersonName::parse(&body.coparent_first_name, "coparent_first_name")?;
    let last = PersonName::parse(&body.coparent_last_name, "coparent_last_name")?;
    let to = email(&body.coparent_email, "coparent_email")?;
    let name = format!("{} {}", first.as_str(), last.as_str());
    let coparent = CoparentDetails {
        first_name: Some(first),
        last_name: Some(last),
        email: Some(to.clone()),
        phone: coparent_phone(body.coparent_phone.as_deref())?,
    };
    let recipient = InvitationRecipient {
        email: to,
        name: ShortText::from_stored(name),
    };
    state
        .enrollment
        .send_invitation(&user.0, &code, recipient, coparent)
        .await?;
    Ok(HttpResponse::Ok().json(SuccessResponse {
        success: true,
        message: "Enrollment invitation sent successfully",
    }))
}

/// E-mail the family's own code to `email`, greeting `name`.
#[utoipa::path(post, path = "/api/v1/enrollment/send-code-email", tag = "enrollment",
    security(("bearer" = [])),
    request_body = SendCodeEmailRequest,
    responses(
        (status = 200, description = "Sent", body = SuccessResponse),
        (status = 400, description = "Not a usable code of the caller's family", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 429, description = "Too many invitations", body = ErrorBody),
        (status = 503, description = "E-mail delivery unavailable", body = ErrorBody),
    ))]
pub async fn send_code_email(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<SendCodeEmailRequest>,
) -> ApiResult<HttpResponse> {
    let code = parse_entered_code(&body.code, "code")?;
    let recipient = InvitationRecipient {
        email: email(&body.email, "email")?,
        name: ShortText::parse(&body.name, "name", PersonName::MAX * 2 + 1)?,
    };
    state
        .enrollment
        .send_invitation(&user.0, &code, recipient, CoparentDetails::default())
        .await?;
    Ok(HttpResponse::Ok().json(SuccessResponse {
        success: true,
        message: "Enrollment code email sent successfully",
    }))
}

/// Revoke the family's enrollment code: it stops working at once (a new `create-code` makes a
/// fresh one). 404 when the family has no usable code.
#[utoipa::path(delete, path = "/api/v1/enrollment/code", tag = "enrollment",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Revoked", body = RevokedResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No usable code", body = ErrorBody),
    ))]
pub async fn revoke_code(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let revoked = state.enrollment.revoke(&user.0).await?;
    Ok(HttpResponse::Ok().json(RevokedResponse {
        success: true,
        message: "Enrollment code revoked",
        revoked,
    }))
}

/// Where the caller is in onboarding.
#[utoipa::path(get, path = "/api/v1/enrollment-flow/status", tag = "enrollment",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Status", body = OnboardingStatusResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn flow_status(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let s = state.enrollment.status(&user.0).await?;
    Ok(HttpResponse::Ok().json(OnboardingStatusResponse {
        enrolled: s.enrolled,
        coparent_enrolled: s.coparent_enrolled,
        coparent_invited: s.coparent_invited,
        next_step: s.next_step.map(|n| n.as_str()),
        family_id: s.family_id.map(|f| f.to_string()),
    }))
}

/// Onboarding step: the co-parent's first name (checked, not stored, as in the original).
#[utoipa::path(post, path = "/api/v1/enrollment-flow/coparent-info", tag = "enrollment",
    security(("bearer" = [])),
    request_body = CoparentInfoRequest,
    responses(
        (status = 200, description = "Next step", body = StepResponse),
        (status = 400, description = "No family", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn flow_coparent_info(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<CoparentInfoRequest>,
) -> ApiResult<HttpResponse> {
    ShortText::parse(
        &body.coparent_first_name,
        "coparent_first_name",
        ONBOARDING_NAME_MAX,
    )?;
    state.enrollment.coparent_info(&user.0).await?;
    Ok(HttpResponse::Ok().json(StepResponse {
        success: true,
        message: "Coparent information saved successfully".into(),
        next_step: "children_info",
    }))
}

/// Onboarding step: the children, added in one transaction (all or none).
#[utoipa::path(post, path = "/api/v1/enrollment-flow/children-info", tag = "enrollment",
    security(("bearer" = [])),
    request_body = ChildInfoList,
    responses(
        (status = 200, description = "Added", body = StepResponse),
        (status = 400, description = "No family", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid child, none or more than 20", body = ErrorBody),
    ))]
pub async fn flow_children_info(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<Vec<ChildInfo>>,
) -> ApiResult<HttpResponse> {
    if body.is_empty() || body.len() > MAX_CHILDREN_PER_REQUEST {
        return Err(ApiError::validation(
            "body",
            format!("must list 1 to {MAX_CHILDREN_PER_REQUEST} children"),
        ));
    }
    let today = chrono::Utc::now().date_naive();
    let children = body
        .iter()
        .map(|c| {
            let dob = parse_date(&c.date_of_birth, "date_of_birth")?;
            NewChild::parse(&c.first_name, &c.last_name, dob, today)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let n = state.enrollment.children_info(&user.0, &children).await?;
    Ok(HttpResponse::Ok().json(StepResponse {
        success: true,
        message: format!("Added {n} child(ren) successfully"),
        next_step: "custody_schedule",
    }))
}

/// Onboarding step: the custody schedule choice (not stored); completes enrollment.
#[utoipa::path(post, path = "/api/v1/enrollment-flow/custody-schedule", tag = "enrollment",
    security(("bearer" = [])),
    request_body = CustodyScheduleRequest,
    responses(
        (status = 200, description = "Enrolled", body = StepResponse),
        (status = 400, description = "No family", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn flow_custody_schedule(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<CustodyScheduleRequest>,
) -> ApiResult<HttpResponse> {
    ShortText::parse(&body.schedule_type, "schedule_type", ONBOARDING_NAME_MAX)?;
    state.enrollment.custody_schedule(&user.0).await?;
    Ok(HttpResponse::Ok().json(StepResponse {
        success: true,
        message: "Enrollment completed successfully!".into(),
        next_step: "complete",
    }))
}

/// Finish onboarding: the caller is enrolled.
#[utoipa::path(post, path = "/api/v1/enrollment-flow/complete", tag = "enrollment",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Enrolled", body = StepResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn flow_complete(
    user: CurrentUser,
    state: web::Data<ApiState>,
) -> ApiResult<HttpResponse> {
    state.enrollment.complete(&user.0).await?;
    Ok(HttpResponse::Ok().json(StepResponse {
        success: true,
        message: "Welcome to your family calendar!".into(),
        next_step: "complete",
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/enrollment")
            .route("/create-code", web::post().to(create_code))
            .route("/validate-code", web::post().to(validate_code))
            .route("/invite", web::post().to(invite))
            .route("/send-code-email", web::post().to(send_code_email))
            .route("/code", web::delete().to(revoke_code)),
    )
    .service(
        web::scope("/api/v1/enrollment-flow")
            .route("/status", web::get().to(flow_status))
            .route("/coparent-info", web::post().to(flow_coparent_info))
            .route("/children-info", web::post().to(flow_children_info))
            .route("/custody-schedule", web::post().to(flow_custody_schedule))
            .route("/complete", web::post().to(flow_complete)),
    );
}
