use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use calndr_domain::YearMonth;
use calndr_memory::MemoryCache;
use calndr_ports::{CacheStats, StoreError};

use super::*;
use crate::cache_keys::custody_month_rendered;

const TTL: Duration = Duration::from_secs(60);

/// Counts the loads; answers `value` and stores it unless `skip`.
struct Source {
    loads: AtomicUsize,
}

impl Source {
    fn new() -> Self {
        Self {
            loads: AtomicUsize::new(0),
        }
    }
    async fn load(&self, value: &str, skip: bool) -> Result<Loaded<Vec<u8>>, AppError> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        let v = value.as_bytes().to_vec();
        Ok(if skip {
            Loaded::Skip(v)
        } else {
            Loaded::Store(v)
        })
    }
    fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }
}

fn key() -> ViewKey {
    custody_month_rendered(FamilyId::random(), YearMonth::new(2025, 3).unwrap())
}

async fn read(rt: &ReadThrough, key: &ViewKey, src: &Source, value: &str) -> String {
    let got = rt
        .read(key, TTL, &BYTES, src.load(value, false))
        .await
        .unwrap();
    String::from_utf8(got).unwrap()
}

#[tokio::test]
async fn the_first_read_starts_a_generation_and_caches_then_hits() {
    let cache = Arc::new(MemoryCache::default());
    let rt = ReadThrough::new(cache.clone());
    let (k, src) = (key(), Source::new());
    assert_eq!(read(&rt, &k, &src, "a").await, "a");
    let generation = cache.get(&k.generation()).await.unwrap().unwrap();
    let started = parse_generation(&generation).unwrap();
    assert!(
        started > 1_600_000_000_000_000,
        "starts at the clock, not 0"
    );
    assert_eq!(read(&rt, &k, &src, "b").await, "a", "served from the cache");
    assert_eq!(src.loads(), 1);
}

/// A write that bumps the counter a read is about to create: the read is not cached.
struct BumpWhileLoading<'a> {
    rt: &'a ReadThrough,
    family: FamilyId,
}

impl BumpWhileLoading<'_> {
    async fn load(&self) -> Result<Loaded<Vec<u8>>, AppError> {
        self.rt.bump(self.family, View::Custody).await;
        Ok(Loaded::Store(b"old".to_vec()))
    }
}

#[tokio::test]
async fn a_write_during_a_first_read_leaves_nothing_stale() {
    let cache = Arc::new(MemoryCache::default());
    let rt = ReadThrough::new(cache.clone());
    let (k, src) = (key(), Source::new());
    let writer = BumpWhileLoading {
        rt: &rt,
        family: k.family,
    };
    let got = rt.read(&k, TTL, &BYTES, writer.load()).await.unwrap();
    assert_eq!(got, b"old");
    assert_eq!(read(&rt, &k, &src, "new").await, "new");
    assert_eq!(read(&rt, &k, &src, "x").await, "new");
}

#[tokio::test]
async fn a_bump_retires_the_cached_value_of_every_key_of_the_view() {
    let cache = Arc::new(MemoryCache::default());
    let rt = ReadThrough::new(cache.clone());
    let src = Source::new();
    let k = key();
    let sibling = crate::cache_keys::custody_month(k.family, YearMonth::new(2026, 1).unwrap());
    let other_view = crate::cache_keys::events_month(k.family, YearMonth::new(2025, 3).unwrap());
    rt.bump(k.family, View::Custody).await;
    rt.bump(k.family, View::Events).await;
    for key in [&k, &sibling, &other_view] {
        read(&rt, key, &src, "old").await;
        assert_eq!(read(&rt, key, &src, "x").await, "old");
    }
    rt.bump(k.family, View::Events).await;
    rt.bump(k.family, View::Events).await;
    assert_eq!(read(&rt, &k, &src, "x").await, "old", "custody untouched");
    read(&rt, &other_view, &src, "old").await;
    rt.bump(k.family, View::Custody).await;
    assert_eq!(read(&rt, &k, &src, "new").await, "new");
    assert_eq!(read(&rt, &sibling, &src, "new").await, "new");
    assert_eq!(
        read(&rt, &other_view, &src, "new").await,
        "old",
        "events untouched"
    );
    assert_eq!(read(&rt, &k, &src, "newer").await, "new", "cached again");
}

