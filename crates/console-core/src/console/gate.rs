//! The console behind its gate.
//!
//! Every operation but those that report the gate, enroll or unlock starts with
//! [`Console::unlocked`], so the rule holds for the command line and the desktop shell alike.
//! Profile credentials live in the vault: they are handed to the profile store when the
//! console unlocks and taken back from it (with whatever a token refresh changed) when it
//! locks, so nothing that authenticates stays in memory while locked.

use std::sync::{MutexGuard, TryLockError};

use secrecy::SecretString;
use uuid::Uuid;

use super::Console;
use crate::audit::{AuditAction, AuditEntry, AuditFilter, AuditOutcome, AuditPage};
use crate::cache::CacheKey;
use crate::error::{ErrorCode, ErrorDto};
use crate::gate::{Approval, Gate, GuardedAction, LockReason};
use crate::ipc::{
    AuditExport, AuditIntegrity, EnrollmentOffer, GateStatus, LockState, OPEN_WHILE_LOCKED,
    PassphraseChange, PassphraseStrength, RecoveryCodes, SecuritySettings, UnlockRequest,
};

impl Console {
    pub(super) fn gate(&self) -> Result<MutexGuard<'_, Gate>, ErrorDto> {
        self.gate.lock().map_err(|_| super::poisoned())
    }

    /// Refuses unless unlocked (counting the call as activity). When the gate has just locked
    /// itself, the profile credentials are put back first.
    pub(super) fn unlocked(&self) -> Result<(), ErrorDto> {
        let outcome = self.gate()?.require_unlocked();
        if outcome.is_err() {
            self.on_locked()?;
        }
        outcome
    }

    /// Whether an IPC command may run now: those of [`OPEN_WHILE_LOCKED`] always may, any
    /// other only while unlocked. When the gate is busy (an unlock deriving its key), the
    /// command is let through to its own check, which waits for the gate instead of the
    /// window's thread waiting here.
    pub fn admit(&self, command: &str) -> Result<(), ErrorDto> {
        if OPEN_WHILE_LOCKED.contains(&command) {
            return Ok(());
        }
        let outcome = match self.gate.try_lock() {
            Ok(mut gate) => gate.require_unlocked(),
            Err(TryLockError::WouldBlock) => return Ok(()),
            Err(TryLockError::Poisoned(_)) => Err(super::poisoned()),
        };
        if outcome.is_err() {
            self.on_locked()?;
        }
        outcome
    }

    /// The gate's state for the lock screen.
    pub fn gate_status(&self) -> Result<GateStatus, ErrorDto> {
        let status = self.gate()?.status();
        if status.lock != LockState::Unlocked {
            self.on_locked()?;
        }
        Ok(status)
    }

    /// Locks now if the idle or absolute limit has passed (the shell calls this on a timer,
    /// so the console locks even when nothing is clicked). Says why it locked.
    pub fn enforce_lock_policy(&self) -> Result<Option<LockReason>, ErrorDto> {
        let reason = self.gate()?.enforce_policy();
        if reason.is_some() {
            self.on_locked()?;
        }
        Ok(reason)
    }

    /// Strength of a candidate passphrase.
    pub fn assess_passphrase(&self, passphrase: &str) -> Result<PassphraseStrength, ErrorDto> {
        Ok(self.gate()?.assess_passphrase(passphrase))
    }

    /// First run, step one.
    pub fn begin_enrollment(&self, passphrase: String) -> Result<EnrollmentOffer, ErrorDto> {
        self.gate()?
            .begin_enrollment(SecretString::from(passphrase))
    }

    /// First run, step two: the console ends up unlocked.
    pub fn confirm_enrollment(&self, code: &str) -> Result<RecoveryCodes, ErrorDto> {
        let codes = self.gate()?.confirm_enrollment(code)?;
        self.install_credentials()?;
        Ok(codes)
    }

    /// Unlocks with passphrase (or keyring) and code.
    pub fn unlock(&self, request: UnlockRequest) -> Result<GateStatus, ErrorDto> {
        let passphrase = request.passphrase.map(SecretString::from);
        let status = self.gate()?.unlock(passphrase, &request.code)?;
        self.install_credentials()?;
        Ok(status)
    }

    /// Locks now: credentials go back into the vault and out of memory.
    pub fn lock(&self) -> Result<GateStatus, ErrorDto> {
        if self.gate()?.require_unlocked().is_ok() {
            self.return_credentials()?;
        }
        self.on_locked()?;
        Ok(self.gate()?.lock(LockReason::Manual))
    }

    /// The web view saw the operator active.
    pub fn report_activity(&self) -> Result<(), ErrorDto> {
        self.unlocked()
    }

    /// The security settings page.
    pub fn security_settings(&self) -> Result<SecuritySettings, ErrorDto> {
        self.unlocked()?;
        self.gate()?.security_settings()
    }

    /// Changes the idle lock.
    pub fn set_idle_lock_minutes(&self, minutes: u32) -> Result<SecuritySettings, ErrorDto> {
        self.unlocked()?;
        self.gate()?.set_idle_lock_minutes(minutes)
    }

    /// Turns the keyring slot on or off (step-up).
    pub fn set_keyring_enabled(
        &self,
        enabled: bool,
        code: &str,
    ) -> Result<SecuritySettings, ErrorDto> {
        self.unlocked()?;
        self.after_step_up(|gate| gate.set_keyring_enabled(enabled, code))
    }

    /// Changes the passphrase (step-up).
    pub fn change_passphrase(&self, change: PassphraseChange) -> Result<(), ErrorDto> {
        self.unlocked()?;
        self.after_step_up(|gate| gate.change_passphrase(change))
    }

    /// New recovery codes (step-up).
    pub fn regenerate_recovery_codes(&self, code: &str) -> Result<RecoveryCodes, ErrorDto> {
        self.unlocked()?;
        self.after_step_up(|gate| gate.regenerate_recovery_codes(code))
    }

    /// Re-enrollment, step one (step-up).
    pub fn begin_reenrollment(&self, code: &str) -> Result<EnrollmentOffer, ErrorDto> {
        self.unlocked()?;
        self.after_step_up(|gate| gate.begin_reenrollment(code))
    }

    /// Re-enrollment, step two.
    pub fn confirm_reenrollment(&self, code: &str) -> Result<RecoveryCodes, ErrorDto> {
        self.unlocked()?;
        self.gate()?.confirm_reenrollment(code)
    }

    /// A page of the audit log.
    pub fn audit_list(&self, filter: AuditFilter) -> Result<AuditPage, ErrorDto> {
        self.unlocked()?;
        self.gate()?.audit_list(&filter)
    }

    /// Verifies the audit chain now.
    pub fn audit_verify(&self) -> Result<AuditIntegrity, ErrorDto> {
        self.unlocked()?;
        self.gate()?.audit_verify()
    }

    /// Exports the audit log (step-up).
    pub fn audit_export(&self, code: &str) -> Result<AuditExport, ErrorDto> {
        self.unlocked()?;
        self.after_step_up(|gate| gate.audit_export(code))
    }

    /// The key of a profile's cache (unlocked only). The sandbox's simulated data has a
    /// fixed key, shared with the command line.
    pub fn cache_key(&self, profile: Uuid) -> Result<CacheKey, ErrorDto> {
        self.unlocked()?;
        if self.profiles()?.get(profile)?.kind == crate::profile::ProfileKind::Sandbox {
            return Ok(CacheKey::sandbox());
        }
        self.gate()?.cache_key(profile)
    }

    /// Records an operator action (unlocked only).
    pub fn audit(&self, entry: AuditEntry) -> Result<(), ErrorDto> {
        self.gate()?.record(entry)
    }

    /// Approves a guarded action with these parameters by a fresh code; the approval's digest
    /// goes into the action's audit record.
    pub fn step_up(
        &self,
        action: GuardedAction,
        params: &impl serde::Serialize,
        code: &str,
    ) -> Result<Approval, ErrorDto> {
        self.unlocked()?;
        self.after_step_up(|gate| gate.step_up(action, params, code))
    }

    /// Records a profile change.
    pub(super) fn audit_profile(&self, action: AuditAction, id: Uuid) -> Result<(), ErrorDto> {
        self.audit(
            AuditEntry::operator(action, AuditOutcome::Succeeded).with_targets([id.to_string()]),
        )
    }

    /// Puts a profile's current credentials (or their absence) into the vault.
    pub(super) fn keep_credentials(&self, id: Uuid) -> Result<(), ErrorDto> {
        let credentials = self.profiles()?.credentials_of(id);
        self.gate()?.store_credentials(id, credentials.as_ref())
    }

    /// Runs a guarded gate operation; a failed step-up that locked the console also takes
    /// the credentials out of memory.
    pub(super) fn after_step_up<T>(
        &self,
        operation: impl FnOnce(&mut Gate) -> Result<T, ErrorDto>,
    ) -> Result<T, ErrorDto> {
        let outcome = operation(&mut *self.gate()?);
        if let Err(error) = &outcome
            && matches!(error.code, ErrorCode::WrongCode | ErrorCode::CodeReused)
            && self.gate()?.require_unlocked().is_err()
        {
            self.on_locked()?;
        }
        outcome
    }

    /// What the console lets go of when the gate is not unlocked: credentials, running
    /// syncs, running replay jobs (they hold a token and a keyed cache) and open incident
    /// records (keyed too).
    fn on_locked(&self) -> Result<(), ErrorDto> {
        self.profiles()?.forget_credentials();
        self.readers()?.clear();
        self.incident_stores()?.clear();
        self.replays()?.halt_all();
        self.stop_running()
    }

    fn install_credentials(&self) -> Result<(), ErrorDto> {
        let credentials = self.gate()?.credentials()?;
        self.profiles()?.install_credentials(credentials)?;
        Ok(())
    }

    /// Before locking: a refreshed user session must survive in the vault.
    fn return_credentials(&self) -> Result<(), ErrorDto> {
        let held = self.profiles()?.held_credentials();
        let mut gate = self.gate()?;
        for (id, credentials) in held {
            gate.store_credentials(id, Some(&credentials))?;
        }
        Ok(())
    }
}
