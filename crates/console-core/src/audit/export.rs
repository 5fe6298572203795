//! Exporting the log as JSON lines, for an auditor or an incident report.
//!
//! Format: one JSON object per record, in chain order —
//! `{"seq", "version", "at", "actor", "action", "targets", "params_hash", "outcome",
//! "sealed_later", "mac"}` with the MAC and the hash in lowercase hex — then one final
//! object `{"head": {"seq", "mac"} | null, "records", "pending", "intact", "problem"}`.
//! A row whose columns a console never writes is exported as
//! `{"seq", "unreadable": "<why>", "mac"}` rather than left out.
//!
//! The chain is verified first, in the same read transaction as the export, so the final
//! line describes exactly the lines above it. A broken chain does not stop the export: the
//! file is the evidence, and the final line and the returned summary say it is not intact
//! and where it first breaks. The caller records the export (`audit_exported`) afterwards,
//! so that record is not in the file it describes.

use std::io::Write;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::AuditLog;
use super::chain::{RECORD_COLUMNS, StoredRecord};
use super::error::AuditError;
use super::key::{AuditHead, AuditKey, to_hex};
use super::store::{rfc3339, stored_head};
use super::types::{VerifyProblem, VerifyReport};
use super::verify::verify_in;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportSummary {
    /// Record lines written.
    #[ts(type = "number")]
    pub records: u64,
    /// The verification that ran first (also in the file's final line).
    pub report: VerifyReport,
}

#[derive(Serialize)]
struct RecordLine<'a> {
    seq: i64,
    version: i64,
    at: String,
    actor: &'a str,
    action: &'a str,
    targets: serde_json::Value,
    params_hash: Option<String>,
    outcome: &'a str,
    sealed_later: bool,
    mac: String,
}

#[derive(Serialize)]
struct UnreadableLine<'a> {
    seq: i64,
    unreadable: &'a str,
    mac: String,
}

#[derive(Serialize)]
struct EndLine<'a> {
    head: Option<AuditHead>,
    records: u64,
    pending: u64,
    intact: bool,
    problem: Option<&'a VerifyProblem>,
}

impl AuditLog {
    /// Verifies the chain, then writes every record and a final head line to `out` (see
    /// the module documentation for the format and for what a broken chain does).
    pub fn export(
        &self,
        key: &AuditKey,
        expected_head: Option<&AuditHead>,
        out: &mut dyn Write,
    ) -> Result<ExportSummary, AuditError> {
        let tx = self.conn.unchecked_transaction()?;
        let report = verify_in(&tx, key, expected_head)?;
        let mut written: u64 = 0;
        {
            let mut stmt = tx.prepare(&format!(
                "SELECT {RECORD_COLUMNS} FROM audit_record ORDER BY seq"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let rec = StoredRecord::from_row(row)?;
                write_line(out, &rec)?;
                written += 1;
            }
        }
        let head = stored_head(&tx).unwrap_or(None);
        let end = EndLine {
            head,
            records: written,
            pending: report.pending,
            intact: report.intact,
            problem: report.problem.as_ref(),
        };
        json_line(out, &end)?;
        out.flush().map_err(AuditError::Write)?;
        tx.finish()?;
        Ok(ExportSummary {
            records: written,
            report,
        })
    }
}

fn write_line(out: &mut dyn Write, rec: &StoredRecord) -> Result<(), AuditError> {
    let mac = to_hex(&rec.mac);
    match &rec.content {
        Ok(c) => json_line(
            out,
            &RecordLine {
                seq: rec.seq,
                version: c.version,
                at: rfc3339(c.at).unwrap_or_else(|| c.at.to_string()),
                actor: &c.actor,
                action: &c.action,
                targets: serde_json::from_str(&c.targets)
                    .unwrap_or_else(|_| serde_json::Value::String(c.targets.clone())),
                params_hash: c.params_hash.as_deref().map(to_hex),
                outcome: &c.outcome,
                sealed_later: c.pending_id.is_some(),
                mac,
            },
        ),
        Err(why) => json_line(
            out,
            &UnreadableLine {
                seq: rec.seq,
                unreadable: why,
                mac,
            },
        ),
    }
}

fn json_line(out: &mut dyn Write, value: &impl Serialize) -> Result<(), AuditError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| AuditError::Write(e.into()))?;
    out.write_all(b"\n").map_err(AuditError::Write)
}
