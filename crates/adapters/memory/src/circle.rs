//! Children, babysitters (with their family links), emergency contacts, medications and themes
//! over maps behind one mutex, with the same contracts as the Postgres adapter. Authors and theme
//! selections live in the account store; babysitters and contacts are announced to the records
//! store so that group chats find them.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use calndr_domain::records::ContactType;
use calndr_domain::{
    Babysitter, BabysitterDraft, BabysitterId, Child, ChildDraft, ChildId, EmergencyContact,
    EmergencyContactDraft, EmergencyContactId, FamilyId, Medication, MedicationFields,
    MedicationId, MedicationPage, MedicationQuery, MedicationSort, Theme, ThemeDraft, ThemeId,
    UserId,
};
use calndr_ports::{
    BabysitterStore, ChildStore, EmergencyContactStore, MedicationStore, StoreError, ThemeStore,
};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{lock, MemoryAccountStore, MemoryRecords};

#[derive(Default)]
struct State {
    next_id: i32,
    children: HashMap<ChildId, Child>,
    /// Sitters by id; a sitter's `created_at` etc. are global, the links are per family.
    babysitters: BTreeMap<i32, Babysitter>,
    links: BTreeSet<(FamilyId, i32)>,
    contacts: BTreeMap<i32, EmergencyContact>,
    medications: BTreeMap<i32, Medication>,
    themes: HashMap<ThemeId, Theme>,
}

impl State {
    fn next(&mut self) -> i32 {
        self.next_id += 1;
        self.next_id
    }

    fn linked(&self, family: FamilyId, id: BabysitterId) -> bool {
        self.links.contains(&(family, id.get()))
    }
}

/// The embedded store of the family circle and the themes.
pub struct MemoryCircle {
    state: Mutex<State>,
    accounts: Arc<MemoryAccountStore>,
    records: Option<Arc<MemoryRecords>>,
}

impl MemoryCircle {
    pub fn new(accounts: Arc<MemoryAccountStore>) -> Self {
        Self {
            state: Mutex::new(State::default()),
            accounts,
            records: None,
        }
    }

    /// Announces babysitters and emergency contacts to `records`, for its group chats.
    #[must_use]
    pub fn with_records(mut self, records: Arc<MemoryRecords>) -> Self {
        self.records = Some(records);
        self
    }

    /// Links an existing babysitter to another family (the original's data can hold such links;
    /// no route makes one). `NotFound` when the sitter does not exist.
    pub fn link_babysitter(&self, family: FamilyId, id: BabysitterId) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if !s.babysitters.contains_key(&id.get()) {
            return Err(StoreError::NotFound);
        }
        s.links.insert((family, id.get()));
        drop(s);
        self.announce(family, ContactType::Babysitter, id.get(), true);
        Ok(())
    }

    fn announce(&self, family: FamilyId, kind: ContactType, id: i32, present: bool) {
        if let Some(r) = &self.records {
            if present {
                r.add_contact(family, kind, id);
            } else {
                r.remove_contact(family, kind, id);
            }
        }
    }

    fn author(&self, user: UserId) -> Result<(), StoreError> {
        if self.accounts.has_user(user) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}

/// Sorts people by first name, last name, id (as the Postgres adapter orders them).
fn sort_by_name<T>(people: &mut [T], key: impl Fn(&T) -> (&str, &str, i32)) {
    people.sort_by(|a, b| key(a).cmp(&key(b)));
}

// ----------------------------------------------------------------------------------------------

#[async_trait]
impl ChildStore for MemoryCircle {
    async fn children(&self, family: FamilyId) -> Result<Vec<Child>, StoreError> {
        let s = lock(&self.state);
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
        lock(&self.state).children.insert(child.id, child.clone());
        Ok(child)
    }

    async fn update_child(
        &self,
        family: FamilyId,
        id: ChildId,
        draft: &ChildDraft,
    ) -> Result<Child, StoreError> {
        let mut s = lock(&self.state);
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
        let mut s = lock(&self.state);
        if s.children.get(&id).is_none_or(|c| c.family_id != family) {
            return Err(StoreError::NotFound);
        }
        s.children.remove(&id);
        Ok(())
    }
}

// ----------------------------------------------------------------------------------------------

#[async_trait]
impl BabysitterStore for MemoryCircle {
    async fn babysitters(&self, family: FamilyId) -> Result<Vec<Babysitter>, StoreError> {
        let s = lock(&self.state);
        let mut out: Vec<Babysitter> = s
            .links
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
        self.author(by)?;
        let mut s = lock(&self.state);
        let id = s.next();
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
        s.links.insert((family, id));
        drop(s);
        self.announce(family, ContactType::Babysitter, id, true);
        Ok(sitter)
    }

