//! Events, reminders, journal, alert e-mails and group chats over maps behind one mutex, with the
//! same contracts as the Postgres adapter. Journal author names come from the account store.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use calndr_domain::{
    BoundedText, ContactType, DateRange, EmailAddress, Event, EventDraft, EventId, FamilyId,
    GroupChat, JournalChanges, JournalEntry, JournalEntryId, JournalQuery, NewJournalEntry,
    NotificationEmail, NotificationEmailId, ProviderEvent, Reminder, ReminderFields, ReminderId,
    UserId,
};
use calndr_ports::{
    AccountStore, EventStore, GroupChatStore, JournalStore, NotificationEmailStore, ReminderStore,
    StoreError,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::lock;

const CUSTODY_POSITION: i32 = 4;

#[derive(Debug, Clone)]
struct JournalRow {
    id: JournalEntryId,
    family_id: FamilyId,
    user_id: UserId,
    title: Option<BoundedText>,
    content: BoundedText,
    entry_date: NaiveDate,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
struct ChatRow {
    identifier: String,
    created_at: NaiveDateTime,
}

#[derive(Default)]
struct State {
    next_id: i32,
    events: BTreeMap<i32, Event>,
    reminders: BTreeMap<i32, Reminder>,
    journal: BTreeMap<i32, JournalRow>,
    emails: BTreeMap<i32, NotificationEmail>,
    contacts: HashSet<(FamilyId, ContactType, i32)>,
    chats: BTreeMap<(FamilyId, &'static str, i32), ChatRow>,
}

impl State {
    fn next(&mut self) -> i32 {
        self.next_id += 1;
        self.next_id
    }
}

/// The embedded store of the family records.
pub struct MemoryRecords {
    state: Mutex<State>,
    accounts: Arc<dyn AccountStore>,
}

impl MemoryRecords {
    pub fn new(accounts: Arc<dyn AccountStore>) -> Self {
        Self {
            state: Mutex::new(State::default()),
            accounts,
        }
    }

    /// Makes a babysitter or emergency contact known as the family's (their own routes come later).
    pub fn add_contact(&self, family: FamilyId, contact_type: ContactType, id: i32) {
        lock(&self.state)
            .contacts
            .insert((family, contact_type, id));
    }

    /// Forgets a babysitter or emergency contact of the family (unlinked or deleted).
    pub fn remove_contact(&self, family: FamilyId, contact_type: ContactType, id: i32) {
        lock(&self.state)
            .contacts
            .remove(&(family, contact_type, id));
    }

    /// Inserts a legacy custody row into `events` (to check that every method ignores it).
    pub fn insert_legacy_custody_event(&self, family: FamilyId, date: NaiveDate) -> EventId {
        let mut s = lock(&self.state);
        let id = s.next();
        s.events.insert(
            id,
            Event {
                id: EventId::new(id),
                family_id: family,
                date,
                content: Some(BoundedText::from_stored("custody".into())),
                position: Some(CUSTODY_POSITION),
                event_type: "custody".into(),
            },
        );
        EventId::new(id)
    }

    async fn author_name(&self, user: UserId) -> Result<BoundedText, StoreError> {
        let u = self
            .accounts
            .user_by_id(user)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(BoundedText::from_stored(format!(
            "{} {}",
            u.first_name.as_str(),
            u.last_name.as_str()
        )))
    }

    async fn with_author(&self, r: JournalRow) -> Result<JournalEntry, StoreError> {
        let author_name = self.author_name(r.user_id).await?;
        Ok(JournalEntry {
            id: r.id,
            family_id: r.family_id,
            user_id: r.user_id,
            title: r.title,
            content: r.content,
            entry_date: r.entry_date,
            author_name,
            created_at: Some(r.created_at),
            updated_at: Some(r.updated_at),
        })
    }
}

fn is_event_of(e: &Event, family: FamilyId) -> bool {
    e.family_id == family && e.event_type != "custody" && e.position != Some(CUSTODY_POSITION)
}

#[async_trait]
impl EventStore for MemoryRecords {
    async fn events_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<Event>, StoreError> {
        let s = lock(&self.state);
        let mut out: Vec<Event> = s
            .events
            .values()
            .filter(|e| is_event_of(e, family) && range.contains(e.date))
            .cloned()
            .collect();
        out.sort_by_key(|e| (e.date, e.id));
        Ok(out)
    }

    async fn provider_events_in_range(
        &self,
        _family: FamilyId,
        _range: DateRange,
    ) -> Result<Vec<ProviderEvent>, StoreError> {
        Ok(Vec::new())
    }

    async fn create_event(
        &self,
        family: FamilyId,
        draft: &EventDraft,
    ) -> Result<Event, StoreError> {
        let mut s = lock(&self.state);
        let id = s.next();
        let event = Event {
            id: EventId::new(id),
            family_id: family,
            date: draft.date,
            content: Some(draft.content.clone()),
            position: draft.position,
            event_type: "regular".into(),
        };
        s.events.insert(id, event.clone());
        Ok(event)
    }

    async fn update_event(
        &self,
        family: FamilyId,
        id: EventId,
        draft: &EventDraft,
    ) -> Result<(Event, Event), StoreError> {
        let mut s = lock(&self.state);
        let e = s
            .events
            .get_mut(&id.get())
            .filter(|e| is_event_of(e, family))
            .ok_or(StoreError::NotFound)?;
        let before = e.clone();
        e.date = draft.date;
        e.content = Some(draft.content.clone());
        e.position = draft.position;
        Ok((before, e.clone()))
    }

    async fn delete_event(&self, family: FamilyId, id: EventId) -> Result<Event, StoreError> {
        let mut s = lock(&self.state);
        if s.events
            .get(&id.get())
            .is_none_or(|e| !is_event_of(e, family))
        {
            return Err(StoreError::NotFound);
        }
        s.events.remove(&id.get()).ok_or(StoreError::NotFound)
    }
}

#[async_trait]
impl ReminderStore for MemoryRecords {
    async fn reminders_in_range(
        &self,
        family: FamilyId,
        range: DateRange,
    ) -> Result<Vec<Reminder>, StoreError> {
        let s = lock(&self.state);
        let mut out: Vec<Reminder> = s
            .reminders
            .values()
            .filter(|r| r.family_id == family && range.contains(r.date))
            .cloned()
            .collect();
        out.sort_by_key(|r| (r.date, r.id));
        Ok(out)
    }

    async fn reminder_on(
        &self,
        family: FamilyId,
        date: NaiveDate,
    ) -> Result<Option<Reminder>, StoreError> {
        let s = lock(&self.state);
        Ok(s.reminders
            .values()
            .find(|r| r.family_id == family && r.date == date)
            .cloned())
    }

    async fn create_reminder(
        &self,
        family: FamilyId,
        date: NaiveDate,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        let mut s = lock(&self.state);
        if s.reminders
            .values()
            .any(|r| r.family_id == family && r.date == date)
        {
            return Err(StoreError::Conflict("reminder"));
        }
        let id = s.next();
        let at = at.naive_utc();
        let r = Reminder {
            id: ReminderId::new(id),
            family_id: family,
            date,
            text: fields.text.clone(),
            notification_enabled: fields.notification_enabled,
            notification_time: fields.notification_time,
            created_at: Some(at),
            updated_at: Some(at),
        };
        s.reminders.insert(id, r.clone());
        Ok(r)
    }

    async fn update_reminder(
        &self,
        family: FamilyId,
        id: ReminderId,
        fields: &ReminderFields,
        at: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        let mut s = lock(&self.state);
        let r = s
            .reminders
            .get_mut(&id.get())
            .filter(|r| r.family_id == family)
            .ok_or(StoreError::NotFound)?;
        r.text = fields.text.clone();
        r.notification_enabled = fields.notification_enabled;
        r.notification_time = fields.notification_time;
        r.updated_at = Some(at.naive_utc());
        Ok(r.clone())
    }

    async fn delete_reminder(&self, family: FamilyId, id: ReminderId) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if s.reminders
            .get(&id.get())
            .is_none_or(|r| r.family_id != family)
        {
            return Err(StoreError::NotFound);
        }
        s.reminders.remove(&id.get());
        Ok(())
    }
}

#[async_trait]
impl JournalStore for MemoryRecords {
    async fn journal_entries(
        &self,
        family: FamilyId,
        query: JournalQuery,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        let mut rows: Vec<JournalRow> = {
            let s = lock(&self.state);
            s.journal
                .values()
                .filter(|r| r.family_id == family)
                .filter(|r| query.start.is_none_or(|d| r.entry_date >= d))
                .filter(|r| query.end.is_none_or(|d| r.entry_date <= d))
                .cloned()
                .collect()
        };
        rows.sort_by(|a, b| {
            (b.entry_date, b.created_at, b.id).cmp(&(a.entry_date, a.created_at, a.id))
        });
        rows.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.with_author(r).await?);
        }
        Ok(out)
    }

    async fn journal_entry(
        &self,
        family: FamilyId,
        id: JournalEntryId,
    ) -> Result<JournalEntry, StoreError> {
        let row = {
            let s = lock(&self.state);
            s.journal
                .get(&id.get())
                .filter(|r| r.family_id == family)
                .cloned()
                .ok_or(StoreError::NotFound)?
        };
        self.with_author(row).await
    }

    async fn create_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        entry: &NewJournalEntry,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let author_name = self.author_name(author).await?;
        let at = at.naive_utc();
        let row = {
            let mut s = lock(&self.state);
            let id = s.next();
            let row = JournalRow {
                id: JournalEntryId::new(id),
                family_id: family,
                user_id: author,
                title: entry.title.clone(),
                content: entry.content.clone(),
                entry_date: entry.entry_date,
                created_at: at,
                updated_at: at,
            };
            s.journal.insert(id, row.clone());
            row
        };
        Ok(JournalEntry {
            id: row.id,
            family_id: row.family_id,
            user_id: row.user_id,
            title: row.title,
            content: row.content,
            entry_date: row.entry_date,
            author_name,
            created_at: Some(row.created_at),
            updated_at: Some(row.updated_at),
        })
    }

    async fn update_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        id: JournalEntryId,
        changes: &JournalChanges,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let row = {
            let mut s = lock(&self.state);
            let r = s
                .journal
                .get_mut(&id.get())
                .filter(|r| r.family_id == family && r.user_id == author)
                .ok_or(StoreError::NotFound)?;
            if let Some(t) = &changes.title {
                r.title = Some(t.clone());
            }
            if let Some(c) = &changes.content {
                r.content = c.clone();
            }
            if let Some(d) = changes.entry_date {
                r.entry_date = d;
            }
            r.updated_at = at.naive_utc();
            r.clone()
        };
        self.with_author(row).await
    }

    async fn delete_journal_entry(
        &self,
        family: FamilyId,
        author: UserId,
        id: JournalEntryId,
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if s.journal
            .get(&id.get())
            .is_none_or(|r| r.family_id != family || r.user_id != author)
        {
            return Err(StoreError::NotFound);
        }
        s.journal.remove(&id.get());
        Ok(())
    }
}

