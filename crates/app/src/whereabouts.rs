//! "Who has the children" at an instant and how a range of days was shared (issue #15 item 4),
//! in the family's time zone. The rules are `calndr_domain::whereabouts`; this reads the days
//! around the instant (a month each side first, a year each side when the stay is longer).

use std::collections::HashMap;
use std::sync::Arc;

use calndr_domain::whereabouts::{time_share, Share, Stay, Window, MAX_TIME_SHARE_DAYS};
use calndr_domain::{CustodyDay, FamilyTimeZone, UserId, ValidationError};
use calndr_ports::{CustodyStore, FamilySettingsStore, FamilyStore};
use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};

use crate::custody::UNKNOWN;
use crate::{AppError, Principal};

/// Days read each side of the instant first, and at most.
const NEAR: i64 = 31;
const FAR: i64 = 366;

#[derive(Clone)]
pub struct WhereaboutsDeps {
    pub custody: Arc<dyn CustodyStore>,
    pub family: Arc<dyn FamilyStore>,
    pub settings: Arc<dyn FamilySettingsStore>,
}

#[derive(Clone)]
pub struct WhereaboutsService {
    deps: WhereaboutsDeps,
}

/// Who has the children at `at` (local time in `timezone`), with first names.
#[derive(Debug, Clone)]
pub struct WhoAnswer {
    pub at: NaiveDateTime,
    pub timezone: FamilyTimeZone,
    /// `None` when no custody day covers the instant.
    pub stay: Option<Stay>,
    /// The first name of the stay's custodian.
    pub custodian_name: Option<String>,
    /// The first name of the parent the next handoff goes to.
    pub next_name: Option<String>,
}

/// One parent's part of a range.
#[derive(Debug, Clone)]
pub struct ParentShare {
    pub custodian: UserId,
    pub first_name: String,
    pub share: Share,
}

#[derive(Debug, Clone)]
pub struct TimeShare {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub days: u32,
    pub unrecorded_days: u32,
    /// The family's members first (in custodian order, with 0 nights if they had none), then
    /// any other custodian of the range (a former member).
    pub parents: Vec<ParentShare>,
}

impl WhereaboutsService {
    pub fn new(deps: WhereaboutsDeps) -> Self {
        Self { deps }
    }

    /// The family's time zone and the current local time in it.
    async fn zone(&self, who: &Principal) -> Result<(FamilyTimeZone, NaiveDateTime), AppError> {
        let family = who.family()?;
        let zone = self.deps.settings.family_settings(family).await?.timezone;
        Ok((zone, Utc::now().with_timezone(&zone.tz()).naive_local()))
    }

    /// Days of `[from, to]` with their custodians' names (a former member's included).
    async fn days(
        &self,
        who: &Principal,
        from: NaiveDate,
        to: NaiveDate,
        names: &mut HashMap<UserId, String>,
    ) -> Result<Vec<CustodyDay>, AppError> {
        let family = who.family()?;
        let rows = self.deps.custody.days_with_names(family, from, to).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                if let Some(name) = r.custodian_name {
                    names.insert(r.record.day.custodian, name);
                }
                r.record.day
            })
            .collect())
    }

    /// `GET /custody/who`: who has the children at `at` (local time in the family's zone; now
    /// when `None`).
    pub async fn who(
        &self,
        who: &Principal,
        at: Option<NaiveDateTime>,
    ) -> Result<WhoAnswer, AppError> {
        let (timezone, now) = self.zone(who).await?;
        let at = at.unwrap_or(now);
        let mut names = HashMap::new();
        let mut stay = None;
        for reach in [NEAR, FAR] {
            let (start, end) = around(at.date(), reach)?;
            let days = self.days(who, start, end, &mut names).await?;
            stay = Window {
                start,
                end,
                days: &days,
            }
            .stay_at(at);
            // Read further only when the stay runs past the window it was read in.
            let open = stay
                .as_ref()
                .is_some_and(|s| s.since.is_none() || s.until.is_none());
            if !open {
                break;
            }
        }
        let name = |id: UserId| {
            names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| UNKNOWN.to_owned())
        };
        Ok(WhoAnswer {
            at,
            timezone,
            custodian_name: stay.as_ref().map(|s| name(s.custodian)),
            next_name: stay
                .as_ref()
                .and_then(|s| s.next_handoff.as_ref())
                .map(|h| name(h.to)),
            stay,
        })
    }

    /// `GET /custody/time-share`: overnights, share and handoffs per parent over
    /// `[start, end]` (at most five years).
    pub async fn time_share(
        &self,
        who: &Principal,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<TimeShare, AppError> {
        if end < start {
            return Err(ValidationError::new("end", "must not be before start").into());
        }
        let days_in_range = (end - start).num_days() + 1;
        if days_in_range > MAX_TIME_SHARE_DAYS {
            return Err(ValidationError::new(
                "end",
                format!("the range may span at most {MAX_TIME_SHARE_DAYS} days"),
            )
            .into());
        }
        let family = who.family()?;
        let mut names = HashMap::new();
        let before = start.pred_opt().unwrap_or(start);
        let days = self.days(who, before, end, &mut names).await?;
        let (mut shares, unrecorded_days) = time_share(start, end, &days);
        let members = self.deps.family.members(family).await?;
        let mut parents = Vec::new();
        for m in &members {
            let share = shares.remove(&m.user.id).unwrap_or_default();
            parents.push(ParentShare {
                custodian: m.user.id,
                first_name: m.user.first_name.as_str().to_owned(),
                share,
            });
        }
        for (custodian, share) in shares {
            parents.push(ParentShare {
                custodian,
                first_name: names
                    .get(&custodian)
                    .cloned()
                    .unwrap_or_else(|| UNKNOWN.to_owned()),
                share,
            });
        }
        Ok(TimeShare {
            start,
            end,
            days: u32::try_from(days_in_range).unwrap_or(0),
            unrecorded_days,
            parents,
        })
    }
}

/// `reach` days each side of `date`, kept inside the dates the calendar has.
fn around(date: NaiveDate, reach: i64) -> Result<(NaiveDate, NaiveDate), AppError> {
    let out_of_range = || AppError::from(ValidationError::new("at", "is out of range"));
    let start = date
        .checked_sub_signed(Duration::days(reach))
        .ok_or_else(out_of_range)?;
    let end = date
        .checked_add_signed(Duration::days(reach))
        .ok_or_else(out_of_range)?;
    Ok((start, end))
}
