//! Serves uploaded objects from the local-directory storage (with S3 the URLs point at S3).

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{web, HttpResponse};

use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::state::ApiState;

/// An uploaded object, e.g. a profile photo.
#[utoipa::path(get, path = "/media/{key}", tag = "media",
    params(("key" = String, Path, description = "Object key")),
    responses(
        (status = 200, description = "The object"),
        (status = 404, description = "No such object", body = ErrorBody),
    ))]
pub async fn get_media(
    state: web::Data<ApiState>,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = key.into_inner();
    let valid = !key.contains("..")
        && !key.starts_with('/')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c));
    let not_found = || ApiError::new(ErrorCode::NotFound, "Not found");
    if !valid {
        return Err(not_found());
    }
    let (bytes, content_type) = state.accounts.media(&key).await?.ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(CacheControl(vec![
            CacheDirective::Private,
            CacheDirective::MaxAge(86_400),
        ]))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(bytes))
}
