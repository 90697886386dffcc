//! [`TemplateStore`] on the schedule templates of the [`MemoryStore`]; applying one writes the
//! custody days under the same lock.

use async_trait::async_trait;
use calndr_domain::{FamilyId, ScheduleTemplate, TemplateId, TemplateSpec, UserId};
use calndr_ports::{CustodyRecord, StoreError, TemplatePlan, TemplateStore};
use chrono::{NaiveDate, Utc};

use crate::state::State;
use crate::MemoryStore;

impl State {
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

#[async_trait]
impl TemplateStore for MemoryStore {
    async fn templates(&self, family: FamilyId) -> Result<Vec<ScheduleTemplate>, StoreError> {
        let state = self.state();
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
        let state = self.state();
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
        let state = self.state();
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
        let mut state = self.state();
        if spec.is_active {
            state.deactivate_others(family, None);
        }
        let id = TemplateId::new(state.next_i32("schedule_templates")?);
        let now = Utc::now().naive_utc();
        let t = ScheduleTemplate {
            id,
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
        let mut state = self.state();
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
        let mut state = self.state();
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

    async fn apply_template<'p>(
        &self,
        family: FamilyId,
        id: TemplateId,
        _actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &TemplatePlan<'p>,
    ) -> Result<(ScheduleTemplate, Vec<CustodyRecord>), StoreError> {
        let mut state = self.state();
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
        let written = state.upsert_days(family, days)?;
        Ok((t, written))
    }
}
