//! The two-factor gate: passphrase plus TOTP (or a one-time recovery code) to unlock, idle
//! and absolute auto-lock, throttling of failed unlocks, and step-up approval of guarded
//! actions.
//!
//! [`Gate`] is the state machine that composes them with the vault and the audit log (see
//! `machine`). The building blocks (`clock`, `totp`, `recovery`, `throttle`, `policy`,
//! `passphrase`, `step_up`) are pure: time is injected, none of them reads the vault or writes
//! the audit log.

mod audit_trail;
pub mod clock;
mod enroll;
mod guarded;
mod holdings;
mod machine;
pub mod passphrase;
pub mod policy;
pub mod recovery;
mod replay_settings;
mod secrets;
mod settings;
pub mod step_up;
pub mod throttle;
pub mod totp;

pub use clock::{Clock, ManualClock, SystemClock};
pub use machine::{AUDIT_FILE, Gate, GateOptions, KeyringChoice, THROTTLE_FILE, VAULT_FILE};
pub use passphrase::{PassphraseAssessment, assess};
pub use policy::{GateSettings, LockPolicy, LockReason, PolicyError};
pub use recovery::{RecoveryCodes, RecoveryError, RecoveryHash};
pub use replay_settings::MAX_VERIFY_MINUTES;
pub use step_up::{ActionDigest, Approval, GuardedAction, StepUpError, StepUpRequest};
pub use throttle::{FailureOutcome, Throttle, ThrottleError, Throttled};
pub use totp::{CodeError, Enrollment, TotpError, TotpSecret};
