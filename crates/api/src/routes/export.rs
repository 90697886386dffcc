//! `GET /api/v1/users/me/export` (issue #14 item 3): the user's data as one JSON document,
//! streamed. The header (format, time, profile, preferences, members, sign-in providers) is
//! written first, then each section's array page by page: the server holds one page of rows
//! (at most `EXPORT_PAGE_ROWS`) and its serialized bytes at a time, however large the family.
//!
//! Each record has the shape its own route answers (`CustodyResponse`, `EventItem`, ...).
//! A storage failure after the first byte cannot change the status any more: the body then
//! ends with an error (the connection is cut before the chunked body's end), so a client never
//! takes a cut-off export for a complete one.

use std::collections::BTreeMap;

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;
use calndr_app::{AppError, Export, ExportChunk, ExportHead, ExportPages, ExportRows};
use calndr_domain::{export_file_name, ExportSection, MemberName, EXPORT_FORMAT};
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::dto::UserProfile;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::routes::babysitters::BabysitterResponse;
use crate::routes::children::ChildResponse;
use crate::routes::custody::CustodyResponse;
use crate::routes::emergency_contacts::EmergencyContactResponse;
use crate::routes::events::EventItem;
use crate::routes::journal::JournalEntryResponse;
use crate::routes::medical::MedicalProviderResponse;
use crate::routes::medications::MedicationResponse;
use crate::routes::notifications::NotificationEmailResponse;
use crate::routes::providers::ProviderResponse;
use crate::routes::reminders::ReminderResponse;
use crate::routes::schedule_templates::TemplateResponse;
use crate::routes::themes::ThemeResponse;
use crate::state::ApiState;

/// A member of the family: names only.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportMember {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
}

impl From<&MemberName> for ExportMember {
    fn from(m: &MemberName) -> Self {
        Self {
            id: m.id.to_string(),
            first_name: m.first_name.as_str().to_owned(),
            last_name: m.last_name.as_str().to_owned(),
        }
    }
}

/// A sign-in identity: the provider only (never its subject or any token).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportIdentity {
    /// `apple`, `google` or `facebook`.
    pub provider: String,
}

/// The user's preferences and profile extras.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportPreferences {
    pub theme: Option<String>,
    pub selected_theme_id: Option<String>,
    /// Channel → on, e.g. `{"email": true, "push": true, "sms": false}`.
    pub notification_preferences: Option<BTreeMap<String, bool>>,
    pub bio: Option<String>,
}

/// The export document, in the order it is written. Each section is an array of the records
/// its own route answers; other members appear by name only.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportDocument {
    /// `calndr-export/1`.
    pub format: String,
    /// When the export began, `2025-12-04T18:09:25Z` (UTC).
    pub exported_at: String,
    pub profile: UserProfile,
    pub preferences: ExportPreferences,
    /// The family's members, the user included, names only.
    pub members: Vec<ExportMember>,
    /// The family's settings (its time zone and which member set it); `null` without a family.
    pub family_settings: Option<crate::routes::family::FamilySettingsResponse>,
    pub sign_in_identities: Vec<ExportIdentity>,
    pub custody: Vec<CustodyResponse>,
    pub events: Vec<EventItem>,
    pub reminders: Vec<ReminderResponse>,
    pub journal: Vec<JournalEntryResponse>,
    pub children: Vec<ChildResponse>,
    pub babysitters: Vec<BabysitterResponse>,
    pub emergency_contacts: Vec<EmergencyContactResponse>,
    pub medical_providers: Vec<MedicalProviderResponse>,
    pub medications: Vec<MedicationResponse>,
    pub schedule_templates: Vec<TemplateResponse>,
    pub daycare_providers: Vec<ProviderResponse>,
    pub school_providers: Vec<ProviderResponse>,
    /// The family's alert e-mail addresses.
    pub notification_emails: Vec<NotificationEmailResponse>,
    /// The colour themes the user made.
    pub themes: Vec<ThemeResponse>,
}

/// Export my data: everything I can see and everything about me, as one JSON document
/// (attachment `calndr-export-<date>.json`). Streamed: the server holds one page of rows at a
/// time. Other members appear by name only; sign-in identities by provider only. At most 5
/// exports per user per hour. A storage failure after the answer began cuts the body off (it
/// then is not valid JSON), never a complete-looking document.
#[utoipa::path(get, path = "/api/v1/users/me/export", tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document", body = ExportDocument,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"calndr-export-<YYYY-MM-DD>.json\"`"))),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 429, description = "More than 5 exports in an hour (`rate_limited`, `Retry-After`)", body = ErrorBody),
        (status = 503, description = "Storage unavailable before the answer began", body = ErrorBody),
    ))]
