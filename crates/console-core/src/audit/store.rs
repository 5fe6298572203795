//! Writing the log: opening the file, appending records, recording entries while locked and
//! sealing them at the next unlock; and reading it for the viewer.
//!
//! Every write runs in one immediate transaction that first checks the stored last record
//! against the head the caller holds, so a log someone cut short or extended is never
//! silently continued.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use super::AuditLog;
use super::chain::{self, Content, GENESIS, RECORD_VERSION};
use super::error::AuditError;
use super::key::{AuditHead, AuditKey, to_hex};
use super::schema;
use super::types::{AuditAction, AuditEntry, AuditFilter, AuditOutcome, AuditPage, AuditRecord};

/// How long a connection waits for another one's lock before reporting busy.
const BUSY_TIMEOUT_MS: u64 = 5_000;
/// Records per page when the filter does not say.
const DEFAULT_LIMIT: u32 = 100;
/// Most records per page.
const MAX_LIMIT: u32 = 500;

impl AuditLog {
    /// Opens (creating if absent) the audit database at `path` and brings its schema up to
    /// date. Refuses a file written by a newer console.
    pub fn open(path: &Path) -> Result<Self, AuditError> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = OFF;",
        )?;
        schema::migrate(&mut conn, path)?;
        Ok(Self {
            conn,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `entry` as the next record and returns the new head, which the caller keeps
    /// (in the vault) and passes to the next call. Refuses with
    /// [`AuditError::HeadMismatch`] when the stored last record is not `head` (`None`: the
    /// log must be empty).
    pub fn append(
        &mut self,
        key: &AuditKey,
        head: Option<&AuditHead>,
        entry: &AuditEntry,
        at: DateTime<Utc>,
    ) -> Result<AuditHead, AuditError> {
        entry.check()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last = check_head(&tx, head)?;
        let content = content_of(entry, at, None)?;
        let new = insert_record(&tx, key, last.as_ref(), &content)?;
        tx.commit()?;
        Ok(new)
    }

    /// Records `entry` while the console is locked (no key): it waits in the pending table,
    /// outside the chain, until [`seal_pending`](Self::seal_pending).
    pub fn append_pending(
        &mut self,
        entry: &AuditEntry,
        at: DateTime<Utc>,
    ) -> Result<(), AuditError> {
        entry.check()?;
        let c = content_of(entry, at, None)?;
        self.conn.execute(
            "INSERT INTO audit_pending (at, actor, action, targets, params_hash, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            (
                c.at,
                &c.actor,
                &c.action,
                &c.targets,
                &c.params_hash,
                &c.outcome,
            ),
        )?;
        Ok(())
    }

    /// Moves every pending entry, oldest first (by time, then by arrival), into the chain in
    /// one transaction and returns the new head (the old one if nothing was pending; `None`
    /// for a log still empty). A pending row no console writes fails the whole call with
    /// [`AuditError::Corrupt`]: nothing is sealed, nothing is dropped.
    pub fn seal_pending(
        &mut self,
        key: &AuditKey,
        head: Option<&AuditHead>,
    ) -> Result<Option<AuditHead>, AuditError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut last = check_head(&tx, head)?;
        let pending = {
            let mut stmt = tx.prepare(
                "SELECT id, at, actor, action, targets, params_hash, outcome
                 FROM audit_pending ORDER BY at, id",
            )?;
            stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    (1..=6)
                        .map(|i| r.get(i))
                        .collect::<rusqlite::Result<Vec<Value>>>()?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        for (id, raw) in pending {
            let content = pending_content(id, &raw)
                .map_err(|detail| AuditError::Corrupt { seq: id, detail })?;
            let new = insert_record(&tx, key, last.as_ref(), &content)?;
            tx.execute("DELETE FROM audit_pending WHERE id = ?1", [id])?;
            last = Some(new);
        }
        tx.commit()?;
        Ok(last)
    }

    /// The last stored record's sequence number and MAC, as stored (not verified). After a
    /// [`verify`](Self::verify) that reports the log intact, this is the head to keep.
    pub fn head(&self) -> Result<Option<AuditHead>, AuditError> {
        stored_head(&self.conn)
    }

    /// One page of records for the viewer, newest first. Does not verify the chain; a row
    /// that cannot be read back fails the page with [`AuditError::Corrupt`].
    pub fn list(&self, filter: &AuditFilter) -> Result<AuditPage, AuditError> {
        let limit = filter.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AuditError::InvalidInput(format!(
                "a page holds 1 to {MAX_LIMIT} records"
            )));
        }
        let mut sql = format!("SELECT {} FROM audit_record WHERE 1", chain::RECORD_COLUMNS);
        let mut args: Vec<Value> = Vec::new();
        if let Some(actions) = filter.actions.as_ref().filter(|a| !a.is_empty()) {
            let marks = vec!["?"; actions.len()].join(", ");
            sql.push_str(&format!(" AND action IN ({marks})"));
            args.extend(actions.iter().map(|a| Value::Text(a.as_str().to_owned())));
        }
        if let Some(outcome) = filter.outcome {
            sql.push_str(" AND outcome = ?");
            args.push(Value::Text(outcome.as_str().to_owned()));
        }
        if let Some(from) = filter.from {
            sql.push_str(" AND at >= ?");
            args.push(Value::Integer(from.timestamp_micros()));
        }
        if let Some(until) = filter.until {
            sql.push_str(" AND at < ?");
            args.push(Value::Integer(until.timestamp_micros()));
        }
        if let Some(before) = filter.before_seq {
            sql.push_str(" AND seq < ?");
            args.push(Value::Integer(i64::try_from(before).unwrap_or(i64::MAX)));
        }
        sql.push_str(" ORDER BY seq DESC LIMIT ?");
        args.push(Value::Integer(i64::from(limit) + 1));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(
                rusqlite::params_from_iter(args),
                chain::StoredRecord::from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        let records = rows
            .iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(record_of)
            .collect::<Result<Vec<_>, _>>()?;
        let next_before_seq = if more {
            records.last().map(|r| r.seq)
        } else {
            None
        };
        Ok(AuditPage {
            records,
            next_before_seq,
        })
    }
}

