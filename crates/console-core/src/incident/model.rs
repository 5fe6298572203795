//! What an incident is: its kind, severity, phase, people, scope and the instants that the
//! metrics are computed from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// What went wrong, which picks the template an incident starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum IncidentKind {
    /// Deliveries to one or more customer endpoints fail.
    DeliveryOutage,
    /// A subscription or application secret (or an API token) was exposed.
    LeakedSecret,
    /// A target endpoint is compromised, or was set up to receive data it should not.
    CompromisedEndpoint,
    /// Personal or confidential data reached someone it should not (GDPR breach).
    DataExposure,
    /// Anything else.
    Other,
}

impl IncidentKind {
    /// Every kind, in the order the UI lists them.
    pub const ALL: [Self; 5] = [
        Self::DeliveryOutage,
        Self::LeakedSecret,
        Self::CompromisedEndpoint,
        Self::DataExposure,
        Self::Other,
    ];

    /// The stored (and serialized) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeliveryOutage => "delivery_outage",
            Self::LeakedSecret => "leaked_secret",
            Self::CompromisedEndpoint => "compromised_endpoint",
            Self::DataExposure => "data_exposure",
            Self::Other => "other",
        }
    }

    /// The kind with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// How bad it is; SEV1 is the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Severity {
    /// Critical: broad impact, or data exposed; all hands.
    Sev1,
    /// Major: one important customer or a whole application impaired.
    Sev2,
    /// Minor: limited impact, a workaround exists.
    Sev3,
    /// Low: no customer impact yet.
    Sev4,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Self; 4] = [Self::Sev1, Self::Sev2, Self::Sev3, Self::Sev4];

    /// The stored (and serialized) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sev1 => "sev1",
            Self::Sev2 => "sev2",
            Self::Sev3 => "sev3",
            Self::Sev4 => "sev4",
        }
    }

    /// The severity with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A phase an open incident is worked through (SANS). Preparation is not one: it is the
/// standing readiness checklist, independent of any incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Phase {
    /// Is it an incident, what is affected, how bad.
    Identification,
    /// Stop it getting worse.
    Containment,
    /// Remove the cause.
    Eradication,
    /// Back to normal service, watched.
    Recovery,
    /// What to change so it does not happen again.
    LessonsLearned,
}

impl Phase {
    /// The phases in the order they are worked.
    pub const ALL: [Self; 5] = [
        Self::Identification,
        Self::Containment,
        Self::Eradication,
        Self::Recovery,
        Self::LessonsLearned,
    ];

    /// The stored (and serialized) name.
    pub fn as_str(self) -> &'static str {
        IncidentStatus::from(self).as_str()
    }

    /// The phase with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// Where an incident stands: the phase being worked, or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// See [`Phase::Identification`].
    Identification,
    /// See [`Phase::Containment`].
    Containment,
    /// See [`Phase::Eradication`].
    Eradication,
    /// See [`Phase::Recovery`].
    Recovery,
    /// See [`Phase::LessonsLearned`].
    LessonsLearned,
    /// Finished: the record is read-only.
    Closed,
}

impl IncidentStatus {
    /// Every status, in order.
    pub const ALL: [Self; 6] = [
        Self::Identification,
        Self::Containment,
        Self::Eradication,
        Self::Recovery,
        Self::LessonsLearned,
        Self::Closed,
    ];

    /// The stored (and serialized) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identification => "identification",
            Self::Containment => "containment",
            Self::Eradication => "eradication",
            Self::Recovery => "recovery",
            Self::LessonsLearned => "lessons_learned",
            Self::Closed => "closed",
        }
    }

    /// The status with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The phase being worked, `None` once closed.
    pub fn phase(self) -> Option<Phase> {
        match self {
            Self::Identification => Some(Phase::Identification),
            Self::Containment => Some(Phase::Containment),
            Self::Eradication => Some(Phase::Eradication),
            Self::Recovery => Some(Phase::Recovery),
            Self::LessonsLearned => Some(Phase::LessonsLearned),
            Self::Closed => None,
        }
    }

    /// The only status this one may move on to, `None` once closed.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Identification => Some(Self::Containment),
            Self::Containment => Some(Self::Eradication),
            Self::Eradication => Some(Self::Recovery),
            Self::Recovery => Some(Self::LessonsLearned),
            Self::LessonsLearned => Some(Self::Closed),
            Self::Closed => None,
        }
    }
}

impl From<Phase> for IncidentStatus {
    fn from(phase: Phase) -> Self {
        match phase {
            Phase::Identification => Self::Identification,
            Phase::Containment => Self::Containment,
            Phase::Eradication => Self::Eradication,
            Phase::Recovery => Self::Recovery,
            Phase::LessonsLearned => Self::LessonsLearned,
        }
    }
}

/// Who does what (SANS: a handler in charge, someone who writes it down, someone who talks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct Roles {
    /// Leads the response and decides.
    pub commander: Option<String>,
    /// Keeps the timeline.
    pub scribe: Option<String>,
    /// Talks to customers, management and authorities.
    pub communications: Option<String>,
}

/// The Hook0 objects the incident concerns; empty means not yet known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct Scope {
    /// Organizations concerned.
    pub organization_ids: Vec<Uuid>,
    /// Applications concerned.
    pub application_ids: Vec<Uuid>,
    /// Subscriptions (endpoints) concerned.
    pub subscription_ids: Vec<Uuid>,
}

/// The instants the metrics come from. Each is stamped once, by the phase machine, except
/// `impact_started_at` (often learnt later) and `detected_at` (given at creation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Milestones {
    /// When customers were first affected.
    pub impact_started_at: Option<DateTime<Utc>>,
    /// The first signal (alert, customer ticket, failure spike).
    pub detected_at: Option<DateTime<Utc>>,
    /// When it was declared an incident (created here).
    pub declared_at: Option<DateTime<Utc>>,
    /// Containment left: it no longer gets worse.
    pub contained_at: Option<DateTime<Utc>>,
    /// Eradication left: the cause is removed.
    pub eradicated_at: Option<DateTime<Utc>>,
    /// Recovery left: normal service is back.
    pub recovered_at: Option<DateTime<Utc>>,
    /// Closed after the lessons learned.
    pub closed_at: Option<DateTime<Utc>>,
}

/// One incident as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Incident {
    /// UUID v7, so ids sort by creation.
    pub id: Uuid,
    /// A short line the team recognises.
    pub title: String,
    /// What went wrong.
    pub kind: IncidentKind,
    /// How bad it is.
    pub severity: Severity,
    /// The current phase, or closed.
    pub status: IncidentStatus,
    /// Who does what.
    pub roles: Roles,
    /// What it concerns.
    pub scope: Scope,
    /// The template the checklist came from.
    pub template_id: String,
    /// That template's version at creation.
    pub template_version: u32,
    /// The instants metrics come from.
    pub milestones: Milestones,
    /// When the current phase was entered (checklist due times count from it).
    pub phase_entered_at: DateTime<Utc>,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last change of the incident or its checklist.
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
