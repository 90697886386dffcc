//! [`ChildStore`] on the children of the [`MemoryStore`].

use async_trait::async_trait;
use calndr_domain::{Child, ChildDraft, ChildId, FamilyId};
use calndr_ports::{ChildStore, StoreError};

use crate::MemoryStore;

#[async_trait]
impl ChildStore for MemoryStore {
    async fn children(&self, family: FamilyId) -> Result<Vec<Child>, StoreError> {
        let s = self.state();
        let mut out: Vec<Child> = s
            .children
            .values()
            .filter(|c| c.family_id == family)
            .cloned()
            .collect();
        out.sort_by(|a, b| b.dob.cmp(&a.dob).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    async fn create_child(
        &self,
        family: FamilyId,
        draft: &ChildDraft,
    ) -> Result<Child, StoreError> {
        let child = Child {
            id: ChildId::random(),
            family_id: family,
            first_name: draft.first_name.clone(),
            last_name: draft.last_name.clone(),
            dob: draft.dob,
        };
        self.state().children.insert(child.id, child.clone());
        Ok(child)
    }

    async fn update_child(
        &self,
        family: FamilyId,
        id: ChildId,
        draft: &ChildDraft,
    ) -> Result<Child, StoreError> {
        let mut s = self.state();
        let c = s
            .children
            .get_mut(&id)
            .filter(|c| c.family_id == family)
            .ok_or(StoreError::NotFound)?;
        c.first_name = draft.first_name.clone();
        c.last_name = draft.last_name.clone();
        c.dob = draft.dob;
        Ok(c.clone())
    }

    async fn delete_child(&self, family: FamilyId, id: ChildId) -> Result<(), StoreError> {
        let mut s = self.state();
        if s.children.get(&id).is_none_or(|c| c.family_id != family) {
            return Err(StoreError::NotFound);
        }
        s.children.remove(&id);
        Ok(())
    }
}
