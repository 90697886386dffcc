//! `/api/v1/medical-providers/*` (spec 1.22, 2.19, 3.10; contract 2.11 M1-M5): the family's
//! doctors and pharmacies, with the original's validators (phone normalised to
//! `(XXX) XXX-XXXX`, website scheme, coordinate ranges, rating 0-5) and a partial PUT.

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use calndr_domain::{
    BoundedText, EmailAddress, MedicalChanges, MedicalInput, MedicalProvider, MedicalProviderId,
    Place, ShortText, WebUrl,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::routes::providers::{iso_utc, text, ProviderSearchRequest};
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct MedicalProviderResponse {
    pub id: i32,
    pub family_id: String,
    pub name: String,
    pub specialty: Option<String>,
    pub address: Option<String>,
    /// `(XXX) XXX-XXXX`.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub zip_code: Option<String>,
    pub notes: Option<String>,
    pub google_place_id: Option<String>,
    pub rating: Option<f64>,
    pub created_by_user_id: String,
    /// ISO 8601 UTC, e.g. `2025-12-04T18:09:25Z`.
    pub created_at: String,
    /// ISO 8601 UTC.
    pub updated_at: String,
    /// Always null here (set by searches only).
    pub distance: Option<f64>,
}

impl From<&MedicalProvider> for MedicalProviderResponse {
    fn from(m: &MedicalProvider) -> Self {
        Self {
            id: m.id.get(),
            family_id: m.family_id.to_string(),
            name: m.name.as_str().to_owned(),
            specialty: text(&m.specialty, ShortText::as_str),
            address: text(&m.address, BoundedText::as_str),
            phone: text(&m.phone, ShortText::as_str),
            email: text(&m.email, EmailAddress::as_str),
            website: text(&m.website, WebUrl::as_str),
            latitude: m.latitude,
            longitude: m.longitude,
            zip_code: text(&m.zip_code, ShortText::as_str),
            notes: text(&m.notes, BoundedText::as_str),
            google_place_id: text(&m.google_place_id, ShortText::as_str),
            rating: m.rating.map(|r| r.get()),
            created_by_user_id: m.created_by.to_string(),
            created_at: iso_utc(m.created_at, m.updated_at),
            updated_at: iso_utc(m.updated_at, m.created_at),
            distance: None,
        }
    }
}

/// Body of POST (`name` required) and PUT (every key optional; only the keys given change).
#[derive(Debug, Deserialize, ToSchema)]
pub struct MedicalProviderRequest {
    /// 1-255 characters; required on create.
    #[schema(schema_with = lim::provider_name_opt)]
    pub name: Option<String>,
    /// At most 255 characters.
    #[schema(schema_with = lim::provider_short)]
    pub specialty: Option<String>,
    /// At most 1000 characters.
    #[schema(schema_with = lim::provider_address)]
    pub address: Option<String>,
    /// At least 10 digits (11 starting with 1); stored as `(XXX) XXX-XXXX`.
    #[schema(schema_with = lim::medical_phone_opt)]
    pub phone: Option<String>,
    #[schema(schema_with = lim::email_opt)]
    pub email: Option<String>,
    /// An http(s) URL (`https://` added when no scheme), at most 500 characters.
    #[schema(schema_with = lim::website)]
    pub website: Option<String>,
    /// -90 to 90.
    #[schema(schema_with = lim::latitude_opt)]
    pub latitude: Option<f64>,
    /// -180 to 180.
    #[schema(schema_with = lim::longitude_opt)]
    pub longitude: Option<f64>,
    /// At most 20 characters.
    #[schema(schema_with = lim::zip_code)]
    pub zip_code: Option<String>,
    /// At most 5000 characters.
    #[schema(schema_with = lim::provider_notes)]
    pub notes: Option<String>,
    /// At most 255 characters.
    #[schema(schema_with = lim::provider_short)]
    pub google_place_id: Option<String>,
    /// 0 to 5.
    #[schema(schema_with = lim::rating)]
    pub rating: Option<f64>,
}

/// The `POST` body as documented: [`MedicalProviderRequest`] with `name` required (the handler
/// reads a [`MedicalProviderRequest`] and the domain refuses a create without a name).
pub struct MedicalProviderCreate;

impl utoipa::PartialSchema for MedicalProviderCreate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder};
        let name = crate::openapi_limits::provider_name();
        AllOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name(
                "MedicalProviderRequest",
            ))
            .item(ObjectBuilder::new().property("name", name).required("name"))
            .into()
    }
}

impl ToSchema for MedicalProviderCreate {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        schemas.push((
            "MedicalProviderRequest".to_owned(),
            <MedicalProviderRequest as utoipa::PartialSchema>::schema(),
        ));
    }
}

