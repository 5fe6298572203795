//! Response times per incident and their means across incidents.
//!
//! Everything counts from detection (the first signal) except time to detect itself
//! (impact start → detection) and time to acknowledge (detection → declaration). A figure is
//! absent when a milestone is: an incident still in containment has no time to contain, and
//! a mean only averages the incidents that have the figure (its count says how many).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{Incident, Milestones};

/// The response times of one incident, in whole seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentMetrics {
    /// Impact start → detection.
    #[ts(type = "number | null")]
    pub time_to_detect_s: Option<i64>,
    /// Detection → declaration.
    #[ts(type = "number | null")]
    pub time_to_acknowledge_s: Option<i64>,
    /// Detection → contained.
    #[ts(type = "number | null")]
    pub time_to_contain_s: Option<i64>,
    /// Detection → recovered.
    #[ts(type = "number | null")]
    pub time_to_recover_s: Option<i64>,
    /// Detection → closed.
    #[ts(type = "number | null")]
    pub time_to_close_s: Option<i64>,
}

/// A mean over the incidents that have the figure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct MeanTime {
    /// Mean in seconds, absent when no incident has the figure.
    pub mean_s: Option<f64>,
    /// How many incidents it averages.
    pub count: u32,
}

/// Means across incidents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct MetricsSummary {
    /// Incidents looked at.
    pub incidents: u32,
    /// Mean time to detect.
    pub mttd: MeanTime,
    /// Mean time to acknowledge.
    pub mtta: MeanTime,
    /// Mean time to contain.
    pub mttc: MeanTime,
    /// Mean time to recover.
    pub mttr: MeanTime,
    /// Mean time to close.
    pub mtt_close: MeanTime,
}

impl IncidentMetrics {
    /// The figures from an incident's milestones.
    pub fn of(milestones: &Milestones) -> Self {
        let m = milestones;
        let from_detection = |to: Option<DateTime<Utc>>| seconds(m.detected_at, to);
        Self {
            time_to_detect_s: seconds(m.impact_started_at, m.detected_at),
            time_to_acknowledge_s: seconds(m.detected_at, m.declared_at),
            time_to_contain_s: from_detection(m.contained_at),
            time_to_recover_s: from_detection(m.recovered_at),
            time_to_close_s: from_detection(m.closed_at),
        }
    }
}

fn seconds(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<i64> {
    Some((to? - from?).num_seconds())
}

/// The means of each figure over `incidents`.
pub fn summarize<'a>(incidents: impl IntoIterator<Item = &'a Incident>) -> MetricsSummary {
    let all: Vec<IncidentMetrics> = incidents
        .into_iter()
        .map(|i| IncidentMetrics::of(&i.milestones))
        .collect();
    let mean = |pick: fn(&IncidentMetrics) -> Option<i64>| {
        let values: Vec<i64> = all.iter().filter_map(pick).collect();
        MeanTime {
            // i64 → f64 is exact below 2^53 s, far beyond any real duration.
            #[allow(clippy::cast_precision_loss)]
            mean_s: (!values.is_empty())
                .then(|| values.iter().map(|v| *v as f64).sum::<f64>() / values.len() as f64),
            count: u32::try_from(values.len()).unwrap_or(u32::MAX),
        }
    };
    MetricsSummary {
        incidents: u32::try_from(all.len()).unwrap_or(u32::MAX),
        mttd: mean(|m| m.time_to_detect_s),
        mtta: mean(|m| m.time_to_acknowledge_s),
        mttc: mean(|m| m.time_to_contain_s),
        mttr: mean(|m| m.time_to_recover_s),
        mtt_close: mean(|m| m.time_to_close_s),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    use super::*;
    use crate::incident::model::{IncidentKind, IncidentStatus, Roles, Scope, Severity};

    fn t(minutes: i64) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + Duration::minutes(minutes))
    }

    fn with(milestones: Milestones) -> Incident {
        let at = milestones.declared_at.unwrap_or_default();
        Incident {
            id: Uuid::now_v7(),
            title: "x".into(),
            kind: IncidentKind::Other,
            severity: Severity::Sev3,
            status: IncidentStatus::Identification,
            roles: Roles::default(),
            scope: Scope::default(),
            template_id: "x".into(),
            template_version: 1,
            milestones,
            phase_entered_at: at,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn one_incident_gives_exact_seconds() {
        let m = IncidentMetrics::of(&Milestones {
            impact_started_at: t(0),
            detected_at: t(12),
            declared_at: t(20),
            contained_at: t(72),
            eradicated_at: t(100),
            recovered_at: t(192),
            closed_at: t(3000),
        });
        assert_eq!(m.time_to_detect_s, Some(12 * 60));
        assert_eq!(m.time_to_acknowledge_s, Some(8 * 60));
        assert_eq!(m.time_to_contain_s, Some(60 * 60));
        assert_eq!(m.time_to_recover_s, Some(180 * 60));
        assert_eq!(m.time_to_close_s, Some(2988 * 60));
    }

    #[test]
    fn missing_milestones_give_missing_figures() {
        let m = IncidentMetrics::of(&Milestones {
            detected_at: t(5),
            declared_at: t(5),
            ..Milestones::default()
        });
        assert_eq!(
            m,
            IncidentMetrics {
                time_to_acknowledge_s: Some(0),
                ..IncidentMetrics::default()
            }
        );
    }

    #[test]
    fn means_count_only_the_incidents_that_have_the_figure() {
        let a = with(Milestones {
            impact_started_at: t(0),
            detected_at: t(10),
            declared_at: t(15),
            contained_at: t(40),
            recovered_at: t(70),
            ..Milestones::default()
        });
        let b = with(Milestones {
            detected_at: t(100),
            declared_at: t(125),
            contained_at: t(200),
            ..Milestones::default()
        });
        let c = with(Milestones {
            impact_started_at: t(200),
            detected_at: t(230),
            declared_at: t(230),
            ..Milestones::default()
        });
        let s = summarize([&a, &b, &c]);
        assert_eq!(s.incidents, 3);
        assert_eq!(
            s.mttd,
            MeanTime {
                mean_s: Some(1200.0),
                count: 2
            }
        );
        assert_eq!(
            s.mtta,
            MeanTime {
                mean_s: Some(600.0),
                count: 3
            }
        );
        assert_eq!(
            s.mttc,
            MeanTime {
                mean_s: Some(3900.0),
                count: 2
            }
        );
        assert_eq!(
            s.mttr,
            MeanTime {
                mean_s: Some(3600.0),
                count: 1
            }
        );
        assert_eq!(
            s.mtt_close,
            MeanTime {
                mean_s: None,
                count: 0
            }
        );
        assert_eq!(summarize([]), MetricsSummary::default());
    }
}
