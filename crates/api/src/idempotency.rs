//! `Idempotency-Key` on the creating POSTs: one middleware, wrapped around each creating route
//! where it is registered ([`idempotent`] for signed-in routes, [`idempotent_registration`] for
//! sign-up), so the handlers stay as they are.
//!
//! With the header, the request is fingerprinted (method, path, query and body, under an
//! HMAC-SHA-256 keyed with a secret of the server: [`FingerprintKey`])
//! and handed to [`calndr_app::IdempotencyService`]: the first request with a key runs and its
//! answer is kept for 24 hours; the same request again gets that answer (status and body, plus
//! `Idempotent-Replayed: true`) and creates nothing; a different request under the key answers
//! 422 `idempotency_key_reused`; a second request while the first still runs waits up to 2 s for
//! its answer, then answers 409 `idempotency_key_in_use`. Keys are scoped per user; sign-up,
//! which has no user yet, scopes them by a keyed digest of the normalised e-mail address of the
//! body. Keyed, because a sign-up body holds a password and an e-mail address: an unkeyed digest
//! kept for 24 hours could be tested against guesses by anyone who reads the table or a backup.
//! Without the header nothing changes.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage as _, HttpResponse, ResponseError as _};
use calndr_app::{Begin, IdempotencyService};
use calndr_domain::{IdempotencyKey, IdempotencyScope, StoredResponse, UserId};
use futures_util::StreamExt as _;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Required};

use crate::error::{ApiError, ErrorCode};
pub use crate::fingerprint::{fingerprint, FingerprintKey};
use crate::state::ApiState;

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The response header on a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";

/// Every route wrapped by [`idempotent`] or [`idempotent_registration`] (paths without the
/// trailing slash). The OpenAPI document lists the header and its answers on exactly these
/// POST operations; a test sends a bad key to each and checks the document against this list.
pub const ROUTES: &[&str] = &[
    "/api/v1/auth/register",
    "/api/v1/auth/register-with-family",
    "/api/v1/events",
    "/api/v1/custody",
    "/api/v1/custody/bulk",
    "/api/v1/reminders",
    "/api/v1/journal",
    "/api/v1/notifications/emails",
    "/api/v1/children",
    "/api/v1/babysitters",
    "/api/v1/emergency-contacts",
    "/api/v1/medications",
    "/api/v1/themes",
    "/api/v1/daycare-providers",
    "/api/v1/school-providers",
    "/api/v1/medical-providers",
    "/api/v1/schedule-templates",
];

#[derive(Clone, Copy)]
enum Scoping {
    User,
    Registration,
}

/// For signed-in creating routes: keys are the caller's. A request whose token does not
/// authenticate passes through untouched (the handler answers 401).
pub async fn idempotent(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    run(Scoping::User, req, next).await
}

/// For sign-up: keys are scoped by the e-mail address the body registers.
pub async fn idempotent_registration(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    run(Scoping::Registration, req, next).await
}

fn refuse(req: ServiceRequest, e: &ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(e.error_response())
}

/// Reads the whole body (at most the JSON limit) and puts it back for the handler.
async fn buffer_body(req: &mut ServiceRequest) -> Result<web::Bytes, ApiError> {
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|_| ApiError::new(ErrorCode::MalformedBody, "The body cannot be read"))?;
        if body.len() + chunk.len() > crate::JSON_LIMIT {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                "The body is larger than the limit",
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    req.set_payload(actix_web::dev::Payload::from(body.clone()));
    Ok(body)
}

/// The registration scope: a keyed digest of the body's `email`, trimmed and lower-cased (the
/// body is the handler's to refuse; one without an address gets the empty address's scope).
fn registration_scope(key: &FingerprintKey, body: &[u8]) -> IdempotencyScope {
    let email = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("email").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_default();
    IdempotencyScope::registration(
        &key.digest(&[b"email\n", email.trim().to_lowercase().as_bytes()]),
    )
}

async fn user_scope(req: &ServiceRequest, state: &ApiState) -> Option<IdempotencyScope> {
    let token = crate::extract::bearer(req.request())?;
    let principal = state.accounts.auth().authenticate(&token).await.ok()?;
    Some(IdempotencyScope::user(principal.user_id))
}

/// The fields of an answer that are secrets (sign-up's bearer token): never kept in the key
/// store, whose rows anyone reading the database or a backup could see for 24 hours.
const SECRET_FIELDS: &[&str] = &["access_token"];

