use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use proptest::prelude::*;

use super::*;
use crate::HandoffTime;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn parents() -> [UserId; 3] {
    [UserId::random(), UserId::random(), UserId::random()]
}

/// One day of a generated schedule: offset from 2026-12-01, parent (0-2), handoff time.
type Cell = (i64, usize, Option<(u32, u32)>);

/// Days from `(offset from 2026-12-01, parent, handoff time)`; a handoff day gets its time
/// and a place, as the custody writes store them.
fn build(spec: &[Cell], who: &[UserId; 3]) -> Vec<CustodyDay> {
    let base = date("2026-12-01");
    let mut days: Vec<CustodyDay> = Vec::new();
    for &(offset, parent, time) in spec {
        let d = base + Duration::days(offset);
        let custodian = who[parent];
        let handoff = days
            .last()
            .is_some_and(|p| p.date == pred(d) && p.custodian != custodian);
        days.push(CustodyDay {
            date: d,
            custodian,
            handoff_day: handoff,
            handoff_time: time
                .filter(|_| handoff)
                .and_then(|(h, m)| HandoffTime::from_hm(h, m)),
            handoff_location: handoff.then(|| format!("place {offset}")),
        });
    }
    days
}

/// The rule as the month view states it: the day's custodian, except before the handoff time of
/// a day that follows another custodian's day.
fn who_by_the_month_view(days: &[CustodyDay], t: NaiveDateTime) -> Option<UserId> {
    let day = days.iter().find(|d| d.date == t.date())?;
    let prev = days.iter().find(|d| d.date == pred(t.date()));
    match prev {
        Some(p) if p.custodian != day.custodian && t.time() < change_time(day) => Some(p.custodian),
        _ => Some(day.custodian),
    }
}

#[test]
fn the_previous_parent_has_them_until_the_handoff_time() {
    let who = parents();
    let [alice, bob, _] = who;
    // Alice Tue-Thu, Bob from Fri 17:00 to Sun, nothing Mon, Alice again Tue.
    let days = build(
        &[
            (0, 0, None),
            (1, 0, None),
            (2, 0, None),
            (3, 1, Some((17, 0))),
            (4, 1, None),
            (5, 1, None),
            (7, 0, None),
        ],
        &who,
    );
    let window = Window {
        start: date("2026-11-20"),
        end: date("2026-12-31"),
        days: &days,
    };
    let before = window.stay_at(at("2026-12-04 16:59")).unwrap();
    assert_eq!(before.custodian, alice);
    assert_eq!(before.since, Some(at("2026-12-01 00:00")), "records begin");
    assert_eq!(before.until, Some(at("2026-12-04 17:00")));
    assert_eq!(
        before.next_handoff,
        Some(NextHandoff {
            at: at("2026-12-04 17:00"),
            location: Some("place 3".into()),
            to: bob
        })
    );
    let after = window.stay_at(at("2026-12-04 17:00")).unwrap();
    assert_eq!(after.custodian, bob);
    assert_eq!(after.since, Some(at("2026-12-04 17:00")));
    assert_eq!(
        after.until,
        Some(at("2026-12-07 00:00")),
        "Monday has no record"
    );
    assert_eq!(after.next_handoff, None);
    assert_eq!(window.stay_at(at("2026-12-07 12:00")), None);
    let tuesday = window.stay_at(at("2026-12-08 08:00")).unwrap();
    assert_eq!(tuesday.since, Some(at("2026-12-08 00:00")), "after a gap");
    assert_eq!(tuesday.until, Some(at("2026-12-09 00:00")));

    // Where the window ends the stay's ends are unknown, not invented.
    let narrow = Window {
        start: date("2026-12-01"),
        end: date("2026-12-03"),
        days: &days[..3],
    };
    let s = narrow.stay_at(at("2026-12-02 10:00")).unwrap();
    assert_eq!((s.since, s.until), (None, None));
}

#[test]
fn a_stay_ends_at_a_handoff_or_a_gap() {
    let who = parents();
    let [alice, bob, _] = who;
    let days = build(
        &[
            (0, 0, None),
            (1, 0, None),
            (2, 1, Some((17, 0))),
            (4, 1, None),
        ],
        &who,
    );
    assert_eq!(
        stays(&days),
        vec![
            StaySpan {
                custodian: alice,
                first: date("2026-12-01"),
                last: date("2026-12-02")
            },
            StaySpan {
                custodian: bob,
                first: date("2026-12-03"),
                last: date("2026-12-03")
            },
            StaySpan {
                custodian: bob,
                first: date("2026-12-05"),
                last: date("2026-12-05")
            },
        ]
    );
    assert!(stays(&[]).is_empty());
}

