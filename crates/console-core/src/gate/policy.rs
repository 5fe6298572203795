//! When an unlocked console locks itself again.
//!
//! Two limits, whichever comes first:
//! - **idle**: no operator activity for the configured minutes (default 15, allowed 1 to 30);
//! - **absolute**: 12 hours after unlocking, however active the operator is.
//!
//! A clock earlier than the unlock instant means the session's age is unknown, so the console
//! locks (reason `Absolute`). A clock earlier than the last activity, but not than the
//! unlock, counts as activity just now: small backward steps from time synchronisation should
//! not lock an operator out mid-task, and the absolute limit still holds.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ErrorCode, ErrorDto};

/// Idle minutes when the operator has not chosen.
pub const DEFAULT_IDLE_MINUTES: u32 = 15;
/// Shortest idle timeout an operator may choose.
pub const MIN_IDLE_MINUTES: u32 = 1;
/// Longest idle timeout an operator may choose.
pub const MAX_IDLE_MINUTES: u32 = 30;
/// Hours an unlock lasts at most, activity or not.
pub const ABSOLUTE_HOURS: i64 = 12;

/// Settings the operator chose are out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The idle timeout is outside 1 to 30 minutes.
    #[error(
        "the idle lock must be between {MIN_IDLE_MINUTES} and {MAX_IDLE_MINUTES} minutes \
         (got {0})"
    )]
    IdleMinutes(u32),
}

impl From<PolicyError> for ErrorDto {
    fn from(error: PolicyError) -> Self {
        ErrorDto::new(ErrorCode::InvalidInput, error.to_string())
    }
}

/// Why the console locked itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum LockReason {
    /// No activity for the idle timeout.
    Idle,
    /// The unlock reached its maximum lifetime.
    Absolute,
    /// The operator locked it ("Lock now", or the command line finishing).
    Manual,
    /// Repeated failed step-up codes: locked as a precaution.
    Lockout,
}

impl LockReason {
    /// The stable name, as recorded in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Absolute => "absolute",
            Self::Manual => "manual",
            Self::Lockout => "lockout",
        }
    }
}

/// The validated auto-lock limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    idle: TimeDelta,
}

impl Default for LockPolicy {
    fn default() -> Self {
        Self {
            idle: TimeDelta::minutes(i64::from(DEFAULT_IDLE_MINUTES)),
        }
    }
}

impl LockPolicy {
    /// A policy locking after `idle_minutes` without activity (1 to 30).
    pub fn new(idle_minutes: u32) -> Result<Self, PolicyError> {
        if !(MIN_IDLE_MINUTES..=MAX_IDLE_MINUTES).contains(&idle_minutes) {
            return Err(PolicyError::IdleMinutes(idle_minutes));
        }
        Ok(Self {
            idle: TimeDelta::minutes(i64::from(idle_minutes)),
        })
    }

    /// The idle timeout.
    pub fn idle(&self) -> TimeDelta {
        self.idle
    }

    /// The maximum lifetime of an unlock.
    pub fn absolute(&self) -> TimeDelta {
        TimeDelta::hours(ABSOLUTE_HOURS)
    }

    /// When a console unlocked at `unlocked_at` and last used at `last_activity` will lock if
    /// nothing happens: the earlier of the two limits.
    pub fn locks_at(
        &self,
        unlocked_at: DateTime<Utc>,
        last_activity: DateTime<Utc>,
    ) -> DateTime<Utc> {
        (unlocked_at + self.absolute()).min(last_activity + self.idle)
    }

