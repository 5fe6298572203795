//! One delivery in full: the attempt, every attempt of its delivery chain, the event payload
//! and the response, as far as they are cached — and, for content that is not, whether it
//! can still be fetched or has expired upstream (Hook0 answered 404).
//!
//! Payloads and bodies travel as text when they are text and as base64 otherwise, so the
//! web view never receives raw bytes it would have to guess about.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::deliveries::{DeliveryRow, deliveries};
use super::error::QueryError;
use super::filter::ValidFilter;
use super::page::{Direction, Sort, SortKey};

/// Content as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "encoding", content = "data", rename_all = "snake_case")]
#[ts(tag = "encoding", content = "data", rename_all = "snake_case")]
pub enum Content {
    /// UTF-8 text.
    Text(String),
    /// Bytes, base64-encoded.
    Base64(String),
}

fn content(v: Value) -> Option<Content> {
    match v {
        Value::Text(t) => Some(Content::Text(t)),
        Value::Blob(b) => Some(Content::Base64(STANDARD.encode(b))),
        _ => None,
    }
}

/// Where a delivery's payload or response stands in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ContentStatus {
    /// Cached: shown below.
    Cached,
    /// Not downloaded yet; opening the delivery online fetches it.
    NotCached,
    /// The API answered 404: expired by Hook0's retention, or deleted. Never asked again.
    ExpiredUpstream,
    /// There is nothing to fetch: the attempt has no response (not sent yet, or failed
    /// before reaching the target).
    Absent,
}

/// The cached event of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EventDetail {
    /// `payload_content_type`.
    pub content_type: Option<String>,
    /// The payload.
    pub payload: Option<Content>,
    /// Labels, by key.
    pub labels: Vec<(String, String)>,
    /// Metadata JSON text.
    pub metadata: Option<String>,
}

/// The cached response of an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ResponseDetail {
    /// HTTP status, when the target answered.
    pub http_code: Option<u16>,
    /// Headers JSON text.
    pub headers: Option<String>,
    /// Body, or the worker's error text.
    pub body: Option<Content>,
    /// Time the call took.
    pub elapsed_ms: Option<i64>,
    /// Hook0's error name.
    pub error_name: Option<String>,
}

/// Everything cached about one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryDetail {
    /// The attempt.
    pub attempt: DeliveryRow,
    /// Every attempt of its delivery (event × subscription), oldest first.
    pub chain: Vec<DeliveryRow>,
    /// The event, when its payload is cached.
    pub event: Option<EventDetail>,
    /// Whether the payload is cached, still to fetch, or gone upstream.
    pub payload_status: ContentStatus,
    /// The response, when cached.
    pub response: Option<ResponseDetail>,
    /// Whether the response is cached, still to fetch, gone upstream, or nonexistent.
    pub response_status: ContentStatus,
}

/// The detail of one attempt, or `None` when it is not cached.
pub fn delivery_detail(
    conn: &Connection,
    attempt_id: Uuid,
) -> Result<Option<DeliveryDetail>, QueryError> {
    let ids: Option<(i64, i64, bool)> = conn
        .prepare_cached(
            "SELECT a.event_id, c.subscription_id, a.response_gone_at IS NOT NULL FROM attempt a
             JOIN chain c ON c.id = a.chain_id WHERE a.uuid = ?1",
        )?
        .query_row([&attempt_id.as_bytes()[..]], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((event_row, sub_row, response_gone)) = ids else {
        return Ok(None);
    };
    let (event_uuid, sub_uuid, payload_gone): (Vec<u8>, Vec<u8>, bool) = conn.query_row(
        "SELECT e.uuid, s.uuid, e.payload_gone_at IS NOT NULL
         FROM event e, subscription s WHERE e.id = ?1 AND s.id = ?2",
        [event_row, sub_row],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut filter = ValidFilter::everything();
    filter.event_id = Uuid::from_slice(&event_uuid).ok();
    filter.subscription_ids = Uuid::from_slice(&sub_uuid).ok().into_iter().collect();
    let sort = Sort {
        key: SortKey::CreatedAt,
        direction: Direction::Asc,
    };
    let chain = deliveries(conn, &filter, sort, 1_000, None)?.rows;
    let Some(attempt) = chain.iter().find(|r| r.attempt_id == attempt_id).cloned() else {
        return Ok(None);
    };
    let event = conn
        .prepare_cached(
            "SELECT content_type, payload, metadata FROM event
             WHERE id = ?1 AND payload_cached = 1",
        )?
        .query_row([event_row], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Value>(1)?,
                r.get(2)?,
            ))
        })
        .optional()?;
    let event = match event {
        None => None,
        Some((content_type, payload, metadata)) => {
            let labels = conn
                .prepare_cached(
                    "SELECT key, value FROM event_label WHERE event_id = ?1 ORDER BY key",
                )?
                .query_map([event_row], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Some(EventDetail {
                content_type,
                payload: content(payload),
                labels,
                metadata,
            })
        }
    };
    let response = match attempt.response_id {
        None => None,
        Some(id) => conn
            .prepare_cached(
                "SELECT http_code, headers, body, elapsed_ms, error_name FROM response
                 WHERE uuid = ?1",
            )?
            .query_row([&id.as_bytes()[..]], |r| {
                Ok(ResponseDetail {
                    http_code: r
                        .get::<_, Option<i64>>(0)?
                        .and_then(|c| u16::try_from(c).ok()),
                    headers: r.get(1)?,
                    body: content(r.get(2)?),
                    elapsed_ms: r.get(3)?,
                    error_name: r.get(4)?,
                })
            })
            .optional()?,
    };
    let payload_status = status(event.is_some(), Some(payload_gone));
    let response_status = status(
        response.is_some(),
        attempt.response_id.map(|_| response_gone),
    );
    Ok(Some(DeliveryDetail {
        attempt,
        chain,
        event,
        payload_status,
        response,
        response_status,
    }))
}

/// `gone`: `None` when there is nothing to fetch, else whether the API answered 404.
fn status(cached: bool, gone: Option<bool>) -> ContentStatus {
    match (cached, gone) {
        (true, _) => ContentStatus::Cached,
        (false, None) => ContentStatus::Absent,
        (false, Some(true)) => ContentStatus::ExpiredUpstream,
        (false, Some(false)) => ContentStatus::NotCached,
    }
}
