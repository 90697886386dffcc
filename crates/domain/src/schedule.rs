//! Schedule templates (spec 3.2): weekly and alternating-weeks patterns, expanded into custody
//! days. Expansion never touches today or the past, skips existing days unless asked to overwrite,
//! and is idempotent.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::custody::{recompute_handoffs, CustodyDay, DefaultsRule};
use crate::{UserId, ValidationError};

/// A template names parents by slot: parent1 is the family's first member, parent2 the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParentSlot {
    Parent1,
    Parent2,
}

impl ParentSlot {
    /// `"parent1"` / `"parent2"`; anything else (null, "none", a user id) means "no record".
    pub fn from_wire(raw: Option<&str>) -> Option<Self> {
        match raw.map(str::trim) {
            Some("parent1") => Some(Self::Parent1),
            Some("parent2") => Some(Self::Parent2),
            _ => None,
        }
    }

    pub fn as_wire(self) -> &'static str {
        match self {
            Self::Parent1 => "parent1",
            Self::Parent2 => "parent2",
        }
    }
}

/// Who has the children on each weekday (`sunday` … `saturday`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeekPattern([Option<ParentSlot>; 7]);

/// Longest template name.
pub const TEMPLATE_NAME_MAX: usize = 255;
/// Longest template description.
pub const TEMPLATE_DESCRIPTION_MAX: usize = 2000;

/// The weekday names a pattern is keyed by (any case), Sunday first.
pub const DAY_NAMES: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

impl WeekPattern {
    /// From `(weekday name, value)` pairs; unknown weekday names are refused.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
        field: &'static str,
    ) -> Result<Self, ValidationError> {
        let mut days = [None; 7];
        for (name, value) in pairs {
            let i = DAY_NAMES
                .iter()
                .position(|d| d.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| ValidationError::new(field, format!("unknown weekday {name:?}")))?;
            days[i] = ParentSlot::from_wire(value);
        }
        Ok(Self(days))
    }

    pub fn get(&self, day: Weekday) -> Option<ParentSlot> {
        self.0[day.num_days_from_sunday() as usize]
    }

    /// `(weekday name, slot)` for every weekday, Sunday first.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, Option<ParentSlot>)> + '_ {
        DAY_NAMES.iter().copied().zip(self.0.iter().copied())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekLabel {
    A,
    B,
}

/// The rule a template follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchedulePattern {
    Weekly(WeekPattern),
    /// Week A and week B alternate; the week containing `reference_date` is `starting_week`.
    AlternatingWeeks {
        week_a: WeekPattern,
        week_b: WeekPattern,
        starting_week: WeekLabel,
        reference_date: NaiveDate,
    },
}

fn week_start(date: NaiveDate) -> NaiveDate {
    date - chrono::Duration::days(i64::from(date.weekday().num_days_from_sunday()))
}

impl SchedulePattern {
    /// The slot that has the children on `date`, if the pattern names one.
    pub fn slot_on(&self, date: NaiveDate) -> Option<ParentSlot> {
        match self {
            Self::Weekly(w) => w.get(date.weekday()),
            Self::AlternatingWeeks {
                week_a,
                week_b,
                starting_week,
                reference_date,
            } => {
                let weeks = (week_start(date) - week_start(*reference_date)).num_days() / 7;
                let same = weeks.rem_euclid(2) == 0;
                let label = match (starting_week, same) {
                    (WeekLabel::A, true) | (WeekLabel::B, false) => WeekLabel::A,
                    _ => WeekLabel::B,
                };
                match label {
                    WeekLabel::A => week_a.get(date.weekday()),
                    WeekLabel::B => week_b.get(date.weekday()),
                }
            }
        }
    }
}

/// What an expansion should do.
#[derive(Debug, Clone)]
pub struct Expansion {
    pub pattern: SchedulePattern,
    /// parent1 and parent2 (the family's first two members).
    pub parents: [UserId; 2],
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub today: NaiveDate,
    /// Replace existing future days instead of skipping them.
    pub overwrite: bool,
}

