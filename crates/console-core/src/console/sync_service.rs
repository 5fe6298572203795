//! Syncs the window starts, watches and cancels — and the automatic ones.
//!
//! At most one sync runs per profile. Its progress is kept for `sync_status` and pushed to the
//! shell through [`ConsoleEvents`]; every commit (each progress report follows one) tells the
//! window the cache changed, at most once a second. A sync that cannot reach the API marks the
//! profile offline, so the explorer says it is showing the cache as of the last completed
//! sync. Locking the console cancels running syncs (see `caches`). A sync that completes is
//! followed by the failure-spike check (see `notifications`); any sync that ends, finished or
//! not, puts what it stored in each open incident's scope on that incident's timeline (see
//! `incidents::signals`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::OptionalExtension as _;
use uuid::Uuid;

use super::Console;
use super::incidents::SyncOutcome;
use crate::error::{ErrorCode, ErrorDto};
use crate::ipc::{CacheChanged, ReplayUpdate, SpikeAlert, SyncState, SyncStatus};
use crate::sync::{Cancel, Progress, SyncOptions};

/// What the shell hears from the console without asking: the window refreshes on these.
pub trait ConsoleEvents: Send + Sync + std::fmt::Debug {
    /// A sync reported progress (or started, or ended).
    fn sync_changed(&self, status: &SyncStatus);
    /// A profile's cache has new data.
    fn cache_changed(&self, change: &CacheChanged);
    /// A new failure spike: the window shows a banner when the OS could not show it
    /// (`shown_by_os` false), a quieter trace otherwise.
    fn spike(&self, alert: &SpikeAlert);
    /// A replay job moved: progress, verification, end. A no-op by default, so that
    /// listeners with no replay view need not know about it.
    fn replay_progress(&self, update: &ReplayUpdate) {
        let _ = update;
    }
}

/// Hears nothing (tests and the command line).
#[derive(Debug, Default)]
pub struct NoEvents;

impl ConsoleEvents for NoEvents {
    fn sync_changed(&self, _: &SyncStatus) {}
    fn cache_changed(&self, _: &CacheChanged) {}
    fn spike(&self, _: &SpikeAlert) {}
}

/// How often the window hears about a running sync's cache changes at most.
const CHANGE_EVERY: Duration = Duration::from_secs(1);
/// How often a caller waiting for a sync looks whether it ended.
const SYNC_POLL: Duration = Duration::from_millis(100);
/// Key of the last completed sync's time in the cache's sync state.
const COMPLETED_SCOPE: &str = "console";
const COMPLETED_KEY: &str = "last_completed_at";

/// The sync state of one profile.
#[derive(Debug, Default)]
pub(super) struct Slot {
    running: Option<Running>,
    last_error: Option<ErrorDto>,
    offline: bool,
    /// The start of the latest sync that stored every attempt and what explains each
    /// failing delivery (its later stages only fetch more contents): the cache is as fresh
    /// as that start for planning.
    failures_fresh_as_of: Option<SyncStart>,
}

/// When a sync started, on both clocks (the monotonic one to compare, the wall one to show).
#[derive(Debug, Clone, Copy)]
struct SyncStart {
    instant: Instant,
    at: DateTime<Utc>,
}

impl SyncStart {
    fn now() -> Self {
        Self {
            instant: Instant::now(),
            at: Utc::now(),
        }
    }
}

/// What a caller who asked for fresh failures got.
#[derive(Debug, Clone, PartialEq)]
pub struct Freshness {
    /// When the sync that brought the failures in started (`None`: no sync got that far).
    pub as_of: Option<DateTime<Utc>>,
    /// Why the sync could not bring them in: the cache answers as of its last sync.
    pub error: Option<ErrorDto>,
}

#[derive(Debug)]
struct Running {
    cancel: Cancel,
    progress: Option<Progress>,
    started: SyncStart,
    /// Whether this sync is past the failures (it is fetching other contents now).
    failures_in: bool,
    /// Stopped to make way for a fresher sync: its end is not news.
    replaced: bool,
}