    async fn update_babysitter(
        &self,
        family: FamilyId,
        id: BabysitterId,
        draft: &BabysitterDraft,
    ) -> Result<Babysitter, StoreError> {
        let mut s = lock(&self.state);
        if !s.linked(family, id) {
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
        if !lock(&self.state).links.remove(&(family, id.get())) {
            return Err(StoreError::NotFound);
        }
        self.announce(family, ContactType::Babysitter, id.get(), false);
        Ok(())
    }
}

// ----------------------------------------------------------------------------------------------

#[async_trait]
impl EmergencyContactStore for MemoryCircle {
    async fn emergency_contacts(
        &self,
        family: FamilyId,
    ) -> Result<Vec<EmergencyContact>, StoreError> {
        let s = lock(&self.state);
        let mut out: Vec<EmergencyContact> = s
            .contacts
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
        self.author(by)?;
        let mut s = lock(&self.state);
        let id = s.next();
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
        s.contacts.insert(id, c.clone());
        drop(s);
        self.announce(family, ContactType::Emergency, id, true);
        Ok(c)
    }

    async fn update_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
        draft: &EmergencyContactDraft,
    ) -> Result<EmergencyContact, StoreError> {
        let mut s = lock(&self.state);
        let c = s
            .contacts
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
        let mut s = lock(&self.state);
        if s.contacts
            .get(&id.get())
            .is_none_or(|c| c.family_id != family)
        {
            return Err(StoreError::NotFound);
        }
        s.contacts.remove(&id.get());
        drop(s);
        self.announce(family, ContactType::Emergency, id.get(), false);
        Ok(())
    }
}

// ----------------------------------------------------------------------------------------------

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
impl MedicationStore for MemoryCircle {
    async fn medications(
        &self,
        family: FamilyId,
        query: MedicationQuery,
    ) -> Result<MedicationPage, StoreError> {
        let s = lock(&self.state);
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
        lock(&self.state)
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
        let mut s = lock(&self.state);
        let id = s.next();
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
        let mut s = lock(&self.state);
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
        let mut s = lock(&self.state);
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

// ----------------------------------------------------------------------------------------------

#[async_trait]
impl ThemeStore for MemoryCircle {
    async fn visible_themes(&self, user: UserId) -> Result<Vec<Theme>, StoreError> {
        let s = lock(&self.state);
        let mut out: Vec<Theme> = s
            .themes
            .values()
            .filter(|t| t.is_visible_to(user))
            .cloned()
            .collect();
        out.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    async fn visible_theme(&self, user: UserId, id: ThemeId) -> Result<Theme, StoreError> {
        lock(&self.state)
            .themes
            .get(&id)
            .filter(|t| t.is_visible_to(user))
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn create_theme(
        &self,
        user: UserId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError> {
        self.author(user)?;
        let at = at.naive_utc();
        let theme = Theme {
            id: ThemeId::random(),
            name: draft.name.clone(),
            palette: draft.palette.clone(),
            is_public: draft.is_public,
            created_by: Some(user),
            created_at: at,
            updated_at: at,
        };
        lock(&self.state).themes.insert(theme.id, theme.clone());
        Ok(theme)
    }

    async fn update_own_theme(
        &self,
        user: UserId,
        id: ThemeId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError> {
        let mut s = lock(&self.state);
        let t = s
            .themes
            .get_mut(&id)
            .filter(|t| t.is_editable_by(user))
            .ok_or(StoreError::NotFound)?;
        t.name = draft.name.clone();
        t.palette = draft.palette.clone();
        t.is_public = draft.is_public;
        t.updated_at = at.naive_utc();
        Ok(t.clone())
    }

    async fn delete_own_theme(&self, user: UserId, id: ThemeId) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if s.themes.get(&id).is_none_or(|t| !t.is_editable_by(user)) {
            return Err(StoreError::NotFound);
        }
        s.themes.remove(&id);
        self.accounts.clear_selected_theme(id);
        Ok(())
    }

    async fn select_theme(
        &self,
        user: UserId,
        id: ThemeId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let s = lock(&self.state);
        if s.themes.get(&id).is_none_or(|t| !t.is_visible_to(user)) {
            return Err(StoreError::NotFound);
        }
        self.accounts.set_selected_theme(user, id, at.naive_utc())
    }
}
