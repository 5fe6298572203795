//! Documenting an incident: its report (Markdown, HTML, JSON) and its sealed bundle, written
//! under `exports/` in the data directory.
//!
//! The report holds what the team wrote (titles, notes, status updates) and the hashes of the
//! evidence, never the snapshots: it is the document meant to be shared, and it is written
//! without a code, like a replay manifest. The bundle also holds the evidence snapshots —
//! what the cache showed of customers' deliveries (ids, statuses, targets, counts, hashes) in
//! plain form, outside the encrypted records — so, like the audit export, it needs a fresh
//! code ([`GuardedAction::IncidentBundleExport`], bound to the incident id). Both are audited with ids only: profile, incident, what was written.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::super::Console;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::{ErrorCode, ErrorDto};
use crate::gate::GuardedAction;
use crate::incident::bundle::{BundleInput, BundleVerdict, write_bundle};
use crate::incident::report::{IncidentReport, ReportFormat};

use crate::ipc::{BundleExport, ReportExport};

/// The console version a bundle names.
const CONSOLE_VERSION: &str = env!("CARGO_PKG_VERSION");

impl Console {
    /// The incident's report as a value (what every format is rendered from).
    pub fn incident_report(&self, incident_id: Uuid) -> Result<IncidentReport, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        self.with_incidents(|store, _| IncidentReport::build(store, incident_id, now))
    }

    /// Writes the incident's report in `format` under `exports/`.
    pub fn incident_export_report(
        &self,
        incident_id: Uuid,
        format: ReportFormat,
    ) -> Result<ReportExport, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        let (profile, text) = self.with_incidents(|store, profile| {
            let report = IncidentReport::build(store, incident_id, now)?;
            Ok((profile, report.render(format)?))
        })?;
        let path = self.export_path(incident_id, now, format.extension())?;
        write_file(&path, text.as_bytes())?;
        self.audit(
            AuditEntry::operator(AuditAction::IncidentExported, AuditOutcome::Succeeded)
                .with_targets([
                    profile.to_string(),
                    incident_id.to_string(),
                    format!("report:{}", format.extension()),
                ]),
        )?;
        Ok(ReportExport {
            path: path.display().to_string(),
            format,
            bytes: text.len() as u64,
        })
    }

    /// Writes the incident's sealed bundle under `exports/`, after a fresh code.
    pub fn incident_export_bundle(
        &self,
        incident_id: Uuid,
        code: &str,
    ) -> Result<BundleExport, ErrorDto> {
        self.unlocked()?;
        let now = self.incident_now()?;
        // Read first: an unknown incident must not cost the operator a code.
        let (profile, report, rows) = self.with_incidents(|store, profile| {
            let report = IncidentReport::build(store, incident_id, now)?;
            Ok((profile, report, store.evidence_snapshots(incident_id)?))
        })?;
        // A snapshot that no longer hashes to its SHA-256 was changed in the records: it is
        // refused rather than sealed.
        if let Some(bad) = rows.iter().find(|s| !s.intact) {
            return Err(ErrorDto::new(
                ErrorCode::Tampered,
                format!(
                    "evidence {} no longer matches its SHA-256: it cannot be sealed into a bundle",
                    bad.evidence.id
                ),
            ));
        }
        let params = serde_json::json!({ "incident_id": incident_id });
        let approval = self.step_up(GuardedAction::IncidentBundleExport, &params, code)?;
        let (audit, audit_head) = self
            .gate()?
            .audit_records_naming(&incident_id.to_string())?;
        let path = self.export_path(incident_id, now, "zip")?;
        let manifest = write_bundle(
            &path,
            &BundleInput {
                report: &report,
                evidence: &rows,
                audit: &audit,
                audit_head,
                console_version: CONSOLE_VERSION,
                exported_at: now,
            },
        )?;
        self.audit(
            AuditEntry::operator(AuditAction::IncidentExported, AuditOutcome::Succeeded)
                .with_targets([
                    profile.to_string(),
                    incident_id.to_string(),
                    "bundle".to_owned(),
                ])
                .params(*approval.digest.as_bytes()),
        )?;
        Ok(BundleExport {
            path: path.display().to_string(),
            manifest_sha256: manifest.manifest_sha256,
            audit_records: manifest.audit_records,
            evidence_items: rows.len() as u64,
            audit_head_seq: manifest.audit_head.map(|h| h.seq),
        })
    }

    /// Verifies a sealed bundle, the MACs of its audit records included (they verify only
    /// with the audit key of the console that wrote them).
    pub fn incident_verify_bundle(&self, path: &Path) -> Result<BundleVerdict, ErrorDto> {
        self.unlocked()?;
        self.gate()?.verify_incident_bundle(path)
    }

    /// `exports/incident-<id>-<time>.<ext>`, the directory created if needed.
    fn export_path(
        &self,
        incident_id: Uuid,
        now: DateTime<Utc>,
        extension: &str,
    ) -> Result<PathBuf, ErrorDto> {
        let dir = self.data_dir.join("exports");
        std::fs::create_dir_all(&dir).map_err(|e| ErrorDto::unwritable(&dir, &e))?;
        Ok(dir.join(format!(
            "incident-{incident_id}-{}.{extension}",
            now.format("%Y%m%dT%H%M%SZ")
        )))
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ErrorDto> {
    let mut file = std::fs::File::create(path).map_err(|e| ErrorDto::unwritable(path, &e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| ErrorDto::unwritable(path, &e))
}
