use async_trait::async_trait;
use calndr_domain::{
    AlternatingWeeks, FamilyId, PatternType, ScheduleTemplate, TemplateId, TemplateSpec, UserId,
    WeekLabel, WeekPattern,
};
use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::{CustodyRecord, StoreError, Timeline};

/// Decides the days an applied template writes, from the template and the days stored in the
/// window (both read inside the unit of work).
pub type TemplatePlan<'a> = dyn Fn(&ScheduleTemplate, &Timeline) -> Result<Vec<calndr_domain::CustodyDay>, StoreError>
    + Send
    + Sync
    + 'a;

/// Schedule templates; at most one active per family (creating, updating or applying an active
/// template deactivates the others in the same unit of work). Templates of another family are
/// `NotFound`. `Unavailable` when storage cannot be reached, `Unexpected` otherwise.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait TemplateStore: Send + Sync {
    /// Newest first.
    async fn templates(&self, family: FamilyId) -> Result<Vec<ScheduleTemplate>, StoreError>;
    async fn template(
        &self,
        family: FamilyId,
        id: TemplateId,
    ) -> Result<Option<ScheduleTemplate>, StoreError>;
    async fn active_template(
        &self,
        family: FamilyId,
    ) -> Result<Option<ScheduleTemplate>, StoreError>;
    async fn create_template(
        &self,
        family: FamilyId,
        creator: UserId,
        spec: &TemplateSpec,
    ) -> Result<ScheduleTemplate, StoreError>;
    /// Full replace. `NotFound` when absent.
    async fn update_template(
        &self,
        family: FamilyId,
        id: TemplateId,
        spec: &TemplateSpec,
    ) -> Result<ScheduleTemplate, StoreError>;
    /// `NotFound` when absent.
    async fn delete_template(&self, family: FamilyId, id: TemplateId) -> Result<(), StoreError>;
    /// One unit of work, serialised per family with custody writes: marks the template active
    /// (the others inactive), reads the custody days in `[from, to]`, runs `plan` and upserts
    /// what it returns. `NotFound` when the template is absent.
    async fn apply_template<'p>(
        &self,
        family: FamilyId,
        id: TemplateId,
        actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &TemplatePlan<'p>,
    ) -> Result<(ScheduleTemplate, Vec<CustodyRecord>), StoreError>;
}

/// The stored JSON of a weekly pattern: `{"sunday": "parent1"|"parent2"|null, ...}`.
pub fn week_to_json(w: &WeekPattern) -> Value {
    Value::Object(
        w.entries()
            .map(|(day, slot)| {
                (
                    day.to_owned(),
                    slot.map_or(Value::Null, |s| Value::String(s.as_wire().to_owned())),
                )
            })
            .collect::<Map<String, Value>>(),
    )
}

/// Reads a stored weekly pattern leniently (unknown keys and values mean "no record").
pub fn week_from_json(v: &Value) -> WeekPattern {
    let pairs: Vec<(&str, Option<&str>)> = v
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
        .unwrap_or_default();
    WeekPattern::from_pairs(
        pairs.into_iter().filter(|(k, _)| {
            [
                "sunday",
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
            ]
            .contains(k)
        }),
        "weekly_pattern",
    )
    .unwrap_or_default()
}

/// The stored JSON of an alternating-weeks pattern (the original's snake_case keys).
pub fn alternating_to_json(a: &AlternatingWeeks) -> Value {
    serde_json::json!({
        "week_a_pattern": week_to_json(&a.week_a),
        "week_b_pattern": week_to_json(&a.week_b),
        "starting_week": a.starting_week.as_str(),
        "reference_date": a.reference_date.format("%Y-%m-%d").to_string(),
    })
}

/// Reads a stored alternating-weeks pattern (snake_case or the app's camelCase keys); `None`
/// when it cannot be understood.
pub fn alternating_from_json(v: &Value) -> Option<AlternatingWeeks> {
    let get = |a: &str, b: &str| v.get(a).or_else(|| v.get(b));
    let reference = get("reference_date", "referenceDate")?.as_str()?;
    let reference_date = NaiveDate::parse_from_str(reference.get(..10)?, "%Y-%m-%d").ok()?;
    Some(AlternatingWeeks {
        week_a: week_from_json(get("week_a_pattern", "weekAPattern")?),
        week_b: week_from_json(get("week_b_pattern", "weekBPattern")?),
        starting_week: WeekLabel::parse(
            get("starting_week", "startingWeek")?.as_str()?,
            "starting_week",
        )
        .ok()?,
        reference_date,
    })
}

/// A stored `pattern_type` (anything unknown reads as weekly).
pub fn pattern_type_from_stored(raw: &str) -> PatternType {
    PatternType::parse(raw, "pattern_type").unwrap_or(PatternType::Weekly)
}
