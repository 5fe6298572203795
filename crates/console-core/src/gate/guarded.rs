//! Step-up: destructive or bulk actions need a fresh code bound to exactly that action.
//!
//! The code arrives with the call that performs the action. The action's name and exact
//! parameters are hashed into a [`StepUpRequest`]; the code becomes an [`Approval`] for that
//! request only, its time step is consumed (sealed into the vault) before the action runs, and
//! the action proceeds only if the approval authorizes exactly it. A code therefore approves
//! one action with one set of parameters, once; the audit record carries the digest. Failed
//! step-ups count toward the same throttle as failed unlocks; a lockout locks the console.

use serde::Serialize;

use super::machine::{Gate, code_error, seal};
use super::{Approval, GuardedAction, LockReason, StepUpRequest};
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::{ErrorCode, ErrorDto};

impl Gate {
    /// Approves `action` with `params` by a fresh TOTP code, or refuses. The caller runs the
    /// action only if the approval [authorizes](Approval::authorizes) it, and records the
    /// approval's digest with it.
    pub fn step_up(
        &mut self,
        action: GuardedAction,
        params: &impl Serialize,
        code: &str,
    ) -> Result<Approval, ErrorDto> {
        let request = StepUpRequest::new(action, params)?;
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
        let granted = Approval::grant(
            &request,
            &secret,
            code,
            now,
            unlocked.secrets.last_used_step,
        );
        match granted {
            Ok(approval) => {
                unlocked.secrets.last_used_step = Some(approval.step);
                seal(unlocked)?;
                self.throttle.record_success();
                self.throttle
                    .save(&self.dir.join(super::machine::THROTTLE_FILE))?;
                if !approval.authorizes(action, &request.digest, self.now()) {
                    return Err(ErrorDto::new(
                        ErrorCode::StepUpRequired,
                        "the approval does not cover this action: confirm it again",
                    ));
                }
                Ok(approval)
            }
            Err(error) => {
                let error = code_error(error);
                let outcome = self.throttle.record_failure(now);
                self.throttle
                    .save(&self.dir.join(super::machine::THROTTLE_FILE))?;
                self.record(
                    AuditEntry::operator(AuditAction::StepUpFailed, AuditOutcome::Failed)
                        .with_targets([action.name()])
                        .params(*request.digest.as_bytes()),
                )?;
                if outcome.lockout_until.is_some() || outcome.totp_disabled {
                    self.lock(LockReason::Lockout);
                }
                Err(error)
            }
        }
    }
}
