//! The desktop shell: builds the Tauri app, registers the commands, starts the built-in
//! sandbox. Behaviour lives in `console-core`; this crate only wires it to a window.

mod commands;
mod setup;
mod state;

use std::process::ExitCode;

pub use state::AppState;

/// Registers every IPC command on a builder (the real one, or Tauri's mock in tests).
pub fn register_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::status::app_status,
        commands::profiles::list_profiles,
        commands::profiles::save_profile,
        commands::profiles::remove_profile,
        commands::profiles::set_active_profile,
        commands::profiles::test_connection,
        commands::profiles::test_draft,
        commands::profiles::sign_in,
        commands::profiles::sign_out,
    ])
}

/// Runs the app until its window closes.
pub fn run() -> ExitCode {
    setup::init_logging();
    let result = register_commands(tauri::Builder::default())
        .setup(|app| {
            setup::open_console(app)?;
            Ok(())
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("Hook0 Console stopped: {error}");
            ExitCode::FAILURE
        }
    }
}
