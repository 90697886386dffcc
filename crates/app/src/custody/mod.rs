//! Custody: month views read through the cache ([`view`]), single and bulk writes ([`edit`]),
//! schedule templates and their application ([`templates`]), maintenance ([`maintenance`]). The
//! handoff rules themselves are pure functions in `calndr_domain::handoffs`.
//!
//! Every write goes through one `write_days` / `apply_template` unit of work (serialised per
//! family in the store) and bumps the family's custody generation after it commits, which
//! retires every cached month view of the family (see [`crate::read_through`]).

mod edit;
mod maintenance;
mod templates;
mod view;

use std::collections::HashMap;
use std::sync::Arc;

use calndr_domain::{CustodyDay, CustodyId, FamilyId, FamilyMember, UserId, ValidationError};
use calndr_ports::{
    Cache, CustodyPlan, CustodyRecord, CustodyStore, FamilyStore, NewJob, StoreError, TemplateStore,
};
use chrono::{NaiveDate, Utc};

pub use calndr_domain::CustodyInput;
pub use maintenance::{FixOutcome, IntegrityReport, Mismatch};
pub use templates::Applied;
pub(crate) use view::entries;
pub use view::CUSTODY_TTL;

use crate::cache_keys::View;
use crate::outbox::PushOutbox;
use crate::read_through::ReadThrough;
use crate::AppError;

/// Longest window one template application or one batch may write.
pub const MAX_APPLY_DAYS: i64 = 1100;

/// A custody day as the month view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyEntry {
    pub id: CustodyId,
    pub day: CustodyDay,
    /// The custodian's first name.
    pub custodian_name: String,
}

#[derive(Clone)]
pub struct CustodyDeps {
    pub custody: Arc<dyn CustodyStore>,
    pub templates: Arc<dyn TemplateStore>,
    pub family: Arc<dyn FamilyStore>,
    pub cache: Arc<dyn Cache>,
    /// Custody-change pushes to the other parents (skipped while no provider is configured),
    /// queued with the days they announce.
    pub push: PushOutbox,
}

#[derive(Clone)]
pub struct CustodyService {
    deps: CustodyDeps,
    views: ReadThrough,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The name shown for a custodian without a user row.
pub(crate) const UNKNOWN: &str = "Unknown";

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
    /// The month view's entry of a record whose custodian is a member.
    fn entry(&self, record: CustodyRecord) -> CustodyEntry {
        CustodyEntry {
            id: record.id,
            custodian_name: self
                .get(record.day.custodian)
                .unwrap_or_else(|| UNKNOWN.to_owned()),
            day: record.day,
        }
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

fn template_not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("Schedule template"),
        other => other.into(),
    }
}

impl CustodyService {
    pub fn new(deps: CustodyDeps) -> Self {
        let views = ReadThrough::new(deps.cache.clone());
        Self { deps, views }
    }

    async fn members(&self, family: FamilyId) -> Result<Vec<FamilyMember>, AppError> {
        Ok(self.deps.family.members(family).await?)
    }

    /// Retires the family's cached month views; called after a write committed.
    async fn written(&self, family: FamilyId, written: &[CustodyRecord]) {
        if !written.is_empty() {
            self.views.bump(family, View::Custody).await;
        }
    }

    /// One unit of work; `jobs` (the deliveries the write causes) are queued in it.
    async fn write(
        &self,
        family: FamilyId,
        actor: UserId,
        (from, to): (NaiveDate, NaiveDate),
        plan: &CustodyPlan<'_>,
        jobs: &[NewJob],
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        let written = self
            .deps
            .custody
            .write_days(family, actor, from, to, plan, jobs)
            .await?;
        self.written(family, &written).await;
        Ok(written)
    }
}
