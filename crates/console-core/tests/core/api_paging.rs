//! Request-attempt paging against the sandbox, whose paging reproduces Hook0's cursor-tie bug.

use std::collections::{BTreeSet, HashSet};
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use chrono::{DateTime, Utc};
use console_core::api::{ApiClient, AttemptFilter, PAGE_SIZE, RequestAttempt, WalkPosition};
use futures_util::StreamExt;
use hook0_sandbox::{SandboxOptions, ScenarioConfig};
use uuid::Uuid;

use crate::api_support::{fast_client, fast_settings, quiet_sandbox, start};

fn tied_history() -> ScenarioConfig {
    ScenarioConfig {
        seed: 7,
        applications: 1,
        subscriptions: 6,
        events: 500,
        failure_rate: 0.15,
    }
}

async fn cursor_walk(client: &ApiClient, filter: AttemptFilter) -> Result<(Vec<Uuid>, usize)> {
    let mut pager = client.request_attempts(filter);
    let mut ids = Vec::new();
    let mut pages = 0;
    while let Some(page) = pager.next_page().await {
        let page = page?;
        ensure!(page.attempts.len() <= PAGE_SIZE, "pages of at most 50");
        ids.extend(page.attempts.iter().map(|a| a.request_attempt_id));
        pages += 1;
    }
    Ok((ids, pages))
}

async fn complete_walk(client: &ApiClient, filter: AttemptFilter) -> Result<Vec<RequestAttempt>> {
    let mut walk = client.complete_request_attempts(filter);
    let mut rows = Vec::new();
    while let Some(page) = walk.next_page().await {
        rows.extend(page?.attempts);
    }
    Ok(rows)
}

fn unique(ids: &[Uuid]) -> Result<HashSet<Uuid>> {
    let set: HashSet<Uuid> = ids.iter().copied().collect();
    ensure!(
        set.len() == ids.len(),
        "{} repeated ids",
        ids.len() - set.len()
    );
    Ok(set)
}

#[tokio::test]
async fn the_complete_walk_returns_every_attempt_once_where_the_cursor_walk_loses_tied_rows()
-> Result<()> {
    let sandbox = quiet_sandbox(tied_history()).await?;
    let (app, _) = sandbox.applications()[0].clone();
    let truth: HashSet<Uuid> = sandbox
        .control()
        .attempt_keys(app)
        .into_iter()
        .map(|k| k.1)
        .collect();
    let client = fast_client(&sandbox)?;

    let started = Instant::now();
    let (walked, pages) = cursor_walk(&client, AttemptFilter::application(app)).await?;
    let cursor_secs = started.elapsed().as_secs_f64();
    let seen: HashSet<Uuid> = walked.iter().copied().collect();
    let duplicates = walked.len() - seen.len();
    let skipped = truth.difference(&seen).count();
    ensure!(
        duplicates > 0 && skipped > 0,
        "the sandbox reproduces the bug: {duplicates} duplicates, {skipped} skipped"
    );

    let sent_before = client.stats().sent;
    let started = Instant::now();
    let rows = complete_walk(&client, AttemptFilter::application(app)).await?;
    let complete_secs = started.elapsed().as_secs_f64();
    let requests = client.stats().sent - sent_before;
    let ids: Vec<Uuid> = rows.iter().map(|a| a.request_attempt_id).collect();
    let got = unique(&ids)?;
    ensure!(
        got == truth,
        "complete: {} of {} attempts, {} unknown",
        got.intersection(&truth).count(),
        truth.len(),
        got.difference(&truth).count()
    );
    ensure!(
        rows.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    println!(
        "{} attempts; cursor walk: {pages} pages in {cursor_secs:.2} s ({:.0} pages/s), \
         {duplicates} duplicates, {skipped} skipped; complete walk: {requests} requests in \
         {complete_secs:.2} s ({:.0} requests/s), none lost",
        truth.len(),
        pages as f64 / cursor_secs,
        requests as f64 / complete_secs,
    );
    ensure!(
        requests as usize <= pages + pages / 5 + 2,
        "the complete walk costs about one request per page: {requests} vs {pages}"
    );
    Ok(())
}

#[tokio::test]
async fn a_cursor_walk_resumes_from_a_stored_cursor_exactly_where_it_stopped() -> Result<()> {
    let sandbox = quiet_sandbox(tied_history()).await?;
    let (app, _) = sandbox.applications()[0].clone();
    let client = fast_client(&sandbox)?;
    let (uninterrupted, _) = cursor_walk(&client, AttemptFilter::application(app)).await?;

    let mut pager = client.request_attempts(AttemptFilter::application(app));
    let mut ids = Vec::new();
    for _ in 0..3 {
        let page = pager.next_page().await.context("a page")??;
        ids.extend(page.attempts.iter().map(|a| a.request_attempt_id));
    }
    let stored = pager
        .cursor()
        .context("a cursor after three pages")?
        .to_owned();
    drop(pager);
    let resumed = client.request_attempts_from(AttemptFilter::application(app), stored);
    let mut stream = Box::pin(resumed.into_stream());
    while let Some(page) = stream.next().await {
        ids.extend(page?.attempts.iter().map(|a| a.request_attempt_id));
    }
    ensure!(
        ids == uninterrupted,
        "stop + resume = one uninterrupted walk"
    );
    Ok(())
}

#[tokio::test]
async fn a_complete_walk_resumes_from_a_stored_position() -> Result<()> {
    let sandbox = quiet_sandbox(tied_history()).await?;
    let (app, _) = sandbox.applications()[0].clone();
    let truth: HashSet<Uuid> = sandbox
        .control()
        .attempt_keys(app)
        .into_iter()
        .map(|k| k.1)
        .collect();
    let client = fast_client(&sandbox)?;
    let mut walk = client.complete_request_attempts(AttemptFilter::application(app));
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.extend(
            walk.next_page()
                .await
                .context("a page")??
                .attempts
                .iter()
                .map(|a| a.request_attempt_id),
        );
    }
    let stored = serde_json::to_string(walk.position())?;
    drop(walk);
    let position: WalkPosition = serde_json::from_str(&stored)?;
    let walk = client.complete_request_attempts_from(AttemptFilter::application(app), position);
    let mut pages = Box::pin(walk.into_stream());
    while let Some(page) = pages.next().await {
        ids.extend(page?.attempts.iter().map(|a| a.request_attempt_id));
    }
    ensure!(
        unique(&ids)? == truth,
        "resumed walk is complete without repeats"
    );
    Ok(())
}

