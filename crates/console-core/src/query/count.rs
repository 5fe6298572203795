//! How much a filter matches, counted in one statement: attempts, deliveries, events and
//! subscriptions, with the creation times of the first and last attempt. Evidence records
//! these counts with a filter, since a page of rows says nothing of the whole.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::deliveries::time_of;
use super::error::QueryError;
use super::filter::DeliveryFilter;
use super::scope::{conditions, resolve};

/// What a filter matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FilterCounts {
    /// Attempts.
    #[ts(type = "number")]
    pub attempts: u64,
    /// Deliveries (event × subscription) with at least one matching attempt.
    #[ts(type = "number")]
    pub deliveries: u64,
    /// Events.
    #[ts(type = "number")]
    pub events: u64,
    /// Subscriptions.
    #[ts(type = "number")]
    pub subscriptions: u64,
    /// Creation time of the earliest matching attempt.
    pub first_at: Option<DateTime<Utc>>,
    /// Creation time of the latest matching attempt.
    pub last_at: Option<DateTime<Utc>>,
}

/// Counts what `filter` matches.
pub fn count_matching(
    conn: &Connection,
    filter: DeliveryFilter,
) -> Result<FilterCounts, QueryError> {
    let f = filter.validate()?;
    let r = resolve(conn, &f)?;
    if r.empty {
        return Ok(FilterCounts::default());
    }
    let c = conditions(conn, &f, &r, false)?;
    let sql = format!(
        "SELECT count(*), count(DISTINCT a.chain_id), count(DISTINCT a.event_id),
                count(DISTINCT c.subscription_id), min(a.created_at), max(a.created_at)
         FROM attempt a JOIN chain c ON c.id = a.chain_id WHERE {}",
        c.sql()
    );
    let mut stmt = conn.prepare(&sql)?;
    let counts = stmt.query_row(rusqlite::params_from_iter(c.params.iter()), |row| {
        let count = |i: usize| -> rusqlite::Result<u64> {
            let n: i64 = row.get(i)?;
            u64::try_from(n).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(i, n))
        };
        let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
            row.get::<_, Option<i64>>(i)?.map(time_of).transpose()
        };
        Ok(FilterCounts {
            attempts: count(0)?,
            deliveries: count(1)?,
            events: count(2)?,
            subscriptions: count(3)?,
            first_at: time(4)?,
            last_at: time(5)?,
        })
    })?;
    Ok(counts)
}
