//! Sorting and keyset pagination.
//!
//! A cursor is the last row's sort value and attempt row id, plus the sort it belongs to,
//! encoded as an opaque URL-safe string. The next page is "strictly after (value, id)" in the
//! sort order, so rows the sync adds or updates meanwhile never shift the pages already read:
//! new attempts land before the first page (newest first) or in their own place, and an update
//! keeps its created_at and id. Latency only becomes known when an attempt is final, so a
//! latency-sorted listing places unfinished attempts first (ascending) as -1.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::QueryError;

/// What deliveries are ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum SortKey {
    /// Attempt creation time.
    #[default]
    CreatedAt,
    /// Processing time of final attempts (others count as -1).
    Latency,
    /// Retry count.
    RetryCount,
    /// HTTP status (none counts as 0).
    HttpStatus,
}

impl SortKey {
    pub(crate) fn expr(self) -> &'static str {
        match self {
            Self::CreatedAt => "a.created_at",
            Self::Latency => "coalesce(a.full_processing_ms, -1)",
            Self::RetryCount => "a.retry_count",
            Self::HttpStatus => "coalesce(a.http_status, 0)",
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Self::CreatedAt => "c",
            Self::Latency => "l",
            Self::RetryCount => "r",
            Self::HttpStatus => "h",
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Direction {
    /// Largest first (newest first for creation time).
    #[default]
    Desc,
    /// Smallest first.
    Asc,
}

/// A sort: key and direction; ties are broken by attempt row id in the same direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Sort {
    /// What to order by.
    pub key: SortKey,
    /// Which way.
    pub direction: Direction,
}

/// A decoded cursor: the last row's sort value and row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub value: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(self, sort: Sort) -> String {
        let dir = match sort.direction {
            Direction::Desc => "d",
            Direction::Asc => "a",
        };
        URL_SAFE_NO_PAD.encode(format!(
            "1:{}{dir}:{}:{}",
            sort.key.tag(),
            self.value,
            self.id
        ))
    }

    pub fn decode(text: &str, sort: Sort) -> Result<Self, QueryError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.as_bytes())
            .map_err(|_| QueryError::BadCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| QueryError::BadCursor)?;
        let mut parts = text.split(':');
        let (Some("1"), Some(kind), Some(value), Some(id), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(QueryError::BadCursor);
        };
        let expected = Self { value: 0, id: 0 }.encode(sort);
        let expected = URL_SAFE_NO_PAD
            .decode(expected.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        if expected.split(':').nth(1) != Some(kind) {
            return Err(QueryError::BadCursor);
        }
        Ok(Self {
            value: value.parse().map_err(|_| QueryError::BadCursor)?,
            id: id.parse().map_err(|_| QueryError::BadCursor)?,
        })
    }
}
