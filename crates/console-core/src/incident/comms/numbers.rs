//! The live numbers a status update quotes, computed from the profile's delivery cache (a
//! separate database from the incident records: the caller passes its connection).
//!
//! Scope: the most specific part of the incident's [`Scope`] that is set decides — its
//! subscriptions, else its applications, else its organizations' applications, else the whole
//! profile. An update about two endpoints must not quote the failures of every other one.
//!
//! - affected events and subscriptions: distinct events and subscriptions with a failed
//!   attempt since the impact start;
//! - still failing: deliveries whose latest state is retrying or given up, active since then;
//! - failure rate: failed ÷ ended (successful or failed) attempts of the last hour;
//! - replay progress: the entries of the replay jobs linked to the incident, by state.

use chrono::{DateTime, Duration, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::incident::model::Scope;

/// Attempt status codes in the cache (see the cache schema).
const SUCCESSFUL: i64 = 3;
const FAILED: i64 = 4;
/// Chain outcome codes: retrying, gave up.
const RETRYING: i64 = 1;
const GAVE_UP: i64 = 3;

/// What the cache says about the incident's deliveries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct DeliveryNumbers {
    /// Events with a failed attempt since the impact start.
    #[ts(type = "number")]
    pub affected_events: u64,
    /// Subscriptions with a failed attempt since the impact start.
    #[ts(type = "number")]
    pub affected_subscriptions: u64,
    /// Deliveries still retrying or given up.
    #[ts(type = "number")]
    pub still_failing: u64,
    /// The first failed attempt since the impact start.
    pub first_failure_at: Option<DateTime<Utc>>,
    /// Attempts that ended (successful or failed) in the last hour.
    #[ts(type = "number")]
    pub ended_last_hour: u64,
    /// Of those, the failed ones.
    #[ts(type = "number")]
    pub failed_last_hour: u64,
    /// `failed_last_hour ÷ ended_last_hour`, absent when none ended.
    pub failure_rate_last_hour: Option<f64>,
}

/// Where the replay jobs linked to the incident stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReplayTally {
    /// Linked jobs found in the cache.
    pub jobs: u32,
    /// Events they replay.
    #[ts(type = "number")]
    pub events: u64,
    /// Replayed (the API accepted the request).
    #[ts(type = "number")]
    pub sent: u64,
    /// Refused by the API.
    #[ts(type = "number")]
    pub failed: u64,
    /// Not yet sent, or in flight, or unknown after a crash.
    #[ts(type = "number")]
    pub pending: u64,
}

/// The cache's answer for `scope` since `since`, at `now`.
pub fn delivery_numbers(
    conn: &Connection,
    scope: &Scope,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> rusqlite::Result<DeliveryNumbers> {
    let (clause, mut args) = scope_clause(scope);
    let since_us = since.timestamp_micros();
    let hour_ago = (now - Duration::hours(1)).timestamp_micros();

    let mut first_args = vec![Value::Integer(FAILED), Value::Integer(since_us)];
    first_args.append(&mut args.clone());
    let (events, subscriptions, first): (i64, i64, Option<i64>) = conn.query_row(
        &format!(
            "SELECT count(DISTINCT a.event_id), count(DISTINCT a.subscription_id),
                    min(coalesce(a.failed_at, a.created_at))
             FROM attempt a WHERE a.status = ?1 AND a.created_at >= ?2 {clause}"
        ),
        params_from_iter(first_args),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;

    let mut chain_args = vec![
        Value::Integer(RETRYING),
        Value::Integer(GAVE_UP),
        Value::Integer(since_us),
    ];
    chain_args.append(&mut args.clone());
    let still_failing: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM chain a
             WHERE a.outcome IN (?1, ?2) AND a.last_created_at >= ?3 {clause}"
        ),
        params_from_iter(chain_args),
        |r| r.get(0),
    )?;

    let mut hour_args = vec![
        Value::Integer(FAILED),
        Value::Integer(SUCCESSFUL),
        Value::Integer(hour_ago),
        Value::Integer(now.timestamp_micros()),
    ];
    hour_args.append(&mut args);
    let (ended, failed): (i64, Option<i64>) = conn.query_row(
        &format!(
            "SELECT count(*), sum(a.status = ?1) FROM attempt a
             WHERE a.status IN (?1, ?2) AND a.created_at >= ?3 AND a.created_at <= ?4
             {clause}"
        ),
        params_from_iter(hour_args),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let ended = count(ended);
    let failed = count(failed.unwrap_or(0));
    Ok(DeliveryNumbers {
        affected_events: count(events),
        affected_subscriptions: count(subscriptions),
        still_failing: count(still_failing),
        first_failure_at: first.and_then(DateTime::from_timestamp_micros),
        ended_last_hour: ended,
        failed_last_hour: failed,
        failure_rate_last_hour: (ended > 0).then(|| failed as f64 / ended as f64),
    })
}

/// How far the replay jobs `jobs` got. Jobs absent from the cache (rebuilt, another machine)
/// are not counted.
pub fn replay_progress(conn: &Connection, jobs: &[Uuid]) -> rusqlite::Result<ReplayTally> {
    let mut progress = ReplayTally::default();
    for job in jobs {
        let row: Option<i64> = conn
            .query_row(
                "SELECT id FROM replay_job WHERE uuid = ?1",
                [job.as_bytes().as_slice()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(row) = row else { continue };
        progress.jobs += 1;
        let mut stmt = conn
            .prepare("SELECT state, count(*) FROM replay_entry WHERE job_id = ?1 GROUP BY state")?;
        let states =
            stmt.query_map([row], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for state in states {
            let (state, n) = state?;
            let n = count(n);
            progress.events += n;
            match state.as_str() {
                "sent" => progress.sent += n,
                "failed" => progress.failed += n,
                _ => progress.pending += n,
            }
        }
    }
    Ok(progress)
}

/// ` AND …` restricting `a` (an attempt or a chain) to the scope, with its parameters.
fn scope_clause(scope: &Scope) -> (String, Vec<Value>) {
    let blobs = |ids: &[Uuid]| -> Vec<Value> {
        ids.iter()
            .map(|id| Value::Blob(id.as_bytes().to_vec()))
            .collect()
    };
    let marks = |n: usize| vec!["?"; n].join(", ");
    if !scope.subscription_ids.is_empty() {
        let n = scope.subscription_ids.len();
        return (
            format!(
                " AND a.subscription_id IN (SELECT id FROM subscription WHERE uuid IN ({}))",
                marks(n)
            ),
            blobs(&scope.subscription_ids),
        );
    }
    if !scope.application_ids.is_empty() {
        let n = scope.application_ids.len();
        return (
            format!(
                " AND a.application_id IN (SELECT id FROM application WHERE uuid IN ({}))",
                marks(n)
            ),
            blobs(&scope.application_ids),
        );
    }
    if !scope.organization_ids.is_empty() {
        let n = scope.organization_ids.len();
        return (
            format!(
                " AND a.application_id IN (SELECT id FROM application WHERE organization_id IN
                   (SELECT id FROM organization WHERE uuid IN ({})))",
                marks(n)
            ),
            blobs(&scope.organization_ids),
        );
    }
    (String::new(), Vec::new())
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
