//! Custody: month views (read through the cache), single and bulk writes with handoff
//! recomputation (spec 3.1), schedule templates and their expansion (spec 3.2), maintenance.
//!
//! Every write goes through one `write_days` / `apply_template` unit of work (serialised per
//! family in the store) and deletes the cached months it touched before returning.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calndr_domain::schedule::{expand, Expansion};
use calndr_domain::{
    default_handoff, recompute_handoffs, CustodyDay, CustodyId, DefaultsRule, FamilyId,
    FamilyMember, HandoffTime, ScheduleTemplate, TemplateId, TemplateSpec, UserId, UserStatus,
    ValidationError, YearMonth,
};
use calndr_ports::{
    AccountStore, Cache, CustodyRecord, CustodyStats, CustodyStore, FamilyStore, PushMessage,
    PushNotifier, StoreError, TemplateStore, Timeline,
};
use chrono::{Duration as Days, NaiveDate, Utc};
use serde_json::json;
use tracing::{info, warn};

use crate::{AppError, Principal};

/// How long a month view stays cached. Every write deletes the months it changes; the TTL only
/// bounds staleness when that delete is lost in a cache outage.
pub const CUSTODY_TTL: Duration = Duration::from_secs(1800);

/// Longest window one template application may write.
pub const MAX_APPLY_DAYS: i64 = 1100;

/// `calndr:custody:v1:<family>:<YYYY>-<MM>`: the month view of a family.
pub fn custody_month_key(family: FamilyId, month: YearMonth) -> String {
    format!("calndr:custody:v1:{family}:{month}")
}

/// The month view as the caller rendered it (the API's JSON body), cached beside the entries so a
/// hit is one GET and a copy. Invalidated together with [`custody_month_key`].
pub fn custody_month_rendered_key(family: FamilyId, month: YearMonth) -> String {
    format!("calndr:custody:v1:{family}:{month}:rendered")
}

/// A custody day as the month view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyEntry {
    pub id: CustodyId,
    pub day: CustodyDay,
    /// The custodian's first name.
    pub custodian_name: String,
}

/// A custody write from the app, parsed at the edge.
#[derive(Debug, Clone)]
pub struct CustodyInput {
    pub date: NaiveDate,
    pub custodian: UserId,
    pub handoff_day: Option<bool>,
    pub handoff_time: Option<HandoffTime>,
    pub handoff_location: Option<String>,
}

/// What an application of a template did.
#[derive(Debug, Clone)]
pub struct Applied {
    pub template_name: String,
    pub days_applied: usize,
    pub conflicts_overwritten: usize,
}

/// `GET /custody-maintenance/integrity-check`.
#[derive(Debug, Clone)]
pub struct IntegrityReport {
    pub total_records: usize,
    pub valid_records: usize,
    pub mismatched_dates: Vec<NaiveDate>,
    pub valid_custodians: Vec<FamilyMember>,
}

/// One record whose custodian is not an active member of the family.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub date: NaiveDate,
    pub custody_id: CustodyId,
    pub invalid_custodian: UserId,
    pub invalid_custodian_name: Option<String>,
    pub suggested: Option<(UserId, String)>,
}

/// `POST /custody-maintenance/fix-mismatches`.
#[derive(Debug, Clone)]
pub enum FixOutcome {
    /// Not exactly two active members: nothing to suggest.
    CannotFix(String),
    Preview(Vec<(NaiveDate, UserId, UserId)>),
    Fixed(usize),
}

#[derive(Clone)]
pub struct CustodyDeps {
    pub custody: Arc<dyn CustodyStore>,
    pub templates: Arc<dyn TemplateStore>,
    pub family: Arc<dyn FamilyStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub cache: Arc<dyn Cache>,
    /// Custody-change pushes to the other parents (skipped while no provider is configured).
    pub push: Arc<dyn PushNotifier>,
}

#[derive(Clone)]
pub struct CustodyService {
    deps: CustodyDeps,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn pred(d: NaiveDate) -> NaiveDate {
    d.pred_opt().unwrap_or(d)
}

fn succ(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}

/// First names of the family's members.
struct Names(HashMap<UserId, String>);

impl Names {
    fn of(members: &[FamilyMember]) -> Self {
        Self(
            members
                .iter()
                .map(|m| (m.user.id, m.user.first_name.as_str().to_owned()))
                .collect(),
        )
    }
    fn get(&self, id: UserId) -> Option<String> {
        self.0.get(&id).cloned()
    }
    fn contains(&self, id: UserId) -> bool {
        self.0.contains_key(&id)
    }
}

fn not_a_member() -> AppError {
    AppError::Validation(ValidationError::new(
        "custodian_id",
        "must be a member of your family",
    ))
}

fn date_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => {
            AppError::Conflict("A custody record already exists for this date".into())
        }
        StoreError::NotFound => AppError::NotFound("Custody record"),
        other => other.into(),
    }
}