/// The answer as kept: a JSON object without its [`SECRET_FIELDS`]; `None` if it cannot be
/// written back (then it is not kept at all).
fn without_secrets(body: &[u8]) -> Option<Vec<u8>> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut map))
            if SECRET_FIELDS.iter().any(|f| map.contains_key(*f)) =>
        {
            for field in SECRET_FIELDS {
                map.remove(*field);
            }
            serde_json::to_vec(&map).ok()
        }
        _ => Some(body.to_vec()),
    }
}

/// A replayed sign-up gets a fresh token for the user it created, issued the way sign-up
/// issues one (the replay's body, password included, is the first one's, so it proves that
/// request). Other answers are replayed as kept.
async fn with_fresh_token(
    scoping: Scoping,
    state: &ApiState,
    mut answer: StoredResponse,
) -> Result<StoredResponse, ApiError> {
    if !matches!(scoping, Scoping::Registration) || !(200..300).contains(&answer.status) {
        return Ok(answer);
    }
    let Ok(serde_json::Value::Object(mut map)) =
        serde_json::from_slice::<serde_json::Value>(&answer.body)
    else {
        return Ok(answer);
    };
    let Some(user) = map.get("user_id").and_then(|u| u.as_str()) else {
        return Ok(answer);
    };
    let user = UserId::parse(user, "user_id")?;
    let token = state.accounts.reissue(user).await?;
    map.insert("access_token".to_owned(), token.token.into());
    answer.body = serde_json::to_vec(&map)
        .map_err(|_| ApiError::new(ErrorCode::InternalError, "Internal server error"))?;
    Ok(answer)
}

fn replay(answer: StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    if let Ok(ct) = HeaderValue::from_str(&answer.content_type) {
        res.insert_header((CONTENT_TYPE, ct));
    }
    res.insert_header((REPLAYED, "true"));
    res.body(answer.body)
}

async fn run(
    scoping: Scoping,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(raw) = req.headers().get(HEADER).cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = match raw.to_str().ok().map(IdempotencyKey::parse) {
        Some(Ok(key)) => key,
        Some(Err(v)) => {
            let e = ApiError::new(ErrorCode::IdempotencyKeyInvalid, v.to_string());
            return Ok(refuse(req, &e));
        }
        None => {
            let e = ApiError::new(
                ErrorCode::IdempotencyKeyInvalid,
                "Idempotency-Key: must be visible ASCII characters only",
            );
            return Ok(refuse(req, &e));
        }
    };
    let Some(state) = req.app_data::<web::Data<ApiState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let body = match buffer_body(&mut req).await {
        Ok(body) => body,
        Err(e) => return Ok(refuse(req, &e)),
    };
    let scope = match scoping {
        Scoping::Registration => registration_scope(&state.settings.fingerprint_key, &body),
        Scoping::User => match user_scope(&req, &state).await {
            Some(scope) => scope,
            None => return Ok(next.call(req).await?.map_into_boxed_body()),
        },
    };
    let fingerprint = fingerprint(
        &state.settings.fingerprint_key,
        req.method().as_str(),
        req.path(),
        req.query_string(),
        &body,
    );
    let service: &IdempotencyService = &state.idempotency;
    let claimed = match service.begin(scope, key, &fingerprint).await {
        Ok(Begin::Run(claimed)) => claimed,
        Ok(Begin::Replay(answer)) => {
            return Ok(match with_fresh_token(scoping, &state, answer).await {
                Ok(answer) => req.into_response(replay(answer)),
                Err(e) => refuse(req, &e),
            })
        }
        Ok(Begin::Reused) => {
            let e = ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was used for a different request",
            );
            return Ok(refuse(req, &e));
        }
        Ok(Begin::InUse) => {
            let mut e = ApiError::new(
                ErrorCode::IdempotencyKeyInUse,
                "A request with this Idempotency-Key is still running",
            );
            e.retry_after_secs = Some(1);
            return Ok(refuse(req, &e));
        }
        Err(e) => return Ok(refuse(req, &ApiError::from(e))),
    };
    let res = match next.call(req).await {
        Ok(res) => res,
        Err(e) => {
            service.abandon(claimed).await;
            return Err(e);
        }
    };
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = match to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            service.abandon(claimed).await;
            let e = ApiError::new(ErrorCode::InternalError, "Internal server error");
            return Ok(ServiceResponse::new(req, e.error_response()));
        }
    };
    let Some(kept) = without_secrets(&bytes) else {
        service.abandon(claimed).await;
        return Ok(ServiceResponse::new(
            req,
            head.set_body(BoxBody::new(bytes)),
        ));
    };
    let answer = StoredResponse {
        status: head.status().as_u16(),
        content_type: head
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned(),
        body: kept,
    };
    service.finish(claimed, &answer).await;
    Ok(ServiceResponse::new(
        req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

/// Documents the header and its answers on the POST operations of [`ROUTES`].
pub struct IdempotencyDoc;

use crate::openapi_strict::error_response;

/// The header parameter, once under `components/parameters`.
const PARAMETER: &str = "IdempotencyKey";

fn header_parameter() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: the same key with the same request within 24 hours answers \
             the first answer again (with `Idempotent-Replayed: true`) and creates nothing. \
             A replayed sign-up carries a fresh access token.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]{1,255}$")),
        ))
        .build()
}

