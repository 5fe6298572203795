//! The security settings: idle lock, keyring, passphrase, recovery codes — and the audit
//! log's reading, verification and export. Each change is recorded; the guarded ones go
//! through [`Gate::step_up`] first.

use std::io::Write as _;

use secrecy::SecretString;

use super::enroll::shown_once;
use super::machine::{Gate, State, locked, rfc3339};
use super::policy::{ABSOLUTE_HOURS, MAX_IDLE_MINUTES};
use super::{GuardedAction, RecoveryCodes as CodeSet};
use crate::audit::{
    AuditAction, AuditEntry, AuditFilter, AuditHead, AuditOutcome, AuditPage, ChainedRecord,
};
use crate::error::{ErrorCode, ErrorDto};
use crate::ipc::{AuditExport, AuditIntegrity, PassphraseChange, RecoveryCodes, SecuritySettings};
use crate::vault::{Vault, VaultError};

impl Gate {
    /// The security settings page.
    pub fn security_settings(&mut self) -> Result<SecuritySettings, ErrorDto> {
        let keyring = self.keyring_report();
        let unlocked = self.unlocked()?;
        let secrets = &unlocked.secrets;
        let left = secrets.recovery.remaining();
        Ok(SecuritySettings {
            idle_lock_minutes: secrets.settings.idle_lock_minutes,
            max_idle_lock_minutes: MAX_IDLE_MINUTES,
            absolute_lock_hours: u32::try_from(ABSOLUTE_HOURS).unwrap_or(u32::MAX),
            keyring,
            recovery_codes_left: u32::try_from(left).unwrap_or(u32::MAX),
            enrolled_at: rfc3339(secrets.enrolled_at),
        })
    }

    /// Changes the idle lock (1 to 30 minutes).
    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<SecuritySettings, ErrorDto> {
        let unlocked = self.unlocked()?;
        let mut settings = unlocked.secrets.settings;
        settings.idle_lock_minutes = minutes;
        settings.validate()?;
        unlocked.secrets.settings = settings;
        self.record(
            AuditEntry::operator(AuditAction::SettingsChanged, AuditOutcome::Succeeded)
                .with_targets([format!("idle_lock_minutes={minutes}")]),
        )?;
        self.security_settings()
    }

    /// Keeps (or stops keeping) the vault's wrapping key in the OS keyring.
    pub fn set_keyring_enabled(
        &mut self,
        enabled: bool,
        code: &str,
    ) -> Result<SecuritySettings, ErrorDto> {
        let action = if enabled {
            GuardedAction::EnableKeyring
        } else {
            GuardedAction::DisableKeyring
        };
        let approval = self.step_up(action, &(), code)?;
        let keyring = match (&self.keyring, enabled) {
            (Ok(keyring), _) => Some(keyring.clone()),
            (Err(_), false) => None,
            (Err(reason), true) => {
                return Err(ErrorDto::new(
                    ErrorCode::KeyringUnavailable,
                    format!("no system keyring to use: {reason}"),
                ));
            }
        };
        let unlocked = self.unlocked()?;
        let bytes = unlocked
            .secrets
            .to_bytes()
            .map_err(|e| ErrorDto::new(ErrorCode::Internal, e.to_string()))?;
        match (enabled, &keyring) {
            (true, Some(keyring)) => unlocked.vault.enable_keyring(keyring, &bytes)?,
            _ => unlocked.vault.disable_keyring(keyring.as_ref(), &bytes)?,
        }
        self.record(
            AuditEntry::operator(AuditAction::SettingsChanged, AuditOutcome::Succeeded)
                .with_targets([format!("keyring={enabled}")])
                .params(*approval.digest.as_bytes()),
        )?;
        self.security_settings()
    }