/// Step 4 of the PUT algorithm (spec 3.1): the next day's handoff after `custodian` has `day`.
fn fix_next_day(next: &CustodyDay, custodian: UserId, names: &Names) -> Option<CustodyDay> {
    let mut n = next.clone();
    if n.custodian != custodian {
        if !n.handoff_day || n.handoff_time.is_none() {
            let (t, place) = default_handoff(
                n.date,
                names.get(n.custodian).as_deref(),
                DefaultsRule::Edit,
            );
            n.handoff_time = Some(t);
            n.handoff_location = Some(place);
        }
        n.handoff_day = true;
    } else {
        n.handoff_day = false;
        n.handoff_time = None;
        n.handoff_location = None;
    }
    (n != *next).then_some(n)
}

/// The edited day of `PUT /custody/date/{d}` (spec 3.1 steps 1-3).
fn edited_day(input: &CustodyInput, date: NaiveDate, tl: &Timeline, names: &Names) -> CustodyDay {
    let value = input.handoff_day.unwrap_or(input.handoff_time.is_some());
    let mut day = CustodyDay {
        date,
        custodian: input.custodian,
        handoff_day: value,
        handoff_time: input.handoff_time,
        handoff_location: input.handoff_location.clone(),
    };
    if input.handoff_day.is_none() {
        let derived = tl
            .get(&pred(date))
            .is_some_and(|p| p.date != date && p.custodian != input.custodian);
        if derived != value {
            if derived {
                let (t, place) = default_handoff(
                    date,
                    names.get(input.custodian).as_deref(),
                    DefaultsRule::Edit,
                );
                day.handoff_time = Some(t);
                day.handoff_location = Some(place);
            } else {
                day.handoff_time = None;
                day.handoff_location = None;
            }
            day.handoff_day = derived;
        }
    }
    day
}

/// The stored day right after a generated window, when the window's last day changed its
/// handoff (the generator's defaults). `None` when it has no record or nothing changes.
fn next_after(
    tl: &Timeline,
    written: &[CustodyDay],
    end: NaiveDate,
    names: &Names,
) -> Option<CustodyDay> {
    let next = tl.get(&succ(end)).filter(|n| n.date != end)?;
    let last = written
        .iter()
        .find(|d| d.date == end)
        .or_else(|| tl.get(&end))?;
    let mut slice = [next.clone()];
    recompute_handoffs(
        Some(last),
        &mut slice,
        &|id| names.get(id),
        DefaultsRule::Generator,
    );
    let [fixed] = slice;
    (fixed != *next).then_some(fixed)
}

/// The cached form of a month's entry: compact and typed, so a cache hit decodes without a
/// generic JSON tree or date parsing (month views are the hottest read).
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedEntry<'a> {
    id: i32,
    /// Days since 0001-01-01 (chrono's `num_days_from_ce`).
    day: i32,
    custodian: uuid::Uuid,
    #[serde(borrow)]
    name: std::borrow::Cow<'a, str>,
    handoff: bool,
    /// Minutes after midnight.
    time: Option<u32>,
    #[serde(borrow)]
    place: Option<std::borrow::Cow<'a, str>>,
}

fn encode_entries(entries: &[CustodyEntry]) -> Vec<u8> {
    use chrono::{Datelike as _, Timelike as _};
    let cached: Vec<CachedEntry<'_>> = entries
        .iter()
        .map(|e| CachedEntry {
            id: e.id.get(),
            day: e.day.date.num_days_from_ce(),
            custodian: e.day.custodian.as_uuid(),
            name: std::borrow::Cow::Borrowed(e.custodian_name.as_str()),
            handoff: e.day.handoff_day,
            time: e
                .day
                .handoff_time
                .map(|t| t.as_time().hour() * 60 + t.as_time().minute()),
            place: e
                .day
                .handoff_location
                .as_deref()
                .map(std::borrow::Cow::Borrowed),
        })
        .collect();
    serde_json::to_vec(&cached).unwrap_or_default()
}

fn decode_entries(raw: &[u8]) -> Option<Vec<CustodyEntry>> {
    let cached: Vec<CachedEntry<'_>> = serde_json::from_slice(raw).ok()?;
    cached
        .into_iter()
        .map(|e| {
            Some(CustodyEntry {
                id: CustodyId::new(e.id),
                custodian_name: e.name.into_owned(),
                day: CustodyDay {
                    date: NaiveDate::from_num_days_from_ce_opt(e.day)?,
                    custodian: UserId::from_uuid(e.custodian),
                    handoff_day: e.handoff,
                    handoff_time: match e.time {
                        Some(m) => Some(HandoffTime::from_hm(m / 60, m % 60)?),
                        None => None,
                    },
                    handoff_location: e.place.map(std::borrow::Cow::into_owned),
                },
            })
        })
        .collect()
}

impl CustodyService {
    pub fn new(deps: CustodyDeps) -> Self {
        Self { deps }
    }

