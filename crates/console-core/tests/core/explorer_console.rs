//! The explorer through the console, as the window uses it: a background sync of the active
//! profile with progress and cache-change news, offline queries of what it stored, the
//! offline state when the API goes away, and nothing answered once locked.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use console_core::api::{ApiBaseUrl, ClientSettings};
use console_core::console::ConsoleEvents;
use console_core::ipc::{CacheChanged, SpikeAlert, SyncState, SyncStatus};
use console_core::profile::SandboxEndpoint;
use console_core::query::{Bucket, DeliveryFilter, DeliveryQuery};
use console_core::{Console, ErrorCode};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};

use crate::gate_support::enrolled_console;

#[derive(Debug, Default)]
struct Heard {
    syncs: Mutex<Vec<SyncStatus>>,
    changes: Mutex<Vec<CacheChanged>>,
}

impl ConsoleEvents for Heard {
    fn sync_changed(&self, status: &SyncStatus) {
        self.syncs.lock().unwrap().push(status.clone());
    }
    fn cache_changed(&self, change: &CacheChanged) {
        self.changes.lock().unwrap().push(change.clone());
    }
    fn spike(&self, _: &SpikeAlert) {}
}

async fn sandbox() -> anyhow::Result<RunningSandbox> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 21,
            applications: 2,
            subscriptions: 3,
            events: 60,
            failure_rate: 0.3,
        },
        rate_limit: false,
        worker_paused: true,
        ..SandboxOptions::default()
    };
    Ok(hook0_sandbox::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), options).await?)
}

fn attach(console: &Console, sandbox: &RunningSandbox) -> anyhow::Result<()> {
    console.attach_sandbox(SandboxEndpoint {
        api_base_url: ApiBaseUrl::parse(sandbox.api_base_url().as_str())?,
        token: sandbox.service_token().to_owned().into(),
    })?;
    Ok(())
}

async fn until_idle(console: &Console) -> anyhow::Result<SyncStatus> {
    for _ in 0..600 {
        let status = console.sync_status()?;
        if matches!(status.sync, SyncState::Idle) {
            return Ok(status);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the sync did not end within 30 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_sync_fills_what_the_explorer_asks_then_offline_and_locked()
-> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let dir = tempfile::tempdir()?;
    let (console, gate) = enrolled_console(dir.path(), ClientSettings::default())?;
    let console = Arc::new(console);
    let heard = Arc::new(Heard::default());
    console.set_events(heard.clone())?;
    attach(&console, &sandbox)?;

    // Before any sync: an empty cache answers, it does not fail.
    let empty = console.query_deliveries(DeliveryQuery::default())?;
    assert!(empty.rows.is_empty());
    assert_eq!(console.sync_status()?.last_synced_at, None);

    let started = console.start_sync()?;
    assert!(
        matches!(started.sync, SyncState::Running { .. }),
        "{started:?}"
    );
    let ended = until_idle(&console).await?;
    assert!(ended.last_error.is_none(), "{ended:?}");
    assert!(ended.last_synced_at.is_some(), "the completion is recorded");
    assert!(!ended.offline);
    assert!(
        heard
            .syncs
            .lock()
            .unwrap()
            .iter()
            .any(|s| matches!(&s.sync, SyncState::Running { progress: Some(_) })),
        "progress reached the window"
    );
    assert!(
        !heard.changes.lock().unwrap().is_empty(),
        "the window heard the cache change"
    );

    let options = console.filter_options()?;
    assert_eq!(options.applications.len(), 2, "{options:?}");
    assert!(options.attempts > 0);
    let page = console.query_deliveries(DeliveryQuery {
        limit: Some(50),
        ..DeliveryQuery::default()
    })?;
    assert_eq!(page.rows.len(), 50);
    let too_many = console.query_deliveries(DeliveryQuery {
        limit: Some(5_000),
        ..DeliveryQuery::default()
    });
    assert_eq!(
        too_many.map_err(|e| e.code).err(),
        Some(ErrorCode::InvalidInput)
    );
    let first = &page.rows[0];
    let detail = console.delivery_detail(first.attempt_id)?;
    assert_eq!(detail.attempt.attempt_id, first.attempt_id);
    assert!(
        !console
            .failure_groups(DeliveryFilter::default())?
            .is_empty()
    );
    assert!(
        !console
            .failures_over_time(DeliveryFilter::default(), Bucket::Hour)?
            .is_empty()
    );
    assert!(
        !console
            .subscription_health(DeliveryFilter::default())?
            .is_empty()
    );

    // The API goes away: the sync says offline, the cache still answers.
    sandbox.shutdown().await;
    console.start_sync()?;
    let offline = until_idle(&console).await?;
    assert!(offline.offline, "{offline:?}");
    assert_eq!(
        offline.last_error.as_ref().map(|e| e.code),
        Some(ErrorCode::Unreachable)
    );
    assert_eq!(
        offline.last_synced_at, ended.last_synced_at,
        "shown as of the last sync"
    );
    assert_eq!(
        console
            .query_deliveries(DeliveryQuery {
                limit: Some(50),
                ..DeliveryQuery::default()
            })?
            .rows,
        page.rows,
        "offline, the same question gets the same answer"
    );

    // Automatic sync: due at once for a profile never auto-synced within its interval.
    console.set_auto_sync(Some(1))?;
    assert_eq!(console.sync_status()?.auto_sync_minutes, Some(1));

    console.lock()?;
    for refused in [
        console.query_deliveries(DeliveryQuery::default()).err(),
        console.filter_options().err(),
        console.sync_status().err(),
        console.start_sync().err(),
    ] {
        assert_eq!(refused.map(|e| e.code), Some(ErrorCode::Locked));
    }
    console.run_due_syncs()?;
    let reopened = gate.reopen(dir.path(), ClientSettings::default())?;
    assert_eq!(reopened.sync_status()?.auto_sync_minutes, Some(1), "kept");
    Ok(())
}
