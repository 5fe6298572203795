//! Running a replay job: paced, bounded, pausable, and exactly once across crashes.
//!
//! Every event goes through the journal's state machine. The order for one try is: wait for
//! the operator (pause/cancel), for the job-wide 429 pause, for the rate (`governor`); commit
//! `sending`; send; record the answer:
//! - 204 → `sent`;
//! - 429 `RateLimited` → proven not processed (the limiter answers before the handler):
//!   back to `planned`, and the **whole job** pauses for max(retry-after, minimum) + jitter;
//! - connection never opened → not processed: `planned`, retried with back-off;
//! - 503, timeout, cut connection → `unknown`, then resolved against the API (see
//!   [`super::resolve`]); only a proven absence sends it back to `planned`, and the retry
//!   waits a back-off (`backon`);
//! - 404, 403 and other refusals → `failed` with Hook0's problem id.
//!
//! Entries left `sending`/`unknown` by an earlier run are resolved first, before any other
//! request. The replay call itself never retries inside the HTTP client: every retry decision
//! is the journal's.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use chrono::Utc;
use futures_util::StreamExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::Rng;
use uuid::Uuid;

use super::config::RunConfig;
use super::control::{Command, JobControl};
use super::error::ReplayError;
use super::journal::{Entry, Failure, JobState, Journal};
use super::progress::{ProgressSink, ReplayProgress, RunOutcome};
use super::resolve::{Resolution, resolve_entry};
use super::state::{EntryState, Transition};
use crate::api::{ApiClient, ApiError, RetryPolicy};

/// Why one try did not end the entry.
#[derive(Debug)]
enum TryError {
    /// Worth another try after a back-off (503, transport, resolution failure).
    Transient(Failure),
    /// The operator cancelled.
    Cancelled,
    /// Stops the whole run (credentials, storage).
    Fatal(ReplayError),
}

struct Runner<'a> {
    journal: &'a Journal,
    /// Reads (resolution): retried by the client like any other read.
    client: ApiClient,
    /// The replay call: never retried by the client; the journal decides.
    replay_client: ApiClient,
    job: Uuid,
    config: RunConfig,
    control: JobControl,
    limiter: DefaultDirectRateLimiter,
    paused_until: std::sync::Mutex<Option<tokio::time::Instant>>,
    sink: Option<ProgressSink>,
    started: Instant,
    sent_this_run: AtomicU64,
    rate_limited: AtomicU64,
    /// Set after a fatal error: no new request starts.
    stopped: AtomicBool,
}

fn failure(error: &ApiError) -> Failure {
    Failure {
        reason: error.to_string(),
        problem_id: error.problem_id().map(str::to_owned),
    }
}

