//! The Incidents page's commands: templates, incidents with their checklist and timeline,
//! the preparation checklist, metrics, containment actions, status updates, and the report
//! and bundle exports. Each reads or writes the profile's incident records or delivery cache
//! (SQLite), so they run on the blocking pool — except disabling or enabling a subscription,
//! which awaits the Hook0 API.

use console_core::ErrorDto;
use console_core::incident::comms::{Audience, LiveNumbers, StatusDraft};
use console_core::incident::metrics::MetricsSummary;
use console_core::incident::report::ReportFormat;
use console_core::incident::{
    Evidence, EvidenceSnapshot, IncidentPatch, NewIncident, TimelineEntry,
};
use console_core::ipc::{
    AttachEvidenceRequest, BundleExport, DraftExport, EvidenceRef, IncidentAdvanceRequest,
    IncidentContainmentView, IncidentListFilter, IncidentListItem, IncidentNoteRequest,
    IncidentTemplateSummary, IncidentTickRequest, IncidentView, PreparationTickRequest,
    PreparationView, ReportExport, SubscriptionContainmentRequest, TemplateFormat, TemplateText,
};
use tauri::State;
use uuid::Uuid;

use super::blocking;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_templates(
    state: State<'_, AppState>,
) -> Result<Vec<IncidentTemplateSummary>, ErrorDto> {
    blocking(&state, |c| c.incident_templates()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_template_export(
    state: State<'_, AppState>,
    template_id: String,
    format: TemplateFormat,
) -> Result<TemplateText, ErrorDto> {
    blocking(&state, move |c| {
        c.incident_template_export(&template_id, format)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_template_import(
    state: State<'_, AppState>,
    text: String,
    format: TemplateFormat,
) -> Result<IncidentTemplateSummary, ErrorDto> {
    blocking(&state, move |c| c.incident_template_import(&text, format)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_template_delete(
    state: State<'_, AppState>,
    template_id: String,
) -> Result<(), ErrorDto> {
    blocking(&state, move |c| c.incident_template_delete(&template_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_create(
    state: State<'_, AppState>,
    incident: NewIncident,
) -> Result<IncidentView, ErrorDto> {
    blocking(&state, move |c| c.incident_create(incident)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incidents(
    state: State<'_, AppState>,
    filter: IncidentListFilter,
) -> Result<Vec<IncidentListItem>, ErrorDto> {
    blocking(&state, move |c| c.incidents(filter)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident(
    state: State<'_, AppState>,
    incident_id: Uuid,
) -> Result<IncidentView, ErrorDto> {
    blocking(&state, move |c| c.incident(incident_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_update(
    state: State<'_, AppState>,
    incident_id: Uuid,
    patch: IncidentPatch,
) -> Result<IncidentView, ErrorDto> {
    blocking(&state, move |c| c.incident_update(incident_id, patch)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_tick(
    state: State<'_, AppState>,
    request: IncidentTickRequest,
) -> Result<IncidentView, ErrorDto> {
    blocking(&state, move |c| c.incident_tick(request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_untick(
    state: State<'_, AppState>,
    request: IncidentTickRequest,
) -> Result<IncidentView, ErrorDto> {
    blocking(&state, move |c| c.incident_untick(request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_advance(
    state: State<'_, AppState>,
    request: IncidentAdvanceRequest,
) -> Result<IncidentView, ErrorDto> {
    blocking(&state, move |c| c.incident_advance(request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_note(
    state: State<'_, AppState>,
    request: IncidentNoteRequest,
) -> Result<TimelineEntry, ErrorDto> {
    blocking(&state, move |c| c.incident_note(request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_preparation(state: State<'_, AppState>) -> Result<PreparationView, ErrorDto> {
    blocking(&state, |c| c.incident_preparation()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_preparation_tick(
    state: State<'_, AppState>,
    request: PreparationTickRequest,
) -> Result<PreparationView, ErrorDto> {
    blocking(&state, move |c| c.incident_preparation_tick(request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_test_notification(
    state: State<'_, AppState>,
) -> Result<PreparationView, ErrorDto> {
    blocking(&state, |c| c.incident_test_notification()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_metrics(state: State<'_, AppState>) -> Result<MetricsSummary, ErrorDto> {
    blocking(&state, |c| c.incident_metrics()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_attach_evidence(
    state: State<'_, AppState>,
    request: AttachEvidenceRequest,
) -> Result<Evidence, ErrorDto> {
    blocking(&state, move |c| c.incident_attach_evidence(request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_evidence(
    state: State<'_, AppState>,
    evidence: EvidenceRef,
) -> Result<EvidenceSnapshot, ErrorDto> {
    blocking(&state, move |c| c.incident_evidence(evidence)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_containment(
    state: State<'_, AppState>,
    incident_id: Uuid,
) -> Result<IncidentContainmentView, ErrorDto> {
    blocking(&state, move |c| c.incident_containment(incident_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_set_subscription_enabled(
    state: State<'_, AppState>,
    request: SubscriptionContainmentRequest,
) -> Result<IncidentContainmentView, ErrorDto> {
    state
        .console()?
        .incident_set_subscription_enabled(request)
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_export_report(
    state: State<'_, AppState>,
    incident_id: Uuid,
    format: ReportFormat,
) -> Result<ReportExport, ErrorDto> {
    blocking(&state, move |c| {
        c.incident_export_report(incident_id, format)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_export_bundle(
    state: State<'_, AppState>,
    incident_id: Uuid,
    code: String,
) -> Result<BundleExport, ErrorDto> {
    blocking(&state, move |c| {
        c.incident_export_bundle(incident_id, &code)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_status_draft(
    state: State<'_, AppState>,
    incident_id: Uuid,
    audience: Audience,
) -> Result<StatusDraft, ErrorDto> {
    blocking(&state, move |c| {
        c.incident_status_draft(incident_id, audience)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_log_communication(
    state: State<'_, AppState>,
    incident_id: Uuid,
    audience: Audience,
    text: String,
    numbers: Option<LiveNumbers>,
) -> Result<TimelineEntry, ErrorDto> {
    blocking(&state, move |c| {
        c.incident_log_communication(incident_id, audience, text, numbers)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_export_draft(
    state: State<'_, AppState>,
    incident_id: Uuid,
    audience: Audience,
    text: String,
) -> Result<DraftExport, ErrorDto> {
    blocking(&state, move |c| {
        c.incident_export_draft(incident_id, audience, text)
    })
    .await
}
