//! Failure-spike notifications through the console: a real sandbox seeds a spike, a
//! background sync brings it into the cache, and the notifier (or, failing it, the window)
//! hears about exactly that subscription — once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use console_core::Console;
use console_core::console::ConsoleEvents;
use console_core::ipc::{CacheChanged, SpikeAlert, SyncState, SyncStatus};
use console_core::notify::{NotifyError, RecordingNotifier};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};
use uuid::Uuid;

use crate::api_support::{fast_settings, start};

/// Keeps the spikes the window would show.
#[derive(Debug, Default)]
struct WindowAlerts(Mutex<Vec<SpikeAlert>>);

impl WindowAlerts {
    fn taken(&self) -> Vec<SpikeAlert> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl ConsoleEvents for WindowAlerts {
    fn sync_changed(&self, _: &SyncStatus) {}
    fn cache_changed(&self, _: &CacheChanged) {}
    fn spike(&self, alert: &SpikeAlert) {
        self.0.lock().unwrap().push(alert.clone());
    }
}

async fn sandbox() -> anyhow::Result<RunningSandbox> {
    start(SandboxOptions {
        scenario: ScenarioConfig {
            seed: 11,
            applications: 1,
            subscriptions: 4,
            events: 80,
            failure_rate: 0.2,
        },
        rate_limit: false,
        worker_paused: true,
        // Two quiet days since the generated history: only seeded spikes are recent.
        history_end: Some(Utc::now() - chrono::Duration::days(2)),
        ..SandboxOptions::default()
    })
    .await
}

/// Subscriptions that listen to at least one event type (a spike needs one).
fn listening(sandbox: &RunningSandbox) -> Vec<Uuid> {
    let (app, _) = sandbox.applications()[0].clone();
    sandbox
        .control()
        .subscriptions(app)
        .into_iter()
        .filter(|s| !s.event_types.is_empty())
        .map(|s| s.id)
        .collect()
}

async fn sync_to_end(console: &Arc<Console>) -> anyhow::Result<SyncStatus> {
    console.start_sync()?;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let status = console.sync_status()?;
        if matches!(status.sync, SyncState::Idle) {
            anyhow::ensure!(status.last_error.is_none(), "the sync failed: {status:?}");
            return Ok(status);
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the sync did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn notify_a_sync_tells_the_notifier_of_the_spiking_subscription_once_or_the_window_instead()
-> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let subs = listening(&sandbox);
    anyhow::ensure!(
        subs.len() >= 3,
        "the scenario needs three listening subscriptions"
    );
    let dir = tempfile::tempdir()?;
    let (console, _gate) = crate::gate_support::enrolled_console(dir.path(), fast_settings())?;
    let console = Arc::new(console);
    let profile = crate::gate_support::sandbox_profile(&console, &sandbox).await?;
    let window = Arc::new(WindowAlerts::default());
    console.set_events(window.clone())?;
    let notifier = Arc::new(RecordingNotifier::new());
    console.set_notifier(notifier.clone())?;

    // 1. A spike on one subscription: the OS shows it, the window gets a quiet trace.
    sandbox.seed_failure_spike(subs[0], 9, Duration::from_secs(15 * 60))?;
    sync_to_end(&console).await?;
    let shown = notifier.shown();
    assert_eq!(shown.len(), 1, "exactly one notification: {shown:#?}");
    assert_eq!(
        shown[0].opens,
        console_core::notify::Opens::Deliveries {
            subscription_id: subs[0]
        }
    );
    assert_eq!(shown[0].profile_id, profile);
    assert!(
        shown[0]
            .body
            .starts_with("9 of 9 attempts failed in the last 60 min"),
        "{:?}",
        shown[0].body
    );
    let alerts = window.taken();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert!(alerts[0].shown_by_os && alerts[0].subscription_id == subs[0]);

    // 2. The notifier fails (no notification service): the window shows the new spike. The
    //    first one continues and is not told again; a muted subscription is never told.
    notifier.fail_with(Some(NotifyError::Unavailable(
        "no notification service".into(),
    )));
    console.set_subscription_muted(subs[2], true)?;
    sandbox.seed_failure_spike(subs[1], 6, Duration::from_secs(10 * 60))?;
    sandbox.seed_failure_spike(subs[2], 7, Duration::from_secs(10 * 60))?;
    sync_to_end(&console).await?;
    assert_eq!(notifier.shown().len(), 1, "nothing more reached the OS");
    let alerts = window.taken();
    assert_eq!(
        alerts
            .iter()
            .map(|a| (a.subscription_id, a.shown_by_os, a.failures))
            .collect::<Vec<_>>(),
        vec![(subs[1], false, 6)],
        "only the new, unmuted spike, as a banner: {alerts:#?}"
    );

    // 3. A muted profile hears nothing, even of a new spike.
    console.set_notifications_muted(true)?;
    notifier.fail_with(None);
    sandbox.seed_failure_spike(subs[0], 5, Duration::from_secs(60))?;
    sync_to_end(&console).await?;
    assert_eq!(notifier.shown().len(), 1);
    assert!(window.taken().is_empty());
    sandbox.shutdown().await;
    Ok(())
}
