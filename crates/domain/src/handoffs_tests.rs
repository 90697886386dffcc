use proptest::prelude::*;

use super::*;
use crate::schedule::{expand, Expansion, SchedulePattern, WeekPattern};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn plain(date: NaiveDate, custodian: UserId) -> CustodyDay {
    CustodyDay {
        date,
        custodian,
        handoff_day: false,
        handoff_time: None,
        handoff_location: None,
    }
}

fn input(date: NaiveDate, custodian: UserId) -> CustodyInput {
    CustodyInput {
        date,
        custodian,
        handoff_day: None,
        handoff_time: None,
        handoff_location: None,
    }
}

const BASE: (i32, u32, u32) = (2025, 3, 1);

fn base() -> NaiveDate {
    d(BASE.0, BASE.1, BASE.2)
}

fn at(offset: usize) -> NaiveDate {
    base() + chrono::Duration::days(i64::try_from(offset).unwrap())
}

/// Three people: two parents and a third (a former member, say).
fn people() -> [UserId; 3] {
    [UserId::random(), UserId::random(), UserId::random()]
}

fn names(people: [UserId; 3]) -> impl Fn(UserId) -> Option<String> {
    move |id| {
        ["Jeff", "Deb", "Olga"]
            .iter()
            .zip(people)
            .find(|(_, p)| *p == id)
            .map(|(n, _)| (*n).to_owned())
    }
}

/// A stored day as anything may have left it: arbitrary flag, time and place.
fn stored() -> impl Strategy<Value = Option<(usize, bool, bool, bool)>> {
    proptest::option::weighted(
        0.8,
        (0usize..3, any::<bool>(), any::<bool>(), any::<bool>()),
    )
}

fn timeline(spec: &[Option<(usize, bool, bool, bool)>], people: [UserId; 3]) -> Timeline {
    spec.iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let (who, flag, time, place) = (*s)?;
            let day = CustodyDay {
                date: at(i),
                custodian: people[who],
                handoff_day: flag,
                handoff_time: time.then(|| HandoffTime::from_hm(9, 30)).flatten(),
                handoff_location: place.then(|| "park".to_owned()),
            };
            Some((day.date, day))
        })
        .collect()
}

fn write(tl: &mut Timeline, days: Vec<CustodyDay>) {
    for day in days {
        tl.insert(day.date, day);
    }
}

/// The handoff invariant of a day in `tl`: flagged (with a time) exactly when the previous
/// calendar day has a record with another custodian.
fn consistent(tl: &Timeline, date: NaiveDate) -> Result<(), TestCaseError> {
    let Some(day) = tl.get(&date) else {
        return Ok(());
    };
    let expected = tl
        .get(&pred(date))
        .is_some_and(|p| p.date != date && p.custodian != day.custodian);
    prop_assert_eq!(day.handoff_day, expected, "{} flag", date);
    prop_assert_eq!(day.handoff_time.is_some(), expected, "{} time", date);
    Ok(())
}

/// Spec 3.1 steps 1-4: a time sent for a day that is not a change is discarded; a change
/// without details gets the edit defaults; the next day follows.
#[test]
fn put_by_date_rederives_the_edited_and_the_next_day() {
    let (jeff, deb) = (UserId::random(), UserId::random());
    let first = |id: UserId| {
        [(jeff, "Jeff"), (deb, "Deb")]
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, n)| (*n).to_owned())
    };
    let (fri, sat, sun) = (d(2025, 3, 7), d(2025, 3, 8), d(2025, 3, 9));
    let tl: Timeline = [
        (fri, plain(fri, jeff)),
        (sat, plain(sat, jeff)),
        (sun, plain(sun, jeff)),
    ]
    .into_iter()
    .collect();
    let same = CustodyInput {
        handoff_time: HandoffTime::from_hm(9, 0),
        handoff_location: Some("park".into()),
        ..input(sat, jeff)
    };
    let day = edited_day(&same, sat, &tl, &first);
    assert_eq!(
        (day.handoff_day, day.handoff_time, day.handoff_location),
        (false, None, None)
    );

    let change = input(sat, deb);
    let day = edited_day(&change, sat, &tl, &first);
    assert!(day.handoff_day);
    assert_eq!(
        day.handoff_time.map(|t| t.to_string()).as_deref(),
        Some("12:00")
    );
    assert_eq!(day.handoff_location.as_deref(), Some("deb's home"));
    let next = fix_next_day(&tl[&sun], deb, &first).unwrap();
    assert!(next.handoff_day);
    assert_eq!(next.handoff_location.as_deref(), Some("jeff's home"));
    assert_eq!(fix_next_day(&tl[&sun], jeff, &first), None, "unchanged");
}

