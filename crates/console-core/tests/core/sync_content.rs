//! Content against the sandbox: failing deliveries first, gone items remembered, a delivery
//! opened on demand, and the profile's retention applied after a sync.

use std::net::{Ipv4Addr, SocketAddr};

use crate::api_support::client_with;
use chrono::{DateTime, Duration, TimeZone, Utc};
use console_core::api::{ApiClient, ClientSettings, Pacing};
use console_core::cache::{Cache, CacheKey, MissingList};
use console_core::query::{ContentStatus, delivery_detail};
use console_core::sync::{
    Cancel, ContentError, ContentPolicy, Progress, Stage, SyncError, SyncOptions,
    fetch_delivery_content, sync,
};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};
use uuid::Uuid;

fn history_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .unwrap()
}

/// A still sandbox with dead endpoints (one subscription in four), so it holds deliveries
/// that gave up, deliveries still retrying, and earlier failures of both.
async fn sandbox(history_end: Option<DateTime<Utc>>) -> anyhow::Result<RunningSandbox> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 23,
            applications: 2,
            subscriptions: 4,
            events: 300,
            failure_rate: 0.3,
        },
        rate_limit: false,
        worker_paused: true,
        history_end,
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

fn open(dir: &tempfile::TempDir) -> anyhow::Result<Cache> {
    Ok(Cache::open(
        &dir.path().join("cache.db"),
        &CacheKey::from_bytes([5u8; 32]),
    )?)
}

fn count(cache: &Cache, sql: &str) -> anyhow::Result<i64> {
    Ok(cache.conn().query_row(sql, [], |r| r.get(0))?)
}

fn options(content: ContentPolicy) -> SyncOptions {
    SyncOptions {
        content,
        ..SyncOptions::default()
    }
}

/// Failing deliveries (retrying or gave up) whose payload or latest failed response is still
/// missing, computed independently of the cache's own lists.
const FAILING_INCOMPLETE: &str = "SELECT count(*) FROM chain c WHERE c.outcome IN (1, 3) AND (
    EXISTS (SELECT 1 FROM event e WHERE e.id = c.event_id AND e.payload_cached = 0)
    OR EXISTS (SELECT 1 FROM attempt a WHERE a.id = (
            SELECT b.id FROM attempt b WHERE b.chain_id = c.id AND b.status = 4
            ORDER BY b.created_at DESC, b.retry_count DESC, b.id DESC LIMIT 1)
        AND a.response_uuid IS NOT NULL AND a.response_cached = 0))";

const FAILED_WITHOUT_RESPONSE: &str = "SELECT count(*) FROM attempt
    WHERE status = 4 AND response_uuid IS NOT NULL AND response_cached = 0";

