//! Embedded, ordered schema migrations.
//!
//! Each migration is a timestamped SQL file compiled into the binary. At open, the missing ones
//! are applied in one transaction (all or nothing) and recorded in `schema_migration`.
//! Invariants: versions only grow; an applied migration is never edited; a database that
//! records a version this binary does not know was written by a newer console and is refused
//! before anything is written to it.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::error::CacheError;

/// One migration: its timestamp version, a name, and its SQL.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 20261129170000,
        name: "initial",
        sql: include_str!("migrations/20261129_170000_initial.sql"),
    },
    Migration {
        version: 20261129190000,
        name: "gone_content",
        sql: include_str!("migrations/20261129_190000_gone_content.sql"),
    },
    Migration {
        version: 20261129200000,
        name: "delivery_order",
        sql: include_str!("migrations/20261129_200000_delivery_order.sql"),
    },
];

/// The highest version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Brings the schema up to date, or refuses a newer one. Returns how many were applied.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<usize, CacheError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migration (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at INTEGER NOT NULL
         );",
    )?;
    let found: i64 = tx
        .query_row("SELECT max(version) FROM schema_migration", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten()
        .unwrap_or(0);
    let known = latest_version();
    if found > known {
        return Err(CacheError::NewerSchema {
            path: path.to_owned(),
            found,
            known,
        });
    }
    let now = chrono::Utc::now().timestamp_micros();
    let mut applied = 0;
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.execute_batch(m.sql)?;
        tx.execute(
            "INSERT INTO schema_migration (version, name, applied_at) VALUES (?1, ?2, ?3)",
            (m.version, m.name, now),
        )?;
        applied += 1;
    }
    tx.commit()?;
    Ok(applied)
}
