//! The failure rollup: failed attempts counted per (application, UTC day of `created_at`,
//! cause, subscription), with the first and last `created_at` seen.
//!
//! Maintained at ingest so that "failures grouped by cause" never scans attempts. Invariant:
//! every row equals what a `GROUP BY` over the failed attempts it covers would give — counts
//! go up and down as attempts fail or change cause (a transport error whose response later
//! says `E_TIMEOUT`), and when a removal touches a row's first or last instant those bounds
//! are recomputed from the attempts of that one subscription and day.

use rusqlite::{OptionalExtension, Transaction};

use super::types::{DAY_MICROS, day_of};

/// One failed attempt's place in the rollup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    pub application_id: i64,
    pub subscription_id: i64,
    pub created_at: i64,
    pub cause: String,
}

/// Counts one more failure.
pub(crate) fn add(tx: &Transaction<'_>, c: &Cell) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO failure_rollup (application_id, day, cause, subscription_id, failures,
             first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)
         ON CONFLICT DO UPDATE SET failures = failures + 1,
             first_seen = min(first_seen, excluded.first_seen),
             last_seen = max(last_seen, excluded.last_seen)",
    )?;
    stmt.execute(rusqlite::params![
        c.application_id,
        day_of(c.created_at),
        c.cause,
        c.subscription_id,
        c.created_at
    ])?;
    Ok(())
}

/// Counts one failure less (the attempt changed cause, or is being deleted — in which case
/// call this before deleting it, or pass `recount` after).
pub(crate) fn remove(tx: &Transaction<'_>, c: &Cell) -> rusqlite::Result<()> {
    let day = day_of(c.created_at);
    let row: Option<(i64, i64, i64)> = tx
        .prepare_cached(
            "UPDATE failure_rollup SET failures = failures - 1
             WHERE application_id = ?1 AND day = ?2 AND cause = ?3 AND subscription_id = ?4
             RETURNING failures, first_seen, last_seen",
        )?
        .query_row(
            rusqlite::params![c.application_id, day, c.cause, c.subscription_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        Some((failures, first, last))
            if failures > 0 && c.created_at != first && c.created_at != last =>
        {
            Ok(())
        }
        Some(_) => recount(tx, c.application_id, day, &c.cause, c.subscription_id),
        None => Ok(()),
    }
}

/// Recomputes one rollup row from the attempts it covers (deleting it when none remain).
pub(crate) fn recount(
    tx: &Transaction<'_>,
    application_id: i64,
    day: i64,
    cause: &str,
    subscription_id: i64,
) -> rusqlite::Result<()> {
    let start = day.saturating_mul(DAY_MICROS);
    let end = start.saturating_add(DAY_MICROS);
    // The HTTP class narrows the index range (subscription, class, created_at).
    let class = cause
        .strip_prefix("http_")
        .and_then(|s| s.parse::<i64>().ok())
        .map(|s| s / 100);
    let (count, first, last): (i64, Option<i64>, Option<i64>) = tx
        .prepare_cached(
            "SELECT count(*), min(created_at), max(created_at) FROM attempt
             WHERE subscription_id = ?1 AND http_status / 100 IS ?6
               AND created_at >= ?2 AND created_at < ?3 AND status = 4 AND application_id = ?4
               AND (CASE WHEN http_status IS NOT NULL THEN 'http_' || http_status
                         ELSE error_kind END) = ?5",
        )?
        .query_row(
            rusqlite::params![subscription_id, start, end, application_id, cause, class],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
    match (first, last) {
        (Some(first), Some(last)) if count > 0 => {
            tx.prepare_cached(
                "INSERT INTO failure_rollup (application_id, day, cause, subscription_id,
                     failures, first_seen, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT DO UPDATE SET failures = excluded.failures,
                     first_seen = excluded.first_seen, last_seen = excluded.last_seen",
            )?
            .execute(rusqlite::params![
                application_id,
                day,
                cause,
                subscription_id,
                count,
                first,
                last
            ])?;
        }
        _ => {
            tx.prepare_cached(
                "DELETE FROM failure_rollup WHERE application_id = ?1 AND day = ?2
                   AND cause = ?3 AND subscription_id = ?4",
            )?
            .execute(rusqlite::params![
                application_id,
                day,
                cause,
                subscription_id
            ])?;
        }
    }
    Ok(())
}