#[tokio::test(flavor = "multi_thread")]
async fn failing_deliveries_get_their_latest_failure_first_then_earlier_ones() -> anyhow::Result<()>
{
    let sandbox = sandbox(Some(history_end())).await?;
    let client = client(&sandbox)?;
    let dir = tempfile::tempdir()?;
    let mut cache = open(&dir)?;
    sync(
        &client,
        &mut cache,
        &options(ContentPolicy::None),
        &Cancel::new(),
        &mut |_| {},
    )
    .await?;
    let retrying = count(&cache, "SELECT count(*) FROM chain WHERE outcome = 1")?;
    let gave_up = count(&cache, "SELECT count(*) FROM chain WHERE outcome = 3")?;
    let failing_incomplete = count(&cache, FAILING_INCOMPLETE)?;
    assert!(
        retrying > 0 && gave_up > 0 && failing_incomplete > 0,
        "the scenario has deliveries retrying ({retrying}) and given up ({gave_up})"
    );

    // The list is newest first, one item per failing delivery, each its latest failure.
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = cache.failing_deliveries_without_response(after, 7)?;
        let Some(last) = page.last() else { break };
        after = Some(last.response.position);
        listed.extend(page);
    }
    let expected = cache.count_missing(MissingList::FailingResponses)?;
    assert_eq!(
        listed.len() as u64,
        expected,
        "paging returns the whole list"
    );
    let mut previous: Option<DateTime<Utc>> = None;
    let mut deliveries = std::collections::HashSet::new();
    for item in &listed {
        let detail = delivery_detail(cache.conn(), item.response.attempt_id)?.unwrap();
        let latest_failure = detail
            .chain
            .iter()
            .filter(|row| row.status == console_core::cache::AttemptStatus::Failed)
            .max_by_key(|row| (row.created_at, row.retry_count))
            .map(|row| row.attempt_id);
        assert_eq!(
            latest_failure,
            Some(item.response.attempt_id),
            "each item is its delivery's latest failed attempt"
        );
        assert!(
            deliveries.insert((detail.attempt.event_id, detail.attempt.subscription_id)),
            "one item per delivery"
        );
        assert!(
            previous.is_none_or(|p| p >= detail.attempt.created_at),
            "newest first"
        );
        previous = Some(detail.attempt.created_at);
    }

    // Stop the sync as soon as the second content stage starts: the first one has then
    // completed every failing delivery, and only then do earlier failures get their turn.
    let cancel = Cancel::new();
    let flag = cancel.clone();
    let mut reports: Vec<Progress> = Vec::new();
    let mut sink = |p: &Progress| {
        if p.stage == Stage::EarlierFailures {
            flag.cancel();
        }
        reports.push(p.clone());
    };
    let outcome = sync(
        &client,
        &mut cache,
        &options(ContentPolicy::Failures),
        &cancel,
        &mut sink,
    )
    .await;
    assert!(matches!(outcome, Err(SyncError::Cancelled)), "{outcome:?}");
    assert_eq!(
        count(&cache, FAILING_INCOMPLETE)?,
        0,
        "every failing delivery has its payload and its latest failure's response"
    );
    assert!(
        count(&cache, FAILED_WITHOUT_RESPONSE)? > 0,
        "earlier failures wait for the next stage"
    );
    let failing: Vec<&Progress> = reports
        .iter()
        .filter(|p| p.stage == Stage::FailingDeliveries)
        .collect();
    let (first, last) = (failing[0], failing[failing.len() - 1]);
    assert_eq!(first.done, 0, "the stage announces itself with its total");
    assert!(first.total.is_some_and(|t| t > 0));
    assert_eq!(last.total, first.total, "the total holds through the stage");
    assert_eq!(
        Some(last.done),
        last.total,
        "the stage ends at its total: {last:?}"
    );
    let earlier = reports.last().unwrap();
    assert_eq!(earlier.stage, Stage::EarlierFailures);
    assert_eq!(
        earlier.total,
        Some(
            count(&cache, FAILED_WITHOUT_RESPONSE)? as u64
                + count(
                    &cache,
                    "SELECT count(*) FROM event WHERE has_failure = 1 AND payload_cached = 0"
                )? as u64
        ),
        "the next stage counts exactly what is left"
    );

    let mut stages = Vec::new();
    let report = sync(
        &client,
        &mut cache,
        &options(ContentPolicy::Failures),
        &Cancel::new(),
        &mut |p: &Progress| {
            if p.stage == Stage::EarlierFailures {
                stages.push((p.done, p.total));
            }
        },
    )
    .await?;
    assert_eq!(count(&cache, FAILED_WITHOUT_RESPONSE)?, 0, "{report:?}");
    let (done, total) = stages.last().copied().unwrap();
    assert_eq!(
        Some(done),
        total,
        "the resumed stage also ends at its total"
    );
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn content_gone_upstream_is_remembered_and_never_asked_again() -> anyhow::Result<()> {
    let sandbox = sandbox(Some(history_end())).await?;
    let client = client(&sandbox)?;
    let dir = tempfile::tempdir()?;
    let mut cache = open(&dir)?;
    sync(
        &client,
        &mut cache,
        &options(ContentPolicy::None),
        &Cancel::new(),
        &mut |_| {},
    )
    .await?;
    // One failing delivery loses its payload; another failed attempt loses its response.
    let failing = cache.failing_deliveries_without_response(None, 10)?;
    let payload_lost = failing[0].event_id;
    let (response_lost, attempt) = failing
        .iter()
        .find(|f| f.event_id != payload_lost)
        .map(|f| (f.response.response_id, f.response.attempt_id))
        .unwrap();
    let control = sandbox.control();
    control.expire_content(payload_lost);
    control.expire_content(response_lost);

    let first = sync(
        &client,
        &mut cache,
        &options(ContentPolicy::Failures),
        &Cancel::new(),
        &mut |_| {},
    )
    .await?;
    assert_eq!(first.missing, 2, "both 404s are counted: {first:?}");
    assert_eq!(control.content_requests(payload_lost), 1);
    assert_eq!(control.content_requests(response_lost), 1);
    assert_eq!(
        count(
            &cache,
            "SELECT count(*) FROM event WHERE payload_gone_at IS NOT NULL"
        )?,
        1
    );
    assert_eq!(
        count(
            &cache,
            "SELECT count(*) FROM attempt WHERE response_gone_at IS NOT NULL"
        )?,
        1
    );

    let second = sync(
        &client,
        &mut cache,
        &options(ContentPolicy::Everything),
        &Cancel::new(),
        &mut |_| {},
    )
    .await?;
    assert_eq!(second.missing, 0, "nothing is asked again: {second:?}");
    assert_eq!(
        control.content_requests(payload_lost),
        1,
        "the gone payload is not requested by a later sync"
    );
    assert_eq!(
        control.content_requests(response_lost),
        1,
        "the gone response is not requested by a later sync"
    );

    // Opening the delivery says so, without a request either.
    let sent = client.stats().sent;
    let detail = fetch_delivery_content(&client, &mut cache, attempt).await?;
    assert_eq!(detail.response_status, ContentStatus::ExpiredUpstream);
    assert!(detail.response.is_none());
    assert_eq!(client.stats().sent, sent, "nothing left to ask the API");
    let lost_event_attempt = failing
        .iter()
        .find(|f| f.event_id == payload_lost)
        .map(|f| f.response.attempt_id)
        .unwrap();
    let detail = delivery_detail(cache.conn(), lost_event_attempt)?.unwrap();
    assert_eq!(detail.payload_status, ContentStatus::ExpiredUpstream);
    assert_eq!(detail.response_status, ContentStatus::Cached);

    // Erasing the event takes its markers with it.
    let response_lost_event = detail_event(&cache, attempt)?;
    let mut ingest = cache.ingest()?;
    ingest.erase_events(&[payload_lost, response_lost_event])?;
    ingest.commit()?;
    assert_eq!(
        count(
            &cache,
            "SELECT count(*) FROM event WHERE payload_gone_at IS NOT NULL"
        )? + count(
            &cache,
            "SELECT count(*) FROM attempt WHERE response_gone_at IS NOT NULL"
        )?,
        0,
        "no marker outlives the rows it described"
    );
    sandbox.shutdown().await;
    Ok(())
}

