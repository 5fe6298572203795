//! Event payloads and response bodies: stored once, indexed for full-text search.
//!
//! Payloads and bodies are kept as TEXT when they are UTF-8 (and not declared binary) and
//! as BLOB otherwise; only text is indexed. The FTS tables are contentless (the text lives once,
//! in `event.payload` / `response.body`) with `contentless_delete`, their rowids being the
//! event and response row ids. Invariant: an FTS row exists exactly for each cached text
//! payload or body, so replacing or erasing one always deletes its FTS row first.

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use uuid::Uuid;

use super::error::CacheError;
use super::ingest::Ingest;
use super::metadata::json;
use super::rollup::{self, Cell};
use super::types::{AttemptStatus, ErrorKind, cause_of, micros};
use crate::record::{EventRecord, ResponseBody, ResponseRecord};

/// An attempt that references a response being stored.
struct ResponseAttempt {
    id: i64,
    app: i64,
    sub: i64,
    created_at: i64,
    status: i64,
    http_status: Option<i64>,
    old_kind: Option<String>,
}

impl Ingest<'_> {
    /// Stores an event of `application_id` with its decoded payload (creating the event if no
    /// attempt named it). The record does not carry its application because Hook0's event
    /// answer does not: the caller asked for it by application.
    pub fn event(&mut self, application_id: Uuid, e: &EventRecord) -> Result<(), CacheError> {
        let app = self.application_id(application_id)?;
        let event_type = self.event_type_id(app, &e.event_type_name)?;
        let text = e.payload.text();
        let payload = match text {
            Some(t) => Value::Text(t.to_owned()),
            None => Value::Blob(e.payload.bytes.clone()),
        };
        let metadata = (!e.metadata.is_empty())
            .then(|| json(&e.metadata))
            .transpose()?;
        let ip = (!e.ip.is_empty()).then_some(e.ip.as_str());
        let content_type = &e.payload.content_type;
        let existing: Option<(i64, bool)> = self
            .tx
            .prepare_cached("SELECT id, payload_cached FROM event WHERE uuid = ?1")?
            .query_row([&e.event_id.as_bytes()[..]], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let id = match existing {
            Some((id, cached)) => {
                if cached {
                    self.tx
                        .prepare_cached("DELETE FROM event_fts WHERE rowid = ?1")?
                        .execute([id])?;
                }
                self.tx
                    .prepare_cached("DELETE FROM event_label WHERE event_id = ?1")?
                    .execute([id])?;
                self.tx
                    .prepare_cached(
                        "UPDATE event SET application_id = ?2, event_type_id = ?3,
                             received_at = ?4, occurred_at = ?5, content_type = ?6, payload = ?7,
                             metadata = ?8, ip = ?9, payload_cached = 1
                         WHERE id = ?1",
                    )?
                    .execute(rusqlite::params![
                        id,
                        app,
                        event_type,
                        micros(&e.received_at),
                        micros(&e.occurred_at),
                        content_type,
                        payload,
                        metadata,
                        ip
                    ])?;
                id
            }
            None => self
                .tx
                .prepare_cached(
                    "INSERT INTO event (uuid, application_id, event_type_id, received_at,
                         occurred_at, content_type, payload, metadata, ip, payload_cached)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1) RETURNING id",
                )?
                .query_row(
                    rusqlite::params![
                        &e.event_id.as_bytes()[..],
                        app,
                        event_type,
                        micros(&e.received_at),
                        micros(&e.occurred_at),
                        content_type,
                        payload,
                        metadata,
                        ip
                    ],
                    |r| r.get(0),
                )?,
        };
        if let Some(t) = text {
            self.tx
                .prepare_cached("INSERT INTO event_fts (rowid, payload) VALUES (?1, ?2)")?
                .execute((id, t))?;
        }
        let mut label = self.tx.prepare_cached(
            "INSERT OR IGNORE INTO event_label (event_id, key, value) VALUES (?1, ?2, ?3)",
        )?;
        for (k, v) in &e.labels {
            label.execute((id, k, v))?;
        }
        self.stats.events += 1;
        Ok(())
    }

    /// Stores a response; the attempts that reference it learn their precise error kind.
    pub fn response(&mut self, r: &ResponseRecord) -> Result<(), CacheError> {
        let uuid = &r.response_id.as_bytes()[..];
        let (body, text) = match &r.body {
            Some(ResponseBody::Text(t)) => (Value::Text(t.clone()), Some(t.as_str())),
            Some(ResponseBody::Bytes(b)) => (Value::Blob(b.clone()), None),
            None => (Value::Null, None),
        };
        let headers = r.headers.as_ref().map(json).transpose()?;
        let existing: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM response WHERE uuid = ?1")?
            .query_row([uuid], |row| row.get(0))
            .optional()?;
        let id = match existing {
            Some(id) => {
                self.tx
                    .prepare_cached("DELETE FROM response_fts WHERE rowid = ?1")?
                    .execute([id])?;
                self.tx
                    .prepare_cached(
                        "UPDATE response SET http_code = ?2, headers = ?3, body = ?4,
                             elapsed_ms = ?5, error_name = ?6 WHERE id = ?1",
                    )?
                    .execute(rusqlite::params![
                        id,
                        r.http_code,
                        headers,
                        body,
                        r.elapsed_time_ms,
                        r.error_name
                    ])?;
                id
            }
            None => self
                .tx
                .prepare_cached(
                    "INSERT INTO response (uuid, http_code, headers, body, elapsed_ms, error_name)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                )?
                .query_row(
                    rusqlite::params![
                        uuid,
                        r.http_code,
                        headers,
                        body,
                        r.elapsed_time_ms,
                        r.error_name
                    ],
                    |row| row.get(0),
                )?,
        };
        if let Some(t) = text {
            self.tx
                .prepare_cached("INSERT INTO response_fts (rowid, body) VALUES (?1, ?2)")?
                .execute((id, t))?;
        }
        self.any_response = true;
        self.refine_attempts(uuid, r.error_name.as_deref())?;
        self.stats.responses += 1;
        Ok(())
    }

    /// Marks the attempts of a response as having it cached, and moves failed ones whose kind
    /// was only "transport" to the precise kind (keeping the rollup exact).
    fn refine_attempts(
        &mut self,
        response: &[u8],
        error_name: Option<&str>,
    ) -> Result<(), CacheError> {
        let rows: Vec<ResponseAttempt> = self
            .tx
            .prepare_cached(
                "SELECT id, application_id, subscription_id, created_at, status, http_status,
                        error_kind
                 FROM attempt WHERE response_uuid = ?1",
            )?
            .query_map([response], |r| {
                Ok(ResponseAttempt {
                    id: r.get(0)?,
                    app: r.get(1)?,
                    sub: r.get(2)?,
                    created_at: r.get(3)?,
                    status: r.get(4)?,
                    http_status: r.get(5)?,
                    old_kind: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        for ResponseAttempt {
            id,
            app,
            sub,
            created_at,
            status,
            http_status,
            old_kind,
        } in rows
        {
            let failed = status == AttemptStatus::Failed.code();
            let new_kind = match (failed, http_status, error_name) {
                (false, _, _) => None,
                (true, Some(_), _) => Some(ErrorKind::Http),
                (true, None, Some(name)) => Some(ErrorKind::from_error_name(name)),
                (true, None, None) => Some(ErrorKind::Unknown),
            };
            let old_kind = old_kind.as_deref().and_then(ErrorKind::parse);
            self.tx
                .prepare_cached(
                    "UPDATE attempt SET response_cached = 1, error_kind = ?2 WHERE id = ?1",
                )?
                .execute(rusqlite::params![id, new_kind.map(ErrorKind::as_str)])?;
            if old_kind != new_kind {
                let cell = |k: ErrorKind| Cell {
                    application_id: app,
                    subscription_id: sub,
                    created_at,
                    cause: cause_of(http_status, k),
                };
                if let Some(k) = old_kind {
                    rollup::remove(&self.tx, &cell(k))?;
                }
                if let Some(k) = new_kind {
                    rollup::add(&self.tx, &cell(k))?;
                }
            }
        }
        Ok(())
    }
}
