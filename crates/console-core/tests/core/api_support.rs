//! Sandboxes and clients for the api tests.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use console_core::api::{ApiBaseUrl, ApiClient, ClientSettings, Pacing, RetryPolicy};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};
use secrecy::SecretString;

/// A sandbox without rate limits and with the worker paused (the history does not move).
pub async fn quiet_sandbox(scenario: ScenarioConfig) -> anyhow::Result<RunningSandbox> {
    start(SandboxOptions {
        scenario,
        rate_limit: false,
        worker_paused: true,
        ..SandboxOptions::default()
    })
    .await
}

pub async fn start(options: SandboxOptions) -> anyhow::Result<RunningSandbox> {
    let bind = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    Ok(hook0_sandbox::start(bind, options).await?)
}

/// Fast retries for tests: the same policy, shorter waits.
pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 8,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(100),
        retry_after_floor: Duration::from_millis(20),
        jitter: true,
    }
}

/// Unpaced, quick retries.
pub fn fast_settings() -> ClientSettings {
    ClientSettings {
        pacing: Pacing::unlimited(4),
        retry: quick_retry(),
        ..ClientSettings::default()
    }
}

pub fn client_with(
    sandbox: &RunningSandbox,
    settings: ClientSettings,
) -> anyhow::Result<ApiClient> {
    let base = ApiBaseUrl::parse(sandbox.api_base_url().as_str())?;
    let token = SecretString::from(sandbox.service_token().to_owned());
    Ok(ApiClient::new(base, Some(&token), settings)?)
}

pub fn fast_client(sandbox: &RunningSandbox) -> anyhow::Result<ApiClient> {
    client_with(sandbox, fast_settings())
}
