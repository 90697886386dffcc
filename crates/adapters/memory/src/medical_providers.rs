//! [`MedicalProviderStore`] on the doctors, dentists and pharmacies of the [`MemoryStore`].

use async_trait::async_trait;
use calndr_domain::{FamilyId, MedicalChanges, MedicalProvider, MedicalProviderId, UserId};
use calndr_ports::{MedicalProviderStore, StoreError};
use chrono::{DateTime, Utc};

use crate::MemoryStore;

fn apply(m: &mut MedicalProvider, c: &MedicalChanges) {
    macro_rules! set {
        ($($f:ident),*) => { $( if let Some(v) = &c.$f { m.$f = Some(v.clone()); } )* };
    }
    if let Some(n) = &c.name {
        m.name = n.clone();
    }
    set!(
        specialty,
        address,
        phone,
        email,
        website,
        latitude,
        longitude,
        zip_code,
        notes,
        google_place_id,
        rating
    );
}

#[async_trait]
impl MedicalProviderStore for MemoryStore {
    async fn medical_providers(
        &self,
        family: FamilyId,
    ) -> Result<Vec<MedicalProvider>, StoreError> {
        let s = self.state();
        let mut out: Vec<MedicalProvider> = s
            .medical_providers
            .values()
            .filter(|m| m.family_id == family)
            .cloned()
            .collect();
        out.sort_by(|a, b| (a.name.as_str(), a.id).cmp(&(b.name.as_str(), b.id)));
        Ok(out)
    }

    async fn medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
    ) -> Result<MedicalProvider, StoreError> {
        self.state()
            .medical_providers
            .get(&id.get())
            .filter(|m| m.family_id == family)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn create_medical_provider(
        &self,
        family: FamilyId,
        created_by: UserId,
        changes: &MedicalChanges,
        at: DateTime<Utc>,
    ) -> Result<MedicalProvider, StoreError> {
        let name = changes
            .name
            .clone()
            .ok_or_else(|| StoreError::unexpected("medical provider without a name"))?;
        let mut s = self.state();
        s.has_user(created_by)?;
        let id = s.next_i32("medical_providers")?;
        let mut m = MedicalProvider {
            id: MedicalProviderId::new(id),
            family_id: family,
            name,
            specialty: None,
            address: None,
            phone: None,
            email: None,
            website: None,
            latitude: None,
            longitude: None,
            zip_code: None,
            notes: None,
            google_place_id: None,
            rating: None,
            created_by,
            created_at: Some(at.naive_utc()),
            updated_at: Some(at.naive_utc()),
        };
        apply(&mut m, changes);
        s.medical_providers.insert(id, m.clone());
        Ok(m)
    }

    async fn update_medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
        changes: &MedicalChanges,
        at: DateTime<Utc>,
    ) -> Result<MedicalProvider, StoreError> {
        let mut s = self.state();
        let m = s
            .medical_providers
            .get_mut(&id.get())
            .filter(|m| m.family_id == family)
            .ok_or(StoreError::NotFound)?;
        apply(m, changes);
        m.updated_at = Some(at.naive_utc());
        Ok(m.clone())
    }

    async fn delete_medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        match s.medical_providers.get(&id.get()) {
            Some(m) if m.family_id == family => {
                s.medical_providers.remove(&id.get());
                Ok(())
            }
            _ => Err(StoreError::NotFound),
        }
    }
}
