//! The IPC contract: every command the web view may call, with its argument and result
//! types, declared once. The TypeScript command map is generated from this list, so a command
//! renamed or retyped in Rust breaks the UI's type check instead of failing at run time.

mod evidence;
mod explorer;
mod gate;
mod incident;
mod incident_containment;
mod replay;

use serde::{Deserialize, Serialize};
use ts_rs::{Config, TS};
use uuid::Uuid;

pub use evidence::{AttachEvidenceRequest, EvidenceRef, EvidenceSource, MAX_EVIDENCE_DELIVERIES};
pub use explorer::{
    CacheChanged, NotificationSettings, OpenDeliveries, OpenIncident, OpenReplayJob, SpikeAlert,
    SyncState, SyncStatus,
};
pub use gate::{
    AuditExport, AuditIntegrity, EnrollmentOffer, GateStatus, KeyringReport, PassphraseChange,
    PassphraseStrength, RecoveryCodes, SecuritySettings, UnlockRequest,
};
pub use incident::{
    BundleExport, ChecklistItemView, DraftExport, IncidentAdvanceRequest, IncidentListFilter,
    IncidentListItem, IncidentNoteKind, IncidentNoteRequest, IncidentTemplateSummary,
    IncidentTickRequest, IncidentView, PhaseChecklist, PreparationTickRequest, PreparationView,
    ReportExport, TemplateFormat, TemplateText, TestNotification,
};
pub use incident_containment::{
    ContainmentAction, ContainmentSubscription, IncidentContainmentView,
    SubscriptionContainmentRequest,
};
pub use replay::{
    JOB_DETAIL_ENTRIES, ManifestExport, PLAN_PREVIEW_EVENTS, ReplayJobDetail, ReplayPhase,
    ReplayPlanRequest, ReplayPlanView, ReplaySettingsView, ReplayStartRequest, ReplayUpdate,
};

use crate::api::ConnectionReport;
use crate::audit::{AuditFilter, AuditPage};
use crate::error::ErrorCode;
use crate::incident::comms::{Audience, LiveNumbers, StatusDraft};
use crate::incident::metrics::MetricsSummary;
use crate::incident::report::ReportFormat;
use crate::incident::{Evidence, EvidenceSnapshot, IncidentPatch, NewIncident, TimelineEntry};
use crate::profile::{Profile, ProfileDraft};
use crate::query::{
    AtRiskDelivery, AtRiskQuery, Bucket, DeliveryDetail, DeliveryFilter, DeliveryPage,
    DeliveryQuery, FailureBucket, FailureGroup, FilterOptions, SubscriptionHealth,
};
use crate::replay::JobSummary;

/// Whether the console is usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum LockState {
    /// First run: no passphrase or authenticator yet. Only enrollment answers.
    NotEnrolled,
    /// Unlocked with passphrase and second factor.
    Unlocked,
    /// Locked: only unlock and status commands answer.
    Locked,
}

/// The outcome of the last connection test of a profile in this session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    /// Not tested since the console started.
    Untested,
    /// The last test succeeded.
    Online {
        /// RFC 3339 time of the test.
        checked_at: String,
    },
    /// The last test failed.
    Offline {
        /// RFC 3339 time of the test.
        checked_at: String,
        /// Why, as a code.
        code: ErrorCode,
        /// Why, for the operator.
        message: String,
    },
}

/// Everything the status bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    /// The profile in use.
    pub active_profile: Option<Profile>,
    /// The active profile's connection, as last tested.
    pub connection: ConnectionState,
    /// The gate's state.
    pub lock: LockState,
    /// RFC 3339 time of the last completed sync of the active profile.
    pub last_sync_at: Option<String>,
    /// Where the console keeps its files.
    pub data_dir: String,
    /// The console's version.
    pub version: String,
}

