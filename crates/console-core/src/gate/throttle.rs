//! Throttling of failed unlock attempts, persisted across restarts.
//!
//! Schedule, counted over consecutive failures (a success resets everything):
//! - failures 1–4: no wait;
//! - the 5th failure locks unlocking for 30 s, and each further failure doubles the wait,
//!   up to 15 minutes (reached at the 10th);
//! - from the 100th failure on, TOTP no longer unlocks: a recovery code is required (its 80
//!   random bits cannot be guessed at this rate, six digits eventually could).
//!
//! The state is not secret and lives in `gate-state.json` next to the vault, written to a
//! temporary file, synced and renamed. A missing file is a fresh state; a file that does not
//! parse is an error, never silently reset, because resetting would lift a lockout.
//!
//! Clock moved back: the lockout is stored as an absolute instant (`locked_until`) and only
//! ever pushed later, never earlier. Moving the clock back therefore makes the wait longer
//! (until the clock again reaches `locked_until`), never shorter; a failure recorded while
//! the clock is behind keeps the later of the two ends. A clock moved *forward* does shorten
//! the wait, which is why the 100-failure limit counts attempts, not time: whatever the clock
//! says, at most 100 wrong TOTP codes are ever checked before a recovery code is needed.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ErrorDto};

/// File name of the throttle state, beside the vault.
pub const STATE_FILE: &str = "gate-state.json";
/// Consecutive failures allowed before the first wait.
pub const FREE_ATTEMPTS: u32 = 4;
/// Consecutive failures after which TOTP stops unlocking.
pub const TOTP_DISABLED_AFTER: u32 = 100;
const FIRST_LOCKOUT_SECS: i64 = 30;
const MAX_LOCKOUT_SECS: i64 = 15 * 60;
const FORMAT_VERSION: u32 = 1;

/// Unlocking is refused until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed attempts: unlocking is possible again at {until} (UTC)")]
pub struct Throttled {
    /// The instant unlocking is allowed again.
    pub until: DateTime<Utc>,
}

impl From<Throttled> for ErrorDto {
    fn from(error: Throttled) -> Self {
        ErrorDto::new(ErrorCode::Throttled, error.to_string())
    }
}

/// Why the throttle state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ThrottleError {
    /// The file could not be read or written.
    #[error("the gate state file {path} could not be used: {reason}")]
    Storage {
        /// The file.
        path: String,
        /// What the operating system said.
        reason: String,
    },
    /// The file exists but is not a gate state this console can read.
    #[error("the gate state file {path} is damaged: {reason}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ThrottleError {
    fn storage(path: &Path, reason: &dyn std::fmt::Display) -> Self {
        Self::Storage {
            path: path.display().to_string(),
            reason: reason.to_string(),
        }
    }

    fn corrupt(path: &Path, reason: &dyn std::fmt::Display) -> Self {
        Self::Corrupt {
            path: path.display().to_string(),
            reason: reason.to_string(),
        }
    }
}

impl From<ThrottleError> for ErrorDto {
    fn from(error: ThrottleError) -> Self {
        ErrorDto::new(ErrorCode::Storage, error.to_string())
    }
}

/// What a failure led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureOutcome {
    /// Consecutive failures, this one included.
    pub failures: u32,
    /// Set when unlocking is now refused until that instant.
    pub lockout_until: Option<DateTime<Utc>>,
    /// Set when TOTP no longer unlocks and a recovery code is required.
    pub totp_disabled: bool,
}

/// Consecutive unlock failures and the lockout they caused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    #[serde(default = "format_version")]
    format: u32,
    consecutive_failures: u32,
    /// Kept for the operator ("last failed attempt at …"); the lockout does not depend on it.
    last_failure_at: Option<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new()
    }
}

fn format_version() -> u32 {
    FORMAT_VERSION
}

impl Throttle {
    /// A state with no failures.
    pub fn new() -> Self {
        Self {
            format: FORMAT_VERSION,
            consecutive_failures: 0,
            last_failure_at: None,
            locked_until: None,
        }
    }

