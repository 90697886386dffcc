//! Property (issue): after any sequence of custody edits, `handoff_day` is true exactly when the
//! custodian differs from the previous day's; one record per date.
//!
//! A two-parent family on the in-memory adapters; a random sequence of `create`,
//! `update_by_date`, `update_by_id`, `bulk` and interleaved `month` reads (through the cache),
//! all without a client `handoff_day` or `handoff_time`, over a 20-day window in the future.

use std::collections::BTreeMap;
use std::sync::Arc;

use calndr_app::custody::CustodyInput;
use calndr_app::{AppError, CustodyDeps, CustodyService, Principal, PushOutbox};
use calndr_domain::{
    EmailAddress, FamilyId, NewAccount, NewFamily, NewUser, PersonName, UserId, YearMonth,
};
use calndr_memory::{DisabledPush, MemoryCache, MemoryStore};
use calndr_ports::{AccountStore, CustodyStore};
use chrono::{Duration, NaiveDate, Utc};
use proptest::prelude::*;

/// Days in the edited window.
const WINDOW: i64 = 20;

#[derive(Debug, Clone)]
enum Op {
    Create(i64, usize),
    UpdateByDate(i64, usize),
    UpdateById(i64, usize),
    /// Distinct dates (a map): a batch naming a date twice is a validation error.
    Bulk(BTreeMap<i64, usize>),
    /// Reads the month of that day through the cache, so stale views would show.
    Read(i64),
}

fn op() -> impl Strategy<Value = Op> {
    let day = 0..WINDOW;
    let parent = 0usize..2;
    prop_oneof![
        3 => (day.clone(), parent.clone()).prop_map(|(d, p)| Op::Create(d, p)),
        3 => (day.clone(), parent.clone()).prop_map(|(d, p)| Op::UpdateByDate(d, p)),
        1 => (day.clone(), parent.clone()).prop_map(|(d, p)| Op::UpdateById(d, p)),
        2 => proptest::collection::btree_map(day.clone(), parent, 1..8).prop_map(Op::Bulk),
        1 => day.prop_map(Op::Read),
    ]
}

fn new_user(first: &str, email: &str) -> Result<NewUser, String> {
    let bad = |e| format!("{e:?}");
    Ok(NewUser {
        id: UserId::random(),
        first_name: PersonName::parse(first, "first_name").map_err(bad)?,
        last_name: PersonName::parse("Tester", "last_name").map_err(bad)?,
        email: EmailAddress::parse(email).map_err(bad)?,
        password_hash: None,
        phone_number: None,
        enrolled: false,
        coparent_enrolled: false,
        created_at: Utc::now(),
    })
}

struct World {
    svc: CustodyService,
    custody: Arc<MemoryStore>,
    who: Principal,
    family: FamilyId,
    parents: [UserId; 2],
}

