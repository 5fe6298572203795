//! `#[tauri::command]`s: each takes the state, calls the console, returns its result.

pub mod explorer;
pub mod gate;
pub mod incident;
pub mod profiles;
pub mod replay;
pub mod status;

use std::sync::Arc;

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

/// Like [`blocking`], for operations that start background work owned by the console (they
/// keep a handle on it). The blocking pool runs inside the runtime, so they may spawn.
pub(crate) async fn blocking_shared<T: Send + 'static>(
    state: &AppState,
    operation: impl FnOnce(&Arc<Console>) -> Result<T, ErrorDto> + Send + 'static,
) -> Result<T, ErrorDto> {
    let console = state.console()?;
    tauri::async_runtime::spawn_blocking(move || operation(&console))
        .await
        .map_err(|e| ErrorDto::new(ErrorCode::Internal, format!("the operation stopped: {e}")))?
}
