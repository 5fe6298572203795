//! What the Replays page gets beyond the plan itself: a plan made on a freshly synced cache
//! (and one made from the cache, saying why, when the API is gone), and the operator's replay
//! settings, kept in the vault, with a code to waive step-up for single events.

use std::time::Duration;

use console_core::ErrorCode;
use console_core::cache::AttemptStatus;
use console_core::ipc::ReplaySettingsView;
use console_core::query::DeliveryFilter;
use console_core::replay::{RunConfig, Selection};

use crate::replay_console::{request, setup};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_fresh_plan_syncs_first_and_plans_from_the_cache_when_offline() -> anyhow::Result<()>
{
    let s = setup().await?;
    let sub = s.dead()[0];
    let selection = Selection::Filter(Box::new(DeliveryFilter {
        statuses: Some(vec![AttemptStatus::Failed]),
        subscription_ids: Some(vec![sub]),
        ..DeliveryFilter::default()
    }));
    let before = s.console.replay_plan(request(selection.clone()))?;
    assert!(before.cache_synced_at.is_some() && before.sync_error.is_none());

    // New failures upstream, no sync asked: the fresh plan brings them in.
    let spiked = s
        .sandbox
        .control()
        .seed_failure_spike(sub, 3, Duration::from_secs(60))?;
    let stale = s.console.replay_plan(request(selection.clone()))?;
    assert_eq!(stale.event_count, before.event_count, "the cache alone");
    // A sync started before the question is replaced by one that starts after it (what the
    // first stored stays), and its stop is not reported as a failure.
    s.console.start_sync()?;
    let asked = chrono::Utc::now();
    let fresh = s
        .console
        .replay_plan_fresh(request(selection.clone()))
        .await?;
    assert!(fresh.sync_error.is_none(), "{:?}", fresh.sync_error);
    assert_eq!(fresh.event_count, before.event_count + spiked.len() as u64);
    assert!(
        fresh.cache_synced_at.is_some_and(|at| at >= asked),
        "as fresh as the question: {:?} vs {asked}",
        fresh.cache_synced_at
    );
    crate::replay_console::sync_to_end(&s.console).await?;
    assert!(s.console.sync_status()?.last_error.is_none());

    // The API is gone: the plan still comes, from the cache, and says why it is not fresh.
    s.sandbox.shutdown().await;
    let offline = s.console.replay_plan_fresh(request(selection)).await?;
    let error = offline.sync_error.expect("the failed sync is reported");
    assert_eq!(error.code, ErrorCode::Unreachable, "{error:?}");
    assert_eq!(offline.event_count, fresh.event_count);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_settings_are_sealed_and_waiving_step_up_takes_a_code() -> anyhow::Result<()> {
    let s = setup().await?;
    let defaults = s.console.replay_settings()?;
    assert_eq!(defaults, ReplaySettingsView::default());
    assert!(defaults.single_event_without_step_up);

    // Tightening needs no code and holds for the next plans.
    let strict = ReplaySettingsView {
        single_event_without_step_up: false,
        run: RunConfig {
            rate_per_second: 8,
            in_flight: 2,
            ..RunConfig::default()
        },
        verify_deadline_minutes: 30,
    };
    assert_eq!(s.console.set_replay_settings(strict.clone(), None)?, strict);

    // Out of range is refused, whatever the code.
    for wrong in [
        ReplaySettingsView {
            run: RunConfig {
                rate_per_second: 11,
                ..RunConfig::default()
            },
            ..strict.clone()
        },
        ReplaySettingsView {
            verify_deadline_minutes: 0,
            ..strict.clone()
        },
    ] {
        let refused = s.console.set_replay_settings(wrong, None);
        assert_eq!(
            refused.map_err(|e| e.code).err(),
            Some(ErrorCode::InvalidInput)
        );
    }

    // Loosening asks for a fresh code.
    let lenient = ReplaySettingsView {
        single_event_without_step_up: true,
        ..strict.clone()
    };
    let refused = s.console.set_replay_settings(lenient.clone(), None);
    assert_eq!(
        refused.map_err(|e| e.code).err(),
        Some(ErrorCode::StepUpRequired)
    );
    let refused = s
        .console
        .set_replay_settings(lenient.clone(), Some("000000"));
    assert!(refused.is_err(), "a wrong code does not waive anything");
    assert_eq!(s.console.replay_settings()?, strict, "nothing changed");

    // Sealed in the vault: a lock and an unlock keep them.
    s.console.lock()?;
    assert_eq!(
        s.console.replay_settings().map_err(|e| e.code).err(),
        Some(ErrorCode::Locked)
    );
    s.console.unlock(console_core::ipc::UnlockRequest {
        passphrase: Some(crate::gate_support::PASSPHRASE.to_owned()),
        code: s.next_code(),
    })?;
    assert_eq!(s.console.replay_settings()?, strict);
    let code = s.next_code();
    assert_eq!(
        s.console
            .set_replay_settings(lenient.clone(), Some(&code))?,
        lenient
    );
    assert_eq!(s.console.replay_settings()?, lenient);
    assert!(
        !std::fs::read_to_string(s.dir.path().join("profiles.json"))
            .unwrap_or_default()
            .contains("single_event_without_step_up"),
        "not in a plain file"
    );
    s.sandbox.shutdown().await;
    Ok(())
}
