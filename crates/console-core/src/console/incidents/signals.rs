//! What the console tells about open incidents without being asked: reminders of overdue
//! checklist items and approaching deadlines, and a timeline entry for each sync that
//! brought deliveries in an incident's scope.
//!
//! Both run in the background (a timer, the end of a sync), so both use the quiet paths: they
//! do not count as the operator's activity (the idle lock still falls), do nothing while
//! locked, and never create an incident file for a profile that has none.

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use super::super::Console;
use crate::error::{ErrorCode, ErrorDto};
use crate::incident::reminder::due_reminders;
use crate::incident::{EntryKind, IncidentError, IncidentFilter, IncidentStatus, NewEntry};
use crate::notify::Notification;
use crate::query::{ScopeCounts, attempts_since};

/// Who wrote the automatic entries.
const CONSOLE_AUTHOR: &str = "console";

/// How a sync ended, for the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
    /// Why it stopped short, `None` when it finished.
    pub error: Option<ErrorCode>,
}

impl Console {
    /// Shows the reminders due now for the active profile's open incidents (see
    /// [`crate::incident::reminder`] for the thresholds) through the notifier, unless the
    /// profile's incident reminders are muted, and returns them. Each is remembered in the
    /// incident records before it is shown, so it is shown at most once, even across
    /// restarts; one the notifier could not show is not shown again — the incident page
    /// flags overdue items and deadlines anyway. Quiet: nothing while locked, no activity.
    /// Cheap (the open incidents' checklists): the shell calls it every minute.
    pub fn remind_incidents(&self) -> Result<Vec<Notification>, ErrorDto> {
        if self.gate()?.require_unlocked_quietly().is_err() {
            return Ok(Vec::new());
        }
        let Some(profile) = self.profiles()?.active() else {
            return Ok(Vec::new());
        };
        if self.profiles()?.incident_reminders_muted(profile.id)? {
            return Ok(Vec::new());
        }
        let now = self.gate()?.now();
        let due = self
            .with_incidents_quietly(profile.id, |store, _| {
                let due = due_reminders(&store.open_checklists()?, now, &store.reminders_sent()?);
                if !due.is_empty() {
                    let keys: Vec<_> = due.iter().map(|r| r.key).collect();
                    store.mark_reminded(&keys, now)?;
                }
                Ok(due)
            })?
            .unwrap_or_default();
        let notifier = self.notifier();
        let shown: Vec<Notification> = due
            .iter()
            .map(|r| Notification::of_reminder(profile.id, &profile.name, r))
            .collect();
        for notification in &shown {
            if let Err(error) = notifier.notify(notification) {
                tracing::info!(%error, "an incident reminder was not shown by the OS");
            }
        }
        Ok(shown)
    }

    /// Writes one `sync` entry on each open incident of `profile` whose scope received
    /// attempts stored after `mark` (the cache's last attempt row before the sync began);
    /// incidents with nothing new in scope, or no scope yet, get nothing. Returns the
    /// incidents written to. Audited by id, like every incident change.
    pub(in crate::console) fn record_sync_on_incidents(
        &self,
        profile: Uuid,
        mark: i64,
        outcome: &SyncOutcome,
    ) -> Result<Vec<Uuid>, ErrorDto> {
        let open: Vec<IncidentStatus> = IncidentStatus::ALL
            .into_iter()
            .filter(|s| *s != IncidentStatus::Closed)
            .collect();
        let Some(incidents) = self.with_incidents_quietly(profile, |store, _| {
            store.list(&IncidentFilter { statuses: open })
        })?
        else {
            return Ok(Vec::new());
        };
        let scoped: Vec<_> = incidents
            .into_iter()
            .filter(|i| {
                let s = &i.scope;
                !(s.organization_ids.is_empty()
                    && s.application_ids.is_empty()
                    && s.subscription_ids.is_empty())
            })
            .collect();
        if scoped.is_empty() {
            return Ok(Vec::new());
        }
        let counts: Vec<(Uuid, ScopeCounts)> = self.with_reader_of(profile, |reader| {
            scoped
                .iter()
                .map(|i| Ok((i.id, attempts_since(reader.conn(), mark, &i.scope)?)))
                .collect()
        })?;
        let now = self.gate()?.now();
        let written = self
            .with_incidents_quietly(profile, |store, _| {
                let mut written = Vec::new();
                for (incident, counts) in counts.iter().filter(|(_, c)| c.attempts > 0) {
                    let entry = sync_entry(counts, outcome);
                    match store.add_entry(*incident, &entry, CONSOLE_AUTHOR, now) {
                        Ok(_) => written.push(*incident),
                        // Closed since it was listed: its record is read-only.
                        Err(IncidentError::Closed(_)) => {}
                        Err(error) => return Err(error),
                    }
                }
                Ok(written)
            })?
            .unwrap_or_default();
        for incident in &written {
            self.audit_incident(profile, incident.to_string(), "sync_recorded")?;
        }
        Ok(written)
    }
}

/// The entry of one sync on one incident: counts in its scope and the sync's times.
fn sync_entry(counts: &ScopeCounts, outcome: &SyncOutcome) -> NewEntry {
    let how = match outcome.error {
        None => "Sync finished".to_owned(),
        Some(code) => format!("Sync failed ({})", code_name(code)),
    };
    let plural = if counts.attempts == 1 { "" } else { "s" };
    NewEntry {
        kind: EntryKind::Sync,
        text: format!(
            "{how}: {} new attempt{plural}, {} failed in scope",
            grouped(counts.attempts),
            grouped(counts.failed)
        ),
        at: None,
        reference: Some(serde_json::json!({
            "new_attempts": counts.attempts,
            "failed": counts.failed,
            "sync_started_at": outcome.started_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "sync_ended_at": outcome.ended_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "error": outcome.error,
        })),
    }
}

fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "error".to_owned())
}

/// 1234567 → "1,234,567".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_234), "1,234");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn the_entry_says_how_the_sync_ended_and_what_came_in_scope() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let outcome = SyncOutcome {
            started_at: at,
            ended_at: at,
            error: None,
        };
        let counts = ScopeCounts {
            attempts: 1_234,
            failed: 56,
        };
        let entry = sync_entry(&counts, &outcome);
        assert_eq!(entry.kind, EntryKind::Sync);
        assert_eq!(
            entry.text,
            "Sync finished: 1,234 new attempts, 56 failed in scope"
        );
        let failed = SyncOutcome {
            error: Some(ErrorCode::Unreachable),
            ..outcome
        };
        let one = ScopeCounts {
            attempts: 1,
            failed: 1,
        };
        assert_eq!(
            sync_entry(&one, &failed).text,
            "Sync failed (unreachable): 1 new attempt, 1 failed in scope"
        );
        let reference = sync_entry(&one, &failed).reference.unwrap_or_default();
        assert_eq!(reference["error"], "unreachable");
        assert_eq!(reference["new_attempts"], 1);
    }
}
