//! "Export my data" (`GET /users/me/export`, issue #14 item 3): everything the user can see and
//! everything about them, read section by section in pages so that the caller (the HTTP layer,
//! which writes each page out before asking for the next) never holds the whole family.
//!
//! Other members appear by name only ([`MemberName`]); sign-in identities by provider only.
//! Limited per user (`RateLimits::exports_per_user`, 5 an hour by default): an export reads every
//! row of the family.

use std::sync::Arc;

use calndr_domain::{
    Babysitter, Child, EmergencyContact, Event, EventId, ExportSection, FamilyId, FamilySettings,
    IdentityProvider, JournalEntry, JournalEntryId, MedicalProvider, Medication, MedicationQuery,
    MedicationSort, MemberName, NotificationEmail, Provider, ProviderKind, Reminder, ReminderId,
    ScheduleTemplate, Theme, UserId, EXPORT_PAGE_ROWS,
};
use calndr_ports::{
    AccountStore, BabysitterStore, ChildStore, EmergencyContactStore, ExportStore,
    FamilySettingsStore, FamilyStore, MedicalProviderStore, MedicationStore,
    NotificationEmailStore, ProviderStore, TemplateStore, ThemeStore,
};
use chrono::{DateTime, NaiveDate, Utc};
use tracing::info;

use crate::custody::{entries, CustodyEntry};
use crate::limits::hashed_key;
use crate::{AppError, Principal, Profile, RateGuard};

/// The ports an export reads.
#[derive(Clone)]
pub struct ExportDeps {
    pub export: Arc<dyn ExportStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub family: Arc<dyn FamilyStore>,
    pub family_settings: Arc<dyn FamilySettingsStore>,
    pub children: Arc<dyn ChildStore>,
    pub babysitters: Arc<dyn BabysitterStore>,
    pub emergency_contacts: Arc<dyn EmergencyContactStore>,
    pub medical_providers: Arc<dyn MedicalProviderStore>,
    pub medications: Arc<dyn MedicationStore>,
    pub templates: Arc<dyn TemplateStore>,
    pub providers: Arc<dyn ProviderStore>,
    pub notification_emails: Arc<dyn NotificationEmailStore>,
    pub themes: Arc<dyn ThemeStore>,
    pub guard: RateGuard,
}

#[derive(Clone)]
pub struct ExportService {
    deps: Arc<ExportDeps>,
}

/// What the document says before its sections: read whole (one user, one family's names).
#[derive(Debug, Clone)]
pub struct ExportHead {
    pub exported_at: DateTime<Utc>,
    pub profile: Profile,
    pub members: Vec<MemberName>,
    /// The family's settings (its time zone, and who set it); `None` without a family.
    pub family_settings: Option<FamilySettings>,
    pub identities: Vec<IdentityProvider>,
}

/// One page of one section.
#[derive(Debug, Clone)]
pub enum ExportRows {
    Custody(Vec<CustodyEntry>),
    Events(Vec<Event>),
    Reminders(Vec<Reminder>),
    Journal(Vec<JournalEntry>),
    Children(Vec<Child>),
    Babysitters(Vec<Babysitter>),
    EmergencyContacts(Vec<EmergencyContact>),
    MedicalProviders(Vec<MedicalProvider>),
    Medications(Vec<Medication>),
    ScheduleTemplates(Vec<ScheduleTemplate>),
    DaycareProviders(Vec<Provider>),
    SchoolProviders(Vec<Provider>),
    NotificationEmails(Vec<NotificationEmail>),
    Themes(Vec<Theme>),
}

