//! The two-factor gate: passphrase plus TOTP (or a one-time recovery code) to unlock, idle
//! and absolute auto-lock, throttling of failed unlocks, and step-up approval of guarded
//! actions.
//!
//! The submodules are pure building blocks: time is injected ([`clock`]), nothing here reads
//! the vault or writes the audit log.

pub mod clock;
pub mod passphrase;
pub mod policy;
pub mod recovery;
pub mod step_up;
pub mod throttle;
pub mod totp;

pub use clock::{Clock, ManualClock, SystemClock};
pub use passphrase::{PassphraseAssessment, assess};
pub use policy::{GateSettings, LockPolicy, LockReason, PolicyError};
pub use recovery::{RecoveryCodes, RecoveryError, RecoveryHash};
pub use step_up::{ActionDigest, Approval, GuardedAction, StepUpError, StepUpRequest};
pub use throttle::{FailureOutcome, Throttle, ThrottleError, Throttled};
pub use totp::{CodeError, Enrollment, TotpError, TotpSecret};
