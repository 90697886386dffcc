//! Who has the children at an instant, and how a range of days was shared (issue #15 item 4).
//!
//! Custody is recorded per day; a day whose custodian differs from the previous day's is a
//! handoff day, and the children change hands at its handoff time (midnight when it has none).
//! So before the handoff time on a handoff day the previous day's custodian still has them, and
//! each night belongs to that day's custodian. Instants here are local times in the family's
//! time zone.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::handoffs::pred;
use crate::{CustodyDay, UserId};

/// The longest range [`time_share`] is asked for: five years.
pub const MAX_TIME_SHARE_DAYS: i64 = 5 * 366;

/// The next change of hands after an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextHandoff {
    pub at: NaiveDateTime,
    pub location: Option<String>,
    pub to: UserId,
}

/// Who has the children at an instant, since when and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stay {
    pub custodian: UserId,
    /// When this stay began: the handoff to this custodian, or the first recorded day after a
    /// gap. `None` when it reaches back past the first day of the window (unknown here).
    pub since: Option<NaiveDateTime>,
    /// When it ends: the next handoff, or the first day without a record. `None` when it
    /// reaches past the last day of the window.
    pub until: Option<NaiveDateTime>,
    /// The handoff that ends it, when another parent's day follows.
    pub next_handoff: Option<NextHandoff>,
}

/// The days a stay lookup reads: the family's days of `[start, end]`, sorted by date, one per
/// date (as the store answers).
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub days: &'a [CustodyDay],
}

/// When the children change hands on `day`, if it is a handoff day: its handoff time, or
/// midnight.
fn change_time(day: &CustodyDay) -> NaiveTime {
    day.handoff_time.map_or(NaiveTime::MIN, |t| t.as_time())
}

impl Window<'_> {
    /// Day `i` directly follows day `i - 1` (no date between them).
    fn follows(&self, i: usize) -> bool {
        i > 0
            && self
                .days
                .get(i - 1)
                .zip(self.days.get(i))
                .is_some_and(|(a, b)| pred(b.date) == a.date)
    }

    /// Day `i` is a handoff day: it follows a day of another custodian.
    fn is_handoff(&self, i: usize) -> bool {
        self.follows(i) && self.days[i - 1].custodian != self.days[i].custodian
    }

    /// Who has the children at `at`; `None` when no day of the window covers it.
    pub fn stay_at(&self, at: NaiveDateTime) -> Option<Stay> {
        let days = self.days;
        let i = days.binary_search_by_key(&at.date(), |d| d.date).ok()?;
        // Before the handoff time of a handoff day, the previous day's custodian has them.
        let j = if self.is_handoff(i) && at.time() < change_time(&days[i]) {
            i - 1
        } else {
            i
        };
        let custodian = days[j].custodian;
        let mut first = j;
        while self.follows(first) && days[first - 1].custodian == custodian {
            first -= 1;
        }
        let since = if self.follows(first) {
            Some(days[first].date.and_time(change_time(&days[first])))
        } else if first > 0 || days[first].date > self.start {
            // A gap (or the start of the records) before it: from that day's midnight.
            Some(days[first].date.and_time(NaiveTime::MIN))
        } else {
            None
        };
        let mut last = j;
        while last + 1 < days.len()
            && self.follows(last + 1)
            && days[last + 1].custodian == custodian
        {
            last += 1;
        }
        let (until, next_handoff) = if self.follows(last + 1) {
            let next = &days[last + 1];
            let at = next.date.and_time(change_time(next));
            let handoff = NextHandoff {
                at,
                location: next.handoff_location.clone(),
                to: next.custodian,
            };
            (Some(at), Some(handoff))
        } else if days[last].date < self.end {
            // No record the next day: the stay ends with the records, at midnight.
            let gap = days[last].date.succ_opt();
            (gap.map(|d| d.and_time(NaiveTime::MIN)), None)
        } else {
            (None, None)
        };
        Some(Stay {
            custodian,
            since,
            until,
            next_handoff,
        })
    }
}

/// A continuous stay with one parent, as a calendar shows it: the days from `first` through
/// `last` (inclusive), split where the custodian changes (a handoff) or a day has no record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaySpan {
    pub custodian: UserId,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// The stays of `days` (sorted by date, one per date): every day lies in exactly one stay, and
/// two stays that touch have different custodians. The calendar feed shows each as one all-day
/// event ("Kids with Alice").
pub fn stays(days: &[CustodyDay]) -> Vec<StaySpan> {
    let mut out: Vec<StaySpan> = Vec::new();
    for day in days {
        match out.last_mut() {
            Some(s) if s.custodian == day.custodian && day.date.pred_opt() == Some(s.last) => {
                s.last = day.date;
            }
            _ => out.push(StaySpan {
                custodian: day.custodian,
                first: day.date,
                last: day.date,
            }),
        }
    }
    out
}

/// One parent's part of a range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Share {
    /// Nights with this parent: days of the range this parent is the custodian of.
    pub overnights: u32,
    /// Handoffs to this parent within the range.
    pub handoffs: u32,
    /// Per mille of the range's recorded nights (one decimal of a percent); the parents' add up
    /// to 1000 when any night is recorded.
    pub per_mille: u32,
}

/// How the days of `[start, end]` were shared. `days` are the family's days from the day before
/// `start` through `end`, sorted, one per date (the day before tells whether `start` is a
/// handoff). Returns each custodian's share and the days of the range without a record.
pub fn time_share(
    start: NaiveDate,
    end: NaiveDate,
    days: &[CustodyDay],
) -> (BTreeMap<UserId, Share>, u32) {
    let mut shares: BTreeMap<UserId, Share> = BTreeMap::new();
    let window = Window { start, end, days };
    let mut recorded = 0u32;
    for (i, day) in days.iter().enumerate() {
        if day.date < start || day.date > end {
            continue;
        }
        recorded += 1;
        let share = shares.entry(day.custodian).or_default();
        share.overnights += 1;
        if window.is_handoff(i) {
            share.handoffs += 1;
        }
    }
    let total = u32::try_from((end - start).num_days() + 1).unwrap_or(0);
    apportion(&mut shares, recorded);
    (shares, total.saturating_sub(recorded))
}

/// Per mille shares that add up to exactly 1000: each gets the floor of its exact share, and
/// the remaining units go to the largest remainders (ties to the lower id, for a stable answer).
fn apportion(shares: &mut BTreeMap<UserId, Share>, recorded: u32) {
    if recorded == 0 {
        return;
    }
    let exact = |s: &Share| u64::from(s.overnights) * 1000;
    let mut given = 0u64;
    let mut remainders: Vec<(u64, UserId)> = Vec::new();
    for (id, s) in shares.iter_mut() {
        let floor = exact(s) / u64::from(recorded);
        s.per_mille = u32::try_from(floor).unwrap_or(1000);
        given += floor;
        remainders.push((exact(s) % u64::from(recorded), *id));
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = 1000u64.saturating_sub(given);
    for (_, id) in remainders
        .into_iter()
        .take(usize::try_from(left).unwrap_or(0))
    {
        if let Some(s) = shares.get_mut(&id) {
            s.per_mille += 1;
        }
    }
}

#[cfg(test)]
#[path = "whereabouts_tests.rs"]
mod tests;
