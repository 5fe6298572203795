//! An incident's checklist, and moving the incident on through the phase machine.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::codec::{self, MAX_NAME_CHARS, MAX_NOTE_CHARS};
use super::timeline::{self, EntryKind};
use super::{IncidentStore, incidents};
use crate::incident::error::IncidentError;
use crate::incident::model::{Incident, IncidentStatus, Phase};
use crate::incident::phase::{self, PhaseChange};

/// A deadline as instantiated: a fixed instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ItemDeadline {
    /// What it is.
    pub label: String,
    /// When it falls.
    pub at: DateTime<Utc>,
}

/// One item of an incident's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChecklistItem {
    /// Its phase.
    pub phase: Phase,
    /// Its place in the phase (0-based), which identifies it.
    pub position: u32,
    /// What to do.
    pub text: String,
    /// Leaving the phase with it open needs a reason.
    pub required: bool,
    /// Due this long after its phase is entered.
    pub due_after_minutes: Option<u32>,
    /// When it is due (set when its phase is entered).
    pub due_at: Option<DateTime<Utc>>,
    /// An external deadline counted from detection.
    pub deadline: Option<ItemDeadline>,
    /// When it was done, if it is.
    pub done_at: Option<DateTime<Utc>>,
    /// Who did it.
    pub done_by: Option<String>,
    /// What the doer noted.
    pub note: Option<String>,
    /// Why its phase was left with it open, if it was.
    pub skipped_reason: Option<String>,
}

const COLUMNS: &str = "phase, position, text, required, due_after_minutes, due_at,
    deadline_label, deadline_at, done_at, done_by, note, skipped_reason";

