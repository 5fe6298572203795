//! `replay`: a bulk replay job against a sandbox with Hook0's rate limiter on, judged by the
//! sandbox's own count of replays; and the dry run's time over the million-attempt cache.
//!
//! Figures: `rate_ratio` (achieved ÷ configured replay rate, goal 0.9–1.1), `http_429`
//! (goal 0), `duplicates` and `skipped` counted server-side (goal 0 and 0), `plan_ms` (goal
//! under 2000 for a filter matching about 100,000 failing deliveries of a million attempts).
//! `REPLAY_BENCH_EVENTS` (default 2000) and `REPLAY_BENCH_RATE` (default 9) change the job;
//! `REPLAY_BENCH_PLAN=0` skips the plan timing (which needs the million-attempt cache).
//!
//! The sandbox runs in this process (its library, not its binary) so that its replay counts
//! can be read directly; its CPU cost is small next to the pacing being measured.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Instant;

use chrono::{TimeZone, Utc};
use console_core::api::{ApiBaseUrl, ApiClient, ClientSettings, Pacing};
use console_core::cache::{Cache, CacheReader, ChainOutcome};
use console_core::query::DeliveryFilter;
use console_core::replay::{
    JobControl, Journal, PlanOptions, RunConfig, Selection, baselines, plan, run_job,
};
use console_core::sync::{Cancel, ContentPolicy, SyncOptions};
use hook0_sandbox::{SandboxOptions, ScenarioConfig};
use secrecy::SecretString;

use crate::emit::{figure, note};
use crate::fill;

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub async fn run() -> anyhow::Result<()> {
    let events = env_number("REPLAY_BENCH_EVENTS", 2_000) as usize;
    let rate = env_number("REPLAY_BENCH_RATE", 9);
    job(events, rate).await?;
    if env_number("REPLAY_BENCH_PLAN", 1) == 0 {
        return Ok(());
    }
    plan_time().await
}

async fn job(events: usize, rate: u32) -> anyhow::Result<()> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 20261130,
            applications: 3,
            subscriptions: 8,
            events: (events as u32).saturating_mul(8).max(2_000),
            failure_rate: 0.15,
        },
        // Off while the cache fills (the sync is not what is measured), on for the replay.
        rate_limit: false,
        worker_paused: true,
        history_end: Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).single(),
        ..SandboxOptions::default()
    };
    let sandbox = hook0_sandbox::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options).await?;
    let client = ApiClient::new(
        ApiBaseUrl::parse(sandbox.api_base_url().as_str())?,
        Some(&SecretString::from(sandbox.service_token().to_owned())),
        ClientSettings {
            pacing: Pacing::unlimited(8),
            ..ClientSettings::default()
        },
    )?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("replay.db");
    let mut cache = Cache::open(&path, &fill::key())?;
    note("replay: syncing the sandbox");
    let sync_options = SyncOptions {
        content: ContentPolicy::Failures,
        concurrency: 8,
        ..SyncOptions::default()
    };
    console_core::sync::sync(
        &client,
        &mut cache,
        &sync_options,
        &Cancel::new(),
        &mut |_| {},
    )
    .await?;
    let journal = Journal::new(cache)?;
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        outcomes: Some(vec![ChainOutcome::GaveUp, ChainOutcome::Retrying]),
        ..DeliveryFilter::default()
    }));
    let mut manifest = journal
        .with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?
        .manifest;
    if manifest.events.len() < events {
        anyhow::bail!(
            "the scenario has {} failing events, {events} wanted",
            manifest.events.len()
        );
    }
    manifest.events.truncate(events);
    let config = RunConfig {
        rate_per_second: rate,
        ..RunConfig::default()
    };
    // The benchmark approves its own manifest: the gate is measured elsewhere.
    let bases = journal.with_cache(|c| baselines(c.conn(), &manifest))?;
    let id = journal.create_job(&manifest, &bases, &config, Utc::now())?;

    sandbox.control().set_rate_limit(true);
    note(&format!("replay: {events} events at {rate}/s"));
    let before = client.stats();
    let clock = Instant::now();
    let outcome = run_job(&journal, &client, id, &JobControl::new(), None).await?;
    let seconds = clock.elapsed().as_secs_f64();
    let after = client.stats();

    let counts: HashMap<uuid::Uuid, u64> = sandbox.control().replay_counts();
    let duplicates: u64 = counts.values().map(|n| n.saturating_sub(1)).sum();
    let skipped = manifest
        .event_ids()
        .filter(|id| !counts.contains_key(id))
        .count();
    let achieved = outcome.counts.sent as f64 / seconds;
    figure("replay", "events", events as f64, "events");
    figure("replay", "rate_ratio", achieved / f64::from(rate), "ratio");
    figure(
        "replay",
        "http_429",
        (after.rate_limited - before.rate_limited) as f64,
        "responses",
    );
    figure("replay", "duplicates", duplicates as f64, "events");
    figure("replay", "skipped", skipped as f64, "events");
    figure("replay", "failed", outcome.counts.failed as f64, "events");
    sandbox.shutdown().await;
    Ok(())
}

async fn plan_time() -> anyhow::Result<()> {
    let path = fill::million().await?;
    let reader = CacheReader::open(&path, &fill::key())?;
    // Every delivery that is still failing: about a tenth of this cache's deliveries.
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        outcomes: Some(vec![ChainOutcome::GaveUp, ChainOutcome::Retrying]),
        ..DeliveryFilter::default()
    }));
    let mut best = f64::MAX;
    let mut selected = 0;
    for _ in 0..3 {
        let clock = Instant::now();
        let planned = plan(
            reader.conn(),
            &selection,
            PlanOptions::default(),
            Utc::now(),
        )?;
        best = best.min(clock.elapsed().as_secs_f64() * 1000.0);
        selected = planned.deliveries_selected;
    }
    figure("replay", "plan_deliveries", selected as f64, "deliveries");
    figure("replay", "plan_ms", best, "ms");
    Ok(())
}
