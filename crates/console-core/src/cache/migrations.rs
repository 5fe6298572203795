//! Embedded, ordered schema migrations.
//!
//! Each migration is a timestamped SQL file compiled into the binary. At open, the missing ones
//! are applied in one transaction (all or nothing) and recorded in `schema_migration`.
//! Invariants: versions only grow; an applied migration is never edited; a database that
//! records a version this binary does not know was written by a newer console and is refused
//! before anything is written to it.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::schema::{MigrateError, Migration};

use super::error::CacheError;

/// One migration: its timestamp version, a name, and its SQL.
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
    Migration {
        version: 20261130000000,
        name: "http_order",
        sql: include_str!("migrations/20261130_000000_http_order.sql"),
    },
    Migration {
        version: 20261130120000,
        name: "replay_journal",
        sql: include_str!("migrations/20261130_120000_replay_journal.sql"),
    },
    Migration {
        version: 20261130130000,
        name: "subscription_gone",
        sql: include_str!("migrations/20261130_130000_subscription_gone.sql"),
    },
    Migration {
        version: 20261130140000,
        name: "replay_verification",
        sql: include_str!("migrations/20261130_140000_replay_verification.sql"),
    },
];

/// The highest version this binary knows.
pub fn latest_version() -> i64 {
    crate::schema::latest(MIGRATIONS)
}

/// Brings the schema up to date, or refuses a newer one. Returns how many were applied.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<usize, CacheError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let applied = crate::schema::migrate(&tx, MIGRATIONS).map_err(|e| match e {
        MigrateError::Newer { found, known } => CacheError::NewerSchema {
            path: path.to_owned(),
            found,
            known,
        },
        MigrateError::Sqlite(e) => e.into(),
    })?;
    tx.commit()?;
    Ok(applied)
}
