//! The delivery filter: a plain serde/TS struct of optional fields as the UI sends it
//! ([`DeliveryFilter`]), and its validated form ([`ValidFilter`]).
//!
//! Parse cheaply, then validate: every range and size is checked once here, so the SQL
//! builders can trust what they get. The search text becomes a safe FTS5 expression (each
//! word a quoted phrase, all required) — operator input never reaches FTS5's query syntax.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::error::QueryError;
use crate::cache::{AttemptStatus, ChainOutcome, ErrorKind, micros};

/// Longest search text accepted.
const MAX_SEARCH_CHARS: usize = 256;
/// Most values accepted in one list field.
const MAX_LIST: usize = 200;

/// One `key = value` label condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LabelFilter {
    /// Label key.
    pub key: String,
    /// Exact value.
    pub value: String,
}

/// Where full-text search looks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum SearchScope {
    /// Event payloads and response bodies.
    #[default]
    All,
    /// Event payloads only.
    Payloads,
    /// Response bodies only.
    Responses,
}

/// Which deliveries to show. Every field is optional; set fields combine with AND, values
/// inside one list with OR.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DeliveryFilter {
    /// Attempt status (waiting, pending, in_progress, successful, failed).
    #[ts(optional)]
    pub statuses: Option<Vec<AttemptStatus>>,
    /// Outcome of the delivery the attempt belongs to.
    #[ts(optional)]
    pub outcomes: Option<Vec<ChainOutcome>>,
    /// Exact HTTP status.
    #[ts(optional)]
    pub http_status: Option<u16>,
    /// HTTP class: 2 for 2xx … 5 for 5xx.
    #[ts(optional)]
    pub http_class: Option<u8>,
    /// Why failed attempts failed.
    #[ts(optional)]
    pub error_kinds: Option<Vec<ErrorKind>>,
    /// Organization.
    #[ts(optional)]
    pub organization_id: Option<Uuid>,
    /// Applications.
    #[ts(optional)]
    pub application_ids: Option<Vec<Uuid>>,
    /// Subscriptions.
    #[ts(optional)]
    pub subscription_ids: Option<Vec<Uuid>>,
    /// Text contained in the subscription's target URL.
    #[ts(optional)]
    pub target_url: Option<String>,
    /// Full event type names.
    #[ts(optional)]
    pub event_types: Option<Vec<String>>,
    /// One event.
    #[ts(optional)]
    pub event_id: Option<Uuid>,
    /// Event labels, all required (only events whose payload is cached carry labels).
    #[ts(optional)]
    pub labels: Option<Vec<LabelFilter>>,
    /// Created at or after (inclusive).
    #[ts(optional)]
    pub created_from: Option<DateTime<Utc>>,
    /// Created before (exclusive).
    #[ts(optional)]
    pub created_until: Option<DateTime<Utc>>,
    /// Lowest retry count.
    #[ts(optional)]
    pub min_retry_count: Option<u32>,
    /// Highest retry count.
    #[ts(optional)]
    pub max_retry_count: Option<u32>,
    /// Only the latest attempt of each delivery.
    #[ts(optional)]
    pub latest_only: Option<bool>,
    /// Full-text search words.
    #[ts(optional)]
    pub search: Option<String>,
    /// Where the search looks (default: payloads and responses).
    #[ts(optional)]
    pub search_in: Option<SearchScope>,
}

/// A filter whose values have been checked; built only by [`DeliveryFilter::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFilter {
    pub(crate) statuses: Vec<i64>,
    pub(crate) outcomes: Vec<i64>,
    pub(crate) http_status: Option<i64>,
    pub(crate) http_class: Option<i64>,
    pub(crate) error_kinds: Vec<&'static str>,
    pub(crate) organization_id: Option<Uuid>,
    pub(crate) application_ids: Vec<Uuid>,
    pub(crate) subscription_ids: Vec<Uuid>,
    pub(crate) target_url: Option<String>,
    pub(crate) event_types: Vec<String>,
    pub(crate) event_id: Option<Uuid>,
    pub(crate) labels: Vec<LabelFilter>,
    pub(crate) created_from: Option<i64>,
    pub(crate) created_until: Option<i64>,
    pub(crate) min_retry_count: Option<i64>,
    pub(crate) max_retry_count: Option<i64>,
    pub(crate) latest_only: bool,
    pub(crate) search: Option<String>,
    pub(crate) search_in: SearchScope,
}

fn list<T>(field: &str, values: Option<Vec<T>>) -> Result<Vec<T>, QueryError> {
    let values = values.unwrap_or_default();
    if values.len() > MAX_LIST {
        return Err(QueryError::InvalidFilter(format!(
            "{field}: at most {MAX_LIST} values"
        )));
    }
    Ok(values)
}

