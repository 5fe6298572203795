//! Content the sync still has to download, in the order an operator needs it.
//!
//! Each payload or response costs one request of Hook0's ~10/s budget, so order matters:
//! 1. for every delivery still failing (outcome retrying or gave up), the payload and the
//!    response of its latest *failed* attempt — for a retrying delivery the latest attempt
//!    has not answered yet, so the failure that explains it is the one before — newest first;
//! 2. then the responses of every earlier failed attempt (newest first), and the payloads of
//!    events whose failed deliveries have since recovered;
//! 3. then, when asked, every other payload.
//!
//! Every list is driven by a partial index that holds only what is missing and not known to
//! be gone upstream (`INDEXED BY` makes that a guarantee rather than a planner's choice), so
//! asking costs in proportion to what is left to fetch, not to the size of the history.

use rusqlite::Row;
use uuid::Uuid;

use super::error::CacheError;
use super::needs::{limit, uuid};
use super::open::Cache;

/// An event whose payload is not cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef {
    /// Position in the list, for `after`.
    pub row: i64,
    /// Application of the event.
    pub application_id: Uuid,
    /// The event.
    pub event_id: Uuid,
}

/// Where a newest-first list stopped: the creation time and row of its last item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListPosition {
    created_at: i64,
    row: i64,
}

impl ListPosition {
    const START: Self = Self {
        created_at: i64::MAX,
        row: i64::MAX,
    };
}

/// A failed attempt whose response is not cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRef {
    /// Position in the list, for `after`.
    pub position: ListPosition,
    /// Application of the attempt.
    pub application_id: Uuid,
    /// The attempt.
    pub attempt_id: Uuid,
    /// The response to fetch.
    pub response_id: Uuid,
}

/// A delivery still failing whose latest failed attempt's response is not cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingDeliveryRef {
    /// The latest failed attempt and its response.
    pub response: ResponseRef,
    /// The delivery's event.
    pub event_id: Uuid,
    /// Whether the event's payload is missing too (and not known to be gone).
    pub payload_missing: bool,
}

/// One of the lists above, for counting what is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingList {
    /// Responses of the latest failed attempt of deliveries still failing.
    FailingResponses,
    /// Payloads of events with a delivery still failing.
    FailingPayloads,
    /// Responses of every failed attempt.
    FailedResponses,
    /// Payloads of events with any failed attempt.
    FailedPayloads,
    /// Every payload.
    Payloads,
}

/// Whether attempt `a` is the latest failed attempt of a delivery still failing (`c`), with
/// nothing but the chain's own row: gave up (3), it is the latest attempt; retrying (1), it
/// is the attempt the latest one retries (Hook0 creates retry n+1 when retry n fails). A
/// delivery replayed while still retrying may match an earlier run's attempt of the same
/// number too; that one is then fetched early, and nothing is ever missed.
const LATEST_FAILURE_OF_FAILING: &str = "CASE c.outcome
    WHEN 3 THEN c.last_attempt_id = a.id
    WHEN 1 THEN a.retry_count = c.last_retry_count - 1 AND a.created_at <= c.last_created_at
    ELSE 0 END";

/// The terms of the `attempt_missing_response` partial index, which a query must repeat.
const MISSING_RESPONSE: &str = "a.status = 4 AND a.response_uuid IS NOT NULL
    AND a.response_cached = 0 AND a.response_gone_at IS NULL";

