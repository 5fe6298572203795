//! Failures grouped by cause, and failures over time.
//!
//! Fast path: when the filter only scopes (organization, application, subscription, target,
//! time window), whole UTC days come from the failure rollup and only the partial days at the
//! window's edges are counted from the attempts — exact at any window, without scanning the
//! history. Any other condition (event type, labels, search…) counts from the attempts.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::deliveries::{time_of, uuid_of};
use super::error::QueryError;
use super::filter::{DeliveryFilter, ValidFilter};
use super::scope::{Conditions, Part, Resolved, conditions, resolve};
use crate::cache::{AttemptStatus, DAY_MICROS, ErrorKind};

const HOUR_MICROS: i64 = 3_600_000_000;
/// Most groups returned.
const MAX_GROUPS: u32 = 1_000;

/// The cause of a group of failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(tag = "kind", rename_all = "snake_case")]
pub enum FailureCause {
    /// The target answered this non-2xx status.
    Http {
        /// The status.
        status: u16,
    },
    /// A transport or worker error.
    Error {
        /// Which.
        error: ErrorKind,
    },
}

impl FailureCause {
    fn parse(text: &str) -> Option<Self> {
        match text.strip_prefix("http_") {
            Some(status) => status.parse().ok().map(|status| Self::Http { status }),
            None => ErrorKind::parse(text).map(|error| Self::Error { error }),
        }
    }
}

/// Failed attempts of one cause at one subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FailureGroup {
    /// Why they failed.
    pub cause: FailureCause,
    /// Where they were sent.
    pub subscription_id: Uuid,
    /// Subscription description, when known.
    pub subscription_description: Option<String>,
    /// Target URL, when the subscription is synced.
    pub target_url: Option<String>,
    /// Application of the subscription.
    pub application_id: Uuid,
    /// How many failed attempts.
    pub failures: u64,
    /// Earliest of them (creation time).
    pub first_seen: DateTime<Utc>,
    /// Latest of them (creation time).
    pub last_seen: DateTime<Utc>,
}

/// Bucket width for failures over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Bucket {
    /// One hour.
    Hour,
    /// One UTC day.
    #[default]
    Day,
}

/// Failures in one time bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FailureBucket {
    /// Start of the bucket.
    pub start: DateTime<Utc>,
    /// Failed attempts created in it.
    pub failures: u64,
}

/// The filter as the failure queries need it: failed attempts only.
fn failed(filter: DeliveryFilter) -> Result<ValidFilter, QueryError> {
    let mut f = filter.validate()?;
    let failed = AttemptStatus::Failed.code();
    if !f.statuses.is_empty() && !f.statuses.contains(&failed) {
        f.statuses = vec![-1];
    } else {
        f.statuses = vec![failed];
    }
    Ok(f)
}

/// Partial days at the window's edges and whole days between, in microseconds / day numbers.
struct Window {
    /// Whole days `[first_day, end_day)` answered by the rollup (empty when first ≥ end).
    first_day: i64,
    end_day: i64,
    /// Time ranges counted from attempts.
    edges: Vec<(i64, i64)>,
}

fn window(from: Option<i64>, until: Option<i64>) -> Window {
    let from = from.unwrap_or(i64::MIN / 2);
    let until = until.unwrap_or(i64::MAX / 2);
    let first_day = from.div_euclid(DAY_MICROS) + i64::from(from.rem_euclid(DAY_MICROS) != 0);
    let end_day = until.div_euclid(DAY_MICROS);
    if first_day >= end_day {
        return Window {
            first_day: 0,
            end_day: 0,
            edges: vec![(from, until)],
        };
    }
    let mut edges = Vec::new();
    if from < first_day * DAY_MICROS {
        edges.push((from, first_day * DAY_MICROS));
    }
    if end_day * DAY_MICROS < until {
        edges.push((end_day * DAY_MICROS, until));
    }
    Window {
        first_day,
        end_day,
        edges,
    }
}

