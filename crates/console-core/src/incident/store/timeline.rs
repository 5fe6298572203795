//! The incident's timeline: what happened and what was done, in time order.
//!
//! Entries the store writes itself (phase changes, ticks) carry the time of the change; an
//! operator's note may be back-dated (a call that happened before anyone wrote it down) but
//! never dated in the future, and is then marked so a reader knows it was written later.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::codec::{self, MAX_NAME_CHARS, MAX_NOTE_CHARS};
use super::{IncidentStore, incidents};
use crate::incident::error::IncidentError;

/// What a timeline entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum EntryKind {
    /// Declared, or moved to the next phase (written by the store).
    PhaseChanged,
    /// A checklist item was done (written by the store).
    ItemDone,
    /// A checklist item was opened again (written by the store).
    ItemReopened,
    /// An observation.
    Note,
    /// A decision and why.
    Decision,
    /// A sync of the profile's deliveries.
    Sync,
    /// A replay job (its id in the reference).
    ReplayJob,
    /// An audit log record (its sequence number in the reference).
    Audit,
    /// Something done outside the checklist (also: fields of the incident changed).
    Action,
    /// A message to customers, management or an authority.
    Communication,
    /// Evidence was attached (its id and hash in the reference; written by the store).
    Evidence,
}

impl EntryKind {
    const ALL: [Self; 11] = [
        Self::PhaseChanged,
        Self::ItemDone,
        Self::ItemReopened,
        Self::Note,
        Self::Decision,
        Self::Sync,
        Self::ReplayJob,
        Self::Audit,
        Self::Action,
        Self::Communication,
        Self::Evidence,
    ];

    /// The stored (and serialized) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PhaseChanged => "phase_changed",
            Self::ItemDone => "item_done",
            Self::ItemReopened => "item_reopened",
            Self::Note => "note",
            Self::Decision => "decision",
            Self::Sync => "sync",
            Self::ReplayJob => "replay_job",
            Self::Audit => "audit",
            Self::Action => "action",
            Self::Communication => "communication",
            Self::Evidence => "evidence",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether only the store writes this kind (it must match the incident's real state).
    pub fn is_store_written(self) -> bool {
        matches!(
            self,
            Self::PhaseChanged | Self::ItemDone | Self::ItemReopened | Self::Evidence
        )
    }
}

/// One entry of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TimelineEntry {
    /// Order of writing, unique in the file.
    #[ts(type = "number")]
    pub id: i64,
    /// The incident.
    pub incident_id: Uuid,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// When it was written here.
    pub recorded_at: DateTime<Utc>,
    /// Written later than it happened, with the time given by the operator.
    pub backdated: bool,
    /// What it records.
    pub kind: EntryKind,
    /// Who wrote it (or did it).
    pub author: String,
    /// What happened.
    pub text: String,
    /// What it points at (phase change details, job id, audit sequence…), by kind.
    // `unknown` rather than ts-rs's JsonValue, which it writes into a subdirectory the
    // bindings check does not read; the window narrows it by `kind`.
    #[ts(type = "unknown")]
    pub reference: Option<serde_json::Value>,
}

/// An entry the operator (or the console on their behalf) adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewEntry {
    /// Anything but the kinds the store writes itself.
    pub kind: EntryKind,
    /// What happened.
    pub text: String,
    /// When it happened, if earlier than now.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// What it points at.
    #[serde(default)]
    #[ts(type = "unknown")]
    pub reference: Option<serde_json::Value>,
}

pub(super) struct Append<'a> {
    pub incident: Uuid,
    pub at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub backdated: bool,
    pub kind: EntryKind,
    pub author: &'a str,
    pub text: &'a str,
    pub reference: Option<serde_json::Value>,
}

pub(super) fn append(tx: &Transaction<'_>, e: &Append<'_>) -> Result<i64, IncidentError> {
    let reference = e
        .reference
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|err| IncidentError::Corrupt(err.to_string()))?;
    tx.execute(
        "INSERT INTO timeline_entry (incident_id, at, recorded_at, backdated, kind, author, text,
             reference)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            e.incident.as_bytes(),
            codec::micros(e.at),
            codec::micros(e.recorded_at),
            e.backdated,
            e.kind.as_str(),
            e.author,
            e.text,
            reference,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

impl IncidentStore {
    /// Adds a note, decision or other entry to an open incident; `entry.at` may be earlier
    /// than `now` (the entry is then marked back-dated) but not later.
    pub fn add_entry(
        &mut self,
        incident: Uuid,
        entry: &NewEntry,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<TimelineEntry, IncidentError> {
        if entry.kind.is_store_written() {
            return Err(IncidentError::InvalidInput(format!(
                "{} entries are written by the console when the change is made",
                entry.kind.as_str()
            )));
        }
        let author = codec::required_text("the author", author, MAX_NAME_CHARS)?;
        let text = codec::required_text("the text", &entry.text, MAX_NOTE_CHARS)?;
        let at = entry.at.unwrap_or(now);
        codec::not_future("the entry's time", at, now)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        incidents::load_open(&tx, incident)?;
        let id = append(
            &tx,
            &Append {
                incident,
                at,
                recorded_at: now,
                backdated: at < now,
                kind: entry.kind,
                author: &author,
                text: &text,
                reference: entry.reference.clone(),
            },
        )?;
        tx.execute(
            "UPDATE incident SET updated_at = max(updated_at, ?2) WHERE id = ?1",
            params![incident.as_bytes(), codec::micros(now)],
        )?;
        tx.commit()?;
        Ok(TimelineEntry {
            id,
            incident_id: incident,
            at,
            recorded_at: now,
            backdated: at < now,
            kind: entry.kind,
            author,
            text,
            reference: entry.reference.clone(),
        })
    }

    /// The incident's timeline in the order things happened (then the order written).
    pub fn timeline(&self, incident: Uuid) -> Result<Vec<TimelineEntry>, IncidentError> {
        incidents::load(&self.conn, incident)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, incident_id, at, recorded_at, backdated, kind, author, text, reference
             FROM timeline_entry WHERE incident_id = ?1
             ORDER BY at, recorded_at, id",
        )?;
        let rows = stmt.query_map([incident.as_bytes()], |r| {
            let reference: Option<String> = r.get(8)?;
            Ok(TimelineEntry {
                id: r.get(0)?,
                incident_id: codec::uuid(r, 1)?,
                at: codec::instant(r, 2)?,
                recorded_at: codec::instant(r, 3)?,
                backdated: r.get(4)?,
                kind: codec::named(r, 5, EntryKind::parse)?,
                author: r.get(6)?,
                text: r.get(7)?,
                reference: reference
                    .map(|s| serde_json::from_str(&s))
                    .transpose()
                    .map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            8,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
