//! `AccountStore::leave_family` on the embedded store: what the PostgreSQL transaction does,
//! under the one state lock.

use calndr_domain::{NewFamily, ShortText, UserId, UserStatus};
use calndr_ports::{FamilyDeparture, StoreError};
use chrono::{DateTime, Utc};

use crate::state::{FamilyRow, State};

pub(crate) fn leave_family(
    s: &mut State,
    id: UserId,
    family: NewFamily,
    at: DateTime<Utc>,
) -> Result<FamilyDeparture, StoreError> {
    let leaver = s
        .users
        .get(&id)
        .filter(|u| u.status != Some(UserStatus::Deleted))
        .ok_or(StoreError::NotFound)?;
    let Some(old) = leaver.family_id else {
        return Ok(FamilyDeparture::NoFamily);
    };
    let first_name = leaver.first_name.as_str().to_owned();
    let mut others: Vec<_> = s
        .users
        .values()
        .filter(|u| u.family_id == Some(old) && u.id != id)
        .map(|u| (u.created_at.is_none(), u.created_at, u.id.as_uuid()))
        .collect();
    if others.is_empty() {
        return Ok(FamilyDeparture::OnlyMember);
    }
    if s.families.contains_key(&family.id) {
        return Err(StoreError::Conflict("family"));
    }
    others.sort();
    let naive = at.naive_utc();
    s.families.insert(
        family.id,
        FamilyRow {
            name: family.name,
            created_at: naive,
            settings: None,
        },
    );
    for code in s.codes.values_mut() {
        if code.family_id == old && code.created_by == id {
            code.revoked = true;
        }
    }
    let moved = s.users.get_mut(&id).ok_or(StoreError::NotFound)?;
    moved.family_id = Some(family.id);
    moved.enrolled = Some(false);
    moved.coparent_enrolled = Some(false);
    moved.coparent_invited = Some(false);
    moved.updated_at = Some(naive);
    if let [(_, _, single)] = others.as_slice() {
        if let Some(u) = s.users.values_mut().find(|u| u.id.as_uuid() == *single) {
            u.coparent_enrolled = Some(false);
            u.coparent_invited = Some(false);
            u.updated_at = Some(naive);
        }
    }
    let heir = others
        .first()
        .and_then(|(_, _, first)| s.users.values().find(|u| u.id.as_uuid() == *first))
        .map(|u| format!("{}'s Family", u.first_name.as_str()));
    if let (Some(heir), Some(row)) = (heir, s.families.get_mut(&old)) {
        if row.name.as_str() == format!("{first_name}'s Family") {
            row.name = ShortText::from_stored(heir);
        }
    }
    Ok(FamilyDeparture::Left { old_family: old })
}
