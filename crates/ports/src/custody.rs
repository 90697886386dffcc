use async_trait::async_trait;
use calndr_domain::{CustodyDay, CustodyId, FamilyId, UserId};
use chrono::NaiveDate;

use crate::{NewJob, StoreError};

/// A stored custody day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyRecord {
    pub id: CustodyId,
    pub day: CustodyDay,
}

pub use calndr_domain::Timeline;

/// A stored custody day and its custodian's first name (`None` when no user row has the
/// custodian's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedCustodyRecord {
    pub record: CustodyRecord,
    pub custodian_name: Option<String>,
}

/// Decides, from the days stored in the window (read inside the unit of work), which days to
/// write. A plan may refuse with a `StoreError` (`NotFound`, `Conflict`), which aborts the unit
/// of work without writing anything. Pure: it may run more than once.
pub type CustodyPlan<'a> =
    dyn Fn(&Timeline) -> Result<Vec<CustodyDay>, StoreError> + Send + Sync + 'a;

/// Counters for `/custody/performance/stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CustodyStats {
    pub total: i64,
    pub handoffs: i64,
    pub earliest: Option<NaiveDate>,
    pub latest: Option<NaiveDate>,
}

/// Custody days, one per family per date. `Unavailable` when storage cannot be reached,
/// `Unexpected` otherwise.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CustodyStore: Send + Sync {
    /// The family's days from `from` through `to` (inclusive), ordered by date.
    async fn days(
        &self,
        family: FamilyId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CustodyRecord>, StoreError>;

    /// The same days as [`CustodyStore::days`], each with its custodian's first name, in one
    /// round trip to storage (the month view reads nothing else).
    async fn days_with_names(
        &self,
        family: FamilyId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<NamedCustodyRecord>, StoreError>;

    /// The newest `limit` days of the family (by date, descending).
    async fn latest_days(
        &self,
        family: FamilyId,
        limit: i64,
    ) -> Result<Vec<CustodyRecord>, StoreError>;

    /// One record of the family; `Ok(None)` when absent or another family's.
    async fn record(
        &self,
        family: FamilyId,
        id: CustodyId,
    ) -> Result<Option<CustodyRecord>, StoreError>;

    /// One atomic unit of work, serialised per family: reads the family's days in
    /// `[from, to]`, runs `plan` on them, upserts (by family and date) every day it returns,
    /// with `actor` as the writer, and inserts `jobs` (the deliveries the write causes, e.g. the
    /// custody-change pushes) into the job queue. All or nothing: when the plan refuses or any
    /// statement fails, no day is written and no job is queued; when it commits, every job is.
    /// Returns the written records, by date.
    async fn write_days<'p>(
        &self,
        family: FamilyId,
        actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &CustodyPlan<'p>,
        jobs: &[NewJob],
    ) -> Result<Vec<CustodyRecord>, StoreError>;

    async fn stats(&self, family: FamilyId) -> Result<CustodyStats, StoreError>;
}
