//! Reminders: which checklist items of the open incidents the operator should hear about now.
//!
//! [`due_reminders`] is pure — the open incidents' checklists, the instant, and what was
//! already announced in, what to announce out — so the thresholds are tested without a clock
//! or a notifier; the console stores what it announced (see `IncidentStore::reminders_sent`)
//! and shows the rest through the notifier.
//!
//! The thresholds, and why:
//! - **overdue** ([`ReminderKind::Overdue`]): an open item of the phase being worked whose due
//!   time passed. Its due time is the team's own pace (an hour to confirm the scope…), so one
//!   reminder when it is missed is enough; the incident page keeps flagging it. Items of
//!   phases already left are not reminded: leaving a phase with them open needed a reason,
//!   which was recorded — reminding would only nag about a decision taken.
//! - **deadline within 24 h**, **within 2 h**, **passed**: external deadlines (GDPR Art. 33:
//!   notify the authority within 72 h of becoming aware) do not care which phase the team is
//!   in, so every open item with one is watched. 24 h leaves a working day to gather what the
//!   notification needs; 2 h is the last call, still enough to submit it; once passed, Art. 33
//!   asks that the late notification give the reasons for the delay, which is worth saying.
//!
//! Each (item, threshold) is announced once. Only the most urgent threshold an item has
//! reached is considered: an item first seen 1 h before its deadline gets the 2-hour reminder
//! only, not the 24-hour one as well, and a threshold already announced — or a more urgent one
//! — is never announced again. Done items and closed incidents never remind.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use uuid::Uuid;

use super::model::{Incident, IncidentStatus, Phase, Severity};
use super::store::ChecklistItem;

/// How long before a deadline the first reminder comes.
pub const DEADLINE_EARLY_HOURS: i64 = 24;
/// How long before a deadline the last call comes.
pub const DEADLINE_LATE_HOURS: i64 = 2;

/// Which threshold an item reached, least urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReminderKind {
    /// The item's due time passed.
    Overdue,
    /// Its deadline falls within [`DEADLINE_EARLY_HOURS`].
    DeadlineWithin24h,
    /// Its deadline falls within [`DEADLINE_LATE_HOURS`].
    DeadlineWithin2h,
    /// Its deadline passed.
    DeadlinePassed,
}

impl ReminderKind {
    const ALL: [Self; 4] = [
        Self::Overdue,
        Self::DeadlineWithin24h,
        Self::DeadlineWithin2h,
        Self::DeadlinePassed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::DeadlineWithin24h => "deadline_24h",
            Self::DeadlineWithin2h => "deadline_2h",
            Self::DeadlinePassed => "deadline_passed",
        }
    }

    /// The kind with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    fn is_deadline(self) -> bool {
        self != Self::Overdue
    }
}

/// What identifies one announcement: an item and a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReminderKey {
    /// The incident.
    pub incident_id: Uuid,
    /// The item's phase.
    pub phase: Phase,
    /// The item's place in its phase.
    pub position: u32,
    /// The threshold.
    pub kind: ReminderKind,
}

/// One reminder to announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// What it is about.
    pub key: ReminderKey,
    /// The incident's severity (the notification names it, never the title).
    pub severity: Severity,
    /// The item's text (from the template).
    pub item: String,
    /// The deadline's label, for deadline reminders.
    pub deadline_label: Option<String>,
    /// The due time or deadline the reminder is about.
    pub at: DateTime<Utc>,
    /// The instant it was judged at.
    pub now: DateTime<Utc>,
}

/// The reminders to announce at `now` for `open` (each incident with its checklist), given
/// the ones `announced` before. Ordered by incident (as given), then phase and position.
pub fn due_reminders(
    open: &[(Incident, Vec<ChecklistItem>)],
    now: DateTime<Utc>,
    announced: &HashSet<ReminderKey>,
) -> Vec<Reminder> {
    let mut due = Vec::new();
    for (incident, items) in open {
        if incident.status == IncidentStatus::Closed {
            continue;
        }
        let current = incident.status.phase();
        for item in items.iter().filter(|i| i.done_at.is_none()) {
            let key = |kind| ReminderKey {
                incident_id: incident.id,
                phase: item.phase,
                position: item.position,
                kind,
            };
            let reminder = |kind, at, deadline_label| Reminder {
                key: key(kind),
                severity: incident.severity,
                item: item.text.clone(),
                deadline_label,
                at,
                now,
            };
            if current == Some(item.phase)
                && let Some(due_at) = item.due_at.filter(|at| *at < now)
                && !announced.contains(&key(ReminderKind::Overdue))
            {
                due.push(reminder(ReminderKind::Overdue, due_at, None));
            }
            if let Some(deadline) = &item.deadline
                && let Some(kind) = deadline_stage(deadline.at, now)
                && !ReminderKind::ALL
                    .into_iter()
                    .filter(|k| k.is_deadline() && *k >= kind)
                    .any(|k| announced.contains(&key(k)))
            {
                due.push(reminder(kind, deadline.at, Some(deadline.label.clone())));
            }
        }
    }
    due
}

/// The most urgent deadline threshold reached at `now`, if any.
fn deadline_stage(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<ReminderKind> {
    let left = at - now;
    if left <= Duration::zero() {
        Some(ReminderKind::DeadlinePassed)
    } else if left <= Duration::hours(DEADLINE_LATE_HOURS) {
        Some(ReminderKind::DeadlineWithin2h)
    } else if left <= Duration::hours(DEADLINE_EARLY_HOURS) {
        Some(ReminderKind::DeadlineWithin24h)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
