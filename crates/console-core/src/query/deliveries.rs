//! The delivery list: filtered, sorted, keyset-paginated request attempts with their
//! delivery outcome.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::error::QueryError;
use super::filter::{DeliveryFilter, ValidFilter};
use super::page::{Cursor, Sort, SortKey};
use super::plan::choose;
use super::scope::{conditions, resolve};
use super::walk::{first_rows, value_bounds};
use crate::cache::{AttemptStatus, ChainOutcome, ErrorKind, from_micros};

/// Default rows per page.
const DEFAULT_LIMIT: u32 = 100;
/// Most rows per page.
const MAX_LIMIT: u32 = 1_000;

/// One page request, as the UI sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DeliveryQuery {
    /// Which deliveries.
    pub filter: DeliveryFilter,
    /// Their order.
    pub sort: Sort,
    /// Rows per page (default 100, at most 1000).
    #[ts(optional)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page; absent for the first page.
    #[ts(optional)]
    pub cursor: Option<String>,
}

/// One request attempt, with what the operator needs to judge it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryRow {
    /// The attempt.
    pub attempt_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// Application name, when synced.
    pub application_name: Option<String>,
    /// Its event.
    pub event_id: Uuid,
    /// Event type name.
    pub event_type: String,
    /// Its subscription.
    pub subscription_id: Uuid,
    /// Subscription description, when known.
    pub subscription_description: Option<String>,
    /// Target URL, when the subscription is synced.
    pub target_url: Option<String>,
    /// When the attempt was created.
    pub created_at: DateTime<Utc>,
    /// Attempt status.
    pub status: AttemptStatus,
    /// Outcome of the whole delivery (event × subscription).
    pub outcome: ChainOutcome,
    /// Retry number (0 for the first attempt of a run).
    pub retry_count: u32,
    /// HTTP status, when the target answered.
    pub http_status: Option<u16>,
    /// Why it failed, for failed attempts.
    pub error_kind: Option<ErrorKind>,
    /// Processing time, for final attempts.
    pub latency_ms: Option<i64>,
    /// Next try not before, for waiting attempts.
    pub delay_until: Option<DateTime<Utc>>,
    /// Response, if any.
    pub response_id: Option<Uuid>,
    /// The event payload is cached.
    pub payload_cached: bool,
    /// The response is cached.
    pub response_cached: bool,
    /// Attempts in the delivery so far.
    pub delivery_attempts: u32,
}

/// One page of deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryPage {
    /// The rows, in order.
    pub rows: Vec<DeliveryRow>,
    /// Cursor of the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

pub(crate) fn uuid_of(bytes: Vec<u8>) -> rusqlite::Result<Uuid> {
    Uuid::from_slice(&bytes).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
    })
}

pub(crate) fn time_of(us: i64) -> rusqlite::Result<DateTime<Utc>> {
    from_micros(us).ok_or(rusqlite::Error::IntegralValueOutOfRange(0, us))
}

impl DeliveryQuery {
    /// Validates and runs the query.
    pub fn run(self, conn: &Connection) -> Result<DeliveryPage, QueryError> {
        let filter = self.filter.validate()?;
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(QueryError::InvalidFilter(format!(
                "limit: 1 to {MAX_LIMIT} rows per page"
            )));
        }
        let cursor = self
            .cursor
            .as_deref()
            .map(|c| Cursor::decode(c, self.sort))
            .transpose()?;
        deliveries(conn, &filter, self.sort, limit, cursor)
    }
}

/// One page of deliveries matching a validated filter.
pub(crate) fn deliveries(
    conn: &Connection,
    filter: &ValidFilter,
    sort: Sort,
    limit: u32,
    cursor: Option<Cursor>,
) -> Result<DeliveryPage, QueryError> {
    // One snapshot for the page's statements (probes, arms, columns): they agree with each
    // other while the sync commits beside them. A savepoint also nests in a caller's
    // transaction.
    conn.execute_batch("SAVEPOINT delivery_page")?;
    let page = page_in_snapshot(conn, filter, sort, limit, cursor);
    conn.execute_batch(if page.is_ok() {
        "RELEASE delivery_page"
    } else {
        "ROLLBACK TO delivery_page; RELEASE delivery_page"
    })?;
    page
}

