//! Where the gate reads the time.
//!
//! Every gate decision (code validity, lockouts, idle lock, step-up freshness) depends on the
//! wall clock, so the time is injected: the app uses [`SystemClock`], tests and other crates'
//! tests drive a [`ManualClock`] and can move it forward or back at will.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to. Clones share the same time, so a test can keep one
/// handle and give another to the code under test.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Puts the clock at `instant`, earlier or later than now.
    pub fn set(&self, instant: DateTime<Utc>) {
        *self.lock() = instant;
    }

    /// Moves the clock by `delta`; a negative delta moves it back.
    pub fn advance(&self, delta: TimeDelta) {
        let mut now = self.lock();
        // Beyond chrono's range the clock stays where it is rather than panicking a test.
        if let Some(next) = now.checked_add_signed(delta) {
            *now = next;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // The guarded value is a plain timestamp: a panic elsewhere cannot leave it half
        // written, so a poisoned lock is still safe to read.
        self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[test]
    fn manual_clock_clones_share_one_time() {
        let clock = ManualClock::new(start());
        let seen_by_code: Arc<dyn Clock> = Arc::new(clock.clone());
        clock.advance(TimeDelta::seconds(90));
        assert_eq!(seen_by_code.now(), start() + TimeDelta::seconds(90));
        clock.advance(TimeDelta::seconds(-600));
        assert_eq!(seen_by_code.now(), start() - TimeDelta::seconds(510));
        clock.set(start());
        assert_eq!(seen_by_code.now(), start());
    }

    #[test]
    fn system_clock_is_close_to_now() {
        let delta = SystemClock.now() - Utc::now();
        assert!(
            delta.num_seconds().abs() < 5,
            "system clock should read the wall clock"
        );
    }
}
