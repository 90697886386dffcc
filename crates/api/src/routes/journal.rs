//! `/api/v1/journal/*` (spec 1.20, 3.7; contract 2.10). Every family member reads every entry;
//! only the author edits or deletes: for anyone else the entry answers 404 `not_found`, exactly
//! like a missing id (nothing reveals that another member's entry exists under that id).

use actix_web::{web, HttpResponse};
use calndr_domain::{
    parse_date, BoundedText, JournalChanges, JournalEntry, JournalEntryId, JournalQuery,
    NewJournalEntry,
};
use chrono::{NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::openapi_limits as lim;
use crate::state::ApiState;

const TITLE_MAX: usize = calndr_domain::records::JOURNAL_TITLE_MAX;
const CONTENT_MAX: usize = calndr_domain::records::JOURNAL_CONTENT_MAX;

#[derive(Debug, Serialize, ToSchema)]
pub struct JournalEntryResponse {
    pub id: i32,
    pub family_id: String,
    pub user_id: String,
    pub title: Option<String>,
    pub content: String,
    /// `YYYY-MM-DD`.
    pub entry_date: String,
    /// `"<first> <last>"` of the author.
    pub author_name: String,
    /// ISO 8601 in UTC without fractional seconds: `2025-12-04T18:09:25Z`.
    pub created_at: String,
    /// ISO 8601 in UTC without fractional seconds.
    pub updated_at: String,
}

fn iso(t: Option<NaiveDateTime>, e: &JournalEntry) -> String {
    t.unwrap_or_else(|| e.entry_date.and_time(NaiveTime::MIN))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl From<&JournalEntry> for JournalEntryResponse {
    fn from(e: &JournalEntry) -> Self {
        Self {
            id: e.id.get(),
            family_id: e.family_id.to_string(),
            user_id: e.user_id.to_string(),
            title: e.title.as_ref().map(|t| t.as_str().to_owned()),
            content: e.content.as_str().to_owned(),
            entry_date: calndr_domain::dates::iso_date(e.entry_date),
            author_name: e.author_name.as_str().to_owned(),
            created_at: iso(e.created_at, e),
            updated_at: iso(e.updated_at, e),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct JournalListQuery {
    /// `YYYY-MM-DD`, inclusive.
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub end_date: Option<String>,
    /// 1-200, default 50.
    pub limit: Option<i64>,
}
crate::query_params!(JournalListQuery {
    start_date: optional date "`YYYY-MM-DD`, inclusive.",
    end_date: optional date "`YYYY-MM-DD`, inclusive; not before `start_date`.",
    limit: optional journal_limit "Default 50.",
});

#[derive(Debug, Deserialize, ToSchema)]
pub struct JournalCreateRequest {
    #[schema(schema_with = lim::journal_title)]
    pub title: Option<String>,
    #[schema(schema_with = lim::journal_content)]
    pub content: String,
    /// `YYYY-MM-DD`.
    #[schema(schema_with = lim::date)]
    pub entry_date: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct JournalUpdateRequest {
    #[schema(schema_with = lim::journal_title)]
    pub title: Option<String>,
    #[schema(schema_with = lim::journal_content_opt)]
    pub content: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(schema_with = lim::date_opt)]
    pub entry_date: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JournalDeletedResponse {
    pub message: &'static str,
}

fn title(raw: Option<&str>) -> ApiResult<Option<BoundedText>> {
    Ok(raw
        .filter(|t| !t.trim().is_empty())
        .map(|t| BoundedText::parse(t, "title", TITLE_MAX, false))
        .transpose()?)
}

fn entry_id(raw: &str) -> ApiResult<JournalEntryId> {
    Ok(JournalEntryId::parse(raw, "entry_id")?)
}

/// The family's entries, newest first.
#[utoipa::path(get, path = "/api/v1/journal/", tag = "journal",
    security(("bearer" = [])),
    params(JournalListQuery),
    responses(
        (status = 200, description = "Entries", body = [JournalEntryResponse]),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid date or limit", body = ErrorBody),
    ))]
pub async fn list(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<JournalListQuery>,
) -> ApiResult<HttpResponse> {
    let start = query
        .start_date
        .as_deref()
        .map(|d| parse_date(d, "start_date"))
        .transpose()?;
    let end = query
        .end_date
        .as_deref()
        .map(|d| parse_date(d, "end_date"))
        .transpose()?;
    let q = JournalQuery::new(start, end, query.limit)?;
    let entries = state.journal.list(&user.0, q).await?;
    let out: Vec<JournalEntryResponse> = entries.iter().map(JournalEntryResponse::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Write an entry (the caller is the author).
#[utoipa::path(post, path = "/api/v1/journal/", tag = "journal",
    security(("bearer" = [])),
    request_body = JournalCreateRequest,
    responses(
        (status = 200, description = "Created", body = JournalEntryResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn create(
    user: CurrentUser,
    state: web::Data<ApiState>,
    body: crate::json_body::Json<JournalCreateRequest>,
) -> ApiResult<HttpResponse> {
    let entry = NewJournalEntry {
        title: title(body.title.as_deref())?,
        content: BoundedText::parse(&body.content, "content", CONTENT_MAX, false)?,
        entry_date: parse_date(&body.entry_date, "entry_date")?,
    };
    let e = state.journal.create(&user.0, entry).await?;
    Ok(HttpResponse::Ok().json(JournalEntryResponse::from(&e)))
}

/// One entry of the family.
#[utoipa::path(get, path = "/api/v1/journal/{entry_id}", tag = "journal",
    security(("bearer" = [])),
    params(("entry_id" = i32, Path)),
    responses(
        (status = 200, description = "Entry", body = JournalEntryResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such entry in the family", body = ErrorBody),
    ))]
pub async fn get(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let e = state.journal.get(&user.0, entry_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(JournalEntryResponse::from(&e)))
}

/// Edit one's own entry; fields left out stay. 404 for another member's entry.
#[utoipa::path(put, path = "/api/v1/journal/{entry_id}", tag = "journal",
    security(("bearer" = [])),
    params(("entry_id" = i32, Path)),
    request_body = JournalUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = JournalEntryResponse),
        (status = 400, description = "No data provided for update", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such entry of the caller", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn update(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    body: crate::json_body::Json<JournalUpdateRequest>,
) -> ApiResult<HttpResponse> {
    let id = entry_id(&path)?;
    let changes = JournalChanges {
        title: title(body.title.as_deref())?,
        content: body
            .content
            .as_deref()
            .map(|c| BoundedText::parse(c, "content", CONTENT_MAX, false))
            .transpose()?,
        entry_date: body
            .entry_date
            .as_deref()
            .map(|d| parse_date(d, "entry_date"))
            .transpose()?,
    };
    let e = state.journal.update(&user.0, id, changes).await?;
    Ok(HttpResponse::Ok().json(JournalEntryResponse::from(&e)))
}

/// Delete one's own entry. 404 for another member's entry.
#[utoipa::path(delete, path = "/api/v1/journal/{entry_id}", tag = "journal",
    security(("bearer" = [])),
    params(("entry_id" = i32, Path)),
    responses(
        (status = 200, description = "Deleted", body = JournalDeletedResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such entry of the caller", body = ErrorBody),
    ))]
pub async fn delete(
    user: CurrentUser,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.journal.delete(&user.0, entry_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(JournalDeletedResponse {
        message: "Journal entry deleted successfully",
    }))
}
