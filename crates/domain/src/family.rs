//! A family's members as the family routes see them.

use chrono::NaiveDateTime;

use crate::User;

/// A member of a family: the user plus the `users` columns only the family routes read.
#[derive(Debug, Clone)]
pub struct FamilyMember {
    pub user: User,
    /// `"lat,lon"` as stored.
    pub last_known_location: Option<String>,
    pub last_known_location_at: Option<NaiveDateTime>,
    /// The APNs device token registered by the app, if any.
    pub device_token: Option<String>,
}
