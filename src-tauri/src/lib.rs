//! The desktop shell: builds the Tauri app, registers the commands, starts the built-in
//! sandbox. Behaviour lives in `console-core`; this crate only wires it to a window.

mod commands;
mod setup;
mod state;

use std::process::ExitCode;

pub use state::AppState;

/// Builds the Tauri application with every command registered.
pub fn builder<R: tauri::Runtime>() -> tauri::Builder<R> {
    tauri::Builder::default().invoke_handler(tauri::generate_handler![
        commands::status::app_status,
        commands::profiles::list_profiles,
        commands::profiles::save_profile,
        commands::profiles::remove_profile,
        commands::profiles::set_active_profile,
        commands::profiles::test_connection,
        commands::profiles::test_draft,
    ])
}

/// Runs the app until its window closes.
pub fn run() -> ExitCode {
    setup::init_logging();
    let result = builder()
        .setup(|app| {
            setup::open_console(app)?;
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("Hook0 Console stopped: {error}");
            ExitCode::FAILURE
        }
    }
}
