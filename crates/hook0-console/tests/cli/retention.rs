//! A profile's cache retention: applied after every sync, and by `purge` without `--days`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use chrono::{Duration, Utc};
use console_core::profile::{AuthMethod, ProfileDraft, ProfileStore};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};
use uuid::Uuid;

use crate::support::{KEY_HEX, cache_file};

/// `hook0-console --data-dir DIR ARGS…` on the active profile, token and key in its env.
fn on_profile(sandbox: &RunningSandbox, data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hook0-console"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("HOOK0_CONSOLE_TOKEN", sandbox.service_token())
        .env("HOOK0_CONSOLE_CACHE_KEY", KEY_HEX)
        .stdin(Stdio::null());
    command
}

fn succeed(mut command: Command) -> anyhow::Result<Output> {
    let output = command.output()?;
    assert!(
        output.status.success(),
        "hook0-console failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(output)
}

/// Saves (or changes) the active profile pointing at `sandbox` with this retention.
fn set_profile(
    data_dir: &Path,
    sandbox: &RunningSandbox,
    id: Option<Uuid>,
    days: Option<u32>,
) -> anyhow::Result<Uuid> {
    let mut store = ProfileStore::open(&data_dir.join("profiles.json"))?;
    let profile = store.save(ProfileDraft {
        id,
        name: "Recent history".into(),
        api_base_url: sandbox.api_base_url().to_string(),
        auth_method: AuthMethod::ApiToken,
        token: None,
        email: None,
        password: None,
        default_organization_id: None,
        cache_retention_days: days,
    })?;
    store.set_active(profile.id)?;
    Ok(profile.id)
}

/// Events older than `days` whole UTC days, and all events.
fn ages(path: &Path, days: i64) -> anyhow::Result<(i64, i64)> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{KEY_HEX}'\"; PRAGMA cipher_log_level = NONE;"
    ))?;
    let cutoff = (Utc::now() - Duration::days(days))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_micros();
    Ok(conn.query_row(
        "SELECT count(*) FILTER (WHERE coalesce(received_at, first_attempt_at) < ?1), count(*)
         FROM event",
        [cutoff],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_retention_trims_after_sync_and_is_the_default_of_purge() -> anyhow::Result<()>
{
    // Ten days of history up to now.
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 5,
            applications: 1,
            subscriptions: 3,
            events: 200,
            failure_rate: 0.2,
        },
        rate_limit: false,
        worker_paused: true,
        ..SandboxOptions::default()
    };
    let sandbox = hook0_sandbox::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options).await?;
    let dir = tempfile::tempdir()?;
    let data = dir.path();
    let id = set_profile(data, &sandbox, None, Some(6))?;

    succeed(on_profile(
        &sandbox,
        data,
        &["sync", "--rate", "0", "--json"],
    ))?;
    let cache = cache_file(data)?;
    let (older, all) = ages(&cache, 6)?;
    assert_eq!(older, 0, "the sync kept six days only");
    assert!(all > 0, "and kept those");
    let (older_than_three, _) = ages(&cache, 3)?;
    assert!(older_than_three > 0, "the next purge has something to do");

    // `purge` without --days uses the profile's (now shorter) retention.
    set_profile(data, &sandbox, Some(id), Some(3))?;
    let output = succeed(on_profile(&sandbox, data, &["purge"]))?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(report["older_than_days"], 3);
    assert_eq!(report["erased_events"], older_than_three);
    assert_eq!(ages(&cache, 3)?.0, 0);

    // An explicit --days wins; a profile keeping everything needs one.
    set_profile(data, &sandbox, Some(id), None)?;
    let refused = on_profile(&sandbox, data, &["purge"]).output()?;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("keeps its whole history"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let output = succeed(on_profile(&sandbox, data, &["purge", "--days", "1"]))?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(report["older_than_days"], 1);
    assert_eq!(ages(&cache, 1)?.0, 0);
    sandbox.shutdown().await;
    Ok(())
}
