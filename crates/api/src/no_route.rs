//! The answer when no route matched: 405 `method_not_allowed` with `Allow` when the path exists
//! with other methods, else 404 `route_not_found`.
//!
//! actix-web registers each `.route(path, web::get()...)` as its own guarded resource, so a wrong
//! method falls through to the app's default service like an unknown path. The methods of each
//! path are read from the OpenAPI document, which a test keeps equal to the registered routes,
//! plus the few routes the document leaves out. [`NormalizePath`](actix_web::middleware) trims a
//! trailing slash first, so both spellings answer the same.

use std::sync::OnceLock;

use actix_web::dev::ResourceDef;
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use utoipa::OpenApi as _;

use crate::error::{ApiError, ErrorCode};
use crate::openapi::ApiDoc;

/// Routes served but not in the document: the document itself, the Swagger UI and the media
/// route's real pattern (its key spans segments).
const UNDOCUMENTED: [&str; 5] = [
    "/api/v1/openapi.json",
    "/api/v1/openapi-ui.json",
    "/api/v1/docs",
    "/api/v1/docs/{_:.*}",
    "/media/{key:.+}",
];

/// Every path pattern with the methods it answers.
fn routes() -> &'static [(ResourceDef, Vec<Method>)] {
    static ROUTES: OnceLock<Vec<(ResourceDef, Vec<Method>)>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let doc = ApiDoc::openapi();
        let documented = doc.paths.paths.iter().map(|(path, item)| {
            let methods = [
                (Method::GET, item.get.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::DELETE, item.delete.is_some()),
                (Method::PATCH, item.patch.is_some()),
            ];
            let methods = methods.into_iter().filter(|(_, on)| *on).map(|(m, _)| m);
            (trimmed(path), methods.collect())
        });
        let undocumented = UNDOCUMENTED
            .iter()
            .map(|p| ((*p).to_owned(), vec![Method::GET]));
        documented
            .chain(undocumented)
            .map(|(path, methods)| (ResourceDef::new(path), methods))
            .collect()
    })
}

fn trimmed(path: &str) -> String {
    match path.trim_end_matches('/') {
        "" => "/".to_owned(),
        p => p.to_owned(),
    }
}

/// The methods `path` answers, in a stable order; empty when no route has this path.
pub fn allowed_methods(path: &str) -> Vec<Method> {
    let mut allowed: Vec<Method> = Vec::new();
    for (def, methods) in routes() {
        if def.is_match(path) {
            for m in methods {
                if !allowed.contains(m) {
                    allowed.push(m.clone());
                }
            }
        }
    }
    let order = |m: &Method| {
        ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .iter()
            .position(|x| *x == m.as_str())
    };
    allowed.sort_by_key(order);
    allowed
}

/// The app's default service.
pub async fn no_route(req: HttpRequest) -> HttpResponse {
    let allowed = allowed_methods(req.path());
    if allowed.is_empty() {
        return ApiError::new(ErrorCode::RouteNotFound, "Not Found").error_response();
    }
    let allow = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let mut res = ApiError::new(ErrorCode::MethodNotAllowed, "Method Not Allowed").error_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        res.headers_mut().insert(ALLOW, value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_come_from_every_route_of_the_path() {
        assert_eq!(
            allowed_methods("/api/v1/users/profile"),
            [Method::GET, Method::PUT]
        );
        // `/custody/date/{d}` (PUT) also matches `/custody/{year}/{month}` (GET).
        assert_eq!(
            allowed_methods("/api/v1/custody/date/2025-01-01"),
            [Method::GET, Method::PUT]
        );
        assert_eq!(
            allowed_methods("/media/profile-photos/a.jpg"),
            [Method::GET]
        );
        assert!(allowed_methods("/api/v1/nothing-here").is_empty());
    }
}
