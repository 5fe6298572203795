//! The operator's ticks of the standing Preparation checklist.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::IncidentStore;
use super::codec::{self, MAX_NAME_CHARS, MAX_NOTE_CHARS};
use crate::incident::error::IncidentError;
use crate::incident::preparation::{
    self, PreparationFacts, PreparationItem, PreparationStatus, PreparationTick,
};

impl IncidentStore {
    /// Records that `by` checked `item` at `now` (a later tick replaces an earlier one).
    pub fn tick_preparation(
        &mut self,
        item: PreparationItem,
        by: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), IncidentError> {
        let by = codec::required_text("who checked it", by, MAX_NAME_CHARS)?;
        let note = codec::optional_text("the note", note, MAX_NOTE_CHARS)?;
        self.conn.execute(
            "INSERT INTO preparation_tick (item, done_at, done_by, note) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (item) DO UPDATE SET done_at = ?2, done_by = ?3, note = ?4",
            params![item.as_str(), codec::micros(now), by, note],
        )?;
        Ok(())
    }

    /// Removes the tick of `item` (it no longer holds).
    pub fn untick_preparation(&mut self, item: PreparationItem) -> Result<(), IncidentError> {
        self.conn.execute(
            "DELETE FROM preparation_tick WHERE item = ?1",
            [item.as_str()],
        )?;
        Ok(())
    }

    /// The readiness at `now`, from the caller's `facts` and the stored ticks.
    pub fn preparation(
        &self,
        facts: &PreparationFacts,
        now: DateTime<Utc>,
    ) -> Result<PreparationStatus, IncidentError> {
        let ticks: Vec<(PreparationItem, PreparationTick)> = self
            .conn
            .prepare("SELECT item, done_at, done_by, note FROM preparation_tick")?
            .query_map([], |r| {
                Ok((
                    codec::named(r, 0, PreparationItem::parse)?,
                    PreparationTick {
                        done_at: codec::instant(r, 1)?,
                        done_by: r.get(2)?,
                        note: r.get(3)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(preparation::evaluate(facts, &ticks, now))
    }
}
