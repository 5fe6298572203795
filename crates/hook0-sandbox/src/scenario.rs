//! Scenario generation without a server, for benchmarks and determinism checks.

use crate::clock::from_datetime;
use crate::generator::generate;
use crate::model::AttemptState;
use crate::options::ScenarioConfig;
use crate::rng::mix;
use crate::store::{LiveSettings, Store};
use chrono::{DateTime, Utc};

/// A generated scenario, held in memory exactly as a running sandbox holds it.
#[derive(Debug)]
pub struct GeneratedScenario {
    store: Store,
}

/// Attempt counts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttemptCounts {
    pub succeeded: usize,
    pub failed: usize,
    /// Still pending or waiting (handed to the live worker).
    pub open: usize,
    /// Failed attempts whose chain gave up (no newer attempt; retries exhausted).
    pub retries: usize,
}

impl GeneratedScenario {
    pub fn generate(config: &ScenarioConfig, history_end: DateTime<Utc>, max_retries: u16) -> Self {
        let live = LiveSettings {
            time_scale: 1.0,
            max_retries,
        };
        Self {
            store: generate(config, from_datetime(history_end), live),
        }
    }

    pub fn events(&self) -> usize {
        self.store.events.len()
    }

    pub fn attempts(&self) -> usize {
        self.store.attempts.len()
    }

    pub fn counts(&self) -> AttemptCounts {
        let mut counts = AttemptCounts::default();
        for a in &self.store.attempts {
            match a.state {
                AttemptState::Succeeded => counts.succeeded += 1,
                AttemptState::Failed => counts.failed += 1,
                AttemptState::Open => counts.open += 1,
            }
            if a.retry_count > 0 {
                counts.retries += 1;
            }
        }
        counts
    }

    /// A hash of every id, timestamp and outcome: equal fingerprints, equal scenarios.
    pub fn fingerprint(&self) -> u64 {
        let s = &self.store;
        let mut h = mix(s.organization.id.as_u128() as u64);
        let mut feed = |v: u64| h = mix(h ^ v);
        for app in &s.applications {
            feed(app.id.as_u128() as u64);
            app.name.bytes().for_each(|b| feed(u64::from(b)));
        }
        for sub in &s.subscriptions {
            feed(sub.id.as_u128() as u64);
        }
        for e in &s.events {
            feed(e.id.as_u128() as u64);
            feed(e.received_at as u64);
        }
        for (i, a) in s.attempts.iter().enumerate() {
            feed(s.attempt_id(i as u32).as_u128() as u64);
            feed(a.created_at as u64 ^ a.finished_at as u64 ^ a.delay_until as u64);
            feed(u64::from(a.http_status) ^ (u64::from(a.retry_count) << 16));
        }
        h
    }
}