impl IncidentStore {
    /// The incident's checklist, phase by phase in order.
    pub fn checklist(&self, incident: Uuid) -> Result<Vec<ChecklistItem>, IncidentError> {
        incidents::load(&self.conn, incident)?;
        let mut items = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM checklist_item WHERE incident_id = ?1"
            ))?
            .query_map([incident.as_bytes()], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        items.sort_by_key(|i| (i.phase, i.position));
        Ok(items)
    }

    /// Marks an item done by `by`, with an optional note. Items of any phase may be done
    /// while the incident is open (work is not always done in order).
    pub fn tick(
        &mut self,
        incident: Uuid,
        phase: Phase,
        position: u32,
        by: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ChecklistItem, IncidentError> {
        let by = codec::required_text("who did it", by, MAX_NAME_CHARS)?;
        let note = codec::optional_text("the note", note, MAX_NOTE_CHARS)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        incidents::load_open(&tx, incident)?;
        let item = load_item(&tx, incident, phase, position)?;
        if let (Some(at), Some(who)) = (item.done_at, &item.done_by) {
            return Err(IncidentError::InvalidInput(format!(
                "{:?} is already done (by {who} at {at})",
                item.text
            )));
        }
        tx.execute(
            "UPDATE checklist_item SET done_at = ?4, done_by = ?5, note = ?6
             WHERE incident_id = ?1 AND phase = ?2 AND position = ?3",
            params![
                incident.as_bytes(),
                phase.as_str(),
                position,
                codec::micros(now),
                by,
                note
            ],
        )?;
        let text = match &note {
            Some(n) => format!("Done: {} — {n}", item.text),
            None => format!("Done: {}", item.text),
        };
        record_item(
            &tx,
            incident,
            phase,
            position,
            EntryKind::ItemDone,
            &by,
            &text,
            now,
        )?;
        let item = load_item(&tx, incident, phase, position)?;
        tx.commit()?;
        Ok(item)
    }

    /// Opens a done item again (it was not really done); `note` says why.
    pub fn untick(
        &mut self,
        incident: Uuid,
        phase: Phase,
        position: u32,
        by: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ChecklistItem, IncidentError> {
        let by = codec::required_text("who reopened it", by, MAX_NAME_CHARS)?;
        let note = codec::optional_text("the note", note, MAX_NOTE_CHARS)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        incidents::load_open(&tx, incident)?;
        let item = load_item(&tx, incident, phase, position)?;
        if item.done_at.is_none() {
            return Err(IncidentError::InvalidInput(format!(
                "{:?} is not done",
                item.text
            )));
        }
        tx.execute(
            "UPDATE checklist_item SET done_at = NULL, done_by = NULL, note = NULL
             WHERE incident_id = ?1 AND phase = ?2 AND position = ?3",
            params![incident.as_bytes(), phase.as_str(), position],
        )?;
        let text = match &note {
            Some(n) => format!("Reopened: {} — {n}", item.text),
            None => format!("Reopened: {}", item.text),
        };
        record_item(
            &tx,
            incident,
            phase,
            position,
            EntryKind::ItemReopened,
            &by,
            &text,
            now,
        )?;
        let item = load_item(&tx, incident, phase, position)?;
        tx.commit()?;
        Ok(item)
    }

    /// Moves the incident to `to` (its next status). With required items of the current phase
    /// open, `reason` must say why; it goes to the timeline and onto each skipped item. The
    /// new phase's due times start now.
    pub fn advance(
        &mut self,
        incident: Uuid,
        to: IncidentStatus,
        reason: Option<&str>,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(Incident, PhaseChange), IncidentError> {
        let author = codec::required_text("the author", author, MAX_NAME_CHARS)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut current = incidents::load_open(&tx, incident)?;
        let from = current
            .status
            .phase()
            .ok_or(IncidentError::Closed(incident))?;
        let open: Vec<(u32, String)> = tx
            .prepare(
                "SELECT position, text FROM checklist_item
                 WHERE incident_id = ?1 AND phase = ?2 AND required = 1 AND done_at IS NULL
                 ORDER BY position",
            )?
            .query_map(params![incident.as_bytes(), from.as_str()], |r| {
                Ok((codec::u32_col(r, 0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let texts: Vec<String> = open.iter().map(|(_, t)| t.clone()).collect();
        let change = phase::advance(&mut current, to, &texts, reason, now)?;
        incidents::save(&tx, &current)?;
        if let Some(reason) = &change.reason {
            for (position, _) in &open {
                tx.execute(
                    "UPDATE checklist_item SET skipped_reason = ?4
                     WHERE incident_id = ?1 AND phase = ?2 AND position = ?3",
                    params![incident.as_bytes(), from.as_str(), position, reason],
                )?;
            }
        }
        if let Some(next) = to.phase() {
            start_due_times(&tx, incident, next, now)?;
        }
        let mut text = format!("{} → {}", from.as_str(), to.as_str());
        if let Some(reason) = &change.reason {
            if change.skipped.is_empty() {
                text.push_str(&format!(": {reason}"));
            } else {
                text.push_str(&format!(
                    " with {} required item(s) open: {reason}",
                    change.skipped.len()
                ));
            }
        }
        timeline::append(
            &tx,
            &timeline::Append {
                incident,
                at: now,
                recorded_at: now,
                backdated: false,
                kind: EntryKind::PhaseChanged,
                author: &author,
                text: &text,
                reference: Some(serde_json::json!({
                    "from": change.from,
                    "to": change.to,
                    "reason": change.reason,
                    "skipped": change.skipped,
                })),
            },
        )?;
        tx.commit()?;
        Ok((current, change))
    }
}

fn start_due_times(
    conn: &Connection,
    incident: Uuid,
    phase: Phase,
    now: DateTime<Utc>,
) -> Result<(), IncidentError> {
    let items: Vec<(u32, u32)> = conn
        .prepare(
            "SELECT position, due_after_minutes FROM checklist_item
             WHERE incident_id = ?1 AND phase = ?2 AND due_after_minutes IS NOT NULL",
        )?
        .query_map(params![incident.as_bytes(), phase.as_str()], |r| {
            Ok((codec::u32_col(r, 0)?, codec::u32_col(r, 1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (position, minutes) in items {
        let due = now + Duration::minutes(i64::from(minutes));
        conn.execute(
            "UPDATE checklist_item SET due_at = ?4
             WHERE incident_id = ?1 AND phase = ?2 AND position = ?3",
            params![
                incident.as_bytes(),
                phase.as_str(),
                position,
                codec::micros(due)
            ],
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn record_item(
    tx: &rusqlite::Transaction<'_>,
    incident: Uuid,
    phase: Phase,
    position: u32,
    kind: EntryKind,
    by: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), IncidentError> {
    timeline::append(
        tx,
        &timeline::Append {
            incident,
            at: now,
            recorded_at: now,
            backdated: false,
            kind,
            author: by,
            text,
            reference: Some(serde_json::json!({ "phase": phase, "position": position })),
        },
    )?;
    tx.execute(
        "UPDATE incident SET updated_at = max(updated_at, ?2) WHERE id = ?1",
        params![incident.as_bytes(), codec::micros(now)],
    )?;
    Ok(())
}

fn load_item(
    conn: &Connection,
    incident: Uuid,
    phase: Phase,
    position: u32,
) -> Result<ChecklistItem, IncidentError> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM checklist_item
             WHERE incident_id = ?1 AND phase = ?2 AND position = ?3"
        ),
        params![incident.as_bytes(), phase.as_str(), position],
        from_row,
    )
    .optional()?
    .ok_or(IncidentError::UnknownItem {
        incident,
        phase,
        position,
    })
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChecklistItem> {
    let label: Option<String> = r.get(6)?;
    let deadline_at = codec::opt_instant(r, 7)?;
    let due_after: Option<i64> = r.get(4)?;
    Ok(ChecklistItem {
        phase: codec::named(r, 0, Phase::parse)?,
        position: codec::u32_col(r, 1)?,
        text: r.get(2)?,
        required: r.get(3)?,
        due_after_minutes: due_after.map(|_| codec::u32_col(r, 4)).transpose()?,
        due_at: codec::opt_instant(r, 5)?,
        deadline: match (label, deadline_at) {
            (Some(label), Some(at)) => Some(ItemDeadline { label, at }),
            _ => None,
        },
        done_at: codec::opt_instant(r, 8)?,
        done_by: r.get(9)?,
        note: r.get(10)?,
        skipped_reason: r.get(11)?,
    })
}