    async fn members(&self, family: FamilyId) -> Result<Vec<FamilyMember>, AppError> {
        Ok(self.deps.family.members(family).await?)
    }

    /// Deletes the cached month views of every date in `dates`. Called before a write returns.
    async fn invalidate(&self, family: FamilyId, dates: impl IntoIterator<Item = NaiveDate>) {
        let keys: BTreeSet<String> = dates
            .into_iter()
            .flat_map(|d| {
                let month = YearMonth::of(d);
                [
                    custody_month_key(family, month),
                    custody_month_rendered_key(family, month),
                ]
            })
            .collect();
        if keys.is_empty() {
            return;
        }
        let keys: Vec<String> = keys.into_iter().collect();
        if let Err(e) = self.deps.cache.delete(&keys).await {
            warn!(family.id = %family, error = %e, "custody cache invalidation failed");
        }
    }

    /// Drops every cached month of the caller's family after a custodian's first name changed
    /// (the month views show custodians by first name). The months are the span of the family's
    /// custody days: months without days are either not cached or cached empty, without names.
    /// Best effort, like every invalidation: the rename itself has already been saved.
    pub async fn custodian_renamed(&self, who: &Principal) {
        let Some(family) = who.family_id else {
            return;
        };
        let stats = match self.deps.custody.stats(family).await {
            Ok(s) => s,
            Err(e) => {
                warn!(family.id = %family, error = %e, "custody cache not cleared after a rename");
                return;
            }
        };
        let (Some(first), Some(last)) = (stats.earliest, stats.latest) else {
            return;
        };
        let months = std::iter::successors(Some(YearMonth::of(first)), |m| {
            m.last_day().succ_opt().map(YearMonth::of)
        })
        .take_while(|m| *m <= YearMonth::of(last))
        .map(|m| m.first_day());
        self.invalidate(family, months).await;
    }

    async fn write(
        &self,
        family: FamilyId,
        actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &calndr_ports::CustodyPlan<'_>,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let written = self
            .deps
            .custody
            .write_days(family, actor, from, to, plan)
            .await?;
        self.invalidate(family, written.iter().map(|r| r.day.date))
            .await;
        Ok(written)
    }

