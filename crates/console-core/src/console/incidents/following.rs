//! Results written to the timelines of the incidents that follow them: a replay job attached
//! as evidence reports its end and its verified outcome to each open incident holding it.
//!
//! A job attached after it ended (or was verified) gets those results on the attaching
//! incident's timeline at once: they happened before the incident followed it.
//!
//! These entries are best effort: the replay is recorded in its journal and the audit log
//! whatever happens here, and a locked console (no key for the incident file) skips them.

use serde_json::json;
use uuid::Uuid;

use super::{super::Console, OPERATOR};
use crate::error::ErrorDto;
use crate::incident::{EntryKind, NewEntry};
use crate::replay::{RunOutcome, Verification};

fn ended_entry(outcome: &RunOutcome) -> (String, serde_json::Value) {
    let c = &outcome.counts;
    let text = format!(
        "Replay job {} ended {:?}: {} sent, {} failed, {} unknown",
        outcome.job_id, outcome.state, c.sent, c.failed, c.unknown
    );
    let reference = json!({ "job_id": outcome.job_id, "state": outcome.state, "counts": c });
    (text, reference)
}

fn verified_entry(verification: &Verification) -> (String, serde_json::Value) {
    let t = verification.totals;
    let text = format!(
        "Replay job {} verified: {} recovered, {} still failing, {} unknown",
        verification.job_id, t.recovered, t.still_failing, t.unknown
    );
    let reference = json!({ "job_id": verification.job_id, "totals": t });
    (text, reference)
}

impl Console {
    /// Writes the end of a replay run to the incidents following the job.
    pub(in crate::console) fn replay_ended_on_incidents(
        &self,
        profile: Uuid,
        outcome: &RunOutcome,
    ) {
        let (text, reference) = ended_entry(outcome);
        self.on_following_incidents(profile, outcome.job_id, &text, &reference);
    }

    /// Writes a replay job's verified outcome to the incidents following it.
    pub(in crate::console) fn replay_verified_on_incidents(
        &self,
        profile: Uuid,
        verification: &Verification,
    ) {
        let (text, reference) = verified_entry(verification);
        self.on_following_incidents(profile, verification.job_id, &text, &reference);
    }

    /// Writes what a job attached to `incident` already did: its end and its verified
    /// outcome, when they happened before the attachment.
    pub(in crate::console) fn replay_so_far_on_incident(&self, incident: Uuid, job: Uuid) {
        let Ok(detail) = self.replay_job(job) else {
            return;
        };
        let mut entries = Vec::new();
        if let Some(outcome) = detail.outcome.as_ref().filter(|o| o.state.is_over()) {
            entries.push(ended_entry(outcome));
        }
        if let Some(verification) = &detail.verification {
            entries.push(verified_entry(verification));
        }
        let written = self.incident_now().and_then(|now| {
            self.with_incidents(|store, _| {
                for (text, reference) in entries {
                    let entry = NewEntry {
                        kind: EntryKind::ReplayJob,
                        text,
                        at: None,
                        reference: Some(reference),
                    };
                    store.add_entry(incident, &entry, OPERATOR, now)?;
                }
                Ok(())
            })
        });
        if let Err(ErrorDto { code, message, .. }) = written {
            tracing::debug!(?code, %message, %job, "replay results not written to the incident");
        }
    }

    fn on_following_incidents(
        &self,
        profile: Uuid,
        job: Uuid,
        text: &str,
        reference: &serde_json::Value,
    ) {
        let written = self.incident_now().and_then(|now| {
            self.with_incidents_of(profile, |store, _| {
                for incident in store.incidents_following_job(job)? {
                    let entry = NewEntry {
                        kind: EntryKind::ReplayJob,
                        text: text.to_owned(),
                        at: None,
                        reference: Some(reference.clone()),
                    };
                    store.add_entry(incident, &entry, OPERATOR, now)?;
                }
                Ok(())
            })
        });
        if let Err(ErrorDto { code, message, .. }) = written {
            tracing::debug!(?code, %message, %job, "replay result not written to incidents");
        }
    }
}