pub async fn export_me(user: CurrentUser, state: web::Data<ApiState>) -> ApiResult<HttpResponse> {
    let Export { head, pages } = state.export.start(&user.0).await?;
    let name = export_file_name(head.exported_at.date_naive());
    let first = header_bytes(&head)?;
    let body = futures_util::stream::unfold(Writer::Head(first, pages), |writer| async move {
        writer.step().await
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .streaming(body))
}

fn unexpected(e: serde_json::Error) -> AppError {
    AppError::Unexpected(Box::new(e))
}

/// `{"format":..,..,"sign_in_identities":[..]` (the object stays open for the sections).
fn header_bytes(head: &ExportHead) -> Result<Bytes, AppError> {
    let prefs = &head.profile.preferences;
    let mut buf = Vec::with_capacity(4096);
    buf.extend_from_slice(b"{\"format\":");
    serde_json::to_writer(&mut buf, EXPORT_FORMAT).map_err(unexpected)?;
    let fields: [(&str, serde_json::Result<Vec<u8>>); 6] = [
        (
            "exported_at",
            serde_json::to_vec(&head.exported_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ),
        (
            "profile",
            serde_json::to_vec(&UserProfile::from(&head.profile)),
        ),
        (
            "preferences",
            serde_json::to_vec(&ExportPreferences {
                theme: prefs.theme.clone(),
                selected_theme_id: prefs.selected_theme_id.map(|t| t.to_string()),
                notification_preferences: prefs
                    .notification_preferences
                    .as_ref()
                    .map(|n| n.entries().clone()),
                bio: prefs.bio.clone(),
            }),
        ),
        (
            "members",
            serde_json::to_vec(
                &head
                    .members
                    .iter()
                    .map(ExportMember::from)
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "family_settings",
            serde_json::to_vec(
                &head
                    .family_settings
                    .clone()
                    .map(crate::routes::family::FamilySettingsResponse::from),
            ),
        ),
        (
            "sign_in_identities",
            serde_json::to_vec(
                &head
                    .identities
                    .iter()
                    .map(|p| ExportIdentity {
                        provider: p.as_str().to_owned(),
                    })
                    .collect::<Vec<_>>(),
            ),
        ),
    ];
    for (key, value) in fields {
        buf.push(b',');
        serde_json::to_writer(&mut buf, key).map_err(unexpected)?;
        buf.push(b':');
        buf.extend_from_slice(&value.map_err(unexpected)?);
    }
    Ok(Bytes::from(buf))
}

/// Where the body is.
enum Writer {
    /// The header is the next chunk.
    Head(Bytes, ExportPages),
    /// Pages follow; `open` is the section whose array is open, `written` its rows so far.
    Pages {
        pages: ExportPages,
        open: Option<ExportSection>,
        written: usize,
    },
    Done,
}

type Step = Option<(Result<Bytes, std::io::Error>, Writer)>;

impl Writer {
    async fn step(self) -> Step {
        match self {
            Writer::Head(bytes, pages) => Some((
                Ok(bytes),
                Writer::Pages {
                    pages,
                    open: None,
                    written: 0,
                },
            )),
            Writer::Pages {
                mut pages,
                open,
                written,
            } => match pages.next().await {
                Ok(Some(chunk)) => {
                    let section = chunk.rows.section();
                    let written = if open == Some(section) { written } else { 0 };
                    match page_bytes(&chunk, open != Some(section), written) {
                        Ok(bytes) => {
                            let next = if chunk.last {
                                Writer::Pages {
                                    pages,
                                    open: None,
                                    written: 0,
                                }
                            } else {
                                Writer::Pages {
                                    pages,
                                    open: Some(section),
                                    written: written + chunk.rows.len(),
                                }
                            };
                            Some((Ok(bytes), next))
                        }
                        Err(e) => abort(&AppError::Unexpected(Box::new(e))),
                    }
                }
                // Every section written: close the document.
                Ok(None) => Some((Ok(Bytes::from_static(b"}")), Writer::Done)),
                Err(e) => abort(&e),
            },
            Writer::Done => None,
        }
    }
}

/// Ends the body with an error: actix cuts the connection before the body's end, so the client
/// sees a truncated transfer, never a complete document.
fn abort(e: &AppError) -> Step {
    tracing::warn!(error = %e, "export aborted mid-stream");
    Some((
        Err(std::io::Error::other("export aborted: storage failed")),
        Writer::Done,
    ))
}

/// One page: `,"key":[` when the section opens, its rows (comma-separated from the `written`
/// rows before them), and `]` after the section's last page.
fn page_bytes(
    chunk: &ExportChunk,
    opens: bool,
    written: usize,
) -> Result<Bytes, serde_json::Error> {
    let mut buf = Vec::with_capacity(chunk.rows.len() * 256 + 32);
    if opens {
        buf.extend_from_slice(b",\"");
        buf.extend_from_slice(chunk.rows.section().key().as_bytes());
        buf.extend_from_slice(b"\":[");
    }
    let now = Utc::now().naive_utc();
    let mut first = written == 0;
    macro_rules! rows {
        ($rows:expr, $dto:expr) => {
            for row in $rows {
                if !first {
                    buf.push(b',');
                }
                first = false;
                serde_json::to_writer(&mut buf, &$dto(row))?;
            }
        };
    }
    match &chunk.rows {
        ExportRows::Custody(v) => rows!(v, CustodyResponse::from),
        ExportRows::Events(v) => rows!(v, EventItem::from),
        ExportRows::Reminders(v) => rows!(v, ReminderResponse::from),
        ExportRows::Journal(v) => rows!(v, JournalEntryResponse::from),
        ExportRows::Children(v) => rows!(v, ChildResponse::from),
        ExportRows::Babysitters(v) => rows!(v, BabysitterResponse::from),
        ExportRows::EmergencyContacts(v) => rows!(v, EmergencyContactResponse::from),
        ExportRows::MedicalProviders(v) => rows!(v, MedicalProviderResponse::from),
        ExportRows::Medications(v) => rows!(v, |m| MedicationResponse::new(m, now)),
        ExportRows::ScheduleTemplates(v) => rows!(v, TemplateResponse::from),
        ExportRows::DaycareProviders(v) | ExportRows::SchoolProviders(v) => {
            rows!(v, ProviderResponse::from)
        }
        ExportRows::NotificationEmails(v) => rows!(v, NotificationEmailResponse::from),
        ExportRows::Themes(v) => rows!(v, ThemeResponse::from),
    }
    let _ = first;
    if chunk.last {
        buf.push(b']');
    }
    Ok(Bytes::from(buf))
}