fn detail_event(cache: &Cache, attempt: Uuid) -> anyhow::Result<Uuid> {
    Ok(delivery_detail(cache.conn(), attempt)?
        .unwrap()
        .attempt
        .event_id)
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_a_delivery_fetches_its_missing_content_at_once() -> anyhow::Result<()> {
    let sandbox = sandbox(Some(history_end())).await?;
    let client = client(&sandbox)?;
    let dir = tempfile::tempdir()?;
    let mut cache = open(&dir)?;
    sync(
        &client,
        &mut cache,
        &options(ContentPolicy::None),
        &Cancel::new(),
        &mut |_| {},
    )
    .await?;
    // A successful attempt: the sync's default policy would never fetch its content.
    let attempt: Vec<u8> = cache.conn().query_row(
        "SELECT uuid FROM attempt WHERE status = 3 AND response_uuid IS NOT NULL LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    let attempt = Uuid::from_slice(&attempt)?;
    let before = delivery_detail(cache.conn(), attempt)?.unwrap();
    assert_eq!(before.payload_status, ContentStatus::NotCached);
    assert_eq!(before.response_status, ContentStatus::NotCached);

    let sent = client.stats().sent;
    let detail = fetch_delivery_content(&client, &mut cache, attempt).await?;
    assert_eq!(client.stats().sent - sent, 2, "one request each");
    assert_eq!(detail.payload_status, ContentStatus::Cached);
    assert_eq!(detail.response_status, ContentStatus::Cached);
    assert!(detail.event.and_then(|e| e.payload).is_some());
    assert_eq!(
        detail.response.and_then(|r| r.http_code),
        before.attempt.http_status
    );
    assert!(!detail.chain.is_empty());

    let again = fetch_delivery_content(&client, &mut cache, attempt).await?;
    assert_eq!(again.payload_status, ContentStatus::Cached);
    assert_eq!(
        client.stats().sent - sent,
        2,
        "cached content is not asked again"
    );

    let unknown = fetch_delivery_content(&client, &mut cache, Uuid::new_v4()).await;
    assert!(matches!(unknown, Err(ContentError::NotCached(_))));
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finished_sync_applies_the_retention_it_is_given() -> anyhow::Result<()> {
    // History over the last ten days, up to now.
    let sandbox = sandbox(None).await?;
    let client = client(&sandbox)?;
    let dir = tempfile::tempdir()?;
    let mut cache = open(&dir)?;
    let mut stages = Vec::new();
    sync(
        &client,
        &mut cache,
        &SyncOptions {
            content: ContentPolicy::Everything,
            retention_days: Some(4),
            ..SyncOptions::default()
        },
        &Cancel::new(),
        &mut |p: &Progress| stages.push(p.stage),
    )
    .await?;
    assert!(stages.contains(&Stage::Retention));
    assert_eq!(stages.last(), Some(&Stage::Done));

    let cutoff = (Utc::now() - Duration::days(4))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_micros();
    let old = format!(
        "SELECT count(*) FROM event WHERE coalesce(received_at, first_attempt_at) < {cutoff}"
    );
    assert_eq!(count(&cache, &old)?, 0, "nothing older than the retention");
    let kept = count(&cache, "SELECT count(*) FROM event")?;
    assert!(
        kept > 0 && (kept as usize) < sandbox.control().event_count(),
        "recent events stay ({kept} of {})",
        sandbox.control().event_count()
    );
    for (what, sql) in [
        (
            "attempts",
            "SELECT count(*) FROM attempt WHERE event_id NOT IN (SELECT id FROM event)",
        ),
        (
            "chains",
            "SELECT count(*) FROM chain WHERE event_id NOT IN (SELECT id FROM event)",
        ),
        (
            "labels",
            "SELECT count(*) FROM event_label WHERE event_id NOT IN (SELECT id FROM event)",
        ),
        (
            "payload index rows",
            "SELECT count(*) FROM event_fts WHERE rowid NOT IN (SELECT id FROM event)",
        ),
        (
            "responses",
            "SELECT count(*) FROM response WHERE uuid NOT IN
                 (SELECT response_uuid FROM attempt WHERE response_uuid IS NOT NULL)",
        ),
        (
            "response index rows",
            "SELECT count(*) FROM response_fts WHERE rowid NOT IN (SELECT id FROM response)",
        ),
    ] {
        assert_eq!(count(&cache, sql)?, 0, "no {what} of purged events remain");
    }
    let oldest_day = count(&cache, "SELECT coalesce(min(day), 0) FROM failure_rollup")?;
    assert!(
        oldest_day * 86_400_000_000 >= cutoff,
        "the failure rollup is trimmed to whole days within the retention"
    );
    sandbox.shutdown().await;
    Ok(())
}
