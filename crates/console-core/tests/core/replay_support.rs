//! A synced cache beside a running sandbox, for the replay tests.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use console_core::api::{ApiBaseUrl, ApiClient, ClientSettings, Pacing};
use console_core::cache::{Cache, CacheKey};
use console_core::gate::{Approval, GuardedAction};
use console_core::replay::{Journal, Manifest, RunConfig};
use console_core::sync::{Cancel, ContentPolicy, SyncOptions, sync};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};
use secrecy::SecretString;

use crate::api_support::quick_retry;

pub fn history_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .unwrap()
}

pub struct World {
    pub sandbox: RunningSandbox,
    pub _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub key: CacheKey,
    pub client: ApiClient,
}

pub fn key() -> CacheKey {
    CacheKey::from_bytes([11u8; 32])
}

pub fn client_for(base: &str, token: &str, timeout: Duration) -> anyhow::Result<ApiClient> {
    let settings = ClientSettings {
        request_timeout: timeout,
        pacing: Pacing::unlimited(8),
        retry: quick_retry(),
        ..ClientSettings::default()
    };
    Ok(ApiClient::new(
        ApiBaseUrl::parse(base)?,
        Some(&SecretString::from(token.to_owned())),
        settings,
    )?)
}

/// A sandbox (no rate limit, worker paused: the history holds still unless a test moves it)
/// and a cache synced from it with the payloads of failed events (their labels).
pub async fn world(events: u32) -> anyhow::Result<World> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 11,
            applications: 2,
            subscriptions: 5,
            events,
            failure_rate: 0.25,
        },
        rate_limit: false,
        worker_paused: true,
        history_end: Some(history_end()),
        time_scale: 10_000.0,
        ..SandboxOptions::default()
    };
    let sandbox = hook0_sandbox::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options).await?;
    let client = client_for(
        sandbox.api_base_url().as_str(),
        sandbox.service_token(),
        Duration::from_secs(10),
    )?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("cache.db");
    let key = key();
    resync(&client, &path, &key).await?;
    Ok(World {
        sandbox,
        _dir: dir,
        path,
        key,
        client,
    })
}

pub async fn resync(
    client: &ApiClient,
    path: &std::path::Path,
    key: &CacheKey,
) -> anyhow::Result<()> {
    let mut cache = Cache::open(path, key)?;
    let options = SyncOptions {
        content: ContentPolicy::Failures,
        ..SyncOptions::default()
    };
    sync(client, &mut cache, &options, &Cancel::new(), &mut |_| {}).await?;
    Ok(())
}

impl World {
    pub fn journal(&self) -> anyhow::Result<Journal> {
        Ok(Journal::new(Cache::open(&self.path, &self.key)?)?)
    }
}

/// An approval as the gate grants it after a good code (the gate's own tests cover codes).
pub fn approval_of(manifest: &Manifest) -> anyhow::Result<Approval> {
    Ok(Approval {
        action: GuardedAction::BulkReplay,
        digest: manifest.action_digest()?,
        step: 1,
        approved_at: Utc::now(),
    })
}

/// Fast settings for a local sandbox.
pub fn fast_config() -> RunConfig {
    RunConfig {
        rate_per_second: 10,
        in_flight: 4,
        min_pause_ms: 100,
        pause_jitter_ms: 50,
        max_tries: 6,
        backoff_min_ms: 20,
        backoff_max_ms: 200,
        settle_ms: 300,
        clock_skew_ms: 2_000,
    }
}