impl MissingList {
    /// The table (with the index that drives the list) and the list's condition, without
    /// paging; rows are `a` (attempt) or `e` (event).
    fn source(self) -> (&'static str, String) {
        const ATTEMPTS: &str = "attempt a INDEXED BY attempt_missing_response";
        match self {
            Self::FailingResponses => (
                ATTEMPTS,
                format!(
                    "{MISSING_RESPONSE} AND EXISTS (SELECT 1 FROM chain c
                         WHERE c.id = a.chain_id AND {LATEST_FAILURE_OF_FAILING})"
                ),
            ),
            Self::FailedResponses => (ATTEMPTS, MISSING_RESPONSE.to_owned()),
            Self::FailingPayloads => (
                "event e INDEXED BY event_missing_failed",
                "e.payload_cached = 0 AND e.has_failure = 1 AND e.payload_gone_at IS NULL
                 AND EXISTS (SELECT 1 FROM chain c WHERE c.event_id = e.id AND c.outcome IN (1, 3))"
                    .to_owned(),
            ),
            Self::FailedPayloads => (
                "event e INDEXED BY event_missing_failed",
                "e.payload_cached = 0 AND e.has_failure = 1 AND e.payload_gone_at IS NULL"
                    .to_owned(),
            ),
            Self::Payloads => (
                "event e INDEXED BY event_missing",
                "e.payload_cached = 0 AND e.payload_gone_at IS NULL".to_owned(),
            ),
        }
    }

    /// The list from a position: `?1`, `?2` the position (newest-first lists: creation time
    /// and row; event lists: row in `?1`), the last parameter the page size.
    fn page_sql(self) -> String {
        let (from, condition) = self.source();
        match self {
            Self::FailingResponses => format!(
                "SELECT {RESPONSE_COLUMNS}, e.uuid,
                        e.payload_cached = 0 AND e.payload_gone_at IS NULL
                 FROM {from} JOIN event e ON e.id = a.event_id
                 WHERE {condition} AND (a.created_at, a.id) < (?1, ?2)
                 ORDER BY a.created_at DESC, a.id DESC LIMIT ?3"
            ),
            Self::FailedResponses => format!(
                "SELECT {RESPONSE_COLUMNS} FROM {from}
                 WHERE {condition} AND (a.created_at, a.id) < (?1, ?2)
                 ORDER BY a.created_at DESC, a.id DESC LIMIT ?3"
            ),
            Self::FailingPayloads | Self::FailedPayloads | Self::Payloads => format!(
                "SELECT e.id, (SELECT uuid FROM application WHERE id = e.application_id), e.uuid
                 FROM {from} WHERE {condition} AND e.id > ?1 ORDER BY e.id LIMIT ?2"
            ),
        }
    }

    fn count_sql(self) -> String {
        let (from, condition) = self.source();
        format!("SELECT count(*) FROM {from} WHERE {condition}")
    }
}

/// Columns of a response list: the application is read per row by a scalar subquery so the
/// partial index stays the only thing the query walks.
const RESPONSE_COLUMNS: &str = "a.created_at, a.id,
    (SELECT uuid FROM application WHERE id = a.application_id), a.uuid, a.response_uuid";

fn response_ref(r: &Row<'_>) -> rusqlite::Result<ResponseRef> {
    Ok(ResponseRef {
        position: ListPosition {
            created_at: r.get(0)?,
            row: r.get(1)?,
        },
        application_id: uuid(r.get(2)?)?,
        attempt_id: uuid(r.get(3)?)?,
        response_id: uuid(r.get(4)?)?,
    })
}

