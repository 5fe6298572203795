//! `ingest`: the cache's bulk write path against the physical limit here — a bare rusqlite
//! prepared-statement loop writing the same rows, with the same indexes, under the same
//! SQLCipher key, in one transaction.

use std::time::Instant;

use console_core::api::RequestAttempt;
use console_core::cache::{AttemptStatus, Cache};
use rusqlite::params;

use crate::emit::{figure, note};
use crate::{fill, sandbox};

/// Runs the benchmark; returns the bare loop's rate (rows/s).
pub async fn run() -> anyhow::Result<f64> {
    let server = sandbox::start(1, 10, 28_000)?;
    let client = fill::client(&server.started)?;
    let application = server
        .started
        .applications
        .first()
        .map(|a| a.id)
        .ok_or_else(|| anyhow::anyhow!("the sandbox has no application"))?;
    let attempts = fill::attempts(&client, application).await?;
    note(&format!("ingest: {} attempts fetched", attempts.len()));

    let dir = tempfile::tempdir()?;
    let mut cache = Cache::open(&dir.path().join("cache.db"), &fill::key())?;
    let organizations = client.organizations().await?;
    let mut setup = cache.ingest()?;
    for organization in &organizations {
        setup.organization(organization)?;
        for app in client.applications(organization.organization_id).await? {
            setup.application(&app)?;
            setup.event_types(
                app.application_id,
                &client.event_types(app.application_id).await?,
            )?;
            for subscription in client.subscriptions(app.application_id).await? {
                setup.subscription(&subscription)?;
            }
        }
    }
    setup.commit()?;

    let clock = Instant::now();
    let mut ingest = cache.ingest()?;
    ingest.attempts(application, &attempts)?;
    ingest.commit()?;
    let cache_rate = attempts.len() as f64 / clock.elapsed().as_secs_f64();

    let indexes = attempt_indexes(&cache)?;
    let bare_rate = bare(&dir.path().join("bare.db"), &attempts, &indexes)?;
    figure("ingest", "rows", attempts.len() as f64, "attempts");
    figure("ingest", "cache_rows_per_s", cache_rate, "rows/s");
    figure("ingest", "bare_sqlite_rows_per_s", bare_rate, "rows/s");
    figure(
        "ingest",
        "ratio_vs_bare_sqlite",
        cache_rate / bare_rate,
        "ratio",
    );
    Ok(bare_rate)
}

/// The `CREATE INDEX` statements of the cache's `attempt` table, as its migrations left them:
/// the bare loop gets exactly the same indexes, whatever the schema version.
fn attempt_indexes(cache: &Cache) -> anyhow::Result<Vec<String>> {
    let reader = cache.reader(&fill::key())?;
    let mut stmt = reader.conn().prepare(
        "SELECT sql FROM sqlite_master
         WHERE type = 'index' AND tbl_name = 'attempt' AND sql IS NOT NULL",
    )?;
    let indexes = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(indexes)
}

/// The same rows into a table shaped like the cache's `attempt` table (same columns, same
/// indexes), with nothing else: no lookups, no chains, no rollup.
fn bare(
    path: &std::path::Path,
    attempts: &[RequestAttempt],
    indexes: &[String],
) -> anyhow::Result<f64> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA cipher_log_level = NONE;",
        "2a".repeat(32)
    ))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 16384;
         CREATE TABLE attempt (
            id INTEGER PRIMARY KEY, uuid BLOB NOT NULL UNIQUE, application_id INTEGER NOT NULL,
            event_id INTEGER NOT NULL, subscription_id INTEGER NOT NULL,
            event_type_id INTEGER NOT NULL, chain_id INTEGER NOT NULL,
            created_at INTEGER NOT NULL, picked_at INTEGER, failed_at INTEGER,
            succeeded_at INTEGER, delay_until INTEGER, status INTEGER NOT NULL,
            status_since INTEGER, status_until INTEGER, status_at INTEGER,
            full_processing_ms INTEGER, retry_count INTEGER NOT NULL, http_status INTEGER,
            response_uuid BLOB, response_cached INTEGER NOT NULL DEFAULT 0, error_kind TEXT,
            response_gone_at INTEGER);",
    )?;
    for index in indexes {
        conn.execute_batch(index)?;
    }
    let micros = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.timestamp_micros());
    let clock = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO attempt (uuid, application_id, event_id, subscription_id, event_type_id,
                chain_id, created_at, picked_at, failed_at, succeeded_at, delay_until, status,
                retry_count, http_status, response_uuid, full_processing_ms, error_kind)
             VALUES (?1, 1, ?2, ?3, 1, ?2, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        // Row ids for subscriptions, as the cache numbers them (a handful, not thousands).
        let mut subscriptions = std::collections::HashMap::new();
        for (i, a) in attempts.iter().enumerate() {
            let next = subscriptions.len() as i64 + 1;
            let subscription = *subscriptions
                .entry(a.subscription.subscription_id)
                .or_insert(next);
            let status = AttemptStatus::from(a.status.type_);
            // The same values the cache stores, so partial and expression indexes do the
            // same work.
            let error_kind = (status == AttemptStatus::Failed).then(|| {
                if a.http_response_status.is_some() {
                    "http"
                } else {
                    "transport"
                }
            });
            insert.execute(params![
                &a.request_attempt_id.as_bytes()[..],
                i as i64 / 7,
                subscription,
                a.created_at.timestamp_micros(),
                micros(a.picked_at),
                micros(a.failed_at),
                micros(a.succeeded_at),
                micros(a.delay_until),
                status.code(),
                a.retry_count,
                a.http_response_status,
                a.response_id.map(|r| r.as_bytes().to_vec()),
                a.status.full_processing_ms,
                error_kind,
            ])?;
        }
    }
    tx.commit()?;
    Ok(attempts.len() as f64 / clock.elapsed().as_secs_f64())
}
