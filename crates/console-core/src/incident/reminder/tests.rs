#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::TimeZone as _;

use super::*;
use crate::incident::model::{IncidentKind, Milestones, Roles, Scope};
use crate::incident::store::ItemDeadline;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0)
        .single()
        .unwrap()
}

fn incident(status: IncidentStatus) -> Incident {
    Incident {
        id: Uuid::now_v7(),
        title: "Secret title".into(),
        kind: IncidentKind::DataExposure,
        severity: Severity::Sev2,
        status,
        roles: Roles::default(),
        scope: Scope::default(),
        template_id: "data-exposure".into(),
        template_version: 1,
        milestones: Milestones::default(),
        phase_entered_at: t0(),
        created_at: t0(),
        updated_at: t0(),
    }
}

fn item(phase: Phase, position: u32) -> ChecklistItem {
    ChecklistItem {
        phase,
        position,
        text: format!("item {position}"),
        required: true,
        due_after_minutes: None,
        due_at: None,
        deadline: None,
        done_at: None,
        done_by: None,
        note: None,
        skipped_reason: None,
    }
}

fn due(phase: Phase, position: u32, at: DateTime<Utc>) -> ChecklistItem {
    ChecklistItem {
        due_at: Some(at),
        ..item(phase, position)
    }
}

fn deadline(phase: Phase, position: u32, at: DateTime<Utc>) -> ChecklistItem {
    ChecklistItem {
        deadline: Some(ItemDeadline {
            label: "GDPR Art. 33 notification".into(),
            at,
        }),
        ..item(phase, position)
    }
}

fn kinds(reminders: &[Reminder]) -> Vec<(u32, ReminderKind)> {
    reminders
        .iter()
        .map(|r| (r.key.position, r.key.kind))
        .collect()
}

/// Runs the check at each instant, remembering what it announced, like the console does.
fn over_time(
    open: &[(Incident, Vec<ChecklistItem>)],
    instants: &[DateTime<Utc>],
) -> Vec<Vec<(u32, ReminderKind)>> {
    let mut announced = HashSet::new();
    instants
        .iter()
        .map(|now| {
            let fresh = due_reminders(open, *now, &announced);
            announced.extend(fresh.iter().map(|r| r.key));
            kinds(&fresh)
        })
        .collect()
}

#[test]
fn an_item_of_the_current_phase_reminds_once_when_overdue() {
    let open = [(
        incident(IncidentStatus::Identification),
        vec![due(Phase::Identification, 0, t0() + Duration::minutes(60))],
    )];
    let seen = over_time(
        &open,
        &[
            t0() + Duration::minutes(59),
            t0() + Duration::minutes(60),
            t0() + Duration::minutes(61),
            t0() + Duration::minutes(62),
            t0() + Duration::hours(30),
        ],
    );
    assert_eq!(
        seen,
        [
            vec![],
            vec![],
            vec![(0, ReminderKind::Overdue)],
            vec![],
            vec![]
        ],
        "due at 60 min: not before, once after"
    );
    let first = due_reminders(&open, t0() + Duration::minutes(61), &HashSet::new());
    assert_eq!(first[0].severity, Severity::Sev2);
    assert_eq!(first[0].at, t0() + Duration::minutes(60));
    assert_eq!(first[0].item, "item 0");
    assert_eq!(first[0].key.incident_id, open[0].0.id);
}

#[test]
fn a_deadline_reminds_at_24_hours_2_hours_and_once_passed() {
    let at = t0() + Duration::hours(72);
    let open = [(
        incident(IncidentStatus::Containment),
        // In a phase already left: deadlines do not care.
        vec![deadline(Phase::Identification, 3, at)],
    )];
    let seen = over_time(
        &open,
        &[
            at - Duration::hours(25),
            at - Duration::hours(24),
            at - Duration::hours(23),
            at - Duration::hours(3),
            at - Duration::minutes(120),
            at - Duration::minutes(30),
            at,
            at + Duration::hours(5),
        ],
    );
    assert_eq!(
        seen,
        [
            vec![],
            vec![(3, ReminderKind::DeadlineWithin24h)],
            vec![],
            vec![],
            vec![(3, ReminderKind::DeadlineWithin2h)],
            vec![],
            vec![(3, ReminderKind::DeadlinePassed)],
            vec![],
        ]
    );
}

