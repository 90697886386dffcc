//! [`EnrollmentStore`] on the enrollment codes, users and children of the [`MemoryStore`]: every
//! method works under its single lock, so concurrent redemptions are serialised exactly like the
//! Postgres row lock does.

use async_trait::async_trait;
use calndr_domain::enrollment::code_is_usable;
use calndr_domain::{
    Child, ChildId, CoparentDetails, EnrollmentCode, EnrollmentCodeRecord, EnrollmentInvitation,
    FamilyId, NewChild, PersonName, User, UserId,
};
use calndr_ports::{EnrollmentStore, NewJob, Redeemer, StoreError};
use chrono::{DateTime, Utc};

use crate::state::CodeExtras;
use crate::state::State;
use crate::MemoryStore;

/// Codes are stored upper-case.
pub(crate) fn code_key(code: &EnrollmentCode) -> String {
    code.as_str().to_ascii_uppercase()
}

fn invitation(s: &State, key: &str) -> Option<EnrollmentInvitation> {
    let r = s.codes.get(key)?;
    let x = s.code_extras.get(key).cloned().unwrap_or_default();
    Some(EnrollmentInvitation {
        code: EnrollmentCode::from_stored(key.to_owned()),
        family_id: r.family_id,
        created_by: r.created_by,
        coparent: x.coparent,
        invitation_sent: x.invitation_sent,
        invitation_sent_at: x.invitation_sent_at,
        created_at: x.created_at.unwrap_or_default(),
        expires_at: r.expires_at,
        revoked: r.revoked,
        redeemed_count: x.redeemed_count,
    })
}

/// The usable codes of a family (keys).
fn usable_keys(s: &State, family: FamilyId, now: DateTime<Utc>) -> Vec<String> {
    s.codes
        .keys()
        .filter_map(|k| invitation(s, k))
        .filter(|i| i.family_id == family && i.is_usable_at(now))
        .map(|i| i.code.as_str().to_owned())
        .collect()
}

fn apply(target: &mut CoparentDetails, c: &CoparentDetails) {
    if let Some(v) = &c.first_name {
        target.first_name = Some(v.clone());
    }
    if let Some(v) = &c.last_name {
        target.last_name = Some(v.clone());
    }
    if let Some(v) = &c.email {
        target.email = Some(v.clone());
    }
    if let Some(v) = &c.phone {
        target.phone = Some(v.clone());
    }
}

#[async_trait]
impl EnrollmentStore for MemoryStore {
    async fn create_or_reuse_code(
        &self,
        family: FamilyId,
        creator: UserId,
        candidate: &EnrollmentCode,
        expires_at: DateTime<Utc>,
        coparent: &CoparentDetails,
        now: DateTime<Utc>,
    ) -> Result<EnrollmentInvitation, StoreError> {
        let mut s = self.state();
        if !s.families.contains_key(&family) {
            return Err(StoreError::NotFound);
        }
        let key = match usable_keys(&s, family, now).into_iter().next() {
            Some(k) => k,
            None => {
                let k = code_key(candidate);
                if s.codes.contains_key(&k) {
                    return Err(StoreError::Conflict("code"));
                }
                s.codes.insert(
                    k.clone(),
                    EnrollmentCodeRecord {
                        family_id: family,
                        created_by: creator,
                        expires_at: Some(expires_at),
                        revoked: false,
                    },
                );
                s.code_extras.insert(
                    k.clone(),
                    CodeExtras {
                        created_at: Some(now.naive_utc()),
                        ..CodeExtras::default()
                    },
                );
                k
            }
        };
        apply(
            &mut s.code_extras.entry(key.clone()).or_default().coparent,
            coparent,
        );
        if let Some(u) = s.users.get_mut(&creator) {
            u.coparent_invited = Some(true);
            u.updated_at = Some(now.naive_utc());
        }
        invitation(&s, &key).ok_or(StoreError::NotFound)
    }

    async fn usable_code(
        &self,
        code: &EnrollmentCode,
        now: DateTime<Utc>,
    ) -> Result<Option<EnrollmentInvitation>, StoreError> {
        let s = self.state();
        Ok(invitation(&s, &code_key(code)).filter(|i| i.is_usable_at(now)))
    }

