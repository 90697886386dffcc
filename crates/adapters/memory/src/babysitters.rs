//! [`BabysitterStore`] on the babysitters of the [`MemoryStore`] and their links to families
//! (a family sees, edits and unlinks only the sitters linked to it).

use async_trait::async_trait;
use calndr_domain::{Babysitter, BabysitterDraft, BabysitterId, FamilyId, UserId};
use calndr_ports::{BabysitterStore, StoreError};
use chrono::{DateTime, Utc};

use crate::state::{sort_by_name, State};
use crate::MemoryStore;

impl State {
    fn babysitter_linked(&self, family: FamilyId, id: BabysitterId) -> bool {
        self.babysitter_links.contains(&(family, id.get()))
    }
}

#[async_trait]
impl BabysitterStore for MemoryStore {
    async fn babysitters(&self, family: FamilyId) -> Result<Vec<Babysitter>, StoreError> {
        let s = self.state();
        let mut out: Vec<Babysitter> = s
            .babysitter_links
            .iter()
            .filter(|(f, _)| *f == family)
            .filter_map(|(_, id)| s.babysitters.get(id).cloned())
            .collect();
        sort_by_name(&mut out, |p| {
            (p.first_name.as_str(), p.last_name.as_str(), p.id.get())
        });
        Ok(out)
    }

    async fn create_babysitter(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &BabysitterDraft,
        at: DateTime<Utc>,
    ) -> Result<Babysitter, StoreError> {
        let mut s = self.state();
        s.has_user(by)?;
        let id = s.next_i32("babysitters")?;
        let sitter = Babysitter {
            id: BabysitterId::new(id),
            first_name: draft.first_name.clone(),
            last_name: draft.last_name.clone(),
            phone_number: draft.phone_number.clone(),
            rate: draft.rate,
            notes: draft.notes.clone(),
            created_by: by,
            created_at: Some(at.naive_utc()),
        };
        s.babysitters.insert(id, sitter.clone());
        s.babysitter_links.insert((family, id));
        Ok(sitter)
    }

    async fn update_babysitter(
        &self,
        family: FamilyId,
        id: BabysitterId,
        draft: &BabysitterDraft,
    ) -> Result<Babysitter, StoreError> {
        let mut s = self.state();
        if !s.babysitter_linked(family, id) {
            return Err(StoreError::NotFound);
        }
        let b = s
            .babysitters
            .get_mut(&id.get())
            .ok_or(StoreError::NotFound)?;
        b.first_name = draft.first_name.clone();
        b.last_name = draft.last_name.clone();
        b.phone_number = draft.phone_number.clone();
        b.rate = draft.rate;
        b.notes = draft.notes.clone();
        Ok(b.clone())
    }

    async fn unlink_babysitter(
        &self,
        family: FamilyId,
        id: BabysitterId,
    ) -> Result<(), StoreError> {
        if !self.state().babysitter_links.remove(&(family, id.get())) {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
