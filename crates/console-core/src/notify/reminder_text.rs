//! The words of an incident reminder: the incident's severity, the checklist item (template
//! text) and the time left or past — never the incident's title or notes, which may name a
//! customer and would show on the lock screen.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{Notification, Opens};
use crate::incident::reminder::{Reminder, ReminderKind};

impl Notification {
    /// The notification of a reminder in the profile named `profile_name`.
    pub fn of_reminder(profile_id: Uuid, profile_name: &str, reminder: &Reminder) -> Self {
        let severity = reminder.severity.as_str().to_uppercase();
        let label = reminder.deadline_label.as_deref().unwrap_or("Deadline");
        let item = &reminder.item;
        let (title, body) = match reminder.key.kind {
            ReminderKind::Overdue => (
                format!("{severity} incident: checklist item overdue"),
                format!(
                    "“{item}” was due {} ago ({}) — {profile_name}",
                    span(reminder.now - reminder.at),
                    reminder.key.phase.as_str().replace('_', " ")
                ),
            ),
            ReminderKind::DeadlineWithin24h | ReminderKind::DeadlineWithin2h => (
                format!(
                    "{severity} incident: {label} — {} left",
                    span(reminder.at - reminder.now)
                ),
                format!(
                    "“{item}” is not done; the deadline is {} — {profile_name}",
                    stamp(reminder.at)
                ),
            ),
            ReminderKind::DeadlinePassed => (
                format!("{severity} incident: {label} — deadline passed"),
                format!(
                    "“{item}” is not done; the deadline passed {} ago ({}) — {profile_name}",
                    span(reminder.now - reminder.at),
                    stamp(reminder.at)
                ),
            ),
        };
        Self {
            title,
            body,
            profile_id,
            opens: Opens::Incident {
                incident_id: reminder.key.incident_id,
            },
        }
    }
}

/// A span as an operator reads it: "45 min", "3 h 10 min", "2 d 4 h" (never negative).
pub(crate) fn span(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%d %b %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::TimeZone as _;

    use super::*;
    use crate::incident::model::{Phase, Severity};
    use crate::incident::reminder::ReminderKey;

    fn reminder(kind: ReminderKind, at_minutes: i64) -> Reminder {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 30, 8, 0, 0)
            .single()
            .unwrap();
        Reminder {
            key: ReminderKey {
                incident_id: Uuid::nil(),
                phase: Phase::LessonsLearned,
                position: 0,
                kind,
            },
            severity: Severity::Sev1,
            item: "Notify the supervisory authority".into(),
            deadline_label: (kind != ReminderKind::Overdue).then(|| "GDPR Art. 33".into()),
            at: now + Duration::minutes(at_minutes),
            now,
        }
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span(Duration::seconds(30)), "0 min");
        assert_eq!(span(Duration::minutes(45)), "45 min");
        assert_eq!(span(Duration::minutes(120)), "2 h");
        assert_eq!(span(Duration::minutes(190)), "3 h 10 min");
        assert_eq!(span(Duration::hours(52)), "2 d 4 h");
        assert_eq!(span(Duration::hours(48)), "2 d");
        assert_eq!(span(Duration::minutes(-5)), "0 min");
    }

    #[test]
    fn each_kind_says_the_severity_the_item_and_the_time() {
        let n =
            Notification::of_reminder(Uuid::nil(), "Prod", &reminder(ReminderKind::Overdue, -25));
        assert_eq!(n.title, "SEV1 incident: checklist item overdue");
        assert_eq!(
            n.body,
            "“Notify the supervisory authority” was due 25 min ago (lessons learned) — Prod"
        );
        assert_eq!(
            n.opens,
            Opens::Incident {
                incident_id: Uuid::nil()
            }
        );
        let n = Notification::of_reminder(
            Uuid::nil(),
            "Prod",
            &reminder(ReminderKind::DeadlineWithin24h, 23 * 60),
        );
        assert_eq!(n.title, "SEV1 incident: GDPR Art. 33 — 23 h left");
        assert!(
            n.body.ends_with("the deadline is 01 Dec 07:00 UTC — Prod"),
            "{}",
            n.body
        );
        let n = Notification::of_reminder(
            Uuid::nil(),
            "Prod",
            &reminder(ReminderKind::DeadlinePassed, -180),
        );
        assert_eq!(n.title, "SEV1 incident: GDPR Art. 33 — deadline passed");
        assert!(n.body.contains("passed 3 h ago"), "{}", n.body);
    }
}
