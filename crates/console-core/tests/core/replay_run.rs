//! Running replay jobs against a misbehaving sandbox: 429 storms, 503s, malformed answers,
//! timeouts, refusals; pause, resume and cancel. The sandbox's own count of replays is the
//! judge: every planned event exactly once, or not at all when cancelled before its turn.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use console_core::cache::ChainOutcome;
use console_core::query::DeliveryFilter;
use console_core::replay::{
    Consent, EntryState, JobControl, JobState, Journal, Manifest, ManifestEvent, PlanOptions,
    ReplayError, ReplayProgress, RunConfig, Selection, baselines, create_job, plan, run_job,
};
use hook0_sandbox::Faults;
use uuid::Uuid;

use crate::replay_support::*;

/// A job over (at most `max`) events with failing deliveries.
fn gave_up_job(
    world: &World,
    journal: &Journal,
    max: usize,
    config: &RunConfig,
) -> anyhow::Result<(Uuid, Manifest)> {
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        outcomes: Some(vec![ChainOutcome::GaveUp, ChainOutcome::Retrying]),
        ..DeliveryFilter::default()
    }));
    let planned =
        journal.with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?;
    let mut manifest = planned.manifest;
    assert!(
        manifest.events.len() >= max,
        "the scenario has {} failing events",
        manifest.events.len()
    );
    manifest.events.truncate(max);
    // A truncated set is a hand-made manifest: recorded directly, as an imported one would be
    // after its own approval.
    let bases = journal.with_cache(|c| baselines(c.conn(), &manifest))?;
    let job = journal.create_job(&manifest, &bases, config, Utc::now())?;
    let _ = world;
    Ok((job, manifest))
}

fn assert_exactly_once(world: &World, manifest: &Manifest) {
    let counts = world.sandbox.control().replay_counts();
    for id in manifest.event_ids() {
        assert_eq!(
            counts.get(&id).copied().unwrap_or(0),
            1,
            "event {id} must be replayed exactly once"
        );
    }
    assert_eq!(
        counts.len(),
        manifest.events.len(),
        "no event outside the manifest"
    );
}

