//! Which reminders were shown: one row per item and threshold, so none is shown twice, even
//! across restarts (see [`crate::incident::reminder`]).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{TransactionBehavior, params};

use super::{ChecklistItem, IncidentStore, codec};
use crate::incident::IncidentFilter;
use crate::incident::error::IncidentError;
use crate::incident::model::{Incident, IncidentStatus, Phase};
use crate::incident::reminder::{ReminderKey, ReminderKind};

impl IncidentStore {
    /// Every open incident with its checklist, most recently declared first: what reminders
    /// are judged from.
    pub fn open_checklists(&self) -> Result<Vec<(Incident, Vec<ChecklistItem>)>, IncidentError> {
        let open = IncidentStatus::ALL
            .into_iter()
            .filter(|s| *s != IncidentStatus::Closed)
            .collect();
        self.list(&IncidentFilter { statuses: open })?
            .into_iter()
            .map(|incident| {
                let items = self.checklist(incident.id)?;
                Ok((incident, items))
            })
            .collect()
    }

    /// The reminders shown so far.
    pub fn reminders_sent(&self) -> Result<HashSet<ReminderKey>, IncidentError> {
        let mut stmt = self
            .conn
            .prepare("SELECT incident_id, phase, position, kind FROM reminder_sent")?;
        let rows = stmt.query_map([], |r| {
            Ok(ReminderKey {
                incident_id: codec::uuid(r, 0)?,
                phase: codec::named(r, 1, Phase::parse)?,
                position: codec::u32_col(r, 2)?,
                kind: codec::named(r, 3, ReminderKind::parse)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Remembers `keys` as shown at `now`, in one transaction (a key already kept stays).
    pub fn mark_reminded(
        &mut self,
        keys: &[ReminderKey],
        now: DateTime<Utc>,
    ) -> Result<(), IncidentError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for key in keys {
            tx.execute(
                "INSERT OR IGNORE INTO reminder_sent (incident_id, phase, position, kind, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    key.incident_id.as_bytes(),
                    key.phase.as_str(),
                    key.position,
                    key.kind.as_str(),
                    codec::micros(now)
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
