//! [`EmergencyContactStore`] on the emergency contacts of the [`MemoryStore`].

use async_trait::async_trait;
use calndr_domain::{
    EmergencyContact, EmergencyContactDraft, EmergencyContactId, FamilyId, UserId,
};
use calndr_ports::{EmergencyContactStore, StoreError};
use chrono::{DateTime, Utc};

use crate::state::sort_by_name;
use crate::MemoryStore;

#[async_trait]
impl EmergencyContactStore for MemoryStore {
    async fn emergency_contacts(
        &self,
        family: FamilyId,
    ) -> Result<Vec<EmergencyContact>, StoreError> {
        let s = self.state();
        let mut out: Vec<EmergencyContact> = s
            .emergency_contacts
            .values()
            .filter(|c| c.family_id == family)
            .cloned()
            .collect();
        sort_by_name(&mut out, |p| {
            (p.first_name.as_str(), p.last_name.as_str(), p.id.get())
        });
        Ok(out)
    }

    async fn create_emergency_contact(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &EmergencyContactDraft,
        at: DateTime<Utc>,
    ) -> Result<EmergencyContact, StoreError> {
        let mut s = self.state();
        s.has_user(by)?;
        let id = s.next_i32("emergency_contacts")?;
        let c = EmergencyContact {
            id: EmergencyContactId::new(id),
            family_id: family,
            first_name: draft.first_name.clone(),
            last_name: draft.last_name.clone(),
            phone_number: draft.phone_number.clone(),
            relationship: draft.relationship.clone(),
            notes: draft.notes.clone(),
            created_by: by,
            created_at: Some(at.naive_utc()),
        };
        s.emergency_contacts.insert(id, c.clone());
        Ok(c)
    }

    async fn update_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
        draft: &EmergencyContactDraft,
    ) -> Result<EmergencyContact, StoreError> {
        let mut s = self.state();
        let c = s
            .emergency_contacts
            .get_mut(&id.get())
            .filter(|c| c.family_id == family)
            .ok_or(StoreError::NotFound)?;
        c.first_name = draft.first_name.clone();
        c.last_name = draft.last_name.clone();
        c.phone_number = draft.phone_number.clone();
        c.relationship = draft.relationship.clone();
        c.notes = draft.notes.clone();
        Ok(c.clone())
    }

    async fn delete_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if s.emergency_contacts
            .get(&id.get())
            .is_none_or(|c| c.family_id != family)
        {
            return Err(StoreError::NotFound);
        }
        s.emergency_contacts.remove(&id.get());
        Ok(())
    }
}
