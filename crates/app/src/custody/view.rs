//! The month view (`GET /custody/{year}/{month}`), its rendered body and the handoff view, read
//! through the cache: a hit is one cache round trip, a cold miss one database query and one
//! cache write. An empty month after today is filled once from the active template.

use std::borrow::Cow;
use std::time::Duration;

use calndr_domain::handoffs::{next_after, pred, succ};
use calndr_domain::schedule::{expand, Expansion};
use calndr_domain::{CustodyDay, CustodyId, FamilyId, HandoffTime, Timeline, UserId, YearMonth};
use calndr_ports::NamedCustodyRecord;
use chrono::NaiveDate;
use tracing::info;

use super::{today, CustodyEntry, CustodyService, Names, UNKNOWN};
use crate::cache_keys::{custody_month, custody_month_rendered};
use crate::read_through::{Codec, Loaded, BYTES};
use crate::{AppError, Principal};

/// How long a month view stays cached. Every write retires the family's months at once; the
/// TTL only bounds staleness when that is lost in a cache outage.
pub const CUSTODY_TTL: Duration = Duration::from_secs(1800);

impl CustodyService {
    /// `GET /custody/{year}/{month}`: the month's days, through the cache. An empty month after
    /// today is filled once from the active template.
    pub async fn month(
        &self,
        who: &Principal,
        month: YearMonth,
    ) -> Result<Vec<CustodyEntry>, AppError> {
        let family = who.family()?;
        self.views
            .read(
                &custody_month(family, month),
                CUSTODY_TTL,
                &ENTRIES,
                self.load_month(who, family, month),
            )
            .await
    }

    /// The month view rendered by `render` (the caller's wire format), served from the cache
    /// when possible. Same data and freshness as [`CustodyService::month`].
    pub async fn month_rendered(
        &self,
        who: &Principal,
        month: YearMonth,
        render: &(dyn Fn(&[CustodyEntry]) -> Option<Vec<u8>> + Sync),
    ) -> Result<Vec<u8>, AppError> {
        let family = who.family()?;
        let load = async {
            let rendered = |entries: &[CustodyEntry]| {
                render(entries).ok_or_else(|| {
                    AppError::Unexpected("rendering the custody month failed".into())
                })
            };
            Ok(match self.load_month(who, family, month).await? {
                Loaded::Store(entries) => Loaded::Store(rendered(&entries)?),
                Loaded::Skip(entries) => Loaded::Skip(rendered(&entries)?),
            })
        };
        self.views
            .read(
                &custody_month_rendered(family, month),
                CUSTODY_TTL,
                &BYTES,
                load,
            )
            .await
    }

    /// `GET /custody/handoff-only/{year}/{month}`: flagged days with a time.
    pub async fn handoffs(
        &self,
        who: &Principal,
        month: YearMonth,
    ) -> Result<Vec<CustodyEntry>, AppError> {
        let mut entries = self.month(who, month).await?;
        entries.retain(|e| e.day.handoff_day && e.day.handoff_time.is_some());
        Ok(entries)
    }

    /// The month from the database: one query. An empty future month is filled from the
    /// active template and not cached either way (a template activated later must still fill
    /// it; a fill bumped the generation).
    async fn load_month(
        &self,
        who: &Principal,
        family: FamilyId,
        month: YearMonth,
    ) -> Result<Loaded<Vec<CustodyEntry>>, AppError> {
        let (first, last) = (month.first_day(), month.last_day());
        let days = self
            .deps
            .custody
            .days_with_names(family, first, last)
            .await?;
        if !days.is_empty() || first <= today() {
            return Ok(Loaded::Store(entries(days)));
        }
        if !self.fill_from_template(who, family, first, last).await? {
            return Ok(Loaded::Skip(Vec::new()));
        }
        let days = self
            .deps
            .custody
            .days_with_names(family, first, last)
            .await?;
        Ok(Loaded::Skip(entries(days)))
    }

    /// Writes an empty future month from the active template; true when days were written.
    async fn fill_from_template(
        &self,
        who: &Principal,
        family: FamilyId,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<bool, AppError> {
        let Some(template) = self.deps.templates.active_template(family).await? else {
            return Ok(false);
        };
        let Some(pattern) = template.spec.pattern() else {
            return Ok(false);
        };
        let members = self.members(family).await?;
        let [p1, p2, ..] = members.as_slice() else {
            return Ok(false);
        };
        let names = Names::of(&members);
        let parents = [p1.user.id, p2.user.id];
        let first_name = |id| names.get(id);
        let plan = |tl: &Timeline| {
            let plan = Expansion {
                pattern: pattern.clone(),
                parents,
                start: first,
                end: last,
                today: today(),
                overwrite: false,
            };
            let mut days = expand(&plan, tl, &first_name);
            days.extend(next_after(tl, &days, last, &first_name));
            Ok(days)
        };
        let written = self
            .write(family, who.user_id, (pred(first), succ(last)), &plan, &[])
            .await?;
        if !written.is_empty() {
            info!(family.id = %family, days = written.len(), "month filled from the active template");
        }
        Ok(!written.is_empty())
    }
}

pub(crate) fn entries(days: Vec<NamedCustodyRecord>) -> Vec<CustodyEntry> {
    days.into_iter()
        .map(|n| CustodyEntry {
            id: n.record.id,
            day: n.record.day,
            custodian_name: n.custodian_name.unwrap_or_else(|| UNKNOWN.to_owned()),
        })
        .collect()
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
    name: Cow<'a, str>,
    handoff: bool,
    /// Minutes after midnight.
    time: Option<u32>,
    #[serde(borrow)]
    place: Option<Cow<'a, str>>,
}

const ENTRIES: Codec<Vec<CustodyEntry>> = Codec {
    encode: |entries| encode_entries(entries),
    decode: decode_entries,
};

fn encode_entries(entries: &[CustodyEntry]) -> Option<Vec<u8>> {
    use chrono::{Datelike as _, Timelike as _};
    let cached: Vec<CachedEntry<'_>> = entries
        .iter()
        .map(|e| CachedEntry {
            id: e.id.get(),
            day: e.day.date.num_days_from_ce(),
            custodian: e.day.custodian.as_uuid(),
            name: Cow::Borrowed(e.custodian_name.as_str()),
            handoff: e.day.handoff_day,
            time: e
                .day
                .handoff_time
                .map(|t| t.as_time().hour() * 60 + t.as_time().minute()),
            place: e.day.handoff_location.as_deref().map(Cow::Borrowed),
        })
        .collect();
    serde_json::to_vec(&cached).ok()
}

fn decode_entries(raw: Vec<u8>) -> Option<Vec<CustodyEntry>> {
    let cached: Vec<CachedEntry<'_>> = serde_json::from_slice(&raw).ok()?;
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
                    handoff_location: e.place.map(Cow::into_owned),
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let raw = encode_entries(std::slice::from_ref(&e)).unwrap();
        assert_eq!(decode_entries(raw), Some(vec![e]));
        assert_eq!(decode_entries(b"garbage".to_vec()), None);
    }
}