#[async_trait]
impl NotificationEmailStore for MemoryRecords {
    async fn families_with_notification_emails(&self) -> Result<Vec<FamilyId>, StoreError> {
        let s = lock(&self.state);
        let mut ids: Vec<FamilyId> = s.emails.values().map(|e| e.family_id).collect();
        ids.sort_by_key(|f| f.as_uuid());
        ids.dedup();
        Ok(ids)
    }

    async fn notification_emails(
        &self,
        family: FamilyId,
    ) -> Result<Vec<NotificationEmail>, StoreError> {
        let s = lock(&self.state);
        Ok(s.emails
            .values()
            .filter(|e| e.family_id == family)
            .cloned()
            .collect())
    }

    async fn add_notification_email(
        &self,
        family: FamilyId,
        email: &EmailAddress,
        _at: DateTime<Utc>,
    ) -> Result<NotificationEmail, StoreError> {
        let mut s = lock(&self.state);
        let id = s.next();
        let e = NotificationEmail {
            id: NotificationEmailId::new(id),
            family_id: family,
            email: email.clone(),
        };
        s.emails.insert(id, e.clone());
        Ok(e)
    }

    async fn update_notification_email(
        &self,
        family: FamilyId,
        id: NotificationEmailId,
        email: &EmailAddress,
    ) -> Result<NotificationEmail, StoreError> {
        let mut s = lock(&self.state);
        let e = s
            .emails
            .get_mut(&id.get())
            .filter(|e| e.family_id == family)
            .ok_or(StoreError::NotFound)?;
        e.email = email.clone();
        Ok(e.clone())
    }

