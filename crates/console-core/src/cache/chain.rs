//! Delivery chains: every attempt of one event to one subscription, with a derived outcome.
//!
//! Maintained at ingest, never recomputed by a scan. Invariants: `attempts` counts distinct
//! attempts; `runs` counts those with `retry_count` 0 (the first run plus each replay); the
//! latest attempt is the greatest `(created_at, retry_count, attempt id)` and the outcome is
//! [`ChainOutcome::of_latest`] of it; `first_failed_at` is the earliest `failed_at` seen.
//! An attempt only moves forward (pending → failed or successful), so updating the chain from
//! one attempt at a time is exact.

use rusqlite::types::Value;
use rusqlite::{Transaction, params_from_iter};

use super::types::{AttemptStatus, ChainOutcome};

/// The facts of one attempt that a chain needs.
pub(crate) struct ChainInput {
    pub event_id: i64,
    pub subscription_id: i64,
    pub application_id: i64,
    pub attempt_id: i64,
    pub created_at: i64,
    pub retry_count: i64,
    pub status: AttemptStatus,
    pub failed_at: Option<i64>,
}

/// Adds a newly seen attempt to its chain (creating it), returning the chain id.
pub(crate) fn add_attempt(tx: &Transaction<'_>, a: &ChainInput) -> rusqlite::Result<i64> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO chain (id, event_id, subscription_id, application_id, first_created_at,
             last_created_at, last_retry_count, last_attempt_id, last_status, outcome, attempts,
             runs, first_failed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?11)
         ON CONFLICT (event_id, subscription_id) DO UPDATE SET
             first_created_at = min(first_created_at, excluded.first_created_at),
             last_created_at = CASE WHEN (excluded.last_created_at, excluded.last_retry_count,
                     excluded.last_attempt_id) > (last_created_at, last_retry_count, last_attempt_id)
                 THEN excluded.last_created_at ELSE last_created_at END,
             last_retry_count = CASE WHEN (excluded.last_created_at, excluded.last_retry_count,
                     excluded.last_attempt_id) > (last_created_at, last_retry_count, last_attempt_id)
                 THEN excluded.last_retry_count ELSE last_retry_count END,
             last_attempt_id = CASE WHEN (excluded.last_created_at, excluded.last_retry_count,
                     excluded.last_attempt_id) > (last_created_at, last_retry_count, last_attempt_id)
                 THEN excluded.last_attempt_id ELSE last_attempt_id END,
             last_status = CASE WHEN (excluded.last_created_at, excluded.last_retry_count,
                     excluded.last_attempt_id) > (last_created_at, last_retry_count, last_attempt_id)
                 THEN excluded.last_status ELSE last_status END,
             outcome = CASE WHEN (excluded.last_created_at, excluded.last_retry_count,
                     excluded.last_attempt_id) > (last_created_at, last_retry_count, last_attempt_id)
                 THEN excluded.outcome ELSE outcome END,
             attempts = attempts + 1,
             runs = runs + excluded.runs,
             first_failed_at = coalesce(min(first_failed_at, excluded.first_failed_at),
                 first_failed_at, excluded.first_failed_at)
         RETURNING id",
    )?;
    stmt.query_row(params_from_iter(new_row(None, a)), |r| r.get(0))
}

/// Creates the chain of an attempt whose chain is certainly not cached, with row id `id`:
/// a plain insert, without the conflict handling and the `RETURNING` of [`add_attempt`].
pub(crate) fn create(tx: &Transaction<'_>, id: i64, a: &ChainInput) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO chain (id, event_id, subscription_id, application_id, first_created_at,
             last_created_at, last_retry_count, last_attempt_id, last_status, outcome, attempts,
             runs, first_failed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?11)",
    )?
    .execute(params_from_iter(new_row(Some(id), a)))?;
    Ok(())
}

/// The values of a chain made of one attempt, in the column order both inserts use; a `None`
/// id lets SQLite choose the row id.
fn new_row(id: Option<i64>, a: &ChainInput) -> [Value; 11] {
    [
        id.into(),
        a.event_id.into(),
        a.subscription_id.into(),
        a.application_id.into(),
        a.created_at.into(),
        a.retry_count.into(),
        a.attempt_id.into(),
        a.status.code().into(),
        ChainOutcome::of_latest(a.status, a.retry_count)
            .code()
            .into(),
        i64::from(a.retry_count == 0).into(),
        a.failed_at.into(),
    ]
}

/// Records a later version of an attempt already counted in chain `chain_id`.
pub(crate) fn update_attempt(
    tx: &Transaction<'_>,
    chain_id: i64,
    a: &ChainInput,
) -> rusqlite::Result<()> {
    let outcome = ChainOutcome::of_latest(a.status, a.retry_count).code();
    let mut stmt = tx.prepare_cached(
        "UPDATE chain SET
             last_status = CASE WHEN last_attempt_id = ?2 THEN ?3 ELSE last_status END,
             outcome = CASE WHEN last_attempt_id = ?2 THEN ?4 ELSE outcome END,
             first_failed_at = coalesce(min(first_failed_at, ?5), first_failed_at, ?5)
         WHERE id = ?1",
    )?;
    stmt.execute(rusqlite::params![
        chain_id,
        a.attempt_id,
        a.status.code(),
        outcome,
        a.failed_at
    ])?;
    Ok(())
}
