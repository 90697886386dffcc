//! The answer when no route matched: 405 `method_not_allowed` with `Allow` when the path exists
//! with other methods, else 404 `route_not_found`.
//!
//! actix-web registers each `.route(path, web::get()...)` as its own guarded resource, so a wrong
//! method falls through to the app's default service like an unknown path. The methods of each
//! path are read from the OpenAPI document, which a test keeps equal to the registered routes,
//! plus the few routes the document leaves out. [`NormalizePath`](actix_web::middleware) trims a
//! trailing slash first, so both spellings answer the same.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::Method;
use actix_web::middleware::Next;
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

type Route = (ResourceDef, Vec<Method>);

/// Every path pattern with the methods it answers, bucketed by the first three segments of the
/// pattern (`api/v1/custody`), so a request is matched against the few patterns of its own
/// resource rather than all of them; patterns with a parameter among those segments are in
/// `any` and are always tried.
struct Routes {
    by_prefix: HashMap<String, Vec<Route>>,
    any: Vec<Route>,
}

/// The first up to three segments of a path or pattern.
fn prefix(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .take(3)
        .collect::<Vec<_>>()
        .join("/")
}

fn routes() -> &'static Routes {
    static ROUTES: OnceLock<Routes> = OnceLock::new();
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
        let mut routes = Routes {
            by_prefix: HashMap::new(),
            any: Vec::new(),
        };
        for (path, methods) in documented.chain(undocumented) {
            let key = prefix(&path);
            let route = (ResourceDef::new(path), methods);
            if key.contains('{') {
                routes.any.push(route);
            } else {
                routes.by_prefix.entry(key).or_default().push(route);
            }
        }
        routes
    })
}

fn trimmed(path: &str) -> String {
    match path.trim_end_matches('/') {
        "" => "/".to_owned(),
        p => p.to_owned(),
    }
}

/// Literal (non-parameter) segments of a pattern: the more, the more specific.
fn literal_segments(def: &ResourceDef) -> usize {
    def.pattern()
        .unwrap_or_default()
        .split('/')
        .filter(|s| !s.is_empty() && !s.contains('{'))
        .count()
}

/// The methods `path` answers, in a stable order; empty when no route has this path. When
/// several patterns match (`/custody/date/2025-01-01` also fits `/custody/{year}/{month}`), the
/// most specific ones win: the path means what its literal segments say.
pub fn allowed_methods(path: &str) -> Vec<Method> {
    let routes = routes();
    let own = routes.by_prefix.get(&prefix(path)).into_iter().flatten();
    let matching: Vec<&Route> = own
        .chain(&routes.any)
        .filter(|(def, _)| def.is_match(path))
        .collect();
    let best = matching
        .iter()
        .map(|(def, _)| literal_segments(def))
        .max()
        .unwrap_or_default();
    let mut allowed: Vec<Method> = Vec::new();
    for (def, methods) in matching {
        if literal_segments(def) == best {
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

/// Middleware: a method the path does not answer gets 405, also when routing read a literal
/// path (`/custody/bulk`) as another route's id (`PUT /custody/{custody_id}`).
pub async fn wrong_method(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody, impl MessageBody>>, actix_web::Error> {
    let res = next.call(req).await?;
    // A request routed to another pattern of its path (`PUT /custody/bulk` read as
    // `PUT /custody/{custody_id}`) always fails there: its literal segment is no valid id, date
    // or number, or its body (which the route reads before the id) is missing, too large or of
    // another type. So only such failures are checked, and a served request costs nothing here.
    if !matches!(
        res.status().as_u16(),
        400 | 401 | 404 | 405 | 413 | 415 | 422
    ) {
        return Ok(res.map_into_right_body());
    }
    let allowed = allowed_methods(res.request().path());
    if allowed.is_empty() || allowed.contains(res.request().method()) {
        return Ok(res.map_into_right_body());
    }
    let (req, _) = res.into_parts();
    Ok(ServiceResponse::new(req, method_not_allowed(&allowed)).map_into_left_body())
}

fn method_not_allowed(allowed: &[Method]) -> HttpResponse {
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

/// The app's default service.
pub async fn no_route(req: HttpRequest) -> HttpResponse {
    let allowed = allowed_methods(req.path());
    if allowed.is_empty() {
        return ApiError::new(ErrorCode::RouteNotFound, "Not Found").error_response();
    }
    method_not_allowed(&allowed)
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
        // `/custody/date/{d}` (PUT) also matches `/custody/{year}/{month}` (GET): the literal
        // `date` is more specific.
        assert_eq!(
            allowed_methods("/api/v1/custody/date/2025-01-01"),
            [Method::PUT]
        );
        assert_eq!(allowed_methods("/api/v1/custody/2025/07"), [Method::GET]);
        // `/custody/bulk` is not `PUT /custody/{custody_id}`.
        assert_eq!(allowed_methods("/api/v1/custody/bulk"), [Method::POST]);
        assert_eq!(allowed_methods("/api/v1/events/school"), [Method::GET]);
        assert_eq!(
            allowed_methods("/media/profile-photos/a.jpg"),
            [Method::GET]
        );
        assert!(allowed_methods("/api/v1/nothing-here").is_empty());
    }
}
