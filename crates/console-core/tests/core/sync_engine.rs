//! The sync engine against the sandbox: complete, incremental, resumable, honest progress.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use crate::api_support::client_with;
use chrono::{DateTime, TimeZone, Utc};
use console_core::api::{ApiClient, ClientSettings, Pacing};
use console_core::cache::{Cache, CacheKey};
use console_core::sync::{Cancel, ContentPolicy, Progress, Stage, SyncError, SyncOptions, sync};
use hook0_sandbox::{Faults, RunningSandbox, SandboxOptions, ScenarioConfig};

fn history_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .unwrap()
}

async fn sandbox(events: u32) -> anyhow::Result<RunningSandbox> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 7,
            applications: 2,
            subscriptions: 4,
            events,
            failure_rate: 0.2,
        },
        rate_limit: false,
        worker_paused: true,
        history_end: Some(history_end()),
        ..SandboxOptions::default()
    };
    Ok(hook0_sandbox::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options).await?)
}

fn client(sandbox: &RunningSandbox) -> anyhow::Result<ApiClient> {
    client_with(
        sandbox,
        ClientSettings {
            pacing: Pacing::unlimited(4),
            ..ClientSettings::default()
        },
    )
}

/// One uninterrupted sync into the cache at `path`.
async fn sync_to_end(client: &ApiClient, path: &Path, options: &SyncOptions) -> anyhow::Result<()> {
    let mut cache = Cache::open(path, &key())?;
    sync(client, &mut cache, options, &Cancel::new(), &mut |_| {}).await?;
    Ok(())
}

fn key() -> CacheKey {
    CacheKey::from_bytes([7u8; 32])
}

/// Every stored fact that a sync decides, in a stable order (sync bookkeeping excluded).
fn fingerprint(path: &Path) -> anyhow::Result<Vec<String>> {
    let cache = Cache::open(path, &key())?;
    let mut rows = Vec::new();
    for sql in [
        "SELECT hex(uuid) || ':' || status || ':' || retry_count || ':' || ifnull(http_status, '')
             || ':' || ifnull(hex(response_uuid), '') FROM attempt ORDER BY uuid",
        "SELECT hex(e.uuid) || ':' || payload_cached || ':' || ifnull(length(payload), '')
             FROM event e ORDER BY uuid",
        "SELECT hex(uuid) || ':' || ifnull(http_code, '') || ':' || ifnull(length(body), '')
             FROM response ORDER BY uuid",
        "SELECT outcome || ':' || attempts || ':' || runs FROM chain ORDER BY event_id, subscription_id",
    ] {
        let mut stmt = cache.conn().prepare(sql)?;
        let mapped = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for row in mapped {
            rows.push(row?);
        }
    }
    Ok(rows)
}

fn count(path: &Path, sql: &str) -> anyhow::Result<i64> {
    let cache = Cache::open(path, &key())?;
    Ok(cache.conn().query_row(sql, [], |r| r.get(0))?)
}

