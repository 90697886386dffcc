//! The handoff rules of custody writes (spec 3.1) and template applications (spec 3.2), as pure
//! functions over a family's [`Timeline`]: which days a create, an edit, a batch or a maintenance
//! fix writes, and what an application of a template counts.
//!
//! Every function takes the custodians' first names as `first_name_of` (the weekend default
//! place of an edit names the receiving parent).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::custody::{default_handoff, recompute_handoffs, CustodyDay, DefaultsRule, HandoffTime};
use crate::UserId;

/// A family's stored days in a window, by date.
pub type Timeline = BTreeMap<NaiveDate, CustodyDay>;

/// A custody write from the app, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyInput {
    pub date: NaiveDate,
    pub custodian: UserId,
    pub handoff_day: Option<bool>,
    pub handoff_time: Option<HandoffTime>,
    pub handoff_location: Option<String>,
}

/// The calendar day before `d` (`d` itself at the start of the calendar).
pub fn pred(d: NaiveDate) -> NaiveDate {
    d.pred_opt().unwrap_or(d)
}

/// The calendar day after `d` (`d` itself at the end of the calendar).
pub fn succ(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}

/// Whether the calendar day before `date` has a record naming someone else than `custodian`.
fn previous_differs(tl: &Timeline, date: NaiveDate, custodian: UserId) -> bool {
    tl.get(&pred(date))
        .is_some_and(|p| p.date != date && p.custodian != custodian)
}

/// The stored day after `date`, if any.
fn next_of(tl: &Timeline, date: NaiveDate) -> Option<&CustodyDay> {
    tl.get(&succ(date)).filter(|n| n.date != date)
}

/// The day `POST /custody/` writes: flagged as given, else when a time is given, else when the
/// previous day's custodian differs; a flagged day without a time gets the edit defaults.
pub fn created_day(
    input: &CustodyInput,
    tl: &Timeline,
    first_name_of: &dyn Fn(UserId) -> Option<String>,
) -> CustodyDay {
    let date = input.date;
    let handoff = input
        .handoff_day
        .unwrap_or(input.handoff_time.is_some() || previous_differs(tl, date, input.custodian));
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
            first_name_of(input.custodian).as_deref(),
            DefaultsRule::Edit,
        );
        day.handoff_time = Some(t);
        day.handoff_location = day.handoff_location.or(Some(place));
    }
    day
}

