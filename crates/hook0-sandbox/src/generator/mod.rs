//! The deterministic scenario: an organization, its applications, subscriptions, events and a
//! past of request attempts ending at `history_end`.
//!
//! Everything is drawn from one seeded stream in a fixed order, so a seed and an end time give
//! the same scenario byte for byte. Events arrive in time order over the last ten days; each
//! fans out to its matching subscriptions with all first attempts sharing the event's
//! `received_at` (the tie that exposes Hook0's cursor bug). Chains are simulated with the same
//! [`delivery`](crate::delivery) model and retry schedule as live processing; chains still
//! running at `history_end` are handed to the live worker (waiting retries, pending attempts).
//! One subscription in four-plus per application points at a dead endpoint, so old chains give
//! up after the last retry; one in seven-plus was disabled mid-history, which force-failed its
//! open attempts exactly as Hook0 does.

pub mod catalog;
pub mod content;

use crate::clock::{MICROS_PER_MS, MICROS_PER_SEC, Micros, NONE};
use crate::delivery::{retry_delay_micros, simulate};
use crate::ids::{self, IdKind};
use crate::model::{
    Application, Attempt, AttemptState, ContentType, Event, EventType, Interner, Labels,
    Organization, Payload, Subscription, Target,
};
use crate::options::{Behaviour, ScenarioConfig};
use crate::rng::Rng;
use crate::store::{Job, LiveSettings, Phase, Store};
use catalog::{DOMAINS, IPS, TARGETS, TENANTS};
use std::collections::{BTreeMap, BinaryHeap, HashMap};

const HISTORY_DAYS: i64 = 10;
const DAY: i64 = 86_400 * MICROS_PER_SEC;
const SCENARIO_STREAM: u64 = 0x5343_454E;
const LIVE_STREAM: u64 = 0x4C49_5645;

/// Builds the store for `config`, with history ending at `history_end`.
pub fn generate(config: &ScenarioConfig, history_end: Micros, live: LiveSettings) -> Store {
    let seed = config.seed;
    let mut rng = Rng::derive(seed, SCENARIO_STREAM, 0);
    let history_start = history_end - HISTORY_DAYS * DAY;
    let organization = Organization {
        id: ids::v4(seed, IdKind::Organization, 0),
        name: "Sandbox organization".to_owned(),
        user_id: ids::v4(seed, IdKind::User, 0),
    };
    let mut store = Store {
        seed,
        organization,
        applications: Vec::new(),
        subscriptions: Vec::new(),
        events: Vec::new(),
        attempts: Vec::new(),
        labels: Interner::new(),
        metadata: Interner::new(),
        ips: Interner::new(),
        payloads: Vec::new(),
        foreign_event_ids: HashMap::new(),
        later_event_attempts: HashMap::new(),
        queue: BinaryHeap::new(),
        in_flight: HashMap::new(),
        live_rng: Rng::derive(seed, LIVE_STREAM, 0),
        live,
    };
    let mut disabled_at = Vec::new();
    for a in 0..config.applications {
        add_application(
            &mut store,
            &mut disabled_at,
            config,
            a,
            history_start,
            &mut rng,
        );
    }
    let mut history = History {
        store,
        disabled_at,
        rng,
        history_end,
        max_retries: live.max_retries,
    };
    history.events(config, history_start);
    let mut store = history.store;
    store.build_indexes();
    store
}

