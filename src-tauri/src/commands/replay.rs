//! The Replays page's commands: plan from the cache, start an approved plan, steer jobs.
//! Planning and starting read the cache (SQLite) and run on the blocking pool; the job itself
//! runs on the console's background task.

use console_core::ErrorDto;
use console_core::ipc::{
    ManifestExport, ReplayJobDetail, ReplayPlanRequest, ReplayPlanView, ReplaySettingsView,
    ReplayStartRequest,
};
use console_core::replay::JobSummary;
use tauri::State;
use uuid::Uuid;

use super::{blocking, blocking_shared};
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_plan(
    state: State<'_, AppState>,
    request: ReplayPlanRequest,
) -> Result<ReplayPlanView, ErrorDto> {
    state.console()?.replay_plan_fresh(request).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_export_manifest(
    state: State<'_, AppState>,
    manifest_sha256: String,
) -> Result<ManifestExport, ErrorDto> {
    blocking(&state, move |c| c.replay_export_manifest(&manifest_sha256)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_import_manifest(
    state: State<'_, AppState>,
    manifest_json: String,
) -> Result<ReplayPlanView, ErrorDto> {
    blocking(&state, move |c| c.replay_import_manifest(&manifest_json)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_start(
    state: State<'_, AppState>,
    request: ReplayStartRequest,
) -> Result<Uuid, ErrorDto> {
    blocking_shared(&state, move |c| c.replay_start_with_code(request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_pause(
    state: State<'_, AppState>,
    job_id: Uuid,
) -> Result<ReplayJobDetail, ErrorDto> {
    blocking(&state, move |c| c.replay_pause(job_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_resume(
    state: State<'_, AppState>,
    job_id: Uuid,
) -> Result<ReplayJobDetail, ErrorDto> {
    blocking_shared(&state, move |c| c.replay_resume(job_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_cancel(
    state: State<'_, AppState>,
    job_id: Uuid,
) -> Result<ReplayJobDetail, ErrorDto> {
    blocking(&state, move |c| c.replay_cancel(job_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_jobs(state: State<'_, AppState>) -> Result<Vec<JobSummary>, ErrorDto> {
    blocking(&state, |c| c.replay_jobs()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_job(
    state: State<'_, AppState>,
    job_id: Uuid,
) -> Result<ReplayJobDetail, ErrorDto> {
    blocking(&state, move |c| c.replay_job(job_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_settings(state: State<'_, AppState>) -> Result<ReplaySettingsView, ErrorDto> {
    blocking(&state, |c| c.replay_settings()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_replay_settings(
    state: State<'_, AppState>,
    settings: ReplaySettingsView,
    code: Option<String>,
) -> Result<ReplaySettingsView, ErrorDto> {
    blocking(&state, move |c| {
        c.set_replay_settings(settings, code.as_deref())
    })
    .await
}