fn page_in_snapshot(
    conn: &Connection,
    filter: &ValidFilter,
    sort: Sort,
    limit: u32,
    cursor: Option<Cursor>,
) -> Result<DeliveryPage, QueryError> {
    let resolved = resolve(conn, filter)?;
    if resolved.empty {
        return Ok(DeliveryPage {
            rows: vec![],
            next_cursor: None,
        });
    }
    let mut c = conditions(conn, filter, &resolved, false)?;
    let source = choose(conn, filter, &resolved, sort.key, c.narrow)?;
    if c.sets && source.statements_many() {
        c = conditions(conn, filter, &resolved, true)?;
    }
    let want = limit as usize + 1;
    let (lo, hi) = match sort.key {
        SortKey::CreatedAt => (
            filter.created_from,
            filter.created_until.map(|u| u.saturating_sub(1)),
        ),
        SortKey::RetryCount => (filter.min_retry_count, filter.max_retry_count),
        SortKey::HttpStatus => (filter.http_status, filter.http_status),
        SortKey::Latency => (None, None),
    };
    let bounds = value_bounds(sort, lo, hi);
    let mut keys = first_rows(conn, &source, &c, sort, cursor, bounds, want)?;
    let more = keys.len() > limit as usize;
    keys.truncate(limit as usize);
    let next_cursor = if more {
        keys.last().map(|k| k.encode(sort))
    } else {
        None
    };
    Ok(DeliveryPage {
        rows: rows_of(conn, &keys)?,
        next_cursor,
    })
}

/// The page's columns for the attempts `keys` names, in that order.
fn rows_of(conn: &Connection, keys: &[Cursor]) -> Result<Vec<DeliveryRow>, QueryError> {
    let ids = serde_json::to_string(&keys.iter().map(|k| k.id).collect::<Vec<_>>())
        .map_err(|e| QueryError::InvalidFilter(e.to_string()))?;
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.uuid, ap.uuid, ap.name, e.uuid, et.name, s.uuid, s.description,
                s.target_url, a.created_at, a.status, c.outcome, a.retry_count, a.http_status,
                a.error_kind, a.full_processing_ms, a.delay_until, a.response_uuid,
                e.payload_cached, a.response_cached, c.attempts
         FROM attempt a
         CROSS JOIN chain c ON c.id = a.chain_id
         CROSS JOIN application ap ON ap.id = a.application_id
         CROSS JOIN event e ON e.id = a.event_id
         CROSS JOIN event_type et ON et.id = a.event_type_id
         CROSS JOIN subscription s ON s.id = a.subscription_id
         WHERE a.id IN (SELECT value FROM json_each(?1))",
    )?;
    let mut found: HashMap<i64, DeliveryRow> = stmt
        .query_map([ids], |r| {
            let row = DeliveryRow {
                attempt_id: uuid_of(r.get(1)?)?,
                application_id: uuid_of(r.get(2)?)?,
                application_name: r.get(3)?,
                event_id: uuid_of(r.get(4)?)?,
                event_type: r.get(5)?,
                subscription_id: uuid_of(r.get(6)?)?,
                subscription_description: r.get(7)?,
                target_url: r.get(8)?,
                created_at: time_of(r.get(9)?)?,
                status: AttemptStatus::from_code(r.get(10)?).unwrap_or(AttemptStatus::Pending),
                outcome: ChainOutcome::from_code(r.get(11)?).unwrap_or(ChainOutcome::Pending),
                retry_count: u32::try_from(r.get::<_, i64>(12)?).unwrap_or(0),
                http_status: r
                    .get::<_, Option<i64>>(13)?
                    .and_then(|s| u16::try_from(s).ok()),
                error_kind: r
                    .get::<_, Option<String>>(14)?
                    .as_deref()
                    .and_then(ErrorKind::parse),
                latency_ms: r.get(15)?,
                delay_until: r.get::<_, Option<i64>>(16)?.map(time_of).transpose()?,
                response_id: r.get::<_, Option<Vec<u8>>>(17)?.map(uuid_of).transpose()?,
                payload_cached: r.get(18)?,
                response_cached: r.get(19)?,
                delivery_attempts: u32::try_from(r.get::<_, i64>(20)?).unwrap_or(0),
            };
            Ok((r.get(0)?, row))
        })?
        .collect::<Result<_, _>>()?;
    // Every id was read from the same connection a moment ago; one missing would mean a
    // concurrent purge, and then the row is simply no longer part of the page.
    Ok(keys.iter().filter_map(|k| found.remove(&k.id)).collect())
}
