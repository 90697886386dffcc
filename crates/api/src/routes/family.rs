//! `/api/v1/family/*` (spec 1.4; contract 2.3 F1-F5).

use actix_web::{web, HttpResponse};
use calndr_app::family::Invitation;
use calndr_domain::{
    EmailAddress, FamilyMember, FamilySettings, FamilyTimeZone, PersonName, PhoneNumber, UserId,
};
use chrono::{NaiveDateTime, SecondsFormat};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{StatusMessageResponse, UserResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::state::ApiState;

/// ISO 8601 in UTC with milliseconds and `Z` (`2025-12-04T18:09:25.123Z`): the form the app
/// parses for `last_known_location_timestamp`.
pub fn iso_millis(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// One of the two custodians; element 0 is parent1, element 1 parent2.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodianResponse {
    /// A user id, or `"placeholder"` for a missing second parent.
    pub id: String,
    pub first_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyMemberResponse {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone_number: Option<String>,
    pub status: Option<String>,
    /// ISO 8601, UTC (`2025-12-04T18:09:25.123Z`).
    pub last_signed_in: Option<String>,
    /// `"lat,lon"`.
    pub last_known_location: Option<String>,
    /// ISO 8601 with fractional seconds and `Z`.
    pub last_known_location_timestamp: Option<String>,
}

impl From<&FamilyMember> for FamilyMemberResponse {
    fn from(m: &FamilyMember) -> Self {
        let u = &m.user;
        Self {
            id: u.id.to_string(),
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
            email: u.email.as_str().to_owned(),
            phone_number: u.phone_number.as_ref().map(|p| p.as_str().to_owned()),
            status: u.status.as_ref().map(|s| s.as_str().to_owned()),
            last_signed_in: u.last_signed_in.map(iso_millis),
            last_known_location: m.last_known_location.clone(),
            last_known_location_timestamp: m.last_known_location_at.map(iso_millis),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyEmailResponse {
    pub id: String,
    pub first_name: String,
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = FamilyInviteRequest)]
pub struct InviteRequest {
    #[schema(schema_with = lim::person_name)]
    pub first_name: String,
    #[schema(schema_with = lim::person_name)]
    pub last_name: String,
    #[schema(schema_with = lim::email)]
    pub email: String,
    #[schema(schema_with = lim::phone_opt)]
    pub phone_number: Option<String>,
}

/// The two custodians of the caller's family (the first two members by creation).
#[utoipa::path(get, path = "/api/v1/family/custodians", tag = "family",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Exactly two custodians", body = [CustodianResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn custodians(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let list = state.family.custodians(&user.0).await?;
    let body: Vec<CustodianResponse> = list
        .into_iter()
        .map(|c| CustodianResponse {
            id: c.id,
            first_name: c.first_name,
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// The family's settings as the app reads them.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilySettingsResponse {
    /// IANA time zone name; handoff times are local times in it. `UTC` until a member sets one.
    #[schema(schema_with = timezone_schema)]
    pub timezone: &'static str,
    /// The member who changed the settings last; `null` until someone does.
    #[schema(format = Uuid)]
    pub updated_by: Option<String>,
    /// When they were changed last (RFC 3339, UTC); `null` until someone does.
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
}

impl From<FamilySettings> for FamilySettingsResponse {
    fn from(s: FamilySettings) -> Self {
        Self {
            timezone: s.timezone.name(),
            updated_by: s.updated_by.map(|u| u.to_string()),
            updated_at: s
                .updated_at
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FamilySettingsRequest {
    /// IANA time zone name of the tz database, exactly as it spells it (`Europe/Paris`).
    #[schema(schema_with = timezone_schema)]
    pub timezone: String,
}

/// Every name of the tz database the server knows: the schema lists exactly what it accepts.
fn timezone_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(FamilyTimeZone::all_names()))
        .description(Some("An IANA time zone name of the tz database"))
        .build()
}

/// The family's settings: its time zone (handoff times are local times in it; `UTC` until a
/// member sets one) and which member changed them last.
#[utoipa::path(get, path = "/api/v1/family/settings", tag = "family",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The family's settings", body = FamilySettingsResponse),
        (status = 400, description = "`no_family`: the caller belongs to no family", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn settings(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let settings = state.family.settings(&user.0).await?;
    Ok(HttpResponse::Ok().json(FamilySettingsResponse::from(settings)))
}

/// Set the family's time zone. Every member may; the change is attributed to the caller
/// (`updated_by`) and every member sees it at once.
#[utoipa::path(put, path = "/api/v1/family/settings", tag = "family",
    security(("bearer" = [])),
    request_body = FamilySettingsRequest,
    responses(
        (status = 200, description = "The settings as stored", body = FamilySettingsResponse),
        (status = 400, description = "`no_family`: the caller belongs to no family", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "`timezone` is not a name of the tz database", body = ErrorBody),
    ))]
pub async fn set_settings(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<FamilySettingsRequest>,
) -> ApiResult<HttpResponse> {
    let timezone = FamilyTimeZone::parse(&body.timezone)?;
    let settings = state.family.set_timezone(&user.0, timezone).await?;
    Ok(HttpResponse::Ok().json(FamilySettingsResponse::from(settings)))
}

/// Leave the caller's family: the caller gets a new empty family of their own (as a fresh
/// registration would); the old family keeps its records and its other members, who stop seeing
/// the caller at once. Enrollment codes the caller created for the old family stop working.
/// Sign-in tokens stay valid and name the new family from the next request on.
#[utoipa::path(post, path = "/api/v1/family/leave", tag = "family",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Left; the caller is in a new family of their own"),
        (status = 400, description = "`no_family`: the caller belongs to no family", body = ErrorBody),
        (status = 409, description = "`conflict`: the caller is the family's only member (there is no one to leave)", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn leave(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    state.accounts.leave_family(&user.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every member of the caller's family.
#[utoipa::path(get, path = "/api/v1/family/members", tag = "family",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Members", body = [FamilyMemberResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn members(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let members = state.family.members(&user.0).await?;
    let body: Vec<FamilyMemberResponse> = members.iter().map(FamilyMemberResponse::from).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// The members' e-mail addresses, ordered by first name.
#[utoipa::path(get, path = "/api/v1/family/emails", tag = "family",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Addresses", body = [FamilyEmailResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn emails(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let members = state.family.by_first_name(&user.0).await?;
    let body: Vec<FamilyEmailResponse> = members
        .iter()
        .map(|m| FamilyEmailResponse {
            id: m.user.id.to_string(),
            first_name: m.user.first_name.as_str().to_owned(),
            email: m.user.email.as_str().to_owned(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Ask a member of the caller's family for their location (a silent push). Anyone outside the
/// family is 404, like an unknown id.
#[utoipa::path(post, path = "/api/v1/family/request-location/{target_user_id}", tag = "family",
    security(("bearer" = [])),
    params(("target_user_id" = String, Path, description = "A member's user id")),
    responses(
        (status = 200, description = "Sent", body = StatusMessageResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such member, or no registered device", body = ErrorBody),
        (status = 422, description = "Not a user id", body = ErrorBody),
        (status = 503, description = "Push delivery is not configured", body = ErrorBody),
    ))]
pub async fn request_location(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let target = UserId::parse(&path, "target_user_id")?;
    state.family.request_location(&user.0, target).await?;
    Ok(HttpResponse::Ok().json(StatusMessageResponse {
        status: "success",
        message: "Location request sent.",
    }))
}

/// The legacy invite: adds an invited member (no password; the app uses enrollment codes).
#[utoipa::path(post, path = "/api/v1/family/invite", tag = "family",
    security(("bearer" = [])),
    request_body = InviteRequest,
    responses(
        (status = 200, description = "Invited member", body = UserResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 409, description = "E-mail already registered", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn invite(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<InviteRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let phone = b
        .phone_number
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| PhoneNumber::parse(p, "phone_number"))
        .transpose()?;
    let inv = Invitation {
        first_name: PersonName::parse(&b.first_name, "first_name")?,
        last_name: PersonName::parse(&b.last_name, "last_name")?,
        email: EmailAddress::parse(&b.email).map_err(|e| e.for_field("email"))?,
        phone_number: phone,
    };
    let created = state.family.invite(&user.0, inv).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(&created)))
}

/// `/api/v1/family/*`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/family")
            .route("/invite", web::post().to(invite))
            .route("/leave", web::post().to(leave))
            .route("/settings", web::get().to(settings))
            .route("/settings", web::put().to(set_settings))
            .route("/custodians", web::get().to(custodians))
            .route("/emails", web::get().to(emails))
            .route("/members", web::get().to(members))
            .route(
                "/request-location/{target_user_id}",
                web::post().to(request_location),
            ),
    );
}