pub(super) type Slots = HashMap<Uuid, Slot>;

impl Console {
    /// Where the active profile's sync stands.
    pub fn sync_status(&self) -> Result<SyncStatus, ErrorDto> {
        let profile = self.active_profile_id()?;
        self.status_of(profile)
    }

    /// Starts syncing the active profile in the background (or reports the sync already
    /// running).
    pub fn start_sync(self: &Arc<Self>) -> Result<SyncStatus, ErrorDto> {
        let profile = self.active_profile_id()?;
        self.start_sync_of(profile)?;
        self.status_of(profile)
    }

    /// Brings the active profile's failures up to now, for work that must see the API's
    /// latest state, like a replay plan: it waits until a sync that started after this call
    /// has stored every attempt and what explains each failing delivery (the event's labels
    /// decide who a replay reaches), not for the payload downloads that follow. A sync
    /// already running from before is stopped (what it stored stays) and the new one resumes
    /// from there. A sync that fails is the answer, not an error: the cache still answers.
    /// Locked is an error.
    pub async fn sync_failures_now(self: &Arc<Self>) -> Result<Freshness, ErrorDto> {
        let profile = self.active_profile_id()?;
        let asked = Instant::now();
        let mut started_one = false;
        loop {
            let (fresh, running, error) = {
                let mut slots = self.slots()?;
                if let Some(old) = slots
                    .get_mut(&profile)
                    .and_then(|s| s.running.as_mut())
                    .filter(|r| r.started.instant < asked)
                {
                    old.replaced = true;
                    old.cancel.cancel();
                }
                let slot = slots.get(&profile);
                let running = slot.and_then(|s| s.running.as_ref());
                (
                    slot.and_then(|s| s.failures_fresh_as_of)
                        .filter(|start| start.instant >= asked),
                    running.is_some(),
                    slot.and_then(|s| s.last_error.clone()),
                )
            };
            if let Some(start) = fresh {
                return Ok(Freshness {
                    as_of: Some(start.at),
                    error: None,
                });
            }
            if !running {
                if started_one {
                    // The sync this call started ended short of the failures.
                    return Ok(Freshness { as_of: None, error });
                }
                started_one = true;
                if let Err(error) = self.start_sync_of(profile) {
                    return match error.code {
                        ErrorCode::Locked | ErrorCode::NotEnrolled => Err(error),
                        _ => Ok(Freshness {
                            as_of: None,
                            error: Some(error),
                        }),
                    };
                }
            }
            tokio::time::sleep(SYNC_POLL).await;
        }
    }

    /// Asks the active profile's sync to stop; what it stored stays.
    pub fn cancel_sync(&self) -> Result<SyncStatus, ErrorDto> {
        let profile = self.active_profile_id()?;
        if let Some(running) = &self.slots()?.entry(profile).or_default().running {
            running.cancel.cancel();
        }
        self.status_of(profile)
    }

    /// Sets (or, with `None`, clears) the active profile's automatic sync interval.
    pub fn set_auto_sync(&self, minutes: Option<u32>) -> Result<SyncStatus, ErrorDto> {
        let profile = self.active_profile_id()?;
        self.profiles()?.set_auto_sync(profile, minutes)?;
        self.audit(
            crate::audit::AuditEntry::operator(
                crate::audit::AuditAction::SettingsChanged,
                crate::audit::AuditOutcome::Succeeded,
            )
            .target(profile.to_string())
            .target(format!(
                "auto_sync_minutes={}",
                minutes.map_or_else(|| "off".to_owned(), |m| m.to_string())
            )),
        )?;
        self.status_of(profile)
    }

