//! Fault injection: latency, random 503s, 429 storms and damaged JSON bodies.
//!
//! The console must survive a flaky Hook0; these switches make each failure mode reproducible.
//! Random choices come from a seeded stream so a test with a rate of 1.0 or 0.0 is exact.

use crate::options::Faults;
use crate::rng::Rng;
use std::time::{Duration, Instant};

/// Which damage to do to one successful JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFault {
    Truncated,
    Malformed,
    Large(usize),
}

#[derive(Debug)]
pub struct FaultState {
    faults: Faults,
    storm: Option<(Instant, Instant)>,
    rng: Rng,
}

impl FaultState {
    pub fn new(faults: Faults, seed: u64) -> Self {
        let mut state = Self {
            faults: Faults::default(),
            storm: None,
            rng: Rng::derive(seed, 0x4641_554C, 0),
        };
        state.set(faults);
        state
    }

    pub fn faults(&self) -> Faults {
        self.faults.clone()
    }

    /// Replaces the switches; a storm window starts counting now.
    pub fn set(&mut self, faults: Faults) {
        self.storm = faults.storm.map(|storm| {
            let start = Instant::now() + storm.starts_after;
            (start, start + storm.lasts)
        });
        self.faults = faults;
    }

    /// Starts a 429 storm now, for `lasts`.
    pub fn storm_now(&mut self, lasts: Duration) {
        let now = Instant::now();
        self.storm = Some((now, now + lasts));
        self.faults.storm = Some(crate::options::Storm {
            starts_after: Duration::ZERO,
            lasts,
        });
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.faults.latency_ms)
    }

    /// Remaining storm time if one is raging.
    pub fn storm_remaining(&self) -> Option<Duration> {
        let now = Instant::now();
        self.storm
            .filter(|(start, end)| *start <= now && now < *end)
            .map(|(_, end)| end - now)
    }

    pub fn roll_unavailable(&mut self) -> bool {
        self.faults.error_rate > 0.0 && self.rng.chance(self.faults.error_rate)
    }

    pub fn roll_body(&mut self) -> Option<BodyFault> {
        let f = &self.faults;
        let (truncated, malformed, large, bytes) = (
            f.truncated_json_rate,
            f.malformed_json_rate,
            f.large_body_rate,
            f.large_body_bytes,
        );
        if truncated > 0.0 && self.rng.chance(truncated) {
            return Some(BodyFault::Truncated);
        }
        if malformed > 0.0 && self.rng.chance(malformed) {
            return Some(BodyFault::Malformed);
        }
        if large > 0.0 && self.rng.chance(large) {
            return Some(BodyFault::Large(bytes));
        }
        None
    }
}

/// Applies `fault` to a JSON body.
pub fn damage(body: &[u8], fault: BodyFault) -> Vec<u8> {
    match fault {
        BodyFault::Truncated => body.get(..body.len() / 2).unwrap_or_default().to_vec(),
        BodyFault::Malformed => {
            // A stray comma right after the opening bracket: `{,"a":1}` / `[,]`.
            let mut out = body.to_vec();
            let at = out
                .iter()
                .position(|b| *b == b'{' || *b == b'[')
                .map_or(0, |p| p + 1);
            out.insert(at, b',');
            out
        }
        BodyFault::Large(size) => {
            // Still valid JSON: trailing whitespace up to the requested size.
            let mut out = body.to_vec();
            if out.len() < size {
                out.resize(size, b' ');
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_bodies_do_not_parse_or_are_large() {
        let body = br#"{"a":[1,2,3]}"#;
        let truncated = damage(body, BodyFault::Truncated);
        assert!(serde_json::from_slice::<serde_json::Value>(&truncated).is_err());
        let malformed = damage(body, BodyFault::Malformed);
        assert_eq!(malformed.len(), body.len() + 1);
        assert!(serde_json::from_slice::<serde_json::Value>(&malformed).is_err());
        let large = damage(body, BodyFault::Large(1_000));
        assert_eq!(large.len(), 1_000);
        assert!(serde_json::from_slice::<serde_json::Value>(&large).is_ok());
    }
}