/// The days to write for `plan`, given the family's `existing` days from the day before the window
/// through its end. Days before tomorrow are never produced; handoff flags are derived over the
/// merged timeline with the generator's defaults. Returns the days sorted by date.
pub fn expand(
    plan: &Expansion,
    existing: &BTreeMap<NaiveDate, CustodyDay>,
    first_name_of: &dyn Fn(UserId) -> Option<String>,
) -> Vec<CustodyDay> {
    let Some(tomorrow) = plan.today.succ_opt() else {
        return Vec::new();
    };
    let start = plan.start.max(tomorrow);
    if plan.end < start {
        return Vec::new();
    }
    let mut timeline: Vec<CustodyDay> = Vec::new();
    let mut written: Vec<bool> = Vec::new();
    let mut date = start;
    while date <= plan.end {
        let generated = plan.pattern.slot_on(date).map(|slot| CustodyDay {
            date,
            custodian: match slot {
                ParentSlot::Parent1 => plan.parents[0],
                ParentSlot::Parent2 => plan.parents[1],
            },
            handoff_day: false,
            handoff_time: None,
            handoff_location: None,
        });
        match (existing.get(&date), generated) {
            (Some(old), Some(new)) if plan.overwrite && old.custodian != new.custodian => {
                timeline.push(new);
                written.push(true);
            }
            (Some(old), _) => {
                timeline.push(old.clone());
                written.push(false);
            }
            (None, Some(new)) => {
                timeline.push(new);
                written.push(true);
            }
            (None, None) => {}
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    let before = start.pred_opt().and_then(|d| existing.get(&d));
    let original = timeline.clone();
    recompute_handoffs(
        before,
        &mut timeline,
        first_name_of,
        DefaultsRule::Generator,
    );
    // Write the generated days, and existing days whose handoff flag the new neighbours changed.
    timeline
        .into_iter()
        .zip(original)
        .zip(written)
        .filter_map(|((new, old), write)| {
            (write || new.handoff_day != old.handoff_day).then_some(new)
        })
        .collect()
}

/// A schedule template's id (`schedule_templates.id`, SERIAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TemplateId(i32);

impl TemplateId {
    pub const fn new(id: i32) -> Self {
        Self(id)
    }
    pub const fn get(&self) -> i32 {
        self.0
    }
}

impl std::fmt::Display for TemplateId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

/// `pattern_type`. Only weekly and alternating weeks are generated; alternating days is stored
/// and returned (the app offers it) but writes no days. The original's `custom` is refused at
/// the edge: the app cannot decode a list holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternType {
    Weekly,
    AlternatingWeeks,
    AlternatingDays,
}

impl PatternType {
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        match raw.trim() {
            "weekly" => Ok(Self::Weekly),
            "alternating_weeks" => Ok(Self::AlternatingWeeks),
            "alternating_days" => Ok(Self::AlternatingDays),
            _ => Err(ValidationError::new(
                field,
                "must be weekly, alternating_weeks or alternating_days",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::AlternatingWeeks => "alternating_weeks",
            Self::AlternatingDays => "alternating_days",
        }
    }
}

impl WeekLabel {
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, ValidationError> {
        match raw.trim() {
            "A" | "a" => Ok(Self::A),
            "B" | "b" => Ok(Self::B),
            _ => Err(ValidationError::new(field, "must be A or B")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
        }
    }
}

/// The alternating-weeks part of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlternatingWeeks {
    pub week_a: WeekPattern,
    pub week_b: WeekPattern,
    pub starting_week: WeekLabel,
    pub reference_date: NaiveDate,
}

/// What a template says, as written by a parent (create and full replace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSpec {
    pub name: String,
    pub description: Option<String>,
    pub pattern_type: PatternType,
    pub weekly: Option<WeekPattern>,
    pub alternating: Option<AlternatingWeeks>,
    pub is_active: bool,
}

impl TemplateSpec {
    /// The rule the generator follows, if this template can be generated.
    pub fn pattern(&self) -> Option<SchedulePattern> {
        match self.pattern_type {
            PatternType::Weekly => self.weekly.clone().map(SchedulePattern::Weekly),
            PatternType::AlternatingWeeks => {
                self.alternating
                    .clone()
                    .map(|a| SchedulePattern::AlternatingWeeks {
                        week_a: a.week_a,
                        week_b: a.week_b,
                        starting_week: a.starting_week,
                        reference_date: a.reference_date,
                    })
            }
            PatternType::AlternatingDays => None,
        }
    }
}

/// A stored template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleTemplate {
    pub id: TemplateId,
    pub family_id: crate::FamilyId,
    pub spec: TemplateSpec,
    pub created_at: Option<chrono::NaiveDateTime>,
    pub updated_at: Option<chrono::NaiveDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn weekly(spec: [Option<&str>; 7]) -> WeekPattern {
        WeekPattern::from_pairs(DAY_NAMES.iter().copied().zip(spec), "weekly_pattern").unwrap()
    }

    fn plan(
        pattern: SchedulePattern,
        start: NaiveDate,
        end: NaiveDate,
        today: NaiveDate,
    ) -> Expansion {
        Expansion {
            pattern,
            parents: [UserId::random(), UserId::random()],
            start,
            end,
            today,
            overwrite: false,
        }
    }

    fn apply(existing: &mut BTreeMap<NaiveDate, CustodyDay>, days: Vec<CustodyDay>) {
        for day in days {
            existing.insert(day.date, day);
        }
    }

    #[test]
    fn weekly_expansion_starts_tomorrow_and_marks_handoffs() {
        let p1 = Some("parent1");
        let p2 = Some("parent2");
        let pattern = SchedulePattern::Weekly(weekly([p1, p1, p1, p2, p2, p2, p1]));
        // 2025-03-05 is a Wednesday.
        let plan = plan(pattern, d(2025, 3, 1), d(2025, 3, 15), d(2025, 3, 5));
        let days = expand(&plan, &BTreeMap::new(), &|_| None);
        assert_eq!(days.first().map(|x| x.date), Some(d(2025, 3, 6)));
        assert_eq!(days.len(), 10);
        let thursday = &days[0];
        assert_eq!(thursday.custodian, plan.parents[1]);
        assert!(!thursday.handoff_day, "no earlier record to compare with");
        let saturday = days.iter().find(|x| x.date == d(2025, 3, 8)).unwrap();
        assert!(saturday.handoff_day);
        assert_eq!(saturday.handoff_location.as_deref(), Some("other"));
    }

    #[test]
    fn alternating_weeks_alternate_from_the_reference_week() {
        let all = |v: &'static str| weekly([Some(v); 7]);
        let pattern = SchedulePattern::AlternatingWeeks {
            week_a: all("parent1"),
            week_b: all("parent2"),
            starting_week: WeekLabel::A,
            reference_date: d(2025, 3, 4),
        };
        assert_eq!(pattern.slot_on(d(2025, 3, 2)), Some(ParentSlot::Parent1));
        assert_eq!(pattern.slot_on(d(2025, 3, 9)), Some(ParentSlot::Parent2));
        assert_eq!(pattern.slot_on(d(2025, 3, 16)), Some(ParentSlot::Parent1));
        assert_eq!(pattern.slot_on(d(2025, 2, 23)), Some(ParentSlot::Parent2));
    }

    proptest! {
        /// Expanding, writing the result, and expanding again writes nothing: templates apply once.
        #[test]
        fn expansion_is_idempotent_and_never_touches_the_past(
            picks in proptest::collection::vec(proptest::option::of(0usize..2), 7),
            offset in 0i64..40,
            len in 0i64..120,
            seeded in proptest::collection::vec((0i64..150, 0usize..2), 0..20),
        ) {
            let names = [Some("parent1"), Some("parent2")];
            let spec: Vec<Option<&str>> = picks.iter().map(|p| p.and_then(|i| names[i])).collect();
            let pattern = SchedulePattern::Weekly(weekly([spec[0], spec[1], spec[2], spec[3], spec[4], spec[5], spec[6]]));
            let today = d(2025, 6, 10);
            let start = today + chrono::Duration::days(offset - 20);
            let end = start + chrono::Duration::days(len);
            let plan = plan(pattern, start, end, today);
            let mut existing = BTreeMap::new();
            for (o, who) in seeded {
                let date = today + chrono::Duration::days(o - 10);
                existing.insert(date, CustodyDay { date, custodian: plan.parents[who], handoff_day: false, handoff_time: None, handoff_location: None });
            }
            let first = expand(&plan, &existing, &|_| None);
            for day in &first {
                prop_assert!(day.date > today);
                prop_assert!(day.date >= start && day.date <= end);
            }
            let mut dates: Vec<_> = first.iter().map(|x| x.date).collect();
            dates.dedup();
            prop_assert_eq!(dates.len(), first.len(), "one record per date");
            apply(&mut existing, first);
            let second = expand(&plan, &existing, &|_| None);
            prop_assert!(second.is_empty(), "second expansion wrote {:?}", second);
        }
    }
}
