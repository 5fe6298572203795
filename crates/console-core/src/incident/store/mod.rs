//! The incident records of one profile: their own SQLCipher file, apart from the delivery
//! cache, because the cache may be rebuilt or deleted and incident records must not go with it.
//!
//! Invariants (as for the cache): the key is applied before anything is read; SQLCipher must
//! answer `PRAGMA cipher_version` or nothing is opened; a file the key does not open is
//! reported and left untouched; the schema comes from embedded migrations applied in one
//! transaction, and a file from a newer console is refused. In addition every write is
//! durable when it returns (`synchronous = FULL`): these are records of what was done.
//!
//! Every change and the timeline entry describing it are written in one transaction.

mod checklist;
mod codec;
mod evidence;
mod incidents;
mod preparation;
mod reminders;
mod templates;
mod timeline;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::error::IncidentError;
use crate::cache::CacheKey;
use crate::schema::{MigrateError, Migration};

pub use checklist::{ChecklistItem, ItemDeadline};
pub use incidents::{IncidentFilter, IncidentPatch, NewIncident};
pub use templates::TemplateInfo;
pub use timeline::{EntryKind, NewEntry, TimelineEntry};

/// How long a connection waits for another one's lock before reporting busy.
const BUSY_TIMEOUT_MS: u64 = 5_000;

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 20261130050000,
        name: "initial",
        sql: include_str!("../migrations/20261130_050000_initial.sql"),
    },
    Migration {
        version: 20261201010000,
        name: "evidence",
        sql: include_str!("../migrations/20261201_010000_evidence.sql"),
    },
    Migration {
        version: 20261201020000,
        name: "reminders",
        sql: include_str!("../migrations/20261201_020000_reminders.sql"),
    },
];

/// The highest schema version this binary knows.
pub fn latest_schema_version() -> i64 {
    crate::schema::latest(MIGRATIONS)
}

/// The writing handle of one profile's incident records. One per file per process.
#[derive(Debug)]
pub struct IncidentStore {
    conn: Connection,
    path: PathBuf,
}

impl IncidentStore {
    /// Opens (creating if absent) the incident records at `path`, encrypted with `key`, and
    /// brings the schema up to date.
    pub fn open(path: &Path, key: &CacheKey) -> Result<Self, IncidentError> {
        let mut conn = keyed(path, key)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA foreign_keys = ON;",
        )?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        crate::schema::migrate(&tx, MIGRATIONS).map_err(|e| match e {
            MigrateError::Newer { found, known } => IncidentError::NewerSchema {
                path: path.to_owned(),
                found,
                known,
            },
            MigrateError::Sqlite(e) => e.into(),
        })?;
        tx.commit()?;
        Ok(Self {
            conn,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for tests and later modules (evidence, reports).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Opens a connection, applies the key and proves both the encryption and the key.
fn keyed(path: &Path, key: &CacheKey) -> Result<Connection, IncidentError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(e, path))?;
    // Silence SQLCipher's stderr diagnostics (a wrong key would otherwise print there).
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")
        .map_err(|e| classify(e, path))?;
    conn.execute_batch(&key.pragma())
        .map_err(|e| classify(e, path))?;
    let version: Option<String> = conn
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .ok();
    if version.is_none_or(|v| v.is_empty()) {
        return Err(IncidentError::EncryptionUnavailable);
    }
    // The first real read proves the key: SQLCipher reports a wrong key as "not a database".
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| classify(e, path))?;
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))?;
    Ok(conn)
}

fn classify(e: rusqlite::Error, path: &Path) -> IncidentError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            IncidentError::WrongKeyOrCorrupt {
                path: path.to_owned(),
            }
        }
        _ => IncidentError::Sqlite(e),
    }
}