/// The edited day of `PUT /custody/date/{date}` (spec 3.1 steps 1-3): the client's flag wins
/// when sent; otherwise a time sent for a day that is not a change is discarded and a change
/// without details gets the edit defaults.
pub fn edited_day(
    input: &CustodyInput,
    date: NaiveDate,
    tl: &Timeline,
    first_name_of: &dyn Fn(UserId) -> Option<String>,
) -> CustodyDay {
    let value = input.handoff_day.unwrap_or(input.handoff_time.is_some());
    let mut day = CustodyDay {
        date,
        custodian: input.custodian,
        handoff_day: value,
        handoff_time: input.handoff_time,
        handoff_location: input.handoff_location.clone(),
    };
    if input.handoff_day.is_none() {
        let derived = previous_differs(tl, date, input.custodian);
        if derived != value {
            if derived {
                let (t, place) = default_handoff(
                    date,
                    first_name_of(input.custodian).as_deref(),
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

/// Step 4 of the PUT algorithm (spec 3.1): the next day's handoff after `custodian` has the day
/// before it. `None` when nothing changes. Never changes the next day's date or custodian.
pub fn fix_next_day(
    next: &CustodyDay,
    custodian: UserId,
    first_name_of: &dyn Fn(UserId) -> Option<String>,
) -> Option<CustodyDay> {
    let mut n = next.clone();
    if n.custodian != custodian {
        if !n.handoff_day || n.handoff_time.is_none() {
            let (t, place) = default_handoff(
                n.date,
                first_name_of(n.custodian).as_deref(),
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

/// What a single-day write stores: `day`, then the next stored day when its handoff changes.
pub fn with_next_day(
    day: CustodyDay,
    tl: &Timeline,
    first_name_of: &dyn Fn(UserId) -> Option<String>,
) -> Vec<CustodyDay> {
    let next = next_of(tl, day.date).and_then(|n| fix_next_day(n, day.custodian, first_name_of));
    std::iter::once(day).chain(next).collect()
}

/// The stored day right after a generated window ending at `end`, when the window's last day
/// changed its handoff (the generator's defaults). `None` when it has no record or nothing
/// changes. Never changes that day's custodian.
pub fn next_after(
    tl: &Timeline,
    written: &[CustodyDay],
    end: NaiveDate,
    first_name_of: &dyn Fn(UserId) -> Option<String>,
) -> Option<CustodyDay> {
    let next = next_of(tl, end)?;
    let last = written
        .iter()
        .find(|d| d.date == end)
        .or_else(|| tl.get(&end))?;
    let mut slice = [next.clone()];
    recompute_handoffs(
        Some(last),
        &mut slice,
        first_name_of,
        DefaultsRule::Generator,
    );
    let [fixed] = slice;
    (fixed != *next).then_some(fixed)
}

/// What an application of a template reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyCounts {
    /// Days written that had no record or named another custodian.
    pub applied: usize,
    /// Of those, the days that replaced another custodian's record.
    pub overwritten: usize,
}

/// Counts what writing `days` over `tl` applies. A day whose custodian stays (only its handoff
/// changed next to a generated day) is written but not counted.
pub fn count_applied(tl: &Timeline, days: &[CustodyDay]) -> ApplyCounts {
    days.iter()
        .fold(ApplyCounts::default(), |c, d| match tl.get(&d.date) {
            None => ApplyCounts {
                applied: c.applied + 1,
                ..c
            },
            Some(old) if old.custodian != d.custodian => ApplyCounts {
                applied: c.applied + 1,
                overwritten: c.overwritten + 1,
            },
            Some(_) => c,
        })
}

/// What `POST /custody/bulk` writes: the batch merged over the stored days (the batch wins),
/// handoffs recomputed with the edit defaults from the day before the first date through the day
/// after the last. Returns every batch day and every stored day whose handoff changed.
pub fn bulk_days(
    tl: &Timeline,
    inputs: &[CustodyInput],
    first_name_of: &dyn Fn(UserId) -> Option<String>,
) -> Vec<CustodyDay> {
    let dates: BTreeSet<NaiveDate> = inputs.iter().map(|i| i.date).collect();
    let (Some(&min), Some(&max)) = (dates.first(), dates.last()) else {
        return Vec::new();
    };
    let mut merged = tl.clone();
    for i in inputs {
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
    recompute_handoffs(before, &mut slice, first_name_of, DefaultsRule::Edit);
    slice
        .into_iter()
        .filter(|d| tl.get(&d.date) != Some(d) || dates.contains(&d.date))
        .collect()
}

/// The suggested custodian of a mismatched `date` in a family of exactly two active `parents`:
/// the other parent than the previous day's (when that one is a parent), else the first.
pub fn suggested_custodian(parents: [UserId; 2], tl: &Timeline, date: NaiveDate) -> UserId {
    let [a, b] = parents;
    match tl.get(&pred(date)).filter(|p| p.date != date) {
        Some(p) if p.custodian == a => b,
        Some(p) if p.custodian == b => a,
        _ => a,
    }
}

/// One maintenance fix: the date, its invalid custodian and the suggested one.
pub type Fix = (NaiveDate, UserId, UserId);

/// The fixes of every day whose custodian is not one of `parents`, in date order, so that a
/// fixed day seeds the next day's suggestion.
pub fn mismatch_fixes(tl: &Timeline, parents: [UserId; 2]) -> Vec<Fix> {
    let mut view = tl.clone();
    let mut out = Vec::new();
    for (date, day) in tl {
        if parents.contains(&day.custodian) {
            continue;
        }
        let new = suggested_custodian(parents, &view, *date);
        out.push((*date, day.custodian, new));
        if let Some(d) = view.get_mut(date) {
            d.custodian = new;
        }
    }
    out
}

/// What applying `fixes` writes: the fixed days and the days after them, with handoffs
/// recomputed (edit defaults); only days that change, by date.
pub fn fixed_days(
    tl: &Timeline,
    fixes: &[Fix],
    first_name_of: &dyn Fn(UserId) -> Option<String>,
) -> Vec<CustodyDay> {
    let mut merged = tl.clone();
    for (date, _, new) in fixes {
        if let Some(d) = merged.get_mut(date) {
            d.custodian = *new;
        }
    }
    let mut out: BTreeMap<NaiveDate, CustodyDay> = BTreeMap::new();
    for (date, _, _) in fixes {
        let mut slice: Vec<CustodyDay> = merged
            .range(*date..=succ(*date))
            .map(|(_, d)| d.clone())
            .collect();
        let before = merged.get(&pred(*date)).filter(|d| d.date < *date);
        recompute_handoffs(before, &mut slice, first_name_of, DefaultsRule::Edit);
        for d in slice {
            if let Some(m) = merged.get_mut(&d.date) {
                *m = d.clone();
            }
            out.insert(d.date, d);
        }
    }
    out.into_values()
        .filter(|d| tl.get(&d.date) != Some(d))
        .collect()
}

#[cfg(test)]
#[path = "handoffs_tests.rs"]
mod tests;
