use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn dates_are_future_distinct_and_bounded() {
    let today = date("2026-12-04");
    let ok = SwapDates::new(&[date("2026-12-12"), date("2026-12-05")], today).unwrap();
    assert_eq!(
        ok.as_slice(),
        [date("2026-12-05"), date("2026-12-12")],
        "in order"
    );
    for (dates, why) in [
        (vec![], "empty"),
        (vec![date("2026-12-04")], "today"),
        (vec![date("2026-12-01"), date("2026-12-10")], "past"),
        (vec![date("2026-12-10"), date("2026-12-10")], "repeated"),
        (
            (1..=63).map(|i| today + Duration::days(i)).collect(),
            "too many",
        ),
    ] {
        let err = SwapDates::new(&dates, today).unwrap_err();
        assert_eq!(err.field, "dates", "{why}");
    }
    let max: Vec<NaiveDate> = (1..=62).map(|i| today + Duration::days(i)).collect();
    assert!(SwapDates::new(&max, today).is_ok());
}

#[test]
fn a_request_expires_after_72_hours_or_when_its_first_day_begins() {
    let created = Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap();
    let far = Utc.with_ymd_and_hms(2026, 12, 20, 5, 0, 0).unwrap();
    let near = Utc.with_ymd_and_hms(2026, 12, 5, 5, 0, 0).unwrap();
    assert_eq!(swap_expiry(created, far), created + Duration::hours(72));
    assert_eq!(swap_expiry(created, near), near);
}

#[test]
fn directions_and_statuses_read_and_write() {
    let (p, r) = (UserId::random(), UserId::random());
    assert_eq!(SwapDirection::parse("give").unwrap().new_custodian(p, r), r);
    assert_eq!(SwapDirection::parse("take").unwrap().new_custodian(p, r), p);
    assert!(SwapDirection::parse("swap").is_err());
    for s in ["pending", "accepted", "declined", "cancelled", "expired"] {
        assert_eq!(SwapStatus::parse(s).unwrap().as_str(), s);
    }
    assert!(SwapStatus::parse("Pending").is_err());
}

fn action() -> impl Strategy<Value = SwapAction> {
    prop::sample::select(vec![
        SwapAction::Accept,
        SwapAction::Decline,
        SwapAction::Cancel,
    ])
}

fn status() -> impl Strategy<Value = SwapStatus> {
    prop::sample::select(vec![
        SwapStatus::Pending,
        SwapStatus::Accepted,
        SwapStatus::Declined,
        SwapStatus::Cancelled,
        SwapStatus::Expired,
    ])
}

proptest! {
    /// Only the other parent answers and only the proposer cancels; nothing but a pending
    /// request before its expiry changes; an expired one can never be accepted.
    #[test]
    fn only_the_right_parent_moves_a_pending_request(
        status in status(),
        action in action(),
        who in 0usize..3,
        offset in -200i64..200,
    ) {
        let (proposer, responder, stranger) = (UserId::random(), UserId::random(), UserId::random());
        let actor = [proposer, responder, stranger][who];
        let expires = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap();
        let now = expires + Duration::minutes(offset);
        let out = swap_transition(status, action, actor, proposer, responder, now, expires);
        let right = match action {
            SwapAction::Cancel => actor == proposer,
            _ => actor == responder,
        };
        if !right {
            prop_assert_eq!(out, Err(SwapRefusal::NotYours));
        } else if status != SwapStatus::Pending || now >= expires {
            prop_assert!(matches!(out, Err(SwapRefusal::NoLongerPending(_))));
            if status == SwapStatus::Pending {
                prop_assert_eq!(out, Err(SwapRefusal::NoLongerPending(SwapStatus::Expired)));
            }
        } else {
            let expected = match action {
                SwapAction::Accept => SwapStatus::Accepted,
                SwapAction::Decline => SwapStatus::Declined,
                SwapAction::Cancel => SwapStatus::Cancelled,
            };
            prop_assert_eq!(out, Ok(expected));
        }
    }

    /// Two requests overlap exactly when they share a date.
    #[test]
    fn overlap_is_a_shared_date(a in prop::collection::btree_set(1i64..90, 1..20), b in prop::collection::btree_set(1i64..90, 1..20)) {
        let today = date("2026-12-04");
        let dates = |s: &std::collections::BTreeSet<i64>| -> Vec<NaiveDate> {
            s.iter().map(|i| today + Duration::days(*i)).collect()
        };
        let (x, y) = (SwapDates::new(&dates(&a), today).unwrap(), SwapDates::new(&dates(&b), today).unwrap());
        prop_assert_eq!(x.overlaps(&y), !a.is_disjoint(&b));
        prop_assert_eq!(x.overlaps(&y), y.overlaps(&x));
    }

    /// The expiry is never after 72 hours nor after the first day begins.
    #[test]
    fn expiry_is_the_earlier_bound(first in 1i64..400) {
        let created = Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap();
        let starts = created + Duration::hours(first);
        let e = swap_expiry(created, starts);
        prop_assert!(e <= created + DEFAULT_SWAP_TTL && e <= starts);
        prop_assert!(e == created + DEFAULT_SWAP_TTL || e == starts);
    }
}
