//! Prometheus metrics: requests by route and status, a latency histogram, pool and cache state.

use std::sync::Arc;
use std::time::Duration;

use calndr_ports::{Cache, PoolInfo};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    cache: IntGaugeVec,
    pools: Vec<(&'static str, Arc<dyn PoolInfo>)>,
    caches: Vec<(&'static str, Arc<dyn Cache>)>,
}

impl Metrics {
    pub fn new(
        pools: Vec<(&'static str, Arc<dyn PoolInfo>)>,
        caches: Vec<(&'static str, Arc<dyn Cache>)>,
    ) -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("calndr".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            ),
            &["route", "method"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new("pool_connections", "Connection pool state"),
            &["pool", "state"],
        )?;
        let cache = IntGaugeVec::new(
            Opts::new("cache_operations", "Cache lookups since start, by outcome"),
            &["cache", "outcome"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(cache.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            pool,
            cache,
            pools,
            caches,
        })
    }

    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route, method])
            .observe(elapsed.as_secs_f64());
    }

    /// The text exposition, with pool and cache state read at scrape time.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let clamp = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        for (name, info) in &self.pools {
            let s = info.pool_state();
            self.pool
                .with_label_values(&[name, "max"])
                .set(clamp(s.max_size));
            self.pool
                .with_label_values(&[name, "open"])
                .set(clamp(s.size));
            self.pool
                .with_label_values(&[name, "idle"])
                .set(clamp(s.available));
            self.pool
                .with_label_values(&[name, "waiting"])
                .set(clamp(s.waiting));
        }
        let clamp64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        for (name, cache) in &self.caches {
            let (hits, misses, errors) = cache.stats().snapshot();
            self.cache
                .with_label_values(&[name, "hit"])
                .set(clamp64(hits));
            self.cache
                .with_label_values(&[name, "miss"])
                .set(clamp64(misses));
            self.cache
                .with_label_values(&[name, "error"])
                .set(clamp64(errors));
        }
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}
