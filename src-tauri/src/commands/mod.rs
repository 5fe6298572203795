//! `#[tauri::command]`s: each takes the state, calls the console, returns its result.

pub mod explorer;
pub mod gate;
pub mod profiles;
pub mod status;

use console_core::{Console, ErrorCode, ErrorDto};

use crate::AppState;

/// Runs a console operation on the blocking pool (key derivation, file sync).
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    operation: impl FnOnce(&Console) -> Result<T, ErrorDto> + Send + 'static,
) -> Result<T, ErrorDto> {
    let console = state.console()?;
    tauri::async_runtime::spawn_blocking(move || operation(&console))
        .await
        .map_err(|e| ErrorDto::new(ErrorCode::Internal, format!("the operation stopped: {e}")))?
}
