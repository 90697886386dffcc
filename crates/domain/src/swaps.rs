//! Custody swap requests (issue #15 item 3): one parent asks the other to take some of their
//! days ("give") or to give them some of the other's days ("take"); the other accepts or
//! declines, the proposer may cancel, and an unanswered request expires. The rules here are
//! pure; storing, the one-transaction accept and the notifications are the use case's.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::{UserId, ValidationError};

/// The most days one request may move.
pub const MAX_SWAP_DATES: usize = 62;

/// How long a request waits for an answer unless its first day comes sooner.
pub const DEFAULT_SWAP_TTL: Duration = Duration::hours(72);

/// Which way the days move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapDirection {
    /// The proposer's days go to the other parent.
    Give,
    /// The other parent's days go to the proposer.
    Take,
}

impl SwapDirection {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "give" => Ok(Self::Give),
            "take" => Ok(Self::Take),
            _ => Err(ValidationError::new("direction", "must be give or take")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Give => "give",
            Self::Take => "take",
        }
    }

    /// Who has the days once the request is accepted.
    pub fn new_custodian(self, proposer: UserId, responder: UserId) -> UserId {
        match self {
            Self::Give => responder,
            Self::Take => proposer,
        }
    }
}

/// The days of a request: 1 to [`MAX_SWAP_DATES`] distinct dates, all after `today` (the
/// family's local date), kept in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapDates(Vec<NaiveDate>);

impl SwapDates {
    /// Refuses an empty list, a repeated date, more than [`MAX_SWAP_DATES`], and any date that is
    /// not after `today` (a request must be answerable before its first day begins).
    pub fn new(dates: &[NaiveDate], today: NaiveDate) -> Result<Self, ValidationError> {
        if dates.is_empty() {
            return Err(ValidationError::new("dates", "must name at least one date"));
        }
        if dates.len() > MAX_SWAP_DATES {
            return Err(ValidationError::new(
                "dates",
                format!("may name at most {MAX_SWAP_DATES} dates"),
            ));
        }
        let unique: BTreeSet<NaiveDate> = dates.iter().copied().collect();
        if unique.len() != dates.len() {
            return Err(ValidationError::new("dates", "must not repeat a date"));
        }
        if unique.first().is_some_and(|d| *d <= today) {
            return Err(ValidationError::new(
                "dates",
                "must all be after today (a request is answered before its first day)",
            ));
        }
        Ok(Self(unique.into_iter().collect()))
    }

    /// A stored list, as it was accepted.
    pub fn from_stored(mut dates: Vec<NaiveDate>) -> Self {
        dates.sort_unstable();
        dates.dedup();
        Self(dates)
    }

    pub fn as_slice(&self) -> &[NaiveDate] {
        &self.0
    }

    pub fn first(&self) -> Option<NaiveDate> {
        self.0.first().copied()
    }

    /// Whether the two requests name a common date.
    pub fn overlaps(&self, other: &Self) -> bool {
        let (mut a, mut b) = (self.0.iter().peekable(), other.0.iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            match x.cmp(y) {
                std::cmp::Ordering::Less => {
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                }
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }
}

/// When a request made at `created` stops being answerable: [`DEFAULT_SWAP_TTL`] later, or when
/// its first day begins (`first_day_starts`, that day's midnight in the family's zone), whichever
/// comes first.
pub fn swap_expiry(created: DateTime<Utc>, first_day_starts: DateTime<Utc>) -> DateTime<Utc> {
    (created + DEFAULT_SWAP_TTL).min(first_day_starts)
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapStatus {
    Pending,
    Accepted,
    Declined,
    Cancelled,
    Expired,
}

impl SwapStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        [
            Self::Pending,
            Self::Accepted,
            Self::Declined,
            Self::Cancelled,
            Self::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .ok_or_else(|| {
            ValidationError::new(
                "status",
                "must be pending, accepted, declined, cancelled or expired",
            )
        })
    }

    /// A stored pending request past its expiry reads as expired.
    pub fn at(self, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Self {
        if self == Self::Pending && now >= expires_at {
            Self::Expired
        } else {
            self
        }
    }
}

/// What a parent does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapAction {
    Accept,
    Decline,
    Cancel,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapRefusal {
    /// Only the other parent answers; only the proposer cancels (403).
    NotYours,
    /// The request was answered, cancelled or expired already (409).
    NoLongerPending(SwapStatus),
}

/// The status `action` by `actor` leads to, from `status` at `now`.
pub fn swap_transition(
    status: SwapStatus,
    action: SwapAction,
    actor: UserId,
    proposer: UserId,
    responder: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<SwapStatus, SwapRefusal> {
    let allowed = match action {
        SwapAction::Accept | SwapAction::Decline => actor == responder,
        SwapAction::Cancel => actor == proposer,
    };
    if !allowed {
        return Err(SwapRefusal::NotYours);
    }
    match status.at(now, expires_at) {
        SwapStatus::Pending => Ok(match action {
            SwapAction::Accept => SwapStatus::Accepted,
            SwapAction::Decline => SwapStatus::Declined,
            SwapAction::Cancel => SwapStatus::Cancelled,
        }),
        other => Err(SwapRefusal::NoLongerPending(other)),
    }
}

#[cfg(test)]
#[path = "swaps_tests.rs"]
mod tests;
