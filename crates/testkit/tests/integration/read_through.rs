//! The read-through cache of the month views (custody entries, custody rendered body, events)
//! under a race: a read that loaded the database before a write committed, and stores what it
//! loaded only after the write, must not leave the old month cached. On the in-process cache and
//! on Redis. And a cold custody month read is one storage round trip.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use calndr_app::custody::{CustodyEntry, CustodyInput};
use calndr_app::{CustodyDeps, CustodyService, EventService, Principal, PushOutbox};
use calndr_domain::{
    CustodyId, DateRange, Event, EventDraft, EventId, FamilyId, FamilyMember, NewUser,
    ProviderEvent, UserId, YearMonth,
};
use calndr_memory::{DisabledPush, MemoryCache, MemoryStore};
use calndr_ports::{
    AccountStore, Cache, CustodyPlan, CustodyRecord, CustodyStats, CustodyStore, EventStore,
    FamilyStore, NamedCustodyRecord, NewJob, StoreError, TemplateStore,
};
use calndr_postgres::{PgConfig, PgStore};
use calndr_redis::{RedisCache, RedisConfig};
use calndr_testkit::contracts::{new_account, new_user};
use calndr_testkit::TestDatabase;
use chrono::NaiveDate;
use tokio::sync::Notify;

/// Holds the next armed read between loading and returning, until released.
#[derive(Default)]
struct Gate {
    armed: AtomicBool,
    loaded: Notify,
    release: Notify,
}

impl Gate {
    fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }
    async fn pass(&self) {
        if self.armed.swap(false, Ordering::SeqCst) {
            self.loaded.notify_one();
            self.release.notified().await;
        }
    }
}

/// A store that counts the month reads and can pause one after it loaded.
struct Watched<S> {
    inner: Arc<S>,
    gate: Gate,
    reads: AtomicUsize,
}

impl<S> Watched<S> {
    fn new(inner: Arc<S>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            gate: Gate::default(),
            reads: AtomicUsize::new(0),
        })
    }
    async fn loaded<T>(&self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.gate.pass().await;
        r
    }
}

#[async_trait]
impl<S: CustodyStore> CustodyStore for Watched<S> {
    async fn days(
        &self,
        f: FamilyId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        self.loaded(self.inner.days(f, from, to).await).await
    }
    async fn days_with_names(
        &self,
        f: FamilyId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<NamedCustodyRecord>, StoreError> {
        self.loaded(self.inner.days_with_names(f, from, to).await)
            .await
    }
    async fn latest_days(&self, f: FamilyId, n: i64) -> Result<Vec<CustodyRecord>, StoreError> {
        self.loaded(self.inner.latest_days(f, n).await).await
    }
    async fn record(
        &self,
        f: FamilyId,
        id: CustodyId,
    ) -> Result<Option<CustodyRecord>, StoreError> {
        self.loaded(self.inner.record(f, id).await).await
    }
    async fn write_days<'p>(
        &self,
        f: FamilyId,
        actor: UserId,
        from: NaiveDate,
        to: NaiveDate,
        plan: &CustodyPlan<'p>,
        jobs: &[NewJob],
    ) -> Result<Vec<CustodyRecord>, StoreError> {
        self.inner.write_days(f, actor, from, to, plan, jobs).await
    }
    async fn stats(&self, f: FamilyId) -> Result<CustodyStats, StoreError> {
        self.loaded(self.inner.stats(f).await).await
    }
}

#[async_trait]
impl<S: FamilyStore> FamilyStore for Watched<S> {
    async fn members(&self, f: FamilyId) -> Result<Vec<FamilyMember>, StoreError> {
        self.loaded(self.inner.members(f).await).await
    }
    async fn add_invited_member(
        &self,
        f: FamilyId,
        user: NewUser,
    ) -> Result<calndr_domain::User, StoreError> {
        self.inner.add_invited_member(f, user).await
    }
}

#[async_trait]
impl<S: EventStore> EventStore for Watched<S> {
    async fn events_in_range(&self, f: FamilyId, r: DateRange) -> Result<Vec<Event>, StoreError> {
        self.loaded(self.inner.events_in_range(f, r).await).await
    }
    async fn provider_events_in_range(
        &self,
        f: FamilyId,
        r: DateRange,
    ) -> Result<Vec<ProviderEvent>, StoreError> {
        self.inner.provider_events_in_range(f, r).await
    }
    async fn create_event(&self, f: FamilyId, d: &EventDraft) -> Result<Event, StoreError> {
        self.inner.create_event(f, d).await
    }
    async fn update_event(
        &self,
        f: FamilyId,
        id: EventId,
        d: &EventDraft,
    ) -> Result<(Event, Event), StoreError> {
        self.inner.update_event(f, id, d).await
    }
    async fn delete_event(&self, f: FamilyId, id: EventId) -> Result<Event, StoreError> {
        self.inner.delete_event(f, id).await
    }
}

