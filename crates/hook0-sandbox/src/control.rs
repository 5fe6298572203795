//! The runtime handle tests (and the desktop app) use to steer a running sandbox: faults,
//! rate limiting, subscription behaviours, the worker's clock, and seeded failure spikes.

use crate::clock::{Micros, to_datetime};
use crate::error::SandboxError;
use crate::lifecycle::process_due;
use crate::options::{Behaviour, Faults};
use crate::state::Shared;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use uuid::Uuid;

/// Upper bound on jobs one [`SandboxControl::flush`] runs (a safety net, never reached by a
/// sane scenario).
const FLUSH_LIMIT: usize = 20_000_000;

/// A subscription as the control handle describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionInfo {
    pub id: Uuid,
    pub description: Option<String>,
    pub is_enabled: bool,
    pub event_types: Vec<String>,
    pub labels: std::collections::BTreeMap<String, String>,
    pub behaviour: Behaviour,
}

/// Cloneable handle on a running sandbox.
#[derive(Debug, Clone)]
pub struct SandboxControl {
    pub(crate) shared: Arc<Shared>,
}

impl SandboxControl {
    pub fn faults(&self) -> Faults {
        self.shared.faults.lock().faults()
    }

    /// Replaces all fault switches (a configured storm window starts counting now).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.lock().set(faults);
    }

    /// Every request gets 429 for `lasts`, starting now.
    pub fn start_storm(&self, lasts: Duration) {
        self.shared.faults.lock().storm_now(lasts);
    }

    pub fn set_rate_limit(&self, enabled: bool) {
        self.shared.limits.set_enabled(enabled);
    }

    pub fn rate_limit(&self) -> bool {
        self.shared.limits.enabled()
    }

    pub fn set_subscription_behaviour(
        &self,
        subscription_id: Uuid,
        behaviour: Behaviour,
    ) -> Result<(), SandboxError> {
        let mut store = self.shared.store.write();
        let index = store
            .subscription_index(subscription_id)
            .ok_or(SandboxError::UnknownSubscription(subscription_id))?;
        if let Some(sub) = store.subscriptions.get_mut(index as usize) {
            sub.behaviour = behaviour;
        }
        Ok(())
    }

    /// The subscriptions of an application, in creation order.
    pub fn subscriptions(&self, application_id: Uuid) -> Vec<SubscriptionInfo> {
        let store = self.shared.store.read();
        let Some(app) = store
            .application_index(application_id)
            .and_then(|a| store.applications.get(a as usize))
        else {
            return Vec::new();
        };
        app.subscriptions
            .iter()
            .filter_map(|&s| store.subscriptions.get(s as usize))
            .filter(|s| s.deleted_at.is_none())
            .map(|s| SubscriptionInfo {
                id: s.id,
                description: s.description.clone(),
                is_enabled: s.is_enabled,
                event_types: s
                    .event_types
                    .iter()
                    .filter_map(|&t| app.event_types.get(usize::from(t)))
                    .map(|t| t.name.clone())
                    .collect(),
                labels: s.labels.clone(),
                behaviour: s.behaviour,
            })
            .collect()
    }

    /// The sandbox's "now" (wall time plus every advance).
    pub fn now(&self) -> DateTime<Utc> {
        to_datetime(self.shared.clock.now())
    }

    /// Moves the clock forward by `by` and runs, in time order, every job that became due.
    pub fn advance(&self, by: Duration) -> usize {
        self.shared.clock.advance(by);
        let ran = self.run_due();
        self.shared.wake.notify_one();
        ran
    }

    /// Runs every job already due.
    pub fn run_due(&self) -> usize {
        let now = self.shared.clock.now();
        process_due(&mut self.shared.store.write(), now, usize::MAX)
    }

    /// Runs all queued work to the end — every live chain succeeds or gives up — moving the
    /// clock forward to each job's due time as needed. Returns how many jobs ran.
    pub fn flush(&self) -> usize {
        let mut ran = 0;
        let mut store = self.shared.store.write();
        while ran < FLUSH_LIMIT {
            let Some(due) = store.next_due() else { break };
            self.shared.clock.advance_to(due);
            ran += process_due(&mut store, due, usize::MAX);
        }
        drop(store);
        self.shared.wake.notify_one();
        ran
    }

    /// Stops the background worker; [`SandboxControl::advance`] and [`SandboxControl::flush`]
    /// still run jobs, so a test decides exactly when the lifecycle moves.
    pub fn pause_worker(&self) {
        self.shared.paused.store(true, Ordering::SeqCst);
    }

    pub fn resume_worker(&self) {
        self.shared.paused.store(false, Ordering::SeqCst);
        self.shared.wake.notify_one();
    }

    /// Every user access token expires now, as after five idle minutes; refresh tokens still
    /// work, so a client has to refresh.
    pub fn expire_access_tokens(&self) {
        let now = self.shared.clock.now();
        self.shared.sessions.lock().expire_access_tokens(now);
    }

    /// Every user token expires now, refresh tokens included: clients must sign in again.
    pub fn expire_user_sessions(&self) {
        let now = self.shared.clock.now();
        self.shared.sessions.lock().expire_all(now);
    }

    /// Jobs waiting in the worker's queue.
    pub fn queued(&self) -> usize {
        self.shared.store.read().queue.len()
    }

    pub fn attempt_count(&self) -> usize {
        self.shared.store.read().attempts.len()
    }

    pub fn event_count(&self) -> usize {
        self.shared.store.read().events.len()
    }

    /// `(created_at, request_attempt_id)` of every attempt of an application, read straight from
    /// the store (not through paging), for tests that check paging independently.
    pub fn attempt_keys(&self, application_id: Uuid) -> Vec<(DateTime<Utc>, Uuid)> {
        let store = self.shared.store.read();
        let Some(app) = store
            .application_index(application_id)
            .and_then(|a| store.applications.get(a as usize))
        else {
            return Vec::new();
        };
        app.attempts
            .iter()
            .filter_map(|&i| {
                let created: Micros = store.attempt(i)?.created_at;
                Some((to_datetime(created), store.attempt_id(i)))
            })
            .collect()
    }

    /// Makes an event's payload or a response (by its id) answer 404 from now on, as when
    /// Hook0's retention removed it while the console still holds attempts naming it.
    pub fn expire_content(&self, id: Uuid) {
        self.shared.expiry.lock().expire(id);
    }

    /// A failure spike now: `failures` new events, each delivered once to this subscription
    /// only and failed with HTTP 503, created evenly over the last `within` (see
    /// [`crate::spike`]). Returns the new attempts' ids, oldest first.
    pub fn seed_failure_spike(
        &self,
        subscription_id: Uuid,
        failures: u32,
        within: Duration,
    ) -> Result<Vec<Uuid>, SandboxError> {
        let now = self.shared.clock.now();
        let within = crate::clock::duration_micros(within);
        let mut store = self.shared.store.write();
        crate::spike::seed_failure_spike(&mut store, subscription_id, failures, within, now)
    }

    /// How many times `GET /events/{id}` or `GET /responses/{id}` reached the server for `id`.
    pub fn content_requests(&self, id: Uuid) -> u64 {
        self.shared.expiry.lock().asked(id)
    }

    /// Ids of an application's events, oldest first.
    pub fn event_ids(&self, application_id: Uuid) -> Vec<Uuid> {
        let store = self.shared.store.read();
        store
            .application_index(application_id)
            .and_then(|a| store.applications.get(a as usize))
            .map(|a| {
                a.events
                    .iter()
                    .filter_map(|&e| store.events.get(e as usize).map(|e| e.id))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many times `POST /events/{id}/replay` succeeded for each event since the start
    /// (or the last [`SandboxControl::reset_replay_counts`]): the server-side truth a replay
    /// test checks for duplicates and skips.
    pub fn replay_counts(&self) -> std::collections::HashMap<Uuid, u64> {
        self.shared.replays.lock().clone()
    }

    /// Successful replays of one event.
    pub fn replays_of(&self, event_id: Uuid) -> u64 {
        self.shared
            .replays
            .lock()
            .get(&event_id)
            .copied()
            .unwrap_or(0)
    }

    /// Forgets every replay count.
    pub fn reset_replay_counts(&self) {
        self.shared.replays.lock().clear();
    }
}