/// The stored last record, or `None` for an empty log.
pub(crate) fn stored_head(conn: &Connection) -> Result<Option<AuditHead>, AuditError> {
    let row = conn
        .query_row(
            "SELECT seq, mac FROM audit_record ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Value>(1)?)),
        )
        .optional()?;
    let Some((seq, mac)) = row else {
        return Ok(None);
    };
    let corrupt = |detail: &str| AuditError::Corrupt {
        seq,
        detail: detail.to_owned(),
    };
    let seq_u = u64::try_from(seq).map_err(|_| corrupt("its sequence number is negative"))?;
    let mac = match mac {
        Value::Blob(b) => <[u8; 32]>::try_from(b.as_slice()).ok(),
        _ => None,
    }
    .ok_or_else(|| corrupt("its MAC is not 32 bytes"))?;
    Ok(Some(AuditHead { seq: seq_u, mac }))
}

/// Refuses to continue a log whose last record is not the caller's head.
fn check_head(
    tx: &Transaction<'_>,
    head: Option<&AuditHead>,
) -> Result<Option<AuditHead>, AuditError> {
    let stored = stored_head(tx)?;
    match (head, &stored) {
        (None, None) => Ok(None),
        (Some(h), Some(s)) if h == s => Ok(stored),
        _ => Err(AuditError::HeadMismatch {
            expected: head.map(|h| h.seq),
            found: stored.map(|s| s.seq),
        }),
    }
}

fn content_of(
    entry: &AuditEntry,
    at: DateTime<Utc>,
    pending_id: Option<i64>,
) -> Result<Content, AuditError> {
    let targets = serde_json::to_string(&entry.targets)
        .map_err(|e| AuditError::InvalidInput(e.to_string()))?;
    Ok(Content {
        version: RECORD_VERSION,
        at: at.timestamp_micros(),
        actor: entry.actor.clone(),
        action: entry.action.as_str().to_owned(),
        targets,
        params_hash: entry.params_hash.map(|h| h.to_vec()),
        outcome: entry.outcome.as_str().to_owned(),
        pending_id,
    })
}