#[test]
fn only_the_most_urgent_threshold_reached_is_announced() {
    let at = t0() + Duration::hours(72);
    let open = [(
        incident(IncidentStatus::Identification),
        vec![deadline(Phase::Identification, 0, at)],
    )];
    // First seen an hour before the deadline (the console was closed): the last call only,
    // and the 24-hour reminder does not follow it.
    let seen = over_time(
        &open,
        &[at - Duration::hours(1), at - Duration::minutes(59)],
    );
    assert_eq!(seen, [vec![(0, ReminderKind::DeadlineWithin2h)], vec![]]);
    // First seen after it passed: one reminder.
    let seen = over_time(&open, &[at + Duration::hours(10), at + Duration::hours(11)]);
    assert_eq!(seen, [vec![(0, ReminderKind::DeadlinePassed)], vec![]]);
    // A more urgent threshold already announced covers the lesser ones.
    let announced: HashSet<ReminderKey> = [ReminderKey {
        incident_id: open[0].0.id,
        phase: Phase::Identification,
        position: 0,
        kind: ReminderKind::DeadlinePassed,
    }]
    .into();
    assert!(due_reminders(&open, at - Duration::minutes(30), &announced).is_empty());
}

#[test]
fn done_items_and_closed_incidents_never_remind() {
    let past = t0() - Duration::hours(1);
    let mut done = due(Phase::Identification, 0, past);
    done.done_at = Some(t0());
    done.deadline = Some(ItemDeadline {
        label: "GDPR".into(),
        at: past,
    });
    let open = [
        (incident(IncidentStatus::Identification), vec![done]),
        (
            incident(IncidentStatus::Closed),
            vec![
                due(Phase::LessonsLearned, 0, past),
                deadline(Phase::Identification, 1, past),
            ],
        ),
    ];
    assert!(due_reminders(&open, t0() + Duration::hours(200), &HashSet::new()).is_empty());
}

#[test]
fn overdue_items_of_phases_left_or_not_yet_entered_do_not_remind() {
    let past = t0() - Duration::hours(1);
    let mut skipped = due(Phase::Identification, 0, past);
    skipped.skipped_reason = Some("moved on".into());
    let open = [(
        incident(IncidentStatus::Containment),
        vec![
            skipped,
            due(Phase::Eradication, 0, past),
            due(Phase::Containment, 2, past),
        ],
    )];
    let fresh = due_reminders(&open, t0(), &HashSet::new());
    assert_eq!(kinds(&fresh), [(2, ReminderKind::Overdue)]);
    assert_eq!(fresh[0].key.phase, Phase::Containment);
}

#[test]
fn one_item_can_be_overdue_and_near_its_deadline_and_incidents_stay_apart() {
    let now = t0();
    let mut both = due(Phase::Identification, 0, now - Duration::minutes(5));
    both.deadline = Some(ItemDeadline {
        label: "GDPR".into(),
        at: now + Duration::hours(10),
    });
    let first = incident(IncidentStatus::Identification);
    let second = incident(IncidentStatus::Identification);
    let open = [
        (first.clone(), vec![both.clone()]),
        (second.clone(), vec![both]),
    ];
    let mut announced = HashSet::new();
    let fresh = due_reminders(&open[..1], now, &announced);
    assert_eq!(
        kinds(&fresh),
        [
            (0, ReminderKind::Overdue),
            (0, ReminderKind::DeadlineWithin24h)
        ]
    );
    announced.extend(fresh.iter().map(|r| r.key));
    let fresh = due_reminders(&open, now, &announced);
    assert!(
        fresh.iter().all(|r| r.key.incident_id == second.id) && fresh.len() == 2,
        "the same item of another incident is its own reminder: {fresh:#?}"
    );
}

#[test]
fn kinds_round_trip_through_their_stored_names() {
    for kind in ReminderKind::ALL {
        assert_eq!(ReminderKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(ReminderKind::parse("soon"), None);
}
