//! [`MedicationStore`] on the medications of the [`MemoryStore`].

use std::cmp::Ordering;

use async_trait::async_trait;
use calndr_domain::{
    FamilyId, Medication, MedicationFields, MedicationId, MedicationPage, MedicationQuery,
    MedicationSort,
};
use calndr_ports::{MedicationStore, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::MemoryStore;

/// `a` before `b` in the query's order; `None` sorts last in either direction (as the Postgres
/// adapter's `NULLS LAST`), ties by id.
fn medication_order(q: &MedicationQuery, a: &Medication, b: &Medication) -> Ordering {
    fn nulls_last<T: Ord>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
        match (a, b) {
            (Some(x), Some(y)) if descending => y.cmp(&x),
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    let primary = match q.sort {
        MedicationSort::Name => nulls_last(
            Some(a.fields.name.as_str()),
            Some(b.fields.name.as_str()),
            q.descending,
        ),
        MedicationSort::StartDate => {
            nulls_last(a.fields.start_date, b.fields.start_date, q.descending)
        }
        MedicationSort::CreatedAt => nulls_last(a.created_at, b.created_at, q.descending),
    };
    primary.then(a.id.cmp(&b.id))
}

#[async_trait]
impl MedicationStore for MemoryStore {
    async fn medications(
        &self,
        family: FamilyId,
        query: MedicationQuery,
    ) -> Result<MedicationPage, StoreError> {
        let s = self.state();
        let mut all: Vec<&Medication> = s
            .medications
            .values()
            .filter(|m| m.family_id == family && query.matches(&m.fields))
            .collect();
        all.sort_by(|a, b| medication_order(&query, a, b));
        let skip = usize::try_from(query.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(query.limit).unwrap_or(0);
        Ok(MedicationPage {
            total: u64::try_from(all.len()).unwrap_or(u64::MAX),
            medications: all.into_iter().skip(skip).take(take).cloned().collect(),
        })
    }

    async fn medication(
        &self,
        family: FamilyId,
        id: MedicationId,
    ) -> Result<Medication, StoreError> {
        self.state()
            .medications
            .get(&id.get())
            .filter(|m| m.family_id == family)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn create_medication(
        &self,
        family: FamilyId,
        fields: &MedicationFields,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError> {
        let mut s = self.state();
        let id = s.next_i32("medications")?;
        let m = Medication {
            id: MedicationId::new(id),
            family_id: family,
            fields: fields.clone(),
            created_at: Some(at.naive_utc()),
            updated_at: Some(at.naive_utc()),
        };
        s.medications.insert(id, m.clone());
        Ok(m)
    }

    async fn replace_medication(
        &self,
        family: FamilyId,
        id: MedicationId,
        fields: &MedicationFields,
        read: Option<NaiveDateTime>,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError> {
        let mut s = self.state();
        let m = s
            .medications
            .get_mut(&id.get())
            .filter(|m| m.family_id == family)
            .ok_or(StoreError::NotFound)?;
        if m.updated_at != read {
            return Err(StoreError::Conflict("medication"));
        }
        m.fields = fields.clone();
        m.updated_at = Some(at.naive_utc());
        Ok(m.clone())
    }

    async fn delete_medication(
        &self,
        family: FamilyId,
        id: MedicationId,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        if s.medications
            .get(&id.get())
            .is_none_or(|m| m.family_id != family)
        {
            return Err(StoreError::NotFound);
        }
        s.medications.remove(&id.get());
        Ok(())
    }
}
