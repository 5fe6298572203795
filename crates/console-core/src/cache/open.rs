//! Opening the encrypted database: the writer ([`Cache`]) and read-only handles
//! ([`CacheReader`]).
//!
//! Invariants: the key is applied before anything is read; SQLCipher must answer
//! `PRAGMA cipher_version` or nothing is opened (the cache never holds plaintext); a file the
//! key does not open is reported as [`CacheError::WrongKeyOrCorrupt`] and left untouched —
//! only [`Cache::rebuild`] or [`Cache::delete`], called on the operator's decision, remove it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::error::CacheError;
use super::key::CacheKey;
use super::memo::EventMemos;
use super::migrations;

/// How long a connection waits for another one's lock before reporting busy.
const BUSY_TIMEOUT_MS: u32 = 5_000;
/// Page cache of a reading connection, in KiB: SQLCipher decrypts every page that misses
/// it, and the explorer's queries revisit the same index pages — but a page walk reads a few
/// hundred index pages at most, and a miss costs one decryption of a page the OS still
/// caches (microseconds). 64 MiB filled up within a minute of browsing a million attempts
/// and was a third of the app's own memory, for no measurable gain in the explorer's times.
const READER_CACHE_KIB: i64 = 16_384;
/// Page cache of the writer, in KiB. Small on purpose: a sync's memory must not grow with
/// the history's size, and ingest touches a narrow band of each index (the newest or the
/// oldest rows) — pages evicted clean cost one decryption if touched again.
const WRITER_CACHE_KIB: i64 = 16_384;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 64;

/// The writing handle of one profile's cache. One per file per process.
#[derive(Debug)]
pub struct Cache {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// What the last committed ingest sessions learnt of events (see `memo.rs`); valid while
    /// no other connection has committed (`PRAGMA data_version` unchanged).
    pub(crate) memo: EventMemos,
    pub(crate) memo_data_version: Option<i64>,
}

/// A read-only handle for queries, usable beside the writer (WAL readers do not block it).
#[derive(Debug)]
pub struct CacheReader {
    conn: Connection,
}

impl Cache {
    /// Opens (creating if absent) the cache at `path`, migrating it to this binary's schema.
    pub fn open(path: &Path, key: &CacheKey) -> Result<Self, CacheError> {
        let mut conn = keyed(path, key, false)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA secure_delete = ON;
             -- Checkpoint every 64 MiB rather than every 4 MiB: a page changed by several
             -- ingest transactions is then copied into the main file once.
             PRAGMA wal_autocheckpoint = 16384;
             PRAGMA journal_size_limit = 67108864;
             PRAGMA temp_store = MEMORY;
             PRAGMA foreign_keys = OFF;",
        )?;
        migrations::migrate(&mut conn, path)?;
        Ok(Self {
            conn,
            path: path.to_owned(),
            memo: EventMemos::default(),
            memo_data_version: None,
        })
    }

    /// Deletes the cache at `path` (with its WAL files) and creates an empty one. Only for
    /// when the operator chose to rebuild (wrong key, damaged file, newer schema).
    pub fn rebuild(path: &Path, key: &CacheKey) -> Result<Self, CacheError> {
        Self::delete(path)?;
        Self::open(path, key)
    }

    /// Removes the cache file and its `-wal` / `-shm` companions, if present.
    pub fn delete(path: &Path) -> Result<(), CacheError> {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = PathBuf::from(name);
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(CacheError::Io { path: file, source }),
            }
        }
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for the query module and tests.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A read-only handle on the same file.
    pub fn reader(&self, key: &CacheKey) -> Result<CacheReader, CacheError> {
        CacheReader::open(&self.path, key)
    }

    /// Refreshes the planner's statistics (after a large sync).
    pub fn analyze(&self) -> Result<(), CacheError> {
        // A sample of each index is enough for the planner to pick between them, and keeps
        // this step short whatever the cache's size (a full ANALYZE reads every index).
        self.conn
            .execute_batch("PRAGMA analysis_limit = 2000; ANALYZE; PRAGMA analysis_limit = 0;")?;
        Ok(())
    }

    /// Copies the WAL into the main file and truncates it.
    pub fn checkpoint(&self) -> Result<(), CacheError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

impl CacheReader {
    /// Opens an existing cache read-only. The file must already exist with a current schema.
    pub fn open(path: &Path, key: &CacheKey) -> Result<Self, CacheError> {
        let conn = keyed(path, key, true)?;
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA temp_store = MEMORY;")?;
        let found: i64 = conn.query_row(
            "SELECT coalesce(max(version), 0) FROM schema_migration",
            [],
            |r| r.get(0),
        )?;
        let known = migrations::latest_version();
        if found != known {
            return Err(if found > known {
                CacheError::NewerSchema {
                    path: path.to_owned(),
                    found,
                    known,
                }
            } else {
                CacheError::InvalidInput(format!(
                    "the cache at {} is at schema {found}; open it for writing first",
                    path.display()
                ))
            });
        }
        Ok(Self { conn })
    }

    /// The underlying connection.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Opens a connection, applies the key and proves both the encryption and the key.
fn keyed(path: &Path, key: &CacheKey, read_only: bool) -> Result<Connection, CacheError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
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
        return Err(CacheError::EncryptionUnavailable);
    }
    // The first real read proves the key: SQLCipher reports a wrong key as "not a database".
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| classify(e, path))?;
    conn.busy_timeout(std::time::Duration::from_millis(u64::from(BUSY_TIMEOUT_MS)))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let cache_kib = if read_only {
        READER_CACHE_KIB
    } else {
        WRITER_CACHE_KIB
    };
    conn.execute_batch(&format!("PRAGMA cache_size = -{cache_kib};"))?;
    Ok(conn)
}

fn classify(e: rusqlite::Error, path: &Path) -> CacheError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            CacheError::WrongKeyOrCorrupt {
                path: path.to_owned(),
            }
        }
        _ => CacheError::Sqlite(e),
    }
}