    /// Whether a console unlocked at `unlocked_at`, last used at `last_activity`, must lock
    /// at `now`, and why. The absolute limit wins when both apply.
    pub fn due(
        &self,
        unlocked_at: DateTime<Utc>,
        last_activity: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<LockReason> {
        if now < unlocked_at || now - unlocked_at >= self.absolute() {
            return Some(LockReason::Absolute);
        }
        let idle_for = (now - last_activity).max(TimeDelta::zero());
        (idle_for >= self.idle).then_some(LockReason::Idle)
    }
}

/// Gate preferences the operator can change (kept in the console's settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GateSettings {
    /// Minutes without activity before the console locks (1 to 30).
    pub idle_lock_minutes: u32,
    /// Whether the OS keyring may hold the vault's wrapping key, sparing the passphrase at
    /// unlock (the TOTP code is still required).
    pub use_keyring: bool,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self {
            idle_lock_minutes: DEFAULT_IDLE_MINUTES,
            use_keyring: false,
        }
    }
}

impl GateSettings {
    /// Checks the settings as received from the UI or read from disk.
    pub fn validate(&self) -> Result<(), PolicyError> {
        self.lock_policy().map(|_| ())
    }

    /// The auto-lock policy these settings describe.
    pub fn lock_policy(&self) -> Result<LockPolicy, PolicyError> {
        LockPolicy::new(self.idle_lock_minutes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    fn min(m: i64) -> TimeDelta {
        TimeDelta::minutes(m)
    }

    #[test]
    fn default_is_fifteen_idle_minutes_and_twelve_hours() {
        let policy = LockPolicy::default();
        assert_eq!(policy.idle(), min(15));
        assert_eq!(policy.absolute(), TimeDelta::hours(12));
        assert_eq!(GateSettings::default().lock_policy(), Ok(policy));
    }

    #[test]
    fn idle_minutes_outside_one_to_thirty_are_refused() {
        for ok in [1, 15, 30] {
            assert_eq!(LockPolicy::new(ok).unwrap().idle(), min(i64::from(ok)));
        }
        for bad in [0, 31, u32::MAX] {
            let error = LockPolicy::new(bad).unwrap_err();
            assert_eq!(error, PolicyError::IdleMinutes(bad));
            assert_eq!(ErrorDto::from(error).code, ErrorCode::InvalidInput);
            let settings = GateSettings {
                idle_lock_minutes: bad,
                use_keyring: false,
            };
            assert!(settings.validate().is_err());
        }
    }

    #[test]
    fn idle_lock_falls_due_after_the_timeout_without_activity() {
        let policy = LockPolicy::new(5).unwrap();
        let active = t0() + min(60);
        assert_eq!(policy.due(t0(), active, active + min(4)), None);
        assert_eq!(
            policy.due(t0(), active, active + min(5)),
            Some(LockReason::Idle)
        );
    }

    #[test]
    fn absolute_lock_falls_due_after_twelve_hours_even_when_active() {
        let policy = LockPolicy::default();
        let now = t0() + TimeDelta::hours(12);
        assert_eq!(policy.due(t0(), now, now - TimeDelta::seconds(1)), None);
        assert_eq!(policy.due(t0(), now, now), Some(LockReason::Absolute));
        assert_eq!(
            policy.due(t0(), t0(), now),
            Some(LockReason::Absolute),
            "absolute wins over idle"
        );
    }

    #[test]
    fn a_clock_moved_back_before_the_unlock_locks() {
        let policy = LockPolicy::default();
        assert_eq!(
            policy.due(t0(), t0(), t0() - TimeDelta::seconds(1)),
            Some(LockReason::Absolute)
        );
        // Back before the last activity but after the unlock: not idle.
        let active = t0() + min(30);
        assert_eq!(policy.due(t0(), active, active - min(20)), None);
    }

    #[test]
    fn settings_round_trip_and_refuse_unknown_fields() {
        let settings = GateSettings {
            idle_lock_minutes: 10,
            use_keyring: true,
        };
        let json = serde_json::to_string(&settings).unwrap();
        assert_eq!(json, r#"{"idle_lock_minutes":10,"use_keyring":true}"#);
        assert_eq!(
            serde_json::from_str::<GateSettings>(&json).unwrap(),
            settings
        );
        assert!(
            serde_json::from_str::<GateSettings>(
                r#"{"idle_lock_minutes":10,"use_keyring":true,"x":1}"#
            )
            .is_err()
        );
    }
}
