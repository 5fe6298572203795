//! The audit database's schema: embedded, ordered migrations applied in one transaction, a
//! refusal to open a file from a newer console, and the append-only triggers.
//!
//! The triggers are (re)created at every open, so a copy of the console that finds them
//! dropped restores them; they stop mistakes and casual edits, not someone with the file —
//! that is the chain's job.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::error::AuditError;

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 20261130090000,
    name: "initial",
    sql: include_str!("migrations/20261130_090000_initial.sql"),
}];

/// Refuses changes to the log, and deletions of pending rows that were not sealed.
const TRIGGERS: &str = "
CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON audit_record
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_record_no_delete BEFORE DELETE ON audit_record
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_record_in_order BEFORE INSERT ON audit_record
WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM audit_record), 0) + 1
BEGIN SELECT RAISE(ABORT, 'audit records are appended in sequence'); END;
CREATE TRIGGER IF NOT EXISTS audit_pending_no_update BEFORE UPDATE ON audit_pending
BEGIN SELECT RAISE(ABORT, 'pending audit entries cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS audit_pending_sealed_only BEFORE DELETE ON audit_pending
WHEN NOT EXISTS (SELECT 1 FROM audit_record WHERE pending_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'pending audit entries leave only by being sealed'); END;
";

/// The highest format version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Brings the schema up to date (or refuses a newer one) and restores the triggers.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), AuditError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migration (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at INTEGER NOT NULL
         );",
    )?;
    let found = tx
        .query_row("SELECT max(version) FROM schema_migration", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten()
        .unwrap_or(0);
    let known = latest_version();
    if found > known {
        return Err(AuditError::NewerFormat {
            path: path.to_owned(),
            found,
            known,
        });
    }
    let now = chrono::Utc::now().timestamp_micros();
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.execute_batch(m.sql)?;
        tx.execute(
            "INSERT INTO schema_migration (version, name, applied_at) VALUES (?1, ?2, ?3)",
            (m.version, m.name, now),
        )?;
    }
    tx.execute_batch(TRIGGERS)?;
    tx.commit()?;
    Ok(())
}