fn add_application(
    store: &mut Store,
    disabled_at: &mut Vec<Micros>,
    config: &ScenarioConfig,
    a: u32,
    history_start: Micros,
    rng: &mut Rng,
) {
    let seed = config.seed;
    let domain_count = DOMAINS.len() as u32;
    let (domain_name, types) = DOMAINS
        .get((a % domain_count) as usize)
        .map(|d| (d.name, d.event_types))
        .unwrap_or(("Application", &[]));
    let round = a / domain_count;
    let name = if round == 0 {
        domain_name.to_owned()
    } else {
        format!("{domain_name} {}", round + 1)
    };
    let event_types: Vec<EventType> = types.iter().filter_map(|t| EventType::parse(t)).collect();
    let app_index = store.applications.len() as u32;
    let mut subscriptions = Vec::new();
    for k in 0..config.subscriptions {
        let s = store.subscriptions.len() as u32;
        let (description, url, method) = TARGETS
            .get(((a * 5 + k) % TARGETS.len() as u32) as usize)
            .copied()
            .unwrap_or(("Webhook", "https://hooks.example/webhook", "POST"));
        // A dead endpoint listens to one event type only, so its long chains stay a minority.
        let dead = k % 4 == 3;
        let mut subscribed: Vec<u16> = (0..event_types.len() as u16)
            .filter(|_| k == 0 || (!dead && rng.chance(0.5)))
            .collect();
        if subscribed.is_empty() && !event_types.is_empty() {
            subscribed.push(rng.below(event_types.len() as u64) as u16);
        }
        let mut labels = Labels::new();
        let env = if k % 5 == 4 { "staging" } else { "production" };
        labels.insert("env".to_owned(), env.to_owned());
        if k % 7 == 6 {
            labels.insert(
                "tenant".to_owned(),
                format!("t_{:04}", rng.below(u64::from(TENANTS))),
            );
        }
        let mut metadata = BTreeMap::new();
        if k % 2 == 0 {
            let team = rng.pick_str(&["payments-team", "growth", "platform", "data"]);
            metadata.insert("owner".to_owned(), team.to_owned());
        }
        let mut headers = BTreeMap::new();
        if k % 3 == 1 {
            headers.insert("x-source".to_owned(), "hook0".to_owned());
        }
        let behaviour = if config.failure_rate <= 0.0 {
            Behaviour::Succeed
        } else if dead {
            match a % 4 {
                0 => Behaviour::FailWith(410),
                1 => Behaviour::Timeout,
                2 => Behaviour::ConnectionRefused,
                _ => Behaviour::FailWith(500),
            }
        } else {
            let factor = 0.3 + 1.4 * rng.unit();
            Behaviour::Flaky {
                failure_rate: (config.failure_rate * factor).clamp(0.0, 1.0),
            }
        };
        let created_at = history_start - DAY * (1 + i64::from(k % 20));
        let disabled = k % 7 == 5;
        let off_at = if disabled {
            history_start + HISTORY_DAYS * DAY * 7 / 10
        } else {
            NONE
        };
        disabled_at.push(off_at);
        store.subscriptions.push(Subscription {
            id: ids::v4(seed, IdKind::Subscription, u64::from(s)),
            application: app_index,
            is_enabled: !disabled,
            deleted_at: None,
            event_types: subscribed,
            description: (k % 11 != 10).then(|| description.to_owned()),
            secret: ids::v4(seed, IdKind::SubscriptionSecret, u64::from(s)),
            metadata,
            labels,
            target: Target {
                method: method.to_owned(),
                url: url.to_owned(),
                headers,
            },
            created_at,
            updated_at: if disabled { off_at } else { created_at },
            behaviour,
            attempts: Vec::new(),
        });
        subscriptions.push(s);
    }
    store.applications.push(Application {
        id: ids::v4(seed, IdKind::Application, u64::from(a)),
        name,
        secret: ids::v4(seed, IdKind::ApplicationSecret, u64::from(a)),
        event_types,
        subscriptions,
        events: Vec::new(),
        attempts: Vec::new(),
    });
}

struct History {
    store: Store,
    disabled_at: Vec<Micros>,
    rng: Rng,
    history_end: Micros,
    max_retries: u16,
}

impl History {
    fn events(&mut self, config: &ScenarioConfig, history_start: Micros) {
        let apps = self.store.applications.len() as u64;
        if apps == 0 || config.events == 0 {
            return;
        }
        let label_sets: Vec<u32> = (0..TENANTS * 2)
            .map(|i| {
                let mut labels = Labels::new();
                let env = if i % 2 == 0 { "production" } else { "staging" };
                labels.insert("env".to_owned(), env.to_owned());
                labels.insert("tenant".to_owned(), format!("t_{:04}", i / 2));
                self.store.labels.intern(labels)
            })
            .collect();
        let metadata_sets: Vec<u32> = [
            vec![],
            vec![("source", "api")],
            vec![("source", "batch"), ("job", "nightly-reconciliation")],
            vec![("source", "api"), ("sdk", "hook0-client-rust/2.0.3")],
        ]
        .into_iter()
        .map(|pairs| {
            let map: Labels = pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            self.store.metadata.intern(map)
        })
        .collect();
        let ips: Vec<u32> = IPS
            .iter()
            .map(|ip| self.store.ips.intern((*ip).to_owned()))
            .collect();

        let step = (HISTORY_DAYS * DAY / i64::from(config.events)).max(1);
        for e in 0..config.events {
            let rng = &mut self.rng;
            let received_at = history_start + i64::from(e) * step + rng.between(0, step - 1);
            let app = rng.below(apps).min(rng.below(apps)) as u32;
            let type_count = self
                .store
                .applications
                .get(app as usize)
                .map_or(0, |a| a.event_types.len() as u64);
            let event_type = rng.below(type_count).min(rng.below(type_count)) as u16;
            let production = rng.chance(0.88);
            let tenant = rng.below(u64::from(TENANTS)) as usize;
            let labels = label_sets
                .get(tenant * 2 + usize::from(!production))
                .copied()
                .unwrap_or(0);
            let metadata = rng.pick(&metadata_sets).copied().unwrap_or(0);
            let ip = rng.pick(&ips).copied().unwrap_or(0);
            let content_type = match rng.below(100) {
                0..86 => ContentType::Json,
                86..95 => ContentType::Text,
                _ => ContentType::Binary,
            };
            let mut occurred_at = received_at - rng.between(0, 5 * MICROS_PER_SEC);
            if rng.chance(0.3) {
                occurred_at -= occurred_at.rem_euclid(MICROS_PER_SEC);
            }
            let index = self.store.events.len() as u32;
            let first_attempt = self.store.attempts.len() as u32;
            self.store.events.push(Event {
                id: ids::v7(
                    self.store.seed,
                    IdKind::Event,
                    index,
                    received_at / MICROS_PER_MS,
                ),
                application: app,
                event_type,
                received_at,
                occurred_at,
                labels,
                metadata,
                ip,
                content_type,
                payload: Payload::Generated,
                first_attempt,
                attempt_count: 0,
            });
            if let Some(a) = self.store.applications.get_mut(app as usize) {
                a.events.push(index);
            }
            self.fan_out(index, app, event_type, labels, received_at);
            let count = self.store.attempts.len() as u32 - first_attempt;
            if let Some(ev) = self.store.events.get_mut(index as usize) {
                ev.attempt_count = count;
            }
        }
    }

