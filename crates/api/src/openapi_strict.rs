//! Makes the OpenAPI document as strict as the server, in one place rather than per route.
//!
//! Every operation answers some statuses because of how it reads its request, not because of
//! what it does: a path id that does not parse is 422, a body that cannot be read is 400, and so
//! on. [`Strict`] adds those responses to every operation that has the input, and gives each path
//! parameter the schema its parser enforces (ids are positive `int32`, years 1900-2200, months
//! 1-12, dates `format: date`, UUIDs `format: uuid`). A route's own annotation still documents
//! what only it answers (404, 409, 429, ...) and keeps its own description when it already
//! lists a status.

use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Ref, RefOr, Required, ResponseBuilder, Schema};
use utoipa::Modify;

/// What a path parameter is, by name: the schema its parser enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathParam {
    /// A positive integer id that fits `i32` (`calndr_domain` `int_id!`).
    IntId,
    /// A hyphenated UUID, either case.
    Uuid,
    /// `YYYY-MM-DD`.
    Date,
    /// 1900-2200 (`YearMonth`).
    Year,
    /// 1-12.
    Month,
    /// -90 to 90 degrees.
    Latitude,
    /// -180 to 180 degrees.
    Longitude,
    /// An object key: any non-empty text.
    Key,
    /// One path item for two shapes (`/reminders/{date_or_id}`: `GET` a day, `PUT` and `DELETE`
    /// an id): each operation's annotation declares its own schema, kept as written.
    Declared,
}

/// The kind of every path parameter the API has; `None` for a name nobody classified (a test
/// fails on it, so a new route cannot ship a looser schema than its parser).
pub fn path_param(name: &str) -> Option<PathParam> {
    use PathParam as P;
    Some(match name {
        "year" => P::Year,
        "month" => P::Month,
        "date" | "custody_date" => P::Date,
        "latitude" => P::Latitude,
        "longitude" => P::Longitude,
        "key" => P::Key,
        "date_or_id" => P::Declared,
        "child_id" | "theme_id" | "target_user_id" => P::Uuid,
        "event_id" | "reminder_id" | "entry_id" | "email_id" | "custody_id" | "template_id"
        | "provider_id" | "babysitter_id" | "contact_id" | "medication_id" => P::IntId,
        _ => return None,
    })
}

impl PathParam {
    /// The schema, or `None` when the annotation's own stays.
    fn schema(self) -> Option<Schema> {
        let b = ObjectBuilder::new();
        let b = match self {
            Self::IntId => b
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(1))
                .maximum(Some(i32::MAX)),
            Self::Year => b
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(1900))
                .maximum(Some(2200)),
            Self::Month => b
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(1))
                .maximum(Some(12)),
            Self::Latitude => b
                .schema_type(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                .minimum(Some(-90.0))
                .maximum(Some(90.0)),
            Self::Longitude => b
                .schema_type(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                .minimum(Some(-180.0))
                .maximum(Some(180.0)),
            Self::Uuid => b
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
            Self::Date => b
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            Self::Key => b.schema_type(Type::String).min_length(Some(1)),
            Self::Declared => return None,
        };
        Some(Schema::Object(b.build()))
    }
}

/// The statuses an operation answers because of the input it reads.
fn implied_statuses(op: &Operation) -> Vec<(u16, &'static str)> {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| {
        params.iter().any(|p| match p {
            RefOr::T(p) => p.parameter_in == place,
            RefOr::Ref(_) => false,
        })
    };
    let mut out = Vec::new();
    let protected = op.security.as_ref().is_some_and(|s| !s.is_empty());
    if protected {
        out.push((401, "Not authenticated (`not_authenticated`)"));
    }
    if op.request_body.is_some() || has(ParameterIn::Query) {
        out.push((
            400,
            "The body or query string cannot be read (`malformed_body`)",
        ));
    }
    if op.request_body.is_some() {
        out.push((
            408,
            "The body did not arrive in time (`request_timeout`); the connection is closed",
        ));
        out.push((
            413,
            "The body is larger than the limit (`payload_too_large`)",
        ));
        out.push((
            415,
            "The body's Content-Type is not the one this route reads (`unsupported_media_type`)",
        ));
    }
    if op.request_body.is_some() || has(ParameterIn::Query) || has(ParameterIn::Path) {
        out.push((
            422,
            "A value is missing, malformed or out of range (`validation_failed`)",
        ));
    }
    // Every operation may meet an unreachable database or cache.
    out.push((
        503,
        "A dependency is unreachable (`service_unavailable`); retry later",
    ));
    out
}

pub(crate) fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .into()
}

/// Every 503 tells the client when to retry.
fn retry_after() -> RefOr<utoipa::openapi::header::Header> {
    utoipa::openapi::header::HeaderBuilder::new()
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
        ))
        .description(Some("Seconds to wait before retrying"))
        .build()
        .into()
}

fn tighten_path_params(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        let RefOr::T(Parameter {
            name,
            parameter_in: ParameterIn::Path,
            schema,
            ..
        }) = p
        else {
            continue;
        };
        if let Some(own) = path_param(name).and_then(PathParam::schema) {
            *schema = Some(RefOr::T(own));
        }
    }
}

/// Operations whose JSON body may be left out (the handler reads it with
/// [`parse_json_bytes`](crate::extract::parse_json_bytes): empty means defaults, `null` is refused).
const OPTIONAL_BODIES: [&str; 1] = ["/api/v1/enrollment/create-code"];

/// The modifier: statuses implied by the input, and path parameter schemas.
pub struct Strict;

impl Modify for Strict {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if OPTIONAL_BODIES.contains(&path.as_str()) {
                if let Some(RefOr::T(body)) =
                    item.post.as_mut().and_then(|op| op.request_body.as_mut())
                {
                    body.required = Some(Required::False);
                }
            }
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                tighten_path_params(op);
                for (status, description) in implied_statuses(op) {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_response(description));
                }
                if let Some(RefOr::T(unavailable)) = op.responses.responses.get_mut("503") {
                    unavailable
                        .headers
                        .entry("Retry-After".to_owned())
                        .or_insert_with(retry_after);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_parameter_of_the_document_has_a_known_kind() {
        use utoipa::OpenApi as _;
        let doc = crate::ApiDoc::openapi();
        for (path, item) in &doc.paths.paths {
            let ops = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
            for op in ops.into_iter().flatten() {
                for p in op.parameters.iter().flatten() {
                    if let RefOr::T(p) = p {
                        if p.parameter_in == ParameterIn::Path {
                            assert!(path_param(&p.name).is_some(), "{path}: {{{}}}", p.name);
                        }
                    }
                }
            }
        }
    }
}
