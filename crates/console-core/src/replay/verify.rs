//! After a run: did the replayed events reach the subscriptions they had failed on?
//!
//! For every sent entry, the event's attempts created since its request left are listed (the
//! same query as [`super::resolve`]) until each previously failed subscription shows a
//! successful attempt, or the deadline passes. One request per event still pending per round,
//! paced by the client like any other; a large job is better verified by a sync of the
//! affected applications followed by [`crate::query`] — this watch is for the minutes after a
//! run.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::error::ReplayError;
use super::journal::Journal;
use super::resolve::{attempts_since, replay_attempts, succeeded};
use super::state::EntryState;
use crate::api::ApiClient;

/// How long and how often to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Stop looking after this long.
    pub deadline: Duration,
    /// Wait between rounds.
    pub poll_interval: Duration,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(10 * 60),
            poll_interval: Duration::from_secs(15),
        }
    }
}

/// The fate of one replayed delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum DeliveryVerdict {
    /// A successful attempt since the replay.
    Recovered,
    /// The replay reached it, and no attempt succeeded by the deadline.
    StillFailing,
    /// No attempt of the replay seen for it by the deadline.
    Unknown,
}

/// One replayed event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EventVerification {
    /// The event.
    pub event_id: Uuid,
    /// Per previously failed subscription.
    pub subscriptions: BTreeMap<Uuid, DeliveryVerdict>,
}

/// Counts for one subscription.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerdictCounts {
    /// Recovered deliveries.
    pub recovered: u64,
    /// Still failing.
    pub still_failing: u64,
    /// Not seen.
    pub unknown: u64,
}

impl VerdictCounts {
    fn add(&mut self, v: DeliveryVerdict) {
        match v {
            DeliveryVerdict::Recovered => self.recovered += 1,
            DeliveryVerdict::StillFailing => self.still_failing += 1,
            DeliveryVerdict::Unknown => self.unknown += 1,
        }
    }
}

/// The verdict on a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Verification {
    /// The job.
    pub job_id: Uuid,
    /// Per replayed event.
    pub events: Vec<EventVerification>,
    /// All deliveries.
    pub totals: VerdictCounts,
    /// Per subscription.
    pub per_subscription: BTreeMap<Uuid, VerdictCounts>,
    /// Events of the job that were not replayed (failed), left out.
    pub not_replayed: u64,
}

/// Watches job `job`'s replayed events until each failed subscription has recovered or the
/// deadline passes.
pub async fn verify(
    journal: &Journal,
    client: &ApiClient,
    job: Uuid,
    options: VerifyOptions,
) -> Result<Verification, ReplayError> {
    let record = journal.job(job)?;
    let failed_on: HashMap<Uuid, &Vec<Uuid>> = record
        .manifest
        .events
        .iter()
        .map(|e| (e.event_id, &e.failed_subscriptions))
        .collect();
    let entries = journal.entries(job, &[])?;
    let not_replayed = entries
        .iter()
        .filter(|e| e.state != EntryState::Sent)
        .count() as u64;
    let sent: Vec<_> = entries
        .into_iter()
        .filter(|e| e.state == EntryState::Sent)
        .collect();
    let skew = chrono::Duration::from_std(record.config.clock_skew()).unwrap_or_default();
    let mut verdicts: Vec<BTreeMap<Uuid, DeliveryVerdict>> = sent
        .iter()
        .map(|e| {
            failed_on
                .get(&e.event_id)
                .map(|subs| {
                    subs.iter()
                        .map(|s| (*s, DeliveryVerdict::Unknown))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let started = Instant::now();
    loop {
        for (entry, verdict) in sent.iter().zip(verdicts.iter_mut()) {
            if verdict.values().all(|v| *v == DeliveryVerdict::Recovered) {
                continue;
            }
            let since = entry.sending_at.unwrap_or(record.started_at) - skew;
            let attempts =
                match attempts_since(client, entry.application_id, entry.event_id, since).await {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::debug!(error = %e, "verification could not list attempts");
                        continue;
                    }
                };
            let replayed: Vec<_> =
                replay_attempts(&attempts, entry.event_id, &entry.baseline).collect();
            for (sub, v) in verdict.iter_mut() {
                let mine = attempts.iter().filter(|a| {
                    a.subscription.subscription_id == *sub && a.event_id == entry.event_id
                });
                let reached = replayed
                    .iter()
                    .any(|a| a.subscription.subscription_id == *sub);
                let mut any_success = false;
                for a in mine {
                    any_success |= succeeded(a);
                }
                *v = if any_success {
                    DeliveryVerdict::Recovered
                } else if reached {
                    DeliveryVerdict::StillFailing
                } else {
                    DeliveryVerdict::Unknown
                };
            }
        }
        let all_recovered = verdicts
            .iter()
            .all(|v| v.values().all(|v| *v == DeliveryVerdict::Recovered));
        if all_recovered || started.elapsed() + options.poll_interval > options.deadline {
            break;
        }
        tokio::time::sleep(options.poll_interval).await;
    }
    let mut totals = VerdictCounts::default();
    let mut per_subscription: BTreeMap<Uuid, VerdictCounts> = BTreeMap::new();
    let events = sent
        .iter()
        .zip(verdicts)
        .map(|(entry, subscriptions)| {
            for (sub, v) in &subscriptions {
                totals.add(*v);
                per_subscription.entry(*sub).or_default().add(*v);
            }
            EventVerification {
                event_id: entry.event_id,
                subscriptions,
            }
        })
        .collect();
    let verification = Verification {
        job_id: job,
        events,
        totals,
        per_subscription,
        not_replayed,
    };
    journal.save_verification(&verification, chrono::Utc::now())?;
    Ok(verification)
}
