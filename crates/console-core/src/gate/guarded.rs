//! Step-up: destructive or bulk actions need a fresh code bound to exactly that action.
//!
//! The approval is the code itself, checked inside the call that performs the action: the
//! action's name and parameters are hashed into a digest that the audit record carries, and
//! the code's time step is consumed (sealed into the vault) before the action runs. A code
//! therefore approves one action with one set of parameters, once. Failed step-ups count
//! toward the same throttle as failed unlocks; a lockout locks the console at once.

use serde::Serialize;

use super::machine::{Gate, code_error, seal, unix};
use super::{ActionDigest, GuardedAction, LockReason, totp};
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::{ErrorCode, ErrorDto};

impl Gate {
    /// Approves `action` with `params` by a fresh TOTP code, or refuses. The returned digest
    /// is what the caller records with the action.
    pub fn step_up(
        &mut self,
        action: GuardedAction,
        params: &impl Serialize,
        code: &str,
    ) -> Result<ActionDigest, ErrorDto> {
        let digest = ActionDigest::compute(action, params)?;
        if code.trim().is_empty() {
            return Err(ErrorDto::new(
                ErrorCode::StepUpRequired,
                format!(
                    "“{}” needs a fresh code from your authenticator",
                    action.name().replace('_', " ")
                ),
            ));
        }
        let now = self.now();
        let unlocked = self.unlocked()?;
        let secret = unlocked.secrets.totp_secret()?;
        let verified = totp::verify(&secret, code, unix(now), unlocked.secrets.last_used_step);
        match verified {
            Ok(step) => {
                unlocked.secrets.last_used_step = Some(step);
                seal(unlocked)?;
                self.throttle.record_success();
                self.throttle
                    .save(&self.dir.join(super::machine::THROTTLE_FILE))?;
                Ok(digest)
            }
            Err(error) => {
                let error = code_error(error);
                let outcome = self.throttle.record_failure(now);
                self.throttle
                    .save(&self.dir.join(super::machine::THROTTLE_FILE))?;
                self.record(
                    AuditEntry::operator(AuditAction::StepUpFailed, AuditOutcome::Failed)
                        .with_targets([action.name()])
                        .params(*digest.as_bytes()),
                )?;
                if outcome.lockout_until.is_some() || outcome.totp_disabled {
                    self.lock(LockReason::Lockout);
                }
                Err(error)
            }
        }
    }
}
