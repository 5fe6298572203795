//! What the sync still has to look at again, and what is already cached.
//!
//! The lists are served from small partial indexes, so asking is cheap however large the
//! cache: attempts not final yet (to refresh until final) here, missing content in
//! [`super::missing`]. Lists page by row position (`after`), so an item that cannot be fetched
//! never blocks the rest.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use uuid::Uuid;

use super::error::CacheError;
use super::open::Cache;
use super::types::{AttemptStatus, from_micros};

/// An attempt the sync should look at again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRef {
    /// Position in the list, for `after`.
    pub row: i64,
    /// Application of the attempt.
    pub application_id: Uuid,
    /// The attempt.
    pub attempt_id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// Its subscription.
    pub subscription_id: Uuid,
    /// When it was created (lets the sync narrow its API window).
    pub created_at: DateTime<Utc>,
    /// Its status as cached.
    pub status: AttemptStatus,
}

pub(super) fn uuid(bytes: Vec<u8>) -> rusqlite::Result<Uuid> {
    Uuid::from_slice(&bytes).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
    })
}

pub(super) fn time(us: i64) -> rusqlite::Result<DateTime<Utc>> {
    from_micros(us).ok_or(rusqlite::Error::IntegralValueOutOfRange(0, us))
}

pub(super) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Cache {
    /// Attempts still waiting, pending or in progress (of one application, or all).
    pub fn attempts_not_final(
        &self,
        application_id: Option<Uuid>,
        after: Option<i64>,
        max: usize,
    ) -> Result<Vec<AttemptRef>, CacheError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, ap.uuid, a.uuid, e.uuid, s.uuid, a.created_at, a.status
             FROM attempt a
             JOIN application ap ON ap.id = a.application_id
             JOIN event e ON e.id = a.event_id
             JOIN subscription s ON s.id = a.subscription_id
             WHERE a.status < 3 AND a.id > ?1 AND (?2 IS NULL OR ap.uuid = ?2)
             ORDER BY a.id LIMIT ?3",
        )?;
        let app = application_id.map(|u| u.as_bytes().to_vec());
        let rows = stmt
            .query_map(
                rusqlite::params![after.unwrap_or(0), app, limit(max)],
                |r| {
                    Ok(AttemptRef {
                        row: r.get(0)?,
                        application_id: uuid(r.get(1)?)?,
                        attempt_id: uuid(r.get(2)?)?,
                        event_id: uuid(r.get(3)?)?,
                        subscription_id: uuid(r.get(4)?)?,
                        created_at: time(r.get(5)?)?,
                        status: AttemptStatus::from_code(r.get(6)?)
                            .unwrap_or(AttemptStatus::Pending),
                    })
                },
            )?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Whether the payload of this event is cached.
    pub fn has_event_payload(&self, event_id: Uuid) -> Result<bool, CacheError> {
        let cached: Option<bool> = self
            .conn
            .prepare_cached("SELECT payload_cached FROM event WHERE uuid = ?1")?
            .query_row([&event_id.as_bytes()[..]], |r| r.get(0))
            .optional()?;
        Ok(cached.unwrap_or(false))
    }

    /// Whether this response is cached.
    pub fn has_response(&self, response_id: Uuid) -> Result<bool, CacheError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM response WHERE uuid = ?1")?
            .query_row([&response_id.as_bytes()[..]], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// One sync-state value.
    pub fn sync_state(&self, scope: &str, key: &str) -> Result<Option<String>, CacheError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM sync_state WHERE scope = ?1 AND key = ?2")?
            .query_row((scope, key), |r| r.get(0))
            .optional()?)
    }

    /// Every sync-state entry of a scope, by key.
    pub fn sync_states(&self, scope: &str) -> Result<Vec<(String, String)>, CacheError> {
        let rows = self
            .conn
            .prepare_cached("SELECT key, value FROM sync_state WHERE scope = ?1 ORDER BY key")?
            .query_map([scope], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
