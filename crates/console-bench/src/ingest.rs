//! `ingest`: the cache's bulk write path against the physical limit here — a bare rusqlite
//! prepared-statement loop writing the same rows, with the same indexes, under the same
//! SQLCipher key, in one transaction.
//!
//! Both are also measured with the attempt indexes built after the rows instead of kept up
//! to date: the way around index maintenance, and so the bound of any sync that defers its
//! indexing.

use std::time::Instant;

use console_core::api::{
    ApiClient, Application, EventType, Organization, RequestAttempt, Subscription,
};
use console_core::cache::{AttemptStatus, Cache};
use rusqlite::params;

use crate::emit::{figure, note};
use crate::{fill, sandbox};

/// Runs the benchmark; returns the bare loops' rates.
pub async fn run() -> anyhow::Result<Ceilings> {
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

    let metadata = Metadata::fetch(&client).await?;
    let dir = tempfile::tempdir()?;
    let (cache_rate, indexes) = cache_path(
        &dir.path().join("cache.db"),
        &metadata,
        application,
        &attempts,
        Indexes::Maintained,
    )?;
    // The cache's own path with the attempt indexes dropped first and built after the
    // rows: what a sync deferring its indexing could reach at best, with no HTTP at all.
    let (cache_deferred, _) = cache_path(
        &dir.path().join("cache-deferred.db"),
        &metadata,
        application,
        &attempts,
        Indexes::BuiltAfter,
    )?;
    let bare_rate = bare(
        &dir.path().join("bare.db"),
        &attempts,
        &indexes,
        Indexes::Maintained,
    )?;
    // The same for the bare loop: load the table bare, then build every index in one sorted
    // pass each.
    let deferred = bare(
        &dir.path().join("deferred.db"),
        &attempts,
        &indexes,
        Indexes::BuiltAfter,
    )?;
    figure("ingest", "rows", attempts.len() as f64, "attempts");
    figure("ingest", "cache_rows_per_s", cache_rate, "rows/s");
    figure("ingest", "bare_sqlite_rows_per_s", bare_rate, "rows/s");
    figure(
        "ingest",
        "ratio_vs_bare_sqlite",
        cache_rate / bare_rate,
        "ratio",
    );
    figure(
        "ingest",
        "cache_deferred_index_rows_per_s",
        cache_deferred,
        "rows/s",
    );
    figure(
        "ingest",
        "bare_sqlite_deferred_index_rows_per_s",
        deferred,
        "rows/s",
    );
    Ok(Ceilings {
        bare_rate,
        deferred_rate: deferred,
        cache_deferred_rate: cache_deferred,
    })
}

/// One application with its event types and subscriptions.
type ApplicationMetadata = (Application, Vec<EventType>, Vec<Subscription>);

/// The organizations, applications, event types and subscriptions the attempts refer to.
struct Metadata {
    organizations: Vec<(Organization, Vec<ApplicationMetadata>)>,
}

impl Metadata {
    async fn fetch(client: &ApiClient) -> anyhow::Result<Self> {
        let mut organizations = Vec::new();
        for organization in client.organizations().await? {
            let mut applications = Vec::new();
            for app in client.applications(organization.organization_id).await? {
                let types = client.event_types(app.application_id).await?;
                let subscriptions = client.subscriptions(app.application_id).await?;
                applications.push((app, types, subscriptions));
            }
            organizations.push((organization, applications));
        }
        Ok(Self { organizations })
    }
}

/// Fills a new cache at `path` with the metadata, then times the attempts' ingest in one
/// transaction; returns the rate and the attempt table's index definitions.
fn cache_path(
    path: &std::path::Path,
    metadata: &Metadata,
    application: uuid::Uuid,
    attempts: &[RequestAttempt],
    when: Indexes,
) -> anyhow::Result<(f64, Vec<String>)> {
    let mut cache = Cache::open(path, &fill::key())?;
    let mut setup = cache.ingest()?;
    for (organization, applications) in &metadata.organizations {
        setup.organization(organization)?;
        for (app, types, subscriptions) in applications {
            setup.application(app)?;
            setup.event_types(app.application_id, types)?;
            for subscription in subscriptions {
                setup.subscription(subscription)?;
            }
        }
    }
    setup.commit()?;
    let indexes = attempt_indexes(&cache)?;
    if when == Indexes::BuiltAfter {
        for name in attempt_index_names(&cache)? {
            cache.conn().execute_batch(&format!("DROP INDEX {name}"))?;
        }
    }
    let clock = Instant::now();
    let mut ingest = cache.ingest()?;
    ingest.attempts(application, attempts)?;
    ingest.commit()?;
    if when == Indexes::BuiltAfter {
        let conn = cache.conn();
        conn.execute_batch("BEGIN IMMEDIATE")?;
        for index in &indexes {
            conn.execute_batch(index)?;
        }
        conn.execute_batch("COMMIT")?;
    }
    Ok((
        attempts.len() as f64 / clock.elapsed().as_secs_f64(),
        indexes,
    ))
}

/// The `CREATE INDEX` statements of the cache's `attempt` table, as its migrations left them:
/// the bare loop gets exactly the same indexes, whatever the schema version.
fn attempt_index_names(cache: &Cache) -> anyhow::Result<Vec<String>> {
    let mut stmt = cache.conn().prepare(
        "SELECT name FROM sqlite_master
         WHERE type = 'index' AND tbl_name = 'attempt' AND sql IS NOT NULL",
    )?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(names)
}

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

/// When the bare loop's table gets its indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Indexes {
    /// Created first, so every insert updates them (as the cache does).
    Maintained,
    /// Created after the last insert, in the same transaction.
    BuiltAfter,
}

/// The physical limits measured here, in rows/s, for the sync benchmark's ceilings.
#[derive(Debug, Clone, Copy)]
pub struct Ceilings {
    /// Rows into the indexed table.
    pub bare_rate: f64,
    /// Rows into the bare table, then every index built (timed to the end of the build).
    pub deferred_rate: f64,
    /// The cache's write path, attempt indexes built after the rows.
    pub cache_deferred_rate: f64,
}

/// The same rows into a table shaped like the cache's `attempt` table (same columns, same
/// indexes), with nothing else: no lookups, no chains, no rollup.
fn bare(
    path: &std::path::Path,
    attempts: &[RequestAttempt],
    indexes: &[String],
    when: Indexes,
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
    if when == Indexes::Maintained {
        for index in indexes {
            conn.execute_batch(index)?;
        }
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
    if when == Indexes::BuiltAfter {
        for index in indexes {
            tx.execute_batch(index)?;
        }
    }
    tx.commit()?;
    Ok(attempts.len() as f64 / clock.elapsed().as_secs_f64())
}
