//! Live request-attempt lifecycle, as Hook0's output worker runs it.
//!
//! Ingest and replay fan an event out to every matching subscription (one attempt each, all
//! sharing one `created_at`, as one SQL statement would). The worker then picks each attempt,
//! "calls" the target (see [`crate::delivery`]), records the outcome and, on failure, inserts
//! the next attempt with `retry_count + 1` and a `delay_until` from Hook0's schedule. Delays and
//! call durations are divided by the time scale. Jobs run at their own due time, so advancing
//! the clock by an hour replays that hour step by step.

use crate::clock::{Micros, NONE};
use crate::delivery::{retry_delay_micros, simulate};
use crate::model::{Attempt, AttemptState};
use crate::store::{InFlight, Job, Phase, Store};

fn scaled(store: &Store, micros: i64) -> i64 {
    ((micros as f64) / store.live.time_scale).max(1.0) as i64
}

fn pick_latency(store: &mut Store) -> i64 {
    let raw = store.live_rng.between(3_000, 250_000);
    scaled(store, raw)
}

/// Creates attempt chains for every subscription matching `event` right now; returns how many.
pub fn fan_out(store: &mut Store, event: u32, now: Micros) -> usize {
    let Some(ev) = store.events.get(event as usize) else {
        return 0;
    };
    let (event_type, app) = (ev.event_type, ev.application);
    let Some(labels) = store.labels.get(ev.labels).cloned() else {
        return 0;
    };
    let matching: Vec<u32> = store
        .applications
        .get(app as usize)
        .map(|a| {
            a.subscriptions
                .iter()
                .copied()
                .filter(|&s| {
                    store
                        .subscriptions
                        .get(s as usize)
                        .is_some_and(|s| s.matches(event_type, &labels))
                })
                .collect()
        })
        .unwrap_or_default();
    for &sub in &matching {
        let attempt = store.insert_attempt(Attempt::new(now, event, sub, 0));
        let due = now + pick_latency(store);
        store.schedule(Job {
            due,
            attempt,
            phase: Phase::Start,
        });
    }
    matching.len()
}

/// Runs one worker step at the job's due time.
pub fn run_job(store: &mut Store, job: Job) {
    match job.phase {
        Phase::Start => start(store, job),
        Phase::Complete => complete(store, job),
    }
}

fn start(store: &mut Store, job: Job) {
    let Some(attempt) = store.attempt(job.attempt).copied() else {
        return;
    };
    if !attempt.is_open() || store.in_flight.contains_key(&job.attempt) {
        return;
    }
    let Some(behaviour) = store
        .subscriptions
        .get(attempt.subscription as usize)
        .map(|s| s.behaviour)
    else {
        return;
    };
    let delivery = simulate(behaviour, &mut store.live_rng);
    store.in_flight.insert(
        job.attempt,
        InFlight {
            picked_at: job.due,
            delivery,
        },
    );
    let done = job.due + scaled(store, i64::from(delivery.elapsed_ms) * 1_000);
    store.schedule(Job {
        due: done,
        attempt: job.attempt,
        phase: Phase::Complete,
    });
}

fn complete(store: &mut Store, job: Job) {
    let Some(flight) = store.in_flight.remove(&job.attempt) else {
        return;
    };
    let max_retries = store.live.max_retries;
    let Some(attempt) = store.attempts.get_mut(job.attempt as usize) else {
        return;
    };
    if !attempt.is_open() {
        return;
    }
    let delivery = flight.delivery;
    attempt.picked_at = flight.picked_at;
    attempt.finished_at = job.due;
    attempt.elapsed_ms = delivery.elapsed_ms;
    attempt.http_status = delivery.http_status;
    attempt.response = Some(delivery.kind);
    attempt.state = if delivery.succeeded() {
        AttemptState::Succeeded
    } else {
        AttemptState::Failed
    };
    let finished = *attempt;
    if delivery.succeeded() || finished.retry_count >= max_retries {
        return;
    }
    let still_enabled = store
        .subscriptions
        .get(finished.subscription as usize)
        .is_some_and(|s| s.is_live());
    if !still_enabled {
        return;
    }
    let retry = finished.retry_count + 1;
    let raw_delay = retry_delay_micros(retry, &mut store.live_rng);
    let created_at = job.due + 1;
    let mut next = Attempt::new(created_at, finished.event, finished.subscription, retry);
    next.delay_until = created_at + scaled(store, raw_delay);
    let due = next.delay_until + pick_latency(store);
    let index = store.insert_attempt(next);
    store.schedule(Job {
        due,
        attempt: index,
        phase: Phase::Start,
    });
}

/// Runs every job due at or before `now`, at most `limit`; returns how many ran.
pub fn process_due(store: &mut Store, now: Micros, limit: usize) -> usize {
    let mut ran = 0;
    while ran < limit
        && let Some(due) = store.next_due()
        && due <= now
    {
        if let Some(std::cmp::Reverse(job)) = store.queue.pop() {
            run_job(store, job);
            ran += 1;
        }
    }
    ran
}

/// What disabling a subscription does in Hook0: every unfinished attempt is marked failed at
/// once, with no response and no `picked_at`. Returns how many were cancelled.
pub fn cancel_open_attempts(store: &mut Store, subscription: u32, now: Micros) -> usize {
    let Some(sub) = store.subscriptions.get(subscription as usize) else {
        return 0;
    };
    let open: Vec<u32> = sub
        .attempts
        .iter()
        .copied()
        .filter(|&i| store.attempt(i).is_some_and(|a| a.is_open()))
        .collect();
    for &i in &open {
        store.in_flight.remove(&i);
        if let Some(a) = store.attempts.get_mut(i as usize) {
            a.state = AttemptState::Failed;
            a.finished_at = now;
            a.picked_at = NONE;
        }
    }
    open.len()
}
