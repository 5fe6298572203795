//! The console's unrequested news, as window events.

use console_core::console::ConsoleEvents;
use console_core::ipc::{CacheChanged, ReplayUpdate, SpikeAlert, SyncStatus};
use tauri::Emitter;

/// Sync progress, in the window: payload `SyncStatus`.
pub const SYNC_CHANGED_EVENT: &str = "sync-changed";
/// New data in a profile's cache: payload `CacheChanged`.
pub const CACHE_CHANGED_EVENT: &str = "cache-changed";
/// A new failure spike (a banner when the OS could not show it): payload `SpikeAlert`.
pub const FAILURE_SPIKE_EVENT: &str = "failure-spike";
/// A replay job moved (progress, verification, end): payload `ReplayUpdate`.
pub const REPLAY_PROGRESS_EVENT: &str = "replay-progress";

/// Emits to every window of the app.
pub struct WindowEvents<R: tauri::Runtime>(pub tauri::AppHandle<R>);

impl<R: tauri::Runtime> std::fmt::Debug for WindowEvents<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WindowEvents")
    }
}

impl<R: tauri::Runtime> WindowEvents<R> {
    fn emit(&self, event: &str, payload: impl serde::Serialize + Clone) {
        if let Err(error) = self.0.emit(event, payload) {
            tracing::warn!(%error, event, "the window was not told");
        }
    }
}

impl<R: tauri::Runtime> ConsoleEvents for WindowEvents<R> {
    fn sync_changed(&self, status: &SyncStatus) {
        self.emit(SYNC_CHANGED_EVENT, status.clone());
    }

    fn cache_changed(&self, change: &CacheChanged) {
        self.emit(CACHE_CHANGED_EVENT, change.clone());
    }

    fn spike(&self, alert: &SpikeAlert) {
        self.emit(FAILURE_SPIKE_EVENT, alert.clone());
    }

    fn replay_progress(&self, update: &ReplayUpdate) {
        self.emit(REPLAY_PROGRESS_EVENT, update.clone());
    }
}
