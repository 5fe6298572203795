//! The dry run against a synced sandbox: who receives each replay, what is left out, and an
//! approval that no longer holds once the set changes.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::Utc;
use console_core::cache::{AttemptStatus, Cache, ChainOutcome};
use console_core::query::{DeliveryFilter, filter_options};
use console_core::replay::{
    Consent, DeliveryRef, Exclusion, JobControl, JobState, PlanOptions, ReplayError, Selection,
    changes_since_approval, create_job, plan, run_job,
};
use uuid::Uuid;

use crate::replay_support::*;

fn uuid(bytes: Vec<u8>) -> Uuid {
    Uuid::from_slice(&bytes).unwrap()
}

/// `runs` (first attempts: 1 + replays) of every delivery in the cache, by (event, subscription).
fn runs(world: &World) -> anyhow::Result<HashMap<(Uuid, Uuid), i64>> {
    let cache = Cache::open(&world.path, &world.key)?;
    let mut stmt = cache.conn().prepare(
        "SELECT e.uuid, s.uuid, c.runs FROM chain c JOIN event e ON e.id = c.event_id
         JOIN subscription s ON s.id = c.subscription_id",
    )?;
    let rows = stmt
        .query_map([], |r| Ok(((uuid(r.get(0)?), uuid(r.get(1)?)), r.get(2)?)))?
        .collect::<Result<HashMap<_, _>, _>>()?;
    Ok(rows)
}