#[tokio::test]
async fn a_purge_deletes_every_month_of_the_family_and_no_other_familys() {
    let cache = Arc::new(MemoryCache::default());
    let rt = ReadThrough::new(cache.clone());
    let src = Source::new();
    let family = FamilyId::random();
    let months = [(1900, 1), (2025, 3), (2200, 12)];
    let mut keys = Vec::new();
    for (y, m) in months {
        let month = YearMonth::new(y, m).unwrap();
        keys.push(crate::cache_keys::custody_month(family, month));
        keys.push(custody_month_rendered(family, month));
    }
    let neighbour = key();
    for k in keys.iter().chain([&neighbour]) {
        read(&rt, k, &src, "Quorrabelle").await;
        assert!(cache.get(&k.value).await.unwrap().is_some());
    }
    rt.purge(
        family,
        View::Custody,
        &crate::cache_keys::every_custody_month(family),
    )
    .await;
    for k in &keys {
        assert_eq!(cache.get(&k.value).await.unwrap(), None, "{}", k.value);
    }
    assert!(cache.get(&neighbour.value).await.unwrap().is_some());
    assert_eq!(read(&rt, &neighbour, &src, "x").await, "Quorrabelle");
}

#[tokio::test]
async fn a_lost_generation_is_a_miss_for_values_tagged_with_the_old_one() {
    let cache = Arc::new(MemoryCache::default());
    let rt = ReadThrough::new(cache.clone());
    let (k, src) = (key(), Source::new());
    rt.bump(k.family, View::Custody).await;
    read(&rt, &k, &src, "old").await;
    assert_eq!(read(&rt, &k, &src, "x").await, "old");
    cache.delete(&[k.generation()]).await.unwrap();
    assert_eq!(read(&rt, &k, &src, "new").await, "new", "a fresh start");
    assert_eq!(read(&rt, &k, &src, "x").await, "new");
}

#[tokio::test]
async fn skipped_and_undecodable_values_are_not_served() {
    let cache = Arc::new(MemoryCache::default());
    let rt = ReadThrough::new(cache.clone());
    let (k, src) = (key(), Source::new());
    rt.bump(k.family, View::Custody).await;
    let got = rt.read(&k, TTL, &BYTES, src.load("skip", true)).await;
    assert_eq!(got.unwrap(), b"skip");
    assert!(cache.get(&k.value).await.unwrap().is_none());
    cache.set(&k.value, b"short", TTL).await.unwrap();
    assert_eq!(read(&rt, &k, &src, "fresh").await, "fresh");
    let strict: Codec<Vec<u8>> = Codec {
        encode: |b| Some(b.clone()),
        decode: |_| None,
    };
    let got = rt.read(&k, TTL, &strict, src.load("again", false)).await;
    assert_eq!(
        got.unwrap(),
        b"again",
        "a value that does not decode is a miss"
    );
}

/// Every call fails, as Redis does in an outage.
struct Down(CacheStats);

#[async_trait]
impl Cache for Down {
    async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn set(&self, _: &str, _: &[u8], _: Duration) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn delete(&self, _: &[String]) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn get_many(&self, _: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn set_if_absent(&self, _: &str, _: &[u8], _: Duration) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn incr(&self, _: &str, _: u64, _: Duration) -> Result<u64, StoreError> {
        Err(StoreError::Unavailable("down".into()))
    }
    fn stats(&self) -> &CacheStats {
        &self.0
    }
}

#[tokio::test]
async fn a_cache_outage_is_a_miss_and_a_lost_bump_not_an_error() {
    let rt = ReadThrough::new(Arc::new(Down(CacheStats::default())));
    let (k, src) = (key(), Source::new());
    assert_eq!(read(&rt, &k, &src, "a").await, "a");
    rt.bump(k.family, View::Custody).await;
    assert_eq!(read(&rt, &k, &src, "b").await, "b");
    assert_eq!(src.loads(), 2);
}
