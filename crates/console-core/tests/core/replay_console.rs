//! Replays through the console, as the window drives them: a real sandbox, a background sync,
//! a plan, a step-up code bound to the manifest, the job on its background task, progress
//! events, verification, the notification, and the audit trail. Locked, everything refuses;
//! a set that changed since the plan is refused with the difference.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use console_core::audit::{AuditAction, AuditFilter};
use console_core::cache::{AttemptStatus, ChainOutcome};
use console_core::console::{ConsoleEvents, ReplaySettings};
use console_core::gate::Clock as _;
use console_core::ipc::{
    CacheChanged, ReplayJobDetail, ReplayPhase, ReplayPlanRequest, ReplayStartRequest,
    ReplayUpdate, SpikeAlert, SyncState, SyncStatus,
};
use console_core::notify::RecordingNotifier;
use console_core::query::DeliveryFilter;
use console_core::replay::{JobState, PlanOptions, Selection, VerifyOptions};
use console_core::{Console, ErrorCode, ErrorDetail};
use hook0_sandbox::{Behaviour, RunningSandbox, SandboxOptions, ScenarioConfig};
use uuid::Uuid;

use crate::api_support::{fast_settings, start};
use crate::gate_support::{TestGate, code_at, enrolled_console};
use crate::replay_support::{fast_config, history_end};

/// Keeps the replay news the window would get.
#[derive(Debug, Default)]
pub(crate) struct Window(Mutex<Vec<ReplayUpdate>>);

impl ConsoleEvents for Window {
    fn sync_changed(&self, _: &SyncStatus) {}
    fn cache_changed(&self, _: &CacheChanged) {}
    fn spike(&self, _: &SpikeAlert) {}
    fn replay_progress(&self, update: &ReplayUpdate) {
        self.0.lock().unwrap().push(update.clone());
    }
}

pub(crate) struct Setup {
    pub sandbox: RunningSandbox,
    pub dir: tempfile::TempDir,
    pub console: Arc<Console>,
    pub gate: TestGate,
    pub window: Arc<Window>,
    pub notifier: Arc<RecordingNotifier>,
}

/// The replay tests' sandbox (history still, no rate limit) behind an unlocked console whose
/// active profile is synced from it.
pub(crate) async fn setup() -> anyhow::Result<Setup> {
    let sandbox = start(SandboxOptions {
        scenario: ScenarioConfig {
            seed: 11,
            applications: 2,
            subscriptions: 5,
            events: 200,
            failure_rate: 0.25,
        },
        rate_limit: false,
        worker_paused: true,
        history_end: Some(history_end()),
        time_scale: 10_000.0,
        ..SandboxOptions::default()
    })
    .await?;
    let dir = tempfile::tempdir()?;
    let (console, gate) = enrolled_console(dir.path(), fast_settings())?;
    let console = Arc::new(console);
    crate::gate_support::sandbox_profile(&console, &sandbox).await?;
    let window = Arc::new(Window::default());
    console.set_events(window.clone())?;
    let notifier = Arc::new(RecordingNotifier::new());
    console.set_notifier(notifier.clone())?;
    console.override_replay_settings(ReplaySettings {
        run: fast_config(),
        verify: VerifyOptions {
            deadline: Duration::from_secs(3),
            poll_interval: Duration::from_millis(200),
        },
        ..ReplaySettings::default()
    })?;
    sync_to_end(&console).await?;
    Ok(Setup {
        sandbox,
        dir,
        console,
        gate,
        window,
        notifier,
    })
}