    /// Refuses while a lockout runs.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), Throttled> {
        match self.locked_until {
            Some(until) if now < until => Err(Throttled { until }),
            _ => Ok(()),
        }
    }

    /// Counts a failed unlock at `now`; the caller then saves the state.
    pub fn record_failure(&mut self, now: DateTime<Utc>) -> FailureOutcome {
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        self.last_failure_at = Some(self.last_failure_at.map_or(now, |last| last.max(now)));
        let lockout_until = lockout(self.consecutive_failures)
            .and_then(|wait| now.checked_add_signed(wait))
            .map(|until| self.locked_until.map_or(until, |held| held.max(until)));
        if lockout_until.is_some() {
            self.locked_until = lockout_until;
        }
        FailureOutcome {
            failures: self.consecutive_failures,
            lockout_until,
            totp_disabled: !self.totp_allowed(),
        }
    }

    /// A successful unlock: failures and lockout are forgotten, TOTP unlocks again.
    pub fn record_success(&mut self) {
        *self = Self::new();
    }

    /// Whether TOTP may still unlock; otherwise only a recovery code does.
    pub fn totp_allowed(&self) -> bool {
        self.consecutive_failures < TOTP_DISABLED_AFTER
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.consecutive_failures
    }

    /// When the last failure happened (the latest instant seen if the clock moved back).
    pub fn last_failure_at(&self) -> Option<DateTime<Utc>> {
        self.last_failure_at
    }

    /// The end of the current or last lockout.
    pub fn locked_until(&self) -> Option<DateTime<Utc>> {
        self.locked_until
    }

    /// Reads the state; a missing file is a fresh state.
    pub fn load(path: &Path) -> Result<Self, ThrottleError> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::new()),
            Err(e) => return Err(ThrottleError::storage(path, &e)),
        };
        let state: Self =
            serde_json::from_slice(&bytes).map_err(|e| ThrottleError::corrupt(path, &e))?;
        if state.format > FORMAT_VERSION {
            return Err(ThrottleError::corrupt(
                path,
                &format!(
                    "written by a newer Hook0 Console (format {}; this one reads up to \
                     {FORMAT_VERSION})",
                    state.format
                ),
            ));
        }
        Ok(state)
    }

    /// Writes the state atomically: a crash leaves the old or the new file, never half.
    pub fn save(&self, path: &Path) -> Result<(), ThrottleError> {
        let dir = path
            .parent()
            .ok_or_else(|| ThrottleError::storage(path, &"no parent directory"))?;
        fs::create_dir_all(dir).map_err(|e| ThrottleError::storage(dir, &e))?;
        let json = serde_json::to_vec_pretty(self).map_err(|e| ThrottleError::storage(path, &e))?;
        let mut temp =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| ThrottleError::storage(dir, &e))?;
        temp.write_all(&json)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| ThrottleError::storage(path, &e))?;
        temp.persist(path)
            .map_err(|e| ThrottleError::storage(path, &e.error))?;
        Ok(())
    }
}