async fn world() -> Result<World, String> {
    let accounts = Arc::new(MemoryStore::new());
    let first = new_user("Jeff", "jeff@example.com")?;
    let account = NewAccount {
        family: NewFamily::for_first_member(&first.first_name),
        user: first,
    };
    let family = account.family.id;
    let p1 = accounts
        .create_account(account)
        .await
        .map_err(|e| format!("create_account: {e}"))?;
    let p2 = accounts
        .create_member(new_user("Deb", "deb@example.com")?, family, Some(p1.id))
        .await
        .map_err(|e| format!("create_member: {e}"))?;
    let custody = accounts.clone();
    let svc = CustodyService::new(CustodyDeps {
        custody: custody.clone(),
        templates: custody.clone(),
        family: accounts,
        cache: Arc::new(MemoryCache::default()),
        push: PushOutbox::direct(Arc::new(DisabledPush)),
    });
    Ok(World {
        svc,
        custody,
        who: Principal {
            user_id: p1.id,
            family_id: Some(family),
        },
        family,
        parents: [p1.id, p2.id],
    })
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

/// Runs the ops, then checks the property over every month of the window; `Err` describes the
/// first violation (with the final days).
async fn run(ops: &[Op]) -> Result<(), String> {
    let w = world().await?;
    // Two days ahead, so the window is never today even across midnight UTC.
    let base = Utc::now().date_naive() + Duration::days(2);
    let date = |d: i64| base + Duration::days(d);
    for (i, op) in ops.iter().enumerate() {
        let res = match op {
            Op::Create(d, p) => match w.svc.create(&w.who, input(date(*d), w.parents[*p])).await {
                Err(AppError::Conflict(_)) => Ok(()),
                r => r.map(drop),
            },
            Op::UpdateByDate(d, p) => match w
                .svc
                .update_by_date(&w.who, date(*d), input(date(*d), w.parents[*p]))
                .await
            {
                Err(AppError::NotFound(_)) => Ok(()),
                r => r.map(drop),
            },
            Op::UpdateById(d, p) => {
                let day = date(*d);
                let found = w
                    .custody
                    .days(w.family, day, day)
                    .await
                    .map_err(|e| format!("op {i}: store: {e}"))?;
                match found.first() {
                    // The body's date is ignored: send another one on purpose.
                    Some(r) => w
                        .svc
                        .update_by_id(&w.who, r.id, input(base, w.parents[*p]))
                        .await
                        .map(drop),
                    None => Ok(()),
                }
            }
            Op::Bulk(days) => w
                .svc
                .bulk(
                    &w.who,
                    days.iter()
                        .map(|(d, p)| input(date(*d), w.parents[*p]))
                        .collect(),
                )
                .await
                .map(drop),
            Op::Read(d) => w.svc.month(&w.who, YearMonth::of(date(*d))).await.map(drop),
        };
        res.map_err(|e| format!("op {i} {op:?}: unexpected error {e:?}"))?;
    }

    let mut months: Vec<YearMonth> = Vec::new();
    for d in 0..WINDOW {
        let m = YearMonth::of(date(d));
        if !months.contains(&m) {
            months.push(m);
        }
    }
    let mut seen = Vec::new();
    for m in months {
        let entries = w
            .svc
            .month(&w.who, m)
            .await
            .map_err(|e| format!("month {m}: {e:?}"))?;
        let stored = w
            .custody
            .days(w.family, m.first_day(), m.last_day())
            .await
            .map_err(|e| format!("store: {e}"))?;
        let shown: Vec<_> = entries.iter().map(|e| (e.id, e.day.clone())).collect();
        let fresh: Vec<_> = stored.into_iter().map(|r| (r.id, r.day)).collect();
        if shown != fresh {
            return Err(format!(
                "month {m} view differs from the store:\n view {shown:?}\n store {fresh:?}"
            ));
        }
        seen.extend(entries.into_iter().map(|e| e.day));
    }

    let mut by_date = BTreeMap::new();
    for day in &seen {
        if by_date.insert(day.date, day.clone()).is_some() {
            return Err(format!("two records for {}", day.date));
        }
    }
    let name = |id: UserId| if id == w.parents[0] { "P1" } else { "P2" };
    let dump = || {
        by_date
            .values()
            .map(|d| {
                format!(
                    "  {} {} handoff={} time={:?} loc={:?}",
                    d.date,
                    name(d.custodian),
                    d.handoff_day,
                    d.handoff_time.map(|t| t.to_string()),
                    d.handoff_location
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for day in by_date.values() {
        let expected = day
            .date
            .pred_opt()
            .and_then(|p| by_date.get(&p))
            .is_some_and(|p| p.custodian != day.custodian);
        if day.handoff_day != expected {
            return Err(format!(
                "{}: handoff_day {} but expected {expected}\n{}",
                day.date,
                day.handoff_day,
                dump()
            ));
        }
        let details = (day.handoff_time.is_some(), day.handoff_location.is_some());
        if details != (expected, expected) {
            return Err(format!(
                "{}: handoff_day {expected} with time/location present {details:?}\n{}",
                day.date,
                dump()
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `handoff_day` is true exactly when the custodian differs from the previous calendar
    /// day's record (false without one); a handoff has a time and place, a plain day neither;
    /// one record per date; the month view agrees with the store.
    #[test]
    fn handoff_day_iff_custodian_changes_after_any_edits(
        ops in proptest::collection::vec(op(), 1..40)
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        if let Err(msg) = rt.block_on(run(&ops)) {
            prop_assert!(false, "{}", msg);
        }
    }
}