fn redis() -> Arc<dyn Cache> {
    let pool = calndr_redis::connect(&RedisConfig {
        url: calndr_testkit::redis_url(),
        pool_size: 4,
        timeout: Duration::from_millis(500),
    })
    .expect("redis pool");
    Arc::new(RedisCache::new(pool, Duration::from_millis(500)))
}

/// Both caches the service runs on.
fn caches() -> [(&'static str, Arc<dyn Cache>); 2] {
    [
        ("memory", Arc::new(MemoryCache::default())),
        ("redis", redis()),
    ]
}

/// A past month (never filled from a template), and a day in it.
fn month() -> YearMonth {
    YearMonth::new(2024, 5).expect("month")
}

fn on(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, day).expect("date")
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

/// A family of two: Jeff (the principal) and Deb.
async fn family(accounts: &Arc<MemoryStore>) -> (Principal, [UserId; 2]) {
    let jeff = accounts
        .create_account(new_account(
            "Jeff",
            &format!("jeff-{}@example.com", UserId::random()),
        ))
        .await
        .expect("account");
    let family = jeff.family_id.expect("family");
    let deb = accounts
        .create_member(
            new_user("Deb", &format!("deb-{}@example.com", UserId::random())),
            family,
            Some(jeff.id),
        )
        .await
        .expect("member");
    let who = Principal {
        user_id: jeff.id,
        family_id: Some(family),
    };
    (who, [jeff.id, deb.id])
}

#[derive(Debug, Clone, Copy)]
enum Read {
    Entries,
    Rendered,
}

/// The custodians' names of the month as the view answers them.
async fn names(svc: &CustodyService, who: Principal, read: Read) -> Vec<String> {
    match read {
        Read::Entries => svc
            .month(&who, month())
            .await
            .expect("month")
            .into_iter()
            .map(|e| e.custodian_name)
            .collect(),
        Read::Rendered => {
            let render = |entries: &[CustodyEntry]| {
                let names: Vec<&str> = entries.iter().map(|e| e.custodian_name.as_str()).collect();
                serde_json::to_vec(&names).ok()
            };
            let body = svc
                .month_rendered(&who, month(), &render)
                .await
                .expect("rendered");
            serde_json::from_slice(&body).expect("json")
        }
    }
}

/// `warm`: the family's generation exists and the month was cached before (then retired by a
/// write); else the racing read is the family's very first.
async fn custody_race(cache: Arc<dyn Cache>, read: Read, warm: bool) {
    let accounts = Arc::new(MemoryStore::new());
    let store = accounts.clone();
    let custody = Watched::new(store.clone());
    let (who, [jeff, deb]) = family(&accounts).await;
    let svc = CustodyService::new(CustodyDeps {
        custody: custody.clone(),
        templates: store,
        family: accounts,
        cache,
        push: PushOutbox::direct(Arc::new(DisabledPush)),
    });
    svc.create(&who, input(on(10), jeff)).await.expect("create");
    if warm {
        assert_eq!(names(&svc, who, read).await, ["Jeff"]);
        assert_eq!(names(&svc, who, read).await, ["Jeff"], "cached");
        svc.create(&who, input(on(20), jeff))
            .await
            .expect("another day");
    }
    custody.gate.arm();
    let racing = {
        let svc = svc.clone();
        tokio::spawn(async move { names(&svc, who, read).await })
    };
    custody.gate.loaded.notified().await;
    // The read has loaded Jeff's day; now Deb takes it, and the write commits.
    svc.update_by_date(&who, on(10), input(on(10), deb))
        .await
        .expect("update");
    custody.gate.release.notify_one();
    let old = racing.await.expect("read");
    assert_eq!(
        old.first().map(String::as_str),
        Some("Jeff"),
        "it read before"
    );
    let reads = custody.reads.load(Ordering::SeqCst);
    assert_eq!(
        names(&svc, who, read).await.first().map(String::as_str),
        Some("Deb"),
        "{read:?} warm={warm}: the old month was left in the cache"
    );
    assert_eq!(custody.reads.load(Ordering::SeqCst), reads + 1, "a miss");
    names(&svc, who, read).await;
    assert_eq!(
        custody.reads.load(Ordering::SeqCst),
        reads + 1,
        "then a hit"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custody_read_racing_a_write_never_leaves_the_old_month_cached() {
    for (name, cache) in caches() {
        for read in [Read::Entries, Read::Rendered] {
            for warm in [false, true] {
                eprintln!("{name} {read:?} warm={warm}");
                custody_race(cache.clone(), read, warm).await;
            }
        }
    }
}

async fn events_race(cache: Arc<dyn Cache>, warm: bool) {
    let accounts = Arc::new(MemoryStore::new());
    let events = Watched::new(accounts.clone());
    let (who, _) = family(&accounts).await;
    let svc = EventService::new(events.clone(), cache);
    let contents = |list: Vec<Event>| {
        list.into_iter()
            .map(|e| e.content.map(|c| c.as_str().to_owned()).unwrap_or_default())
            .collect::<Vec<String>>()
    };
    let draft = |content: &str| EventDraft::new(on(3), content, None).expect("draft");
    let dentist = svc.create(&who, draft("Dentist")).await.expect("create");
    if warm {
        svc.month(&who, month()).await.expect("month");
        assert_eq!(
            contents(svc.month(&who, month()).await.expect("month")),
            ["Dentist"]
        );
        svc.create(&who, EventDraft::new(on(25), "Fair", None).expect("draft"))
            .await
            .expect("another");
    }
    events.gate.arm();
    let racing = {
        let svc = svc.clone();
        tokio::spawn(async move { svc.month(&who, month()).await })
    };
    events.gate.loaded.notified().await;
    svc.update(&who, dentist.id, draft("Dentist (moved to 9:00)"))
        .await
        .expect("update");
    events.gate.release.notify_one();
    let old = contents(racing.await.expect("join").expect("month"));
    assert_eq!(old.first().map(String::as_str), Some("Dentist"));
    let fresh = contents(svc.month(&who, month()).await.expect("month"));
    assert_eq!(
        fresh.first().map(String::as_str),
        Some("Dentist (moved to 9:00)"),
        "warm={warm}: the old month was left in the cache"
    );
    let reads = events.reads.load(Ordering::SeqCst);
    svc.month(&who, month()).await.expect("month");
    assert_eq!(events.reads.load(Ordering::SeqCst), reads, "then a hit");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_events_read_racing_a_write_never_leaves_the_old_month_cached() {
    for (name, cache) in caches() {
        for warm in [false, true] {
            eprintln!("{name} warm={warm}");
            events_race(cache.clone(), warm).await;
        }
    }
}

/// A cold custody month read (past month, family generation present) is one round trip to
/// storage: the days joined to their custodians' names. No members, no user look-ups, no
/// second read; the next read is served by the cache alone.
#[tokio::test(flavor = "multi_thread")]
async fn a_cold_custody_month_is_one_storage_round_trip_on_postgres() {
    let db = TestDatabase::new().await;
    let pg = Arc::new(
        PgStore::connect(
            &db.url(),
            None,
            &PgConfig {
                pool_size: 2,
                ..PgConfig::default()
            },
        )
        .expect("pool"),
    );
    let (who, [jeff, deb]) = {
        let jeff = pg
            .create_account(new_account("Jeff", "jeff@example.com"))
            .await
            .expect("account");
        let family = jeff.family_id.expect("family");
        let deb = pg
            .create_member(new_user("Deb", "deb@example.com"), family, Some(jeff.id))
            .await
            .expect("member");
        let who = Principal {
            user_id: jeff.id,
            family_id: Some(family),
        };
        (who, [jeff.id, deb.id])
    };
    let stranger = pg
        .create_account(new_account("Olga", "olga@example.com"))
        .await
        .expect("stranger");
    let custody = Watched::new(pg.clone());
    let family = Watched::new(pg.clone());
    let cache: Arc<dyn Cache> = Arc::new(MemoryCache::default());
    let svc = CustodyService::new(CustodyDeps {
        custody: custody.clone(),
        templates: pg.clone() as Arc<dyn TemplateStore>,
        family: family.clone(),
        cache: cache.clone(),
        push: PushOutbox::direct(Arc::new(DisabledPush)),
    });
    svc.bulk(&who, vec![input(on(1), jeff), input(on(2), deb)])
        .await
        .expect("bulk");
    // A day naming someone outside the family (as left by the original backend).
    custody
        .write_days(
            who.family_id.expect("family"),
            jeff,
            on(3),
            on(3),
            &|_| {
                Ok(vec![calndr_domain::CustodyDay {
                    date: on(3),
                    custodian: stranger.id,
                    handoff_day: false,
                    handoff_time: None,
                    handoff_location: None,
                }])
            },
            &[],
        )
        .await
        .expect("stranger's day");
    let (custody_before, family_before) = (
        custody.reads.load(Ordering::SeqCst),
        family.reads.load(Ordering::SeqCst),
    );
    let shown: Vec<String> = svc
        .month(&who, month())
        .await
        .expect("month")
        .into_iter()
        .map(|e| e.custodian_name)
        .collect();
    assert_eq!(shown, ["Jeff", "Deb", "Olga"]);
    assert_eq!(custody.reads.load(Ordering::SeqCst), custody_before + 1);
    assert_eq!(
        family.reads.load(Ordering::SeqCst),
        family_before,
        "no members"
    );
    svc.month(&who, month()).await.expect("month");
    assert_eq!(
        custody.reads.load(Ordering::SeqCst),
        custody_before + 1,
        "a hit"
    );
}
