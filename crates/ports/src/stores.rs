//! Every storage port of one adapter, as one value: what the composition root wires the services
//! from and what the contract suites run against.

use std::sync::Arc;

use crate::{
    AccountStore, BabysitterStore, ChildStore, CustodyStore, EmailVerificationStore,
    EmergencyContactStore, EnrollmentStore, EventStore, ExportStore, FamilySettingsStore,
    FamilyStore, GroupChatStore, IdempotencyStore, JobQueue, JournalStore, MedicalProviderStore,
    MedicationStore, NotificationEmailStore, ProviderStore, ReminderStore, TemplateStore,
    ThemeStore,
};

/// The storage ports, each a view of the same adapter value (one `PgStore` or one `MemoryStore`),
/// so a row written through one port is seen by every other. Field names are the ports' module
/// names.
#[derive(Clone)]
pub struct Storage {
    pub accounts: Arc<dyn AccountStore>,
    pub family: Arc<dyn FamilyStore>,
    pub family_settings: Arc<dyn FamilySettingsStore>,
    pub custody: Arc<dyn CustodyStore>,
    pub templates: Arc<dyn TemplateStore>,
    pub enrollment: Arc<dyn EnrollmentStore>,
    pub email_verification: Arc<dyn EmailVerificationStore>,
    pub children: Arc<dyn ChildStore>,
    pub babysitters: Arc<dyn BabysitterStore>,
    pub emergency_contacts: Arc<dyn EmergencyContactStore>,
    pub medications: Arc<dyn MedicationStore>,
    pub themes: Arc<dyn ThemeStore>,
    pub events: Arc<dyn EventStore>,
    pub reminders: Arc<dyn ReminderStore>,
    pub journal: Arc<dyn JournalStore>,
    pub notification_emails: Arc<dyn NotificationEmailStore>,
    pub group_chat: Arc<dyn GroupChatStore>,
    pub providers: Arc<dyn ProviderStore>,
    pub medical_providers: Arc<dyn MedicalProviderStore>,
    pub jobs: Arc<dyn JobQueue>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub export: Arc<dyn ExportStore>,
}

impl Storage {
    /// Every port as a view of `store`, an adapter implementing every storage port.
    pub fn of<S>(store: Arc<S>) -> Self
    where
        S: AccountStore
            + FamilyStore
            + FamilySettingsStore
            + CustodyStore
            + TemplateStore
            + EnrollmentStore
            + EmailVerificationStore
            + ChildStore
            + BabysitterStore
            + EmergencyContactStore
            + MedicationStore
            + ThemeStore
            + EventStore
            + ReminderStore
            + JournalStore
            + NotificationEmailStore
            + GroupChatStore
            + ProviderStore
            + MedicalProviderStore
            + JobQueue
            + IdempotencyStore
            + ExportStore
            + 'static,
    {
        Self {
            accounts: store.clone(),
            family: store.clone(),
            family_settings: store.clone(),
            custody: store.clone(),
            templates: store.clone(),
            enrollment: store.clone(),
            email_verification: store.clone(),
            children: store.clone(),
            babysitters: store.clone(),
            emergency_contacts: store.clone(),
            medications: store.clone(),
            themes: store.clone(),
            events: store.clone(),
            reminders: store.clone(),
            journal: store.clone(),
            notification_emails: store.clone(),
            group_chat: store.clone(),
            providers: store.clone(),
            medical_providers: store.clone(),
            jobs: store.clone(),
            idempotency: store.clone(),
            export: store,
        }
    }
}
