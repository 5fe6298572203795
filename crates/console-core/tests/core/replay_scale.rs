//! Plan time at scale, not a benchmark (that is `cargo xtask bench replay`): about a million
//! attempts of which a tenth belong to deliveries that gave up, then the plan of the filter
//! "gave up" over everything. Ignored by default; run it in release:
//!
//! `cargo test --release -p console-core --test core replay_scale -- --ignored --nocapture`
//! (`REPLAY_SCALE_ATTEMPTS` changes the size; the goal is under 2 s at 1,000,000.)

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Duration, Utc};
use console_core::cache::ChainOutcome;
use console_core::query::DeliveryFilter;
use console_core::record::{EventRecord, Payload};
use console_core::replay::{Journal, PlanOptions, RunConfig, Selection, baselines, plan};
use hook0_client::generated::RequestAttempt;
use uuid::Uuid;

use crate::cache_support::*;

const SUBS: usize = 10;
const PER_EVENT: usize = 3;

#[test]
#[ignore = "a million-row check; run in release with --ignored"]
fn replay_scale() -> anyhow::Result<()> {
    let attempts: usize = std::env::var("REPLAY_SCALE_ATTEMPTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    // Every delivery has one attempt, except one in nine that fails twice and gives up:
    // 9 deliveries → 10 attempts, so a tenth of the attempts' deliveries... and a tenth of
    // the attempts (counting both failures) belong to deliveries that gave up.
    let deliveries = attempts * 9 / 10;
    let events = deliveries / PER_EVENT;
    let t = temp_cache()?;
    let TempCache {
        _dir: _keep,
        path: _,
        key,
        mut cache,
    } = t;
    let mut f = fixture();
    f.subs = (0..SUBS).map(|_| Uuid::new_v4()).collect();
    seed_metadata(&mut cache, &f, 30)?;
    let start = t0() - Duration::days(30);
    let step = (30 * 86_400_000_000i64) / events as i64;
    let mut batch: Vec<RequestAttempt> = Vec::new();
    let mut failing_events = Vec::new();
    let mut gave_up = 0usize;
    let began = Instant::now();
    for i in 0..events {
        let at = start + Duration::microseconds(step * i as i64);
        let event = v7(at);
        let mut failed_here = false;
        for k in 0..PER_EVENT {
            let sub = f.subs[(i + k * 3) % SUBS];
            let delivery = i * PER_EVENT + k;
            if delivery % 9 == 4 {
                batch.push(attempt(event, sub, at, 0, St::Http(500)));
                batch.push(attempt(
                    event,
                    sub,
                    at + Duration::seconds(3),
                    1,
                    St::Http(500),
                ));
                gave_up += 1;
                failed_here = true;
            } else {
                batch.push(attempt(event, sub, at, 0, St::Ok(200)));
            }
        }
        if failed_here {
            failing_events.push((event, at));
        }
        if batch.len() >= 20_000 || i + 1 == events {
            let mut tx = cache.ingest()?;
            tx.attempts(f.app, &batch)?;
            tx.commit()?;
            batch.clear();
        }
    }
    // Failed events' payloads (and labels) are what a sync fetches first.
    let mut tx = cache.ingest()?;
    for (n, (event, at)) in failing_events.iter().enumerate() {
        tx.event(
            f.app,
            &EventRecord {
                event_id: *event,
                event_type_name: "billing.invoice.paid".into(),
                payload: Payload {
                    content_type: "application/json".into(),
                    bytes: br#"{"ok":false}"#.to_vec(),
                },
                labels: [("env".to_owned(), "prod".to_owned())].into(),
                metadata: BTreeMap::new(),
                ip: String::new(),
                occurred_at: *at,
                received_at: *at,
            },
        )?;
        if n % 20_000 == 19_999 {
            tx.commit()?;
            tx = cache.ingest()?;
        }
    }
    tx.commit()?;
    cache.analyze()?;
    println!(
        "{} attempts, {gave_up} deliveries gave up on {} events, built in {:.1} s",
        events * PER_EVENT + gave_up,
        failing_events.len(),
        began.elapsed().as_secs_f64()
    );

    let reader = cache.reader(&key)?;
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        outcomes: Some(vec![ChainOutcome::GaveUp]),
        ..DeliveryFilter::default()
    }));
    let mut times = Vec::new();
    for _ in 0..3 {
        let began = Instant::now();
        let planned = plan(
            reader.conn(),
            &selection,
            PlanOptions::default(),
            Utc::now(),
        )?;
        times.push(began.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(planned.deliveries_selected as usize, gave_up);
        assert_eq!(planned.events.len(), failing_events.len());
        assert!(planned.excluded.is_empty());
        assert!(planned.events.iter().all(|e| e.targets.len() == SUBS));
    }
    println!("plan: {times:.0?} ms");
    let best = times.iter().copied().fold(f64::MAX, f64::min);
    if attempts >= 1_000_000 && !cfg!(debug_assertions) {
        assert!(best < 2_000.0, "plan_ms {best:.0} (goal < 2000)");
    }

    // The journal of a job that size: recorded once, then read entry by entry while it runs.
    let manifest = plan(
        reader.conn(),
        &selection,
        PlanOptions::default(),
        Utc::now(),
    )?
    .manifest;
    drop(reader);
    let journal = Journal::new(cache)?;
    let began = Instant::now();
    let bases = journal.with_cache(|c| baselines(c.conn(), &manifest))?;
    let job = journal.create_job(&manifest, &bases, &RunConfig::default(), Utc::now())?;
    let create_ms = began.elapsed().as_secs_f64() * 1000.0;
    let began = Instant::now();
    for position in (0..manifest.events.len() as u32).step_by(997) {
        journal.entry(job, position)?;
        journal.counts(job)?;
    }
    let per_step_ms =
        began.elapsed().as_secs_f64() * 1000.0 / (manifest.events.len() / 997 + 1) as f64;
    println!(
        "journal: job of {} events recorded in {create_ms:.0} ms; one entry + counts {per_step_ms:.2} ms",
        manifest.events.len()
    );
    Ok(())
}