#[test]
fn a_created_day_keeps_the_clients_place_and_gets_the_default_time() {
    let [jeff, deb, _] = people();
    let fri = d(2025, 3, 7);
    let tl: Timeline = [(pred(fri), plain(pred(fri), jeff))].into_iter().collect();
    let day = created_day(
        &CustodyInput {
            handoff_location: Some("school".into()),
            ..input(fri, deb)
        },
        &tl,
        &|_| None,
    );
    assert!(day.handoff_day);
    assert_eq!(day.handoff_time, HandoffTime::from_hm(17, 0));
    assert_eq!(day.handoff_location.as_deref(), Some("school"));
    assert!(!created_day(&input(fri, jeff), &tl, &|_| None).handoff_day);
}

proptest! {
    /// After an edit without a client flag, the handoff of the edited day and of the next day
    /// equals "custodian differs from the previous day's"; the next day keeps its custodian.
    #[test]
    fn an_edit_rederives_the_day_and_the_next(
        spec in proptest::collection::vec(stored(), 3..30),
        pick in 0usize..30,
        who in 0usize..3,
        time in any::<bool>(),
    ) {
        let people = people();
        let first = names(people);
        let mut tl = timeline(&spec, people);
        let date = at(pick % spec.len());
        let edit = CustodyInput {
            handoff_time: time.then(|| HandoffTime::from_hm(8, 15)).flatten(),
            ..input(date, people[who])
        };
        let before = tl.clone();
        let days = with_next_day(edited_day(&edit, date, &tl, &first), &tl, &first);
        prop_assert!(days.len() <= 2);
        prop_assert_eq!(days[0].date, date);
        prop_assert_eq!(days[0].custodian, people[who]);
        if let Some(next) = days.get(1) {
            prop_assert_eq!(next.date, succ(date));
            prop_assert_eq!(Some(next.custodian), before.get(&succ(date)).map(|n| n.custodian));
        }
        write(&mut tl, days);
        consistent(&tl, date)?;
        consistent(&tl, succ(date))?;
        for (day, old) in &before {
            if *day != date && *day != succ(date) {
                prop_assert_eq!(tl.get(day), Some(old), "only the day and the next change");
            }
        }
    }

    /// The client's flag, when sent, is what the edited day stores.
    #[test]
    fn a_sent_flag_wins(
        spec in proptest::collection::vec(stored(), 3..30),
        pick in 0usize..30,
        who in 0usize..3,
        flag in any::<bool>(),
    ) {
        let people = people();
        let tl = timeline(&spec, people);
        let date = at(pick % spec.len());
        let edit = CustodyInput { handoff_day: Some(flag), ..input(date, people[who]) };
        prop_assert_eq!(edited_day(&edit, date, &tl, &names(people)).handoff_day, flag);
    }

    /// `fix_next_day` never changes the next day's date or custodian, and is idempotent.
    #[test]
    fn fixing_the_next_day_keeps_its_custodian(
        spec in proptest::collection::vec(stored(), 1..2),
        who in 0usize..3,
    ) {
        let people = people();
        let first = names(people);
        let tl = timeline(&spec, people);
        if let Some(next) = tl.values().next() {
            if let Some(fixed) = fix_next_day(next, people[who], &first) {
                prop_assert_eq!((fixed.date, fixed.custodian), (next.date, next.custodian));
                prop_assert_eq!(fixed.handoff_day, next.custodian != people[who]);
                prop_assert_eq!(fix_next_day(&fixed, people[who], &first), None);
            }
        }
    }

    /// Applying a template counts exactly the days written that appear or change custodian, and
    /// overwrites nothing unless asked; the day after the window follows its new neighbour.
    #[test]
    fn applying_a_template_counts_exactly_the_days_written(
        picks in proptest::collection::vec(proptest::option::of(0usize..2), 7),
        spec in proptest::collection::vec(stored(), 0..40),
        start in 0usize..30,
        len in 0usize..20,
        overwrite in any::<bool>(),
    ) {
        let people = people();
        let first = names(people);
        let slots = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
        let week = WeekPattern::from_pairs(
            slots.iter().copied().zip(picks.iter().map(|p| p.map(|i| ["parent1", "parent2"][i]))),
            "weekly_pattern",
        ).unwrap();
        let tl = timeline(&spec, people);
        let (start, end) = (at(start), at(start + len));
        let plan = Expansion {
            pattern: SchedulePattern::Weekly(week),
            parents: [people[0], people[1]],
            start,
            end,
            today: pred(base()),
            overwrite,
        };
        let mut days = expand(&plan, &tl, &first);
        days.extend(next_after(&tl, &days, end, &first));
        let counts = count_applied(&tl, &days);
        let mut after = tl.clone();
        write(&mut after, days.clone());
        let appeared = after.keys().filter(|k| !tl.contains_key(k)).count();
        let replaced = after
            .iter()
            .filter(|(k, v)| tl.get(k).is_some_and(|old| old.custodian != v.custodian))
            .count();
        prop_assert_eq!(counts.applied, appeared + replaced);
        prop_assert_eq!(counts.overwritten, replaced);
        if !overwrite {
            prop_assert_eq!(counts.overwritten, 0);
        }
        if let Some(next) = after.get(&succ(end)) {
            prop_assert_eq!(Some(next.custodian), tl.get(&succ(end)).map(|n| n.custodian));
            if days.iter().any(|d| d.date == succ(end)) {
                let differs = after.get(&end).is_some_and(|l| l.custodian != next.custodian);
                prop_assert_eq!(next.handoff_day, differs);
            }
        }
    }

    /// After a batch every day from its first date through the day after its last follows the
    /// handoff invariant, and every batch day names its custodian.
    #[test]
    fn a_batch_recomputes_handoffs_over_the_merged_timeline(
        spec in proptest::collection::vec(stored(), 0..30),
        batch in proptest::collection::btree_map(0usize..30, 0usize..3, 1..10),
    ) {
        let people = people();
        let mut tl = timeline(&spec, people);
        let inputs: Vec<CustodyInput> =
            batch.iter().map(|(d, who)| input(at(*d), people[*who])).collect();
        let days = bulk_days(&tl, &inputs, &names(people));
        write(&mut tl, days);
        for i in &inputs {
            prop_assert_eq!(tl.get(&i.date).map(|d| d.custodian), Some(i.custodian));
        }
        let (min, max) = (inputs[0].date, inputs[inputs.len() - 1].date);
        let mut date = min;
        while date <= succ(max) {
            consistent(&tl, date)?;
            date = succ(date);
        }
    }

    /// After the maintenance fixes every day names a parent, and the fixed days and the days
    /// after them follow the handoff invariant.
    #[test]
    fn fixes_leave_only_parents_with_consistent_handoffs(
        spec in proptest::collection::vec(stored(), 0..30),
    ) {
        let people = people();
        let parents = [people[0], people[1]];
        let mut tl = timeline(&spec, people);
        let fixes = mismatch_fixes(&tl, parents);
        for (date, old, new) in &fixes {
            prop_assert!(!parents.contains(old) && parents.contains(new));
            prop_assert_eq!(tl.get(date).map(|d| d.custodian), Some(*old));
        }
        let days = fixed_days(&tl, &fixes, &names(people));
        write(&mut tl, days);
        prop_assert!(tl.values().all(|d| parents.contains(&d.custodian)));
        for (date, _, _) in &fixes {
            consistent(&tl, *date)?;
            consistent(&tl, succ(*date))?;
        }
    }
}