    async fn delete_notification_email(
        &self,
        family: FamilyId,
        id: NotificationEmailId,
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if s.emails
            .get(&id.get())
            .is_none_or(|e| e.family_id != family)
        {
            return Err(StoreError::NotFound);
        }
        s.emails.remove(&id.get());
        Ok(())
    }
}

#[async_trait]
impl GroupChatStore for MemoryRecords {
    async fn group_chat(
        &self,
        family: FamilyId,
        contact_type: ContactType,
        contact_id: i32,
        _created_by: UserId,
        new_identifier: &str,
        at: DateTime<Utc>,
    ) -> Result<(GroupChat, bool), StoreError> {
        let mut s = lock(&self.state);
        if !s.contacts.contains(&(family, contact_type, contact_id)) {
            return Err(StoreError::NotFound);
        }
        let key = (family, contact_type.as_str(), contact_id);
        if let Some(c) = s.chats.get(&key) {
            return Ok((
                GroupChat {
                    group_identifier: c.identifier.clone(),
                    created_at: Some(c.created_at),
                },
                true,
            ));
        }
        let row = ChatRow {
            identifier: new_identifier.to_owned(),
            created_at: at.naive_utc(),
        };
        s.chats.insert(key, row.clone());
        Ok((
            GroupChat {
                group_identifier: row.identifier,
                created_at: Some(row.created_at),
            },
            false,
        ))
    }
}