impl MedicalProviderRequest {
    fn changes(&self) -> ApiResult<MedicalChanges> {
        Ok(MedicalChanges::parse(MedicalInput {
            name: self.name.as_deref(),
            specialty: self.specialty.as_deref(),
            address: self.address.as_deref(),
            phone: self.phone.as_deref(),
            email: self.email.as_deref(),
            website: self.website.as_deref(),
            latitude: self.latitude,
            longitude: self.longitude,
            zip_code: self.zip_code.as_deref(),
            notes: self.notes.as_deref(),
            google_place_id: self.google_place_id.as_deref(),
            rating: self.rating,
        })?)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MedicalDeletedResponse {
    pub message: &'static str,
}

/// Body of `POST /medical-providers/search`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MedicalSearchRequest {
    #[serde(flatten)]
    pub location: ProviderSearchRequest,
    /// Echoed in each result; narrows the search when `query` is absent.
    #[schema(schema_with = lim::search_specialty)]
    pub specialty: Option<String>,
    /// Free text such as "pharmacy" (at most 100 characters).
    #[schema(schema_with = lim::search_query)]
    pub query: Option<String>,
}

/// A place found by the medical search. `phoneNumber` and `placeId` are camelCase on purpose
/// (the app decodes these keys).
#[derive(Debug, Serialize, ToSchema)]
pub struct MedicalSearchResult {
    /// The place id.
    pub id: String,
    pub name: String,
    /// The request's `specialty`.
    pub specialty: Option<String>,
    /// Never null (`""` when unknown).
    pub address: String,
    #[serde(rename = "phoneNumber")]
    pub phone_number: Option<String>,
    pub website: Option<String>,
    pub rating: Option<f64>,
    #[serde(rename = "placeId")]
    pub place_id: Option<String>,
    /// Metres from the searched point (nearby searches).
    pub distance: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MedicalSearchResponse {
    pub results: Vec<MedicalSearchResult>,
    pub total: usize,
}

fn result(p: Place, specialty: Option<&ShortText>) -> MedicalSearchResult {
    MedicalSearchResult {
        id: p.place_id.clone(),
        name: p.name,
        specialty: specialty.map(|s| s.as_str().to_owned()),
        address: p.address.unwrap_or_default(),
        phone_number: p.phone_number,
        website: p.website,
        rating: p.rating,
        place_id: Some(p.place_id),
        distance: p.distance_m.map(f64::round),
    }
}

fn medical_id(raw: &str) -> ApiResult<MedicalProviderId> {
    Ok(MedicalProviderId::parse(raw, "provider_id")?)
}

/// The family's medical providers, by name.
#[utoipa::path(get, path = "/api/v1/medical-providers/", tag = "medical-providers",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Providers", body = [MedicalProviderResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ))]
pub async fn list(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let all = state.medical.list(&user.0).await?;
    let out: Vec<MedicalProviderResponse> = all.iter().map(MedicalProviderResponse::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Add a medical provider (`name` required).
#[utoipa::path(post, path = "/api/v1/medical-providers/", tag = "medical-providers",
    security(("bearer" = [])),
    request_body = MedicalProviderCreate,
    responses(
        (status = 200, description = "Created", body = MedicalProviderResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<MedicalProviderRequest>,
) -> ApiResult<HttpResponse> {
    let m = state.medical.create(&user.0, body.changes()?).await?;
    Ok(HttpResponse::Ok().json(MedicalProviderResponse::from(&m)))
}

/// One medical provider of the family.
#[utoipa::path(get, path = "/api/v1/medical-providers/{provider_id}", tag = "medical-providers",
    security(("bearer" = [])),
    params(("provider_id" = i32, Path)),
    responses(
        (status = 200, description = "Provider", body = MedicalProviderResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such provider in the family", body = ErrorBody),
    ))]
pub async fn get(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let m = state.medical.get(&user.0, medical_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(MedicalProviderResponse::from(&m)))
}

/// Change the fields given; the others stay.
#[utoipa::path(put, path = "/api/v1/medical-providers/{provider_id}", tag = "medical-providers",
    security(("bearer" = [])),
    params(("provider_id" = i32, Path)),
    request_body = MedicalProviderRequest,
    responses(
        (status = 200, description = "Updated", body = MedicalProviderResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such provider in the family", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<MedicalProviderRequest>,
) -> ApiResult<HttpResponse> {
    let id = medical_id(&path)?;
    let m = state.medical.update(&user.0, id, body.changes()?).await?;
    Ok(HttpResponse::Ok().json(MedicalProviderResponse::from(&m)))
}

/// Delete a medical provider of the family.
#[utoipa::path(delete, path = "/api/v1/medical-providers/{provider_id}", tag = "medical-providers",
    security(("bearer" = [])),
    params(("provider_id" = i32, Path)),
    responses(
        (status = 200, description = "Deleted", body = MedicalDeletedResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such provider in the family", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.medical.delete(&user.0, medical_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(MedicalDeletedResponse {
        message: "Medical provider deleted successfully",
    }))
}

/// Search doctors or pharmacies around a postal code or a point.
#[utoipa::path(post, path = "/api/v1/medical-providers/search", tag = "medical-providers",
    security(("bearer" = [])),
    request_body = MedicalSearchRequest,
    responses(
        (status = 200, description = "Places", body = MedicalSearchResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid location, radius or text", body = ErrorBody),
        (status = 503, description = "No place search configured (`provider_not_configured`) \
         or unreachable", body = ErrorBody),
    ))]
pub async fn search(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<MedicalSearchRequest>,
) -> ApiResult<HttpResponse> {
    let area = body.location.area()?;
    let specialty = calndr_domain::providers::optional_short(
        body.specialty.as_deref(),
        "specialty",
        calndr_domain::providers::SEARCH_TEXT_MAX,
    )?;
    let query = calndr_domain::providers::optional_short(
        body.query.as_deref(),
        "query",
        calndr_domain::providers::SEARCH_TEXT_MAX,
    )?;
    let keyword = query.or_else(|| specialty.clone());
    let places = state.medical.search(&user.0, area, keyword).await?;
    let results: Vec<MedicalSearchResult> = places
        .into_iter()
        .map(|p| result(p, specialty.as_ref()))
        .collect();
    Ok(HttpResponse::Ok().json(MedicalSearchResponse {
        total: results.len(),
        results,
    }))
}

/// Route table: `/search` before `/{provider_id}` (a POST to `/search` must not meet the id
/// resource, which has no POST and would answer 405).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/medical-providers")
            .route("", web::get().to(list))
            .route(
                "",
                web::post()
                    .to(create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/search", web::post().to(search))
            .route("/{provider_id}", web::get().to(get))
            .route("/{provider_id}", web::put().to(update))
            .route("/{provider_id}", web::delete().to(delete)),
    );
}
