//! [`CustodyStore`] and [`TemplateStore`] over maps behind one mutex: each method plans and
//! writes under the lock, so a unit of work is all or nothing and writers are serialised (the
//! per-family row lock of the Postgres adapter).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use calndr_domain::{
    CustodyDay, CustodyId, FamilyId, ScheduleTemplate, TemplateId, TemplateSpec, UserId,
};
use calndr_ports::{
    AccountStore, CustodyPlan, CustodyRecord, CustodyStats, CustodyStore, NamedCustodyRecord,
    StoreError, TemplatePlan, TemplateStore, Timeline,
};
use chrono::{NaiveDate, Utc};

use crate::lock;

#[derive(Debug, Default)]
struct State {
    next_custody_id: i32,
    next_template_id: i32,
    /// family -> date -> record
    custody: HashMap<FamilyId, BTreeMap<NaiveDate, CustodyRecord>>,
    templates: BTreeMap<TemplateId, ScheduleTemplate>,
}

impl State {
    fn timeline(&self, family: FamilyId, from: NaiveDate, to: NaiveDate) -> Timeline {
        self.custody
            .get(&family)
            .map(|days| {
                days.range(from..=to)
                    .map(|(d, r)| (*d, r.day.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn upsert(&mut self, family: FamilyId, days: Vec<CustodyDay>) -> Vec<CustodyRecord> {
        let mut out = Vec::with_capacity(days.len());
        for day in days {
            let existing = self
                .custody
                .get(&family)
                .and_then(|m| m.get(&day.date))
                .map(|r| r.id);
            let id = match existing {
                Some(id) => id,
                None => {
                    self.next_custody_id += 1;
                    CustodyId::new(self.next_custody_id)
                }
            };
            let record = CustodyRecord { id, day };
            self.custody
                .entry(family)
                .or_default()
                .insert(record.day.date, record.clone());
            out.push(record);
        }
        out.sort_by_key(|r| r.day.date);
        out
    }

    fn deactivate_others(&mut self, family: FamilyId, keep: Option<TemplateId>) {
        let now = Utc::now().naive_utc();
        for t in self.templates.values_mut() {
            if t.family_id == family && Some(t.id) != keep && t.spec.is_active {
                t.spec.is_active = false;
                t.updated_at = Some(now);
            }
        }
    }
}

/// Custody days and schedule templates in process memory; custodians' names come from the
/// account store.
pub struct MemoryCustodyStore {
    state: Mutex<State>,
    accounts: Arc<dyn AccountStore>,
}

impl MemoryCustodyStore {
    pub fn new(accounts: Arc<dyn AccountStore>) -> Self {
        Self {
            state: Mutex::default(),
            accounts,
        }
    }
}

impl std::fmt::Debug for MemoryCustodyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryCustodyStore")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl CustodyStore for MemoryCustodyStore {
    async fn days(
        &self,
        family: FamilyId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let state = lock(&self.state);
        Ok(state
            .custody
            .get(&family)
            .map(|m| m.range(from..=to).map(|(_, r)| r.clone()).collect())
            .unwrap_or_default())
    }

    async fn days_with_names(
        &self,
        family: FamilyId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<NamedCustodyRecord>, StoreError> {
        let records = self.days(family, from, to).await?;
        let mut names: HashMap<UserId, Option<String>> = HashMap::new();
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let id = record.day.custodian;
            let name = match names.get(&id) {
                Some(n) => n.clone(),
                None => {
                    let user = self.accounts.user_by_id(id).await?;
                    let n = user.map(|u| u.first_name.as_str().to_owned());
                    names.insert(id, n.clone());
                    n
                }
            };
            out.push(NamedCustodyRecord {
                record,
                custodian_name: name,
            });
        }
        Ok(out)
    }

    async fn latest_days(
        &self,
        family: FamilyId,
        limit: i64,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let state = lock(&self.state);
        let n = usize::try_from(limit).unwrap_or(0);
        Ok(state
            .custody
            .get(&family)
            .map(|m| m.values().rev().take(n).cloned().collect())
            .unwrap_or_default())
    }

    async fn record(
        &self,
        family: FamilyId,
        id: CustodyId,
    ) -> Result<Option<CustodyRecord>, StoreError> {
        let state = lock(&self.state);
        Ok(state
            .custody
            .get(&family)
            .and_then(|m| m.values().find(|r| r.id == id).cloned()))
    }

    async fn write_days(
        &self,
        family: FamilyId,
        _actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &CustodyPlan<'_>,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let mut state = lock(&self.state);
        let days = plan(&state.timeline(family, from, to))?;
        Ok(state.upsert(family, days))
    }

    async fn stats(&self, family: FamilyId) -> Result<CustodyStats, StoreError> {
        let state = lock(&self.state);
        let Some(m) = state.custody.get(&family) else {
            return Ok(CustodyStats::default());
        };
        Ok(CustodyStats {
            total: i64::try_from(m.len()).unwrap_or(i64::MAX),
            handoffs: i64::try_from(m.values().filter(|r| r.day.handoff_day).count())
                .unwrap_or(i64::MAX),
            earliest: m.keys().next().copied(),
            latest: m.keys().next_back().copied(),
        })
    }
}

#[async_trait]
impl TemplateStore for MemoryCustodyStore {
    async fn templates(&self, family: FamilyId) -> Result<Vec<ScheduleTemplate>, StoreError> {
        let state = lock(&self.state);
        let mut v: Vec<ScheduleTemplate> = state
            .templates
            .values()
            .filter(|t| t.family_id == family)
            .cloned()
            .collect();
        v.sort_by_key(|t| std::cmp::Reverse((t.created_at, t.id)));
        Ok(v)
    }

    async fn template(
        &self,
        family: FamilyId,
        id: TemplateId,
    ) -> Result<Option<ScheduleTemplate>, StoreError> {
        let state = lock(&self.state);
        Ok(state
            .templates
            .get(&id)
            .filter(|t| t.family_id == family)
            .cloned())
    }

    async fn active_template(
        &self,
        family: FamilyId,
    ) -> Result<Option<ScheduleTemplate>, StoreError> {
        let state = lock(&self.state);
        Ok(state
            .templates
            .values()
            .filter(|t| t.family_id == family && t.spec.is_active)
            .max_by_key(|t| (t.updated_at, t.id))
            .cloned())
    }

    async fn create_template(
        &self,
        family: FamilyId,
        _creator: UserId,
        spec: &TemplateSpec,
    ) -> Result<ScheduleTemplate, StoreError> {
        let mut state = lock(&self.state);
        if spec.is_active {
            state.deactivate_others(family, None);
        }
        state.next_template_id += 1;
        let now = Utc::now().naive_utc();
        let t = ScheduleTemplate {
            id: TemplateId::new(state.next_template_id),
            family_id: family,
            spec: spec.clone(),
            created_at: Some(now),
            updated_at: Some(now),
        };
        state.templates.insert(t.id, t.clone());
        Ok(t)
    }

    async fn update_template(
        &self,
        family: FamilyId,
        id: TemplateId,
        spec: &TemplateSpec,
    ) -> Result<ScheduleTemplate, StoreError> {
        let mut state = lock(&self.state);
        if state
            .templates
            .get(&id)
            .is_none_or(|t| t.family_id != family)
        {
            return Err(StoreError::NotFound);
        }
        if spec.is_active {
            state.deactivate_others(family, Some(id));
        }
        let t = state.templates.get_mut(&id).ok_or(StoreError::NotFound)?;
        t.spec = spec.clone();
        t.updated_at = Some(Utc::now().naive_utc());
        Ok(t.clone())
    }

    async fn delete_template(&self, family: FamilyId, id: TemplateId) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        if state
            .templates
            .get(&id)
            .is_none_or(|t| t.family_id != family)
        {
            return Err(StoreError::NotFound);
        }
        state.templates.remove(&id);
        Ok(())
    }

    async fn apply_template(
        &self,
        family: FamilyId,
        id: TemplateId,
        _actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &TemplatePlan<'_>,
    ) -> Result<(ScheduleTemplate, Vec<CustodyRecord>), StoreError> {
        let mut state = lock(&self.state);
        let mut t = state
            .templates
            .get(&id)
            .filter(|t| t.family_id == family)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        t.spec.is_active = true;
        t.updated_at = Some(Utc::now().naive_utc());
        // Plan before any change, so a refusing plan leaves everything as it was.
        let days = plan(&t, &state.timeline(family, from, to))?;
        state.deactivate_others(family, Some(id));
        state.templates.insert(id, t.clone());
        let written = state.upsert(family, days);
        Ok((t, written))
    }
}
