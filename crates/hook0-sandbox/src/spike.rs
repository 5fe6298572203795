//! A failure spike on demand: one subscription's target fails many deliveries just now.
//!
//! End-to-end tests of failure-spike notifications need a spike at a known time without
//! waiting for the worker: [`seed_failure_spike`] adds `failures` new events, each delivered
//! once to that subscription only and failed with HTTP 503, created evenly over the last
//! `within`. The attempts are final (no retry is queued), so the served history then stays
//! still with a paused worker.

use crate::clock::{MICROS_PER_MS, Micros};
use crate::error::SandboxError;
use crate::ids::{self, IdKind};
use crate::model::{Attempt, AttemptState, ContentType, Event, Payload, ResponseKind};
use crate::store::Store;
use std::collections::BTreeMap;
use uuid::Uuid;

/// How long each seeded delivery "took" before its target answered 503.
const ELAPSED_MS: u32 = 120;

/// Adds the spike at `now`; returns the new attempts' ids, oldest first.
pub fn seed_failure_spike(
    store: &mut Store,
    subscription_id: Uuid,
    failures: u32,
    within: Micros,
    now: Micros,
) -> Result<Vec<Uuid>, SandboxError> {
    if failures == 0 || within <= 0 {
        return Err(SandboxError::InvalidOption(
            "a spike needs at least one failure over a positive duration".into(),
        ));
    }
    let sub = store
        .subscription_index(subscription_id)
        .ok_or(SandboxError::UnknownSubscription(subscription_id))?;
    let (app, event_type, mut labels) = store
        .subscriptions
        .get(sub as usize)
        .and_then(|s| Some((s.application, *s.event_types.first()?, s.labels.clone())))
        .ok_or_else(|| {
            SandboxError::InvalidOption(format!(
                "subscription {subscription_id} listens to no event type"
            ))
        })?;
    if labels.is_empty() {
        // Hook0 refuses events without labels; any label matches a subscription without any.
        labels.insert("source".into(), "spike".into());
    }
    let labels = store.labels.intern(labels);
    let metadata = store.metadata.intern(BTreeMap::new());
    let ip = store.ips.intern("127.0.0.1".into());
    let mut ids = Vec::with_capacity(failures as usize);
    for i in 0..failures {
        let created_at = now - within * i64::from(failures - i) / i64::from(failures);
        let index = store.events.len() as u32;
        store.events.push(Event {
            id: ids::v7(store.seed, IdKind::Event, index, created_at / MICROS_PER_MS),
            application: app,
            event_type,
            received_at: created_at,
            occurred_at: created_at,
            labels,
            metadata,
            ip,
            content_type: ContentType::Json,
            payload: Payload::Generated,
            first_attempt: 0,
            attempt_count: 0,
        });
        if let Some(a) = store.applications.get_mut(app as usize) {
            a.events.push(index);
        }
        let attempt = store.insert_attempt(Attempt::new(created_at, index, sub, 0));
        if let Some(a) = store.attempts.get_mut(attempt as usize) {
            a.picked_at = created_at + 20 * MICROS_PER_MS;
            a.finished_at = (a.picked_at + i64::from(ELAPSED_MS) * MICROS_PER_MS).min(now);
            a.elapsed_ms = ELAPSED_MS;
            a.http_status = 503;
            a.response = Some(ResponseKind::Http);
            a.state = AttemptState::Failed;
        }
        ids.push(store.attempt_id(attempt));
    }
    Ok(ids)
}
