//! The family circle: children, babysitters, emergency contacts and medications. Every member of
//! the family reads and writes them; another family's record is "not found", like a missing id.

use std::sync::Arc;

use calndr_domain::{
    Babysitter, BabysitterDraft, BabysitterId, Child, ChildDraft, ChildId, EmergencyContact,
    EmergencyContactDraft, EmergencyContactId, Medication, MedicationChanges, MedicationFields,
    MedicationId, MedicationPage, MedicationQuery,
};
use calndr_ports::{
    BabysitterStore, ChildStore, EmergencyContactStore, MedicationStore, StoreError,
};
use chrono::{NaiveDate, Utc};

use crate::{AppError, Principal};

/// The stores the circle's use cases need.
#[derive(Clone)]
pub struct CircleDeps {
    pub children: Arc<dyn ChildStore>,
    pub babysitters: Arc<dyn BabysitterStore>,
    pub contacts: Arc<dyn EmergencyContactStore>,
    pub medications: Arc<dyn MedicationStore>,
}

#[derive(Clone)]
pub struct CircleService {
    deps: CircleDeps,
}

/// `NotFound` named after the record (the 404 body says what was not found).
fn not_found(what: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::NotFound(what),
        other => other.into(),
    }
}

/// The author of a new record must still exist (a deleted account's token answers 401).
fn author_gone(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotAuthenticated,
        other => other.into(),
    }
}

impl CircleService {
    pub fn new(deps: CircleDeps) -> Self {
        Self { deps }
    }

    /// Today's date for the date rules (UTC).
    pub fn today() -> NaiveDate {
        Utc::now().date_naive()
    }

    // -- children ------------------------------------------------------------------------------

    pub async fn children(&self, who: &Principal) -> Result<Vec<Child>, AppError> {
        Ok(self.deps.children.children(who.family()?).await?)
    }

    pub async fn create_child(
        &self,
        who: &Principal,
        draft: ChildDraft,
    ) -> Result<Child, AppError> {
        let family = who.family()?;
        Ok(self.deps.children.create_child(family, &draft).await?)
    }

    pub async fn update_child(
        &self,
        who: &Principal,
        id: ChildId,
        draft: ChildDraft,
    ) -> Result<Child, AppError> {
        let family = who.family()?;
        self.deps
            .children
            .update_child(family, id, &draft)
            .await
            .map_err(not_found("Child"))
    }

    pub async fn delete_child(&self, who: &Principal, id: ChildId) -> Result<(), AppError> {
        let family = who.family()?;
        self.deps
            .children
            .delete_child(family, id)
            .await
            .map_err(not_found("Child"))
    }

    // -- babysitters ---------------------------------------------------------------------------

    pub async fn babysitters(&self, who: &Principal) -> Result<Vec<Babysitter>, AppError> {
        Ok(self.deps.babysitters.babysitters(who.family()?).await?)
    }

    pub async fn create_babysitter(
        &self,
        who: &Principal,
        draft: BabysitterDraft,
    ) -> Result<Babysitter, AppError> {
        let family = who.family()?;
        self.deps
            .babysitters
            .create_babysitter(family, who.user_id, &draft, Utc::now())
            .await
            .map_err(author_gone)
    }

    pub async fn update_babysitter(
        &self,
        who: &Principal,
        id: BabysitterId,
        draft: BabysitterDraft,
    ) -> Result<Babysitter, AppError> {
        let family = who.family()?;
        self.deps
            .babysitters
            .update_babysitter(family, id, &draft)
            .await
            .map_err(not_found("Babysitter"))
    }

    pub async fn remove_babysitter(
        &self,
        who: &Principal,
        id: BabysitterId,
    ) -> Result<(), AppError> {
        let family = who.family()?;
        self.deps
            .babysitters
            .unlink_babysitter(family, id)
            .await
            .map_err(not_found("Babysitter"))
    }

    // -- emergency contacts --------------------------------------------------------------------

    pub async fn emergency_contacts(
        &self,
        who: &Principal,
    ) -> Result<Vec<EmergencyContact>, AppError> {
        Ok(self.deps.contacts.emergency_contacts(who.family()?).await?)
    }