fn ids_sql(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Rollup rows of the window's whole days, scoped like the filter, as
/// (application_id, subscription_id, cause, failures, first_seen, last_seen, day).
fn rollup_part(r: &Resolved, w: &Window, c: &mut Conditions) -> String {
    let mut clauses = vec![
        format!("day >= {}", c.bind(Value::Integer(w.first_day))),
        format!("day < {}", c.bind(Value::Integer(w.end_day))),
    ];
    if let Some(apps) = &r.apps {
        clauses.push(format!("application_id IN ({})", ids_sql(apps)));
    }
    if let Some(subs) = &r.subs {
        clauses.push(format!("subscription_id IN ({})", ids_sql(subs)));
    }
    format!(
        "SELECT application_id, subscription_id, cause, failures, first_seen, last_seen,
                day * {DAY_MICROS} AS at
         FROM failure_rollup WHERE {}",
        clauses.join(" AND ")
    )
}

/// Failed attempts matching the conditions within the given time ranges, in the rollup's
/// shape (one row each).
/// The select list of failed attempts in the rollup's shape.
fn attempt_rows(from: &str, chain: bool, conditions: &str) -> String {
    // The chain only when a condition reads it: joined for every failed attempt counted, it
    // would cost a row read each.
    let chain = if chain {
        "CROSS JOIN chain c ON c.id = a.chain_id"
    } else {
        ""
    };
    format!(
        "SELECT a.application_id, a.subscription_id,
                CASE WHEN a.http_status IS NOT NULL THEN 'http_' || a.http_status
                     ELSE a.error_kind END AS cause,
                1 AS failures, a.created_at AS first_seen, a.created_at AS last_seen,
                a.created_at AS at
         FROM {from} {chain}
         WHERE {conditions}"
    )
}

/// Failed attempts matching the conditions (one row each, in the rollup's shape).
fn attempts_part(base: &Conditions, c: &mut Conditions) -> String {
    c.params.extend(base.params.iter().cloned());
    attempt_rows("attempt a", base.chain, &base.sql())
}

fn every_application(conn: &Connection) -> Result<Vec<i64>, QueryError> {
    let mut stmt = conn.prepare_cached("SELECT id FROM application ORDER BY id")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

/// Failed attempts of `apps` (every application when `None`) within the time ranges, under
/// scope conditions `base`. One select per application and range, each read from the
/// (application, status, time) index alone, which holds every column counted: an OR of ranges
/// would be planned as row-id sets and a read of every attempt row.
fn edges_part(
    conn: &Connection,
    apps: Option<&[i64]>,
    base: &Conditions,
    ranges: &[(i64, i64)],
    c: &mut Conditions,
) -> Result<String, QueryError> {
    let apps = match apps {
        Some(apps) => apps.to_vec(),
        None => every_application(conn)?,
    };
    let scope = base.without(&[Part::Application]);
    let mut selects = Vec::new();
    for app in apps {
        for &(from, until) in ranges {
            c.params.extend(scope.params.iter().cloned());
            let f = c.bind(Value::Integer(from));
            let u = c.bind(Value::Integer(until));
            selects.push(attempt_rows(
                "attempt a INDEXED BY attempt_app_status_time",
                scope.chain,
                &format!(
                    "a.application_id = {app} AND {} AND a.created_at >= {f} AND a.created_at < {u}",
                    scope.sql()
                ),
            ));
        }
    }
    if selects.is_empty() {
        selects.push("SELECT 0, 0, '', 0, 0, 0, 0 WHERE 0".into());
    }
    Ok(selects.join(" UNION ALL "))
}

/// The union of rollup and attempt rows that answers a failure question.
fn failure_rows(conn: &Connection, f: &ValidFilter) -> Result<(String, Conditions), QueryError> {
    let resolved = resolve(conn, f)?;
    let mut base = conditions(conn, f, &resolved, false)?;
    let mut c = Conditions::default();
    if f.is_scope_only() && !resolved.empty {
        // The time window is handled by `window`; drop it from the attempt conditions.
        let mut scope = f.clone();
        scope.created_from = None;
        scope.created_until = None;
        base = conditions(conn, &scope, &resolved, false)?;
        let w = window(f.created_from, f.created_until);
        let mut parts = Vec::new();
        if w.first_day < w.end_day {
            parts.push(rollup_part(&resolved, &w, &mut c));
        }
        if !w.edges.is_empty() {
            parts.push(edges_part(
                conn,
                resolved.apps.as_deref(),
                &base,
                &w.edges,
                &mut c,
            )?);
        }
        if parts.is_empty() {
            parts.push("SELECT 0, 0, '', 0, 0, 0, 0 WHERE 0".into());
        }
        Ok((parts.join(" UNION ALL "), c))
    } else {
        let sql = attempts_part(&base, &mut c);
        Ok((sql, c))
    }
}

/// Failures grouped by cause × subscription, most frequent first.
pub fn failure_groups(
    conn: &Connection,
    filter: DeliveryFilter,
    limit: u32,
) -> Result<Vec<FailureGroup>, QueryError> {
    if limit == 0 || limit > MAX_GROUPS {
        return Err(QueryError::InvalidFilter(format!(
            "limit: 1 to {MAX_GROUPS} groups"
        )));
    }
    let f = failed(filter)?;
    let (rows, mut c) = failure_rows(conn, &f)?;
    let lim = c.bind(Value::Integer(i64::from(limit)));
    let sql = format!(
        "SELECT g.cause, s.uuid, s.description, s.target_url, ap.uuid, g.n, g.first, g.last
         FROM (SELECT subscription_id, cause, sum(failures) AS n, min(first_seen) AS first,
                      max(last_seen) AS last
               FROM ({rows}) GROUP BY subscription_id, cause) g
         JOIN subscription s ON s.id = g.subscription_id
         JOIN application ap ON ap.id = s.application_id
         WHERE g.n > 0
         ORDER BY g.n DESC, g.last DESC
         LIMIT {lim}"
    );
    let mut stmt = conn.prepare(&sql)?;
    let groups = stmt
        .query_map(rusqlite::params_from_iter(c.params.iter()), |r| {
            let cause: Option<String> = r.get(0)?;
            let Some(cause) = cause.as_deref().and_then(FailureCause::parse) else {
                return Ok(None);
            };
            Ok(Some(FailureGroup {
                cause,
                subscription_id: uuid_of(r.get(1)?)?,
                subscription_description: r.get(2)?,
                target_url: r.get(3)?,
                application_id: uuid_of(r.get(4)?)?,
                failures: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
                first_seen: time_of(r.get(6)?)?,
                last_seen: time_of(r.get(7)?)?,
            }))
        })?
        .filter_map(Result::transpose)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(groups)
}

/// Failed attempts per hour or UTC day, oldest bucket first (empty buckets omitted).
pub fn failures_over_time(
    conn: &Connection,
    filter: DeliveryFilter,
    bucket: Bucket,
) -> Result<Vec<FailureBucket>, QueryError> {
    let f = failed(filter)?;
    let width = match bucket {
        Bucket::Hour => HOUR_MICROS,
        Bucket::Day => DAY_MICROS,
    };
    let (rows, c) = if bucket == Bucket::Day {
        failure_rows(conn, &f)?
    } else {
        let resolved = resolve(conn, &f)?;
        let base = conditions(conn, &f, &resolved, false)?;
        let mut c = Conditions::default();
        (attempts_part(&base, &mut c), c)
    };
    let sql = format!(
        "SELECT (at - ((at % {width}) + {width}) % {width}) AS b, sum(failures)
         FROM ({rows}) GROUP BY b ORDER BY b"
    );
    let mut stmt = conn.prepare(&sql)?;
    let buckets = stmt
        .query_map(rusqlite::params_from_iter(c.params.iter()), |r| {
            Ok(FailureBucket {
                start: time_of(r.get(0)?)?,
                failures: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            })
        })?
        .filter(|b| b.as_ref().map_or(true, |b| b.failures > 0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(buckets)
}
