//! Schedule templates (spec 3.2): CRUD, and applying one over a window of future days.

use std::sync::Mutex;

use calndr_domain::handoffs::{count_applied, next_after, pred, succ};
use calndr_domain::schedule::{expand, Expansion};
use calndr_domain::{
    ApplyCounts, ScheduleTemplate, TemplateId, TemplateSpec, Timeline, ValidationError,
};
use chrono::{Duration as Days, NaiveDate};
use tracing::info;

use super::{template_not_found, today, CustodyService, Names, MAX_APPLY_DAYS};
use crate::{AppError, Principal};

/// What an application of a template did.
#[derive(Debug, Clone)]
pub struct Applied {
    pub template_name: String,
    pub days_applied: usize,
    pub conflicts_overwritten: usize,
}

impl CustodyService {
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
            .map_err(template_not_found)
    }

    pub async fn delete_template(&self, who: &Principal, id: TemplateId) -> Result<(), AppError> {
        self.deps
            .templates
            .delete_template(who.family()?, id)
            .await
            .map_err(template_not_found)
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
        let first_name = |id| names.get(id);
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
        // The plan may run more than once; the last run's counts are what was written.
        let counts = Mutex::new(ApplyCounts::default());
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
            let mut days = expand(&plan, tl, &first_name);
            days.extend(next_after(tl, &days, end, &first_name));
            if let Ok(mut c) = counts.lock() {
                *c = count_applied(tl, &days);
            }
            Ok(days)
        };
        let (template, written) = self
            .deps
            .templates
            .apply_template(family, id, who.user_id, pred(start), succ(end), &plan)
            .await
            .map_err(template_not_found)?;
        self.written(family, &written).await;
        let counts = counts.lock().map(|c| *c).unwrap_or_default();
        info!(user.id = %who.user_id, days = counts.applied, "schedule template applied");
        Ok(Applied {
            template_name: template.spec.name,
            days_applied: counts.applied,
            conflicts_overwritten: counts.overwritten,
        })
    }
}