/// One IPC command as the generator sees it.
#[derive(Debug)]
pub struct CommandSpec {
    /// The name `invoke` uses.
    pub name: &'static str,
    /// `(argument name, TypeScript type)` pairs.
    pub args: fn(&Config) -> Vec<(&'static str, String)>,
    /// TypeScript type of the successful result.
    pub result: fn(&Config) -> String,
}

macro_rules! commands {
    ($( $name:ident ( $( $arg:ident : $arg_ty:ty ),* ) -> $result:ty ; )*) => {
        /// Every command the web view may call, in declaration order.
        pub const COMMANDS: &[CommandSpec] = &[
            $( CommandSpec {
                name: stringify!($name),
                args: |_cfg: &Config| vec![ $( (stringify!($arg), <$arg_ty as TS>::name(_cfg)) ),* ],
                result: |cfg: &Config| <$result as TS>::name(cfg),
            }, )*
        ];

        /// Exports every type a command mentions, with their dependencies.
        pub fn export_command_types(cfg: &Config) -> Result<(), ts_rs::ExportError> {
            $( $( export_if_named::<$arg_ty>(cfg)?; )* export_if_named::<$result>(cfg)?; )*
            export_if_named::<crate::error::ErrorDto>(cfg)?;
            // Payloads of the events the shell emits (see `AppEvents` in the UI).
            export_if_named::<CacheChanged>(cfg)?;
            export_if_named::<SpikeAlert>(cfg)?;
            export_if_named::<OpenDeliveries>(cfg)?;
            export_if_named::<OpenReplayJob>(cfg)?;
            export_if_named::<OpenIncident>(cfg)?;
            export_if_named::<GateStatus>(cfg)?;
            export_if_named::<ReplayUpdate>(cfg)?;
            Ok(())
        }
    };
}

fn export_if_named<T: TS + 'static + ?Sized>(cfg: &Config) -> Result<(), ts_rs::ExportError> {
    if T::output_path().is_some() {
        T::export_all(cfg)?;
    } else {
        // Containers such as `Vec<Profile>` have no file of their own; their items do.
        struct Exporter<'a>(&'a Config, Result<(), ts_rs::ExportError>);
        impl ts_rs::TypeVisitor for Exporter<'_> {
            fn visit<U: TS + 'static + ?Sized>(&mut self) {
                if self.1.is_ok() && U::output_path().is_some() {
                    self.1 = U::export_all(self.0);
                }
            }
        }
        let mut exporter = Exporter(cfg, Ok(()));
        T::visit_dependencies(&mut exporter);
        T::visit_generics(&mut exporter);
        exporter.1?;
    }
    Ok(())
}

