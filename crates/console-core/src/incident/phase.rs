//! The phase machine: an incident moves on only explicitly and only to the next phase, and
//! the move stamps the milestone the metrics need.
//!
//! A required checklist item left open is allowed (real incidents do not wait for paperwork)
//! but never silently: the move then needs a reason, which the store writes to the timeline
//! and to each item it skips.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::IncidentError;
use super::model::{Incident, IncidentStatus, Phase};

/// Longest reason kept for moving on with required items open.
pub const MAX_REASON_CHARS: usize = 2_000;

/// A move that was made, for the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PhaseChange {
    /// The phase left.
    pub from: Phase,
    /// Where the incident now stands.
    pub to: IncidentStatus,
    /// When.
    pub at: DateTime<Utc>,
    /// Why it moved on with required items open (absent when none were).
    pub reason: Option<String>,
    /// The required items left open, by text.
    pub skipped: Vec<String>,
}

/// Moves `incident` to `to`, which must be its next status, at `at`.
///
/// `open_required` holds the text of the current phase's required items still open; if any,
/// `reason` must be a non-blank text. On success the incident's status, phase start,
/// milestone and `updated_at` are set; on refusal it is left as it was.
pub fn advance(
    incident: &mut Incident,
    to: IncidentStatus,
    open_required: &[String],
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<PhaseChange, IncidentError> {
    let from = incident
        .status
        .phase()
        .ok_or(IncidentError::Closed(incident.id))?;
    let expected = incident.status.next();
    if expected != Some(to) {
        return Err(IncidentError::WrongTransition {
            from: incident.status,
            to,
            expected,
        });
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = reason
        && r.chars().count() > MAX_REASON_CHARS
    {
        return Err(IncidentError::InvalidInput(format!(
            "the reason is longer than {MAX_REASON_CHARS} characters"
        )));
    }
    if !open_required.is_empty() && reason.is_none() {
        return Err(IncidentError::ReasonRequired {
            phase: from,
            open_items: open_required.to_vec(),
        });
    }
    // Milestones must keep their order for the metrics: a clock set back is refused.
    if at < incident.phase_entered_at {
        return Err(IncidentError::InvalidInput(format!(
            "{at} is before the current phase began ({})",
            incident.phase_entered_at
        )));
    }
    let m = &mut incident.milestones;
    match from {
        Phase::Identification => {}
        Phase::Containment => m.contained_at = Some(at),
        Phase::Eradication => m.eradicated_at = Some(at),
        Phase::Recovery => m.recovered_at = Some(at),
        Phase::LessonsLearned => m.closed_at = Some(at),
    }
    incident.status = to;
    incident.phase_entered_at = at;
    incident.updated_at = at;
    Ok(PhaseChange {
        from,
        to,
        at,
        reason: reason.map(str::to_owned),
        skipped: if reason.is_some() {
            open_required.to_vec()
        } else {
            Vec::new()
        },
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    use super::*;
    use crate::incident::model::{IncidentKind, Milestones, Roles, Scope, Severity};

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    fn incident() -> Incident {
        Incident {
            id: Uuid::now_v7(),
            title: "Deliveries to acme fail".into(),
            kind: IncidentKind::DeliveryOutage,
            severity: Severity::Sev2,
            status: IncidentStatus::Identification,
            roles: Roles::default(),
            scope: Scope::default(),
            template_id: "delivery-outage".into(),
            template_version: 1,
            milestones: Milestones {
                detected_at: Some(t(-10)),
                declared_at: Some(t(0)),
                ..Milestones::default()
            },
            phase_entered_at: t(0),
            created_at: t(0),
            updated_at: t(0),
        }
    }

    fn next(i: &mut Incident, minutes: i64) -> PhaseChange {
        let to = i.status.next().unwrap();
        advance(i, to, &[], None, t(minutes)).unwrap()
    }

    #[test]
    fn each_move_stamps_its_milestone_and_only_that() {
        let mut i = incident();
        let c = next(&mut i, 5);
        assert_eq!(
            (c.from, c.to),
            (Phase::Identification, IncidentStatus::Containment)
        );
        assert_eq!(
            i.milestones.contained_at, None,
            "entering containment stamps nothing"
        );
        assert_eq!(i.phase_entered_at, t(5));
        next(&mut i, 20);
        assert_eq!(i.status, IncidentStatus::Eradication);
        assert_eq!(i.milestones.contained_at, Some(t(20)));
        assert_eq!(i.milestones.eradicated_at, None);
        next(&mut i, 60);
        assert_eq!(i.milestones.eradicated_at, Some(t(60)));
        assert_eq!(i.milestones.recovered_at, None);
        next(&mut i, 90);
        assert_eq!(i.status, IncidentStatus::LessonsLearned);
        assert_eq!(i.milestones.recovered_at, Some(t(90)));
        assert_eq!(i.milestones.closed_at, None);
        let c = next(&mut i, 2000);
        assert_eq!(
            (c.from, c.to),
            (Phase::LessonsLearned, IncidentStatus::Closed)
        );
        assert_eq!(i.milestones.closed_at, Some(t(2000)));
        assert_eq!(i.updated_at, t(2000));
        assert_eq!(
            i.milestones.declared_at,
            Some(t(0)),
            "declared_at is left alone"
        );
        assert_eq!(i.milestones.detected_at, Some(t(-10)));
    }

    #[test]
    fn skipping_or_going_back_is_refused_and_changes_nothing() {
        let mut i = incident();
        let before = i.clone();
        for to in [
            IncidentStatus::Identification,
            IncidentStatus::Eradication,
            IncidentStatus::Recovery,
            IncidentStatus::LessonsLearned,
            IncidentStatus::Closed,
        ] {
            let e = advance(&mut i, to, &[], None, t(1)).unwrap_err();
            assert!(
                matches!(e, IncidentError::WrongTransition { from: IncidentStatus::Identification, to: got, expected: Some(IncidentStatus::Containment) } if got == to),
                "{to:?}: {e}"
            );
        }
        assert_eq!(i, before);
        next(&mut i, 1);
        let e = advance(&mut i, IncidentStatus::Identification, &[], None, t(2)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "an incident in containment cannot move to identification (next is eradication)"
        );
    }

    #[test]
    fn closing_is_only_from_lessons_learned() {
        let mut i = incident();
        for _ in 0..3 {
            let e = advance(&mut i, IncidentStatus::Closed, &[], None, t(1)).unwrap_err();
            assert!(matches!(e, IncidentError::WrongTransition { .. }), "{e}");
            next(&mut i, 1);
        }
        next(&mut i, 2);
        assert_eq!(i.status, IncidentStatus::LessonsLearned);
        advance(&mut i, IncidentStatus::Closed, &[], None, t(3)).unwrap();
    }

    #[test]
    fn a_closed_incident_is_read_only() {
        let mut i = incident();
        i.status = IncidentStatus::Closed;
        let e = advance(&mut i, IncidentStatus::Closed, &[], None, t(1)).unwrap_err();
        assert!(matches!(e, IncidentError::Closed(id) if id == i.id), "{e}");
    }

    #[test]
    fn open_required_items_need_a_reason_which_is_kept() {
        let mut i = incident();
        let open = vec![
            "Confirm the scope".to_owned(),
            "Name a commander".to_owned(),
        ];
        for blank in [None, Some(""), Some("   \n")] {
            let e = advance(&mut i, IncidentStatus::Containment, &open, blank, t(1)).unwrap_err();
            assert_eq!(
                e.to_string(),
                "2 required item(s) of identification are still open (Confirm the scope; Name a \
                 commander): give a reason to move on"
            );
            match e {
                IncidentError::ReasonRequired { phase, open_items } => {
                    assert_eq!(phase, Phase::Identification);
                    assert_eq!(open_items, open);
                }
                other => panic!("expected ReasonRequired, got {other}"),
            }
        }
        assert_eq!(i.status, IncidentStatus::Identification);
        let c = advance(
            &mut i,
            IncidentStatus::Containment,
            &open,
            Some("  customer escalation: contain first  "),
            t(1),
        )
        .unwrap();
        assert_eq!(
            c.reason.as_deref(),
            Some("customer escalation: contain first")
        );
        assert_eq!(c.skipped, open);
    }

    #[test]
    fn a_reason_without_open_items_is_kept_but_skips_nothing() {
        let mut i = incident();
        let c = advance(&mut i, IncidentStatus::Containment, &[], Some("fast"), t(1)).unwrap();
        assert_eq!(c.reason.as_deref(), Some("fast"));
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn an_overlong_reason_or_a_clock_gone_back_is_refused() {
        let mut i = incident();
        let long = "x".repeat(MAX_REASON_CHARS + 1);
        let e = advance(&mut i, IncidentStatus::Containment, &[], Some(&long), t(1)).unwrap_err();
        assert!(matches!(e, IncidentError::InvalidInput(_)), "{e}");
        let e = advance(&mut i, IncidentStatus::Containment, &[], None, t(-1)).unwrap_err();
        assert!(matches!(e, IncidentError::InvalidInput(_)), "{e}");
        assert_eq!(i.status, IncidentStatus::Identification);
    }
}