    pub async fn create_emergency_contact(
        &self,
        who: &Principal,
        draft: EmergencyContactDraft,
    ) -> Result<EmergencyContact, AppError> {
        let family = who.family()?;
        self.deps
            .contacts
            .create_emergency_contact(family, who.user_id, &draft, Utc::now())
            .await
            .map_err(author_gone)
    }

    pub async fn update_emergency_contact(
        &self,
        who: &Principal,
        id: EmergencyContactId,
        draft: EmergencyContactDraft,
    ) -> Result<EmergencyContact, AppError> {
        let family = who.family()?;
        self.deps
            .contacts
            .update_emergency_contact(family, id, &draft)
            .await
            .map_err(not_found("Emergency contact"))
    }

    pub async fn delete_emergency_contact(
        &self,
        who: &Principal,
        id: EmergencyContactId,
    ) -> Result<(), AppError> {
        let family = who.family()?;
        self.deps
            .contacts
            .delete_emergency_contact(family, id)
            .await
            .map_err(not_found("Emergency contact"))
    }

    // -- medications ---------------------------------------------------------------------------

    pub async fn medications(
        &self,
        who: &Principal,
        query: MedicationQuery,
    ) -> Result<MedicationPage, AppError> {
        Ok(self
            .deps
            .medications
            .medications(who.family()?, query)
            .await?)
    }

    /// Active medications taken today (UTC), paged like the list.
    pub async fn active_medications(
        &self,
        who: &Principal,
        query: MedicationQuery,
    ) -> Result<MedicationPage, AppError> {
        let query = MedicationQuery {
            is_active: Some(true),
            current_on: Some(Self::today()),
            ..query
        };
        self.medications(who, query).await
    }

    /// Active medications with a daily reminder, by name (all of them: a family has a handful).
    pub async fn medication_reminders(&self, who: &Principal) -> Result<Vec<Medication>, AppError> {
        let family = who.family()?;
        let mut out = Vec::new();
        let mut query = MedicationQuery {
            is_active: Some(true),
            reminder_enabled: Some(true),
            limit: MedicationQuery::MAX_LIMIT,
            ..MedicationQuery::new(None, None, None, None)?
        };
        loop {
            let page = self.deps.medications.medications(family, query).await?;
            let fetched = page.medications.len();
            out.extend(page.medications);
            if fetched < usize::try_from(query.limit).unwrap_or(0)
                || query.page >= MedicationQuery::MAX_PAGE
            {
                return Ok(out);
            }
            query.page += 1;
        }
    }

    pub async fn medication(
        &self,
        who: &Principal,
        id: MedicationId,
    ) -> Result<Medication, AppError> {
        let family = who.family()?;
        self.deps
            .medications
            .medication(family, id)
            .await
            .map_err(not_found("Medication"))
    }

    pub async fn create_medication(
        &self,
        who: &Principal,
        fields: MedicationFields,
    ) -> Result<Medication, AppError> {
        let family = who.family()?;
        let fields = fields.checked()?;
        Ok(self
            .deps
            .medications
            .create_medication(family, &fields, Utc::now())
            .await?)
    }

    /// Applies the changes to the stored medication and checks the result (end after start, a
    /// reminder time exactly when the reminder is on) before writing it. The write only lands on
    /// the version that was read; after a concurrent write it reads and merges again.
    pub async fn update_medication(
        &self,
        who: &Principal,
        id: MedicationId,
        changes: MedicationChanges,
    ) -> Result<Medication, AppError> {
        let family = who.family()?;
        let mut attempts = 0;
        loop {
            let current = self.medication(who, id).await?;
            let fields = changes.apply(&current.fields)?;
            match self
                .deps
                .medications
                .replace_medication(family, id, &fields, current.updated_at, Utc::now())
                .await
            {
                Err(StoreError::Conflict(_)) if attempts < 3 => attempts += 1,
                other => return other.map_err(not_found("Medication")),
            }
        }
    }

    pub async fn delete_medication(
        &self,
        who: &Principal,
        id: MedicationId,
    ) -> Result<(), AppError> {
        let family = who.family()?;
        self.deps
            .medications
            .delete_medication(family, id)
            .await
            .map_err(not_found("Medication"))
    }
}