impl Runner<'_> {
    fn now() -> chrono::DateTime<Utc> {
        Utc::now()
    }

    fn apply(&self, entry: &Entry, t: Transition, f: Option<&Failure>) -> Result<Entry, TryError> {
        self.journal
            .apply(self.job, entry, t, f, Self::now())
            .map_err(TryError::Fatal)
    }

    /// Waits while paused (by the operator or a 429), then for the rate.
    async fn wait_turn(&self) -> Result<(), TryError> {
        let mut rx = self.control.tx.subscribe();
        loop {
            if self.stopped.load(Ordering::SeqCst) {
                return Err(TryError::Cancelled);
            }
            let command = *rx.borrow_and_update();
            match command {
                Command::Cancel => return Err(TryError::Cancelled),
                Command::Run => {}
                Command::Pause => {
                    if rx.changed().await.is_err() {
                        return Err(TryError::Cancelled);
                    }
                    continue;
                }
            }
            let until = *self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
            match until {
                Some(t) if t > tokio::time::Instant::now() => {
                    tokio::time::sleep_until(t).await;
                    continue;
                }
                _ => {}
            }
            self.limiter.until_ready().await;
            // A cancel may come from another process (`replay cancel JOB`).
            if self.journal.state(self.job).map_err(TryError::Fatal)? == JobState::Cancelled {
                self.stopped.store(true, Ordering::SeqCst);
                return Err(TryError::Cancelled);
            }
            // The operator may have acted while this waited for the rate.
            if self.control.current() == Command::Run && !self.stopped.load(Ordering::SeqCst) {
                return Ok(());
            }
        }
    }

    fn pause_job(&self, retry_after: Option<Duration>) {
        let jitter = if self.config.pause_jitter_ms == 0 {
            0
        } else {
            rand::rng().random_range(0..=self.config.pause_jitter_ms)
        };
        let wait = retry_after.unwrap_or_default().max(self.config.min_pause())
            + Duration::from_millis(jitter);
        let until = tokio::time::Instant::now() + wait;
        let mut slot = self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none_or(|t| t < until) {
            *slot = Some(until);
        }
        tracing::debug!(
            wait_ms = wait.as_millis() as u64,
            "replay job paused after a 429"
        );
    }

    /// Resolves an entry that may have been sent; loops while it could still land.
    async fn resolve(&self, mut entry: Entry, answered: bool) -> Result<Entry, TryError> {
        loop {
            let resolution =
                resolve_entry(&self.client, &entry, &self.config, answered, Self::now())
                    .await
                    .map_err(|e| TryError::Transient(failure(&e)))?;
            match resolution {
                Resolution::Found => return self.apply(&entry, Transition::Found, None),
                Resolution::Absent => {
                    let note = entry.failure.clone();
                    entry = self.apply(&entry, Transition::Absent, note.as_ref())?;
                    return Ok(entry);
                }
                Resolution::NotYet(wait) => {
                    tokio::time::sleep(wait).await;
                    entry = self
                        .journal
                        .entry(self.job, entry.position)
                        .map_err(TryError::Fatal)?;
                    if !entry.state.needs_resolution() {
                        return Ok(entry);
                    }
                }
            }
        }
    }

    /// One try of one entry: ends in a final state, or says why another try is needed.
    async fn try_once(&self, position: u32) -> Result<EntryState, TryError> {
        let mut entry = self
            .journal
            .entry(self.job, position)
            .map_err(TryError::Fatal)?;
        if entry.state.needs_resolution() {
            entry = self.resolve(entry, false).await?;
        }
        loop {
            match entry.state {
                EntryState::Sent | EntryState::Failed => return Ok(entry.state),
                EntryState::Sending | EntryState::Unknown => {
                    entry = self.resolve(entry, false).await?;
                    continue;
                }
                EntryState::Planned => {}
            }
            self.wait_turn().await?;
            let sending = self.apply(&entry, Transition::Begin, None)?;
            let answer = self
                .replay_client
                .replay(sending.application_id, sending.event_id)
                .await;
            match answer {
                Ok(()) => {
                    self.apply(&sending, Transition::Accepted, None)?;
                    self.sent_this_run.fetch_add(1, Ordering::Relaxed);
                    return Ok(EntryState::Sent);
                }
                Err(ApiError::RateLimited {
                    retry_after,
                    problem_id,
                }) if problem_id == "RateLimited" => {
                    self.rate_limited.fetch_add(1, Ordering::Relaxed);
                    let note = Failure {
                        reason: "rate limited (429): the job paused".into(),
                        problem_id: Some(problem_id),
                    };
                    entry = self.apply(&sending, Transition::Refused, Some(&note))?;
                    self.pause_job(retry_after);
                    self.report();
                }
                Err(error @ ApiError::Unreachable { .. }) => {
                    let f = failure(&error);
                    self.apply(&sending, Transition::Refused, Some(&f))?;
                    return Err(TryError::Transient(f));
                }
                Err(
                    error @ (ApiError::Timeout { .. }
                    | ApiError::Transport { .. }
                    | ApiError::Unavailable { .. }
                    | ApiError::TooLarge { .. }),
                ) => {
                    let answered = matches!(error, ApiError::Unavailable { .. });
                    let f = failure(&error);
                    let unknown = self.apply(&sending, Transition::Ambiguous, Some(&f))?;
                    let resolved = self.resolve(unknown, answered).await?;
                    if resolved.state == EntryState::Sent {
                        self.sent_this_run.fetch_add(1, Ordering::Relaxed);
                        return Ok(EntryState::Sent);
                    }
                    return Err(TryError::Transient(f));
                }
                Err(
                    error @ (ApiError::Unauthorized(_)
                    | ApiError::SessionExpired { .. }
                    | ApiError::InvalidToken
                    | ApiError::InvalidBaseUrl(_)),
                ) => {
                    // Refused before the handler: not processed, and no other event can
                    // succeed either until the operator acts.
                    let f = failure(&error);
                    self.apply(&sending, Transition::Refused, Some(&f))?;
                    return Err(TryError::Fatal(ReplayError::Api(error)));
                }
                Err(error) => {
                    // 404 unknown event, 403 foreign application, quota 429s, other refusals.
                    let f = failure(&error);
                    self.apply(&sending, Transition::Rejected, Some(&f))?;
                    return Ok(EntryState::Failed);
                }
            }
        }
    }

    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(self.config.backoff_min_ms))
            .with_max_delay(Duration::from_millis(self.config.backoff_max_ms))
            .with_max_times(self.config.max_tries.saturating_sub(1) as usize)
            .with_jitter()
    }

    /// Every try of one entry; after the last, a planned entry is given up.
    async fn process(&self, position: u32) -> Result<(), ReplayError> {
        let result = (|| self.try_once(position))
            .retry(self.backoff())
            .sleep(tokio::time::sleep)
            .when(|e| matches!(e, TryError::Transient(_)))
            .notify(|e, d| tracing::debug!(?e, delay_ms = d.as_millis() as u64, "replay retry"))
            .await;
        let outcome = match result {
            Ok(_) | Err(TryError::Cancelled) => Ok(()),
            Err(TryError::Fatal(e)) => Err(e),
            Err(TryError::Transient(last)) => {
                let entry = self.journal.entry(self.job, position)?;
                if entry.state == EntryState::Planned {
                    let f = Failure {
                        reason: format!("gave up after {} tries: {}", entry.tries, last.reason),
                        problem_id: last.problem_id,
                    };
                    self.journal.apply(
                        self.job,
                        &entry,
                        Transition::Abandon,
                        Some(&f),
                        Self::now(),
                    )?;
                }
                // Still unknown (the API could not be asked): left for a later resume.
                Ok(())
            }
        };
        self.report();
        outcome
    }

    fn progress(&self) -> Result<ReplayProgress, ReplayError> {
        let counts = self.journal.counts(self.job)?;
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-3);
        let sent = self.sent_this_run.load(Ordering::Relaxed) as f64;
        let rate = sent / elapsed;
        let left = (counts.planned + counts.sending + counts.unknown) as f64;
        let paused_for_ms = self
            .paused_until
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .and_then(|t| t.checked_duration_since(tokio::time::Instant::now()))
            .map(|d| d.as_millis() as u64);
        let state = match self.control.current() {
            Command::Run => JobState::Running,
            Command::Pause => JobState::Paused,
            Command::Cancel => JobState::Cancelled,
        };
        Ok(ReplayProgress {
            job_id: self.job,
            state,
            done: counts.done(),
            total: counts.total(),
            counts,
            rate_per_second: rate,
            eta_seconds: (rate > 0.0).then(|| left / rate),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            paused_for_ms,
        })
    }

    fn report(&self) {
        if let Some(sink) = &self.sink
            && let Ok(progress) = self.progress()
        {
            sink(&progress);
        }
    }
}

