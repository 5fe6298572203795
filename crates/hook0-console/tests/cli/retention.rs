//! A profile's cache retention: applied after every sync, and by `purge` without `--days`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Output;

use chrono::{Duration, Utc};
use console_core::profile::{AuthMethod, ProfileDraft, ProfileStore};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};
use uuid::Uuid;

use console_core::Console;
use console_core::api::ClientSettings;

use crate::support::{PASSPHRASE, cache_file, code_now, gate_options, run_unlocking};

fn succeed(output: Output) -> anyhow::Result<Output> {
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
fn ages(path: &Path, key_hex: &str, days: i64) -> anyhow::Result<(i64, i64)> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{key_hex}'\"; PRAGMA cipher_log_level = NONE;"
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
    // The saved profile's token and cache key live in the vault.
    let console = Console::open(data, ClientSettings::default(), gate_options())?;
    let offer = console.begin_enrollment(PASSPHRASE.into())?;
    let enrolled_at = chrono::Utc::now();
    let recovery = console.confirm_enrollment(&code_now(&offer.secret))?.codes;
    let saved = console
        .save_profile(ProfileDraft {
            id: None,
            name: "Recent history".into(),
            api_base_url: sandbox.api_base_url().to_string(),
            auth_method: AuthMethod::ApiToken,
            token: Some(sandbox.service_token().to_owned()),
            email: None,
            password: None,
            default_organization_id: None,
            cache_retention_days: Some(6),
        })
        .await?;
    console.set_active_profile(saved.id)?;
    let key_hex: String = console
        .cache_key(saved.id)?
        .expose_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    console.lock()?;
    drop(console);
    let id = saved.id;
    // Each run unlocks with the next recovery code (an authenticator code works once a step).
    let mut codes = recovery.iter();
    let mut run = |args: &[&str]| -> anyhow::Result<Output> {
        let code = codes.next().expect("enough recovery codes").clone();
        let mut full = vec!["--totp", code.as_str()];
        full.extend_from_slice(args);
        run_unlocking(data, PASSPHRASE, &full)
    };

    succeed(run(&["sync", "--rate", "0", "--json"])?)?;
    let cache = cache_file(data)?;
    let (older, all) = ages(&cache, &key_hex, 6)?;
    assert_eq!(older, 0, "the sync kept six days only");
    assert!(all > 0, "and kept those");
    let (older_than_three, _) = ages(&cache, &key_hex, 3)?;
    assert!(older_than_three > 0, "the next purge has something to do");

    // `purge` without --days uses the profile's (now shorter) retention, with no approval:
    // it is what the next sync would do anyway.
    set_profile(data, &sandbox, Some(id), Some(3))?;
    let output = succeed(run(&["purge"])?)?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(report["older_than_days"], 3);
    assert_eq!(report["erased_events"], older_than_three);
    assert_eq!(ages(&cache, &key_hex, 3)?.0, 0);

    // An explicit --days wins; a profile keeping everything needs one.
    set_profile(data, &sandbox, Some(id), None)?;
    let refused = run(&["purge"])?;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("keeps its whole history"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // Beyond the profile's retention the purge needs a fresh authenticator code: the one
    // after the step that confirmed enrollment.
    let next_step = (enrolled_at.timestamp() / 30 + 1) * 30;
    let wait = next_step - chrono::Utc::now().timestamp();
    if wait >= 0 {
        tokio::time::sleep(std::time::Duration::from_secs(wait.unsigned_abs() + 1)).await;
    }
    let approve = code_now(&offer.secret);
    let output = succeed(run(&["purge", "--days", "1", "--approve-code", &approve])?)?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(report["older_than_days"], 1);
    assert_eq!(ages(&cache, &key_hex, 1)?.0, 0);
    sandbox.shutdown().await;
    Ok(())
}
