//! How fast and how carefully a job replays; stored with the job so a resumed job runs as
//! approved.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::ReplayError;

/// Hook0 allows one token 10 requests/s; a replay job never asks for more.
pub const MAX_RATE: u32 = 10;
/// Most replay requests in flight at once.
pub const MAX_IN_FLIGHT: u32 = 4;

/// Settings of one replay job. Durations are in milliseconds (stored as JSON, shown in the UI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RunConfig {
    /// Replay requests started per second (1–10).
    pub rate_per_second: u32,
    /// Replay requests in flight (1–4).
    pub in_flight: u32,
    /// Least pause of the whole job after a 429 (Hook0 sends `retry-after: 0`).
    pub min_pause_ms: u64,
    /// Random extra pause after a 429, up to this much, so clients do not resume in step.
    pub pause_jitter_ms: u64,
    /// Tries of one event after 503s and transport failures (each resolved first).
    pub max_tries: u32,
    /// First back-off delay after a 503 or transport failure; it doubles with jitter.
    pub backoff_min_ms: u64,
    /// Longest back-off delay.
    pub backoff_max_ms: u64,
    /// How long after a request left (with no answer) it could still reach Hook0: an entry
    /// is declared not sent only after this. At least the client's request timeout.
    pub settle_ms: u64,
    /// Allowed clock difference between the console and Hook0 when looking for the attempts
    /// a replay created.
    pub clock_skew_ms: u64,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            rate_per_second: 5,
            in_flight: 3,
            min_pause_ms: 1_000,
            pause_jitter_ms: 500,
            max_tries: 5,
            backoff_min_ms: 500,
            backoff_max_ms: 30_000,
            settle_ms: 45_000,
            clock_skew_ms: 5 * 60_000,
        }
    }
}

impl RunConfig {
    /// Refuses settings that would break Hook0's limit or make no sense.
    pub fn validate(&self) -> Result<(), ReplayError> {
        let bad = |m: String| Err(ReplayError::InvalidConfig(m));
        if self.rate_per_second == 0 || self.rate_per_second > MAX_RATE {
            return bad(format!(
                "rate_per_second must be 1–{MAX_RATE} (Hook0 allows one token {MAX_RATE}/s), not {}",
                self.rate_per_second
            ));
        }
        if self.in_flight == 0 || self.in_flight > MAX_IN_FLIGHT {
            return bad(format!(
                "in_flight must be 1–{MAX_IN_FLIGHT}, not {}",
                self.in_flight
            ));
        }
        if self.max_tries == 0 {
            return bad("max_tries must be at least 1".into());
        }
        if self.backoff_min_ms > self.backoff_max_ms {
            return bad("backoff_min_ms must not exceed backoff_max_ms".into());
        }
        Ok(())
    }

    pub(crate) fn min_pause(&self) -> Duration {
        Duration::from_millis(self.min_pause_ms)
    }

    pub(crate) fn settle(&self) -> Duration {
        Duration::from_millis(self.settle_ms)
    }

    pub(crate) fn clock_skew(&self) -> Duration {
        Duration::from_millis(self.clock_skew_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_hooks0_limit_is_refused() {
        assert!(RunConfig::default().validate().is_ok());
        for rate in [0, 11, 100] {
            let c = RunConfig {
                rate_per_second: rate,
                ..RunConfig::default()
            };
            assert!(
                matches!(c.validate(), Err(ReplayError::InvalidConfig(_))),
                "{rate}"
            );
        }
        let c = RunConfig {
            in_flight: 5,
            ..RunConfig::default()
        };
        assert!(c.validate().is_err());
    }
}