#[tokio::test]
async fn the_link_host_is_never_followed() -> Result<()> {
    let mut options = SandboxOptions {
        scenario: ScenarioConfig::default(),
        rate_limit: false,
        worker_paused: true,
        ..SandboxOptions::default()
    };
    // Nothing listens there: following the Link would fail.
    options.public_url = Some("http://hook0-public.invalid:9/".parse()?);
    let sandbox = start(options).await?;
    let (app, _) = sandbox.applications()[0].clone();
    let client = fast_client(&sandbox)?;
    let (ids, pages) = cursor_walk(&client, AttemptFilter::application(app)).await?;
    ensure!(pages >= 3, "several pages walked: {pages}");
    ensure!(
        ids.len() > 2 * PAGE_SIZE,
        "rows beyond the first pages: {}",
        ids.len()
    );
    let rows = complete_walk(&client, AttemptFilter::application(app)).await?;
    ensure!(
        rows.len() == sandbox.control().attempt_keys(app).len(),
        "the complete walk never needs the Link at all"
    );
    Ok(())
}

#[tokio::test]
async fn windows_and_event_filters_are_inclusive_and_complete() -> Result<()> {
    let sandbox = quiet_sandbox(tied_history()).await?;
    let (app, _) = sandbox.applications()[0].clone();
    let keys = sandbox.control().attempt_keys(app);
    let client = fast_client(&sandbox)?;
    let times: BTreeSet<DateTime<Utc>> = keys.iter().map(|k| k.0).collect();
    let times: Vec<DateTime<Utc>> = times.into_iter().collect();
    let (min, max) = (times[times.len() / 4], times[times.len() / 2]);
    let filter = AttemptFilter {
        min_created_at: Some(min),
        max_created_at: Some(max),
        ..AttemptFilter::application(app)
    };
    let rows = complete_walk(&client, filter).await?;
    let ids: Vec<Uuid> = rows.iter().map(|a| a.request_attempt_id).collect();
    let expected: HashSet<Uuid> = keys
        .iter()
        .filter(|k| k.0 >= min && k.0 <= max)
        .map(|k| k.1)
        .collect();
    ensure!(unique(&ids)? == expected, "window [{min}, {max}] complete");
    ensure!(
        rows.iter().any(|a| a.created_at == min) && rows.iter().any(|a| a.created_at == max),
        "both bounds inclusive"
    );

    let event = rows[rows.len() / 2].event_id;
    let by_event = complete_walk(
        &client,
        AttemptFilter {
            event_id: Some(event),
            ..AttemptFilter::application(app)
        },
    )
    .await?;
    ensure!(
        !by_event.is_empty() && by_event.iter().all(|a| a.event_id == event),
        "event filter"
    );
    Ok(())
}