commands! {
    app_status() -> AppStatus;
    gate_status() -> GateStatus;
    assess_passphrase(passphrase: String) -> PassphraseStrength;
    begin_enrollment(passphrase: String) -> EnrollmentOffer;
    confirm_enrollment(code: String) -> RecoveryCodes;
    unlock(request: UnlockRequest) -> GateStatus;
    lock() -> GateStatus;
    report_activity() -> ();
    security_settings() -> SecuritySettings;
    set_idle_lock_minutes(minutes: u32) -> SecuritySettings;
    set_keyring_enabled(enabled: bool, code: String) -> SecuritySettings;
    change_passphrase(change: PassphraseChange) -> ();
    regenerate_recovery_codes(code: String) -> RecoveryCodes;
    begin_reenrollment(code: String) -> EnrollmentOffer;
    confirm_reenrollment(code: String) -> RecoveryCodes;
    audit_list(filter: AuditFilter) -> AuditPage;
    audit_verify() -> AuditIntegrity;
    audit_export(code: String) -> AuditExport;
    query_deliveries(query: DeliveryQuery) -> DeliveryPage;
    delivery_detail(attempt_id: Uuid) -> DeliveryDetail;
    fetch_delivery_content(attempt_id: Uuid) -> DeliveryDetail;
    failure_groups(filter: DeliveryFilter) -> Vec<FailureGroup>;
    failures_over_time(filter: DeliveryFilter, bucket: Bucket) -> Vec<FailureBucket>;
    at_risk_deliveries(query: AtRiskQuery) -> Vec<AtRiskDelivery>;
    subscription_health(filter: DeliveryFilter) -> Vec<SubscriptionHealth>;
    filter_options() -> FilterOptions;
    sync_status() -> SyncStatus;
    start_sync() -> SyncStatus;
    cancel_sync() -> SyncStatus;
    set_auto_sync(minutes: Option<u32>) -> SyncStatus;
    notification_settings() -> NotificationSettings;
    set_notifications_muted(muted: bool) -> NotificationSettings;
    set_subscription_muted(subscription_id: Uuid, muted: bool) -> NotificationSettings;
    set_incident_reminders_muted(muted: bool) -> NotificationSettings;
    list_profiles() -> Vec<Profile>;
    save_profile(draft: ProfileDraft) -> Profile;
    remove_profile(id: Uuid) -> ();
    set_active_profile(id: Uuid) -> Profile;
    test_connection(id: Uuid) -> ConnectionReport;
    test_draft(draft: ProfileDraft) -> ConnectionReport;
    sign_in(id: Uuid, password: String) -> Profile;
    sign_out(id: Uuid) -> Profile;
    replay_plan(request: ReplayPlanRequest) -> ReplayPlanView;
    replay_export_manifest(manifest_sha256: String) -> ManifestExport;
    replay_import_manifest(manifest_json: String) -> ReplayPlanView;
    replay_start(request: ReplayStartRequest) -> Uuid;
    replay_pause(job_id: Uuid) -> ReplayJobDetail;
    replay_resume(job_id: Uuid) -> ReplayJobDetail;
    replay_cancel(job_id: Uuid) -> ReplayJobDetail;
    replay_jobs() -> Vec<JobSummary>;
    replay_job(job_id: Uuid) -> ReplayJobDetail;
    replay_settings() -> ReplaySettingsView;
    set_replay_settings(settings: ReplaySettingsView, code: Option<String>) -> ReplaySettingsView;
    incident_templates() -> Vec<IncidentTemplateSummary>;
    incident_template_export(template_id: String, format: TemplateFormat) -> TemplateText;
    incident_template_import(text: String, format: TemplateFormat) -> IncidentTemplateSummary;
    incident_template_delete(template_id: String) -> ();
    incident_create(incident: NewIncident) -> IncidentView;
    incidents(filter: IncidentListFilter) -> Vec<IncidentListItem>;
    incident(incident_id: Uuid) -> IncidentView;
    incident_update(incident_id: Uuid, patch: IncidentPatch) -> IncidentView;
    incident_tick(request: IncidentTickRequest) -> IncidentView;
    incident_untick(request: IncidentTickRequest) -> IncidentView;
    incident_advance(request: IncidentAdvanceRequest) -> IncidentView;
    incident_note(request: IncidentNoteRequest) -> TimelineEntry;
    incident_preparation() -> PreparationView;
    incident_preparation_tick(request: PreparationTickRequest) -> PreparationView;
    incident_test_notification() -> PreparationView;
    incident_metrics() -> MetricsSummary;
    incident_attach_evidence(request: AttachEvidenceRequest) -> Evidence;
    incident_evidence(evidence: EvidenceRef) -> EvidenceSnapshot;
    incident_containment(incident_id: Uuid) -> IncidentContainmentView;
    incident_set_subscription_enabled(request: SubscriptionContainmentRequest) -> IncidentContainmentView;
    incident_export_report(incident_id: Uuid, format: ReportFormat) -> ReportExport;
    incident_export_bundle(incident_id: Uuid, code: String) -> BundleExport;
    incident_status_draft(incident_id: Uuid, audience: Audience) -> StatusDraft;
    incident_log_communication(
        incident_id: Uuid,
        audience: Audience,
        text: String,
        numbers: Option<LiveNumbers>
    ) -> TimelineEntry;
    incident_export_draft(incident_id: Uuid, audience: Audience, text: String) -> DraftExport;
}

/// Commands that answer while the console is locked or not yet enrolled: they report the
/// gate's state, enroll, or unlock. Every other command refuses with `locked`.
pub const OPEN_WHILE_LOCKED: &[&str] = &[
    "app_status",
    "gate_status",
    "assess_passphrase",
    "begin_enrollment",
    "confirm_enrollment",
    "unlock",
    "lock",
];

/// The names of every command, for the shell's allow-list and its tests.
pub fn command_names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}
