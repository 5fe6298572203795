//! What a sync remembers between runs, per application, in the cache's `sync_state` table.
//!
//! Two entries: the *watermark* (every attempt created at or before it has been listed at
//! least once) and, while a walk is under way, the *walk* (its window and position). The walk
//! entry is written in the same transaction as the attempts of the pages it follows, so a
//! process killed at any point resumes from a position that matches what was stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::SyncError;
use crate::api::WalkPosition;
use crate::cache::{Cache, Ingest};

const WATERMARK: &str = "watermark";
const WALK: &str = "walk";
const FORMAT: u32 = 1;

/// The scope under which an application's entries are stored.
pub fn scope(application_id: Uuid) -> String {
    format!("application:{application_id}")
}

/// A walk in progress over `[min_created_at, …]`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Walk {
    /// Layout version of this record.
    pub format: u32,
    /// Oldest instant the walk must reach (inclusive); `None` walks the whole history.
    pub min_created_at: Option<DateTime<Utc>>,
    /// Newest `created_at` seen by this walk: the watermark once it completes.
    pub newest_seen: Option<DateTime<Utc>>,
    /// Where the walk stands.
    pub position: WalkPosition,
}

impl Walk {
    /// A new walk down to `min_created_at`.
    pub fn starting(min_created_at: Option<DateTime<Utc>>) -> Self {
        Self {
            format: FORMAT,
            min_created_at,
            newest_seen: None,
            position: WalkPosition::default(),
        }
    }
}

/// Reads an application's watermark and walk.
pub fn load(
    cache: &Cache,
    application_id: Uuid,
) -> Result<(Option<DateTime<Utc>>, Option<Walk>), SyncError> {
    let scope = scope(application_id);
    let bad = |reason: String| SyncError::BadState {
        scope: scope.clone(),
        reason,
    };
    let watermark = match cache.sync_state(&scope, WATERMARK)? {
        Some(text) => Some(
            DateTime::parse_from_rfc3339(&text)
                .map_err(|e| bad(format!("watermark `{text}`: {e}")))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    let walk = match cache.sync_state(&scope, WALK)? {
        Some(text) => {
            let walk: Walk = serde_json::from_str(&text).map_err(|e| bad(format!("walk: {e}")))?;
            if walk.format > FORMAT {
                return Err(bad(format!(
                    "walk format {} is newer than {FORMAT}",
                    walk.format
                )));
            }
            Some(walk)
        }
        None => None,
    };
    Ok((watermark, walk))
}

/// Records the walk's position in the ingest transaction that stores its pages.
pub fn save_walk(
    ingest: &mut Ingest<'_>,
    application_id: Uuid,
    walk: &Walk,
) -> Result<(), SyncError> {
    let text = serde_json::to_string(walk).map_err(|e| SyncError::BadState {
        scope: scope(application_id),
        reason: e.to_string(),
    })?;
    ingest.set_sync_state(&scope(application_id), WALK, &text)?;
    Ok(())
}

/// Ends a walk: the watermark moves forward and the walk entry goes, in one transaction.
pub fn finish_walk(
    ingest: &mut Ingest<'_>,
    application_id: Uuid,
    watermark: Option<DateTime<Utc>>,
) -> Result<(), SyncError> {
    let scope = scope(application_id);
    if let Some(watermark) = watermark {
        let text = watermark.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        ingest.set_sync_state(&scope, WATERMARK, &text)?;
    }
    ingest.clear_sync_state(&scope, WALK)?;
    Ok(())
}
