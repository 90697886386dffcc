//! Storage of the family circle: children, babysitters, emergency contacts, medications, and the
//! users' colour themes.
//!
//! Family-owned records are scoped by the family: a record of another family is `NotFound`,
//! exactly like a missing one. Every method is one atomic unit of work. Unless stated otherwise,
//! methods return `Unavailable` when storage cannot be reached and `Unexpected` for anything else.

use async_trait::async_trait;
use calndr_domain::{
    Babysitter, BabysitterDraft, BabysitterId, Child, ChildDraft, ChildId, EmergencyContact,
    EmergencyContactDraft, EmergencyContactId, FamilyId, Medication, MedicationFields,
    MedicationId, MedicationPage, MedicationQuery, Theme, ThemeDraft, ThemeId, UserId,
};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::StoreError;

/// Children of a family (`children`).
#[async_trait]
pub trait ChildStore: Send + Sync {
    /// Newest date of birth first, then by id.
    async fn children(&self, family: FamilyId) -> Result<Vec<Child>, StoreError>;

    /// Inserts with a fresh id.
    async fn create_child(&self, family: FamilyId, draft: &ChildDraft)
        -> Result<Child, StoreError>;

    /// Replaces names and date of birth. `NotFound` when absent or of another family.
    async fn update_child(
        &self,
        family: FamilyId,
        id: ChildId,
        draft: &ChildDraft,
    ) -> Result<Child, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn delete_child(&self, family: FamilyId, id: ChildId) -> Result<(), StoreError>;
}

/// Babysitters (`babysitters`), shared between families through `babysitter_families`: a family
/// sees, edits and removes only the sitters linked to it.
#[async_trait]
pub trait BabysitterStore: Send + Sync {
    /// The family's sitters by first then last name.
    async fn babysitters(&self, family: FamilyId) -> Result<Vec<Babysitter>, StoreError>;

    /// Inserts the sitter and links it to the family, together.
    async fn create_babysitter(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &BabysitterDraft,
        at: DateTime<Utc>,
    ) -> Result<Babysitter, StoreError>;

    /// Replaces the sitter's five values. `NotFound` unless the sitter is linked to the family.
    async fn update_babysitter(
        &self,
        family: FamilyId,
        id: BabysitterId,
        draft: &BabysitterDraft,
    ) -> Result<Babysitter, StoreError>;

    /// Removes the family's link only (other families keep the sitter). `NotFound` unless linked.
    async fn unlink_babysitter(&self, family: FamilyId, id: BabysitterId)
        -> Result<(), StoreError>;
}

/// Emergency contacts of a family (`emergency_contacts`).
#[async_trait]
pub trait EmergencyContactStore: Send + Sync {
    /// By first then last name.
    async fn emergency_contacts(
        &self,
        family: FamilyId,
    ) -> Result<Vec<EmergencyContact>, StoreError>;

    async fn create_emergency_contact(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &EmergencyContactDraft,
        at: DateTime<Utc>,
    ) -> Result<EmergencyContact, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn update_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
        draft: &EmergencyContactDraft,
    ) -> Result<EmergencyContact, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn delete_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
    ) -> Result<(), StoreError>;
}

/// Medications of a family (`medications`).
#[async_trait]
pub trait MedicationStore: Send + Sync {
    /// One page of the medications matching the query's filters, in its order (ties by id),
    /// with the number of matching medications.
    async fn medications(
        &self,
        family: FamilyId,
        query: MedicationQuery,
    ) -> Result<MedicationPage, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn medication(
        &self,
        family: FamilyId,
        id: MedicationId,
    ) -> Result<Medication, StoreError>;

    async fn create_medication(
        &self,
        family: FamilyId,
        fields: &MedicationFields,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError>;

    /// Replaces every value, provided the medication is unchanged since the caller read it
    /// (`read` is the `updated_at` it saw): a partial update is merged and checked against what
    /// it read, so a concurrent write in between is `Conflict("medication")` (read again and
    /// retry), never silently lost. `NotFound` when absent or of another family.
    async fn replace_medication(
        &self,
        family: FamilyId,
        id: MedicationId,
        fields: &MedicationFields,
        read: Option<NaiveDateTime>,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError>;

    /// `NotFound` when absent or of another family.
    async fn delete_medication(&self, family: FamilyId, id: MedicationId)
        -> Result<(), StoreError>;
}

/// Colour themes (`themes`) and each user's selected theme (`user_preferences`).
#[async_trait]
pub trait ThemeStore: Send + Sync {
    /// Public themes and the user's own, by name then id.
    async fn visible_themes(&self, user: UserId) -> Result<Vec<Theme>, StoreError>;

    /// `NotFound` unless the theme exists and is public or the user's own.
    async fn visible_theme(&self, user: UserId, id: ThemeId) -> Result<Theme, StoreError>;

    /// Inserts a theme with a fresh id, created by `user`.
    async fn create_theme(
        &self,
        user: UserId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError>;

    /// Replaces name, colours and visibility of the user's own theme. `NotFound` when the theme
    /// is absent or not created by `user`.
    async fn update_own_theme(
        &self,
        user: UserId,
        id: ThemeId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError>;

    /// Deletes the user's own theme; users who had selected it go back to no selection, in the
    /// same unit of work. `NotFound` when absent or not created by `user`.
    async fn delete_own_theme(&self, user: UserId, id: ThemeId) -> Result<(), StoreError>;

    /// Sets the user's selected theme, creating the preferences row (with the defaults) when the
    /// user has none. `NotFound` when the theme is not visible to the user or the user does not
    /// exist.
    async fn select_theme(
        &self,
        user: UserId,
        id: ThemeId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
