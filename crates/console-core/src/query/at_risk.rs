//! "At risk": failed deliveries (gave up, or still retrying) that were never replayed and whose
//! event is about to leave Hook0 under the organization's retention limit — once it has, the
//! event can no longer be replayed.
//!
//! A delivery counts as replayed when its chain has more than one run (a later attempt with
//! `retry_count` 0). The event's age is its `received_at`, or its first attempt when the
//! payload is not cached. Organizations without a known retention limit are left out.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::deliveries::{time_of, uuid_of};
use super::error::QueryError;
use crate::cache::{ChainOutcome, DAY_MICROS, micros};

/// Most rows returned.
const MAX_ROWS: u32 = 10_000;

/// Which deliveries to warn about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AtRiskQuery {
    /// The present (passed in, so tests and the UI agree on it).
    pub now: DateTime<Utc>,
    /// Warn when the event leaves retention within this many days.
    pub within_days: u32,
    /// Only these applications (all when absent).
    #[ts(optional)]
    pub application_ids: Option<Vec<Uuid>>,
    /// Rows at most (default 500).
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// A failed, never-replayed delivery close to its retention deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AtRiskDelivery {
    /// The event.
    pub event_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// The subscription it failed to reach.
    pub subscription_id: Uuid,
    /// Target URL, when synced.
    pub target_url: Option<String>,
    /// Gave up or still retrying.
    pub outcome: ChainOutcome,
    /// First failure of the delivery.
    pub first_failed_at: Option<DateTime<Utc>>,
    /// When Hook0 received the event (or its first attempt).
    pub event_at: DateTime<Utc>,
    /// When the event leaves retention.
    pub expires_at: DateTime<Utc>,
    /// Attempts so far.
    pub attempts: u32,
}

impl AtRiskQuery {
    /// The at-risk deliveries, soonest deadline first.
    pub fn run(&self, conn: &Connection) -> Result<Vec<AtRiskDelivery>, QueryError> {
        let limit = self.limit.unwrap_or(500);
        if limit == 0 || limit > MAX_ROWS {
            return Err(QueryError::InvalidFilter(format!(
                "limit: 1 to {MAX_ROWS} rows"
            )));
        }
        let apps = match &self.application_ids {
            None => String::new(),
            Some(ids) => {
                let mut rows = Vec::new();
                let mut find = conn.prepare_cached("SELECT id FROM application WHERE uuid = ?1")?;
                for u in ids {
                    if let Some(id) = find
                        .query_row([&u.as_bytes()[..]], |r| r.get::<_, i64>(0))
                        .optional()?
                    {
                        rows.push(id.to_string());
                    }
                }
                format!("AND c.application_id IN ({})", rows.join(","))
            }
        };
        let now = micros(&self.now);
        let horizon = now.saturating_add(i64::from(self.within_days).saturating_mul(DAY_MICROS));
        // Literal codes (retrying, gave up) so that the partial index `chain_failing` applies.
        debug_assert_eq!(
            (ChainOutcome::Retrying.code(), ChainOutcome::GaveUp.code()),
            (1, 3)
        );
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT e.uuid, ap.uuid, s.uuid, s.target_url, c.outcome, c.first_failed_at,
                    coalesce(e.received_at, e.first_attempt_at, c.first_created_at) AS born,
                    coalesce(e.received_at, e.first_attempt_at, c.first_created_at)
                        + o.retention_days * ?1 AS expires,
                    c.attempts
             FROM chain c
             JOIN application ap ON ap.id = c.application_id
             JOIN organization o ON o.id = ap.organization_id
             JOIN event e ON e.id = c.event_id
             JOIN subscription s ON s.id = c.subscription_id
             WHERE c.outcome IN (1, 3) AND c.runs = 1 AND o.retention_days IS NOT NULL
               AND expires > ?2 AND expires <= ?3 {apps}
             ORDER BY expires, e.id, s.id
             LIMIT ?4"
        ))?;
        let rows = stmt
            .query_map(
                rusqlite::params![DAY_MICROS, now, horizon, i64::from(limit),],
                |r| {
                    Ok(AtRiskDelivery {
                        event_id: uuid_of(r.get(0)?)?,
                        application_id: uuid_of(r.get(1)?)?,
                        subscription_id: uuid_of(r.get(2)?)?,
                        target_url: r.get(3)?,
                        outcome: ChainOutcome::from_code(r.get(4)?).unwrap_or(ChainOutcome::GaveUp),
                        first_failed_at: r.get::<_, Option<i64>>(5)?.map(time_of).transpose()?,
                        event_at: time_of(r.get(6)?)?,
                        expires_at: time_of(r.get(7)?)?,
                        attempts: u32::try_from(r.get::<_, i64>(8)?).unwrap_or(0),
                    })
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