fn sandbox_attempts(sandbox: &RunningSandbox) -> usize {
    let control = sandbox.control();
    sandbox
        .applications()
        .iter()
        .map(|(id, _)| control.attempt_keys(*id).len())
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_sync_stores_every_attempt_and_the_failures_content() -> anyhow::Result<()> {
    let sandbox = sandbox(400).await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("cache.db");
    let mut cache = Cache::open(&path, &key())?;
    let mut stages = Vec::new();
    let mut sink = |p: &Progress| {
        if stages.last() != Some(&p.stage) {
            stages.push(p.stage);
        }
    };
    let report = sync(
        &client(&sandbox)?,
        &mut cache,
        &SyncOptions::default(),
        &Cancel::new(),
        &mut sink,
    )
    .await?;
    drop(cache);

    let expected = sandbox_attempts(&sandbox);
    assert_eq!(
        report.attempts_inserted as usize, expected,
        "every attempt, none skipped: {report:?}"
    );
    assert_eq!(
        count(&path, "SELECT count(*) FROM attempt")? as usize,
        expected
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM event WHERE has_failure = 1 AND payload_cached = 0"
        )?,
        0,
        "every failed delivery's payload is cached"
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM attempt WHERE status = 4 AND response_uuid IS NOT NULL AND response_cached = 0"
        )?,
        0,
        "every failed attempt's response is cached"
    );
    assert_eq!(stages.first(), Some(&Stage::Metadata));
    assert_eq!(stages.last(), Some(&Stage::Done));
    assert!(stages.contains(&Stage::Attempts) && stages.contains(&Stage::FailingDeliveries));
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_sync_only_walks_what_is_new() -> anyhow::Result<()> {
    let sandbox = sandbox(300).await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("cache.db");
    let options = SyncOptions {
        content: ContentPolicy::None,
        ..SyncOptions::default()
    };
    let mut cache = Cache::open(&path, &key())?;
    let client = client(&sandbox)?;
    let first = sync(&client, &mut cache, &options, &Cancel::new(), &mut |_| {}).await?;
    let unfinished: i64 =
        cache
            .conn()
            .query_row("SELECT count(*) FROM attempt WHERE status < 3", [], |r| {
                r.get(0)
            })?;
    let unfinished = unfinished as u64;
    let second = sync(&client, &mut cache, &options, &Cancel::new(), &mut |_| {}).await?;
    assert_eq!(second.attempts_inserted, 0, "nothing new: {second:?}");
    // Metadata (organizations, organization info, applications, and per application its
    // event types and subscriptions), one refresh per unfinished attempt, and per
    // application a short walk over the overlap window: nothing proportional to history.
    let applications = 2;
    let budget = 3 + 2 * applications + unfinished + 2 * applications;
    assert!(
        second.requests <= budget,
        "an incremental sync costs {} requests, more than {budget} ({unfinished} unfinished); \
         the first cost {}",
        second.requests,
        first.requests
    );

    // A replay creates new attempts (created now, after the watermark): the next sync
    // finds exactly them.
    let (application, _) = sandbox.applications()[0].clone();
    let event = sandbox.control().event_ids(application)[0];
    client.replay(application, event).await?;
    let third = sync(&client, &mut cache, &options, &Cancel::new(), &mut |_| {}).await?;
    let cached: i64 = cache
        .conn()
        .query_row("SELECT count(*) FROM attempt", [], |r| r.get(0))?;
    assert!(
        third.attempts_inserted >= 1,
        "the replayed attempts arrive: {third:?}"
    );
    assert_eq!(
        cached as usize,
        sandbox_attempts(&sandbox),
        "cache and API agree again"
    );
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_sync_resumes_to_the_same_cache_as_an_uninterrupted_one() -> anyhow::Result<()>
{
    let sandbox = sandbox(600).await?;
    let dir = tempfile::tempdir()?;
    let straight = dir.path().join("straight.db");
    let resumed = dir.path().join("resumed.db");
    let options = SyncOptions {
        pages_per_commit: 2,
        ..SyncOptions::default()
    };
    let client = client(&sandbox)?;
    sync_to_end(&client, &straight, &options).await?;
    let mut cancelled = 0;
    for stop_after in [1u32, 3, 7] {
        let cancel = Cancel::new();
        let mut reports = 0u32;
        let flag = cancel.clone();
        let mut sink = move |p: &Progress| {
            if p.stage == Stage::Attempts {
                reports += 1;
                if reports >= stop_after {
                    flag.cancel();
                }
            }
        };
        let mut cache = Cache::open(&resumed, &key())?;
        match sync(&client, &mut cache, &options, &cancel, &mut sink).await {
            Err(SyncError::Cancelled) => cancelled += 1,
            Ok(_) => {}
            Err(other) => return Err(other.into()),
        }
    }
    assert!(
        cancelled >= 2,
        "the runs were really interrupted midway ({cancelled})"
    );
    sync_to_end(&client, &resumed, &options).await?;
    assert_eq!(
        fingerprint(&resumed)?,
        fingerprint(&straight)?,
        "interrupted three times and resumed, the cache equals an uninterrupted sync"
    );
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_rejected_midway_leave_a_cache_that_resumes_to_the_same_end() -> anyhow::Result<()> {
    let sandbox = sandbox(600).await?;
    let dir = tempfile::tempdir()?;
    let straight = dir.path().join("straight.db");
    let faulty = dir.path().join("faulty.db");
    let options = SyncOptions {
        pages_per_commit: 2,
        ..SyncOptions::default()
    };
    let client = client(&sandbox)?;
    sync_to_end(&client, &straight, &options).await?;
    // Some answers are broken JSON: the page fetched ahead fails while earlier pages are
    // being stored; the sync must stop with a typed error and keep what it committed.
    sandbox.control().set_faults(Faults {
        malformed_json_rate: 0.2,
        ..Faults::default()
    });
    let mut rejected = 0;
    for _ in 0..6 {
        let mut cache = Cache::open(&faulty, &key())?;
        match sync(&client, &mut cache, &options, &Cancel::new(), &mut |_| {}).await {
            Err(SyncError::Api(_)) => rejected += 1,
            Ok(_) => {}
            Err(other) => return Err(other.into()),
        }
    }
    assert!(rejected >= 1, "broken answers were met and reported");
    sandbox.control().set_faults(Faults::default());
    sync_to_end(&client, &faulty, &options).await?;
    assert_eq!(
        fingerprint(&faulty)?,
        fingerprint(&straight)?,
        "after rejected pages and a clean run, the cache equals an uninterrupted sync"
    );
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_retention_bounds_the_first_walk_and_keeps_the_same_history() -> anyhow::Result<()>
{
    // Ten days of history up to now; the profile keeps four.
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 9,
            applications: 2,
            subscriptions: 3,
            events: 400,
            failure_rate: 0.2,
        },
        rate_limit: false,
        worker_paused: true,
        ..SandboxOptions::default()
    };
    let sandbox = hook0_sandbox::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options).await?;
    let client = client(&sandbox)?;
    let dir = tempfile::tempdir()?;

    let bounded = dir.path().join("bounded.db");
    let mut cache = Cache::open(&bounded, &key())?;
    let kept = SyncOptions {
        retention_days: Some(4),
        ..SyncOptions::default()
    };
    let short = sync(&client, &mut cache, &kept, &Cancel::new(), &mut |_| {}).await?;
    drop(cache);

    let whole = dir.path().join("whole.db");
    let mut cache = Cache::open(&whole, &key())?;
    let long = sync(
        &client,
        &mut cache,
        &SyncOptions::default(),
        &Cancel::new(),
        &mut |_| {},
    )
    .await?;
    let mut ingest = cache.ingest()?;
    ingest.purge_older_than(Utc::now(), 4)?;
    ingest.commit()?;
    drop(cache);

    assert!(
        short.requests < long.requests,
        "the walk stops near the retention: {} requests against {}",
        short.requests,
        long.requests
    );
    assert_eq!(
        fingerprint(&bounded)?,
        fingerprint(&whole)?,
        "the same history is kept either way"
    );
    sandbox.shutdown().await;
    Ok(())
}
