//! Simulated deliveries: what a subscription's target "answers", and Hook0's retry schedule.
//!
//! No HTTP request ever leaves the sandbox; a [`Behaviour`] and a seeded random stream decide
//! the status, the transport error and the duration of each delivery.

use crate::model::ResponseKind;
use crate::options::Behaviour;
use crate::rng::Rng;

/// The result of one simulated HTTP call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub kind: ResponseKind,
    /// 0 for transport errors.
    pub http_status: u16,
    /// As the worker measured it (not divided by the time scale).
    pub elapsed_ms: u32,
}

impl Delivery {
    pub fn succeeded(&self) -> bool {
        self.kind == ResponseKind::Http && (200..300).contains(&self.http_status)
    }
}

/// The worker's HTTP timeout.
pub const TIMEOUT_MS: u32 = 15_000;

fn http(status: u16, rng: &mut Rng) -> Delivery {
    let elapsed = if status < 300 {
        // Mostly fast, with a long tail.
        if rng.chance(0.9) {
            rng.between(15, 450)
        } else {
            rng.between(450, 4_000)
        }
    } else {
        rng.between(5, 1_500)
    };
    Delivery {
        kind: ResponseKind::Http,
        http_status: status,
        elapsed_ms: elapsed as u32,
    }
}

fn transport(kind: ResponseKind, rng: &mut Rng) -> Delivery {
    let elapsed = match kind {
        ResponseKind::Timeout => i64::from(TIMEOUT_MS) + rng.between(1, 150),
        ResponseKind::Dns => rng.between(2, 80),
        _ => rng.between(1, 40),
    };
    Delivery {
        kind,
        http_status: 0,
        elapsed_ms: elapsed as u32,
    }
}

fn any_failure(rng: &mut Rng) -> Delivery {
    match rng.below(100) {
        0..30 => http(500, rng),
        30..45 => http(502, rng),
        45..58 => http(503, rng),
        58..66 => http(404, rng),
        66..70 => http(410, rng),
        70..76 => http(400, rng),
        76..80 => http(429, rng),
        80..91 => transport(ResponseKind::Timeout, rng),
        91..99 => transport(ResponseKind::Connection, rng),
        _ => transport(ResponseKind::Dns, rng),
    }
}

fn success(rng: &mut Rng) -> Delivery {
    let status = match rng.below(20) {
        0 => 201,
        1 => 202,
        2 => 204,
        _ => 200,
    };
    http(status, rng)
}

/// Simulates one delivery to a target behaving as `behaviour`.
pub fn simulate(behaviour: Behaviour, rng: &mut Rng) -> Delivery {
    match behaviour {
        Behaviour::Succeed => http(200, rng),
        Behaviour::FailWith(status) => http(status, rng),
        Behaviour::Timeout => transport(ResponseKind::Timeout, rng),
        Behaviour::ConnectionRefused => transport(ResponseKind::Connection, rng),
        Behaviour::Flaky { failure_rate } => {
            if rng.chance(failure_rate) {
                any_failure(rng)
            } else {
                success(rng)
            }
        }
    }
}

/// Hook0's default retry delays in seconds; the last one repeats (24 retries ≈ 8 days).
const SCHEDULE_SECS: [i64; 8] = [3, 10, 180, 1_800, 3_600, 10_800, 18_000, 36_000];

/// Delay before retry number `retry` (1-based), in microseconds, with Hook0-like jitter
/// (observed +5% to +22%), before any time scaling.
pub fn retry_delay_micros(retry: u16, rng: &mut Rng) -> i64 {
    let step = usize::from(retry.saturating_sub(1)).min(SCHEDULE_SECS.len() - 1);
    let base = SCHEDULE_SECS.get(step).copied().unwrap_or(36_000) * 1_000_000;
    base + (base as f64 * rng.unit() * 0.25) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_behaviours_are_fixed() {
        let mut rng = Rng::new(1);
        assert!(simulate(Behaviour::Succeed, &mut rng).succeeded());
        let failed = simulate(Behaviour::FailWith(500), &mut rng);
        assert_eq!((failed.kind, failed.http_status), (ResponseKind::Http, 500));
        let timeout = simulate(Behaviour::Timeout, &mut rng);
        assert_eq!(timeout.kind, ResponseKind::Timeout);
        assert!(
            timeout.elapsed_ms >= TIMEOUT_MS,
            "a timeout lasts the whole timeout"
        );
    }

    #[test]
    fn schedule_grows_and_has_jitter() {
        let mut rng = Rng::new(2);
        let first = retry_delay_micros(1, &mut rng);
        assert!(
            (3_000_000..=3_750_000).contains(&first),
            "3 s + up to 25%: {first}"
        );
        assert!(retry_delay_micros(24, &mut rng) >= 36_000_000_000);
    }
}