/// The answers a keyed request can add to the operation's own.
const ANSWERS: &[(&str, &str)] = &[
    (
        "400",
        "`idempotency_key_invalid`: the key is not 1 to 255 visible ASCII characters",
    ),
    (
        "409",
        "`idempotency_key_in_use`: the same request is still running; retry shortly",
    ),
    (
        "413",
        "`payload_too_large`: a keyed request's body is over the 1 MiB limit",
    ),
    (
        "422",
        "`idempotency_key_reused`: the key was used for a different request",
    ),
    (
        "503",
        "`service_unavailable`: the key store cannot be reached; retry later",
    ),
];

/// A replayed sign-up whose account is gone since gets no fresh token.
const SIGN_UP_ANSWER: (&str, &str) = (
    "401",
    "`invalid_token`: a replayed sign-up whose account no longer exists",
);

fn document(op: &mut Operation, sign_up: bool) {
    op.parameters
        .get_or_insert_with(Vec::new)
        .push(RefOr::Ref(Ref::new(format!(
            "#/components/parameters/{PARAMETER}"
        ))));
    let extra = sign_up.then_some(&SIGN_UP_ANSWER);
    for (status, text) in ANSWERS.iter().chain(extra) {
        match op.responses.responses.get_mut(*status) {
            Some(RefOr::T(existing)) => {
                existing.description = format!("{}; or {text}", existing.description);
            }
            Some(RefOr::Ref(_)) => {}
            None => {
                op.responses
                    .responses
                    .insert((*status).to_owned(), error_response(text));
            }
        }
    }
}

impl utoipa::Modify for IdempotencyDoc {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let path = path.trim_end_matches('/');
            if ROUTES.contains(&path) {
                if let Some(op) = item.post.as_mut() {
                    document(op, path.starts_with("/api/v1/auth/"));
                }
            }
        }
        openapi
            .components
            .get_or_insert_with(Default::default)
            .parameters
            .insert(PARAMETER.to_owned(), RefOr::T(header_parameter()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unkeyed_sha256(bytes: &[u8]) -> String {
        use sha2::Digest as _;
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn fingerprints_are_keyed_so_a_stored_one_cannot_be_tested_against_guesses() {
        let body = br#"{"email":"pat@example.com","password":"s3cret+pass&word"}"#;
        let ours = FingerprintKey::derive(b"server secret one");
        let theirs = FingerprintKey::derive(b"server secret two");
        let fp = fingerprint(&ours, "POST", "/api/v1/auth/register", "", body);
        assert_eq!(
            fp,
            fingerprint(&ours, "POST", "/api/v1/auth/register", "", body),
            "the same request under the same key is the same"
        );
        assert_ne!(
            fp,
            fingerprint(&theirs, "POST", "/api/v1/auth/register", "", body)
        );
        assert_ne!(
            fp,
            fingerprint(&ours, "POST", "/api/v1/auth/register", "", b"{}")
        );
        assert_ne!(fp, unkeyed_sha256(body));
        let scope = registration_scope(&ours, body);
        let plain = IdempotencyScope::registration(&unkeyed_sha256(b"pat@example.com"));
        assert_ne!(scope, plain, "the sign-up scope is keyed too");
        assert_eq!(
            scope,
            registration_scope(&ours, br#"{"email":" PAT@example.com "}"#),
            "the address is normalised before it is digested"
        );
    }
}
