//! Embedded, timestamped migrations for the console's SQLite files (caches, audit log): all
//! pending ones applied in the caller's transaction, and a file written by a newer console
//! refused rather than guessed at.

use rusqlite::{OptionalExtension, Transaction};

/// One embedded migration.
pub(crate) struct Migration {
    /// Its timestamp, `YYYYMMDDhhmmss`; applied in this order.
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Why the schema could not be brought up to date.
#[derive(Debug)]
pub(crate) enum MigrateError {
    /// The file records a migration this binary does not know.
    Newer {
        found: i64,
        known: i64,
    },
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

/// The highest version in `migrations`.
pub(crate) fn latest(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

/// Applies the migrations the file lacks, in `tx`; returns how many.
pub(crate) fn migrate(
    tx: &Transaction<'_>,
    migrations: &[Migration],
) -> Result<usize, MigrateError> {
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
    let known = latest(migrations);
    if found > known {
        return Err(MigrateError::Newer { found, known });
    }
    let now = chrono::Utc::now().timestamp_micros();
    let mut applied = 0;
    for m in migrations.iter().filter(|m| m.version > found) {
        tx.execute_batch(m.sql)?;
        tx.execute(
            "INSERT INTO schema_migration (version, name, applied_at) VALUES (?1, ?2, ?3)",
            (m.version, m.name, now),
        )?;
        applied += 1;
    }
    Ok(applied)
}
