//! The pieces the family-circle handlers share (children, babysitters, emergency contacts):
//! the delete answer, the creation stamp and the parsed person fields.

use calndr_domain::circle::{contact_phone, optional_text, NOTES_MAX};
use calndr_domain::{BoundedText, PersonName, PhoneNumber};
use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::dto::py_timestamp;
use crate::error::ApiResult;

/// `{"status": "success", "message": ...}`, the original's answer to a delete.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusMessage {
    /// Always `success`.
    pub status: &'static str,
    pub message: &'static str,
}

impl StatusMessage {
    pub fn success(message: &'static str) -> Self {
        Self {
            status: "success",
            message,
        }
    }
}

/// A creation time as the original renders it (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC). Rows the
/// original left without one read as the epoch: the app needs a string, never `"None"`.
pub fn created_stamp(t: Option<NaiveDateTime>) -> String {
    py_timestamp(t.unwrap_or_default())
}

/// The person fields babysitters and emergency contacts share, parsed.
pub struct Person {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
    pub notes: Option<BoundedText>,
}

impl Person {
    pub fn parse(
        first_name: &str,
        last_name: &str,
        phone_number: &str,
        notes: Option<&str>,
    ) -> ApiResult<Self> {
        Ok(Self {
            first_name: PersonName::parse(first_name, "first_name")?,
            last_name: PersonName::parse(last_name, "last_name")?,
            phone_number: contact_phone(phone_number, "phone_number")?,
            notes: optional_text(notes, "notes", NOTES_MAX)?,
        })
    }
}
