//! The audit database's schema: embedded, ordered migrations applied in one transaction, a
//! refusal to open a file from a newer console, and the append-only triggers.
//!
//! The triggers are (re)created at every open, so a copy of the console that finds them
//! dropped restores them; they stop mistakes and casual edits, not someone with the file —
//! that is the chain's job.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::schema::{MigrateError, Migration};

use super::error::AuditError;

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
    crate::schema::latest(MIGRATIONS)
}

/// Brings the schema up to date (or refuses a newer one) and restores the triggers.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), AuditError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    crate::schema::migrate(&tx, MIGRATIONS).map_err(|e| match e {
        MigrateError::Newer { found, known } => AuditError::NewerFormat {
            path: path.to_owned(),
            found,
            known,
        },
        MigrateError::Sqlite(e) => e.into(),
    })?;
    tx.execute_batch(TRIGGERS)?;
    tx.commit()?;
    Ok(())
}
