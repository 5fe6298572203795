//! A bare Tauri 2 window showing one static page: what any Tauri app costs before it does
//! anything. The explorer benchmark measures the console's memory against it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    match tauri::Builder::default().run(tauri::generate_context!()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bare-window: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
