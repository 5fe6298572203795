//! Per-subscription health: success rate of final attempts and latency percentiles.
//!
//! Latency is Hook0's `full_processing_ms` of final attempts; negative values (attempts
//! failed by disabling a subscription) are left out. Percentiles are exact (nearest rank),
//! computed from the latencies of each subscription in memory: one pass over the matching
//! final attempts.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::deliveries::uuid_of;
use super::error::QueryError;
use super::filter::DeliveryFilter;
use super::scope::{conditions, resolve};
use crate::cache::AttemptStatus;

/// How one subscription fares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SubscriptionHealth {
    /// The subscription.
    pub subscription_id: Uuid,
    /// Its description, when known.
    pub description: Option<String>,
    /// Its target URL, when synced.
    pub target_url: Option<String>,
    /// Final attempts (successful + failed).
    pub attempts: u64,
    /// Successful attempts.
    pub successful: u64,
    /// Failed attempts.
    pub failed: u64,
    /// successful / attempts (0 when there is none).
    pub success_rate: f64,
    /// Median latency.
    pub p50_ms: Option<i64>,
    /// 95th percentile latency.
    pub p95_ms: Option<i64>,
    /// 99th percentile latency.
    pub p99_ms: Option<i64>,
}

#[derive(Default)]
struct Tally {
    successful: u64,
    failed: u64,
    latencies: Vec<i64>,
}

fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    // Nearest rank: the smallest value with at least p of the values at or below it.
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Health of every subscription with final attempts matching the filter, worst rate first.
pub fn subscription_health(
    conn: &Connection,
    filter: DeliveryFilter,
) -> Result<Vec<SubscriptionHealth>, QueryError> {
    let mut f = filter.validate()?;
    let finals = [
        AttemptStatus::Successful.code(),
        AttemptStatus::Failed.code(),
    ];
    f.statuses = if f.statuses.is_empty() {
        finals.to_vec()
    } else {
        f.statuses
            .into_iter()
            .filter(|s| finals.contains(s))
            .collect()
    };
    if f.statuses.is_empty() {
        return Ok(vec![]);
    }
    let resolved = resolve(conn, &f)?;
    let c = conditions(conn, &f, &resolved, false)?;
    let chain = if c.chain {
        "CROSS JOIN chain c ON c.id = a.chain_id"
    } else {
        ""
    };
    let sql = format!(
        "SELECT a.subscription_id, a.status, a.full_processing_ms
         FROM attempt a {chain} WHERE {}",
        c.sql()
    );
    let mut tallies: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(c.params.iter()))?;
    while let Some(r) = rows.next()? {
        let t = tallies.entry(r.get(0)?).or_default();
        if r.get::<_, i64>(1)? == AttemptStatus::Successful.code() {
            t.successful += 1;
        } else {
            t.failed += 1;
        }
        if let Some(ms) = r.get::<_, Option<i64>>(2)?
            && ms >= 0
        {
            t.latencies.push(ms);
        }
    }
    let mut out = Vec::with_capacity(tallies.len());
    let mut sub = conn
        .prepare_cached("SELECT uuid, description, target_url FROM subscription WHERE id = ?1")?;
    for (id, mut t) in tallies {
        t.latencies.sort_unstable();
        let (uuid, description, target_url) =
            sub.query_row([id], |r| Ok((uuid_of(r.get(0)?)?, r.get(1)?, r.get(2)?)))?;
        let attempts = t.successful + t.failed;
        out.push(SubscriptionHealth {
            subscription_id: uuid,
            description,
            target_url,
            attempts,
            successful: t.successful,
            failed: t.failed,
            success_rate: if attempts == 0 {
                0.0
            } else {
                t.successful as f64 / attempts as f64
            },
            p50_ms: percentile(&t.latencies, 0.50),
            p95_ms: percentile(&t.latencies, 0.95),
            p99_ms: percentile(&t.latencies, 0.99),
        });
    }
    out.sort_by(|a, b| a.success_rate.total_cmp(&b.success_rate));
    Ok(out)
}
