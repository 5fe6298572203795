//! `query`, `fts`, `groups`: latency of the offline questions over a cache of about a million
//! attempts (filled once by the real sync, see `fill::million`): p50/p95 of 200 queries each.

use std::time::Instant;

use chrono::{DateTime, Utc};
use console_core::cache::{AttemptStatus, CacheReader, ChainOutcome};
use console_core::query::{
    DeliveryFilter, DeliveryQuery, Direction, Sort, SortKey, failure_groups,
};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::emit::{figure, note, percentile};
use crate::fill;

const RUNS: usize = 200;

/// What a cache holds, for building realistic questions about it.
pub(crate) struct Universe {
    pub applications: Vec<Uuid>,
    pub subscriptions: Vec<Uuid>,
    /// Oldest and newest attempt, microseconds since the epoch.
    pub first: i64,
    pub last: i64,
    /// Words present in cached payloads.
    pub words: Vec<String>,
}

pub async fn run() -> anyhow::Result<()> {
    let path = fill::million().await?;
    let reader = CacheReader::open(&path, &fill::key())?;
    let conn = reader.conn();
    let universe = universe(conn)?;
    let attempts: i64 = conn.query_row("SELECT count(*) FROM attempt", [], |r| r.get(0))?;
    figure("query", "attempts", attempts as f64, "attempts");
    note(&format!(
        "query: {attempts} attempts, {} search words",
        universe.words.len()
    ));
    let mut rng = StdRng::seed_from_u64(7);

    let mut mixed = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let query = mixed_query(&mut rng, &universe);
        let clock = Instant::now();
        query.run(conn)?;
        mixed.push(clock.elapsed().as_secs_f64() * 1000.0);
    }
    figure("query", "p50_ms", percentile(&mut mixed, 50.0), "ms");
    figure("query", "p95_ms", percentile(&mut mixed, 95.0), "ms");

    let mut fts = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let word = universe.words.choose(&mut rng).cloned().unwrap_or_default();
        let query = DeliveryQuery {
            filter: DeliveryFilter {
                search: Some(word),
                ..DeliveryFilter::default()
            },
            limit: Some(100),
            ..DeliveryQuery::default()
        };
        let clock = Instant::now();
        query.run(conn)?;
        fts.push(clock.elapsed().as_secs_f64() * 1000.0);
    }
    figure("fts", "p50_ms", percentile(&mut fts, 50.0), "ms");
    figure("fts", "p95_ms", percentile(&mut fts, 95.0), "ms");

    let mut groups = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (from, until) = window(&mut rng, &universe);
        let filter = DeliveryFilter {
            application_ids: rng.random_bool(0.5).then(|| {
                universe
                    .applications
                    .choose(&mut rng)
                    .copied()
                    .into_iter()
                    .collect()
            }),
            created_from: Some(from),
            created_until: Some(until),
            ..DeliveryFilter::default()
        };
        let clock = Instant::now();
        failure_groups(conn, filter, 50)?;
        groups.push(clock.elapsed().as_secs_f64() * 1000.0);
    }
    figure("groups", "p50_ms", percentile(&mut groups, 50.0), "ms");
    figure("groups", "p95_ms", percentile(&mut groups, 95.0), "ms");
    Ok(())
}

pub(crate) fn universe(conn: &rusqlite::Connection) -> anyhow::Result<Universe> {
    let uuids = |sql: &str| -> anyhow::Result<Vec<Uuid>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(Uuid::from_slice(&row?)?);
        }
        Ok(out)
    };
    let (first, last): (i64, i64) = conn.query_row(
        "SELECT min(created_at), max(created_at) FROM attempt",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut words: Vec<String> = Vec::new();
    let mut stmt =
        conn.prepare("SELECT payload FROM event WHERE payload_cached = 1 ORDER BY id LIMIT 400")?;
    let payloads = stmt.query_map([], |r| r.get::<_, rusqlite::types::Value>(0))?;
    for payload in payloads {
        if let rusqlite::types::Value::Text(text) = payload? {
            for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
                if word.len() >= 5 && !words.iter().any(|w| w == word) {
                    words.push(word.to_lowercase());
                }
            }
        }
    }
    words.truncate(60);
    Ok(Universe {
        applications: uuids("SELECT uuid FROM application")?,
        subscriptions: uuids("SELECT uuid FROM subscription")?,
        first,
        last,
        words,
    })
}

fn window(rng: &mut StdRng, u: &Universe) -> (DateTime<Utc>, DateTime<Utc>) {
    let span = (u.last - u.first).max(1);
    let length = rng.random_range(span / 50..=span / 3);
    let start = u.first + rng.random_range(0..=(span - length).max(0));
    let at = |micros: i64| DateTime::from_timestamp_micros(micros).unwrap_or_default();
    (at(start), at(start + length))
}

/// A filter, sort and page as an operator would ask: a few criteria, sometimes a window.
fn mixed_query(rng: &mut StdRng, u: &Universe) -> DeliveryQuery {
    let mut filter = DeliveryFilter::default();
    match rng.random_range(0..6) {
        0 => filter.statuses = Some(vec![AttemptStatus::Failed]),
        1 => filter.outcomes = Some(vec![ChainOutcome::GaveUp]),
        2 => filter.http_class = Some(if rng.random_bool(0.5) { 5 } else { 4 }),
        3 => filter.subscription_ids = u.subscriptions.choose(rng).map(|s| vec![*s]),
        4 => filter.min_retry_count = Some(rng.random_range(1..4)),
        _ => {}
    }
    if rng.random_bool(0.6) {
        filter.application_ids = u.applications.choose(rng).map(|a| vec![*a]);
    }
    if rng.random_bool(0.5) {
        let (from, until) = window(rng, u);
        filter.created_from = Some(from);
        filter.created_until = Some(until);
    }
    let key = *[
        SortKey::CreatedAt,
        SortKey::CreatedAt,
        SortKey::Latency,
        SortKey::RetryCount,
        SortKey::HttpStatus,
    ]
    .choose(rng)
    .unwrap_or(&SortKey::CreatedAt);
    let direction = if rng.random_bool(0.8) {
        Direction::Desc
    } else {
        Direction::Asc
    };
    DeliveryQuery {
        filter,
        sort: Sort { key, direction },
        limit: Some(100),
        cursor: None,
    }
}