/// A pending row as the content of a record, if it is one the console could have written.
fn pending_content(id: i64, raw: &[Value]) -> Result<Content, String> {
    let text = |i: usize| match raw.get(i) {
        Some(Value::Text(t)) => Ok(t.as_str()),
        _ => Err("a text column holds something else".to_owned()),
    };
    let at = match raw.first() {
        Some(Value::Integer(at)) => *at,
        _ => return Err("its time is not an integer".to_owned()),
    };
    let action = AuditAction::parse(text(2)?).ok_or("its action is unknown")?;
    let outcome = AuditOutcome::parse(text(5)?).ok_or("its outcome is unknown")?;
    let targets: Vec<String> =
        serde_json::from_str(text(3)?).map_err(|_| "its targets are not a list of ids")?;
    let params_hash = match raw.get(4) {
        Some(Value::Null) => None,
        Some(Value::Blob(b)) => {
            Some(<[u8; 32]>::try_from(b.as_slice()).map_err(|_| "its hash is not 32 bytes")?)
        }
        _ => return Err("its hash is not a hash".to_owned()),
    };
    let entry = AuditEntry {
        actor: text(1)?.to_owned(),
        action,
        targets,
        params_hash,
        outcome,
    };
    entry.check().map_err(|e| e.to_string())?;
    let at = DateTime::from_timestamp_micros(at).ok_or("its time is out of range")?;
    content_of(&entry, at, Some(id)).map_err(|e| e.to_string())
}

/// Appends `content` after `last`, returning the new head.
fn insert_record(
    tx: &Transaction<'_>,
    key: &AuditKey,
    last: Option<&AuditHead>,
    content: &Content,
) -> Result<AuditHead, AuditError> {
    let (prev_seq, prev_mac) = last.map_or((0, GENESIS), |h| (h.seq, h.mac));
    let seq = prev_seq
        .checked_add(1)
        .filter(|s| i64::try_from(*s).is_ok())
        .ok_or_else(|| AuditError::InvalidInput("the audit log is full".to_owned()))?;
    let mac = chain::mac(key, seq, content, &prev_mac);
    tx.execute(
        "INSERT INTO audit_record
             (seq, version, at, actor, action, targets, params_hash, outcome, pending_id, mac)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        (
            i64::try_from(seq).unwrap_or(i64::MAX),
            content.version,
            content.at,
            &content.actor,
            &content.action,
            &content.targets,
            &content.params_hash,
            &content.outcome,
            content.pending_id,
            mac.as_slice(),
        ),
    )?;
    Ok(AuditHead { seq, mac })
}

/// RFC 3339 (UTC, microseconds) of a stored time.
pub(crate) fn rfc3339(micros: i64) -> Option<String> {
    DateTime::from_timestamp_micros(micros).map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// A stored row as the viewer shows it.
pub(crate) fn record_of(row: &chain::StoredRecord) -> Result<AuditRecord, AuditError> {
    let corrupt = |detail: &str| AuditError::Corrupt {
        seq: row.seq,
        detail: detail.to_owned(),
    };
    let c = row.content.as_ref().map_err(|d| corrupt(d))?;
    let seq = u64::try_from(row.seq).map_err(|_| corrupt("its sequence number is negative"))?;
    let params_hash = match &c.params_hash {
        None => None,
        Some(h) if h.len() == 32 => Some(to_hex(h)),
        Some(_) => return Err(corrupt("its parameters hash is not 32 bytes")),
    };
    Ok(AuditRecord {
        seq,
        at: rfc3339(c.at).ok_or_else(|| corrupt("its time is out of range"))?,
        actor: c.actor.clone(),
        action: AuditAction::parse(&c.action).ok_or_else(|| corrupt("its action is unknown"))?,
        targets: serde_json::from_str(&c.targets)
            .map_err(|_| corrupt("its targets are not a list of ids"))?,
        params_hash,
        outcome: AuditOutcome::parse(&c.outcome)
            .ok_or_else(|| corrupt("its outcome is unknown"))?,
        sealed_later: c.pending_id.is_some(),
    })
}
