//! The gate's commands. Those that derive a key from the passphrase (Argon2id, 64 MiB) run
//! on the blocking pool, never on the thread that drives the window.

use console_core::ErrorDto;
use console_core::audit::{AuditFilter, AuditPage};
use console_core::ipc::{
    AuditExport, AuditIntegrity, EnrollmentOffer, GateStatus, PassphraseChange, PassphraseStrength,
    RecoveryCodes, SecuritySettings, UnlockRequest,
};
use tauri::State;

use super::blocking;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn gate_status(state: State<'_, AppState>) -> Result<GateStatus, ErrorDto> {
    state.console()?.gate_status()
}

#[tauri::command(rename_all = "snake_case")]
pub fn assess_passphrase(
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<PassphraseStrength, ErrorDto> {
    state.console()?.assess_passphrase(&passphrase)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn begin_enrollment(
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<EnrollmentOffer, ErrorDto> {
    blocking(&state, move |c| c.begin_enrollment(passphrase)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn confirm_enrollment(
    state: State<'_, AppState>,
    code: String,
) -> Result<RecoveryCodes, ErrorDto> {
    blocking(&state, move |c| c.confirm_enrollment(&code)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unlock(
    state: State<'_, AppState>,
    request: UnlockRequest,
) -> Result<GateStatus, ErrorDto> {
    blocking(&state, move |c| c.unlock(request)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn lock(state: State<'_, AppState>) -> Result<GateStatus, ErrorDto> {
    blocking(&state, |c| c.lock()).await
}

#[tauri::command(rename_all = "snake_case")]
pub fn report_activity(state: State<'_, AppState>) -> Result<(), ErrorDto> {
    state.console()?.report_activity()
}

#[tauri::command(rename_all = "snake_case")]
pub fn security_settings(state: State<'_, AppState>) -> Result<SecuritySettings, ErrorDto> {
    state.console()?.security_settings()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_idle_lock_minutes(
    state: State<'_, AppState>,
    minutes: u32,
) -> Result<SecuritySettings, ErrorDto> {
    blocking(&state, move |c| c.set_idle_lock_minutes(minutes)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_keyring_enabled(
    state: State<'_, AppState>,
    enabled: bool,
    code: String,
) -> Result<SecuritySettings, ErrorDto> {
    blocking(&state, move |c| c.set_keyring_enabled(enabled, &code)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn change_passphrase(
    state: State<'_, AppState>,
    change: PassphraseChange,
) -> Result<(), ErrorDto> {
    blocking(&state, move |c| c.change_passphrase(change)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn regenerate_recovery_codes(
    state: State<'_, AppState>,
    code: String,
) -> Result<RecoveryCodes, ErrorDto> {
    blocking(&state, move |c| c.regenerate_recovery_codes(&code)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn begin_reenrollment(
    state: State<'_, AppState>,
    code: String,
) -> Result<EnrollmentOffer, ErrorDto> {
    blocking(&state, move |c| c.begin_reenrollment(&code)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn confirm_reenrollment(
    state: State<'_, AppState>,
    code: String,
) -> Result<RecoveryCodes, ErrorDto> {
    blocking(&state, move |c| c.confirm_reenrollment(&code)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn audit_list(
    state: State<'_, AppState>,
    filter: AuditFilter,
) -> Result<AuditPage, ErrorDto> {
    blocking(&state, move |c| c.audit_list(filter)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn audit_verify(state: State<'_, AppState>) -> Result<AuditIntegrity, ErrorDto> {
    blocking(&state, |c| c.audit_verify()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn audit_export(
    state: State<'_, AppState>,
    code: String,
) -> Result<AuditExport, ErrorDto> {
    blocking(&state, move |c| c.audit_export(&code)).await
}
