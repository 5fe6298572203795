//! What the filter bar can offer: the applications, subscriptions, event types and labels
//! present in a cache, and how much history it holds.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::deliveries::{time_of, uuid_of};
use super::error::QueryError;
use crate::cache::from_micros;

/// Values kept per label key.
const LABEL_VALUES: usize = 50;

/// One choice of the filter bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NamedOption {
    /// What the filter sends.
    pub id: Uuid,
    /// What the operator reads.
    pub name: String,
}

/// A subscription as the filter bar offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SubscriptionOption {
    /// The subscription.
    pub id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// Its description, when it has one.
    pub description: Option<String>,
    /// Where it delivers.
    pub target_url: Option<String>,
    /// When the sync found it deleted in Hook0 (its cached deliveries stay); absent while
    /// Hook0 lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The values of one label key seen in the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LabelOption {
    /// The label key.
    pub key: String,
    /// Its values, most frequent first (at most 50).
    pub values: Vec<String>,
}

/// What the filter bar can offer for the active profile's cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FilterOptions {
    /// The profile whose cache this describes.
    pub profile_id: Uuid,
    /// Applications, by name.
    pub applications: Vec<NamedOption>,
    /// Subscriptions, by application then description.
    pub subscriptions: Vec<SubscriptionOption>,
    /// Event type names.
    pub event_types: Vec<String>,
    /// Label keys and their values.
    pub labels: Vec<LabelOption>,
    /// Attempts cached.
    #[ts(type = "number")]
    pub attempts: u64,
    /// RFC 3339 time of the oldest and newest cached attempt.
    pub oldest: Option<String>,
    /// RFC 3339 time of the newest cached attempt.
    pub newest: Option<String>,
}

/// Reads the filter bar's choices from a cache.
pub fn filter_options(conn: &Connection, profile_id: Uuid) -> Result<FilterOptions, QueryError> {
    let applications = conn
        .prepare("SELECT uuid, coalesce(name, '') FROM application ORDER BY name COLLATE NOCASE")?
        .query_map([], |r| {
            Ok(NamedOption {
                id: uuid_of(r.get(0)?)?,
                name: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let subscriptions = conn
        .prepare(
            "SELECT s.uuid, a.uuid, s.description, s.target_url, s.deleted_at FROM subscription s
             JOIN application a ON a.id = s.application_id
             ORDER BY a.name COLLATE NOCASE, s.description COLLATE NOCASE, s.target_url",
        )?
        .query_map([], |r| {
            Ok(SubscriptionOption {
                id: uuid_of(r.get(0)?)?,
                application_id: uuid_of(r.get(1)?)?,
                description: r.get(2)?,
                target_url: r.get(3)?,
                deleted_at: r.get::<_, Option<i64>>(4)?.map(time_of).transpose()?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let event_types = conn
        .prepare("SELECT DISTINCT name FROM event_type ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    let mut labels: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT key, value FROM event_label GROUP BY key, value ORDER BY key, count(*) DESC",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let values = labels.entry(row.get(0)?).or_default();
        if values.len() < LABEL_VALUES {
            values.push(row.get(1)?);
        }
    }
    let (attempts, oldest, newest): (i64, Option<i64>, Option<i64>) = conn.query_row(
        "SELECT count(*), min(created_at), max(created_at) FROM attempt",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let rfc3339 = |micros: Option<i64>| {
        micros
            .and_then(from_micros)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    Ok(FilterOptions {
        profile_id,
        applications,
        subscriptions,
        event_types,
        labels: labels
            .into_iter()
            .map(|(key, values)| LabelOption { key, values })
            .collect(),
        attempts: u64::try_from(attempts).unwrap_or(0),
        oldest: rfc3339(oldest),
        newest: rfc3339(newest),
    })
}