pub(crate) async fn sync_to_end(console: &Arc<Console>) -> anyhow::Result<()> {
    console.start_sync()?;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let status = console.sync_status()?;
        if matches!(status.sync, SyncState::Idle) {
            anyhow::ensure!(status.last_error.is_none(), "the sync failed: {status:?}");
            return Ok(());
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the sync did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Setup {
    /// The next authenticator code (a code is good once: each approval takes a new step).
    pub(crate) fn next_code(&self) -> String {
        self.gate.clock.advance(chrono::Duration::seconds(30));
        code_at(&self.gate.secret, self.gate.clock.now())
    }

    /// The dead target (fourth subscription) of each application.
    pub(crate) fn dead(&self) -> Vec<Uuid> {
        self.sandbox
            .applications()
            .iter()
            .map(|(app, _)| self.sandbox.control().subscriptions(*app)[3].id)
            .collect()
    }

    pub(crate) async fn wait_done(&self, job: Uuid) -> anyhow::Result<ReplayJobDetail> {
        let deadline = std::time::Instant::now() + Duration::from_secs(90);
        loop {
            // The sandbox delivers what the replays queued, so verification can see it.
            self.sandbox.control().flush();
            let detail = self.console.replay_job(job)?;
            if detail.phase == Some(ReplayPhase::Done) {
                return Ok(detail);
            }
            anyhow::ensure!(
                detail.phase != Some(ReplayPhase::Stopped) && std::time::Instant::now() < deadline,
                "the job did not end: {detail:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

pub(crate) fn request(selection: Selection) -> ReplayPlanRequest {
    ReplayPlanRequest {
        selection,
        options: PlanOptions::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_console_plan_approve_run_verify_notify_and_audit() -> anyhow::Result<()> {
    let s = setup().await?;
    let dead = s.dead();
    let fixed = dead[0];
    let view = s
        .console
        .replay_plan(request(Selection::Filter(Box::new(DeliveryFilter {
            outcomes: Some(vec![ChainOutcome::GaveUp]),
            subscription_ids: Some(vec![fixed]),
            ..DeliveryFilter::default()
        }))))?;
    let events = view.event_count;
    assert!(events >= 2, "a bulk replay: {view:#?}");
    assert!(view.step_up_required);
    assert_eq!(view.manifest_sha256.len(), 64);
    let impact = view
        .subscriptions
        .iter()
        .find(|i| i.subscription_id == fixed)
        .expect("the failed subscription is in the impact");
    assert_eq!(impact.failed, events);
    let duplicates: u64 = view
        .subscriptions
        .iter()
        .map(|i| i.healthy_duplicates)
        .sum();
    assert_eq!(duplicates, view.healthy_duplicates);
    let exported = s.console.replay_export_manifest(&view.manifest_sha256)?;
    assert_eq!(exported.manifest_sha256, view.manifest_sha256);
    assert_eq!(exported.events, view.event_count);
    let written = std::fs::read_to_string(&exported.path)?;
    assert!(written.contains(&view.manifest_sha256));
    // The file comes back as the same plan: same hash, same set.
    let imported = s.console.replay_import_manifest(&written)?;
    assert_eq!(imported.manifest_sha256, view.manifest_sha256);
    assert_eq!(imported.event_count, view.event_count);

    // Without a code a bulk replay does not start; a code for the plan does.
    let refused = s.console.replay_start(&view.manifest_sha256, None, None);
    assert_eq!(
        refused.map_err(|e| e.code).err(),
        Some(ErrorCode::StepUpRequired)
    );
    assert!(
        s.sandbox.control().replay_counts().is_empty(),
        "nothing sent"
    );
    // The target is repaired before the replay's deliveries run: verification sees it.
    s.sandbox
        .control()
        .set_subscription_behaviour(fixed, Behaviour::Succeed)?;
    let job = s.console.replay_start_with_code(ReplayStartRequest {
        manifest_sha256: view.manifest_sha256.clone(),
        code: Some(s.next_code()),
        config: None,
    })?;
    let detail = s.wait_done(job).await?;
    assert_eq!(detail.job.state, JobState::Finished, "{detail:#?}");
    assert_eq!(detail.job.counts.sent, events);
    assert_eq!(detail.job.manifest_sha256, view.manifest_sha256);
    assert!(detail.error.is_none(), "{detail:#?}");
    let verification = detail.verification.expect("verified");
    assert_eq!(verification.not_replayed, 0);
    assert_eq!(
        verification.per_subscription[&fixed].recovered, events,
        "the repaired target recovered every replayed event: {verification:#?}"
    );
    let counts = s.sandbox.control().replay_counts();
    assert_eq!(counts.len() as u64, events);
    assert!(counts.values().all(|&n| n == 1), "each event exactly once");

    // The window heard the run go to its end, then the verification.
    let heard = s.window.0.lock().unwrap().clone();
    assert!(heard.iter().all(|u| u.job_id == job));
    assert!(heard.iter().any(|u| {
        u.phase == ReplayPhase::Running
            && u.progress
                .as_ref()
                .is_some_and(|p| p.done == events && p.total == events)
    }));
    let last = heard.last().expect("progress events");
    assert_eq!(last.phase, ReplayPhase::Done);
    assert_eq!(
        last.verification.map(|v| v.recovered),
        Some(verification.totals.recovered)
    );

    // The operator is told, with counts only.
    let shown = s.notifier.shown();
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert!(
        shown[0].title.starts_with("Replay finished"),
        "{:?}",
        shown[0]
    );
    assert!(
        shown[0]
            .body
            .contains(&format!("{} recovered", verification.totals.recovered))
    );

    // The trail: approval (with the digest), start, end with the hash; each event once.
    let page = s.console.audit_list(AuditFilter {
        actions: Some(vec![AuditAction::BulkReplay, AuditAction::Replay]),
        limit: Some(500),
        ..AuditFilter::default()
    })?;
    let sha = format!("manifest_sha256={}", view.manifest_sha256);
    let job_target = format!("job={job}");
    for step in ["approved", "started", "finished"] {
        let record = page
            .records
            .iter()
            .find(|r| r.action == AuditAction::BulkReplay && r.targets.iter().any(|t| t == step))
            .unwrap_or_else(|| panic!("no {step} record: {:#?}", page.records));
        assert!(record.targets.contains(&sha) && record.targets.contains(&job_target));
        assert_eq!(
            record.params_hash.is_some(),
            step == "approved",
            "{record:?}"
        );
    }
    for step in ["planned", "imported"] {
        assert!(
            page.records
                .iter()
                .any(|r| r.action == AuditAction::BulkReplay
                    && r.targets.contains(&sha)
                    && r.targets.last().is_some_and(|t| t == step)),
            "no {step} record: {:#?}",
            page.records
        );
    }
    let mut replayed: Vec<&String> = page
        .records
        .iter()
        .filter(|r| r.action == AuditAction::Replay)
        .filter_map(|r| r.targets.last())
        .collect();
    replayed.sort();
    replayed.dedup();
    assert_eq!(
        replayed.len() as u64,
        events,
        "one record per replayed event"
    );
    assert_eq!(
        page.records
            .iter()
            .filter(|r| r.action == AuditAction::Replay)
            .count() as u64,
        events
    );
    let jobs = s.console.replay_jobs()?;
    assert_eq!(jobs.iter().map(|j| j.id).collect::<Vec<_>>(), vec![job]);
    s.sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_console_refuses_everything_while_locked() -> anyhow::Result<()> {
    let s = setup().await?;
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        outcomes: Some(vec![ChainOutcome::GaveUp]),
        ..DeliveryFilter::default()
    }));
    let view = s.console.replay_plan(request(selection.clone()))?;
    s.console.lock()?;
    let locked = |code: Option<ErrorCode>| assert_eq!(code, Some(ErrorCode::Locked));
    locked(
        s.console
            .replay_plan(request(selection))
            .err()
            .map(|e| e.code),
    );
    locked(
        s.console
            .replay_export_manifest(&view.manifest_sha256)
            .err()
            .map(|e| e.code),
    );
    locked(
        s.console
            .replay_start_with_code(ReplayStartRequest {
                manifest_sha256: view.manifest_sha256.clone(),
                code: Some(code_at(&s.gate.secret, s.gate.clock.now())),
                config: None,
            })
            .err()
            .map(|e| e.code),
    );
    locked(s.console.replay_jobs().err().map(|e| e.code));
    let any = Uuid::from_u128(42);
    locked(s.console.replay_job(any).err().map(|e| e.code));
    locked(s.console.replay_pause(any).err().map(|e| e.code));
    locked(s.console.replay_resume(any).err().map(|e| e.code));
    locked(s.console.replay_cancel(any).err().map(|e| e.code));
    assert!(s.sandbox.control().replay_counts().is_empty());
    s.sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_console_refuses_a_changed_set_with_the_difference() -> anyhow::Result<()> {
    let s = setup().await?;
    let sub = s.dead()[0];
    let view = s
        .console
        .replay_plan(request(Selection::Filter(Box::new(DeliveryFilter {
            statuses: Some(vec![AttemptStatus::Failed]),
            subscription_ids: Some(vec![sub]),
            ..DeliveryFilter::default()
        }))))?;
    assert!(view.event_count >= 2);
    // New failures arrive and a sync brings them in: the approved plan no longer holds.
    s.sandbox
        .control()
        .seed_failure_spike(sub, 3, Duration::from_secs(60))?;
    sync_to_end(&s.console).await?;
    let error = s
        .console
        .replay_start_with_code(ReplayStartRequest {
            manifest_sha256: view.manifest_sha256.clone(),
            code: Some(s.next_code()),
            config: None,
        })
        .expect_err("a changed set is refused");
    assert_eq!(error.code, ErrorCode::StepUpRequired, "{error:?}");
    match error.detail {
        Some(ErrorDetail::ReplaySetChanged { diff }) => {
            assert_eq!(diff.added.len(), 3, "the spike's events: {diff:?}");
            assert!(
                diff.removed.is_empty() && diff.changed.is_empty(),
                "{diff:?}"
            );
        }
        other => panic!("expected the difference, got {other:?}"),
    }
    assert!(s.console.replay_jobs()?.is_empty(), "no job recorded");
    assert!(
        s.sandbox.control().replay_counts().is_empty(),
        "nothing sent"
    );
    s.sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_console_single_event_needs_no_code_and_a_bulk_job_pauses_and_cancels()
-> anyhow::Result<()> {
    let s = setup().await?;
    let all = s
        .console
        .replay_plan(request(Selection::Filter(Box::new(DeliveryFilter {
            outcomes: Some(vec![ChainOutcome::GaveUp]),
            ..DeliveryFilter::default()
        }))))?;
    assert!(all.event_count >= 6, "{all:#?}");

    // One delivery, as the explorer's detail pane replays it: no code asked.
    let first = &all.events[0];
    let one = s.console.replay_plan(request(Selection::Deliveries(vec![
        console_core::replay::DeliveryRef {
            event_id: first.event_id,
            subscription_id: first.failed_subscriptions[0],
        },
    ])))?;
    assert_eq!(one.event_count, 1);
    assert!(!one.step_up_required);
    let single = s.console.replay_start(&one.manifest_sha256, None, None)?;
    let done = s.wait_done(single).await?;
    assert_eq!(done.job.state, JobState::Finished);
    assert_eq!(s.sandbox.control().replays_of(first.event_id), 1);
    // A verified job syncs, so the cache shows the attempts it created: let that sync end
    // before planning again (a plan made during it would not survive its end).
    sync_to_end(&s.console).await?;

    // The rest, slowly: pause holds every request, cancel stops for good.
    let rest = s
        .console
        .replay_plan(request(Selection::Filter(Box::new(DeliveryFilter {
            outcomes: Some(vec![ChainOutcome::GaveUp]),
            ..DeliveryFilter::default()
        }))))?;
    let job = s.console.replay_start_with_code(ReplayStartRequest {
        manifest_sha256: rest.manifest_sha256.clone(),
        code: Some(s.next_code()),
        config: Some(console_core::replay::RunConfig {
            rate_per_second: 2,
            in_flight: 1,
            ..fast_config()
        }),
    })?;
    tokio::time::sleep(Duration::from_millis(700)).await;
    s.console.replay_pause(job)?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while s.console.replay_job(job)?.job.state != JobState::Paused {
        anyhow::ensure!(std::time::Instant::now() < deadline, "never paused");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A request in flight when the pause came may still finish.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let held: u64 = s.sandbox.control().replay_counts().values().sum();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(
        s.sandbox.control().replay_counts().values().sum::<u64>(),
        held,
        "nothing is sent while paused"
    );
    s.console.replay_cancel(job)?;
    let detail = s.wait_done(job).await?;
    assert_eq!(detail.job.state, JobState::Cancelled, "{detail:#?}");
    assert!(detail.job.counts.planned > 0, "cancelled before the end");
    // The single event was replayed once before and is in this set again (no sync since).
    let counts = s.sandbox.control().replay_counts();
    assert!(
        counts
            .iter()
            .all(|(id, &n)| n == 1 || (*id == first.event_id && n <= 2)),
        "nothing twice by one job: {counts:?}"
    );
    assert!(detail.job.counts.sent < rest.event_count);
    assert!(
        s.console
            .replay_resume(job)
            .is_err_and(|e| e.code == ErrorCode::InvalidInput),
        "a cancelled job does not resume"
    );

    let page = s.console.audit_list(AuditFilter {
        actions: Some(vec![AuditAction::BulkReplay]),
        limit: Some(500),
        ..AuditFilter::default()
    })?;
    let job_target = format!("job={job}");
    let steps: Vec<&str> = page
        .records
        .iter()
        .rev()
        .filter(|r| r.targets.contains(&job_target))
        .filter_map(|r| r.targets.last().map(String::as_str))
        .collect();
    assert_eq!(
        steps,
        vec![
            "approved",
            "started",
            "paused",
            "cancelled",
            "ended_cancelled"
        ]
    );
    s.sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_console_locking_halts_a_job_and_resuming_finishes_it_exactly_once()
-> anyhow::Result<()> {
    let s = setup().await?;
    let view = s
        .console
        .replay_plan(request(Selection::Filter(Box::new(DeliveryFilter {
            outcomes: Some(vec![ChainOutcome::GaveUp]),
            subscription_ids: Some(vec![s.dead()[0]]),
            ..DeliveryFilter::default()
        }))))?;
    assert!(view.event_count >= 3, "{view:#?}");
    let job = s.console.replay_start_with_code(ReplayStartRequest {
        manifest_sha256: view.manifest_sha256.clone(),
        code: Some(s.next_code()),
        config: Some(console_core::replay::RunConfig {
            rate_per_second: 3,
            in_flight: 1,
            ..fast_config()
        }),
    })?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    s.console.lock()?;
    // Whatever was in flight lands; then nothing more while locked.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let held: u64 = s.sandbox.control().replay_counts().values().sum();
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(
        s.sandbox.control().replay_counts().values().sum::<u64>(),
        held,
        "a locked console sends nothing"
    );
    assert!(held < view.event_count, "halted before the end");

    s.console.unlock(console_core::ipc::UnlockRequest {
        passphrase: Some(crate::gate_support::PASSPHRASE.to_owned()),
        code: s.next_code(),
    })?;
    let halted = s.console.replay_job(job)?;
    assert_eq!(halted.phase, Some(ReplayPhase::Stopped), "{halted:#?}");
    assert_eq!(halted.job.state, JobState::Paused);
    s.console.replay_resume(job)?;
    let done = s.wait_done(job).await?;
    assert_eq!(done.job.state, JobState::Finished, "{done:#?}");
    let counts = s.sandbox.control().replay_counts();
    assert_eq!(counts.len() as u64, view.event_count);
    assert!(counts.values().all(|&n| n == 1), "exactly once: {counts:?}");
    s.sandbox.shutdown().await;
    Ok(())
}