impl ExportRows {
    pub fn section(&self) -> ExportSection {
        match self {
            Self::Custody(_) => ExportSection::Custody,
            Self::Events(_) => ExportSection::Events,
            Self::Reminders(_) => ExportSection::Reminders,
            Self::Journal(_) => ExportSection::Journal,
            Self::Children(_) => ExportSection::Children,
            Self::Babysitters(_) => ExportSection::Babysitters,
            Self::EmergencyContacts(_) => ExportSection::EmergencyContacts,
            Self::MedicalProviders(_) => ExportSection::MedicalProviders,
            Self::Medications(_) => ExportSection::Medications,
            Self::ScheduleTemplates(_) => ExportSection::ScheduleTemplates,
            Self::DaycareProviders(_) => ExportSection::DaycareProviders,
            Self::SchoolProviders(_) => ExportSection::SchoolProviders,
            Self::NotificationEmails(_) => ExportSection::NotificationEmails,
            Self::Themes(_) => ExportSection::Themes,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Custody(v) => v.len(),
            Self::Events(v) => v.len(),
            Self::Reminders(v) => v.len(),
            Self::Journal(v) => v.len(),
            Self::Children(v) => v.len(),
            Self::Babysitters(v) => v.len(),
            Self::EmergencyContacts(v) => v.len(),
            Self::MedicalProviders(v) => v.len(),
            Self::Medications(v) => v.len(),
            Self::ScheduleTemplates(v) => v.len(),
            Self::DaycareProviders(v) | Self::SchoolProviders(v) => v.len(),
            Self::NotificationEmails(v) => v.len(),
            Self::Themes(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A page and whether it is its section's last. Every section yields at least one page (an
/// empty section: one empty last page), in [`ExportSection::ALL`] order.
#[derive(Debug, Clone)]
pub struct ExportChunk {
    pub rows: ExportRows,
    pub last: bool,
}

/// Where the next page of the current section starts.
#[derive(Debug, Clone, Copy)]
enum From {
    Start,
    AfterDate(NaiveDate),
    AfterId(i32),
    /// Medications are paged by number (their port's paging), from 1.
    Page(u32),
}

/// The sections of one export, page by page: call [`ExportPages::next`] until `Ok(None)`. An
/// error ends the export (the caller must not make the document look complete).
pub struct ExportPages {
    deps: Arc<ExportDeps>,
    user: UserId,
    family: Option<FamilyId>,
    at: Option<(ExportSection, From)>,
    page_rows: u32,
    rows: u64,
}

/// An export that passed its checks: the header, read, and the sections, to read.
pub struct Export {
    pub head: ExportHead,
    pub pages: ExportPages,
}

impl ExportService {
    pub fn new(deps: ExportDeps) -> Self {
        Self {
            deps: Arc::new(deps),
        }
    }

    /// Checks the limit and reads the header. The sections are read by the returned pages.
    /// `RateLimited` past the limit; `NotAuthenticated` for an account deleted meanwhile.
    pub async fn start(&self, who: &Principal) -> Result<Export, AppError> {
        let limits = self.deps.guard.limits;
        self.deps
            .guard
            .hit(
                &hashed_key("export", &who.user_id.to_string()),
                limits.exports_per_user,
            )
            .await?;
        let accounts = &self.deps.accounts;
        let user = accounts
            .user_by_id(who.user_id)
            .await?
            .ok_or(AppError::NotAuthenticated)?;
        let preferences = accounts.preferences(user.id).await?;
        let members = match who.family_id {
            Some(family) => self
                .deps
                .family
                .members(family)
                .await?
                .iter()
                .map(|m| MemberName::from(&m.user))
                .collect(),
            None => Vec::new(),
        };
        let family_settings = match who.family_id {
            Some(family) => Some(self.deps.family_settings.family_settings(family).await?),
            None => None,
        };
        let identities = self.deps.export.identity_providers(user.id).await?;
        info!(user.id = %user.id, "export started");
        Ok(Export {
            head: ExportHead {
                exported_at: Utc::now(),
                profile: Profile { user, preferences },
                members,
                family_settings,
                identities,
            },
            pages: ExportPages {
                deps: self.deps.clone(),
                user: who.user_id,
                family: who.family_id,
                at: Some((ExportSection::ALL[0], From::Start)),
                page_rows: EXPORT_PAGE_ROWS,
                rows: 0,
            },
        })
    }
}

impl ExportPages {
    /// The next page; `Ok(None)` once every section is written.
    pub async fn next(&mut self) -> Result<Option<ExportChunk>, AppError> {
        let Some((section, from)) = self.at else {
            return Ok(None);
        };
        let (rows, next) = match (self.family, section) {
            // The user's own themes need no family.
            (_, ExportSection::Themes) => {
                let user = self.user;
                let visible = self.deps.themes.visible_themes(user).await?;
                let mine = visible
                    .into_iter()
                    .filter(|t| t.created_by == Some(user))
                    .collect();
                (ExportRows::Themes(mine), None)
            }
            (Some(family), _) => self.read(family, section, from).await?,
            // No family: every family section is empty.
            (None, _) => (empty(section), None),
        };
        self.rows += rows.len() as u64;
        let last = next.is_none();
        self.at = match next {
            Some(from) => Some((section, from)),
            None => section.next().map(|s| (s, From::Start)),
        };
        if self.at.is_none() {
            info!(user.id = %self.user, rows = self.rows, "export finished");
        }
        Ok(Some(ExportChunk { rows, last }))
    }

    /// One page of `section` and where the section's next page starts (`None`: it was the last).
    async fn read(
        &self,
        family: FamilyId,
        section: ExportSection,
        from: From,
    ) -> Result<(ExportRows, Option<From>), AppError> {
        let d = &self.deps;
        let n = self.page_rows;
        let full = |len: usize| len >= n as usize;
        let after_id = |from: From| match from {
            From::AfterId(id) => Some(id),
            _ => None,
        };
        Ok(match section {
            ExportSection::Custody => {
                let after = match from {
                    From::AfterDate(d) => Some(d),
                    _ => None,
                };
                let page = d.export.custody_page(family, after, n).await?;
                let next = page
                    .last()
                    .filter(|_| full(page.len()))
                    .map(|r| From::AfterDate(r.record.day.date));
                (ExportRows::Custody(entries(page)), next)
            }
            ExportSection::Events => {
                let after = after_id(from).map(EventId::new);
                let page = d.export.events_page(family, after, n).await?;
                let next = page
                    .last()
                    .filter(|_| full(page.len()))
                    .map(|e| From::AfterId(e.id.get()));
                (ExportRows::Events(page), next)
            }
            ExportSection::Reminders => {
                let after = after_id(from).map(ReminderId::new);
                let page = d.export.reminders_page(family, after, n).await?;
                let next = page
                    .last()
                    .filter(|_| full(page.len()))
                    .map(|r| From::AfterId(r.id.get()));
                (ExportRows::Reminders(page), next)
            }
            ExportSection::Journal => {
                let after = after_id(from).map(JournalEntryId::new);
                let page = d.export.journal_page(family, after, n).await?;
                let next = page
                    .last()
                    .filter(|_| full(page.len()))
                    .map(|e| From::AfterId(e.id.get()));
                (ExportRows::Journal(page), next)
            }
            // The circle, the providers and the alert addresses are kept by hand (tens of rows):
            // one read each, through its own port.
            ExportSection::Children => (
                ExportRows::Children(d.children.children(family).await?),
                None,
            ),
            ExportSection::Babysitters => (
                ExportRows::Babysitters(d.babysitters.babysitters(family).await?),
                None,
            ),
            ExportSection::EmergencyContacts => (
                ExportRows::EmergencyContacts(
                    d.emergency_contacts.emergency_contacts(family).await?,
                ),
                None,
            ),
            ExportSection::MedicalProviders => (
                ExportRows::MedicalProviders(d.medical_providers.medical_providers(family).await?),
                None,
            ),
            ExportSection::Medications => {
                let page = match from {
                    From::Page(p) => p,
                    _ => 1,
                };
                let query = MedicationQuery {
                    is_active: None,
                    reminder_enabled: None,
                    current_on: None,
                    page,
                    limit: MedicationQuery::MAX_LIMIT,
                    sort: MedicationSort::CreatedAt,
                    descending: false,
                };
                let got = d.medications.medications(family, query).await?;
                let seen = u64::from(page) * u64::from(MedicationQuery::MAX_LIMIT);
                let next = (seen < got.total
                    && !got.medications.is_empty()
                    && page < MedicationQuery::MAX_PAGE)
                    .then_some(From::Page(page + 1));
                (ExportRows::Medications(got.medications), next)
            }
            ExportSection::ScheduleTemplates => (
                ExportRows::ScheduleTemplates(d.templates.templates(family).await?),
                None,
            ),
            ExportSection::DaycareProviders => (
                ExportRows::DaycareProviders(
                    d.providers.providers(ProviderKind::Daycare, family).await?,
                ),
                None,
            ),
            ExportSection::SchoolProviders => (
                ExportRows::SchoolProviders(
                    d.providers.providers(ProviderKind::School, family).await?,
                ),
                None,
            ),
            ExportSection::NotificationEmails => (
                ExportRows::NotificationEmails(
                    d.notification_emails.notification_emails(family).await?,
                ),
                None,
            ),
            // Read in `next` (the user's, not the family's).
            ExportSection::Themes => (ExportRows::Themes(Vec::new()), None),
        })
    }
}

fn empty(section: ExportSection) -> ExportRows {
    match section {
        ExportSection::Custody => ExportRows::Custody(Vec::new()),
        ExportSection::Events => ExportRows::Events(Vec::new()),
        ExportSection::Reminders => ExportRows::Reminders(Vec::new()),
        ExportSection::Journal => ExportRows::Journal(Vec::new()),
        ExportSection::Children => ExportRows::Children(Vec::new()),
        ExportSection::Babysitters => ExportRows::Babysitters(Vec::new()),
        ExportSection::EmergencyContacts => ExportRows::EmergencyContacts(Vec::new()),
        ExportSection::MedicalProviders => ExportRows::MedicalProviders(Vec::new()),
        ExportSection::Medications => ExportRows::Medications(Vec::new()),
        ExportSection::ScheduleTemplates => ExportRows::ScheduleTemplates(Vec::new()),
        ExportSection::DaycareProviders => ExportRows::DaycareProviders(Vec::new()),
        ExportSection::SchoolProviders => ExportRows::SchoolProviders(Vec::new()),
        ExportSection::NotificationEmails => ExportRows::NotificationEmails(Vec::new()),
        ExportSection::Themes => ExportRows::Themes(Vec::new()),
    }
}