/// An event fanned out to more than 50 subscriptions puts more than a page at one instant:
/// the cursor cannot reach past the 50 lowest ids there, the complete walk splits the instant.
#[tokio::test]
async fn an_instant_holding_more_than_a_page_is_split_by_subscription() -> Result<()> {
    let sandbox = quiet_sandbox(ScenarioConfig {
        seed: 3,
        applications: 1,
        subscriptions: 2,
        events: 40,
        failure_rate: 0.1,
    })
    .await?;
    let (app, _) = sandbox.applications()[0].clone();
    let client = fast_client(&sandbox)?;
    let event_type = client.event_types(app).await?[0].event_type_name.clone();
    let http = reqwest::Client::new();
    let base = sandbox.api_base_url();
    let token = sandbox.service_token().to_owned();
    for i in 0..70 {
        let created = http
            .post(base.join("subscriptions")?)
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "application_id": app,
                "is_enabled": true,
                "event_types": [event_type],
                "description": format!("fan-out {i}"),
                "labels": {"fanout": "yes"},
                "target": {"type": "http", "method": "POST", "url": "http://127.0.0.1:9/hook", "headers": {}}
            }))
            .send()
            .await?;
        ensure!(
            created.status() == 201,
            "subscription created: {}",
            created.status()
        );
    }
    let ingested = http
        .post(base.join("event")?)
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "application_id": app,
            "event_type": event_type,
            "payload": "{\"fan\":\"out\"}",
            "payload_content_type": "application/json",
            "occurred_at": Utc::now(),
            "labels": {"fanout": "yes"}
        }))
        .send()
        .await?;
    ensure!(
        ingested.status() == 201,
        "event ingested: {}",
        ingested.status()
    );

    let keys = sandbox.control().attempt_keys(app);
    let newest = keys.iter().map(|k| k.0).max().context("attempts")?;
    let tied = keys.iter().filter(|k| k.0 == newest).count();
    ensure!(tied >= 70, "one instant holds {tied} attempts");
    let truth: HashSet<Uuid> = keys.iter().map(|k| k.1).collect();

    let (walked, _) = cursor_walk(&client, AttemptFilter::application(app)).await?;
    let seen: HashSet<Uuid> = walked.iter().copied().collect();
    ensure!(
        truth.difference(&seen).count() >= tied - PAGE_SIZE,
        "the cursor walk misses the tie's tail"
    );

    let rows = complete_walk(&client, AttemptFilter::application(app)).await?;
    let ids: Vec<Uuid> = rows.iter().map(|a| a.request_attempt_id).collect();
    ensure!(
        unique(&ids)? == truth,
        "complete despite {tied} rows at one instant"
    );
    Ok(())
}

#[tokio::test]
async fn measured_page_rate_with_rate_limiting_off() -> Result<()> {
    let sandbox = quiet_sandbox(ScenarioConfig {
        seed: 11,
        applications: 1,
        subscriptions: 8,
        events: 1_500,
        failure_rate: 0.15,
    })
    .await?;
    let (app, _) = sandbox.applications()[0].clone();
    let client = crate::api_support::client_with(&sandbox, fast_settings())?;
    let started = Instant::now();
    let rows = complete_walk(&client, AttemptFilter::application(app)).await?;
    let secs = started.elapsed().as_secs_f64();
    let requests = client.stats().sent;
    println!(
        "complete walk, rate limit off: {} attempts, {requests} requests in {secs:.2} s = \
         {:.0} requests/s, {:.0} attempts/s",
        rows.len(),
        requests as f64 / secs,
        rows.len() as f64 / secs
    );
    ensure!(
        rows.len() == sandbox.control().attempt_keys(app).len(),
        "complete"
    );

    // The same pages fetched by a bare HTTP client following the Link (the physical limit).
    let http = reqwest::Client::new();
    let mut url = format!(
        "{}request_attempts?application_id={app}",
        sandbox.api_base_url()
    );
    let (mut pages, mut bare_rows) = (0u32, 0usize);
    let started = Instant::now();
    loop {
        let response = http
            .get(&url)
            .bearer_auth(sandbox.service_token())
            .send()
            .await?;
        let link = response
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await?;
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&body)?;
        pages += 1;
        bare_rows += rows.len();
        let next = link.and_then(|l| Some(l[l.find('<')? + 1..l.find('>')?].to_owned()));
        match next {
            Some(next) if !rows.is_empty() => url = next,
            _ => break,
        }
    }
    let bare_secs = started.elapsed().as_secs_f64();
    println!(
        "bare reqwest cursor walk: {pages} pages, {bare_rows} rows in {bare_secs:.2} s = \
         {:.0} pages/s; complete walk / bare = {:.2}",
        f64::from(pages) / bare_secs,
        (requests as f64 / secs) / (f64::from(pages) / bare_secs)
    );
    Ok(())
}
