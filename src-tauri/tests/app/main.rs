//! The shell's wiring, without a display: Tauri's mock runtime and real console files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod commands;
mod notifier;