    /// Starts the automatic syncs that are due (the shell calls this on a timer). Nothing
    /// happens while locked.
    pub fn run_due_syncs(self: &Arc<Self>) -> Result<(), ErrorDto> {
        if self.gate()?.require_unlocked_quietly().is_err() {
            return Ok(());
        }
        let due: Vec<(Uuid, u32)> = self.profiles()?.auto_syncs();
        let now = Utc::now();
        for (profile, minutes) in due {
            let running = self
                .slots()?
                .get(&profile)
                .is_some_and(|s| s.running.is_some());
            if running {
                continue;
            }
            let last = self.last_completed(profile)?;
            let interval = chrono::Duration::minutes(i64::from(minutes));
            if last.is_none_or(|at| now - at >= interval) {
                self.start_sync_of(profile)?;
            }
        }
        Ok(())
    }

    pub(super) fn start_sync_of(self: &Arc<Self>, profile: Uuid) -> Result<(), ErrorDto> {
        // Checked now, so that a locked console or a profile without credentials answers at
        // once instead of from the background.
        self.endpoint(profile)?;
        let cancel = {
            let mut slots = self.slots()?;
            let slot = slots.entry(profile).or_default();
            if slot.running.is_some() {
                return Ok(());
            }
            let cancel = Cancel::new();
            slot.running = Some(Running {
                cancel: cancel.clone(),
                progress: None,
                started: SyncStart::now(),
                failures_in: false,
                replaced: false,
            });
            cancel
        };
        let console = Arc::clone(self);
        tokio::spawn(async move {
            console.run_sync(profile, cancel).await;
        });
        self.tell_sync(profile);
        Ok(())
    }

