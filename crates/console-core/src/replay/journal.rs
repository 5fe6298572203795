//! The persistent journal of replay jobs, in the profile's encrypted cache.
//!
//! Invariants:
//! - every entry change goes through [`super::state::next`]; an illegal move is a
//!   [`ReplayError::IllegalTransition`], never written;
//! - each change is one autocommitted statement guarded by the expected old state, on a
//!   connection with `synchronous = FULL`: once [`Journal::apply`] returns, the change
//!   survives a killed process (and a power cut);
//! - the job keeps its manifest verbatim with its hash, checked again on every read.
//!
//! One runner per job at a time is the caller's rule (the app and the command line start one);
//! should two run anyway, the guarded update lets only one of them move an entry, and the
//! other stops with [`ReplayError::Contended`] — never a second send.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::config::RunConfig;
use super::error::ReplayError;
use super::manifest::Manifest;
use super::state::{EntryState, Transition, next};
use crate::cache::{Cache, from_micros, micros};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum JobState {
    /// Started and not over (also a job whose process died: resume it).
    Running,
    /// Paused by the operator.
    Paused,
    /// Cancelled: entries still planned are never sent.
    Cancelled,
    /// Every entry is sent or failed.
    Finished,
}

impl JobState {
    const ALL: [Self; 4] = [Self::Running, Self::Paused, Self::Cancelled, Self::Finished];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Cancelled => "cancelled",
            Self::Finished => "finished",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the job will send nothing more.
    pub fn is_over(self) -> bool {
        matches!(self, Self::Cancelled | Self::Finished)
    }
}

/// Why an entry failed or is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Failure {
    /// For the operator.
    pub reason: String,
    /// Hook0's problem id, when it sent one (`Forbidden`, `RateLimited`…).
    pub problem_id: Option<String>,
}

/// One event of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Entry {
    /// Order in the manifest.
    pub position: u32,
    /// The event.
    pub event_id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// Where it stands.
    pub state: EntryState,
    /// Requests sent (or possibly sent) for it.
    pub tries: u32,
    /// When the latest request was about to leave.
    pub sending_at: Option<DateTime<Utc>>,
    /// Why it failed, or why it is unknown.
    pub failure: Option<Failure>,
    /// First attempts of the event known before the job (not created by this replay).
    #[serde(skip)]
    #[ts(skip)]
    pub baseline: Vec<Uuid>,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    /// The job.
    pub id: Uuid,
    /// What it replays.
    pub manifest: Manifest,
    /// The manifest's SHA-256.
    pub manifest_sha256: String,
    /// Where it stands.
    pub state: JobState,
    /// How it runs.
    pub config: RunConfig,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was (last) started: attempts created before this are not its own.
    pub started_at: DateTime<Utc>,
    /// When it finished or was cancelled.
    pub finished_at: Option<DateTime<Utc>>,
}

/// How many entries are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntryCounts {
    /// Not sent yet.
    pub planned: u64,
    /// Possibly in flight.
    pub sending: u64,
    /// Replayed.
    pub sent: u64,
    /// Refused or given up.
    pub failed: u64,
    /// Waiting for resolution.
    pub unknown: u64,
}

impl EntryCounts {
    /// Every entry.
    pub fn total(&self) -> u64 {
        self.planned + self.sending + self.sent + self.failed + self.unknown
    }

    /// Entries in a final state.
    pub fn done(&self) -> u64 {
        self.sent + self.failed
    }
}

/// One line of the job list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobSummary {
    /// The job.
    pub id: Uuid,
    /// Where it stands.
    pub state: JobState,
    /// The manifest's SHA-256.
    pub manifest_sha256: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Entries per state.
    pub counts: EntryCounts,
}

/// The replay journal of one cache file.
#[derive(Debug)]
pub struct Journal {
    cache: Mutex<Cache>,
}

pub(super) fn blob(u: Uuid) -> Vec<u8> {
    u.as_bytes().to_vec()
}

fn uuid_of(bytes: &[u8]) -> Result<Uuid, ReplayError> {
    Uuid::from_slice(bytes).map_err(|_| ReplayError::Corrupt("an id is not 16 bytes".into()))
}

