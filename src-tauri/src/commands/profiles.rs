use console_core::ErrorDto;
use console_core::api::ConnectionReport;
use console_core::profile::{Profile, ProfileDraft};
use tauri::State;
use uuid::Uuid;

use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn list_profiles(state: State<'_, AppState>) -> Result<Vec<Profile>, ErrorDto> {
    state.console()?.list_profiles()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_profile(
    state: State<'_, AppState>,
    draft: ProfileDraft,
) -> Result<Profile, ErrorDto> {
    state.console()?.save_profile(draft).await
}

#[tauri::command(rename_all = "snake_case")]
pub fn remove_profile(state: State<'_, AppState>, id: Uuid) -> Result<(), ErrorDto> {
    state.console()?.remove_profile(id)
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_active_profile(state: State<'_, AppState>, id: Uuid) -> Result<Profile, ErrorDto> {
    state.console()?.set_active_profile(id)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn test_connection(
    state: State<'_, AppState>,
    id: Uuid,
) -> Result<ConnectionReport, ErrorDto> {
    state.console()?.test_connection(id).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn test_draft(
    state: State<'_, AppState>,
    draft: ProfileDraft,
) -> Result<ConnectionReport, ErrorDto> {
    state.console()?.test_draft(draft).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(
    state: State<'_, AppState>,
    id: Uuid,
    password: String,
) -> Result<Profile, ErrorDto> {
    state.console()?.sign_in(id, password).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_out(state: State<'_, AppState>, id: Uuid) -> Result<Profile, ErrorDto> {
    state.console()?.sign_out(id).await
}
