//! Hook0 Console's desktop binary.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    hook0_console_app::run()
}