#[test]
fn shares_are_overnights_and_add_up_to_a_hundred_percent() {
    let who = parents();
    let [alice, bob, carol] = who;
    // Alice 1 night, Bob 1, Carol 1: 33.4 / 33.3 / 33.3.
    let days = build(&[(0, 0, None), (1, 1, Some((9, 0))), (2, 2, None)], &who);
    let (shares, unrecorded) = time_share(date("2026-12-01"), date("2026-12-05"), &days);
    assert_eq!(unrecorded, 2);
    assert_eq!(shares[&alice].overnights, 1);
    let per_mille: Vec<u32> = [alice, bob, carol]
        .iter()
        .map(|p| shares[p].per_mille)
        .collect();
    assert_eq!(per_mille.iter().sum::<u32>(), 1000);
    assert!(
        per_mille.iter().all(|p| *p == 333 || *p == 334),
        "{per_mille:?}"
    );
    assert_eq!(shares[&bob].handoffs, 1);
    assert_eq!(shares[&carol].handoffs, 1);
    assert_eq!(shares[&alice].handoffs, 0, "the range starts with her day");
    // The day before the range says whether its first day is a handoff.
    let (from_bob, _) = time_share(date("2026-12-02"), date("2026-12-03"), &days);
    assert_eq!(from_bob[&bob].handoffs, 1);
    assert!(!from_bob.contains_key(&alice));
}

fn spec() -> impl Strategy<Value = Vec<Cell>> {
    prop::collection::vec(
        (
            prop::bool::weighted(0.9),
            0usize..3,
            prop::option::of((0u32..24, prop::sample::select(vec![0u32, 15, 30, 45]))),
        ),
        1..40,
    )
    .prop_map(|cells| {
        cells
            .into_iter()
            .enumerate()
            .filter(|(_, (present, _, _))| *present)
            .map(|(i, (_, parent, time))| (i64::try_from(i).unwrap_or(0), parent, time))
            .collect()
    })
}

proptest! {
    /// "Who" agrees with the month view at every instant, and its since/until are the edges of
    /// the stay: the same custodian from `since`, someone else (or nobody) at `until`.
    #[test]
    fn who_agrees_with_the_month_view(spec in spec(), minutes in prop::collection::vec(0i64..(42 * 24 * 60), 1..20)) {
        let who = parents();
        let days = build(&spec, &who);
        let window = Window { start: date("2026-11-30"), end: date("2027-01-15"), days: &days };
        for m in minutes {
            let t = date("2026-12-01").and_time(NaiveTime::MIN) + Duration::minutes(m);
            let stay = window.stay_at(t);
            prop_assert_eq!(stay.as_ref().map(|s| s.custodian), who_by_the_month_view(&days, t));
            let Some(stay) = stay else { continue };
            if let Some(since) = stay.since {
                prop_assert!(since <= t);
                prop_assert_eq!(who_by_the_month_view(&days, since), Some(stay.custodian));
                let just_before = who_by_the_month_view(&days, since - Duration::minutes(1));
                prop_assert_ne!(just_before, Some(stay.custodian));
            }
            if let Some(until) = stay.until {
                prop_assert!(until > t);
                prop_assert_ne!(who_by_the_month_view(&days, until), Some(stay.custodian));
                let last_minute = who_by_the_month_view(&days, until - Duration::minutes(1));
                prop_assert_eq!(last_minute, Some(stay.custodian));
            }
            if let Some(next) = &stay.next_handoff {
                prop_assert_eq!(Some(next.at), stay.until);
                prop_assert_eq!(who_by_the_month_view(&days, next.at), Some(next.to));
            }
        }
    }

    /// Every recorded day lies in exactly one stay, with its own custodian; stays are in order,
    /// and two that touch have different custodians (they split at handoffs and gaps only).
    #[test]
    fn stays_cover_each_day_exactly_once(spec in spec()) {
        let who = parents();
        let days = build(&spec, &who);
        let spans = stays(&days);
        for d in &days {
            let holding: Vec<&StaySpan> =
                spans.iter().filter(|s| s.first <= d.date && d.date <= s.last).collect();
            prop_assert_eq!(holding.len(), 1, "{}", d.date);
            prop_assert_eq!(holding[0].custodian, d.custodian);
        }
        let covered: i64 = spans.iter().map(|s| (s.last - s.first).num_days() + 1).sum();
        prop_assert_eq!(covered, i64::try_from(days.len()).unwrap_or(0), "no day outside the records");
        for pair in spans.windows(2) {
            prop_assert!(pair[0].last < pair[1].first);
            if pair[0].last.succ_opt() == Some(pair[1].first) {
                prop_assert_ne!(pair[0].custodian, pair[1].custodian);
            }
        }
    }

    /// Overnights and unrecorded days add up to the days of the range; shares to 100.0%;
    /// handoffs are the range's days that follow another custodian's day.
    #[test]
    fn overnights_sum_to_the_days_of_the_range(spec in spec(), from in 0i64..40, len in 0i64..40) {
        let who = parents();
        let days = build(&spec, &who);
        let start = date("2026-12-01") + Duration::days(from);
        let end = start + Duration::days(len);
        let (shares, unrecorded) = time_share(start, end, &days);
        let nights: u32 = shares.values().map(|s| s.overnights).sum();
        prop_assert_eq!(i64::from(nights + unrecorded), len + 1);
        if nights > 0 {
            prop_assert_eq!(shares.values().map(|s| s.per_mille).sum::<u32>(), 1000);
        }
        let handoffs = days
            .iter()
            .filter(|d| d.date >= start && d.date <= end)
            .filter(|d| days.iter().any(|p| p.date == pred(d.date) && p.custodian != d.custodian))
            .count();
        prop_assert_eq!(shares.values().map(|s| s.handoffs as usize).sum::<usize>(), handoffs);
    }
}