/// The wait after `failures` consecutive failures, if any.
fn lockout(failures: u32) -> Option<TimeDelta> {
    let doublings = failures.checked_sub(FREE_ATTEMPTS + 1)?;
    // 30 s × 2^5 already exceeds the cap, so larger exponents need not be computed.
    let secs = if doublings >= 5 {
        MAX_LOCKOUT_SECS
    } else {
        (FIRST_LOCKOUT_SECS << doublings).min(MAX_LOCKOUT_SECS)
    };
    Some(TimeDelta::seconds(secs))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    fn secs(s: i64) -> TimeDelta {
        TimeDelta::seconds(s)
    }

    #[test]
    fn the_schedule_is_four_free_then_30_s_doubling_to_15_minutes() {
        let mut throttle = Throttle::new();
        let expected = [
            (1, None),
            (2, None),
            (3, None),
            (4, None),
            (5, Some(30)),
            (6, Some(60)),
            (7, Some(120)),
            (8, Some(240)),
            (9, Some(480)),
            (10, Some(900)),
            (11, Some(900)),
            (50, Some(900)),
            (99, Some(900)),
        ];
        let mut now = t0();
        let mut failures = 0;
        for (n, wait) in expected {
            while failures < n {
                // Every attempt waits out the previous lockout, as an honest operator would.
                if let Err(throttled) = throttle.check(now) {
                    now = throttled.until;
                }
                assert_eq!(throttle.check(now), Ok(()));
                let outcome = throttle.record_failure(now);
                failures += 1;
                assert_eq!(outcome.failures, failures);
                if failures == n {
                    assert_eq!(
                        outcome.lockout_until,
                        wait.map(|w| now + secs(w)),
                        "failure {n} should lock for {wait:?} s"
                    );
                    assert!(!outcome.totp_disabled, "failure {n} keeps TOTP");
                    if let Some(w) = wait {
                        assert_eq!(
                            throttle.check(now + secs(w - 1)),
                            Err(Throttled {
                                until: now + secs(w)
                            })
                        );
                        assert_eq!(throttle.check(now + secs(w)), Ok(()));
                    }
                }
            }
        }
    }

    #[test]
    fn the_hundredth_failure_disables_totp_until_a_success() {
        let mut throttle = Throttle::new();
        for _ in 0..99 {
            throttle.record_failure(t0());
        }
        assert!(throttle.totp_allowed());
        let outcome = throttle.record_failure(t0());
        assert_eq!(outcome.failures, 100);
        assert!(outcome.totp_disabled);
        assert_eq!(outcome.lockout_until, Some(t0() + secs(900)));
        assert!(!throttle.totp_allowed());
        assert!(throttle.record_failure(t0()).totp_disabled);
        throttle.record_success();
        assert!(throttle.totp_allowed());
        assert_eq!(throttle.failures(), 0);
        assert_eq!(throttle.check(t0()), Ok(()));
    }

    #[test]
    fn success_resets_the_count_and_the_lockout() {
        let mut throttle = Throttle::new();
        for _ in 0..7 {
            throttle.record_failure(t0());
        }
        assert!(throttle.check(t0()).is_err());
        throttle.record_success();
        assert_eq!(throttle, Throttle::new());
        assert_eq!(throttle.record_failure(t0()).lockout_until, None);
    }

    #[test]
    fn moving_the_clock_back_never_shortens_a_lockout() {
        let mut throttle = Throttle::new();
        for _ in 0..6 {
            throttle.record_failure(t0());
        }
        let until = t0() + secs(60);
        let earlier = t0() - secs(3600);
        assert_eq!(
            throttle.check(earlier),
            Err(Throttled { until }),
            "an hour back, the lockout still ends at the same instant"
        );
        // A failure recorded with the clock behind keeps the later end.
        let outcome = throttle.record_failure(earlier);
        assert_eq!(outcome.lockout_until, Some(until));
        assert_eq!(throttle.locked_until(), Some(until));
        assert_eq!(throttle.last_failure_at(), Some(t0()));
        assert_eq!(throttle.check(until - secs(1)), Err(Throttled { until }));
    }

    #[test]
    fn the_state_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STATE_FILE);
        assert_eq!(
            Throttle::load(&path).unwrap(),
            Throttle::new(),
            "no file yet"
        );
        let mut throttle = Throttle::new();
        for _ in 0..5 {
            throttle.record_failure(t0());
        }
        throttle.save(&path).unwrap();
        let mut reloaded = Throttle::load(&path).unwrap();
        assert_eq!(reloaded, throttle);
        assert_eq!(
            reloaded.check(t0() + secs(10)),
            Err(Throttled {
                until: t0() + secs(30)
            })
        );
        let sixth = reloaded.record_failure(t0() + secs(30));
        assert_eq!(
            sixth.lockout_until,
            Some(t0() + secs(90)),
            "the count went on"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_damaged_or_newer_file_is_an_error_not_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STATE_FILE);
        for content in [
            "{ not json",
            r#"{"format":1,"consecutive_failures":-1,"last_failure_at":null,"locked_until":null}"#,
            r#"{"format":2,"consecutive_failures":0,"last_failure_at":null,"locked_until":null}"#,
            r#"{"format":1,"consecutive_failures":0,"extra":true}"#,
        ] {
            std::fs::write(&path, content).unwrap();
            let error = Throttle::load(&path).unwrap_err();
            assert!(
                matches!(error, ThrottleError::Corrupt { .. }),
                "{content}: {error}"
            );
            assert_eq!(ErrorDto::from(error).code, ErrorCode::Storage);
        }
    }

    #[test]
    fn throttled_maps_to_its_ui_code() {
        let dto = ErrorDto::from(Throttled { until: t0() });
        assert_eq!(dto.code, ErrorCode::Throttled);
        assert!(dto.message.contains("2023-11-14"), "{}", dto.message);
    }
}
