//! `#[tauri::command]`s: each takes the state, calls the console, returns its result.

pub mod profiles;
pub mod status;
