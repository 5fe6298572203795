//! Content Hook0 no longer has (404: expired by its retention, or deleted).
//!
//! Why record it: without a marker every sync would ask again for each such item, forever,
//! spending the token's request budget on answers known in advance. The marker sits on the
//! row that names the content (`event.payload_gone_at`, `attempt.response_gone_at`), so the
//! sync's to-do lists (partial indexes) leave it out, and erasing or purging that row takes
//! the marker with it. Content already cached is never marked: what the cache holds stays
//! readable whatever happens upstream.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::CacheError;
use super::ingest::Ingest;
use super::types::micros;

impl Ingest<'_> {
    /// Records that the API answered 404 for this event's payload.
    pub fn payload_gone(&mut self, event_id: Uuid, at: DateTime<Utc>) -> Result<(), CacheError> {
        self.tx
            .prepare_cached(
                "UPDATE event SET payload_gone_at = ?2
                 WHERE uuid = ?1 AND payload_cached = 0 AND payload_gone_at IS NULL",
            )?
            .execute(rusqlite::params![&event_id.as_bytes()[..], micros(&at)])?;
        Ok(())
    }

    /// Records that the API answered 404 for this response.
    pub fn response_gone(
        &mut self,
        response_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        self.tx
            .prepare_cached(
                "UPDATE attempt SET response_gone_at = ?2
                 WHERE response_uuid = ?1 AND response_cached = 0 AND response_gone_at IS NULL",
            )?
            .execute(rusqlite::params![&response_id.as_bytes()[..], micros(&at)])?;
        Ok(())
    }
}
