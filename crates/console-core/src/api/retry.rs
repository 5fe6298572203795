//! Which failures are worth another try, and how long to wait before it.
//!
//! Retried, with exponential back-off and jitter (`backon`), a bounded number of times:
//! 429 `RateLimited`, 502/503/504, and transport failures (refused connection, timeout, a
//! body cut short). The wait honours `Retry-After` / `x-ratelimit-after` up to
//! [`RetryPolicy::max_delay`]; Hook0 truncates those to whole seconds (usually `0`), so a
//! floor ([`RetryPolicy::retry_after_floor`]) applies.
//!
//! Never retried: quota 429s (`TooManyEventsToday` and any id but `RateLimited` — waiting
//! does not help), other statuses, undecodable or oversized bodies. A request that is not
//! idempotent (replay, token refresh) is retried only when it certainly did not reach the
//! handler: a 429 `RateLimited` (refused by the rate limiter in front of it) or a connection
//! that never opened. A timeout, a 503 or a cut-off answer is ambiguous: the event may have
//! been replayed, so the error goes back to the caller.

use std::time::Duration;

use backon::ExponentialBuilder;

use super::ApiError;

/// Whether a request may be sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads: safe to repeat after any transient failure.
    Idempotent,
    /// Writes with effects (replay, refresh): repeated only when surely not processed.
    NotIdempotent,
}

/// Retry limits of one client.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first try (0 disables retrying).
    pub max_retries: usize,
    /// First back-off delay; it doubles on each retry (with jitter).
    pub min_delay: Duration,
    /// No single wait exceeds this, `Retry-After` included.
    pub max_delay: Duration,
    /// Least wait after a 429/503 whatever `Retry-After` says (Hook0 sends `0`).
    pub retry_after_floor: Duration,
    /// Randomise delays so that clients do not retry in lockstep.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 6,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            retry_after_floor: Duration::from_millis(250),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub const NEVER: Self = Self {
        max_retries: 0,
        min_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        retry_after_floor: Duration::ZERO,
        jitter: false,
    };

    pub(crate) fn backoff(&self) -> ExponentialBuilder {
        let builder = ExponentialBuilder::default()
            .with_factor(2.0)
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries);
        if self.jitter {
            builder.with_jitter()
        } else {
            builder
        }
    }

    /// Whether `error` deserves another try.
    pub fn should_retry(&self, error: &ApiError, idempotency: Idempotency) -> bool {
        match error {
            ApiError::RateLimited { problem_id, .. } => problem_id == "RateLimited",
            ApiError::Unreachable { .. } => true,
            ApiError::Unavailable { .. }
            | ApiError::Timeout { .. }
            | ApiError::Transport { .. } => idempotency == Idempotency::Idempotent,
            _ => false,
        }
    }

    /// The wait before the next try: the back-off, lengthened to what the server asked
    /// (never under the floor), capped at `max_delay`. `None` once retries are spent.
    pub fn delay_for(&self, error: &ApiError, backoff: Option<Duration>) -> Option<Duration> {
        let backoff = backoff?;
        let asked = match error {
            ApiError::RateLimited { retry_after, .. }
            | ApiError::Unavailable { retry_after, .. } => {
                Some(retry_after.unwrap_or_default().max(self.retry_after_floor))
            }
            _ => None,
        };
        Some(
            asked
                .map_or(backoff, |a| a.max(backoff))
                .min(self.max_delay),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(id: &str, secs: Option<u64>) -> ApiError {
        ApiError::RateLimited {
            retry_after: secs.map(Duration::from_secs),
            problem_id: id.to_owned(),
        }
    }

    #[test]
    fn quota_429s_are_final_and_pacing_429s_are_not() {
        let policy = RetryPolicy::default();
        assert!(policy.should_retry(&limited("RateLimited", Some(0)), Idempotency::Idempotent));
        assert!(!policy.should_retry(
            &limited("TooManyEventsToday", Some(0)),
            Idempotency::Idempotent
        ));
        assert!(policy.should_retry(&limited("RateLimited", None), Idempotency::NotIdempotent));
    }

    #[test]
    fn ambiguous_failures_are_not_retried_for_writes() {
        let policy = RetryPolicy::default();
        let unavailable = ApiError::Unavailable {
            url: "u".into(),
            status: 503,
            retry_after: Some(Duration::from_secs(5)),
            problem_id: None,
        };
        let timeout = ApiError::Timeout {
            url: "u".into(),
            seconds: 1,
        };
        for error in [&unavailable, &timeout] {
            assert!(policy.should_retry(error, Idempotency::Idempotent));
            assert!(!policy.should_retry(error, Idempotency::NotIdempotent));
        }
        let refused = ApiError::Unreachable {
            url: "u".into(),
            reason: "refused".into(),
        };
        assert!(policy.should_retry(&refused, Idempotency::NotIdempotent));
    }

    #[test]
    fn retry_after_zero_gets_the_floor_and_long_waits_the_cap() {
        let policy = RetryPolicy {
            max_delay: Duration::from_secs(2),
            ..RetryPolicy::default()
        };
        let short = Some(Duration::from_millis(10));
        assert_eq!(
            policy.delay_for(&limited("RateLimited", Some(0)), short),
            Some(policy.retry_after_floor)
        );
        assert_eq!(
            policy.delay_for(&limited("RateLimited", Some(60)), short),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            policy.delay_for(&limited("RateLimited", Some(0)), None),
            None
        );
    }
}
