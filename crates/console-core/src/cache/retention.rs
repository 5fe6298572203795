//! Retention and erasure: purge history older than N days, erase events or a whole
//! application — derived rows (chains, rollups, labels, FTS entries) included.
//!
//! Deletion is event-grained: an event goes with all its attempts, chains, responses, labels
//! and FTS rows, so what remains is always a consistent history. Age is the event's
//! `received_at` (or, for an event whose payload was never fetched, its first attempt), cut
//! at the start of a UTC day so that rollup days are dropped whole. `secure_delete` is on, so
//! freed pages are zeroed; [`Cache::compact`] then merges the FTS indexes (dropping erased
//! tokens from their segments) and checkpoints the WAL, and [`Cache::vacuum`] rebuilds the
//! file. All of it runs inside the caller's [`Ingest`] transaction.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::CacheError;
use super::ingest::Ingest;
use super::open::Cache;
use super::rollup;
use super::types::{DAY_MICROS, day_of, micros};

/// What a purge or erasure removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// Events removed.
    pub events: u64,
    /// Request attempts removed.
    pub attempts: u64,
    /// Responses removed.
    pub responses: u64,
}

/// The start of the UTC day `days` days before `now`: what a retention of `days` keeps
/// begins there.
pub fn retention_cutoff(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    super::types::from_micros(cutoff_micros(now, days)).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn cutoff_micros(now: DateTime<Utc>, days: u32) -> i64 {
    day_of(micros(&now))
        .saturating_sub(i64::from(days))
        .saturating_mul(DAY_MICROS)
}

impl Ingest<'_> {
    /// Removes events (and everything derived from them) older than `days` days before `now`,
    /// counted in whole UTC days.
    pub fn purge_older_than(
        &mut self,
        now: DateTime<Utc>,
        days: u32,
    ) -> Result<Erased, CacheError> {
        let cutoff = cutoff_micros(now, days);
        self.doom(
            "INSERT INTO temp.doomed (id) SELECT id FROM event
             WHERE coalesce(received_at, first_attempt_at) < ?1",
            rusqlite::params![cutoff],
        )?;
        self.erase_doomed()
    }

    /// Removes these events and everything derived from them.
    pub fn erase_events(&mut self, event_ids: &[Uuid]) -> Result<Erased, CacheError> {
        self.doom("SELECT 1 WHERE 0", rusqlite::params![])?;
        for id in event_ids {
            self.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO temp.doomed (id) SELECT id FROM event WHERE uuid = ?1",
                )?
                .execute([&id.as_bytes()[..]])?;
        }
        self.erase_doomed()
    }

    /// Removes an application's whole history and its metadata (subscriptions, event types).
    /// Sync state is the caller's: clear the application's scope in this same transaction.
    pub fn erase_application(&mut self, application_id: Uuid) -> Result<Erased, CacheError> {
        let app = self.application_id(application_id)?;
        self.doom(
            "INSERT INTO temp.doomed (id) SELECT id FROM event WHERE application_id = ?1",
            rusqlite::params![app],
        )?;
        let erased = self.erase_doomed()?;
        for sql in [
            "DELETE FROM failure_rollup WHERE application_id = ?1",
            "DELETE FROM subscription WHERE application_id = ?1",
            "DELETE FROM event_type WHERE application_id = ?1",
            "DELETE FROM application WHERE id = ?1",
        ] {
            self.tx.execute(sql, [app])?;
        }
        self.apps.clear();
        self.subs.clear();
        self.types.clear();
        Ok(erased)
    }

    /// Fills `temp.doomed` with the event row ids to erase.
    fn doom(&mut self, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Result<(), CacheError> {
        self.tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS doomed (id INTEGER PRIMARY KEY);
             DELETE FROM temp.doomed;
             CREATE TEMP TABLE IF NOT EXISTS doomed_cell (
                 application_id INTEGER, day INTEGER, cause TEXT, subscription_id INTEGER,
                 PRIMARY KEY (application_id, day, cause, subscription_id));
             DELETE FROM temp.doomed_cell;",
        )?;
        self.tx.execute(sql, params)?;
        Ok(())
    }

    fn erase_doomed(&mut self) -> Result<Erased, CacheError> {
        let tx = &self.tx;
        tx.execute(
            "INSERT OR IGNORE INTO temp.doomed_cell
             SELECT application_id, created_at / ?1,
                    CASE WHEN http_status IS NOT NULL THEN 'http_' || http_status
                         ELSE error_kind END,
                    subscription_id
             FROM attempt WHERE status = 4 AND event_id IN (SELECT id FROM temp.doomed)",
            [DAY_MICROS],
        )?;
        tx.execute(
            "DELETE FROM event_fts WHERE rowid IN (SELECT id FROM temp.doomed)",
            [],
        )?;
        tx.execute(
            "DELETE FROM response_fts WHERE rowid IN (
                 SELECT r.id FROM attempt a JOIN response r ON r.uuid = a.response_uuid
                 WHERE a.event_id IN (SELECT id FROM temp.doomed))",
            [],
        )?;
        let responses = tx.execute(
            "DELETE FROM response WHERE uuid IN (
                 SELECT response_uuid FROM attempt
                 WHERE event_id IN (SELECT id FROM temp.doomed) AND response_uuid IS NOT NULL)",
            [],
        )?;
        let attempts = tx.execute(
            "DELETE FROM attempt WHERE event_id IN (SELECT id FROM temp.doomed)",
            [],
        )?;
        tx.execute(
            "DELETE FROM chain WHERE event_id IN (SELECT id FROM temp.doomed)",
            [],
        )?;
        tx.execute(
            "DELETE FROM event_label WHERE event_id IN (SELECT id FROM temp.doomed)",
            [],
        )?;
        let events = tx.execute(
            "DELETE FROM event WHERE id IN (SELECT id FROM temp.doomed)",
            [],
        )?;
        let cells: Vec<(i64, i64, String, i64)> = tx
            .prepare(
                "SELECT application_id, day, cause, subscription_id FROM temp.doomed_cell
                 WHERE cause IS NOT NULL",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        for (app, day, cause, sub) in cells {
            rollup::recount(tx, app, day, &cause, sub)?;
        }
        tx.execute_batch("DELETE FROM temp.doomed; DELETE FROM temp.doomed_cell;")?;
        self.forget_events();
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Ok(Erased {
            events: count(events),
            attempts: count(attempts),
            responses: count(responses),
        })
    }
}

impl Cache {
    /// Merges the full-text indexes (so erased tokens leave their segments) and checkpoints
    /// the WAL into the main file. Run after an erasure.
    pub fn compact(&self) -> Result<(), CacheError> {
        self.conn.execute_batch(
            "INSERT INTO event_fts (event_fts) VALUES ('optimize');
             INSERT INTO response_fts (response_fts) VALUES ('optimize');",
        )?;
        self.checkpoint()
    }

    /// Rebuilds the file without free pages (after a large purge).
    pub fn vacuum(&self) -> Result<(), CacheError> {
        self.conn.execute_batch("VACUUM;")?;
        self.checkpoint()
    }
}
