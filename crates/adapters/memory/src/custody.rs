//! [`CustodyStore`] on the custody days of the [`MemoryStore`]: a write plans and upserts under
//! the store's lock, so it is all or nothing and writers are serialised (the per-family row lock
//! of the Postgres adapter).

use async_trait::async_trait;
use calndr_domain::{CustodyDay, CustodyId, FamilyId, UserId};
use calndr_ports::{
    CustodyPlan, CustodyRecord, CustodyStats, CustodyStore, NamedCustodyRecord, NewJob, StoreError,
    Timeline,
};
use chrono::NaiveDate;

use crate::state::State;
use crate::MemoryStore;

impl State {
    pub(crate) fn timeline(&self, family: FamilyId, from: NaiveDate, to: NaiveDate) -> Timeline {
        self.custody
            .get(&family)
            .map(|days| {
                days.range(from..=to)
                    .map(|(d, r)| (*d, r.day.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn upsert_days(
        &mut self,
        family: FamilyId,
        days: Vec<CustodyDay>,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let mut out = Vec::with_capacity(days.len());
        for day in days {
            let existing = self
                .custody
                .get(&family)
                .and_then(|m| m.get(&day.date))
                .map(|r| r.id);
            let id = match existing {
                Some(id) => id,
                None => CustodyId::new(self.next_i32("custody")?),
            };
            let record = CustodyRecord { id, day };
            self.custody
                .entry(family)
                .or_default()
                .insert(record.day.date, record.clone());
            out.push(record);
        }
        out.sort_by_key(|r| r.day.date);
        Ok(out)
    }
}

#[async_trait]
impl CustodyStore for MemoryStore {
    async fn days(
        &self,
        family: FamilyId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let state = self.state();
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
        // One look at the one state: the days and their custodians' names together.
        let state = self.state();
        Ok(state
            .custody
            .get(&family)
            .map(|m| {
                m.range(from..=to)
                    .map(|(_, r)| NamedCustodyRecord {
                        record: r.clone(),
                        custodian_name: state
                            .users
                            .get(&r.day.custodian)
                            .map(|u| u.first_name.as_str().to_owned()),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn latest_days(
        &self,
        family: FamilyId,
        limit: i64,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let state = self.state();
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
        let state = self.state();
        Ok(state
            .custody
            .get(&family)
            .and_then(|m| m.values().find(|r| r.id == id).cloned()))
    }

    async fn write_days<'p>(
        &self,
        family: FamilyId,
        _actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &CustodyPlan<'p>,
        jobs: &[NewJob],
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let mut state = self.state();
        let days = plan(&state.timeline(family, from, to))?;
        let written = state.upsert_days(family, days)?;
        state.enqueue(jobs);
        Ok(written)
    }

    async fn stats(&self, family: FamilyId) -> Result<CustodyStats, StoreError> {
        let state = self.state();
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