    /// Names for records whose custodian is not (or no longer) in the family.
    async fn entries(
        &self,
        records: Vec<CustodyRecord>,
        names: &Names,
    ) -> Result<Vec<CustodyEntry>, AppError> {
        let mut outsiders: HashMap<UserId, String> = HashMap::new();
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let name = match names.get(r.day.custodian) {
                Some(n) => n,
                None => match outsiders.get(&r.day.custodian) {
                    Some(n) => n.clone(),
                    None => {
                        let n = self
                            .deps
                            .accounts
                            .user_by_id(r.day.custodian)
                            .await?
                            .map_or_else(
                                || "Unknown".to_owned(),
                                |u| u.first_name.as_str().to_owned(),
                            );
                        outsiders.insert(r.day.custodian, n.clone());
                        n
                    }
                },
            };
            out.push(CustodyEntry {
                id: r.id,
                day: r.day,
                custodian_name: name,
            });
        }
        Ok(out)
    }

    async fn entry(&self, record: CustodyRecord, names: &Names) -> Result<CustodyEntry, AppError> {
        let mut v = self.entries(vec![record], names).await?;
        v.pop()
            .ok_or_else(|| AppError::Unexpected("custody write returned nothing".into()))
    }

    /// `GET /custody/{year}/{month}`: the month's days, through the cache. An empty month after
    /// today is filled once from the active template.
    pub async fn month(
        &self,
        who: &Principal,
        month: YearMonth,
    ) -> Result<Vec<CustodyEntry>, AppError> {
        let family = who.family()?;
        let key = custody_month_key(family, month);
        if let Ok(Some(raw)) = self.deps.cache.get(&key).await {
            if let Some(entries) = decode_entries(&raw) {
                return Ok(entries);
            }
        }
        let (first, last) = (month.first_day(), month.last_day());
        let mut records = self.deps.custody.days(family, first, last).await?;
        let members = self.members(family).await?;
        let future = first > today();
        if records.is_empty()
            && future
            && self
                .fill_from_template(who, family, &members, first, last)
                .await?
        {
            records = self.deps.custody.days(family, first, last).await?;
        }
        let names = Names::of(&members);
        let entries = self.entries(records.clone(), &names).await?;
        // An empty future month is not cached: a template activated later must still fill it.
        if entries.is_empty() && future {
            return Ok(entries);
        }
        if self
            .deps
            .cache
            .set(&key, &encode_entries(&entries), CUSTODY_TTL)
            .await
            .is_err()
        {
            return Ok(entries);
        }
        // Set, then verify: a write that committed after our read may have deleted the key
        // before we stored the old month. Reading again after the set closes that window: if
        // the month changed, drop what we stored and answer the fresh data.
        let again = self.deps.custody.days(family, first, last).await?;
        if again != records {
            let _ = self.deps.cache.delete(std::slice::from_ref(&key)).await;
            return self.entries(again, &names).await;
        }
        Ok(entries)
    }

    /// Writes an empty future month from the active template; true when days were written.
    async fn fill_from_template(
        &self,
        who: &Principal,
        family: FamilyId,
        members: &[FamilyMember],
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<bool, AppError> {
        let Some(template) = self.deps.templates.active_template(family).await? else {
            return Ok(false);
        };
        let (Some(pattern), [p1, p2, ..]) = (template.spec.pattern(), members) else {
            return Ok(false);
        };
        let names = Names::of(members);
        let parents = [p1.user.id, p2.user.id];
        let plan = |tl: &Timeline| {
            let plan = Expansion {
                pattern: pattern.clone(),
                parents,
                start: first,
                end: last,
                today: today(),
                overwrite: false,
            };
            let mut days = expand(&plan, tl, &|id| names.get(id));
            days.extend(next_after(tl, &days, last, &names));
            Ok(days)
        };
        let written = self
            .write(family, who.user_id, pred(first), succ(last), &plan)
            .await?;
        if !written.is_empty() {
            info!(family.id = %family, days = written.len(), "month filled from the active template");
        }
        Ok(!written.is_empty())
    }

    /// The custody-change push (spec 3.1) to every other member with a registered device. Best
    /// effort: a failed push is logged (ids only) and never fails the write.
    async fn notify_change(&self, who: &Principal, members: &[FamilyMember], entry: &CustodyEntry) {
        if !self.deps.push.configured() {
            return;
        }
        let sender = members
            .iter()
            .find(|m| m.user.id == who.user_id)
            .map(|m| m.user.first_name.as_str().to_owned())
            .unwrap_or_default();
        let when = entry.day.date.format("%A, %B %-d").to_string();
        let payload = json!({
            "aps": {
                "alert": {
                    "title": "\u{1F4C5} Schedule Updated",
                    "subtitle": format!("{} now has custody", entry.custodian_name),
                    "body": format!(
                        "{sender} changed the schedule for {when}. Tap to manage your schedule."
                    ),
                },
                "sound": "default",
                "badge": 1,
                "category": "CUSTODY_CHANGE",
            },
            "type": "custody_change",
            "date": entry.day.date.format("%Y-%m-%d").to_string(),
            "custodian": entry.custodian_name,
            "sender": sender,
            "deep_link": "calndr://schedule",
        });
        for m in members.iter().filter(|m| m.user.id != who.user_id) {
            let Some(token) = m.device_token.clone() else {
                continue;
            };
            let message = PushMessage {
                recipient: m.user.id,
                device_token: token,
                payload: payload.clone(),
            };
            if let Err(e) = self.deps.push.send(message).await {
                warn!(user.id = %m.user.id, error = %e, "custody-change push not sent");
            }
        }
    }

    /// `GET /custody/handoff-only/{year}/{month}`: flagged days with a time.
    /// The month view rendered by `render` (the caller's wire format), served from the cache
    /// when possible. Same data and freshness as [`CustodyService::month`]: a render cached while
    /// a write committed is dropped again (the month is re-read after the set).
    pub async fn month_rendered(
        &self,
        who: &Principal,
        month: YearMonth,
        render: &(dyn Fn(&[CustodyEntry]) -> Option<Vec<u8>> + Sync),
    ) -> Result<Vec<u8>, AppError> {
        let family = who.family()?;
        let key = custody_month_rendered_key(family, month);
        if let Ok(Some(raw)) = self.deps.cache.get(&key).await {
            return Ok(raw);
        }
        let entries = self.month(who, month).await?;
        let bytes = render(&entries)
            .ok_or_else(|| AppError::Unexpected("rendering the custody month failed".into()))?;
        // Empty future months are not cached (a template activated later must still fill them).
        if entries.is_empty() && month.first_day() > today() {
            return Ok(bytes);
        }
        if self.deps.cache.set(&key, &bytes, CUSTODY_TTL).await.is_ok() {
            let again = self
                .deps
                .custody
                .days(family, month.first_day(), month.last_day())
                .await?;
            let unchanged = again.len() == entries.len()
                && again
                    .iter()
                    .zip(&entries)
                    .all(|(r, e)| r.id == e.id && r.day == e.day);
            if !unchanged {
                let _ = self.deps.cache.delete(std::slice::from_ref(&key)).await;
            }
        }
        Ok(bytes)
    }

    pub async fn handoffs(
        &self,
        who: &Principal,
        month: YearMonth,
    ) -> Result<Vec<CustodyEntry>, AppError> {
        let mut entries = self.month(who, month).await?;
        entries.retain(|e| e.day.handoff_day && e.day.handoff_time.is_some());
        Ok(entries)
    }

    /// `POST /custody/`: a new day. `Conflict` when the date has a record.
    pub async fn create(
        &self,
        who: &Principal,
        input: CustodyInput,
    ) -> Result<CustodyEntry, AppError> {
        let family = who.family()?;
        let members = self.members(family).await?;
        let names = Names::of(&members);
        if !names.contains(input.custodian) {
            return Err(not_a_member());
        }
        let date = input.date;
        let plan = |tl: &Timeline| {
            if tl.contains_key(&date) {
                return Err(StoreError::Conflict("date"));
            }
            let prev_differs = tl
                .get(&pred(date))
                .is_some_and(|p| p.date != date && p.custodian != input.custodian);
            let handoff = input
                .handoff_day
                .unwrap_or(input.handoff_time.is_some() || prev_differs);
            let mut day = CustodyDay {
                date,
                custodian: input.custodian,
                handoff_day: handoff,
                handoff_time: input.handoff_time,
                handoff_location: input.handoff_location.clone(),
            };
            if handoff && day.handoff_time.is_none() {
                let (t, place) = default_handoff(
                    date,
                    names.get(input.custodian).as_deref(),
                    DefaultsRule::Edit,
                );
                day.handoff_time = Some(t);
                day.handoff_location = day.handoff_location.or(Some(place));
            }
            let mut out = vec![day];
            if let Some(next) = tl.get(&succ(date)).filter(|n| n.date != date) {
                out.extend(fix_next_day(next, input.custodian, &names));
            }
            Ok(out)
        };
        let written = self
            .write(family, who.user_id, pred(date), succ(date), &plan)
            .await
            .map_err(date_conflict)?;
        let record = written
            .into_iter()
            .find(|r| r.day.date == date)
            .ok_or_else(|| AppError::Unexpected("created day missing".into()))?;
        info!(user.id = %who.user_id, "custody day created");
        let entry = self.entry(record, &names).await?;
        self.notify_change(who, &members, &entry).await;
        Ok(entry)
    }

    /// `PUT /custody/date/{date}`: the spec 3.1 algorithm. `NotFound` when the date has no
    /// record (the app then falls back to `POST /custody/`).
    pub async fn update_by_date(
        &self,
        who: &Principal,
        date: NaiveDate,
        input: CustodyInput,
    ) -> Result<CustodyEntry, AppError> {
        let family = who.family()?;
        let members = self.members(family).await?;
        let names = Names::of(&members);
        if !names.contains(input.custodian) {
            return Err(not_a_member());
        }
        let plan = |tl: &Timeline| {
            if !tl.contains_key(&date) {
                return Err(StoreError::NotFound);
            }
            let day = edited_day(&input, date, tl, &names);
            let mut out = vec![day];
            if let Some(next) = tl.get(&succ(date)).filter(|n| n.date != date) {
                out.extend(fix_next_day(next, input.custodian, &names));
            }
            Ok(out)
        };
        let written = self
            .write(family, who.user_id, pred(date), succ(date), &plan)
            .await
            .map_err(date_conflict)?;
        let record = written
            .into_iter()
            .find(|r| r.day.date == date)
            .ok_or_else(|| AppError::Unexpected("updated day missing".into()))?;
        info!(user.id = %who.user_id, "custody day updated");
        let entry = self.entry(record, &names).await?;
        self.notify_change(who, &members, &entry).await;
        Ok(entry)
    }

    /// `PUT /custody/{id}`: the same as by date, for the record's own date (the body's date is
    /// ignored). `NotFound` for an unknown id or another family's.
    pub async fn update_by_id(
        &self,
        who: &Principal,
        id: CustodyId,
        input: CustodyInput,
    ) -> Result<CustodyEntry, AppError> {
        let family = who.family()?;
        let record = self
            .deps
            .custody
            .record(family, id)
            .await?
            .ok_or(AppError::NotFound("Custody record"))?;
        self.update_by_date(who, record.day.date, input).await
    }

    /// `POST /custody/bulk`: all the days or none. Existing dates are replaced; handoffs are
    /// recomputed over the merged timeline. Returns the number of days in the batch.
    pub async fn bulk(
        &self,
        who: &Principal,
        inputs: Vec<CustodyInput>,
    ) -> Result<usize, AppError> {
        let family = who.family()?;
        if inputs.is_empty() {
            return Ok(0);
        }
        let members = self.members(family).await?;
        let names = Names::of(&members);
        let mut dates = BTreeSet::new();
        for i in &inputs {
            if !names.contains(i.custodian) {
                return Err(not_a_member());
            }
            if !dates.insert(i.date) {
                return Err(ValidationError::new("date", "appears twice in the batch").into());
            }
        }
        let (Some(&min), Some(&max)) = (dates.first(), dates.last()) else {
            return Ok(0);
        };
        if (max - min).num_days() > MAX_APPLY_DAYS {
            return Err(ValidationError::new(
                "date",
                format!("a batch may span at most {MAX_APPLY_DAYS} days"),
            )
            .into());
        }
        let plan = |tl: &Timeline| {
            let mut merged = tl.clone();
            for i in &inputs {
                merged.insert(
                    i.date,
                    CustodyDay {
                        date: i.date,
                        custodian: i.custodian,
                        handoff_day: false,
                        handoff_time: i.handoff_time,
                        handoff_location: i.handoff_location.clone(),
                    },
                );
            }
            let mut slice: Vec<CustodyDay> = merged
                .range(min..=succ(max))
                .map(|(_, d)| d.clone())
                .collect();
            let before = tl.get(&pred(min)).filter(|d| d.date < min);
            recompute_handoffs(before, &mut slice, &|id| names.get(id), DefaultsRule::Edit);
            Ok(slice
                .into_iter()
                .filter(|d| tl.get(&d.date) != Some(d) || dates.contains(&d.date))
                .collect())
        };
        self.write(family, who.user_id, pred(min), succ(max), &plan)
            .await
            .map_err(date_conflict)?;
        info!(user.id = %who.user_id, days = inputs.len(), "custody days written in bulk");
        Ok(inputs.len())
    }

    /// `GET /custody/performance/stats`.
    pub async fn stats(&self, who: &Principal) -> Result<(FamilyId, CustodyStats), AppError> {
        let family = who.family()?;
        Ok((family, self.deps.custody.stats(family).await?))
    }

    // ---- schedule templates ----------------------------------------------------------------

    pub async fn templates(&self, who: &Principal) -> Result<Vec<ScheduleTemplate>, AppError> {
        Ok(self.deps.templates.templates(who.family()?).await?)
    }

    pub async fn template(
        &self,
        who: &Principal,
        id: TemplateId,
    ) -> Result<ScheduleTemplate, AppError> {
        self.deps
            .templates
            .template(who.family()?, id)
            .await?
            .ok_or(AppError::NotFound("Schedule template"))
    }

    pub async fn create_template(
        &self,
        who: &Principal,
        spec: TemplateSpec,
    ) -> Result<ScheduleTemplate, AppError> {
        Ok(self
            .deps
            .templates
            .create_template(who.family()?, who.user_id, &spec)
            .await?)
    }

    pub async fn update_template(
        &self,
        who: &Principal,
        id: TemplateId,
        spec: TemplateSpec,
    ) -> Result<ScheduleTemplate, AppError> {
        self.deps
            .templates
            .update_template(who.family()?, id, &spec)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotFound("Schedule template"),
                other => other.into(),
            })
    }

    pub async fn delete_template(&self, who: &Principal, id: TemplateId) -> Result<(), AppError> {
        self.deps
            .templates
            .delete_template(who.family()?, id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotFound("Schedule template"),
                other => other.into(),
            })
    }

    /// `POST /schedule-templates/apply`: activates the template and writes its days from
    /// max(tomorrow, start) through `end` (start + 90 days when `end` is missing or not after
    /// start), never touching today or the past; existing days are kept unless `overwrite`.
    pub async fn apply_template(
        &self,
        who: &Principal,
        id: TemplateId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        overwrite: bool,
    ) -> Result<Applied, AppError> {
        let family = who.family()?;
        // An unknown (or another family's) template is 404 before anything else.
        self.template(who, id).await?;
        let members = self.members(family).await?;
        let [p1, p2, ..] = members.as_slice() else {
            return Err(crate::Refusal::ScheduleNeedsTwoMembers.into());
        };
        let parents = [p1.user.id, p2.user.id];
        let names = Names::of(&members);
        let now = today();
        let tomorrow = succ(now);
        let start = start.map_or(tomorrow, |s| s.max(tomorrow));
        let end = match end {
            Some(e) if e > start => e,
            _ => start + Days::days(90),
        };
        if (end - start).num_days() > MAX_APPLY_DAYS {
            return Err(ValidationError::new(
                "end_date",
                format!("the window may span at most {MAX_APPLY_DAYS} days"),
            )
            .into());
        }
        let counts = Mutex::new((0usize, 0usize));
        let plan = |t: &ScheduleTemplate, tl: &Timeline| {
            let Some(pattern) = t.spec.pattern() else {
                return Ok(Vec::new());
            };
            let plan = Expansion {
                pattern,
                parents,
                start,
                end,
                today: now,
                overwrite,
            };
            let mut days = expand(&plan, tl, &|id| names.get(id));
            days.extend(next_after(tl, &days, end, &names));
            let mut applied = 0;
            let mut overwritten = 0;
            for d in &days {
                match tl.get(&d.date) {
                    None => applied += 1,
                    Some(old) if old.custodian != d.custodian => {
                        applied += 1;
                        overwritten += 1;
                    }
                    Some(_) => {}
                }
            }
            if let Ok(mut c) = counts.lock() {
                *c = (applied, overwritten);
            }
            Ok(days)
        };
        let (template, written) = self
            .deps
            .templates
            .apply_template(family, id, who.user_id, pred(start), succ(end), &plan)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotFound("Schedule template"),
                other => other.into(),
            })?;
        self.invalidate(family, written.iter().map(|r| r.day.date))
            .await;
        let (days_applied, conflicts_overwritten) = counts.lock().map(|c| *c).unwrap_or_default();
        info!(user.id = %who.user_id, days = days_applied, "schedule template applied");
        Ok(Applied {
            template_name: template.spec.name,
            days_applied,
            conflicts_overwritten,
        })
    }

    // ---- maintenance -----------------------------------------------------------------------

    /// Active members in creation order: the custodians a record may name.
    async fn valid_custodians(&self, family: FamilyId) -> Result<Vec<FamilyMember>, AppError> {
        let mut members = self.members(family).await?;
        members.retain(|m| matches!(m.user.status, Some(UserStatus::Active)));
        Ok(members)
    }

    async fn all_days(&self, family: FamilyId) -> Result<Vec<CustodyRecord>, AppError> {
        let from = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
        let to = NaiveDate::from_ymd_opt(2200, 12, 31).unwrap_or(NaiveDate::MAX);
        Ok(self.deps.custody.days(family, from, to).await?)
    }

    pub async fn integrity(&self, who: &Principal) -> Result<IntegrityReport, AppError> {
        let family = who.family()?;
        let valid = self.valid_custodians(family).await?;
        let ids: BTreeSet<UserId> = valid.iter().map(|m| m.user.id).collect();
        let days = self.all_days(family).await?;
        let mismatched_dates: Vec<NaiveDate> = days
            .iter()
            .filter(|r| !ids.contains(&r.day.custodian))
            .map(|r| r.day.date)
            .collect();
        Ok(IntegrityReport {
            total_records: days.len(),
            valid_records: days.len() - mismatched_dates.len(),
            mismatched_dates,
            valid_custodians: valid,
        })
    }

    /// The suggested custodian of a mismatched `date`: with exactly two active members, the
    /// other parent than the previous day's (when that one is valid), else the first parent.
    fn suggestion(valid: &[FamilyMember], tl: &Timeline, date: NaiveDate) -> Option<UserId> {
        let [a, b] = valid else { return None };
        let (a, b) = (a.user.id, b.user.id);
        let prev = tl
            .get(&pred(date))
            .filter(|p| p.date != date)
            .map(|p| p.custodian);
        Some(match prev {
            Some(p) if p == a => b,
            Some(p) if p == b => a,
            _ => a,
        })
    }

    pub async fn mismatches(&self, who: &Principal, limit: i64) -> Result<Vec<Mismatch>, AppError> {
        let family = who.family()?;
        let members = self.members(family).await?;
        let names = Names::of(&members);
        let valid = self.valid_custodians(family).await?;
        let ids: BTreeSet<UserId> = valid.iter().map(|m| m.user.id).collect();
        let latest = self
            .deps
            .custody
            .latest_days(family, limit.clamp(1, 1000))
            .await?;
        let (Some(min), Some(max)) = (
            latest.iter().map(|r| r.day.date).min(),
            latest.iter().map(|r| r.day.date).max(),
        ) else {
            return Ok(Vec::new());
        };
        let tl: Timeline = self
            .deps
            .custody
            .days(family, pred(min), max)
            .await?
            .into_iter()
            .map(|r| (r.day.date, r.day))
            .collect();
        Ok(latest
            .into_iter()
            .filter(|r| !ids.contains(&r.day.custodian))
            .map(|r| {
                let suggested = Self::suggestion(&valid, &tl, r.day.date)
                    .map(|id| (id, names.get(id).unwrap_or_default()));
                Mismatch {
                    date: r.day.date,
                    custody_id: r.id,
                    invalid_custodian: r.day.custodian,
                    // Only a (former) member's name: never a stranger's.
                    invalid_custodian_name: names.get(r.day.custodian),
                    suggested,
                }
            })
            .collect())
    }

    pub async fn fix_mismatches(
        &self,
        who: &Principal,
        dry_run: bool,
    ) -> Result<FixOutcome, AppError> {
        let family = who.family()?;
        let valid = self.valid_custodians(family).await?;
        if valid.len() != 2 {
            return Ok(FixOutcome::CannotFix(format!(
                "Cannot auto-fix: the family has {} active members, not 2",
                valid.len()
            )));
        }
        let ids: BTreeSet<UserId> = valid.iter().map(|m| m.user.id).collect();
        let names = Names::of(&self.members(family).await?);
        let fixes = |tl: &Timeline| -> Vec<(NaiveDate, UserId, UserId)> {
            // Fix in date order so a fixed day seeds the next day's suggestion.
            let mut view = tl.clone();
            let mut out = Vec::new();
            let dates: Vec<NaiveDate> = view.keys().copied().collect();
            for date in dates {
                let Some(day) = view.get(&date).cloned() else {
                    continue;
                };
                if ids.contains(&day.custodian) {
                    continue;
                }
                if let Some(new) = Self::suggestion(&valid, &view, date) {
                    out.push((date, day.custodian, new));
                    if let Some(d) = view.get_mut(&date) {
                        d.custodian = new;
                    }
                }
            }
            out
        };
        if dry_run {
            let tl: Timeline = self
                .all_days(family)
                .await?
                .into_iter()
                .map(|r| (r.day.date, r.day))
                .collect();
            return Ok(FixOutcome::Preview(fixes(&tl)));
        }
        let from = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
        let to = NaiveDate::from_ymd_opt(2200, 12, 31).unwrap_or(NaiveDate::MAX);
        let count = Mutex::new(0usize);
        let plan = |tl: &Timeline| {
            let list = fixes(tl);
            let mut merged = tl.clone();
            for (date, _, new) in &list {
                if let Some(d) = merged.get_mut(date) {
                    d.custodian = *new;
                }
            }
            let mut out: Vec<CustodyDay> = Vec::new();
            for (date, _, _) in &list {
                let mut slice: Vec<CustodyDay> = merged
                    .range(*date..=succ(*date))
                    .map(|(_, d)| d.clone())
                    .collect();
                let before = merged.get(&pred(*date)).filter(|d| d.date < *date);
                recompute_handoffs(before, &mut slice, &|id| names.get(id), DefaultsRule::Edit);
                for d in slice {
                    if let Some(m) = merged.get_mut(&d.date) {
                        *m = d.clone();
                    }
                    out.retain(|o| o.date != d.date);
                    out.push(d);
                }
            }
            if let Ok(mut c) = count.lock() {
                *c = list.len();
            }
            out.retain(|d| tl.get(&d.date) != Some(d));
            out.sort_by_key(|d| d.date);
            Ok(out)
        };
        self.write(family, who.user_id, from, to, &plan).await?;
        let fixed = count.lock().map(|c| *c).unwrap_or_default();
        info!(user.id = %who.user_id, fixes = fixed, "custody mismatches fixed");
        Ok(FixOutcome::Fixed(fixed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn plain(date: NaiveDate, custodian: UserId) -> CustodyDay {
        CustodyDay {
            date,
            custodian,
            handoff_day: false,
            handoff_time: None,
            handoff_location: None,
        }
    }

    /// Spec 3.1 steps 1-4: a time sent for a day that is not a change is discarded; a change
    /// without details gets the edit defaults; the next day follows.
    #[test]
    fn put_by_date_rederives_the_edited_and_the_next_day() {
        let (jeff, deb) = (UserId::random(), UserId::random());
        let names = Names([(jeff, "Jeff".to_owned()), (deb, "Deb".to_owned())].into());
        let (fri, sat, sun) = (d(2025, 3, 7), d(2025, 3, 8), d(2025, 3, 9));
        let tl: Timeline = [
            (fri, plain(fri, jeff)),
            (sat, plain(sat, jeff)),
            (sun, plain(sun, jeff)),
        ]
        .into_iter()
        .collect();
        let same = CustodyInput {
            date: sat,
            custodian: jeff,
            handoff_day: None,
            handoff_time: HandoffTime::from_hm(9, 0),
            handoff_location: Some("park".into()),
        };
        let day = edited_day(&same, sat, &tl, &names);
        assert_eq!(
            (day.handoff_day, day.handoff_time, day.handoff_location),
            (false, None, None)
        );

        let change = CustodyInput {
            custodian: deb,
            handoff_time: None,
            handoff_location: None,
            ..same
        };
        let day = edited_day(&change, sat, &tl, &names);
        assert!(day.handoff_day);
        assert_eq!(
            day.handoff_time.map(|t| t.to_string()).as_deref(),
            Some("12:00")
        );
        assert_eq!(day.handoff_location.as_deref(), Some("deb's home"));
        let next = fix_next_day(&tl[&sun], deb, &names).unwrap_or_else(|| plain(sun, deb));
        assert!(next.handoff_day);
        assert_eq!(next.handoff_location.as_deref(), Some("jeff's home"));
        assert_eq!(fix_next_day(&tl[&sun], jeff, &names), None, "unchanged");
    }

    #[test]
    fn cached_entries_round_trip() {
        let e = CustodyEntry {
            id: CustodyId::new(7),
            custodian_name: "Jeff".into(),
            day: CustodyDay {
                date: NaiveDate::from_ymd_opt(2025, 3, 8).unwrap_or_default(),
                custodian: UserId::random(),
                handoff_day: true,
                handoff_time: HandoffTime::from_hm(12, 0),
                handoff_location: Some("jeff's home".into()),
            },
        };
        let raw = encode_entries(std::slice::from_ref(&e));
        assert_eq!(decode_entries(&raw), Some(vec![e]));
        assert_eq!(decode_entries(b"garbage"), None);
    }
}
