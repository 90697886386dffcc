//! `/custody/performance/stats` and `/custody-maintenance/*`: statistics, the integrity report,
//! records naming someone who is not an active member, and their fix.

use std::collections::BTreeSet;
use std::sync::Mutex;

use calndr_domain::handoffs::{fixed_days, mismatch_fixes, pred, suggested_custodian, Fix};
use calndr_domain::{CustodyId, FamilyId, FamilyMember, Timeline, UserId, UserStatus};
use calndr_ports::{CustodyRecord, CustodyStats};
use chrono::NaiveDate;
use tracing::info;

use super::{CustodyService, Names};
use crate::{AppError, Principal};

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
    Preview(Vec<Fix>),
    Fixed(usize),
}

/// Every day a family can have.
fn all_time() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(2200, 12, 31).unwrap_or(NaiveDate::MAX),
    )
}

fn timeline(records: Vec<CustodyRecord>) -> Timeline {
    records.into_iter().map(|r| (r.day.date, r.day)).collect()
}

/// The two parents when the family has exactly two active members.
fn two(valid: &[FamilyMember]) -> Option<[UserId; 2]> {
    match valid {
        [a, b] => Some([a.user.id, b.user.id]),
        _ => None,
    }
}

impl CustodyService {
    /// `GET /custody/performance/stats`.
    pub async fn stats(&self, who: &Principal) -> Result<(FamilyId, CustodyStats), AppError> {
        let family = who.family()?;
        Ok((family, self.deps.custody.stats(family).await?))
    }

    /// Active members in creation order: the custodians a record may name.
    async fn valid_custodians(&self, family: FamilyId) -> Result<Vec<FamilyMember>, AppError> {
        let mut members = self.members(family).await?;
        members.retain(|m| matches!(m.user.status, Some(UserStatus::Active)));
        Ok(members)
    }

    async fn all_days(&self, family: FamilyId) -> Result<Vec<CustodyRecord>, AppError> {
        let (from, to) = all_time();
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
        let tl = timeline(self.deps.custody.days(family, pred(min), max).await?);
        Ok(latest
            .into_iter()
            .filter(|r| !ids.contains(&r.day.custodian))
            .map(|r| {
                let suggested = two(&valid)
                    .map(|parents| suggested_custodian(parents, &tl, r.day.date))
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
        let Some(parents) = two(&valid) else {
            return Ok(FixOutcome::CannotFix(format!(
                "Cannot auto-fix: the family has {} active members, not 2",
                valid.len()
            )));
        };
        if dry_run {
            let tl = timeline(self.all_days(family).await?);
            return Ok(FixOutcome::Preview(mismatch_fixes(&tl, parents)));
        }
        let names = Names::of(&self.members(family).await?);
        let (from, to) = all_time();
        // The plan may run more than once; the last run's count is what was written.
        let count = Mutex::new(0usize);
        let plan = |tl: &Timeline| {
            let fixes = mismatch_fixes(tl, parents);
            if let Ok(mut c) = count.lock() {
                *c = fixes.len();
            }
            Ok(fixed_days(tl, &fixes, &|id| names.get(id)))
        };
        self.write(family, who.user_id, (from, to), &plan, &[])
            .await?;
        let fixed = count.lock().map(|c| *c).unwrap_or_default();
        info!(user.id = %who.user_id, fixes = fixed, "custody mismatches fixed");
        Ok(FixOutcome::Fixed(fixed))
    }
}
