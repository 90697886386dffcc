//! Family: members, custodians, alert e-mail addresses, location requests, the legacy invite,
//! and the family's settings (its time zone).

use std::sync::Arc;

use calndr_domain::{
    EmailAddress, FamilyMember, FamilySettings, FamilyTimeZone, NewUser, PersonName, PhoneNumber,
    User, UserId,
};
use calndr_ports::{FamilySettingsStore, FamilyStore, PushMessage, PushNotifier, StoreError};
use chrono::Utc;
use tracing::info;

use crate::{AppError, Principal};

/// The second custodian shown when a family has a single member.
pub const PLACEHOLDER_ID: &str = "placeholder";
pub const PLACEHOLDER_NAME: &str = "Parent 2";

/// One of the two custodians (`GET /family/custodians`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Custodian {
    pub id: String,
    pub first_name: String,
}

/// The legacy invite's input, parsed at the edge.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: EmailAddress,
    pub phone_number: Option<PhoneNumber>,
}

#[derive(Clone)]
pub struct FamilyDeps {
    pub family: Arc<dyn FamilyStore>,
    pub settings: Arc<dyn FamilySettingsStore>,
    pub push: Arc<dyn PushNotifier>,
}

#[derive(Clone)]
pub struct FamilyService {
    deps: FamilyDeps,
}

impl FamilyService {
    pub fn new(deps: FamilyDeps) -> Self {
        Self { deps }
    }

    /// The caller's family's settings (UTC and never changed until a member sets a zone).
    pub async fn settings(&self, who: &Principal) -> Result<FamilySettings, AppError> {
        let family = who.family()?;
        Ok(self.deps.settings.family_settings(family).await?)
    }

    /// Sets the family's time zone; the change is the caller's, and every member sees it.
    pub async fn set_timezone(
        &self,
        who: &Principal,
        timezone: FamilyTimeZone,
    ) -> Result<FamilySettings, AppError> {
        let family = who.family()?;
        let settings = self
            .deps
            .settings
            .set_family_timezone(family, timezone, who.user_id, Utc::now())
            .await
            .map_err(|e| match e {
                // The caller left the family since the principal was read.
                StoreError::NotFound => AppError::NoFamily,
                other => other.into(),
            })?;
        info!(user.id = %who.user_id, family.id = %family, "family time zone changed");
        Ok(settings)
    }

    /// Every member of the caller's family, in custodian order.
    pub async fn members(&self, who: &Principal) -> Result<Vec<FamilyMember>, AppError> {
        let family = who.family()?;
        Ok(self.deps.family.members(family).await?)
    }

    /// Exactly two custodians: the first two members by creation; a placeholder second one when
    /// the family has a single member. `NotFound` for a family without members.
    pub async fn custodians(&self, who: &Principal) -> Result<[Custodian; 2], AppError> {
        let members = self.members(who).await?;
        let as_custodian = |m: &FamilyMember| Custodian {
            id: m.user.id.to_string(),
            first_name: m.user.first_name.as_str().to_owned(),
        };
        match members.as_slice() {
            [] => Err(AppError::NotFound("Family members")),
            [one] => Ok([
                as_custodian(one),
                Custodian {
                    id: PLACEHOLDER_ID.to_owned(),
                    first_name: PLACEHOLDER_NAME.to_owned(),
                },
            ]),
            [one, two, ..] => Ok([as_custodian(one), as_custodian(two)]),
        }
    }

    /// Members ordered by first name (`GET /family/emails`).
    pub async fn by_first_name(&self, who: &Principal) -> Result<Vec<FamilyMember>, AppError> {
        let mut members = self.members(who).await?;
        members.sort_by(|a, b| {
            a.user
                .first_name
                .as_str()
                .cmp(b.user.first_name.as_str())
                .then(a.user.id.cmp(&b.user.id))
        });
        Ok(members)
    }

    /// Sends a silent location-request push to a member of the caller's own family. Anyone else
    /// (another family's user, an unknown id) is `NotFound`, as is a member without a device.
    pub async fn request_location(&self, who: &Principal, target: UserId) -> Result<(), AppError> {
        let members = self.members(who).await?;
        let not_found = || AppError::NotFound("Target user");
        let target = members
            .iter()
            .find(|m| m.user.id == target)
            .ok_or_else(not_found)?;
        let requester = members
            .iter()
            .find(|m| m.user.id == who.user_id)
            .map(|m| m.user.first_name.as_str().to_owned())
            .unwrap_or_default();
        if !self.deps.push.configured() {
            return Err(AppError::ProviderNotConfigured(
                "Push notification delivery",
            ));
        }
        let device_token = target.device_token.clone().ok_or_else(not_found)?;
        let payload = serde_json::json!({
            "aps": {"content-available": 1},
            "type": "location_request",
            "requester_name": requester,
        });
        self.deps
            .push
            .send(PushMessage {
                recipient: target.user.id,
                device_token,
                payload,
            })
            .await?;
        info!(user.id = %who.user_id, target.id = %target.user.id, "location request sent");
        Ok(())
    }

    /// The legacy invite: creates an invited member (status `invited`, no password: the person
    /// signs in after a password reset, or joins with an enrollment code). `EmailTaken` (409)
    /// when the address is used by any account.
    pub async fn invite(&self, who: &Principal, inv: Invitation) -> Result<User, AppError> {
        let family = who.family()?;
        let user = NewUser {
            id: UserId::random(),
            first_name: inv.first_name,
            last_name: inv.last_name,
            email: inv.email,
            password_hash: None,
            phone_number: inv.phone_number,
            enrolled: false,
            coparent_enrolled: false,
            created_at: Utc::now(),
        };
        let user = self
            .deps
            .family
            .add_invited_member(family, user)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::EmailTaken,
                other => other.into(),
            })?;
        info!(user.id = %who.user_id, invited.id = %user.id, "family member invited");
        Ok(user)
    }
}