    async fn run_sync(self: Arc<Self>, profile: Uuid, cancel: Cancel) {
        let retention_days = self
            .profiles()
            .ok()
            .and_then(|p| p.get(profile).ok())
            .and_then(|p| p.cache_retention_days);
        let options = SyncOptions {
            retention_days,
            ..SyncOptions::default()
        };
        // Where the cache stood: incidents hear about what this sync stores after it.
        let mark = self.attempt_mark_of(profile);
        let started_at = Utc::now();
        let last_told = Mutex::new(Instant::now());
        let console = Arc::clone(&self);
        let mut sink = move |progress: &Progress| {
            if let Ok(mut slots) = console.slots() {
                let slot = slots.entry(profile).or_default();
                if let Some(running) = slot.running.as_mut() {
                    running.progress = Some(progress.clone());
                    if !running.failures_in && progress.stage.is_past_failures() {
                        running.failures_in = true;
                        slot.failures_fresh_as_of = Some(running.started);
                    }
                }
            }
            console.tell_sync(profile);
            if let Ok(mut told) = last_told.lock()
                && told.elapsed() >= CHANGE_EVERY
            {
                *told = Instant::now();
                console.emit_cache_changed(profile);
            }
        };
        let outcome = self
            .sync_profile(profile, &options, &cancel, &mut sink)
            .await;
        if outcome.is_ok() {
            if let Err(error) = self.mark_completed(profile) {
                tracing::warn!(%error, "the sync's end could not be recorded");
            }
            // Before the sync reads as ended, so that its news comes with it.
            let console = Arc::clone(&self);
            match tokio::task::spawn_blocking(move || console.after_sync(profile)).await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(%error, "failure spikes were not checked"),
                Err(error) => tracing::warn!(%error, "the failure-spike check stopped"),
            }
        }
        if let Some(mark) = mark {
            let outcome = SyncOutcome {
                started_at,
                ended_at: Utc::now(),
                error: outcome.as_ref().err().map(|e| e.code),
            };
            let console = Arc::clone(&self);
            let recorded = tokio::task::spawn_blocking(move || {
                console.record_sync_on_incidents(profile, mark, &outcome)
            })
            .await;
            match recorded {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(%error, "the sync was not put on incidents"),
                Err(error) => tracing::warn!(%error, "putting the sync on incidents stopped"),
            }
        }
        if let Ok(mut slots) = self.slots() {
            let slot = slots.entry(profile).or_default();
            let ended = slot.running.take();
            match &outcome {
                Ok(_) => {
                    slot.last_error = None;
                    slot.offline = false;
                    if let Some(run) = ended.filter(|r| !r.failures_in) {
                        slot.failures_fresh_as_of = Some(run.started);
                    }
                }
                // Replaced by a fresher sync: what the last real end said still holds.
                Err(_) if ended.is_some_and(|r| r.replaced) => {}
                Err(error) => {
                    slot.offline = matches!(error.code, ErrorCode::Unreachable);
                    slot.last_error = Some(error.clone());
                }
            }
        }
        self.emit_cache_changed(profile);
        self.tell_sync(profile);
    }

    fn status_of(&self, profile: Uuid) -> Result<SyncStatus, ErrorDto> {
        let auto_sync_minutes = self.profiles()?.get(profile)?.auto_sync_minutes;
        let last_synced_at = self
            .last_completed(profile)?
            .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true));
        let slots = self.slots()?;
        let slot = slots.get(&profile);
        Ok(SyncStatus {
            profile_id: profile,
            sync: match slot.and_then(|s| s.running.as_ref()) {
                Some(running) => SyncState::Running {
                    progress: running.progress.clone(),
                },
                None => SyncState::Idle,
            },
            last_synced_at,
            last_error: slot.and_then(|s| s.last_error.clone()),
            offline: slot.is_some_and(|s| s.offline),
            auto_sync_minutes,
        })
    }

    /// When the profile's last sync completed, from its cache (read through the explorer's
    /// reader: the status bar asks often).
    pub(super) fn last_completed(&self, profile: Uuid) -> Result<Option<DateTime<Utc>>, ErrorDto> {
        if !self.cache_path(profile).exists() {
            return Ok(None);
        }
        let value: Option<String> = self.with_reader_of(profile, |r| {
            Ok(r.conn()
                .prepare_cached("SELECT value FROM sync_state WHERE scope = ?1 AND key = ?2")?
                .query_row((COMPLETED_SCOPE, COMPLETED_KEY), |row| row.get(0))
                .optional()?)
        })?;
        Ok(value
            .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
            .map(|t| t.to_utc()))
    }

    /// The cache's last attempt row now (`None` when it cannot be read: the sync then goes
    /// on, and only its incident entries are lost).
    fn attempt_mark_of(&self, profile: Uuid) -> Option<i64> {
        match self.with_reader_of(profile, |r| crate::query::attempt_mark(r.conn())) {
            Ok(mark) => Some(mark),
            Err(error) => {
                tracing::warn!(%error, "this sync will not be put on incidents");
                None
            }
        }
    }

    fn mark_completed(&self, profile: Uuid) -> Result<(), ErrorDto> {
        let mut cache = self.open_cache(profile)?;
        let mut ingest = cache.ingest().map_err(|e| e.to_dto())?;
        let now = Utc::now();
        ingest
            .set_sync_state(
                COMPLETED_SCOPE,
                COMPLETED_KEY,
                &now.to_rfc3339_opts(SecondsFormat::Secs, true),
            )
            .map_err(|e| e.to_dto())?;
        ingest.commit().map_err(|e| e.to_dto())?;
        Ok(())
    }

    fn tell_sync(&self, profile: Uuid) {
        match self.status_of(profile) {
            Ok(status) => self.events().sync_changed(&status),
            Err(error) => tracing::debug!(%error, "no sync status to send"),
        }
    }

    pub(super) fn emit_cache_changed(&self, profile: Uuid) {
        self.events().cache_changed(&CacheChanged {
            profile_id: profile,
        });
    }

    pub(super) fn slots(&self) -> Result<MutexGuard<'_, Slots>, ErrorDto> {
        self.slots.lock().map_err(|_| super::poisoned())
    }
}
