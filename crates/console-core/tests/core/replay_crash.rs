//! The exactly-once promise under SIGKILL: a child process runs a replay job and is killed at
//! a random moment (once or twice), then the job is resumed here. The sandbox, in this
//! process, counts replays server-side: every planned event must be replayed exactly once.
//!
//! `REPLAY_CRASH_TRIALS` sets the number of trials (default 50).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use console_core::cache::Cache;
use console_core::cache::ChainOutcome;
use console_core::query::DeliveryFilter;
use console_core::replay::{
    DeliveryRef, JobControl, JobState, Journal, Manifest, PlanOptions, Selection, baselines, plan,
    run_job,
};
use hook0_sandbox::Faults;
use rand::Rng;
use uuid::Uuid;

use crate::replay_support::*;

const CHILD: &str = "HOOK0_REPLAY_CRASH_CHILD";
const CACHE: &str = "HOOK0_REPLAY_CRASH_CACHE";
const BASE: &str = "HOOK0_REPLAY_CRASH_BASE";
const TOKEN: &str = "HOOK0_REPLAY_CRASH_TOKEN";
const JOB: &str = "HOOK0_REPLAY_CRASH_JOB";
const EVENTS_PER_TRIAL: usize = 6;

fn spawn_child(world: &World, job: Uuid) -> anyhow::Result<Child> {
    Ok(Command::new(std::env::current_exe()?)
        .args(["replay_crash::child", "--exact", "--ignored", "--nocapture"])
        .env(CHILD, "1")
        .env(CACHE, &world.path)
        .env(BASE, world.sandbox.api_base_url().as_str())
        .env(TOKEN, world.sandbox.service_token())
        .env(JOB, job.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_killed_at_random_points_replays_every_event_exactly_once() -> anyhow::Result<()> {
    let trials: usize = std::env::var("REPLAY_CRASH_TRIALS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(50);
    let world = world(1_600).await?;
    // Each replay request takes 40 ms: a kill often lands while one is in flight, the moment
    // the journal's `sending` row exists for.
    world.sandbox.control().set_faults(Faults {
        latency_ms: 40,
        ..Faults::default()
    });
    let journal = Journal::new(Cache::open(&world.path, &world.key)?)?;
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        outcomes: Some(vec![ChainOutcome::GaveUp, ChainOutcome::Retrying]),
        ..DeliveryFilter::default()
    }));
    let all =
        journal.with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?;
    let per_trial = EVENTS_PER_TRIAL.min(all.manifest.events.len() / trials);
    assert!(
        per_trial >= 3,
        "{} failing events for {trials} trials",
        all.manifest.events.len()
    );

    let mut rng = rand::rng();
    let (mut finished_early, mut mid_request, mut mixed) = (0, 0, 0);
    let mut planned = Vec::new();
    for trial in 0..trials {
        let events = all.manifest.events[trial * per_trial..(trial + 1) * per_trial].to_vec();
        let refs = events
            .iter()
            .flat_map(|e| {
                e.failed_subscriptions.iter().map(|s| DeliveryRef {
                    event_id: e.event_id,
                    subscription_id: *s,
                })
            })
            .collect();
        let manifest = Manifest::new(Selection::Deliveries(refs), false, events, Utc::now());
        let bases = journal.with_cache(|c| baselines(c.conn(), &manifest))?;
        let job = journal.create_job(&manifest, &bases, &fast_config(), Utc::now())?;
        planned.extend(manifest.event_ids());

        for _ in 0..rng.random_range(1..=2) {
            let mut child = spawn_child(&world, job)?;
            // Start-up takes ~30–100 ms, then a request every 100 ms: the window covers
            // every stage of the run, a kill before the first request included.
            let delay = rng.random_range(0..(per_trial as u64 * 90 + 100));
            tokio::time::sleep(Duration::from_millis(delay)).await;
            if child.try_wait()?.is_some() {
                finished_early += 1;
            }
            let _ = child.kill();
            child.wait()?;
            let counts = journal.counts(job)?;
            if counts.sending + counts.unknown > 0 {
                mid_request += 1;
            }
            if counts.sent > 0 && counts.planned > 0 {
                mixed += 1;
            }
        }
        let state = journal.job(job)?.state;
        if state != JobState::Finished {
            let outcome = run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
            assert_eq!(
                outcome.state,
                JobState::Finished,
                "trial {trial}: {:?}",
                outcome.counts
            );
        }
        let counts = world.sandbox.control().replay_counts();
        for id in &planned {
            let n = counts.get(id).copied().unwrap_or(0);
            assert_eq!(n, 1, "trial {trial}: event {id} replayed {n} times");
        }
    }
    let counts = world.sandbox.control().replay_counts();
    assert_eq!(
        counts.len(),
        planned.len(),
        "no event outside the plans was replayed"
    );
    assert_eq!(
        counts.values().sum::<u64>(),
        planned.len() as u64,
        "no duplicate, no skip"
    );
    println!(
        "{trials} trials: {mid_request} kills with a request possibly in flight, {mixed} midway, \
         {finished_early} children done before their kill"
    );
    assert!(mid_request > 0, "some kills hit a request in flight");
    assert!(mixed > 0, "some kills fell between two replays");
    Ok(())
}

/// Runs only when started by the test above: the job, until killed.
#[test]
#[ignore = "started by the crash test in a child process"]
fn child() -> anyhow::Result<()> {
    if std::env::var_os(CHILD).is_none() {
        return Ok(());
    }
    let path = std::env::var(CACHE)?;
    let job: Uuid = std::env::var(JOB)?.parse()?;
    let client = client_for(
        &std::env::var(BASE)?,
        &std::env::var(TOKEN)?,
        Duration::from_secs(10),
    )?;
    let journal = Journal::new(Cache::open(std::path::Path::new(&path), &key())?)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run_job(&journal, &client, job, &JobControl::new(), None))?;
    Ok(())
}