    /// Changes the passphrase: the vault is sealed again under the new one; the cache keys
    /// inside do not change, so no cache is re-encrypted.
    pub fn change_passphrase(&mut self, change: PassphraseChange) -> Result<(), ErrorDto> {
        let strength = self.assess_passphrase(&change.new);
        if !strength.acceptable {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                "the new passphrase is too easy to guess",
            ));
        }
        // The current passphrase is checked before the code is spent.
        let current = SecretString::from(change.current);
        match Vault::open(&self.vault_path(), &current) {
            Ok(_) => {}
            Err(VaultError::WrongPassphrase) => {
                return Err(ErrorDto::new(
                    ErrorCode::WrongPassphrase,
                    "the current passphrase is not the one that opens the vault",
                ));
            }
            Err(other) => return Err(other.into()),
        }
        let approval = self.step_up(GuardedAction::ChangePassphrase, &(), &change.code)?;
        let new = SecretString::from(change.new);
        let kdf = self.kdf;
        let unlocked = self.unlocked()?;
        let bytes = unlocked
            .secrets
            .to_bytes()
            .map_err(|e| ErrorDto::new(ErrorCode::Internal, e.to_string()))?;
        unlocked.vault.change_passphrase(&new, kdf, &bytes)?;
        drop(new);
        self.record(
            AuditEntry::operator(AuditAction::PassphraseChanged, AuditOutcome::Succeeded)
                .params(*approval.digest.as_bytes()),
        )
    }

    /// A new set of recovery codes; the old set stops working.
    pub fn regenerate_recovery_codes(&mut self, code: &str) -> Result<RecoveryCodes, ErrorDto> {
        let approval = self.step_up(GuardedAction::RegenerateRecoveryCodes, &(), code)?;
        let now = self.now();
        let (codes, hashes) = CodeSet::generate()?;
        let unlocked = self.unlocked()?;
        unlocked.secrets.recovery = hashes;
        unlocked.secrets.recovery_generated_at = now;
        self.record(
            AuditEntry::operator(
                AuditAction::RecoveryCodesRegenerated,
                AuditOutcome::Succeeded,
            )
            .params(*approval.digest.as_bytes()),
        )?;
        Ok(shown_once(codes, now))
    }

    /// A page of the audit log.
    pub fn audit_list(&mut self, filter: &AuditFilter) -> Result<AuditPage, ErrorDto> {
        self.require_unlocked()?;
        Ok(self.trail.log()?.list(filter)?)
    }

    /// Verifies the chain now.
    pub fn audit_verify(&mut self) -> Result<AuditIntegrity, ErrorDto> {
        let now = self.now();
        self.require_unlocked()?;
        let State::Unlocked(unlocked) = &self.state else {
            return Err(locked());
        };
        self.trail.verify(&unlocked.secrets, now)
    }

    /// Writes the log as JSON lines (with the head MAC) under `exports/` in the data
    /// directory, after verifying it; a broken chain is exported and flagged.
    pub fn audit_export(&mut self, code: &str) -> Result<AuditExport, ErrorDto> {
        let approval = self.step_up(GuardedAction::AuditExport, &(), code)?;
        let now = self.now();
        let dir = self.dir.join("exports");
        std::fs::create_dir_all(&dir).map_err(|e| ErrorDto::unwritable(&dir, &e))?;
        let path = dir.join(format!("audit-{}.jsonl", now.format("%Y%m%dT%H%M%SZ")));
        let unlocked = self.unlocked()?;
        let key = unlocked.secrets.audit_key();
        let head = unlocked.secrets.audit_head;
        let mut file = std::fs::File::create(&path).map_err(|e| ErrorDto::unwritable(&path, &e))?;
        let summary = self.trail.log()?.export(&key, head.as_ref(), &mut file)?;
        file.flush().map_err(|e| ErrorDto::unwritable(&path, &e))?;
        file.sync_all()
            .map_err(|e| ErrorDto::unwritable(&path, &e))?;
        self.record(
            AuditEntry::operator(
                AuditAction::AuditExported,
                if summary.report.intact {
                    AuditOutcome::Succeeded
                } else {
                    AuditOutcome::Failed
                },
            )
            .params(*approval.digest.as_bytes()),
        )?;
        Ok(AuditExport {
            path: path.display().to_string(),
            records: summary.records,
            intact: summary.report.intact,
        })
    }

    /// The records that name `target` (an incident id), each with what it takes to check it
    /// on its own, and the head of the chain now (unlocked only). The chain is verified
    /// first: records taken out of a log that does not verify would vouch for nothing.
    pub fn audit_records_naming(
        &mut self,
        target: &str,
    ) -> Result<(Vec<ChainedRecord>, Option<AuditHead>), ErrorDto> {
        let integrity = self.audit_verify()?;
        if !integrity.intact {
            return Err(ErrorDto::new(
                ErrorCode::Tampered,
                "the audit log does not verify: its records cannot be sealed into a bundle",
            ));
        }
        let unlocked = self.unlocked()?;
        let head = unlocked.secrets.audit_head;
        Ok((self.trail.log()?.records_naming(target)?, head))
    }

    /// Verifies a sealed incident bundle, its audit records' MACs included, with this
    /// console's audit key (which never leaves the gate).
    pub fn verify_incident_bundle(
        &mut self,
        path: &std::path::Path,
    ) -> Result<crate::incident::bundle::BundleVerdict, ErrorDto> {
        let key = self.unlocked()?.secrets.audit_key();
        Ok(crate::incident::bundle::verify_bundle_with_key(path, &key)?)
    }
}