fn recorder() -> (
    console_core::replay::ProgressSink,
    Arc<Mutex<Vec<ReplayProgress>>>,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink_seen = seen.clone();
    (
        Arc::new(move |p: &ReplayProgress| sink_seen.lock().unwrap().push(p.clone())),
        seen,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_run_reports_progress_to_the_end() -> anyhow::Result<()> {
    let world = world(400).await?;
    let journal = world.journal()?;
    let (job, manifest) = gave_up_job(&world, &journal, 12, &fast_config())?;
    let (sink, seen) = recorder();
    let outcome = run_job(&journal, &world.client, job, &JobControl::new(), Some(sink)).await?;
    assert_eq!(outcome.state, JobState::Finished);
    assert_exactly_once(&world, &manifest);
    let seen = seen.lock().unwrap().clone();
    let last = seen.last().unwrap();
    assert_eq!((last.done, last.total), (12, 12));
    assert!(last.rate_per_second > 0.0);
    assert!(
        seen.windows(2).all(|w| w[0].done <= w[1].done),
        "progress never goes back"
    );
    assert!(
        matches!(
            run_job(&journal, &world.client, job, &JobControl::new(), None).await,
            Err(ReplayError::JobState { .. })
        ),
        "a finished job does not run again"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_pauses_the_whole_job_and_sends_nothing_twice() -> anyhow::Result<()> {
    let world = world(400).await?;
    let journal = world.journal()?;
    let (job, manifest) = gave_up_job(&world, &journal, 10, &fast_config())?;
    world
        .sandbox
        .control()
        .start_storm(Duration::from_millis(1_200));
    let started = Instant::now();
    let outcome = run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
    assert_eq!(outcome.state, JobState::Finished);
    assert!(outcome.rate_limited > 0, "the storm was met");
    assert!(
        started.elapsed() >= Duration::from_millis(1_100),
        "the job waited the storm out"
    );
    assert_exactly_once(&world, &manifest);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_rate_limiter_is_never_met_at_the_configured_rate() -> anyhow::Result<()> {
    let world = world(400).await?;
    world.sandbox.control().set_rate_limit(true);
    let journal = world.journal()?;
    let config = RunConfig {
        rate_per_second: 10,
        ..fast_config()
    };
    let (job, manifest) = gave_up_job(&world, &journal, 30, &config)?;
    let started = Instant::now();
    let outcome = run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
    let took = started.elapsed().as_secs_f64();
    assert_eq!(
        outcome.rate_limited, 0,
        "10/s stays within Hook0's per-token budget"
    );
    assert!(
        took >= 2.5,
        "30 requests at 10/s take about 3 s, not {took}"
    );
    assert_exactly_once(&world, &manifest);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_and_malformed_answers_are_resolved_before_any_resend() -> anyhow::Result<()> {
    let world = world(400).await?;
    let journal = world.journal()?;
    let config = RunConfig {
        max_tries: 20,
        ..fast_config()
    };
    let (job, manifest) = gave_up_job(&world, &journal, 16, &config)?;
    world.sandbox.control().set_faults(Faults {
        error_rate: 0.3,
        malformed_json_rate: 0.3,
        truncated_json_rate: 0.1,
        ..Faults::default()
    });
    let outcome = run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
    world.sandbox.control().set_faults(Faults::default());
    assert_eq!(outcome.state, JobState::Finished, "{:?}", outcome.counts);
    assert_eq!(outcome.counts.sent, 16);
    let retried = journal
        .entries(job, &[])?
        .iter()
        .filter(|e| e.tries > 1)
        .count();
    assert!(
        retried > 0,
        "some replays met a 503 and were sent again after resolution"
    );
    assert_exactly_once(&world, &manifest);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_become_unknown_and_are_never_blindly_resent() -> anyhow::Result<()> {
    let world = world(400).await?;
    let journal = world.journal()?;
    let config = RunConfig {
        max_tries: 2,
        ..fast_config()
    };
    let (job, manifest) = gave_up_job(&world, &journal, 6, &config)?;
    world.sandbox.control().set_faults(Faults {
        latency_ms: 400,
        ..Faults::default()
    });
    let impatient = client_for(
        world.sandbox.api_base_url().as_str(),
        world.sandbox.service_token(),
        Duration::from_millis(150),
    )?
    .with_retry(console_core::api::RetryPolicy {
        max_retries: 1,
        ..crate::api_support::quick_retry()
    });
    let first = run_job(&journal, &impatient, job, &JobControl::new(), None).await?;
    assert_eq!(
        first.state,
        JobState::Running,
        "unresolved entries keep the job open: {:?}",
        first.counts
    );
    assert_eq!(
        first.counts.sent + first.counts.failed,
        0,
        "no answer was ever seen"
    );
    assert!(first.counts.unknown > 0);
    let counts = world.sandbox.control().replay_counts();
    assert!(
        counts.values().all(|&n| n <= 1),
        "an unknown entry is never sent again: {counts:?}"
    );

    world.sandbox.control().set_faults(Faults::default());
    let second = run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
    assert_eq!(second.state, JobState::Finished);
    assert_exactly_once(&world, &manifest);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_events_and_foreign_applications_fail_with_the_problem_id() -> anyhow::Result<()> {
    let world = world(120).await?;
    let journal = world.journal()?;
    let app = world.sandbox.applications()[0].0;
    let events = world.sandbox.control().event_ids(app);
    let (real, other) = (events[0], events[1]);
    let manifest = Manifest::new(
        Selection::Deliveries(vec![]),
        false,
        vec![
            ManifestEvent {
                event_id: Uuid::new_v4(),
                application_id: app,
                failed_subscriptions: vec![],
            },
            ManifestEvent {
                event_id: other,
                application_id: Uuid::new_v4(),
                failed_subscriptions: vec![],
            },
            ManifestEvent {
                event_id: real,
                application_id: app,
                failed_subscriptions: vec![],
            },
        ],
        Utc::now(),
    );
    let job = journal.create_job(&manifest, &HashMap::new(), &fast_config(), Utc::now())?;
    let outcome = run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
    assert_eq!(outcome.state, JobState::Finished);
    let entries = journal.entries(job, &[])?;
    let problem = |i: usize| {
        entries[i]
            .failure
            .as_ref()
            .and_then(|f| f.problem_id.clone())
    };
    assert_eq!(entries[0].state, EntryState::Failed);
    assert_eq!(problem(0).as_deref(), Some("NotFound"));
    assert_eq!(entries[1].state, EntryState::Failed);
    assert_eq!(problem(1).as_deref(), Some("Forbidden"));
    assert_eq!(entries[2].state, EntryState::Sent);
    assert_eq!(world.sandbox.control().replays_of(real), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_holds_every_request_resume_goes_on_cancel_stops_for_good() -> anyhow::Result<()> {
    let world = world(400).await?;
    let journal = world.journal()?;
    let config = RunConfig {
        rate_per_second: 5,
        in_flight: 2,
        ..fast_config()
    };
    let (job, manifest) = gave_up_job(&world, &journal, 30, &config)?;
    assert_eq!(manifest.events.len(), 30, "enough events to stop midway");
    let control = JobControl::new();
    let sent = || {
        world
            .sandbox
            .control()
            .replay_counts()
            .values()
            .sum::<u64>()
    };
    let steer = async {
        while sent() < 3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        control.pause();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let held = sent();
        assert_eq!(journal.job(job)?.state, JobState::Paused);
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(sent(), held, "nothing is sent while paused");
        control.resume();
        while sent() < held + 3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        control.cancel();
        anyhow::Ok(())
    };
    let (outcome, steered) =
        tokio::join!(run_job(&journal, &world.client, job, &control, None), steer);
    steered?;
    let outcome = outcome?;
    assert_eq!(outcome.state, JobState::Cancelled);
    assert!(
        outcome.counts.planned > 0,
        "cancelled midway: {:?}",
        outcome.counts
    );
    assert_eq!(
        outcome.counts.sent,
        sent(),
        "the journal agrees with the server"
    );
    assert!(
        world
            .sandbox
            .control()
            .replay_counts()
            .values()
            .all(|&n| n == 1)
    );
    assert!(matches!(
        run_job(&journal, &world.client, job, &JobControl::new(), None).await,
        Err(ReplayError::JobState { .. })
    ));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_recorded_by_another_process_stops_the_run() -> anyhow::Result<()> {
    let world = world(400).await?;
    let journal = world.journal()?;
    let config = RunConfig {
        rate_per_second: 5,
        ..fast_config()
    };
    let (job, _) = gave_up_job(&world, &journal, 30, &config)?;
    let other = world.journal()?;
    let sent = || {
        world
            .sandbox
            .control()
            .replay_counts()
            .values()
            .sum::<u64>()
    };
    let cancel = async {
        while sent() < 3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        other.set_state(job, JobState::Cancelled, Utc::now())
    };
    let control = JobControl::new();
    let (outcome, cancelled) = tokio::join!(
        run_job(&journal, &world.client, job, &control, None),
        cancel
    );
    cancelled?;
    let outcome = outcome?;
    assert_eq!(outcome.state, JobState::Cancelled);
    assert!(outcome.counts.planned > 0);
    assert_eq!(outcome.counts.sent, sent());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_on_one_job_never_send_an_event_twice() -> anyhow::Result<()> {
    let world = world(400).await?;
    let journal = world.journal()?;
    let (job, manifest) = gave_up_job(&world, &journal, 20, &fast_config())?;
    let second = world.journal()?;
    let (one, two) = (JobControl::new(), JobControl::new());
    let (a, b) = tokio::join!(
        run_job(&journal, &world.client, job, &one, None),
        run_job(&second, &world.client, job, &two, None)
    );
    for result in [&a, &b] {
        assert!(
            matches!(result, Ok(_) | Err(ReplayError::Contended { .. })),
            "a runner either finishes or steps aside: {result:?}"
        );
    }
    if journal.job(job)?.state != JobState::Finished {
        run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
    }
    assert_exactly_once(&world, &manifest);
    Ok(())
}

#[test]
fn more_than_ten_per_second_is_refused_before_anything_is_recorded() -> anyhow::Result<()> {
    let t = crate::cache_support::temp_cache()?;
    let journal = Journal::new(t.cache)?;
    let manifest = Manifest::new(
        Selection::Deliveries(vec![]),
        false,
        vec![ManifestEvent {
            event_id: Uuid::new_v4(),
            application_id: Uuid::new_v4(),
            failed_subscriptions: vec![],
        }],
        Utc::now(),
    );
    let config = RunConfig {
        rate_per_second: 11,
        ..RunConfig::default()
    };
    assert!(matches!(
        create_job(&journal, &manifest, Consent::Waived, &config, Utc::now()),
        Err(ReplayError::InvalidConfig(_))
    ));
    assert!(journal.jobs()?.is_empty());
    Ok(())
}
