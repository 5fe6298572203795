//! Where the sync must look again for attempts that were not final when last listed.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use uuid::Uuid;

use super::error::CacheError;
use super::open::Cache;
use super::types::from_micros;

impl Cache {
    /// `created_at` of the oldest attempt of `application_id` still pending, waiting or in
    /// progress; `None` when every attempt is final (or the application is unknown).
    pub fn oldest_unfinished_attempt(
        &self,
        application_id: Uuid,
    ) -> Result<Option<DateTime<Utc>>, CacheError> {
        let micros: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT min(a.created_at) FROM attempt a
                 JOIN application ap ON ap.id = a.application_id
                 WHERE ap.uuid = ?1 AND a.status < 3",
            )?
            .query_row([&application_id.as_bytes()[..]], |r| r.get(0))
            .optional()?
            .flatten();
        Ok(micros.and_then(from_micros))
    }
}
