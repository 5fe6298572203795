//! The in-memory database of one sandbox: organization, applications, subscriptions, events,
//! request attempts, and the worker's queue.
//!
//! Invariants: `Application::attempts` and `Subscription::attempts` are always sorted by
//! `(created_at ASC, id DESC)`, the exact reverse of Hook0's list order, so new attempts (which
//! are the newest) are appended cheaply and a page is a backwards walk. Ids of events, attempts
//! and responses are derived (see [`crate::ids`]), so an id lookup is a decode plus a check.

pub mod paging;

use crate::clock::{Micros, NONE};
use crate::delivery::Delivery;
use crate::ids::{self, IdKind};
use crate::model::{Application, Attempt, Event, Interner, Labels, Organization, Subscription};
use crate::rng::Rng;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use uuid::Uuid;

/// A step of the simulated worker for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// The worker picks the attempt and starts the (simulated) HTTP call.
    Start,
    /// The HTTP call ends; the outcome is written.
    Complete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Job {
    pub due: Micros,
    pub attempt: u32,
    pub phase: Phase,
}

/// A delivery in flight: like Hook0's PostgreSQL worker, nothing is written until it ends,
/// so the attempt still reads `pending` meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct InFlight {
    pub picked_at: Micros,
    pub delivery: Delivery,
}

/// Knobs of live processing.
#[derive(Debug, Clone, Copy)]
pub struct LiveSettings {
    pub time_scale: f64,
    pub max_retries: u16,
}

#[derive(Debug)]
pub struct Store {
    pub seed: u64,
    pub organization: Organization,
    pub applications: Vec<Application>,
    pub subscriptions: Vec<Subscription>,
    pub events: Vec<Event>,
    pub attempts: Vec<Attempt>,
    pub labels: Interner<Labels>,
    pub metadata: Interner<Labels>,
    pub ips: Interner<String>,
    pub payloads: Vec<Vec<u8>>,
    /// Events ingested with a client-chosen id (not derivable).
    pub foreign_event_ids: HashMap<Uuid, u32>,
    /// Attempts created after an event's own (retries of live chains, replays).
    pub later_event_attempts: HashMap<u32, Vec<u32>>,
    pub queue: BinaryHeap<Reverse<Job>>,
    pub in_flight: HashMap<u32, InFlight>,
    pub live_rng: Rng,
    pub live: LiveSettings,
}

/// Position of an attempt in the stored order: `(created_at ASC, id DESC)`.
pub fn sort_key(seed: u64, attempts: &[Attempt], index: u32) -> (Micros, u128) {
    let created_at = attempts.get(index as usize).map_or(NONE, |a| a.created_at);
    let id = attempt_id_of(seed, created_at, index).as_u128();
    (created_at, !id)
}

fn attempt_id_of(seed: u64, created_at: Micros, index: u32) -> Uuid {
    ids::v7(seed, IdKind::Attempt, index, created_at.div_euclid(1000))
}

impl Store {
    pub fn attempt(&self, index: u32) -> Option<&Attempt> {
        self.attempts.get(index as usize)
    }

    pub fn attempt_id(&self, index: u32) -> Uuid {
        let created_at = self.attempt(index).map_or(NONE, |a| a.created_at);
        attempt_id_of(self.seed, created_at, index)
    }

    /// The response id of an attempt that got a response (transport errors included).
    pub fn response_id(&self, index: u32) -> Option<Uuid> {
        let attempt = self.attempt(index)?;
        attempt.response?;
        Some(ids::v7(
            self.seed,
            IdKind::Response,
            index,
            attempt.finished_at.div_euclid(1000),
        ))
    }

    pub fn attempt_index(&self, id: Uuid) -> Option<u32> {
        let index = ids::v7_index(self.seed, IdKind::Attempt, id)?;
        (self.attempt(index).is_some() && self.attempt_id(index) == id).then_some(index)
    }

    pub fn response_index(&self, id: Uuid) -> Option<u32> {
        let index = ids::v7_index(self.seed, IdKind::Response, id)?;
        (self.response_id(index) == Some(id)).then_some(index)
    }

