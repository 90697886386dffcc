//! The one read-through cache of every cached view of a family (custody months and their
//! rendered bodies, event months).
//!
//! Each view has a per-family **generation**, a counter in the cache
//! ([`cache_keys::generation`]). A read fetches the generation and the value in one round trip
//! (`get_many`); a value counts only when it is tagged with the current generation. On a miss the
//! loader reads the database once and the value is stored tagged with the generation read
//! *before* loading. Every write bumps the generation after it commits ([`ReadThrough::bump`]).
//! So a read that loaded before a write committed stores a value whose tag is already old: it
//! can never leave the pre-write month cached. A cache failure is never a request failure: it is
//! a miss, and nothing is stored.
//!
//! Counters start at the current time in microseconds (not at 0), whether a write or a read
//! creates them, so a counter that expired or was evicted never comes back at a value an old
//! cached entry is tagged with. While a view has no counter yet, a read creates one before it
//! loads (one more cache call), and caches only when it was the one that created it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use calndr_domain::FamilyId;
use calndr_ports::Cache;
use chrono::Utc;
use tracing::warn;

use crate::cache_keys::{self, View, ViewKey};
use crate::AppError;

/// How long a generation counter lives after its last bump (a read never extends it). When it
/// is gone, the next read starts a new one and the view's cached values all count as misses.
pub const GENERATION_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Bytes of the generation tag in front of every stored value.
const TAG: usize = 8;

/// What a loader produced, and whether it may be cached.
#[derive(Debug)]
pub enum Loaded<T> {
    Store(T),
    /// Answer it, but do not cache it (e.g. an empty future month, or data the loader itself
    /// just wrote, which bumped the generation).
    Skip(T),
}

/// How a view's value is stored. `decode` gets the stored bytes without the tag; `None` from
/// either is a miss (nothing is stored).
pub struct Codec<T> {
    pub encode: fn(&T) -> Option<Vec<u8>>,
    pub decode: fn(Vec<u8>) -> Option<T>,
}

/// Raw bytes, stored as they are (a rendered body).
pub const BYTES: Codec<Vec<u8>> = Codec {
    encode: |b| Some(b.clone()),
    decode: Some,
};

/// The generation counters and tagged values of a family's views.
#[derive(Clone)]
pub struct ReadThrough {
    cache: Arc<dyn Cache>,
}

/// A fresh counter's first value: microseconds since the epoch.
fn start() -> u64 {
    u64::try_from(Utc::now().timestamp_micros()).unwrap_or(0)
}

fn parse_generation(raw: &[u8]) -> Option<u64> {
    std::str::from_utf8(raw).ok()?.parse().ok()
}

impl ReadThrough {
    pub fn new(cache: Arc<dyn Cache>) -> Self {
        Self { cache }
    }

    /// The value of `key`: from the cache when it is tagged with the view's current generation,
    /// else from `load` (stored for `ttl` unless the loader says [`Loaded::Skip`]).
    pub async fn read<T, F>(
        &self,
        key: &ViewKey,
        ttl: Duration,
        codec: &Codec<T>,
        load: F,
    ) -> Result<T, AppError>
    where
        F: Future<Output = Result<Loaded<T>, AppError>>,
    {
        let generation_key = key.generation();
        let fetched = self
            .cache
            .get_many(&[generation_key.clone(), key.value.clone()])
            .await;
        // Either the cache answered (with the generation, if any) or it failed: then nothing is
        // read from it or stored in it.
        let generation = match fetched {
            Ok(mut values) => {
                let value = values.pop().flatten();
                let generation = values.pop().flatten().and_then(|g| parse_generation(&g));
                if let (Some(g), Some(mut raw)) = (generation, value) {
                    if raw.get(..TAG) == Some(&g.to_be_bytes()[..]) {
                        raw.drain(..TAG);
                        if let Some(hit) = (codec.decode)(raw) {
                            return Ok(hit);
                        }
                    }
                }
                Some(generation)
            }
            Err(_) => None,
        };
        // No counter yet (a family's first read, or the counter expired): start one now, before
        // loading. When another caller got there first, this read is not cached.
        let generation = match generation {
            Some(None) => {
                let first = start();
                self.cache
                    .set_if_absent(
                        &generation_key,
                        first.to_string().as_bytes(),
                        GENERATION_TTL,
                    )
                    .await
                    .ok()
                    .filter(|created| *created)
                    .map(|_| first)
            }
            Some(g) => g,
            None => None,
        };
        let value = match load.await? {
            Loaded::Store(v) => v,
            Loaded::Skip(v) => return Ok(v),
        };
        if let Some(g) = generation {
            if let Some(bytes) = (codec.encode)(&value) {
                let mut tagged = Vec::with_capacity(TAG + bytes.len());
                tagged.extend_from_slice(&g.to_be_bytes());
                tagged.extend_from_slice(&bytes);
                // Best effort: the adapter counts and logs cache failures.
                let _ = self.cache.set(&key.value, &tagged, ttl).await;
            }
        }
        Ok(value)
    }

    /// Retires every cached value of the family's `view`. Called after a write committed; a
    /// failure is logged (the values then live until their TTL).
    pub async fn bump(&self, family: FamilyId, view: View) {
        let key = cache_keys::generation(family, view);
        if let Err(e) = self.cache.incr(&key, start(), GENERATION_TTL).await {
            warn!(family.id = %family, view = view.as_str(), error = %e, "cache generation not bumped");
        }
    }
}

impl ReadThrough {
    /// Retires the family's `view` and deletes every key in `keys` now (in chunks of
    /// [`PURGE_CHUNK`]): for values that must leave the cache at once rather than at their TTL,
    /// such as the months that show a deleted member's name. A failure is logged and the rest
    /// live until their TTL.
    pub async fn purge(&self, family: FamilyId, view: View, keys: &[String]) {
        self.bump(family, view).await;
        for chunk in keys.chunks(PURGE_CHUNK) {
            if let Err(e) = self.cache.delete(chunk).await {
                warn!(family.id = %family, view = view.as_str(), error = %e, "cached values not purged");
                return;
            }
        }
    }
}

/// Keys per cache call of [`ReadThrough::purge`].
const PURGE_CHUNK: usize = 1000;

#[cfg(test)]
#[path = "read_through_tests.rs"]
mod tests;
