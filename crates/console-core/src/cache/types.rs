//! Values the cache stores and derives: attempt status, chain outcome, error kind.
//!
//! Enums are stored as small integers (status, outcome) or short snake_case text (error kind,
//! failure cause); the codes here are part of the schema and never change meaning.

use chrono::{DateTime, Utc};
use hook0_client::generated::RequestAttemptStatusType;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Microseconds since the Unix epoch, UTC: how every instant is stored.
pub(crate) fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The instant stored as microseconds, if it is representable.
pub(crate) fn from_micros(us: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_micros(us)
}

/// One UTC day, as stored in rollups.
pub(crate) const DAY_MICROS: i64 = 86_400_000_000;

/// The day number (days since the epoch, UTC) of an instant in microseconds.
pub(crate) fn day_of(us: i64) -> i64 {
    us.div_euclid(DAY_MICROS)
}

/// Where a request attempt stands, as Hook0's status union says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum AttemptStatus {
    /// Scheduled for later (`delay_until` in the future).
    Waiting,
    /// Ready to be sent.
    Pending,
    /// Being sent.
    InProgress,
    /// The target answered 2xx.
    Successful,
    /// The target answered non-2xx, or the call failed.
    Failed,
}

impl AttemptStatus {
    /// Every status, in storage order.
    pub const ALL: [Self; 5] = [
        Self::Waiting,
        Self::Pending,
        Self::InProgress,
        Self::Successful,
        Self::Failed,
    ];

    /// Stored code (0–4).
    pub fn code(self) -> i64 {
        match self {
            Self::Waiting => 0,
            Self::Pending => 1,
            Self::InProgress => 2,
            Self::Successful => 3,
            Self::Failed => 4,
        }
    }

    /// The status of a stored code.
    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Successful and failed attempts never change again.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Successful | Self::Failed)
    }
}

impl From<RequestAttemptStatusType> for AttemptStatus {
    fn from(value: RequestAttemptStatusType) -> Self {
        match value {
            RequestAttemptStatusType::Waiting => Self::Waiting,
            RequestAttemptStatusType::Pending => Self::Pending,
            RequestAttemptStatusType::InProgress => Self::InProgress,
            RequestAttemptStatusType::Successful => Self::Successful,
            RequestAttemptStatusType::Failed => Self::Failed,
        }
    }
}

/// The outcome of a delivery: all attempts of one event to one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ChainOutcome {
    /// The latest attempt is not final and nothing has failed in its run yet.
    Pending,
    /// The latest attempt is a retry (an earlier attempt failed) and not final yet.
    Retrying,
    /// The latest attempt succeeded.
    Delivered,
    /// The latest attempt failed and no newer attempt exists: Hook0 gave up.
    GaveUp,
}

impl ChainOutcome {
    /// Every outcome, in storage order.
    pub const ALL: [Self; 4] = [Self::Pending, Self::Retrying, Self::Delivered, Self::GaveUp];

    /// Stored code (0–3).
    pub fn code(self) -> i64 {
        match self {
            Self::Pending => 0,
            Self::Retrying => 1,
            Self::Delivered => 2,
            Self::GaveUp => 3,
        }
    }

    /// The outcome of a stored code.
    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The outcome a chain has when this attempt is its latest.
    pub fn of_latest(status: AttemptStatus, retry_count: i64) -> Self {
        match status {
            AttemptStatus::Successful => Self::Delivered,
            AttemptStatus::Failed => Self::GaveUp,
            _ if retry_count > 0 => Self::Retrying,
            _ => Self::Pending,
        }
    }
}

/// Why a failed attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The target answered with a non-2xx status.
    Http,
    /// The target did not answer in time (`E_TIMEOUT`).
    Timeout,
    /// The connection failed (`E_CONNECTION`).
    Connection,
    /// The target's name did not resolve (`E_DNS`).
    Dns,
    /// The target URL was refused by the worker (`E_INVALID_TARGET`).
    InvalidTarget,
    /// Another error name reported by Hook0 (`E_UNKNOWN` or a newer one).
    Unknown,
    /// A transport error whose response is not cached yet, so its kind is not known.
    Transport,
    /// Failed without any response (the subscription was disabled or deleted).
    NoResponse,
}

impl ErrorKind {
    /// Every kind.
    pub const ALL: [Self; 8] = [
        Self::Http,
        Self::Timeout,
        Self::Connection,
        Self::Dns,
        Self::InvalidTarget,
        Self::Unknown,
        Self::Transport,
        Self::NoResponse,
    ];

    /// Stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Timeout => "timeout",
            Self::Connection => "connection",
            Self::Dns => "dns",
            Self::InvalidTarget => "invalid_target",
            Self::Unknown => "unknown",
            Self::Transport => "transport",
            Self::NoResponse => "no_response",
        }
    }

    /// The kind of stored text.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The kind Hook0's `response_error_name` names.
    pub fn from_error_name(name: &str) -> Self {
        match name {
            "E_HTTP" => Self::Http,
            "E_TIMEOUT" => Self::Timeout,
            "E_CONNECTION" => Self::Connection,
            "E_DNS" => Self::Dns,
            "E_INVALID_TARGET" => Self::InvalidTarget,
            _ => Self::Unknown,
        }
    }

    /// The kind of a failed attempt from its own fields, before its response is known.
    pub(crate) fn of_attempt(http_status: Option<i64>, has_response: bool) -> Self {
        match (http_status, has_response) {
            (Some(_), _) => Self::Http,
            (None, true) => Self::Transport,
            (None, false) => Self::NoResponse,
        }
    }
}

/// The cause a failure is grouped under: `http_<status>` or the error kind.
pub(crate) fn cause_of(http_status: Option<i64>, kind: ErrorKind) -> String {
    match http_status {
        Some(status) => format!("http_{status}"),
        None => kind.as_str().to_owned(),
    }
}