/// Runs (or resumes) job `job` until every entry is final, the operator cancels, or a fatal
/// error. Entries an earlier run left `sending`/`unknown` are resolved before anything else
/// is sent. Pausing through `control` keeps this future waiting (the job is stored `paused`).
pub async fn run_job(
    journal: &Journal,
    client: &ApiClient,
    job: Uuid,
    control: &JobControl,
    sink: Option<ProgressSink>,
) -> Result<RunOutcome, ReplayError> {
    let record = journal.job(job)?;
    if record.state.is_over() {
        return Err(ReplayError::JobState {
            job,
            state: record.state.as_str(),
            action: "running it",
        });
    }
    let config = record.config;
    config.validate()?;
    if config.settle() < client.settings().request_timeout {
        // A request the client gave up on may still reach Hook0 until its own timeout.
        tracing::warn!(
            settle_ms = config.settle_ms,
            timeout_ms = client.settings().request_timeout.as_millis() as u64,
            "replay settle time is shorter than the client's request timeout"
        );
    }
    journal.restart(job, Utc::now())?;
    let rate = std::num::NonZeroU32::new(config.rate_per_second)
        .ok_or_else(|| ReplayError::InvalidConfig("rate_per_second must be positive".into()))?;
    let runner = Runner {
        journal,
        client: client.clone(),
        replay_client: client.with_retry(RetryPolicy::NEVER),
        job,
        control: control.clone(),
        limiter: RateLimiter::direct(
            Quota::per_second(rate).allow_burst(std::num::NonZeroU32::MIN),
        ),
        paused_until: std::sync::Mutex::new(None),
        sink,
        started: Instant::now(),
        sent_this_run: AtomicU64::new(0),
        rate_limited: AtomicU64::new(0),
        stopped: AtomicBool::new(false),
        config,
    };
    let entries = journal.entries(job, &[])?;
    // Whatever may have been sent is settled first.
    let mut order: Vec<u32> = entries
        .iter()
        .filter(|e| e.state.needs_resolution())
        .map(|e| e.position)
        .collect();
    order.extend(
        entries
            .iter()
            .filter(|e| e.state == EntryState::Planned)
            .map(|e| e.position),
    );
    runner.report();
    let in_flight = runner.config.in_flight as usize;
    let fatal: std::sync::Mutex<Option<ReplayError>> = std::sync::Mutex::new(None);
    let work = futures_util::stream::iter(order).for_each_concurrent(in_flight, |position| {
        let runner = &runner;
        let fatal = &fatal;
        async move {
            if fatal.lock().unwrap_or_else(|p| p.into_inner()).is_some() {
                return;
            }
            if let Err(e) = runner.process(position).await {
                // Stop everything: the next entries would fail the same way.
                let mut slot = fatal.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert(e);
                runner.stopped.store(true, Ordering::SeqCst);
            }
        }
    });
    let mut rx = control.tx.subscribe();
    let persist = async {
        loop {
            if rx.changed().await.is_err() {
                return;
            }
            let command = *rx.borrow_and_update();
            let state = match command {
                Command::Run => JobState::Running,
                Command::Pause => JobState::Paused,
                Command::Cancel => continue,
            };
            if let Err(e) = journal.set_state(job, state, Utc::now()) {
                tracing::warn!(error = %e, "could not record the job's state");
            }
            runner.report();
        }
    };
    tokio::select! {
        () = work => {}
        () = persist => {}
    }
    let fatal = fatal.into_inner().unwrap_or_else(|p| p.into_inner());
    let counts = journal.counts(job)?;
    let cancelled_elsewhere = journal.state(job)? == JobState::Cancelled;
    let state = if let Some(error) = fatal {
        journal.set_state(job, JobState::Running, Utc::now())?;
        return Err(error);
    } else if control.current() == Command::Cancel || cancelled_elsewhere {
        JobState::Cancelled
    } else if counts.planned + counts.sending + counts.unknown == 0 {
        JobState::Finished
    } else {
        JobState::Running
    };
    journal.set_state(job, state, Utc::now())?;
    runner.report();
    Ok(RunOutcome {
        job_id: job,
        state,
        counts,
        rate_limited: runner.rate_limited.load(Ordering::Relaxed),
    })
}
