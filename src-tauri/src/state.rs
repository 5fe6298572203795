//! What the commands share: the console, or the reason it could not open.

use std::sync::Arc;

use console_core::{Console, ErrorDto};

/// Managed Tauri state. A console that failed to open is kept as its error, so that every
/// command answers with the reason and the UI can show it instead of a blank window.
#[derive(Debug)]
pub struct AppState {
    console: Result<Arc<Console>, ErrorDto>,
}

impl AppState {
    /// Wraps the outcome of opening the console.
    pub fn new(console: Result<Console, ErrorDto>) -> Self {
        Self {
            console: console.map(Arc::new),
        }
    }

    /// The console, or why there is none.
    pub fn console(&self) -> Result<Arc<Console>, ErrorDto> {
        self.console.clone()
    }
}
