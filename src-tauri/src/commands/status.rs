use console_core::ErrorDto;
use console_core::ipc::AppStatus;
use tauri::State;

use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn app_status(state: State<'_, AppState>) -> Result<AppStatus, ErrorDto> {
    state.console()?.status()
}