    async fn mark_invited(
        &self,
        family: FamilyId,
        code: &EnrollmentCode,
        coparent: &CoparentDetails,
        now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let key = code_key(code);
        if !invitation(&s, &key).is_some_and(|i| i.family_id == family && i.is_usable_at(now)) {
            return Err(StoreError::NotFound);
        }
        let x = s.code_extras.entry(key).or_default();
        x.invitation_sent = true;
        x.invitation_sent_at = Some(now.naive_utc());
        apply(&mut x.coparent, coparent);
        s.enqueue(jobs);
        Ok(())
    }

    async fn revoke_codes(&self, family: FamilyId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut s = self.state();
        let keys = usable_keys(&s, family, now);
        for k in &keys {
            if let Some(r) = s.codes.get_mut(k) {
                r.revoked = true;
            }
        }
        Ok(keys.len() as u64)
    }

    async fn redeem(
        &self,
        code: &EnrollmentCode,
        who: Redeemer,
        now: DateTime<Utc>,
    ) -> Result<(User, FamilyId), StoreError> {
        let mut s = self.state();
        let key = code_key(code);
        let inv = invitation(&s, &key).ok_or(StoreError::NotFound)?;
        let family = inv.family_id;
        let (user_id, already_member) = match &who {
            Redeemer::Existing(id) => {
                let u = s.users.get(id).ok_or(StoreError::NotFound)?;
                (*id, u.family_id == Some(family))
            }
            Redeemer::New(u) => (u.id, false),
        };
        let counted = if already_member {
            0
        } else {
            inv.redeemed_count
        };
        if !code_is_usable(inv.revoked, inv.expires_at, counted, now) {
            return Err(StoreError::NotFound);
        }
        if !s.families.contains_key(&family) {
            return Err(StoreError::NotFound);
        }
        let at = now.naive_utc();
        match who {
            Redeemer::Existing(id) => {
                let u = s.user_mut(id)?;
                u.family_id = Some(family);
                u.enrolled = Some(true);
                u.coparent_enrolled = Some(true);
                u.updated_at = Some(at);
            }
            Redeemer::New(new) => {
                if s.email_taken(&new.email) {
                    return Err(StoreError::Conflict("email"));
                }
                let created_at = new.created_at.naive_utc();
                let created = s.insert_user(new, family, true, true)?;
                s.insert_defaults(created.id, created_at);
            }
        }
        s.mark_inviter(Some(inv.created_by).filter(|c| *c != user_id), at);
        if !already_member {
            s.code_extras.entry(key).or_default().redeemed_count += 1;
        }
        let user = s.users.get(&user_id).cloned().ok_or(StoreError::NotFound)?;
        Ok((user, family))
    }

    async fn children_count(&self, family: FamilyId) -> Result<u64, StoreError> {
        let s = self.state();
        let n = s
            .children
            .values()
            .filter(|c| c.family_id == family)
            .count();
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    /// The onboarding children are rows of the children the family sees (`ChildStore`).
    async fn add_children(
        &self,
        family: FamilyId,
        children: &[NewChild],
    ) -> Result<u64, StoreError> {
        let mut s = self.state();
        s.has_family(family)?;
        for c in children {
            let child = Child {
                id: ChildId::random(),
                family_id: family,
                first_name: PersonName::from_stored(c.first_name.as_str().to_owned()),
                last_name: PersonName::from_stored(c.last_name.as_str().to_owned()),
                dob: c.dob,
            };
            s.children.insert(child.id, child);
        }
        Ok(u64::try_from(children.len()).unwrap_or(u64::MAX))
    }

    async fn finish_enrollment(
        &self,
        user: UserId,
        family: FamilyId,
        coparents_enrolled: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = now.naive_utc();
        let mut s = self.state();
        let u = s.user_mut(user)?;
        if u.family_id != Some(family) {
            return Err(StoreError::NotFound);
        }
        u.enrolled = Some(true);
        u.updated_at = Some(at);
        if coparents_enrolled {
            for other in s
                .users
                .values_mut()
                .filter(|o| o.family_id == Some(family) && o.id != user)
            {
                other.coparent_enrolled = Some(true);
                other.updated_at = Some(at);
            }
        }
        Ok(())
    }
}
