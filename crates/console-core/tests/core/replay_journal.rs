//! The journal on a real encrypted file, and verification after a run.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use console_core::cache::{Cache, ChainOutcome};
use console_core::query::DeliveryFilter;
use console_core::replay::{
    Consent, DeliveryRef, DeliveryVerdict, EntryState, JobControl, JobState, Journal, Manifest,
    ManifestEvent, PlanOptions, ReplayError, RunConfig, Selection, Transition, VerifyOptions,
    create_job, plan, run_job, verify,
};
use hook0_sandbox::{Behaviour, Faults};
use uuid::Uuid;

use crate::cache_support::temp_cache;
use crate::replay_support::*;

fn one_event_manifest() -> Manifest {
    Manifest::new(
        Selection::Deliveries(vec![]),
        false,
        (0..3)
            .map(|_| ManifestEvent {
                event_id: Uuid::new_v4(),
                application_id: Uuid::new_v4(),
                failed_subscriptions: vec![],
            })
            .collect(),
        Utc::now(),
    )
}

#[test]
fn illegal_moves_are_typed_errors_and_the_file_keeps_every_state() -> anyhow::Result<()> {
    let t = temp_cache()?;
    let journal = Journal::new(t.cache)?;
    let manifest = one_event_manifest();
    let job = journal.create_job(
        &manifest,
        &HashMap::new(),
        &RunConfig::default(),
        Utc::now(),
    )?;
    let entry = journal.entry(job, 0)?;
    assert_eq!(entry.state, EntryState::Planned);
    assert!(matches!(
        journal.apply(job, &entry, Transition::Accepted, None, Utc::now()),
        Err(ReplayError::IllegalTransition {
            from: EntryState::Planned,
            transition: Transition::Accepted,
            ..
        })
    ));
    let sending = journal.apply(job, &entry, Transition::Begin, None, Utc::now())?;
    assert_eq!((sending.state, sending.tries), (EntryState::Sending, 1));
    // A stale copy cannot overwrite what happened since.
    assert!(matches!(
        journal.apply(job, &entry, Transition::Begin, None, Utc::now()),
        Err(ReplayError::Contended { position: 0, .. })
    ));
    let sent = journal.apply(job, &sending, Transition::Accepted, None, Utc::now())?;
    assert!(
        journal
            .apply(job, &sent, Transition::Begin, None, Utc::now())
            .is_err(),
        "sent is final"
    );

    // Another connection (another process) sees the committed states.
    drop(journal);
    let reopened = Journal::new(Cache::open(&t.path, &t.key)?)?;
    let record = reopened.job(job)?;
    assert_eq!(record.manifest, manifest);
    assert_eq!(record.manifest_sha256, manifest.sha256()?);
    assert_eq!(record.state, JobState::Running);
    let counts = reopened.counts(job)?;
    assert_eq!((counts.sent, counts.planned, counts.total()), (1, 2, 3));
    assert_eq!(reopened.jobs()?.len(), 1);
    assert!(matches!(
        reopened.job(Uuid::new_v4()),
        Err(ReplayError::UnknownJob(_))
    ));

    // A manifest edited in the file is refused, not run.
    reopened.with_cache(|c| {
        c.conn().execute(
            "UPDATE replay_job SET manifest = replace(manifest, '\"include_recovered\":false', '\"include_recovered\":true')",
            [],
        )
    })?;
    assert!(matches!(reopened.job(job), Err(ReplayError::Corrupt(_))));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sending_row_is_committed_before_the_request_reaches_hook0() -> anyhow::Result<()> {
    let world = world(200).await?;
    let journal = world.journal()?;
    // A single failed delivery from the explorer: a one-event plan, no step-up needed.
    let (event, sub): (Vec<u8>, Vec<u8>) = journal.with_cache(|c| {
        c.conn().query_row(
            "SELECT e.uuid, s.uuid FROM chain c JOIN event e ON e.id = c.event_id
             JOIN subscription s ON s.id = c.subscription_id WHERE c.outcome = 3 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    })?;
    let (event, sub) = (Uuid::from_slice(&event)?, Uuid::from_slice(&sub)?);
    let selection = Selection::Deliveries(vec![DeliveryRef {
        event_id: event,
        subscription_id: sub,
    }]);
    let manifest = journal
        .with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?
        .manifest;
    assert_eq!(manifest.events.len(), 1);
    let job = create_job(
        &journal,
        &manifest,
        Consent::Waived,
        &fast_config(),
        Utc::now(),
    )?;
    world.sandbox.control().set_faults(Faults {
        latency_ms: 600,
        ..Faults::default()
    });
    let watcher = Journal::new(Cache::open(&world.path, &world.key)?)?;
    let observe = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let state = watcher.entry(job, 0)?.state;
        let served = world.sandbox.control().replays_of(event);
        anyhow::Ok((state, served))
    };
    let control = JobControl::new();
    let (outcome, seen) = tokio::join!(
        run_job(&journal, &world.client, job, &control, None),
        observe
    );
    let (state, served) = seen?;
    assert_eq!(
        (state, served),
        (EntryState::Sending, 0),
        "recorded as sending while Hook0 has not seen it"
    );
    assert_eq!(outcome?.state, JobState::Finished);
    assert_eq!(world.sandbox.control().replays_of(event), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_tells_recovered_from_still_failing() -> anyhow::Result<()> {
    let world = world(400).await?;
    let journal = world.journal()?;
    // The dead target of each application (the fourth subscription) gave up on its events.
    let dead: Vec<Uuid> = world
        .sandbox
        .applications()
        .iter()
        .map(|(app, _)| world.sandbox.control().subscriptions(*app)[3].id)
        .collect();
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        outcomes: Some(vec![ChainOutcome::GaveUp]),
        subscription_ids: Some(dead.clone()),
        ..DeliveryFilter::default()
    }));
    let planned =
        journal.with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?;
    let fixed = dead[0];
    let broken = dead[1];
    let on = |sub: Uuid| {
        planned
            .events
            .iter()
            .filter(|e| e.failed_subscriptions.contains(&sub))
            .count() as u64
    };
    assert!(
        on(fixed) > 0 && on(broken) > 0,
        "both dead targets have gave-up events"
    );
    let job = create_job(
        &journal,
        &planned.manifest,
        Consent::Approved(&approval_of(&planned.manifest)?),
        &fast_config(),
        Utc::now(),
    )?;
    let outcome = run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
    assert_eq!(outcome.state, JobState::Finished);

    // The first target was repaired before the replay's deliveries ran; the second was not.
    world
        .sandbox
        .control()
        .set_subscription_behaviour(fixed, Behaviour::Succeed)?;
    world.sandbox.control().flush();
    let report = verify(
        &journal,
        &world.client,
        job,
        VerifyOptions {
            deadline: Duration::from_secs(3),
            poll_interval: Duration::from_millis(200),
        },
    )
    .await?;
    assert_eq!(report.not_replayed, 0);
    let fixed_counts = report.per_subscription[&fixed];
    assert_eq!(
        (
            fixed_counts.recovered,
            fixed_counts.still_failing,
            fixed_counts.unknown
        ),
        (on(fixed), 0, 0)
    );
    let broken_counts = report.per_subscription[&broken];
    assert_eq!(
        (
            broken_counts.recovered,
            broken_counts.still_failing,
            broken_counts.unknown
        ),
        (0, on(broken), 0)
    );
    for e in &report.events {
        if let Some(v) = e.subscriptions.get(&fixed) {
            assert_eq!(*v, DeliveryVerdict::Recovered);
        }
    }
    assert_eq!(
        report.totals.recovered + report.totals.still_failing,
        on(fixed) + on(broken)
    );

    // The verdict is kept: another journal on the same file (a restarted console, the
    // command line) reads it back whole.
    drop(journal);
    let reopened = world.journal()?;
    let (kept, _at) = reopened.verification(job)?.expect("the verdict is stored");
    assert_eq!(kept, report);
    assert!(reopened.verification(Uuid::new_v4())?.is_none());
    Ok(())
}