impl Cache {
    /// Stage 1, responses: deliveries still failing whose latest failed attempt's response
    /// is missing, newest first, with their event (and whether its payload is missing).
    pub fn failing_deliveries_without_response(
        &self,
        after: Option<ListPosition>,
        max: usize,
    ) -> Result<Vec<FailingDeliveryRef>, CacheError> {
        let after = after.unwrap_or(ListPosition::START);
        let rows = self
            .conn
            .prepare_cached(&MissingList::FailingResponses.page_sql())?
            .query_map(
                rusqlite::params![after.created_at, after.row, limit(max)],
                |r| {
                    Ok(FailingDeliveryRef {
                        response: response_ref(r)?,
                        event_id: uuid(r.get(5)?)?,
                        payload_missing: r.get(6)?,
                    })
                },
            )?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Stage 1, payloads: events with a delivery still failing whose payload is missing
    /// (those not already fetched beside a response).
    pub fn failing_events_without_payload(
        &self,
        after: Option<i64>,
        max: usize,
    ) -> Result<Vec<EventRef>, CacheError> {
        self.events_missing(MissingList::FailingPayloads, after, max)
    }

    /// Stage 2, responses: failed attempts whose response is missing, newest first.
    pub fn failed_attempts_without_response(
        &self,
        after: Option<ListPosition>,
        max: usize,
    ) -> Result<Vec<ResponseRef>, CacheError> {
        let after = after.unwrap_or(ListPosition::START);
        let rows = self
            .conn
            .prepare_cached(&MissingList::FailedResponses.page_sql())?
            .query_map(
                rusqlite::params![after.created_at, after.row, limit(max)],
                response_ref,
            )?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Stage 2, payloads: events with at least one failed attempt whose payload is missing.
    pub fn failed_events_without_payload(
        &self,
        after: Option<i64>,
        max: usize,
    ) -> Result<Vec<EventRef>, CacheError> {
        self.events_missing(MissingList::FailedPayloads, after, max)
    }

    /// Stage 3: every event whose payload is missing.
    pub fn events_without_payload(
        &self,
        after: Option<i64>,
        max: usize,
    ) -> Result<Vec<EventRef>, CacheError> {
        self.events_missing(MissingList::Payloads, after, max)
    }

    /// How many items a list holds now: what a stage has to fetch, for honest progress.
    pub fn count_missing(&self, list: MissingList) -> Result<u64, CacheError> {
        let n: i64 = self
            .conn
            .prepare_cached(&list.count_sql())?
            .query_row([], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// An event list in row order from `after`.
    fn events_missing(
        &self,
        list: MissingList,
        after: Option<i64>,
        max: usize,
    ) -> Result<Vec<EventRef>, CacheError> {
        let rows = self
            .conn
            .prepare_cached(&list.page_sql())?
            .query_map(rusqlite::params![after.unwrap_or(0), limit(max)], |r| {
                Ok(EventRef {
                    row: r.get(0)?,
                    application_id: uuid(r.get(1)?)?,
                    event_id: uuid(r.get(2)?)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::MissingList;
    use crate::cache::{Cache, CacheKey};

    const LISTS: [MissingList; 5] = [
        MissingList::FailingResponses,
        MissingList::FailingPayloads,
        MissingList::FailedResponses,
        MissingList::FailedPayloads,
        MissingList::Payloads,
    ];

    /// Every list and count walks its partial index (never the attempt or event table), and
    /// pages by a range on it, so its cost follows what is missing, not the history's size.
    #[test]
    fn every_list_walks_only_its_partial_index() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let cache = Cache::open(&dir.path().join("plan.db"), &CacheKey::from_bytes([3; 32]))?;
        for list in LISTS {
            for (sql, paged) in [(list.page_sql(), true), (list.count_sql(), false)] {
                let mut stmt = cache.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let unbound = vec![rusqlite::types::Null; stmt.parameter_count()];
                let plan: Vec<String> = stmt
                    .query_map(rusqlite::params_from_iter(unbound), |r| {
                        r.get::<_, String>(3)
                    })?
                    .collect::<Result<_, _>>()?;
                let plan = plan.join("\n");
                let index = match list {
                    MissingList::FailingResponses | MissingList::FailedResponses => {
                        "attempt_missing_response"
                    }
                    MissingList::FailingPayloads | MissingList::FailedPayloads => {
                        "event_missing_failed"
                    }
                    MissingList::Payloads => "event_missing",
                };
                let driver = plan.lines().next().unwrap_or_default();
                assert!(
                    driver.contains(index),
                    "{list:?} is driven by {index}:\n{plan}"
                );
                if paged {
                    assert!(
                        driver.starts_with("SEARCH"),
                        "{list:?} pages by a range on {index}, not a scan:\n{plan}"
                    );
                }
                // A scan is only ever of the partial index itself (small by construction).
                assert!(
                    plan.lines()
                        .filter(|line| line.starts_with("SCAN"))
                        .all(|line| line.contains(&format!("INDEX {index}"))),
                    "{list:?} never scans a whole table or a full index:\n{plan}"
                );
            }
        }
        Ok(())
    }
}