    pub fn event_index(&self, id: Uuid) -> Option<u32> {
        if let Some(index) = ids::v7_index(self.seed, IdKind::Event, id)
            && self.events.get(index as usize).is_some_and(|e| e.id == id)
        {
            return Some(index);
        }
        self.foreign_event_ids.get(&id).copied()
    }

    /// The event `id` when it belongs to application `app` (a foreign one reads as absent,
    /// like Hook0's 404 inside an accessible application).
    pub fn event_in_application(&self, id: Uuid, app: u32) -> Option<u32> {
        self.event_index(id).filter(|&e| {
            self.events
                .get(e as usize)
                .is_some_and(|e| e.application == app)
        })
    }

    /// Whether attempt (or response) index `i` was sent by a subscription of `app`.
    pub fn attempt_in_application(&self, i: u32, app: u32) -> bool {
        self.attempt(i)
            .and_then(|a| self.subscriptions.get(a.subscription as usize))
            .is_some_and(|s| s.application == app)
    }

    pub fn application_index(&self, id: Uuid) -> Option<u32> {
        self.applications
            .iter()
            .position(|a| a.id == id)
            .map(|i| i as u32)
    }

    pub fn application_by_secret(&self, secret: Uuid) -> Option<u32> {
        self.applications
            .iter()
            .position(|a| a.secret == secret)
            .map(|i| i as u32)
    }

    pub fn subscription_index(&self, id: Uuid) -> Option<u32> {
        self.subscriptions
            .iter()
            .position(|s| s.id == id)
            .map(|i| i as u32)
    }

    /// Every attempt of an event, in creation order.
    pub fn event_attempts(&self, event: u32) -> Vec<u32> {
        let mut out = Vec::new();
        if let Some(e) = self.events.get(event as usize) {
            out.extend(e.first_attempt..e.first_attempt + e.attempt_count);
        }
        if let Some(later) = self.later_event_attempts.get(&event) {
            out.extend_from_slice(later);
        }
        out
    }

    /// Adds a live attempt and indexes it; returns its index.
    pub fn insert_attempt(&mut self, attempt: Attempt) -> u32 {
        let index = self.attempts.len() as u32;
        self.attempts.push(attempt);
        let key = sort_key(self.seed, &self.attempts, index);
        let (seed, attempts) = (self.seed, &self.attempts);
        let position =
            |list: &Vec<u32>| list.partition_point(|&i| sort_key(seed, attempts, i) <= key);
        if let Some(sub) = self.subscriptions.get_mut(attempt.subscription as usize) {
            let at = position(&sub.attempts);
            sub.attempts.insert(at, index);
            if let Some(app) = self.applications.get_mut(sub.application as usize) {
                let at = position(&app.attempts);
                app.attempts.insert(at, index);
            }
        }
        if let Some(event) = self.events.get_mut(attempt.event as usize) {
            if event.attempt_count == 0 {
                event.first_attempt = index;
            }
            if event.first_attempt + event.attempt_count == index {
                event.attempt_count += 1;
            } else {
                self.later_event_attempts
                    .entry(attempt.event)
                    .or_default()
                    .push(index);
            }
        }
        index
    }

    /// Sorts every per-application and per-subscription index (after bulk generation).
    pub fn build_indexes(&mut self) {
        let seed = self.seed;
        let attempts = &self.attempts;
        let mut keyed: Vec<(Micros, u128, u32)> = Vec::new();
        let mut sort = |list: &mut Vec<u32>| {
            keyed.clear();
            keyed.extend(list.iter().map(|&i| {
                let (c, id) = sort_key(seed, attempts, i);
                (c, id, i)
            }));
            keyed.sort_unstable();
            list.clear();
            list.extend(keyed.iter().map(|k| k.2));
        };
        for app in &mut self.applications {
            sort(&mut app.attempts);
        }
        for sub in &mut self.subscriptions {
            sort(&mut sub.attempts);
        }
    }

    pub fn schedule(&mut self, job: Job) {
        self.queue.push(Reverse(job));
    }

    pub fn next_due(&self) -> Option<Micros> {
        self.queue.peek().map(|Reverse(job)| job.due)
    }
}
