//! The sandbox clock: wall time plus an offset that tests can push forward.
//!
//! Every timestamp the sandbox writes comes from here, as microseconds since the Unix epoch
//! (PostgreSQL's precision, so cursors and ties behave like the real server's). The clock never
//! goes backwards, and [`Clock::advance`] lets a test jump over retry delays without waiting.

use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Microseconds since the Unix epoch.
pub type Micros = i64;

/// Marker for "no timestamp" in compact rows.
pub const NONE: Micros = i64::MIN;

pub const MICROS_PER_MS: i64 = 1_000;
pub const MICROS_PER_SEC: i64 = 1_000_000;

pub fn to_datetime(micros: Micros) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::UNIX_EPOCH)
}

pub fn opt_datetime(micros: Micros) -> Option<DateTime<Utc>> {
    (micros != NONE).then(|| to_datetime(micros))
}

pub fn from_datetime(at: DateTime<Utc>) -> Micros {
    at.timestamp_micros()
}

pub fn duration_micros(duration: Duration) -> Micros {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

/// Wall clock plus a forward offset; monotonic.
#[derive(Debug, Default)]
pub struct Clock {
    offset: AtomicI64,
    last: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> Micros {
        let candidate = Utc::now().timestamp_micros() + self.offset.load(Ordering::SeqCst);
        let previous = self.last.fetch_max(candidate, Ordering::SeqCst);
        previous.max(candidate)
    }

    /// Moves the sandbox's notion of "now" forward.
    pub fn advance(&self, by: Duration) {
        self.offset.fetch_add(duration_micros(by), Ordering::SeqCst);
    }

    /// Moves "now" forward to at least `to`.
    pub fn advance_to(&self, to: Micros) {
        let now = self.now();
        if to > now {
            self.offset.fetch_add(to - now, Ordering::SeqCst);
        }
    }

    /// How long to sleep in real time until the sandbox clock reaches `at`.
    pub fn until(&self, at: Micros) -> Duration {
        let delta = at - self.now();
        Duration::from_micros(u64::try_from(delta).unwrap_or(0))
    }
}
