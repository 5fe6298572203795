//! A profile's cache behind the gate: its key comes from the vault, its sync is recorded in
//! the audit log, and locking the console stops a running sync (the sync holds a token and
//! an open, keyed cache — both must go when the console locks).

use std::path::PathBuf;

use uuid::Uuid;

use super::Console;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::cache::Cache;
use crate::error::{ErrorCode, ErrorDto};
use crate::sync::{Cancel, ProgressSink, SyncOptions, SyncReport, sync};

/// Folder of the caches inside the data directory, one file per profile.
pub const CACHES_DIR: &str = "caches";

impl Console {
    /// Where a profile's cache lives.
    pub fn cache_path(&self, profile: Uuid) -> PathBuf {
        self.data_dir.join(CACHES_DIR).join(format!("{profile}.db"))
    }

    /// Opens (creating) a profile's cache with its key from the vault.
    pub fn open_cache(&self, profile: Uuid) -> Result<Cache, ErrorDto> {
        let key = self.cache_key(profile)?;
        let path = self.cache_path(profile);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                ErrorDto::new(
                    ErrorCode::Storage,
                    format!("cannot create {}: {e}", dir.display()),
                )
            })?;
        }
        Cache::open(&path, &key).map_err(|e| e.to_dto())
    }

    /// Syncs a profile's cache from its API. Recorded at start and end; stopped when the
    /// console locks.
    pub async fn sync_profile(
        &self,
        profile: Uuid,
        options: &SyncOptions,
        cancel: &Cancel,
        sink: ProgressSink<'_>,
    ) -> Result<SyncReport, ErrorDto> {
        let client = self.client(profile)?;
        let mut cache = self.open_cache(profile)?;
        self.running()?.push(cancel.clone());
        self.audit(
            AuditEntry::operator(AuditAction::SyncStarted, AuditOutcome::Succeeded)
                .with_targets([profile.to_string()]),
        )?;
        let outcome = sync(&client, &mut cache, options, cancel, sink)
            .await
            .map_err(ErrorDto::from);
        self.running()?.retain(|c| !c.same_as(cancel));
        drop(cache);
        let (result, detail) = match &outcome {
            Ok(report) => (
                AuditOutcome::Succeeded,
                format!("attempts_inserted={}", report.attempts_inserted),
            ),
            Err(error) => (AuditOutcome::Failed, format!("error={:?}", error.code)),
        };
        // A sync stopped by the lock cannot be recorded now; the lock record says why.
        if self.gate()?.require_unlocked().is_ok() {
            self.audit(
                AuditEntry::operator(AuditAction::SyncFinished, result)
                    .with_targets([profile.to_string(), detail]),
            )?;
        }
        outcome
    }

    /// Stops every running sync (the console is locking).
    pub(super) fn stop_running(&self) -> Result<(), ErrorDto> {
        for cancel in self.running()?.drain(..) {
            cancel.cancel();
        }
        Ok(())
    }

    fn running(&self) -> Result<std::sync::MutexGuard<'_, Vec<Cancel>>, ErrorDto> {
        self.running.lock().map_err(|_| super::poisoned())
    }
}
