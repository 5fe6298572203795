//! Evidence attached to an incident, with the timeline entry that says so.
//!
//! Evidence is only ever added: a snapshot that was seen stays seen. Attaching to a closed
//! incident is refused like any other change of a record.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use uuid::Uuid;

use super::codec::{self, MAX_NAME_CHARS};
use super::timeline::{Append, EntryKind, append};
use super::{IncidentStore, incidents};
use crate::incident::error::IncidentError;
use crate::incident::evidence::{Evidence, EvidenceSnapshot, NewEvidence, seal, sha256_hex};

/// Longest label.
const MAX_LABEL_CHARS: usize = 300;

const COLUMNS: &str =
    "id, incident_id, kind, label, reference, sha256, rows, truncated, captured_at, added_by";

impl IncidentStore {
    /// Attaches a snapshot to an open incident and writes its timeline entry, in one
    /// transaction.
    pub fn attach_evidence(
        &mut self,
        incident: Uuid,
        new: &NewEvidence,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<Evidence, IncidentError> {
        let author = codec::required_text("the author", author, MAX_NAME_CHARS)?;
        let label = codec::required_text("the label", &new.label, MAX_LABEL_CHARS)?;
        codec::not_future("the snapshot's time", new.captured_at, now)?;
        let (snapshot, sha256) = seal(&new.snapshot)?;
        let reference = serde_json::to_string(&new.reference)
            .map_err(|e| IncidentError::InvalidInput(format!("the reference: {e}")))?;
        let rows = i64::try_from(new.rows)
            .map_err(|_| IncidentError::InvalidInput("the row count is too large".into()))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        incidents::load_open(&tx, incident)?;
        tx.execute(
            "INSERT INTO evidence (incident_id, kind, label, reference, snapshot, sha256, rows,
                 truncated, captured_at, added_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                incident.as_bytes(),
                new.kind.as_str(),
                label,
                reference,
                snapshot,
                sha256,
                rows,
                new.truncated,
                codec::micros(new.captured_at),
                author,
            ],
        )?;
        let id = tx.last_insert_rowid();
        let text = format!("Evidence attached: {label}");
        append(
            &tx,
            &Append {
                incident,
                at: now,
                recorded_at: now,
                backdated: false,
                kind: EntryKind::Evidence,
                author: &author,
                text: &text,
                reference: Some(json!({
                    "evidence_id": id,
                    "kind": new.kind,
                    "sha256": sha256,
                    "rows": new.rows,
                })),
            },
        )?;
        tx.execute(
            "UPDATE incident SET updated_at = max(updated_at, ?2) WHERE id = ?1",
            params![incident.as_bytes(), codec::micros(now)],
        )?;
        tx.commit()?;
        Ok(Evidence {
            id,
            incident_id: incident,
            kind: new.kind,
            label,
            reference: new.reference.clone(),
            sha256,
            rows: new.rows,
            truncated: new.truncated,
            captured_at: new.captured_at,
            added_by: author,
        })
    }

    /// The incident's evidence in the order attached, without the snapshots.
    pub fn evidence(&self, incident: Uuid) -> Result<Vec<Evidence>, IncidentError> {
        incidents::load(&self.conn, incident)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM evidence WHERE incident_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([incident.as_bytes()], evidence_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One piece of evidence with its snapshot, re-hashed to tell whether it is intact.
    pub fn evidence_snapshot(
        &self,
        incident: Uuid,
        evidence: i64,
    ) -> Result<EvidenceSnapshot, IncidentError> {
        incidents::load(&self.conn, incident)?;
        snapshot_of(&self.conn, incident, evidence)?
            .ok_or(IncidentError::UnknownEvidence { incident, evidence })
    }

    /// Every piece of evidence of the incident with its snapshot (for reports and bundles).
    pub fn evidence_snapshots(
        &self,
        incident: Uuid,
    ) -> Result<Vec<EvidenceSnapshot>, IncidentError> {
        self.evidence(incident)?
            .into_iter()
            .map(|e| self.evidence_snapshot(incident, e.id))
            .collect()
    }

    /// The replay jobs attached to any open incident, with those incidents: whose timelines
    /// a job's later results are written to.
    pub fn incidents_following_job(&self, job: Uuid) -> Result<Vec<Uuid>, IncidentError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT e.incident_id FROM evidence e JOIN incident i ON i.id = e.incident_id
             WHERE e.kind = 'replay_job' AND json_extract(e.reference, '$.job_id') = ?1
               AND i.status <> 'closed'",
        )?;
        let rows = stmt.query_map([job.to_string()], |r| codec::uuid(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

fn snapshot_of(
    conn: &Connection,
    incident: Uuid,
    evidence: i64,
) -> Result<Option<EvidenceSnapshot>, IncidentError> {
    let found = conn
        .query_row(
            &format!("SELECT {COLUMNS}, snapshot FROM evidence WHERE incident_id = ?1 AND id = ?2"),
            params![incident.as_bytes(), evidence],
            |r| Ok((evidence_row(r)?, r.get::<_, String>(10)?)),
        )
        .optional()?;
    Ok(found.map(|(evidence, snapshot)| {
        let intact = sha256_hex(snapshot.as_bytes()) == evidence.sha256;
        EvidenceSnapshot {
            evidence,
            snapshot,
            intact,
        }
    }))
}

fn evidence_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Evidence> {
    let rows: i64 = r.get(6)?;
    Ok(Evidence {
        id: r.get(0)?,
        incident_id: codec::uuid(r, 1)?,
        kind: codec::named(r, 2, crate::incident::EvidenceKind::parse)?,
        label: r.get(3)?,
        reference: codec::json(r, 4)?,
        sha256: r.get(5)?,
        rows: u64::try_from(rows).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(6, rows))?,
        truncated: r.get(7)?,
        captured_at: codec::instant(r, 8)?,
        added_by: r.get(9)?,
    })
}
