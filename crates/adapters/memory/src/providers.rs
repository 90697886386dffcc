//! Daycares, schools (with calendar syncs and events) and medical providers over maps behind one
//! mutex, with the same contracts as the Postgres adapter.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use calndr_domain::{
    CalendarEvent, CalendarSync, FamilyId, MedicalChanges, MedicalProvider, MedicalProviderId,
    Provider, ProviderFields, ProviderId, ProviderKind, UserId, WebUrl,
};
use calndr_ports::{AccountStore, MedicalProviderStore, ProviderStore, StoreError};
use chrono::{DateTime, Utc};

use crate::lock;

struct SyncRow {
    kind: ProviderKind,
    provider: i32,
    sync: CalendarSync,
}

#[derive(Default)]
struct State {
    next_id: i32,
    providers: BTreeMap<(&'static str, i32), Provider>,
    syncs: BTreeMap<i32, SyncRow>,
    events: HashMap<(&'static str, i32), Vec<CalendarEvent>>,
    /// `families.daycare_sync_id` / `families.school_sync_id`.
    followed: HashMap<(FamilyId, &'static str), i32>,
    medical: BTreeMap<i32, MedicalProvider>,
}

impl State {
    fn next(&mut self) -> i32 {
        self.next_id += 1;
        self.next_id
    }

    fn provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<&Provider, StoreError> {
        self.providers
            .get(&(kind.as_str(), id.get()))
            .filter(|p| p.family_id == family)
            .ok_or(StoreError::NotFound)
    }
}

/// The embedded store of providers.
pub struct MemoryProviders {
    state: Mutex<State>,
    accounts: Arc<dyn AccountStore>,
}

impl MemoryProviders {
    pub fn new(accounts: Arc<dyn AccountStore>) -> Self {
        Self {
            state: Mutex::new(State::default()),
            accounts,
        }
    }

    async fn user_exists(&self, user: UserId) -> Result<(), StoreError> {
        self.accounts
            .user_by_id(user)
            .await?
            .map(|_| ())
            .ok_or(StoreError::NotFound)
    }

    /// The sync a family follows for `kind` (`families.*_sync_id`), for tests.
    pub fn followed_sync(&self, family: FamilyId, kind: ProviderKind) -> Option<i32> {
        lock(&self.state)
            .followed
            .get(&(family, kind.as_str()))
            .copied()
    }
}

#[async_trait]
impl ProviderStore for MemoryProviders {
    async fn providers(
        &self,
        kind: ProviderKind,
        family: FamilyId,
    ) -> Result<Vec<Provider>, StoreError> {
        let s = lock(&self.state);
        Ok(s.providers
            .values()
            .rev()
            .filter(|p| p.kind == kind && p.family_id == family)
            .cloned()
            .collect())
    }

    async fn provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<Provider, StoreError> {
        lock(&self.state).provider(kind, family, id).cloned()
    }

    async fn create_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        created_by: UserId,
        fields: &ProviderFields,
        at: DateTime<Utc>,
    ) -> Result<Provider, StoreError> {
        self.user_exists(created_by).await?;
        let mut s = lock(&self.state);
        let id = s.next();
        let p = Provider {
            kind,
            id: ProviderId::new(id),
            family_id: family,
            fields: fields.clone(),
            created_by,
            created_at: Some(at.naive_utc()),
            updated_at: Some(at.naive_utc()),
        };
        s.providers.insert((kind.as_str(), id), p.clone());
        Ok(p)
    }

    async fn update_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
        fields: &ProviderFields,
        at: DateTime<Utc>,
    ) -> Result<Provider, StoreError> {
        let mut s = lock(&self.state);
        s.provider(kind, family, id)?;
        let p = s
            .providers
            .get_mut(&(kind.as_str(), id.get()))
            .ok_or(StoreError::NotFound)?;
        p.fields = fields.clone();
        p.updated_at = Some(at.naive_utc());
        Ok(p.clone())
    }

    async fn delete_provider(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        s.provider(kind, family, id)?;
        s.providers.remove(&(kind.as_str(), id.get()));
        s.events.remove(&(kind.as_str(), id.get()));
        let gone: Vec<i32> = s
            .syncs
            .iter()
            .filter(|(_, r)| r.kind == kind && r.provider == id.get())
            .map(|(k, _)| *k)
            .collect();
        for sync in &gone {
            s.syncs.remove(sync);
        }
        s.followed.retain(|_, sync| !gone.contains(sync));
        Ok(())
    }

    async fn calendar_sync(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
    ) -> Result<(Provider, Option<CalendarSync>), StoreError> {
        let s = lock(&self.state);
        let p = s.provider(kind, family, id)?.clone();
        let latest = s
            .syncs
            .values()
            .filter(|r| r.kind == kind && r.provider == id.get())
            .max_by_key(|r| (r.sync.last_sync_at, r.sync.id))
            .map(|r| r.sync.clone());
        Ok((p, latest))
    }

    async fn replace_calendar(
        &self,
        kind: ProviderKind,
        family: FamilyId,
        id: ProviderId,
        url: &WebUrl,
        events: &[CalendarEvent],
        at: DateTime<Utc>,
    ) -> Result<(Provider, CalendarSync), StoreError> {
        let mut s = lock(&self.state);
        let p = s.provider(kind, family, id)?.clone();
        s.events.insert((kind.as_str(), id.get()), events.to_vec());
        let existing = s
            .syncs
            .iter()
            .find(|(_, r)| r.kind == kind && r.provider == id.get() && r.sync.calendar_url == *url)
            .map(|(k, _)| *k);
        let sync_id = match existing {
            Some(k) => k,
            None => s.next(),
        };
        let sync = CalendarSync {
            id: sync_id,
            calendar_url: url.clone(),
            sync_enabled: true,
            last_sync_at: Some(at),
            last_sync_success: Some(true),
            events_count: i32::try_from(events.len()).unwrap_or(i32::MAX),
        };
        s.syncs.insert(
            sync_id,
            SyncRow {
                kind,
                provider: id.get(),
                sync: sync.clone(),
            },
        );
        s.followed.insert((family, kind.as_str()), sync_id);
        Ok((p, sync))
    }

    async fn school_calendar(&self, family: FamilyId) -> Result<Vec<CalendarEvent>, StoreError> {
        let s = lock(&self.state);
        let kind = ProviderKind::School;
        let Some(row) = s
            .followed
            .get(&(family, kind.as_str()))
            .and_then(|sync| s.syncs.get(sync))
            .filter(|r| r.sync.sync_enabled)
        else {
            return Ok(Vec::new());
        };
        let mut out = s
            .events
            .get(&(kind.as_str(), row.provider))
            .cloned()
            .unwrap_or_default();
        out.sort_by(|a, b| (a.date, a.title.as_str()).cmp(&(b.date, b.title.as_str())));
        Ok(out)
    }
}

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
impl MedicalProviderStore for MemoryProviders {
    async fn medical_providers(
        &self,
        family: FamilyId,
    ) -> Result<Vec<MedicalProvider>, StoreError> {
        let s = lock(&self.state);
        let mut out: Vec<MedicalProvider> = s
            .medical
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
        lock(&self.state)
            .medical
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
        self.user_exists(created_by).await?;
        let name = changes
            .name
            .clone()
            .ok_or_else(|| StoreError::unexpected("medical provider without a name"))?;
        let mut s = lock(&self.state);
        let id = s.next();
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
        s.medical.insert(id, m.clone());
        Ok(m)
    }

    async fn update_medical_provider(
        &self,
        family: FamilyId,
        id: MedicalProviderId,
        changes: &MedicalChanges,
        at: DateTime<Utc>,
    ) -> Result<MedicalProvider, StoreError> {
        let mut s = lock(&self.state);
        let m = s
            .medical
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
        let mut s = lock(&self.state);
        match s.medical.get(&id.get()) {
            Some(m) if m.family_id == family => {
                s.medical.remove(&id.get());
                Ok(())
            }
            _ => Err(StoreError::NotFound),
        }
    }
}