/// The FTS5 expression for operator words: each word a quoted phrase, all required.
fn fts_expression(text: &str) -> Result<Option<String>, QueryError> {
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(QueryError::InvalidFilter(format!(
            "search: at most {MAX_SEARCH_CHARS} characters"
        )));
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-' && c != '.' && c != '@')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    Ok((!words.is_empty()).then(|| words.join(" ")))
}

impl DeliveryFilter {
    /// Checks every value and builds the form queries run on.
    pub fn validate(self) -> Result<ValidFilter, QueryError> {
        if let Some(status) = self.http_status
            && !(100..=599).contains(&status)
        {
            return Err(QueryError::InvalidFilter(format!(
                "http_status: {status} is not an HTTP status (100–599)"
            )));
        }
        if let Some(class) = self.http_class
            && !(1..=5).contains(&class)
        {
            return Err(QueryError::InvalidFilter(format!(
                "http_class: {class} is not a class (1–5, as in 2xx … 5xx)"
            )));
        }
        if let (Some(status), Some(class)) = (self.http_status, self.http_class)
            && status / 100 != u16::from(class)
        {
            return Err(QueryError::InvalidFilter(format!(
                "http_status {status} is not in class {class}xx"
            )));
        }
        if let (Some(from), Some(until)) = (self.created_from, self.created_until)
            && from >= until
        {
            return Err(QueryError::InvalidFilter(
                "created_from must be before created_until".into(),
            ));
        }
        if let (Some(min), Some(max)) = (self.min_retry_count, self.max_retry_count)
            && min > max
        {
            return Err(QueryError::InvalidFilter(
                "min_retry_count must not exceed max_retry_count".into(),
            ));
        }
        let labels = list("labels", self.labels)?;
        if labels.iter().any(|l| l.key.is_empty()) {
            return Err(QueryError::InvalidFilter("labels: empty key".into()));
        }
        let search = match self.search.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => {
                let expr = fts_expression(text)?;
                if expr.is_none() {
                    return Err(QueryError::InvalidFilter(
                        "search: no word to look for".into(),
                    ));
                }
                expr
            }
            _ => None,
        };
        let mut statuses: Vec<i64> = list("statuses", self.statuses)?
            .into_iter()
            .map(AttemptStatus::code)
            .collect();
        statuses.sort_unstable();
        statuses.dedup();
        let mut outcomes: Vec<i64> = list("outcomes", self.outcomes)?
            .into_iter()
            .map(ChainOutcome::code)
            .collect();
        outcomes.sort_unstable();
        outcomes.dedup();
        Ok(ValidFilter {
            statuses,
            outcomes,
            http_status: self.http_status.map(i64::from),
            http_class: self.http_class.map(i64::from),
            error_kinds: list("error_kinds", self.error_kinds)?
                .into_iter()
                .map(ErrorKind::as_str)
                .collect(),
            organization_id: self.organization_id,
            application_ids: list("application_ids", self.application_ids)?,
            subscription_ids: list("subscription_ids", self.subscription_ids)?,
            target_url: self.target_url.filter(|u| !u.trim().is_empty()),
            event_types: list("event_types", self.event_types)?,
            event_id: self.event_id,
            labels,
            created_from: self.created_from.as_ref().map(micros),
            created_until: self.created_until.as_ref().map(micros),
            min_retry_count: self.min_retry_count.map(i64::from),
            max_retry_count: self.max_retry_count.map(i64::from),
            latest_only: self.latest_only.unwrap_or(false),
            search,
            search_in: self.search_in.unwrap_or_default(),
        })
    }
}

impl ValidFilter {
    /// No condition at all.
    pub fn everything() -> Self {
        Self {
            statuses: vec![],
            outcomes: vec![],
            http_status: None,
            http_class: None,
            error_kinds: vec![],
            organization_id: None,
            application_ids: vec![],
            subscription_ids: vec![],
            target_url: None,
            event_types: vec![],
            event_id: None,
            labels: vec![],
            created_from: None,
            created_until: None,
            min_retry_count: None,
            max_retry_count: None,
            latest_only: false,
            search: None,
            search_in: SearchScope::All,
        }
    }

    /// Whether only scope conditions (organization, application, subscription, target, time
    /// window) are set — what the failure rollup can answer alone.
    pub(crate) fn is_scope_only(&self) -> bool {
        self.outcomes.is_empty()
            && self.http_status.is_none()
            && self.http_class.is_none()
            && self.error_kinds.is_empty()
            && self.event_types.is_empty()
            && self.event_id.is_none()
            && self.labels.is_empty()
            && self.min_retry_count.is_none()
            && self.max_retry_count.is_none()
            && !self.latest_only
            && self.search.is_none()
            && self
                .statuses
                .iter()
                .all(|&s| s == AttemptStatus::Failed.code())
    }
}