    fn fan_out(&mut self, event: u32, app: u32, event_type: u16, labels: u32, at: Micros) {
        let Some(labels) = self.store.labels.get(labels) else {
            return;
        };
        let matching: Vec<u32> = self
            .store
            .applications
            .get(app as usize)
            .map(|a| a.subscriptions.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|&s| {
                let off = self.disabled_at.get(s as usize).copied().unwrap_or(NONE);
                self.store.subscriptions.get(s as usize).is_some_and(|sub| {
                    let enabled_then = off == NONE || at < off;
                    enabled_then
                        && sub.event_types.contains(&event_type)
                        && sub.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
                })
            })
            .collect();
        for sub in matching {
            self.chain(event, app, sub, at);
        }
    }

    /// Simulates one attempt chain from its first attempt until success, give-up, the end of
    /// the history (handed to the live worker) or the subscription being disabled.
    fn chain(&mut self, event: u32, app: u32, sub: u32, first_created: Micros) {
        let off = self.disabled_at.get(sub as usize).copied().unwrap_or(NONE);
        let limit = if off == NONE {
            self.history_end
        } else {
            off.min(self.history_end)
        };
        let Some(behaviour) = self
            .store
            .subscriptions
            .get(sub as usize)
            .map(|s| s.behaviour)
        else {
            return;
        };
        let mut attempt = Attempt::new(first_created, event, sub, 0);
        loop {
            let index = self.store.attempts.len() as u32;
            let ready = if attempt.delay_until == NONE {
                attempt.created_at
            } else {
                attempt.delay_until
            };
            let start = ready + self.rng.between(20 * MICROS_PER_MS, 900 * MICROS_PER_MS);
            let delivery = simulate(behaviour, &mut self.rng);
            let done = start + i64::from(delivery.elapsed_ms) * MICROS_PER_MS;
            let mut next = None;
            if done > limit {
                if off != NONE && off <= self.history_end {
                    attempt.state = AttemptState::Failed;
                    attempt.finished_at = off;
                } else {
                    self.store.schedule(Job {
                        due: start.max(self.history_end),
                        attempt: index,
                        phase: Phase::Start,
                    });
                }
            } else {
                attempt.picked_at = start;
                attempt.finished_at = done;
                attempt.elapsed_ms = delivery.elapsed_ms;
                attempt.http_status = delivery.http_status;
                attempt.response = Some(delivery.kind);
                attempt.state = if delivery.succeeded() {
                    AttemptState::Succeeded
                } else {
                    AttemptState::Failed
                };
                if !delivery.succeeded() && attempt.retry_count < self.max_retries {
                    let retry = attempt.retry_count + 1;
                    let created = (done + self.rng.between(200, 1_500)).min(limit);
                    let mut retry_attempt = Attempt::new(created, event, sub, retry);
                    retry_attempt.delay_until = created + retry_delay_micros(retry, &mut self.rng);
                    next = Some(retry_attempt);
                }
            }
            self.store.attempts.push(attempt);
            if let Some(s) = self.store.subscriptions.get_mut(sub as usize) {
                s.attempts.push(index);
            }
            if let Some(a) = self.store.applications.get_mut(app as usize) {
                a.attempts.push(index);
            }
            match next {
                Some(n) => attempt = n,
                None => break,
            }
        }
    }
}
