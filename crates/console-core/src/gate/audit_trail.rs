//! The gate's side of the audit log: what it writes while locked, what it checks at unlock,
//! and what it does with a chain that fails verification.
//!
//! While locked the MAC key is sealed in the vault, so failures are kept as pending entries
//! and chained at the next unlock. At unlock the chain is verified against the head the vault
//! remembers. A broken chain is never repaired or silently continued: the damaged file is
//! moved aside, untouched, as evidence, and a new chain starts whose first record says so.
//! The break stays listed in the vault, so the console keeps showing it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::machine::{AUDIT_FILE, rfc3339};
use super::secrets::VaultSecrets;
use crate::audit::{AuditAction, AuditEntry, AuditLog, AuditOutcome, VerifyReport};
use crate::error::{ErrorCode, ErrorDto};
use crate::ipc::AuditIntegrity;

pub(crate) struct AuditTrail {
    dir: PathBuf,
    /// Absent only while a damaged file is being moved aside.
    log: Option<AuditLog>,
    integrity: Option<AuditIntegrity>,
}

impl AuditTrail {
    pub fn open(dir: &Path) -> Result<Self, ErrorDto> {
        Ok(Self {
            dir: dir.to_owned(),
            log: Some(AuditLog::open(&dir.join(AUDIT_FILE))?),
            integrity: None,
        })
    }

    /// The last verification, for the status (unlocked only).
    pub fn integrity(&self) -> Option<&AuditIntegrity> {
        self.integrity.as_ref()
    }

    pub fn log(&self) -> Result<&AuditLog, ErrorDto> {
        self.log.as_ref().ok_or_else(reopen_failed)
    }

    fn log_mut(&mut self) -> Result<&mut AuditLog, ErrorDto> {
        self.log.as_mut().ok_or_else(reopen_failed)
    }

    /// Keeps an entry written while locked. A failure to keep it is logged, not returned:
    /// the refusal it describes must reach the operator either way.
    pub fn pending(&mut self, entry: AuditEntry, at: DateTime<Utc>) {
        let kept = self
            .log_mut()
            .and_then(|log| log.append_pending(&entry, at).map_err(ErrorDto::from));
        if let Err(error) = kept {
            tracing::error!(%error, "an audit entry could not be kept while locked");
        }
    }

    /// At unlock: chains what was kept while locked, then verifies the whole chain.
    pub fn open_chain(
        &mut self,
        secrets: &mut VaultSecrets,
        now: DateTime<Utc>,
    ) -> Result<(), ErrorDto> {
        let key = secrets.audit_key();
        let report = self.log()?.verify(&key, secrets.audit_head.as_ref())?;
        if report.intact {
            // The log may be one record ahead of the vault (stopped between the two writes):
            // records cannot be made without the key, so the stored end is the real one.
            secrets.audit_head = self.log()?.head()?;
        } else {
            self.start_new_chain(secrets, &report, now)?;
        }
        let head = self
            .log_mut()?
            .seal_pending(&key, secrets.audit_head.as_ref())?;
        if head.is_some() {
            secrets.audit_head = head;
        }
        let report = self.log()?.verify(&key, secrets.audit_head.as_ref())?;
        self.integrity = Some(integrity(&report, &secrets.audit_breaks, now));
        Ok(())
    }

    /// Appends a record to the chain and moves the vault's head to it.
    pub fn record(
        &mut self,
        secrets: &mut VaultSecrets,
        entry: AuditEntry,
        at: DateTime<Utc>,
    ) -> Result<(), ErrorDto> {
        let head = self.log_mut()?.append(
            &secrets.audit_key(),
            secrets.audit_head.as_ref(),
            &entry,
            at,
        )?;
        secrets.audit_head = Some(head);
        Ok(())
    }

    /// Verifies now (the audit page's "verify" and every export).
    pub fn verify(
        &mut self,
        secrets: &VaultSecrets,
        now: DateTime<Utc>,
    ) -> Result<AuditIntegrity, ErrorDto> {
        let report = self
            .log()?
            .verify(&secrets.audit_key(), secrets.audit_head.as_ref())?;
        let integrity = integrity(&report, &secrets.audit_breaks, now);
        self.integrity = Some(integrity.clone());
        Ok(integrity)
    }

    fn start_new_chain(
        &mut self,
        secrets: &mut VaultSecrets,
        report: &VerifyReport,
        now: DateTime<Utc>,
    ) -> Result<(), ErrorDto> {
        let problem = describe(report);
        let stamp = now.format("%Y%m%dT%H%M%SZ");
        let kept = self.dir.join(format!("audit-broken-{stamp}.db"));
        tracing::error!(%problem, kept = %kept.display(), "the audit log failed verification");
        let current = self.dir.join(AUDIT_FILE);
        // Closing the last connection folds the write-ahead log into the file first.
        drop(self.log.take());
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", current.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}{suffix}", kept.display()));
                std::fs::rename(&from, &to).map_err(|e| {
                    ErrorDto::new(
                        ErrorCode::Storage,
                        format!("cannot move the damaged audit log aside: {e}"),
                    )
                })?;
            }
        }
        self.log = Some(AuditLog::open(&current)?);
        secrets.audit_head = None;
        secrets.audit_breaks.push(super::secrets::AuditBreak {
            detected_at: now,
            problem: problem.clone(),
            kept_as: kept.display().to_string(),
        });
        let entry = AuditEntry::operator(AuditAction::AuditChainBroken, AuditOutcome::Failed)
            .with_targets([problem, format!("kept_as={}", kept.display())]);
        self.record(secrets, entry, now)
    }
}

fn reopen_failed() -> ErrorDto {
    ErrorDto::new(
        ErrorCode::Storage,
        "the audit log could not be reopened after the damaged one was moved aside; restart \
         the console",
    )
}

fn describe(report: &VerifyReport) -> String {
    match &report.problem {
        Some(problem) => format!(
            "record {} was {}: {}",
            problem.seq,
            format!("{:?}", problem.kind).to_lowercase(),
            problem.detail
        ),
        None => "the chain did not verify".to_owned(),
    }
}

fn integrity(
    report: &VerifyReport,
    breaks: &[super::secrets::AuditBreak],
    now: DateTime<Utc>,
) -> AuditIntegrity {
    let mut problems: Vec<String> = breaks
        .iter()
        .map(|b| {
            format!(
                "on {} the audit log failed verification ({}); the damaged log is kept at {}",
                rfc3339(b.detected_at),
                b.problem,
                b.kept_as
            )
        })
        .collect();
    if !report.intact {
        problems.push(describe(report));
    }
    AuditIntegrity {
        intact: report.intact && breaks.is_empty(),
        records: report.records,
        problem: (!problems.is_empty()).then(|| problems.join("; ")),
        checked_at: rfc3339(now),
    }
}
