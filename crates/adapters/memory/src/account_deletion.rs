//! `AccountStore::delete_account` on the embedded store: what the PostgreSQL transaction does,
//! under the one state lock.

use calndr_domain::{
    EmailAddress, IdempotencyScope, PersonName, SessionCutoff, ShortText, User, UserId, UserStatus,
};
use calndr_ports::{DeletedAccount, StoreError, FORMER_MEMBER};
use chrono::{DateTime, Utc};

use crate::state::State;

pub(crate) fn delete_account(
    s: &mut State,
    id: UserId,
    at: DateTime<Utc>,
) -> Result<DeletedAccount, StoreError> {
    let user = s.users.get(&id).ok_or(StoreError::NotFound)?;
    if user.status == Some(UserStatus::Deleted) {
        return Err(StoreError::NotFound);
    }
    let family = user.family_id;
    let first_name = user.first_name.as_str().to_owned();
    let email = user.email.as_str().to_lowercase();
    let photo_url = s
        .profiles
        .get(&id)
        .and_then(|p| p.profile_photo_url.clone());
    let recipient = id.to_string();
    s.jobs.retain(|j| {
        j.payload.get("recipient").and_then(|v| v.as_str()) != Some(recipient.as_str())
            && j.payload
                .get("to")
                .and_then(|v| v.as_str())
                .map(str::to_lowercase)
                != Some(email.clone())
    });
    s.preferences.remove(&id);
    s.profiles.remove(&id);
    s.extras.remove(&id);
    s.email_codes.remove(&id);
    s.email_verified_at.remove(&id);
    s.phone_verified_at.remove(&id);
    s.identities.retain(|_, u| *u != id);
    s.identity_tokens.retain(|(u, _), _| *u != id);
    let codes: Vec<String> = s
        .codes
        .iter()
        .filter(|(_, c)| c.created_by == id)
        .map(|(k, _)| k.clone())
        .collect();
    for code in codes {
        s.codes.remove(&code);
        s.code_extras.remove(&code);
    }
    let scope = IdempotencyScope::user(id);
    s.idempotency_keys.retain(|(sc, _), _| sc != scope.as_str());
    if let Some(ids) = s.emails.get_mut(&email) {
        ids.retain(|u| *u != id);
        if ids.is_empty() {
            s.emails.remove(&email);
        }
    }
    let tombstone =
        EmailAddress::from_stored(format!("deleted-{}@deleted.invalid", id.as_uuid().simple()));
    s.emails
        .entry(tombstone.as_str().to_owned())
        .or_default()
        .push(id);
    if let Some(u) = s.users.get_mut(&id) {
        *u = User {
            id,
            family_id: None,
            first_name: PersonName::from_stored(FORMER_MEMBER.to_owned()),
            last_name: PersonName::from_stored(String::new()),
            email: tombstone,
            password_hash: None,
            phone_number: None,
            status: Some(UserStatus::Deleted),
            enrolled: None,
            coparent_enrolled: None,
            coparent_invited: None,
            subscription_type: None,
            subscription_status: None,
            profile_photo_url: None,
            last_signed_in: None,
            created_at: u.created_at,
            updated_at: Some(at.naive_utc()),
            sns_endpoint_arn: None,
            sessions: Some(SessionCutoff::all(at)),
        };
    }
    let mut family_deleted = false;
    if let Some(f) = family {
        let heir = s
            .users
            .values()
            .filter(|u| u.family_id == Some(f))
            .min_by_key(|u| (u.created_at, u.id.as_uuid()))
            .map(|u| format!("{}'s Family", u.first_name.as_str()));
        if let (Some(heir), Some(row)) = (heir, s.families.get_mut(&f)) {
            if row.name.as_str() == format!("{first_name}'s Family") {
                row.name = ShortText::from_stored(heir);
            }
        }
        if !s.users.values().any(|u| u.family_id == Some(f)) {
            s.families.remove(&f);
            s.custody.remove(&f);
            s.templates.retain(|_, t| t.family_id != f);
            s.children.retain(|_, c| c.family_id != f);
            s.babysitter_links.retain(|(fam, _)| *fam != f);
            s.emergency_contacts.retain(|_, c| c.family_id != f);
            s.medications.retain(|_, m| m.family_id != f);
            s.events.retain(|_, e| e.family_id != f);
            s.reminders.retain(|_, r| r.family_id != f);
            s.journal.retain(|_, j| j.family_id != f);
            s.notification_emails.retain(|_, n| n.family_id != f);
            s.group_chats.retain(|(fam, _, _), _| *fam != f);
            s.providers.retain(|_, p| p.family_id != f);
            s.followed_syncs.retain(|(fam, _), _| *fam != f);
            s.medical_providers.retain(|_, p| p.family_id != f);
            family_deleted = true;
        }
    }
    Ok(DeletedAccount {
        family_id: family,
        family_deleted,
        photo_url,
    })
}