fn gave_up_most(world: &World) -> anyhow::Result<Uuid> {
    let cache = Cache::open(&world.path, &world.key)?;
    let sub: Vec<u8> = cache.conn().query_row(
        "SELECT s.uuid FROM chain c JOIN subscription s ON s.id = c.subscription_id
         WHERE c.outcome = 3 GROUP BY s.id ORDER BY count(*) DESC LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    Ok(uuid(sub))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_names_every_receiver_and_the_run_reaches_exactly_them() -> anyhow::Result<()> {
    let world = world(240).await?;
    let sub = gave_up_most(&world)?;
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        outcomes: Some(vec![ChainOutcome::GaveUp]),
        subscription_ids: Some(vec![sub]),
        ..DeliveryFilter::default()
    }));
    let journal = world.journal()?;
    let planned =
        journal.with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?;
    assert!(
        planned.events.len() >= 3,
        "the scenario gives up on this target: {}",
        planned.events.len()
    );
    let distinct: BTreeSet<Uuid> = planned.manifest.event_ids().collect();
    assert_eq!(distinct.len(), planned.events.len(), "each event once");
    for e in &planned.events {
        assert_eq!(
            e.failed_subscriptions,
            vec![sub],
            "only the selected target failed"
        );
        assert!(
            e.possible_targets.is_empty(),
            "labels of failed events are cached"
        );
    }
    assert!(
        planned.healthy_duplicates > 0,
        "healthy subscriptions listening to the same events are hit too"
    );
    let healthy: u64 = planned
        .subscriptions
        .iter()
        .map(|s| s.healthy_duplicates)
        .sum();
    assert_eq!(healthy, planned.healthy_duplicates);

    let before = runs(&world)?;
    let job = create_job(
        &journal,
        &planned.manifest,
        Consent::Approved(&approval_of(&planned.manifest)?),
        &fast_config(),
        Utc::now(),
    )?;
    let outcome = run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
    assert_eq!(outcome.state, JobState::Finished);
    assert_eq!(outcome.counts.sent as usize, planned.events.len());

    let counts = world.sandbox.control().replay_counts();
    assert_eq!(
        counts.len(),
        planned.events.len(),
        "no other event replayed"
    );
    assert!(
        counts.values().all(|&n| n == 1),
        "each exactly once: {counts:?}"
    );

    // What Hook0 did is what the plan said: one new run on each target, none elsewhere.
    resync(&world.client, &world.path, &world.key).await?;
    let after = runs(&world)?;
    let apps: HashMap<Uuid, Vec<Uuid>> = planned
        .events
        .iter()
        .map(|e| {
            let subs = world.sandbox.control().subscriptions(e.application_id);
            (e.application_id, subs.into_iter().map(|s| s.id).collect())
        })
        .collect();
    for e in &planned.events {
        for s in &apps[&e.application_id] {
            let new = after.get(&(e.event_id, *s)).copied().unwrap_or(0)
                - before.get(&(e.event_id, *s)).copied().unwrap_or(0);
            let expected = i64::from(e.targets.contains(s));
            assert_eq!(
                new, expected,
                "event {} subscription {s}: planned {:?}",
                e.event_id, e.targets
            );
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovered_deliveries_are_excluded_unless_asked_and_listed_ones_group_by_event()
-> anyhow::Result<()> {
    let world = world(240).await?;
    let journal = world.journal()?;
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        statuses: Some(vec![AttemptStatus::Failed]),
        ..DeliveryFilter::default()
    }));
    let default =
        journal.with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?;
    let recovered: Vec<Uuid> = default
        .excluded
        .iter()
        .filter(|x| x.reason == Exclusion::AlreadyDelivered)
        .map(|x| x.event_id)
        .collect();
    assert!(
        !recovered.is_empty(),
        "some failures were retried to success"
    );
    let outcome_of = |event: Uuid, sub: Uuid| -> anyhow::Result<i64> {
        journal.with_cache(|c| {
            Ok(c.conn().query_row(
                "SELECT c.outcome FROM chain c JOIN event e ON e.id = c.event_id
                 JOIN subscription s ON s.id = c.subscription_id WHERE e.uuid = ?1 AND s.uuid = ?2",
                [event.as_bytes().to_vec(), sub.as_bytes().to_vec()],
                |r| r.get(0),
            )?)
        })
    };
    for e in &default.events {
        for s in &e.failed_subscriptions {
            assert_ne!(
                outcome_of(e.event_id, *s)?,
                ChainOutcome::Delivered.code(),
                "a recovered delivery was kept"
            );
        }
    }
    let all = journal.with_cache(|c| {
        plan(
            c.conn(),
            &selection,
            PlanOptions {
                include_recovered: true,
            },
            Utc::now(),
        )
    })?;
    let all_ids: BTreeSet<Uuid> = all.manifest.event_ids().collect();
    for id in &recovered {
        assert!(
            all_ids.contains(id),
            "asked for, a recovered event is planned"
        );
    }
    assert!(
        all.excluded
            .iter()
            .all(|x| x.reason != Exclusion::AlreadyDelivered)
    );

    // Two failed deliveries of one event are one replay.
    let mut by_event: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for e in &default.events {
        by_event
            .entry(e.event_id)
            .or_default()
            .extend(&e.failed_subscriptions);
    }
    let list: Vec<DeliveryRef> = default
        .events
        .iter()
        .take(5)
        .flat_map(|e| {
            e.failed_subscriptions.iter().map(|s| DeliveryRef {
                event_id: e.event_id,
                subscription_id: *s,
            })
        })
        .chain(default.events.first().map(|e| DeliveryRef {
            event_id: e.event_id,
            subscription_id: e.failed_subscriptions[0],
        }))
        .collect();
    let listed = journal.with_cache(|c| {
        plan(
            c.conn(),
            &Selection::Deliveries(list.clone()),
            PlanOptions::default(),
            Utc::now(),
        )
    })?;
    assert_eq!(
        listed.events.len(),
        5,
        "listed deliveries de-duplicated by event"
    );
    for e in &listed.events {
        assert_eq!(e.failed_subscriptions, by_event[&e.event_id]);
    }
    let unknown = Selection::Deliveries(vec![DeliveryRef {
        event_id: Uuid::new_v4(),
        subscription_id: Uuid::new_v4(),
    }]);
    assert!(matches!(
        journal.with_cache(|c| plan(c.conn(), &unknown, PlanOptions::default(), Utc::now())),
        Err(ReplayError::InvalidSelection(_))
    ));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_is_void_once_the_set_changes() -> anyhow::Result<()> {
    let world = world(120).await?;
    let sub = gave_up_most(&world)?;
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        statuses: Some(vec![AttemptStatus::Failed]),
        subscription_ids: Some(vec![sub]),
        ..DeliveryFilter::default()
    }));
    let journal = world.journal()?;
    let approved =
        journal.with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?;
    let approval = approval_of(&approved.manifest)?;

    // An approval of another manifest does not cover this one.
    let mut other = approved.manifest.clone();
    other.events.pop();
    assert!(matches!(
        create_job(
            &journal,
            &other,
            Consent::Approved(&approval),
            &fast_config(),
            Utc::now()
        ),
        Err(ReplayError::NotApproved)
    ));
    assert!(changes_since_approval(&journal, &approved.manifest, Utc::now())?.is_empty());

    world
        .sandbox
        .control()
        .seed_failure_spike(sub, 3, Duration::from_secs(60))?;
    resync(&world.client, &world.path, &world.key).await?;
    let diff = changes_since_approval(&journal, &approved.manifest, Utc::now())?;
    assert_eq!(diff.added.len(), 3, "the spike's events: {diff:?}");
    assert!(diff.removed.is_empty());
    assert!(matches!(
        create_job(
            &journal,
            &approved.manifest,
            Consent::Approved(&approval),
            &fast_config(),
            Utc::now()
        ),
        Err(ReplayError::SetChanged {
            added: 3,
            removed: 0,
            ..
        })
    ));
    assert!(
        world.sandbox.control().replay_counts().is_empty(),
        "nothing was sent"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_deleted_upstream_is_no_longer_counted_among_the_receivers()
-> anyhow::Result<()> {
    let world = world(240).await?;
    let sub = gave_up_most(&world)?;
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        outcomes: Some(vec![ChainOutcome::GaveUp]),
        subscription_ids: Some(vec![sub]),
        ..DeliveryFilter::default()
    }));
    let journal = world.journal()?;
    let before =
        journal.with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?;
    let event = &before.events[0];
    let healthy = *event
        .targets
        .iter()
        .find(|s| **s != sub)
        .expect("the scenario's events reach a healthy subscription too");

    // Deleted in Hook0, then one sync: the cache knows it is gone.
    let url = format!(
        "{}subscriptions/{healthy}?application_id={}",
        world.sandbox.api_base_url(),
        event.application_id
    );
    let answer = reqwest::Client::new()
        .delete(url)
        .bearer_auth(world.sandbox.service_token())
        .send()
        .await?;
    assert_eq!(answer.status(), reqwest::StatusCode::NO_CONTENT);
    resync(&world.client, &world.path, &world.key).await?;
    let gone: Option<i64> = journal.with_cache(|c| {
        c.conn().query_row(
            "SELECT deleted_at FROM subscription WHERE uuid = ?1",
            [healthy.as_bytes().to_vec()],
            |r| r.get(0),
        )
    })?;
    assert!(gone.is_some(), "the sync marks it deleted upstream");
    let options = journal.with_cache(|c| filter_options(c.conn(), Uuid::nil()))?;
    for option in &options.subscriptions {
        assert_eq!(
            option.deleted_at.is_some(),
            option.id == healthy,
            "the filter bar says which one is deleted: {option:?}"
        );
    }

    let after =
        journal.with_cache(|c| plan(c.conn(), &selection, PlanOptions::default(), Utc::now()))?;
    assert!(
        after.events.iter().all(|e| !e.targets.contains(&healthy)),
        "a deleted subscription receives no replay"
    );
    assert!(
        after.healthy_duplicates < before.healthy_duplicates,
        "{} then {}",
        before.healthy_duplicates,
        after.healthy_duplicates
    );

    // And Hook0 (the sandbox) agrees: replaying sends it nothing.
    let runs_before = runs(&world)?;
    let job = create_job(
        &journal,
        &after.manifest,
        Consent::Approved(&approval_of(&after.manifest)?),
        &fast_config(),
        Utc::now(),
    )?;
    run_job(&journal, &world.client, job, &JobControl::new(), None).await?;
    resync(&world.client, &world.path, &world.key).await?;
    let runs_after = runs(&world)?;
    for e in &after.events {
        let key = (e.event_id, healthy);
        assert_eq!(
            runs_after.get(&key),
            runs_before.get(&key),
            "event {}: no new run for the deleted subscription",
            e.event_id
        );
    }
    Ok(())
}