pub(super) fn time_of(us: i64) -> Result<DateTime<Utc>, ReplayError> {
    from_micros(us).ok_or_else(|| ReplayError::Corrupt(format!("instant {us} out of range")))
}

impl Journal {
    /// The journal in `cache` (a writing handle of its own: replay runs beside a sync).
    pub fn new(cache: Cache) -> Result<Self, ReplayError> {
        // A committed `sending` row is the promise the crash recovery relies on.
        cache.conn().execute_batch("PRAGMA synchronous = FULL;")?;
        Ok(Self {
            cache: Mutex::new(cache),
        })
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Cache> {
        // A panic elsewhere cannot leave a half-written change: every write is one statement.
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the cache's connection (reads for planning, tests).
    pub fn with_cache<T>(&self, f: impl FnOnce(&Cache) -> T) -> T {
        f(&self.lock())
    }

    /// Records a new job for `manifest`, every event `planned`, in one transaction.
    pub fn create_job(
        &self,
        manifest: &Manifest,
        baselines: &HashMap<Uuid, Vec<Uuid>>,
        config: &RunConfig,
        now: DateTime<Utc>,
    ) -> Result<Uuid, ReplayError> {
        manifest.validate()?;
        config.validate()?;
        let id = Uuid::now_v7();
        let sha = manifest.sha256()?;
        let json = manifest.canonical_json()?;
        let config_json =
            serde_json::to_string(config).map_err(|e| ReplayError::InvalidConfig(e.to_string()))?;
        let cache = self.lock();
        let tx = cache.conn().unchecked_transaction()?;
        let at = micros(&now);
        let job: i64 = tx.query_row(
            "INSERT INTO replay_job (uuid, manifest_sha256, manifest, state, created_at,
                 started_at, updated_at, config)
             VALUES (?1, ?2, ?3, 'running', ?4, ?4, ?4, ?5) RETURNING id",
            params![blob(id), sha, json, at, config_json],
            |r| r.get(0),
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO replay_entry (job_id, position, event_uuid, application_uuid, state,
                     updated_at, baseline)
                 VALUES (?1, ?2, ?3, ?4, 'planned', ?5, ?6)",
            )?;
            for (position, event) in manifest.events.iter().enumerate() {
                let baseline = baselines.get(&event.event_id).cloned().unwrap_or_default();
                let baseline = serde_json::to_string(&baseline)
                    .map_err(|e| ReplayError::Corrupt(e.to_string()))?;
                insert.execute(params![
                    job,
                    position as i64,
                    blob(event.event_id),
                    blob(event.application_id),
                    at,
                    baseline
                ])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    fn job_row(cache: &Cache, id: Uuid) -> Result<i64, ReplayError> {
        cache
            .conn()
            .prepare_cached("SELECT id FROM replay_job WHERE uuid = ?1")?
            .query_row([blob(id)], |r| r.get(0))
            .optional()?
            .ok_or(ReplayError::UnknownJob(id))
    }

    /// The job `id`, its manifest checked against the stored hash.
    pub fn job(&self, id: Uuid) -> Result<JobRecord, ReplayError> {
        let cache = self.lock();
        let row = cache
            .conn()
            .prepare_cached(
                "SELECT manifest_sha256, manifest, state, config, created_at, started_at,
                        finished_at
                 FROM replay_job WHERE uuid = ?1",
            )?
            .query_row([blob(id)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            })
            .optional()?
            .ok_or(ReplayError::UnknownJob(id))?;
        let (sha, json, state, config, created, started, finished) = row;
        let manifest: Manifest = serde_json::from_str(&json)
            .map_err(|e| ReplayError::Corrupt(format!("job {id}: manifest: {e}")))?;
        if manifest.sha256()? != sha {
            return Err(ReplayError::Corrupt(format!(
                "job {id}: the stored manifest does not match its hash"
            )));
        }
        Ok(JobRecord {
            id,
            manifest,
            manifest_sha256: sha,
            state: JobState::parse(&state)
                .ok_or_else(|| ReplayError::Corrupt(format!("job state {state}")))?,
            config: serde_json::from_str(&config)
                .map_err(|e| ReplayError::Corrupt(format!("job {id}: config: {e}")))?,
            created_at: time_of(created)?,
            started_at: time_of(started)?,
            finished_at: finished.map(time_of).transpose()?,
        })
    }

    /// Every job, newest first.
    pub fn jobs(&self) -> Result<Vec<JobSummary>, ReplayError> {
        let rows: Vec<(Vec<u8>, String, String, i64)> = {
            let cache = self.lock();
            let mut stmt = cache.conn().prepare_cached(
                "SELECT uuid, state, manifest_sha256, created_at FROM replay_job ORDER BY id DESC",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?
        };
        rows.into_iter()
            .map(|(uuid, state, sha, created)| {
                let id = uuid_of(&uuid)?;
                Ok(JobSummary {
                    id,
                    state: JobState::parse(&state)
                        .ok_or_else(|| ReplayError::Corrupt(format!("job state {state}")))?,
                    manifest_sha256: sha,
                    created_at: time_of(created)?,
                    counts: self.counts(id)?,
                })
            })
            .collect()
    }

    /// Entries of `job` (all when `states` is empty), in manifest order.
    pub fn entries(&self, job: Uuid, states: &[EntryState]) -> Result<Vec<Entry>, ReplayError> {
        let mut all = self.entries_where(job, None)?;
        if !states.is_empty() {
            all.retain(|e| states.contains(&e.state));
        }
        Ok(all)
    }

    fn entries_where(&self, job: Uuid, position: Option<u32>) -> Result<Vec<Entry>, ReplayError> {
        let cache = self.lock();
        let row = Self::job_row(&cache, job)?;
        // Two statements rather than `(?2 IS NULL OR position = ?2)`, which SQLite would
        // answer by reading every entry of the job: one entry is read before each request.
        const COLUMNS: &str = "SELECT position, event_uuid, application_uuid, state, tries,
             sending_at, reason, problem_id, baseline FROM replay_entry";
        let (mut stmt, bound) = match position {
            Some(p) => (
                cache
                    .conn()
                    .prepare_cached(&format!("{COLUMNS} WHERE job_id = ?1 AND position = ?2"))?,
                vec![row, i64::from(p)],
            ),
            None => (
                cache
                    .conn()
                    .prepare_cached(&format!("{COLUMNS} WHERE job_id = ?1 ORDER BY position"))?,
                vec![row],
            ),
        };
        let raw = stmt
            .query_map(rusqlite::params_from_iter(bound), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::new();
        for (position, event, app, state, tries, sending_at, reason, problem_id, baseline) in raw {
            let state = EntryState::parse(&state)
                .ok_or_else(|| ReplayError::Corrupt(format!("entry state {state}")))?;
            out.push(Entry {
                position: u32::try_from(position)
                    .map_err(|_| ReplayError::Corrupt("entry position".into()))?,
                event_id: uuid_of(&event)?,
                application_id: uuid_of(&app)?,
                state,
                tries: u32::try_from(tries).unwrap_or(u32::MAX),
                sending_at: sending_at.map(time_of).transpose()?,
                failure: reason.map(|reason| Failure { reason, problem_id }),
                baseline: serde_json::from_str(&baseline)
                    .map_err(|e| ReplayError::Corrupt(format!("entry baseline: {e}")))?,
            });
        }
        Ok(out)
    }

    /// One entry of `job`, as stored now.
    pub fn entry(&self, job: Uuid, position: u32) -> Result<Entry, ReplayError> {
        self.entries_where(job, Some(position))?
            .pop()
            .ok_or_else(|| ReplayError::Corrupt(format!("job {job} has no entry {position}")))
    }

    /// Moves one entry by `transition`, or refuses an illegal move. `failure` is stored with
    /// `rejected`, `ambiguous`, `abandon` (and kept as a note with `refused`/`absent`).
    pub fn apply(
        &self,
        job: Uuid,
        entry: &Entry,
        transition: Transition,
        failure: Option<&Failure>,
        now: DateTime<Utc>,
    ) -> Result<Entry, ReplayError> {
        let to = next(entry.state, transition).ok_or(ReplayError::IllegalTransition {
            event_id: entry.event_id,
            from: entry.state,
            transition,
        })?;
        let cache = self.lock();
        let row = Self::job_row(&cache, job)?;
        let at = micros(&now);
        let begin = transition == Transition::Begin;
        let (reason, problem) = match (to, failure) {
            (EntryState::Sent, _) | (_, None) => (None, None),
            (_, Some(f)) => (Some(f.reason.clone()), f.problem_id.clone()),
        };
        let changed = cache
            .conn()
            .prepare_cached(
                "UPDATE replay_entry
                 SET state = ?1, updated_at = ?2, reason = ?3, problem_id = ?4,
                     tries = tries + ?5, sending_at = CASE WHEN ?5 = 1 THEN ?2 ELSE sending_at END
                 WHERE job_id = ?6 AND position = ?7 AND state = ?8",
            )?
            .execute(params![
                to.as_str(),
                at,
                reason,
                problem,
                i64::from(begin),
                row,
                i64::from(entry.position),
                entry.state.as_str(),
            ])?;
        if changed != 1 {
            return Err(ReplayError::Contended {
                job,
                position: entry.position,
            });
        }
        let mut moved = entry.clone();
        moved.state = to;
        if begin {
            moved.tries += 1;
            moved.sending_at = Some(now);
        }
        moved.failure = reason.map(|reason| Failure {
            reason,
            problem_id: problem,
        });
        Ok(moved)
    }

    /// Sets the job's state (and its end time when it is over).
    pub fn set_state(
        &self,
        job: Uuid,
        state: JobState,
        now: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        let cache = self.lock();
        let at = micros(&now);
        let changed = cache
            .conn()
            .prepare_cached(
                "UPDATE replay_job SET state = ?1, updated_at = ?2,
                     finished_at = CASE WHEN ?3 THEN ?2 ELSE finished_at END
                 WHERE uuid = ?4",
            )?
            .execute(params![state.as_str(), at, state.is_over(), blob(job)])?;
        if changed == 1 {
            Ok(())
        } else {
            Err(ReplayError::UnknownJob(job))
        }
    }

    /// The job's stored state (cheap: read before each request, so that a cancel recorded
    /// by another process stops a running job).
    pub fn state(&self, job: Uuid) -> Result<JobState, ReplayError> {
        let cache = self.lock();
        let state: String = cache
            .conn()
            .prepare_cached("SELECT state FROM replay_job WHERE uuid = ?1")?
            .query_row([blob(job)], |r| r.get(0))
            .optional()?
            .ok_or(ReplayError::UnknownJob(job))?;
        JobState::parse(&state).ok_or_else(|| ReplayError::Corrupt(format!("job state {state}")))
    }

    /// Marks the job started again now (a resumed run).
    pub fn restart(&self, job: Uuid, now: DateTime<Utc>) -> Result<(), ReplayError> {
        let cache = self.lock();
        cache
            .conn()
            .prepare_cached(
                "UPDATE replay_job SET state = 'running', started_at = ?1, updated_at = ?1
                 WHERE uuid = ?2",
            )?
            .execute(params![micros(&now), blob(job)])?;
        Ok(())
    }

    /// Entries per state.
    pub fn counts(&self, job: Uuid) -> Result<EntryCounts, ReplayError> {
        let cache = self.lock();
        let row = Self::job_row(&cache, job)?;
        let mut stmt = cache.conn().prepare_cached(
            "SELECT state, count(*) FROM replay_entry WHERE job_id = ?1 GROUP BY state",
        )?;
        let rows = stmt
            .query_map([row], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut counts = EntryCounts::default();
        for (state, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match EntryState::parse(&state) {
                Some(EntryState::Planned) => counts.planned = n,
                Some(EntryState::Sending) => counts.sending = n,
                Some(EntryState::Sent) => counts.sent = n,
                Some(EntryState::Failed) => counts.failed = n,
                Some(EntryState::Unknown) => counts.unknown = n,
                None => return Err(ReplayError::Corrupt(format!("entry state {state}"))),
            }
        }
        Ok(counts)
    }
}
